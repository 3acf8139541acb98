/* pb-import-page.h — the Import page: a source, a run, and what it imported.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "pb-job.h"
#include "pb-page.h"

G_BEGIN_DECLS

/**
 * PbImportSource:
 * @PB_IMPORT_SOURCE_SYNTHETIC: a generated cohort (size, seed)
 * @PB_IMPORT_SOURCE_SQLITE: an SQLite file with MIMIC-III's tables
 * @PB_IMPORT_SOURCE_POSTGRES: a PostgreSQL database (libpq connection string)
 *
 * The order of the page's source chooser.
 */
typedef enum
{
  PB_IMPORT_SOURCE_SYNTHETIC,
  PB_IMPORT_SOURCE_SQLITE,
  PB_IMPORT_SOURCE_POSTGRES,
} PbImportSource;

#define PB_TYPE_IMPORT_PAGE (pb_import_page_get_type ())
G_DECLARE_FINAL_TYPE (PbImportPage, pb_import_page, PB, IMPORT_PAGE, PbPage)

PbPage     *pb_import_page_new            (void);
PbJob      *pb_import_page_get_job        (PbImportPage   *self);
void        pb_import_page_set_source     (PbImportPage   *self,
                                           PbImportSource  source);
void        pb_import_page_set_synthetic  (PbImportPage   *self,
                                           guint           n_stays,
                                           guint64         seed);
void        pb_import_page_set_location   (PbImportPage   *self,
                                           const char     *location,
                                           const char     *schema);
const char *pb_import_page_get_status     (PbImportPage   *self);
gint64      pb_import_page_get_count      (PbImportPage   *self,
                                           const char     *table);

G_END_DECLS
