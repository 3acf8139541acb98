/* test-application.c — PbApplication: actions, accelerators, the about and
 * shortcuts windows, and opening a project as a file argument.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "pb-application.h"
#include "pb-window.h"

#include "pb-test-util.h"

static GtkWindow *
find_toplevel (GType type)
{
  GListModel *toplevels = gtk_window_get_toplevels ();  /* (transfer none) */

  for (guint i = 0; i < g_list_model_get_n_items (toplevels); i++)
    {
      g_autoptr(GtkWindow) window = g_list_model_get_item (toplevels, i);

      if (G_TYPE_CHECK_INSTANCE_TYPE (window, type))
        return window;
    }

  return NULL;
}

static void
test_actions_and_windows (void)
{
  g_autoptr(PbApplication) app = pb_application_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = pb_test_mkdtemp ();
  g_autofree char *path = g_build_filename (dir, "sepsis.perturb", NULL);
  g_autoptr(PbProject) project = NULL;
  g_autoptr(GFile) file = g_file_new_for_path (path);
  g_auto(GStrv) open_accels = NULL;
  g_auto(GStrv) quit_accels = NULL;
  const char *actions[] = { "new-project", "open-project", "open-recent", "about", "quit" };
  GtkWindow *about;
  PbWindow *window;

  project = pb_project_create (path, &error);
  g_assert_no_error (error);
  g_clear_object (&project);

  g_assert_true (g_application_register (G_APPLICATION (app), NULL, &error));
  g_assert_no_error (error);
  g_assert_nonnull (pb_application_get_settings (app));

  for (guint i = 0; i < G_N_ELEMENTS (actions); i++)
    g_assert_true (g_action_group_has_action (G_ACTION_GROUP (app), actions[i]));

  open_accels = gtk_application_get_accels_for_action (GTK_APPLICATION (app), "app.open-project");
  g_assert_cmpstr (open_accels[0], ==, "<Control>o");
  quit_accels = gtk_application_get_accels_for_action (GTK_APPLICATION (app), "app.quit");
  g_assert_cmpstr (quit_accels[0], ==, "<Control>q");

  /* a project given as a file opens in the window */
  g_application_open (G_APPLICATION (app), &file, 1, "");
  window = PB_WINDOW (gtk_application_get_active_window (GTK_APPLICATION (app)));
  g_assert_nonnull (window);
  g_assert_nonnull (pb_window_get_project (window));
  g_assert_cmpstr (pb_project_get_path (pb_window_get_project (window)), ==, path);

  /* the shortcuts window comes from resources/gtk/help-overlay.ui */
  g_assert_nonnull (gtk_application_window_get_help_overlay (GTK_APPLICATION_WINDOW (window)));

  g_action_group_activate_action (G_ACTION_GROUP (app), "about", NULL);
  about = find_toplevel (ADW_TYPE_ABOUT_WINDOW);
  g_assert_nonnull (about);
  g_assert_cmpstr (adw_about_window_get_version (ADW_ABOUT_WINDOW (about)), ==, PACKAGE_VERSION);
  g_assert_cmpstr (adw_about_window_get_application_icon (ADW_ABOUT_WINDOW (about)), ==, APP_ID);
  gtk_window_destroy (about);

  gtk_window_destroy (GTK_WINDOW (window));
  pb_test_rmdir (dir);
}

int
main (int    argc,
      char **argv)
{
  gtk_test_init (&argc, &argv, NULL);

  g_test_add_func ("/pb/application/actions-and-windows", test_actions_and_windows);

  return g_test_run ();
}
