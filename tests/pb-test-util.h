/* pb-test-util.h — small helpers shared by the test programs (header-only).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>
#include <glib/gstdio.h>
#include <unistd.h>

/* A fresh temporary directory, removed with everything in it by pb_test_rmdir(). */
static inline char *
pb_test_mkdtemp (void)
{
  g_autoptr(GError) error = NULL;
  char *dir = g_dir_make_tmp ("perturb-test-XXXXXX", &error);

  g_assert_no_error (error);
  return dir;
}

static inline void
pb_test_rmdir (const char *path)
{
  g_autoptr(GDir) dir = g_dir_open (path, 0, NULL);
  const char *name;

  if (dir == NULL)
    {
      g_unlink (path);
      return;
    }

  while ((name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *child = g_build_filename (path, name, NULL);

      if (g_file_test (child, G_FILE_TEST_IS_DIR) && !g_file_test (child, G_FILE_TEST_IS_SYMLINK))
        pb_test_rmdir (child);
      else
        g_unlink (child);
    }
  g_rmdir (path);
}

/* File permissions do not bind root. Tests of read-only locations call this in a
 * g_test_trap_subprocess() child: as root it becomes `nobody`, so chmod counts. */
static inline void
pb_test_drop_root (void)
{
  if (geteuid () == 0)
    {
      g_assert_cmpint (setgid (65534), ==, 0);
      g_assert_cmpint (setuid (65534), ==, 0);
    }
}
