/* test-window.c — PbWindow as a widget: open, close, recent projects, errors,
 * remembered size.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "pb-job.h"
#include "pb-window.h"

#include <string.h>

#include "pb-test-util.h"

typedef struct
{
  char      *dir;
  char      *path;
  GSettings *settings;
  PbWindow  *window;
} Fixture;

static void
fixture_setup (Fixture       *f,
               gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(PbProject) project = NULL;

  f->dir = pb_test_mkdtemp ();
  f->path = g_build_filename (f->dir, "icu.perturb", NULL);
  project = pb_project_create (f->path, &error);
  g_assert_no_error (error);
  g_clear_object (&project);

  f->settings = g_settings_new (APP_ID);
  g_settings_reset (f->settings, "recent-projects");
  g_settings_reset (f->settings, "window-width");
  f->window = pb_window_new (NULL, f->settings);
  g_object_ref_sink (f->window);
}

static void
drain_main_loop (void)
{
  while (g_main_context_iteration (NULL, FALSE))
    ;
}

static void
fixture_tear (Fixture       *f,
              gconstpointer  data)
{
  gtk_window_destroy (GTK_WINDOW (f->window));
  drain_main_loop ();
  g_assert_finalize_object (f->window);
  g_clear_object (&f->settings);
  pb_test_rmdir (f->dir);
  g_free (f->path);
  g_free (f->dir);
}

static void
test_open_and_close (Fixture       *f,
                     gconstpointer  data)
{
  g_auto(GStrv) recent = NULL;

  g_assert_null (pb_window_get_project (f->window));

  g_assert_true (pb_window_open_project (f->window, f->path));
  g_assert_nonnull (pb_window_get_project (f->window));
  g_assert_cmpstr (gtk_window_get_title (GTK_WINDOW (f->window)), ==, "icu — Perturb");
  g_assert_true (pb_window_select_page (f->window, "overview"));
  g_assert_false (pb_window_select_page (f->window, "no-such-page"));

  recent = g_settings_get_strv (f->settings, "recent-projects");
  g_assert_cmpuint (g_strv_length (recent), ==, 1);
  g_assert_cmpstr (recent[0], ==, f->path);

  gtk_widget_activate_action (GTK_WIDGET (f->window), "win.close-project", NULL);
  g_assert_null (pb_window_get_project (f->window));
  g_assert_cmpstr (gtk_window_get_title (GTK_WINDOW (f->window)), ==, "Perturb");
}

static void
test_bad_files_keep_state (Fixture       *f,
                           gconstpointer  data)
{
  g_autofree char *bad = g_build_filename (f->dir, "bad.perturb", NULL);
  g_auto(GStrv) recent = NULL;

  g_file_set_contents (bad, "garbage", -1, NULL);
  g_assert_true (pb_window_open_project (f->window, f->path));

  /* a failed open leaves the open project in place and out of the recents */
  g_assert_false (pb_window_open_project (f->window, bad));
  g_assert_cmpstr (pb_project_get_path (pb_window_get_project (f->window)), ==, f->path);
  g_assert_false (pb_window_create_project (f->window, f->path));
  g_assert_cmpstr (pb_project_get_path (pb_window_get_project (f->window)), ==, f->path);

  recent = g_settings_get_strv (f->settings, "recent-projects");
  g_assert_cmpuint (g_strv_length (recent), ==, 1);
}

static void
test_recent_list_is_capped (Fixture       *f,
                            gconstpointer  data)
{
  g_auto(GStrv) recent = NULL;

  for (int i = 0; i < 12; i++)
    {
      g_autofree char *name = g_strdup_printf ("p%02d.perturb", i);
      g_autofree char *path = g_build_filename (f->dir, name, NULL);

      g_assert_true (pb_window_create_project (f->window, path));
    }
  g_assert_true (pb_window_open_project (f->window, f->path));

  recent = g_settings_get_strv (f->settings, "recent-projects");
  g_assert_cmpuint (g_strv_length (recent), ==, 10);
  g_assert_cmpstr (recent[0], ==, f->path);
  g_assert_true (g_str_has_suffix (recent[1], "p11.perturb"));
}

static void
test_size_is_remembered (Fixture       *f,
                         gconstpointer  data)
{
  PbWindow *first = g_object_ref_sink (pb_window_new (NULL, f->settings));
  PbWindow *second;
  int width, height;

  /* closing saves the size (close-request), whatever GTK does with the window next */
  gtk_window_set_default_size (GTK_WINDOW (first), 900, 640);
  gtk_window_present (GTK_WINDOW (first));
  drain_main_loop ();
  gtk_window_close (GTK_WINDOW (first));
  gtk_window_destroy (GTK_WINDOW (first));
  g_object_unref (first);
  g_assert_cmpint (g_settings_get_int (f->settings, "window-width"), ==, 900);
  g_assert_cmpint (g_settings_get_int (f->settings, "window-height"), ==, 640);

  second = g_object_ref_sink (pb_window_new (NULL, f->settings));
  gtk_window_get_default_size (GTK_WINDOW (second), &width, &height);
  g_assert_cmpint (width, ==, 900);
  g_assert_cmpint (height, ==, 640);
  gtk_window_destroy (GTK_WINDOW (second));
  g_object_unref (second);
}

