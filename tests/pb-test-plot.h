/* pb-test-plot.h — checks of exported figures shared by the plot and figure
 * tests (header-only): ink and colours in a region of an image, an SVG that
 * parses with the right size, a PDF with the right page that renders back
 * (pdftoppm) to something not blank.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <cairo.h>
#include <glib.h>
#include <glib/gstdio.h>
#include <math.h>
#include <string.h>

/* Pixels that are not (almost) white, and distinct colours, in a region. */
static inline void
pb_test_count_pixels (cairo_surface_t *image,
                      int              x0,
                      int              y0,
                      int              x1,
                      int              y1,
                      guint           *n_ink,
                      guint           *n_colors)
{
  g_autoptr(GHashTable) colors = g_hash_table_new (g_direct_hash, g_direct_equal);
  int stride = cairo_image_surface_get_stride (image);
  const unsigned char *data = cairo_image_surface_get_data (image);

  *n_ink = 0;
  for (int y = y0; y < y1; y++)
    for (int x = x0; x < x1; x++)
      {
        guint32 p = ((const guint32 *) (data + (gsize) y * stride))[x];

        if ((p & 0xffffff) != 0xffffff &&
            ((p >> 16) & 0xff) + ((p >> 8) & 0xff) + (p & 0xff) < 3 * 245)
          (*n_ink)++;
        g_hash_table_add (colors, GUINT_TO_POINTER (p));
      }
  *n_colors = g_hash_table_size (colors);
}

/* The @n numbers after @key in @text, e.g. a PDF MediaBox. */
static inline gboolean
pb_test_find_numbers (const char *text,
                      gsize       len,
                      const char *key,
                      double     *numbers,
                      guint       n)
{
  const char *p = memmem (text, len, key, strlen (key));   /* PDFs hold NUL bytes */

  if (p == NULL)
    return FALSE;
  p += strlen (key);
  for (guint i = 0; i < n; i++)
    {
      char *end;

      while (*p == ' ' || *p == '[' || *p == '"')
        p++;
      numbers[i] = g_ascii_strtod (p, &end);
      if (end == p)
        return FALSE;
      p = end;
    }
  return TRUE;
}

typedef struct
{
  double   width, height;
  gboolean saw_svg;
  guint    n_elements;
} PbTestSvgInfo;

static inline void
pb_test_svg_start (GMarkupParseContext  *context,
                   const char           *name,
                   const char          **attr_names,
                   const char          **attr_values,
                   gpointer              user_data,
                   GError              **error)
{
  PbTestSvgInfo *info = user_data;

  info->n_elements++;
  if (!g_str_equal (name, "svg") || info->saw_svg)
    return;
  info->saw_svg = TRUE;
  for (guint i = 0; attr_names[i] != NULL; i++)
    {
      if (g_str_equal (attr_names[i], "width"))
        info->width = g_ascii_strtod (attr_values[i], NULL);
      else if (g_str_equal (attr_names[i], "height"))
        info->height = g_ascii_strtod (attr_values[i], NULL);
    }
}

/* @path is well-formed XML with an <svg> of @width_pt × @height_pt and content. */
static inline void
pb_test_check_svg (const char *path,
                   double      width_pt,
                   double      height_pt)
{
  static const GMarkupParser parser = { pb_test_svg_start, NULL, NULL, NULL, NULL };
  g_autofree char *text = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GMarkupParseContext) context = NULL;
  PbTestSvgInfo info = { 0 };
  gsize len;

  g_assert_true (g_file_get_contents (path, &text, &len, &error));
  g_assert_no_error (error);
  context = g_markup_parse_context_new (&parser, 0, &info, NULL);
  g_assert_true (g_markup_parse_context_parse (context, text, len, &error));
  g_assert_no_error (error);
  g_assert_true (g_markup_parse_context_end_parse (context, &error));
  g_assert_no_error (error);
  g_assert_true (info.saw_svg);
  g_assert_cmpuint (info.n_elements, >, 20);
  g_assert_cmpfloat_with_epsilon (info.width, width_pt, 0.01);
  g_assert_cmpfloat_with_epsilon (info.height, height_pt, 0.01);
}

/* @path is a PDF whose page is @width_pt wide (and @height_pt high, when > 0);
 * rendered back with pdftoppm (when installed) it is that wide and not blank. */
static inline void
pb_test_check_pdf (const char *path,
                   double      width_pt,
                   double      height_pt)
{
  g_autofree char *text = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *pdftoppm = g_find_program_in_path ("pdftoppm");
  double box[4];
  gsize len;

  g_assert_true (g_file_get_contents (path, &text, &len, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (len, >, 500);
  g_assert_true (g_str_has_prefix (text, "%PDF-"));
  g_assert_true (pb_test_find_numbers (text, len, "/MediaBox", box, 4));
  g_assert_cmpfloat (box[0], ==, 0);
  g_assert_cmpfloat (box[1], ==, 0);
  g_assert_cmpfloat_with_epsilon (box[2], width_pt, 0.01);
  if (height_pt > 0)
    g_assert_cmpfloat_with_epsilon (box[3], height_pt, 0.01);

  if (pdftoppm != NULL)
    {
      g_autofree char *prefix = g_strconcat (path, "-back", NULL);
      g_autofree char *png = g_strconcat (prefix, ".png", NULL);
      const char *argv[] = { pdftoppm, "-png", "-r", "72", "-singlefile", path, prefix, NULL };
      cairo_surface_t *image;
      int status = 0;
      guint n_ink, n_colors;

      g_assert_true (g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_STDERR_TO_DEV_NULL,
                                   NULL, NULL, NULL, NULL, &status, &error));
      g_assert_no_error (error);
      g_assert_cmpint (status, ==, 0);
      image = cairo_image_surface_create_from_png (png);
      g_assert_cmpint (cairo_surface_status (image), ==, CAIRO_STATUS_SUCCESS);
      /* pdftoppm rounds the page size up or to nearest, depending on version */
      g_assert_cmpfloat (fabs (cairo_image_surface_get_width (image) - width_pt), <=, 1);
      pb_test_count_pixels (image, 0, 0, cairo_image_surface_get_width (image),
                            cairo_image_surface_get_height (image), &n_ink, &n_colors);
      g_assert_cmpuint (n_ink, >, 500);
      g_assert_cmpuint (n_colors, >, 3);
      cairo_surface_destroy (image);
      g_unlink (png);
    }
  else
    g_test_message ("pdftoppm not found: %s checked without rendering it back", path);
}
