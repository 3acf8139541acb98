/* test-job.c — PbJob: progress crosses threads as properties, errors are kept,
 * cancellation is silence.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "pb-job.h"

#include <gio/gio.h>
#include <string.h>

typedef struct
{
  int      finished;
  gboolean success;
  guint    n_fraction_notifies;
} Observed;

static gboolean
count_to_hundred (PbJob         *job,
                  gpointer       data,
                  GCancellable  *cancellable,
                  GError       **error)
{
  for (int i = 1; i <= 100000; i++)
    pb_job_report (i / 100000.0, i == 100000 ? "done" : "counting", NULL, job);
  return TRUE;
}

static gboolean
fail_politely (PbJob         *job,
               gpointer       data,
               GCancellable  *cancellable,
               GError       **error)
{
  g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA, "bad data in row 7");
  return FALSE;
}

static gboolean
wait_for_cancel (PbJob         *job,
                 gpointer       data,
                 GCancellable  *cancellable,
                 GError       **error)
{
  gint *started = data;

  g_atomic_int_set (started, 1);
  while (!g_cancellable_is_cancelled (cancellable))
    g_usleep (1000);
  g_cancellable_set_error_if_cancelled (cancellable, error);
  return FALSE;
}

static void
on_finished_cb (PbJob    *job,
                gboolean  success,
                Observed *observed)
{
  observed->finished++;
  observed->success = success;
}

static void
on_fraction_cb (PbJob      *job,
                GParamSpec *pspec,
                Observed   *observed)
{
  observed->n_fraction_notifies++;
}

static void
run_until_finished (PbJob    *job,
                    Observed *observed)
{
  while (observed->finished == 0)
    g_main_context_iteration (NULL, TRUE);
  /* the last coalesced progress idle */
  while (g_main_context_iteration (NULL, FALSE))
    ;
}

static void
test_progress_and_success (void)
{
  g_autoptr(PbJob) job = pb_job_new ();
  g_autofree char *message = NULL;
  Observed observed = { 0 };

  g_signal_connect (job, "finished", G_CALLBACK (on_finished_cb), &observed);
  g_signal_connect (job, "notify::fraction", G_CALLBACK (on_fraction_cb), &observed);
  pb_job_start (job, count_to_hundred, NULL, NULL);
  g_assert_true (pb_job_get_running (job));
  run_until_finished (job, &observed);

  g_assert_cmpint (observed.finished, ==, 1);
  g_assert_true (observed.success);
  g_assert_false (pb_job_get_running (job));
  g_assert_null (pb_job_get_error (job));
  g_assert_cmpfloat (pb_job_get_fraction (job), ==, 1.0);
  message = pb_job_dup_message (job);
  g_assert_cmpstr (message, ==, "done");
  /* 100,000 reports are coalesced into far fewer notifications */
  g_assert_cmpuint (observed.n_fraction_notifies, >=, 1);
  g_assert_cmpuint (observed.n_fraction_notifies, <, 100000);
}

static void
test_error_is_kept (void)
{
  g_autoptr(PbJob) job = pb_job_new ();
  Observed observed = { 0 };

  g_signal_connect (job, "finished", G_CALLBACK (on_finished_cb), &observed);
  pb_job_start (job, fail_politely, NULL, NULL);
  run_until_finished (job, &observed);

  g_assert_false (observed.success);
  g_assert_error (pb_job_get_error (job), G_IO_ERROR, G_IO_ERROR_INVALID_DATA);
  g_assert_cmpstr (pb_job_get_error (job)->message, ==, "bad data in row 7");

  /* a new start forgets the old error */
  observed.finished = 0;
  pb_job_start (job, count_to_hundred, NULL, NULL);
  run_until_finished (job, &observed);
  g_assert_null (pb_job_get_error (job));
}

