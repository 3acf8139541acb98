/* test-format.c — stored UTC times shown in local time, to the minute; text
 * that is not a time passes through.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "pb-format.h"

static void
check (const char *stored,
       const char *expected)
{
  g_autofree char *shown = pb_format_timestamp (stored);

  g_assert_cmpstr (shown, ==, expected);
}

static void
test_timestamp (void)
{
  g_setenv ("TZ", "UTC", TRUE);
  check ("2026-11-23T14:57:31.830Z", "2026-11-23 14:57");
  check ("2026-12-31T23:59:59Z", "2026-12-31 23:59");

  /* one hour east (a POSIX rule, so no tzdata is needed): across the new year */
  g_setenv ("TZ", "CET-1", TRUE);
  check ("2026-12-31T23:30:00.000Z", "2027-01-01 00:30");

  check ("not a time", "not a time");
  check ("", "");
  check (NULL, "");
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/pb/format/timestamp", test_timestamp);

  return g_test_run ();
}
