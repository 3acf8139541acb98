/* test-workbench.c — the real perturb-workbench under a display: it maps its
 * window, draws it, opens a project, and turns a bad file into a toast.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "pb-engine.h"

#include "pb-test-gui.h"
#include "pb-test-util.h"

static void
test_opens_project (void)
{
  g_autofree char *dir = pb_test_mkdtemp ();
  g_autofree char *path = g_build_filename (dir, "mortality.perturb", NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(PbProject) project = pb_project_create (path, &error);
  g_auto(PbTestShot) shot = { 0 };

  g_assert_no_error (error);
  g_clear_object (&project);

  pb_test_gui_screenshot_page (&shot, "workbench-project", "overview", path);

  pb_test_rmdir (dir);
}

static void
test_start_view (void)
{
  g_auto(PbTestShot) shot = { 0 };

  pb_test_gui_screenshot (&shot, "workbench-start", NULL, NULL);
  g_assert_null (strstr (shot.output, "toast:"));
}

static void
test_bad_project_is_a_toast (void)
{
  g_autofree char *dir = pb_test_mkdtemp ();
  g_autofree char *path = g_build_filename (dir, "broken.perturb", NULL);
  g_autofree char *missing = g_build_filename (dir, "gone.perturb", NULL);
  g_auto(PbTestShot) shot = { 0 };
  g_auto(PbTestShot) shot2 = { 0 };

  g_file_set_contents (path, "this is not a project", -1, NULL);
  pb_test_gui_screenshot (&shot, "workbench-bad-project", NULL, path);
  g_assert_nonnull (strstr (shot.output, "toast: Could not open “broken.perturb”"));
  g_assert_nonnull (strstr (shot.output, "not a Perturb project"));

  pb_test_gui_screenshot (&shot2, "workbench-missing-project", NULL, missing);
  g_assert_nonnull (strstr (shot2.output, "toast: Could not open “gone.perturb”"));

  pb_test_rmdir (dir);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/pb/workbench/opens-project", test_opens_project);
  g_test_add_func ("/pb/workbench/start-view", test_start_view);
  g_test_add_func ("/pb/workbench/bad-project-is-a-toast", test_bad_project_is_a_toast);

  return g_test_run ();
}
