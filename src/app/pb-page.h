/* pb-page.h — base class of the workbench's pages (Import, Preprocess, …).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <adwaita.h>

#include "pb-engine.h"
#include "pb-job.h"

G_BEGIN_DECLS

#define PB_TYPE_PAGE (pb_page_get_type ())
G_DECLARE_DERIVABLE_TYPE (PbPage, pb_page, PB, PAGE, AdwBin)

struct _PbPageClass
{
  AdwBinClass parent_class;

  /* called after the project property changed; project may be NULL */
  void (*project_changed) (PbPage    *self,
                           PbProject *project);
};

const char *pb_page_get_title       (PbPage     *self);
const char *pb_page_get_icon_name   (PbPage     *self);
PbProject  *pb_page_get_project     (PbPage     *self);
void        pb_page_set_project     (PbPage     *self,
                                     PbProject  *project);
void        pb_page_toast           (PbPage     *self,
                                     const char *message);
gboolean    pb_page_check_project_free (PbPage  *self);
gboolean    pb_page_show_job_progress (PbPage   *self,
                                     PbJob          *job,
                                     GtkProgressBar *bar);
gboolean    pb_page_start_writer    (PbPage     *self,
                                     PbJob      *job,
                                     PbJobFunc   func,
                                     gpointer    data,
                                     GDestroyNotify data_destroy);

G_END_DECLS