static gboolean
wait_for_cancel (PbJob         *job,
                 gpointer       data,
                 GCancellable  *cancellable,
                 GError       **error)
{
  while (!g_cancellable_is_cancelled (cancellable))
    g_usleep (1000);
  g_cancellable_set_error_if_cancelled (cancellable, error);
  return FALSE;
}

/* The message dialog the window shows, or NULL. */
static AdwMessageDialog *
find_dialog (PbWindow *window)
{
  GListModel *toplevels = gtk_window_get_toplevels ();

  for (guint i = 0; i < g_list_model_get_n_items (toplevels); i++)
    {
      g_autoptr(GObject) item = g_list_model_get_item (toplevels, i);

      if (ADW_IS_MESSAGE_DIALOG (item) &&
          gtk_window_get_transient_for (GTK_WINDOW (item)) == GTK_WINDOW (window) &&
          gtk_widget_get_visible (GTK_WIDGET (item)))
        return ADW_MESSAGE_DIALOG (item);
    }
  return NULL;
}

static void
answer_dialog (PbWindow   *window,
               const char *response)
{
  AdwMessageDialog *dialog;

  drain_main_loop ();
  dialog = find_dialog (window);
  g_assert_nonnull (dialog);
  g_assert_cmpstr (adw_message_dialog_get_heading (dialog), ==, "Stop the Running Job?");
  g_assert_nonnull (strstr (adw_message_dialog_get_body (dialog), "“Tune” is still running"));
  adw_message_dialog_response (dialog, response);
  gtk_window_destroy (GTK_WINDOW (dialog));   /* as a click does after the response */
  drain_main_loop ();
}

static void
wait_job (PbJob *job)
{
  while (pb_job_get_running (job))
    g_main_context_iteration (NULL, TRUE);
  drain_main_loop ();
}

/* gtk_window_destroy() takes a window out of this list */
static gboolean
is_toplevel (PbWindow *window)
{
  GListModel *toplevels = gtk_window_get_toplevels ();

  for (guint i = 0; i < g_list_model_get_n_items (toplevels); i++)
    {
      g_autoptr(GObject) item = g_list_model_get_item (toplevels, i);

      if (item == (GObject *) window)
        return TRUE;
    }
  return FALSE;
}

/* Closing the project or the window while a job changes the project asks first;
 * "keep running" keeps both, "stop" cancels the job and closes once it is over. */
static void
test_close_asks_during_job (Fixture       *f,
                            gconstpointer  data)
{
  g_autoptr(PbJob) job = pb_job_new ();
  g_autoptr(GError) error = NULL;
  PbWindow *window;

  pb_job_set_title (job, "Tune");
  g_assert_true (pb_window_open_project (f->window, f->path));
  gtk_window_present (GTK_WINDOW (f->window));
  g_assert_true (pb_job_start_writer (job, f->path, wait_for_cancel, NULL, NULL, &error));
  g_assert_no_error (error);

  /* close project: keep running */
  gtk_widget_activate_action (GTK_WIDGET (f->window), "win.close-project", NULL);
  answer_dialog (f->window, "cancel");
  g_assert_true (pb_job_get_running (job));
  g_assert_nonnull (pb_window_get_project (f->window));

  /* close project: stop */
  gtk_widget_activate_action (GTK_WIDGET (f->window), "win.close-project", NULL);
  answer_dialog (f->window, "stop");
  wait_job (job);
  g_assert_null (pb_window_get_project (f->window));
  g_assert_null (find_dialog (f->window));

  /* without a job, closing does not ask */
  g_assert_true (pb_window_open_project (f->window, f->path));
  gtk_widget_activate_action (GTK_WIDGET (f->window), "win.close-project", NULL);
  drain_main_loop ();
  g_assert_null (find_dialog (f->window));
  g_assert_null (pb_window_get_project (f->window));

  /* closing the window: keep running, then stop */
  window = g_object_ref_sink (pb_window_new (NULL, f->settings));
  g_assert_true (pb_window_open_project (window, f->path));
  gtk_window_present (GTK_WINDOW (window));
  g_assert_true (pb_job_start_writer (job, f->path, wait_for_cancel, NULL, NULL, &error));
  g_assert_no_error (error);
  gtk_window_close (GTK_WINDOW (window));
  answer_dialog (window, "cancel");
  g_assert_true (is_toplevel (window));
  g_assert_true (pb_job_get_running (job));
  gtk_window_close (GTK_WINDOW (window));
  answer_dialog (window, "stop");
  wait_job (job);
  g_assert_false (is_toplevel (window));
  g_assert_finalize_object (window);
}

int
main (int    argc,
      char **argv)
{
  gtk_test_init (&argc, &argv, NULL);
  adw_init ();

#define ADD(path, func) \
  g_test_add (path, Fixture, NULL, fixture_setup, func, fixture_tear)
  ADD ("/pb/window/open-and-close", test_open_and_close);
  ADD ("/pb/window/bad-files-keep-state", test_bad_files_keep_state);
  ADD ("/pb/window/recent-list-is-capped", test_recent_list_is_capped);
  ADD ("/pb/window/size-is-remembered", test_size_is_remembered);
  ADD ("/pb/window/close-asks-during-job", test_close_asks_during_job);
#undef ADD

  return g_test_run ();
}