static void
test_cancel_is_silent (void)
{
  g_autoptr(PbJob) job = pb_job_new ();
  Observed observed = { 0 };
  gint started = 0;

  g_signal_connect (job, "finished", G_CALLBACK (on_finished_cb), &observed);
  pb_job_start (job, wait_for_cancel, &started, NULL);
  while (!g_atomic_int_get (&started))
    g_usleep (1000);
  pb_job_cancel (job);
  run_until_finished (job, &observed);

  g_assert_false (observed.success);
  g_assert_null (pb_job_get_error (job));
  g_assert_false (pb_job_get_running (job));
}

static void
count_destroy (gpointer data)
{
  (*(int *) data)++;
}

static void
wait_until_started (gint *started)
{
  while (!g_atomic_int_get (started))
    g_usleep (1000);
}

static void
test_one_writer_per_project (void)
{
  g_autoptr(PbJob) tune = pb_job_new ();
  g_autoptr(PbJob) attack = pb_job_new ();
  g_autoptr(PbJob) other = pb_job_new ();
  g_autoptr(PbJob) reader = pb_job_new ();
  g_autoptr(GError) error = NULL;
  Observed observed = { 0 };
  gint started = 0, started_other = 0, started_reader = 0;
  int destroyed = 0;

  pb_job_set_title (tune, "Tune");
  pb_job_set_title (attack, "Attack");
  g_signal_connect (tune, "finished", G_CALLBACK (on_finished_cb), &observed);

  g_assert_null (pb_job_find_writer ("/projects/icu.perturb"));
  g_assert_true (pb_job_start_writer (tune, "/projects/icu.perturb", wait_for_cancel, &started,
                                      NULL, &error));
  g_assert_no_error (error);
  wait_until_started (&started);
  g_assert_true (pb_job_find_writer ("/projects/./icu.perturb") == tune);

  /* the same file, spelt differently: refused, naming the busy job, data freed */
  g_assert_false (pb_job_start_writer (attack, "/projects/sub/../icu.perturb", wait_for_cancel,
                                       &destroyed, count_destroy, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_BUSY);
  g_assert_nonnull (strstr (error->message, "“Tune” is still running on this project"));
  g_assert_cmpint (destroyed, ==, 1);
  g_assert_false (pb_job_get_running (attack));
  g_clear_error (&error);
  g_assert_false (pb_job_check_project_free ("/projects/icu.perturb", &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_BUSY);
  g_clear_error (&error);

  /* another project and a reading job on the same one are fine */
  g_assert_true (pb_job_check_project_free ("/projects/other.perturb", NULL));
  g_assert_true (pb_job_start_writer (other, "/projects/other.perturb", wait_for_cancel,
                                      &started_other, NULL, &error));
  g_assert_no_error (error);
  pb_job_start (reader, wait_for_cancel, &started_reader, NULL);
  wait_until_started (&started_other);
  wait_until_started (&started_reader);
  pb_job_cancel (other);
  pb_job_cancel (reader);

  /* once the writer is over, the project is free again */
  pb_job_cancel (tune);
  run_until_finished (tune, &observed);
  while (pb_job_get_running (other) || pb_job_get_running (reader))
    g_main_context_iteration (NULL, TRUE);
  g_assert_null (pb_job_find_writer ("/projects/icu.perturb"));
  g_assert_null (pb_job_find_writer ("/projects/other.perturb"));
  g_assert_true (pb_job_check_project_free ("/projects/icu.perturb", NULL));

  started = 0;
  g_assert_true (pb_job_start_writer (attack, "/projects/icu.perturb", wait_for_cancel, &started,
                                      NULL, &error));
  g_assert_no_error (error);
  wait_until_started (&started);
  g_assert_true (pb_job_find_writer ("/projects/icu.perturb") == attack);
  pb_job_cancel (attack);
  while (pb_job_get_running (attack))
    g_main_context_iteration (NULL, TRUE);
  g_assert_null (pb_job_find_writer ("/projects/icu.perturb"));
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/pb/job/progress-and-success", test_progress_and_success);
  g_test_add_func ("/pb/job/error-is-kept", test_error_is_kept);
  g_test_add_func ("/pb/job/cancel-is-silent", test_cancel_is_silent);
  g_test_add_func ("/pb/job/one-writer-per-project", test_one_writer_per_project);

  return g_test_run ();
}
