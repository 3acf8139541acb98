/* pb-source.h — importing MIMIC-III query results into a project.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

#include "pb-progress.h"
#include "pb-project.h"

G_BEGIN_DECLS

/**
 * PbImportCounts:
 * @icustays: rows of the ICU-stay detail query (raw_icustay)
 * @bg: rows of the blood-gas query (raw_bg)
 * @lab: rows of the lab query (raw_lab)
 * @vital: rows of the vital-sign query (raw_vital)
 * @seconds: wall time of the import
 */
typedef struct
{
  gint64 icustays;
  gint64 bg;
  gint64 lab;
  gint64 vital;
  double seconds;
} PbImportCounts;

gboolean pb_source_import           (PbProject       *project,
                                     const char      *from,
                                     const char      *schema,
                                     PbImportCounts  *counts,
                                     PbProgressFunc   progress,
                                     gpointer         progress_data,
                                     GCancellable    *cancellable,
                                     GError         **error);

gboolean pb_source_import_sqlite    (PbProject       *project,
                                     const char      *path,
                                     PbImportCounts  *counts,
                                     PbProgressFunc   progress,
                                     gpointer         progress_data,
                                     GCancellable    *cancellable,
                                     GError         **error);

gboolean pb_source_import_postgres  (PbProject       *project,
                                     const char      *conninfo,
                                     const char      *schema,
                                     PbImportCounts  *counts,
                                     PbProgressFunc   progress,
                                     gpointer         progress_data,
                                     GCancellable    *cancellable,
                                     GError         **error);

G_END_DECLS
