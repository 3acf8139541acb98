/* test-cli.c — `perturb` exit codes and messages, good and bad invocations.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "pb-test-cli.h"
#include "pb-test-util.h"

#include <string.h>

static void
test_version_and_help (void)
{
  g_auto(PbTestCliResult) v = { 0 };
  g_auto(PbTestCliResult) h = { 0 };
  g_auto(PbTestCliResult) none = { 0 };
  g_auto(PbTestCliResult) sub = { 0 };

  pb_test_run_cli (&v, "--version", NULL);
  g_assert_cmpint (v.status, ==, 0);
  g_assert_true (g_str_has_prefix (v.out, "perturb " PACKAGE_VERSION));

  pb_test_run_cli (&h, "--help", NULL);
  g_assert_cmpint (h.status, ==, 0);
  g_assert_nonnull (strstr (h.out, "project"));

  pb_test_run_cli (&none, NULL);
  g_assert_cmpint (none.status, ==, 2);
  g_assert_nonnull (strstr (none.err, "Usage: perturb COMMAND"));

  pb_test_run_cli (&sub, "project", "new", "--help", NULL);
  g_assert_cmpint (sub.status, ==, 0);
  g_assert_nonnull (strstr (sub.out, "perturb project new"));
}

static void
test_unknown_command_and_option (void)
{
  g_auto(PbTestCliResult) a = { 0 };
  g_auto(PbTestCliResult) b = { 0 };
  g_auto(PbTestCliResult) c = { 0 };

  pb_test_run_cli (&a, "frobnicate", NULL);
  g_assert_cmpint (a.status, ==, 2);
  g_assert_nonnull (strstr (a.err, "unknown command “frobnicate”"));

  pb_test_run_cli (&b, "project", "info", "--bogus", "x", NULL);
  g_assert_cmpint (b.status, ==, 2);
  g_assert_nonnull (strstr (b.err, "--bogus"));

  pb_test_run_cli (&c, "project", "new", NULL);
  g_assert_cmpint (c.status, ==, 2);
  g_assert_nonnull (strstr (c.err, "exactly one FILE"));
}

static void
test_project_new_and_info (void)
{
  g_autofree char *dir = pb_test_mkdtemp ();
  g_autofree char *path = g_build_filename (dir, "p.perturb", NULL);
  g_auto(PbTestCliResult) create = { 0 };
  g_auto(PbTestCliResult) again = { 0 };
  g_auto(PbTestCliResult) info = { 0 };
  g_auto(PbTestCliResult) json = { 0 };

  pb_test_run_cli (&create, "project", "new", path, NULL);
  g_assert_cmpint (create.status, ==, 0);
  g_assert_nonnull (strstr (create.out, "Created"));
  g_assert_true (g_file_test (path, G_FILE_TEST_IS_REGULAR));

  pb_test_run_cli (&again, "project", "new", path, NULL);
  g_assert_cmpint (again.status, ==, 2);
  g_assert_nonnull (strstr (again.err, "already exists"));

  pb_test_run_cli (&info, "project", "info", path, NULL);
  g_assert_cmpint (info.status, ==, 0);
  g_assert_nonnull (strstr (info.out, "Schema version:"));
  g_assert_nonnull (strstr (info.out, "created-by"));
  g_assert_nonnull (strstr (info.out, "metadata"));

  pb_test_run_cli (&json, "project", "info", "--json", path, NULL);
  g_assert_cmpint (json.status, ==, 0);
  g_assert_nonnull (strstr (json.out, "\"schema_version\""));

  pb_test_rmdir (dir);
}

static void
test_project_info_bad_files (void)
{
  g_autofree char *dir = pb_test_mkdtemp ();
  g_autofree char *text = g_build_filename (dir, "notes.txt", NULL);
  g_autofree char *missing = g_build_filename (dir, "missing.perturb", NULL);
  g_auto(PbTestCliResult) a = { 0 };
  g_auto(PbTestCliResult) b = { 0 };

  g_file_set_contents (text, "just some notes\n", -1, NULL);
  pb_test_run_cli (&a, "project", "info", text, NULL);
  g_assert_cmpint (a.status, ==, 2);
  g_assert_nonnull (strstr (a.err, "not a Perturb project"));
  g_assert_cmpstr (a.out, ==, "");

  pb_test_run_cli (&b, "project", "info", missing, NULL);
  g_assert_cmpint (b.status, ==, 2);
  g_assert_nonnull (strstr (b.err, "No project at"));

  pb_test_rmdir (dir);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/pb/cli/version-and-help", test_version_and_help);
  g_test_add_func ("/pb/cli/unknown-command-and-option", test_unknown_command_and_option);
  g_test_add_func ("/pb/cli/project/new-and-info", test_project_new_and_info);
  g_test_add_func ("/pb/cli/project/info-bad-files", test_project_info_bad_files);

  return g_test_run ();
}
