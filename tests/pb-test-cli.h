/* pb-test-cli.h — run the built `perturb` ($PERTURB_CLI) from a test and keep
 * its exit status, stdout and stderr (header-only).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>
#include <stdarg.h>
#include <sys/wait.h>

typedef struct
{
  int   status;   /* the exit status */
  char *out;
  char *err;
} PbTestCliResult;

static inline void
pb_test_cli_result_clear (PbTestCliResult *r)
{
  g_clear_pointer (&r->out, g_free);
  g_clear_pointer (&r->err, g_free);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (PbTestCliResult, pb_test_cli_result_clear)

/* Runs `$PERTURB_CLI first args…` (@args ends with NULL) to the end; stores its
 * output in @out and @err and returns its exit status. */
static inline int
pb_test_cli_spawn_va (char       **out,
                      char       **err,
                      const char  *first,
                      va_list      args)
{
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  g_autoptr(GError) error = NULL;
  const char *cli = g_getenv ("PERTURB_CLI");
  int wait_status = 0;

  g_assert_nonnull (cli);
  g_ptr_array_add (argv, (gpointer) cli);
  for (const char *a = first; a != NULL; a = va_arg (args, const char *))
    g_ptr_array_add (argv, (gpointer) a);
  g_ptr_array_add (argv, NULL);

  g_spawn_sync (NULL, (char **) argv->pdata, NULL, G_SPAWN_DEFAULT, NULL, NULL,
                out, err, &wait_status, &error);
  g_assert_no_error (error);
  g_assert_true (WIFEXITED (wait_status));
  return WEXITSTATUS (wait_status);
}

/* Runs `$PERTURB_CLI first …` (NULL-terminated) into @r, which may hold an
 * earlier result; a failing run's stderr goes to the test log. */
static inline void
pb_test_run_cli (PbTestCliResult *r,
                 const char      *first,
                 ...)
{
  va_list args;

  pb_test_cli_result_clear (r);
  va_start (args, first);
  r->status = pb_test_cli_spawn_va (&r->out, &r->err, first, args);
  va_end (args);
  if (r->status != 0)
    g_test_message ("perturb exited %d: %s", r->status, r->err);
}

/* The same, for tests that keep output in their own strings: returns the
 * exit status. */
static inline int
pb_test_cli_spawn (char       **out,
                   char       **err,
                   const char  *first,
                   ...)
{
  va_list args;
  int status;

  va_start (args, first);
  status = pb_test_cli_spawn_va (out, err, first, args);
  va_end (args);
  return status;
}
