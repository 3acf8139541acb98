/* pb-test-gui.h — run the real workbench and capture its window (header-only).
 *
 * pb_test_gui_screenshot() starts `perturb-workbench --screenshot FILE [--page P]
 * [PROJECT]` on the test's display, waits for it, and checks that the window was
 * mapped (the PNG exists) and is not blank. Page tests of later issues reuse it.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <cairo.h>
#include <glib/gstdio.h>
#include <sys/wait.h>
#include <glib.h>
#include <string.h>

typedef struct
{
  int    status;      /* exit status of the app */
  char  *png;         /* the screenshot (in the build directory) */
  char  *output;      /* what the app printed, stdout then stderr */
  int    width;
  int    height;
  guint  n_colours;   /* distinct colours in a sample of pixels */
  double dark_share;  /* fraction of sampled pixels clearly darker than the background */
} PbTestShot;

static inline void
pb_test_shot_clear (PbTestShot *shot)
{
  g_free (shot->png);
  g_free (shot->output);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (PbTestShot, pb_test_shot_clear)

static inline void
pb_test_measure_png (PbTestShot *shot)
{
  cairo_surface_t *image = cairo_image_surface_create_from_png (shot->png);
  g_autoptr(GHashTable) colours = g_hash_table_new (NULL, NULL);
  guint n_dark = 0, n_sampled = 0;
  const guint8 *data;
  int stride;

  g_assert_cmpint (cairo_surface_status (image), ==, CAIRO_STATUS_SUCCESS);
  shot->width = cairo_image_surface_get_width (image);
  shot->height = cairo_image_surface_get_height (image);
  cairo_surface_flush (image);
  data = cairo_image_surface_get_data (image);
  stride = cairo_image_surface_get_stride (image);

  for (int y = 0; y < shot->height; y += 3)
    for (int x = 0; x < shot->width; x += 3)
      {
        guint32 px;
        guint lum;

        memcpy (&px, data + y * stride + x * 4, 4);
        g_hash_table_add (colours, GUINT_TO_POINTER (px & 0xffffff));
        lum = ((px >> 16) & 0xff) + ((px >> 8) & 0xff) + (px & 0xff);
        if (lum < 3 * 160)
          n_dark++;
        n_sampled++;
      }

  shot->n_colours = g_hash_table_size (colours);
  shot->dark_share = n_sampled > 0 ? (double) n_dark / n_sampled : 0;
  cairo_surface_destroy (image);
}

/* name: file stem of the screenshot; page and project may be NULL. */
static inline void
pb_test_gui_screenshot (PbTestShot *shot,
                        const char *name,
                        const char *page,
                        const char *project)
{
  g_autoptr(GPtrArray) argv = g_ptr_array_new_with_free_func (g_free);
  g_auto(GStrv) envp = g_get_environ ();
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_build_filename (g_getenv ("G_TEST_BUILDDIR"), "screenshots", NULL);
  g_autofree char *file = g_strconcat (name, ".png", NULL);
  const char *app = g_getenv ("PERTURB_WORKBENCH");
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  int wait_status = 0;

  g_assert_nonnull (app);
  g_mkdir_with_parents (dir, 0755);
  shot->png = g_build_filename (dir, file, NULL);
  g_unlink (shot->png);

  g_ptr_array_add (argv, g_strdup (app));
  g_ptr_array_add (argv, g_strdup_printf ("--screenshot=%s", shot->png));
  if (page != NULL)
    g_ptr_array_add (argv, g_strdup_printf ("--page=%s", page));
  if (project != NULL)
    g_ptr_array_add (argv, g_strdup (project));
  g_ptr_array_add (argv, NULL);

  /* GTK's own allocations are not ours to chase under LeakSanitizer */
  envp = g_environ_setenv (envp, "ASAN_OPTIONS", "detect_leaks=0", TRUE);
  envp = g_environ_setenv (envp, "G_DEBUG", "fatal-criticals", TRUE);
  envp = g_environ_setenv (envp, "G_MESSAGES_DEBUG", "perturb-app", TRUE);

  g_spawn_sync (NULL, (char **) argv->pdata, envp, G_SPAWN_DEFAULT, NULL, NULL,
                &out, &err, &wait_status, &error);
  g_assert_no_error (error);
  shot->output = g_strconcat (out, err, NULL);
  g_assert_true (WIFEXITED (wait_status));
  shot->status = WEXITSTATUS (wait_status);
  if (shot->status != 0)
    g_printerr ("# app output:\n%s\n", shot->output);
  g_assert_cmpint (shot->status, ==, 0);
  g_assert_true (g_file_test (shot->png, G_FILE_TEST_IS_REGULAR));

  pb_test_measure_png (shot);
  g_test_message ("screenshot %s: %d×%d, %u colours, %.1f%% dark", shot->png,
                  shot->width, shot->height, shot->n_colours, 100 * shot->dark_share);

  /* a mapped window of its default size, with something drawn in it */
  g_assert_cmpint (shot->width, >=, 360);
  g_assert_cmpint (shot->height, >=, 294);
  g_assert_cmpuint (shot->n_colours, >=, 16);
  g_assert_cmpfloat (shot->dark_share, >, 0.002);
}

/* pb_test_gui_screenshot() of a page that must open as it is: the app found
 * the page and showed no toast. */
static inline void
pb_test_gui_screenshot_page (PbTestShot *shot,
                             const char *name,
                             const char *page,
                             const char *project)
{
  pb_test_gui_screenshot (shot, name, page, project);
  g_assert_null (strstr (shot->output, "toast:"));
  g_assert_null (strstr (shot->output, "no page named"));
}
