/* test-cli.c — `perturb` exit codes and messages, good and bad invocations.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "pb-test-util.h"

#include <string.h>

typedef struct
{
  int   status;
  char *out;
  char *err;
} CliResult;

static void
cli_result_clear (CliResult *r)
{
  g_free (r->out);
  g_free (r->err);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (CliResult, cli_result_clear)

/* Runs the built `perturb` with the given arguments (NULL-terminated). */
static void
run_cli (CliResult  *r,
         const char *first,
         ...)
{
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  g_autoptr(GError) error = NULL;
  const char *cli = g_getenv ("PERTURB_CLI");
  int wait_status = 0;
  va_list args;

  g_assert_nonnull (cli);
  g_ptr_array_add (argv, (gpointer) cli);
  va_start (args, first);
  for (const char *a = first; a != NULL; a = va_arg (args, const char *))
    g_ptr_array_add (argv, (gpointer) a);
  va_end (args);
  g_ptr_array_add (argv, NULL);

  g_spawn_sync (NULL, (char **) argv->pdata, NULL, G_SPAWN_DEFAULT, NULL, NULL,
                &r->out, &r->err, &wait_status, &error);
  g_assert_no_error (error);
  g_assert_true (WIFEXITED (wait_status));
  r->status = WEXITSTATUS (wait_status);
}

static void
test_version_and_help (void)
{
  g_auto(CliResult) v = { 0 };
  g_auto(CliResult) h = { 0 };
  g_auto(CliResult) none = { 0 };
  g_auto(CliResult) sub = { 0 };

  run_cli (&v, "--version", NULL);
  g_assert_cmpint (v.status, ==, 0);
  g_assert_true (g_str_has_prefix (v.out, "perturb " PACKAGE_VERSION));

  run_cli (&h, "--help", NULL);
  g_assert_cmpint (h.status, ==, 0);
  g_assert_nonnull (strstr (h.out, "project"));

  run_cli (&none, NULL);
  g_assert_cmpint (none.status, ==, 2);
  g_assert_nonnull (strstr (none.err, "Usage: perturb COMMAND"));

  run_cli (&sub, "project", "new", "--help", NULL);
  g_assert_cmpint (sub.status, ==, 0);
  g_assert_nonnull (strstr (sub.out, "perturb project new"));
}

static void
test_unknown_command_and_option (void)
{
  g_auto(CliResult) a = { 0 };
  g_auto(CliResult) b = { 0 };
  g_auto(CliResult) c = { 0 };

  run_cli (&a, "frobnicate", NULL);
  g_assert_cmpint (a.status, ==, 2);
  g_assert_nonnull (strstr (a.err, "unknown command “frobnicate”"));

  run_cli (&b, "project", "info", "--bogus", "x", NULL);
  g_assert_cmpint (b.status, ==, 2);
  g_assert_nonnull (strstr (b.err, "--bogus"));

  run_cli (&c, "project", "new", NULL);
  g_assert_cmpint (c.status, ==, 2);
  g_assert_nonnull (strstr (c.err, "exactly one FILE"));
}

static void
test_project_new_and_info (void)
{
  g_autofree char *dir = pb_test_mkdtemp ();
  g_autofree char *path = g_build_filename (dir, "p.perturb", NULL);
  g_auto(CliResult) create = { 0 };
  g_auto(CliResult) again = { 0 };
  g_auto(CliResult) info = { 0 };
  g_auto(CliResult) json = { 0 };

  run_cli (&create, "project", "new", path, NULL);
  g_assert_cmpint (create.status, ==, 0);
  g_assert_nonnull (strstr (create.out, "Created"));
  g_assert_true (g_file_test (path, G_FILE_TEST_IS_REGULAR));

  run_cli (&again, "project", "new", path, NULL);
  g_assert_cmpint (again.status, ==, 2);
  g_assert_nonnull (strstr (again.err, "already exists"));

  run_cli (&info, "project", "info", path, NULL);
  g_assert_cmpint (info.status, ==, 0);
  g_assert_nonnull (strstr (info.out, "Schema version:"));
  g_assert_nonnull (strstr (info.out, "created-by"));
  g_assert_nonnull (strstr (info.out, "metadata"));

  run_cli (&json, "project", "info", "--json", path, NULL);
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
  g_auto(CliResult) a = { 0 };
  g_auto(CliResult) b = { 0 };

  g_file_set_contents (text, "just some notes\n", -1, NULL);
  run_cli (&a, "project", "info", text, NULL);
  g_assert_cmpint (a.status, ==, 2);
  g_assert_nonnull (strstr (a.err, "not a Perturb project"));
  g_assert_cmpstr (a.out, ==, "");

  run_cli (&b, "project", "info", missing, NULL);
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
