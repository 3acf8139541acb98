/* pb-job.h — one long engine operation run in a worker thread for a page.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

#define PB_TYPE_JOB (pb_job_get_type ())
G_DECLARE_FINAL_TYPE (PbJob, pb_job, PB, JOB, GObject)

/**
 * PbJobFunc:
 * @job: the job, for pb_job_report() (which is also a #PbProgressFunc with @job
 *   as its user data)
 * @data: the data given to pb_job_start(): copies and references, never widgets
 * @cancellable: cancelled by pb_job_cancel()
 * @error: return location for an error
 *
 * Runs in a worker thread; opens its own project connection.
 *
 * Returns: %TRUE on success
 */
typedef gboolean (*PbJobFunc) (PbJob         *job,
                               gpointer       data,
                               GCancellable  *cancellable,
                               GError       **error);

PbJob        *pb_job_new            (void);
void          pb_job_start          (PbJob          *self,
                                     PbJobFunc       func,
                                     gpointer        data,
                                     GDestroyNotify  data_destroy);
gboolean      pb_job_start_writer   (PbJob          *self,
                                     const char     *project_path,
                                     PbJobFunc       func,
                                     gpointer        data,
                                     GDestroyNotify  data_destroy,
                                     GError        **error);
PbJob        *pb_job_find_writer    (const char     *project_path);
guint         pb_job_count_running  (void);
gboolean      pb_job_check_project_free (const char *project_path,
                                     GError        **error);
void          pb_job_set_title      (PbJob          *self,
                                     const char     *title);
const char   *pb_job_get_title      (PbJob          *self);
void          pb_job_cancel         (PbJob          *self);
gboolean      pb_job_get_running    (PbJob          *self);
double        pb_job_get_fraction   (PbJob          *self);
char         *pb_job_dup_message    (PbJob          *self);
const GError *pb_job_get_error      (PbJob          *self);
void          pb_job_report         (double          fraction,
                                     const char     *message,
                                     gconstpointer   details,
                                     gpointer        job);

G_END_DECLS
