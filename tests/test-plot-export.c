/* test-plot-export.c — every figure into PNG, SVG and PDF: sizes, content,
 * heat-map colours at cell centres, the same text layout on every surface,
 * and `perturb figure demo`.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "pb-test-plot.h"
#include "pb-test-util.h"

#include "pb-plot-demo.h"
#include "pb-plot-private.h"

#include <cairo-pdf.h>
#include <cairo-svg.h>

#include <math.h>
#include <string.h>
#include <sys/wait.h>

#define WIDTH_MM  89.0
#define HEIGHT_MM 60.0

typedef struct
{
  char *dir;
} Fixture;

static void
fixture_setup (Fixture       *f,
               gconstpointer  data)
{
  f->dir = pb_test_mkdtemp ();
}

static void
fixture_tear (Fixture       *f,
              gconstpointer  data)
{
  pb_test_rmdir (f->dir);
  g_free (f->dir);
}

static void
pixel_rgb (cairo_surface_t *image,
           int              x,
           int              y,
           int              rgb[3])
{
  int stride = cairo_image_surface_get_stride (image);
  guint32 p = ((const guint32 *) (cairo_image_surface_get_data (image) + (gsize) y * stride))[x];

  rgb[0] = (p >> 16) & 0xff;
  rgb[1] = (p >> 8) & 0xff;
  rgb[2] = p & 0xff;
}

static void
assert_pixel_is (cairo_surface_t *image,
                 double           x,
                 double           y,
                 const PbPlotRgb *expected)
{
  int rgb[3];

  pixel_rgb (image, (int) floor (x), (int) floor (y), rgb);
  g_test_message ("pixel (%.1f, %.1f) = %d %d %d, expected %.1f %.1f %.1f", x, y,
                  rgb[0], rgb[1], rgb[2],
                  expected->r * 255, expected->g * 255, expected->b * 255);
  /* ±2: 8-bit rounding of the cell image and of the compositing */
  g_assert_cmpfloat (fabs (rgb[0] - expected->r * 255), <=, 2);
  g_assert_cmpfloat (fabs (rgb[1] - expected->g * 255), <=, 2);
  g_assert_cmpfloat (fabs (rgb[2] - expected->b * 255), <=, 2);
}

/* Every demo figure to PNG (size × dpi, not blank), SVG and PDF. */
static void
test_export_every_kind (Fixture       *f,
                        gconstpointer  unused)
{
  double w = pb_plot_mm_to_pt (WIDTH_MM), h = pb_plot_mm_to_pt (HEIGHT_MM);

  for (guint k = 0; k < PB_PLOT_N_KINDS; k++)
    {
      g_autoptr(PbPlotDemo) demo = pb_plot_demo_new (k);
      const PbPlotFigure *figure = pb_plot_demo_get_figure (demo);
      const char *name = pb_plot_kind_to_string (k);
      g_autofree char *png = g_strdup_printf ("%s/%s.png", f->dir, name);
      g_autofree char *svg = g_strdup_printf ("%s/%s.svg", f->dir, name);
      g_autofree char *pdf = g_strdup_printf ("%s/%s.pdf", f->dir, name);
      g_autoptr(GError) error = NULL;
      cairo_surface_t *image;
      int iw, ih;
      guint n_ink, n_colors;
      double dpi = 150;

      g_test_message ("%s", name);
      g_assert_true (pb_plot_figure_export (figure, PB_PLOT_FORMAT_PNG, png, w, h, dpi, &error));
      g_assert_no_error (error);
      image = cairo_image_surface_create_from_png (png);
      g_assert_cmpint (cairo_surface_status (image), ==, CAIRO_STATUS_SUCCESS);
      iw = cairo_image_surface_get_width (image);
      ih = cairo_image_surface_get_height (image);
      g_assert_cmpint (iw, ==, (int) ceil (WIDTH_MM / 25.4 * dpi));    /* 526 */
      g_assert_cmpint (ih, ==, (int) ceil (HEIGHT_MM / 25.4 * dpi));   /* 355 */

      /* the middle of the figure (the plot area) has data in colour */
      pb_test_count_pixels (image, iw / 5, ih / 5, iw * 4 / 5, ih * 4 / 5, &n_ink, &n_colors);
      g_test_message ("%s: %u ink pixels, %u colours", name, n_ink, n_colors);
      g_assert_cmpuint (n_ink, >, (guint) (iw * ih / 100));
      g_assert_cmpuint (n_colors, >=, 4);
      /* and a white margin at the very corner */
      {
        int rgb[3];

        pixel_rgb (image, 0, ih - 1, rgb);
        g_assert_cmpint (rgb[0] + rgb[1] + rgb[2], ==, 3 * 255);
      }
      cairo_surface_destroy (image);

      g_assert_true (pb_plot_figure_export (figure, PB_PLOT_FORMAT_SVG, svg, w, h, dpi, &error));
      g_assert_no_error (error);
      pb_test_check_svg (svg, w, h);
      if (k == PB_PLOT_KIND_HEATMAP || k == PB_PLOT_KIND_HEATMAP_TRIPLE ||
          k == PB_PLOT_KIND_SUSCEPTIBILITY)
        {
          g_autofree char *text = NULL;

          /* cells are vector rectangles: an embedded image would be smoothed */
          g_assert_true (g_file_get_contents (svg, &text, NULL, NULL));
          g_assert_null (strstr (text, "<image"));
        }

      g_assert_true (pb_plot_figure_export (figure, PB_PLOT_FORMAT_PDF, pdf, w, h, dpi, &error));
      g_assert_no_error (error);
      pb_test_check_pdf (pdf, w, h);
    }
}

/* A journal double column at 300 dpi: 183 mm → 2162 px. */
static void
test_export_png_size_dpi (Fixture       *f,
                          gconstpointer  unused)
{
  g_autoptr(PbPlotDemo) demo = pb_plot_demo_new (PB_PLOT_KIND_BARS);
  g_autofree char *png = g_build_filename (f->dir, "double.png", NULL);
  g_autoptr(GError) error = NULL;
  cairo_surface_t *image;

  g_assert_true (pb_plot_figure_export (pb_plot_demo_get_figure (demo), PB_PLOT_FORMAT_PNG, png,
                                        pb_plot_mm_to_pt (PB_PLOT_WIDTH_DOUBLE_COLUMN_MM),
                                        pb_plot_mm_to_pt (40), 300, &error));
  g_assert_no_error (error);
  image = cairo_image_surface_create_from_png (png);
  g_assert_cmpint (cairo_image_surface_get_width (image), ==, 2162);
  g_assert_cmpint (cairo_image_surface_get_height (image), ==, 473);
  cairo_surface_destroy (image);
}

/* A known matrix: each cell centre has the colour map's colour for its value. */
static void
test_heatmap_cell_colors (Fixture       *f,
                          gconstpointer  unused)
{
  static const double values[3 * 4] = {
    0.0, 0.25, 0.5, 0.75,
    1.0, NAN,  0.1, 0.9,
    0.3, 0.6,  0.2, 0.45,
  };
  static const char * const rows[3] = { "a", "b", "c" };
  PbPlotHeatmapData data = {
    .title = "Known",
    .matrix = { .values = values, .n_rows = 3, .n_cols = 4, .row_labels = rows },
    .color_map = PB_PLOT_COLOR_MAP_VIRIDIS,
  };
  PbPlotFigure figure = { PB_PLOT_KIND_HEATMAP, &data, NULL };
  g_autofree char *png = g_build_filename (f->dir, "known.png", NULL);
  g_autoptr(GError) error = NULL;
  double w = 300, h = 200, dpi = 144, lo, hi;
  cairo_surface_t *image;

  g_assert_true (pb_plot_heatmap_get_range (&data, &lo, &hi));
  g_assert_cmpfloat (lo, ==, 0);
  g_assert_cmpfloat (hi, ==, 1);

  g_assert_true (pb_plot_figure_export (&figure, PB_PLOT_FORMAT_PNG, png, w, h, dpi, &error));
  g_assert_no_error (error);
  image = cairo_image_surface_create_from_png (png);

  for (guint r = 0; r < 3; r++)
    for (guint c = 0; c < 4; c++)
      {
        double v = values[r * 4 + c], x, y;
        PbPlotRgb expected, reported;
        guint hr, hc;

        g_assert_true (pb_plot_heatmap_get_cell_center (&data, NULL, w, h, r, c, &x, &y));
        g_assert_true (pb_plot_heatmap_hit_test (&data, NULL, w, h, x, y, &hr, &hc));
        g_assert_cmpuint (hr, ==, r);
        g_assert_cmpuint (hc, ==, c);

        if (isnan (v))
          {
            expected = (PbPlotRgb) { 1, 1, 1 };   /* blank: background */
            g_assert_false (pb_plot_heatmap_get_cell_color (&data, r, c, &reported));
          }
        else
          {
            pb_plot_color_map_eval (PB_PLOT_COLOR_MAP_VIRIDIS, v, &expected);   /* range 0…1 */
            g_assert_true (pb_plot_heatmap_get_cell_color (&data, r, c, &reported));
            g_assert_cmpfloat_with_epsilon (reported.g, expected.g, 1e-12);
          }
        assert_pixel_is (image, x * dpi / 72, y * dpi / 72, &expected);
      }
  cairo_surface_destroy (image);

  {
    guint hr, hc;

    g_assert_false (pb_plot_heatmap_hit_test (&data, NULL, w, h, 1, 1, &hr, &hc));
  }
}

/* Signed values: symmetric limits, zero is white, the sign picks the hue. */
static void
test_heatmap_diverging (Fixture       *f,
                        gconstpointer  unused)
{
  /* (T, F) storage as the engine keeps perturbations: 2 hours × 3 features */
  static const double values[2 * 3] = { -0.2, 0.0, 0.1, 0.05, 0.0, -0.1 };
  PbPlotHeatmapData data = {
    .matrix = { .values = values, .n_rows = 3, .n_cols = 2, .transposed = TRUE },
    .color_map = PB_PLOT_COLOR_MAP_DIVERGING,
  };
  double lo, hi, x, y;
  cairo_surface_t *surface = cairo_image_surface_create (CAIRO_FORMAT_ARGB32, 240, 160);
  cairo_t *cr = cairo_create (surface);
  g_autoptr(GError) error = NULL;
  PbPlotRgb expected;

  g_assert_true (pb_plot_heatmap_get_range (&data, &lo, &hi));
  g_assert_cmpfloat (lo, ==, -0.2);
  g_assert_cmpfloat (hi, ==, 0.2);
  g_assert_cmpfloat (pb_plot_matrix_get (&data.matrix, 2, 0), ==, 0.1);   /* feature 2, hour 0 */
  g_assert_cmpfloat (pb_plot_matrix_get (&data.matrix, 0, 1), ==, 0.05);

  g_assert_true (pb_plot_heatmap_draw (cr, 240, 160, &data, NULL, &error));
  g_assert_no_error (error);
  cairo_surface_flush (surface);

  /* zero: white */
  g_assert_true (pb_plot_heatmap_get_cell_center (&data, NULL, 240, 160, 1, 0, &x, &y));
  assert_pixel_is (surface, x, y, &(PbPlotRgb) { 1, 1, 1 });
  /* −0.2: the blue end */
  g_assert_true (pb_plot_heatmap_get_cell_center (&data, NULL, 240, 160, 0, 0, &x, &y));
  pb_plot_color_map_eval (PB_PLOT_COLOR_MAP_DIVERGING, 0, &expected);
  assert_pixel_is (surface, x, y, &expected);
  /* +0.1: three quarters up, reddish */
  g_assert_true (pb_plot_heatmap_get_cell_center (&data, NULL, 240, 160, 2, 0, &x, &y));
  pb_plot_color_map_eval (PB_PLOT_COLOR_MAP_DIVERGING, 0.75, &expected);
  assert_pixel_is (surface, x, y, &expected);
  g_assert_cmpfloat (expected.r, >, expected.b);

  cairo_destroy (cr);
  cairo_surface_destroy (surface);
}

/* Three panels: hover finds the panel and cell, and each cell shows its
 * panel's colour scale (shared viridis for values, diverging for Δ). */
static void
test_heatmap_triple_panels (Fixture       *f,
                            gconstpointer  unused)
{
  static const double original[2 * 3] = { 0, 0.5, 1, 0.25, 0.75, 0.5 };
  static const double perturbation[2 * 3] = { 0, 0.2, 0, -0.25, 0, 0 };
  static const double perturbed[2 * 3] = { 0, 0.7, 1, 0, 0.75, 0.5 };
  const double *values[3] = { original, perturbation, perturbed };
  PbPlotHeatmapTripleData data = {
    .original = original, .perturbation = perturbation, .perturbed = perturbed,
    .n_rows = 2, .n_cols = 3, .x_label = "Hour",
  };
  cairo_surface_t *surface = cairo_image_surface_create (CAIRO_FORMAT_ARGB32, 300, 400);
  cairo_t *cr = cairo_create (surface);
  g_autoptr(GError) error = NULL;
  guint seen[3] = { 0 };

  g_assert_true (pb_plot_heatmap_triple_draw (cr, 300, 400, &data, NULL, &error));
  g_assert_no_error (error);
  cairo_surface_flush (surface);

  /* a coarse grid: each hit test lays the figure out again (Pango) */
  for (double y = 0.5; y < 400; y += 15)
    for (double x = 0.5; x < 300; x += 15)
      {
        guint panel, row, col, p2, r2, c2;
        PbPlotRgb expected;
        double v;

        if (!pb_plot_heatmap_triple_hit_test (&data, NULL, 300, 400, x, y, &panel, &row, &col))
          continue;
        g_assert_cmpuint (panel, <, 3);
        g_assert_cmpuint (row, <, 2);
        g_assert_cmpuint (col, <, 3);
        /* stay clear of cell borders and the frame */
        if (!pb_plot_heatmap_triple_hit_test (&data, NULL, 300, 400, x - 1.5, y - 1.5, &p2, &r2, &c2) ||
            p2 != panel || r2 != row || c2 != col ||
            !pb_plot_heatmap_triple_hit_test (&data, NULL, 300, 400, x + 1.5, y + 1.5, &p2, &r2, &c2) ||
            p2 != panel || r2 != row || c2 != col)
          continue;

        v = values[panel][row * 3 + col];
        if (panel == 1)
          pb_plot_color_map_eval (PB_PLOT_COLOR_MAP_DIVERGING, (v + 0.25) / 0.5, &expected);
        else
          pb_plot_color_map_eval (PB_PLOT_COLOR_MAP_VIRIDIS, v, &expected);
        {
          int rgb[3];

          pixel_rgb (surface, (int) x, (int) y, rgb);
          g_assert_cmpfloat (fabs (rgb[0] - expected.r * 255), <=, 2);
          g_assert_cmpfloat (fabs (rgb[1] - expected.g * 255), <=, 2);
          g_assert_cmpfloat (fabs (rgb[2] - expected.b * 255), <=, 2);
        }
        seen[panel]++;
      }
  g_test_message ("checked %u, %u, %u points", seen[0], seen[1], seen[2]);
  g_assert_cmpuint (seen[0], >, 25);
  g_assert_cmpuint (seen[1], >, 25);
  g_assert_cmpuint (seen[2], >, 25);

  cairo_destroy (cr);
  cairo_surface_destroy (surface);
}

/* Text measures the same on image (300 dpi), PDF and SVG surfaces. */
static void
test_text_same_on_every_surface (Fixture       *f,
                                 gconstpointer  unused)
{
  g_autofree char *pdf = g_build_filename (f->dir, "t.pdf", NULL);
  g_autofree char *svg = g_build_filename (f->dir, "t.svg", NULL);
  cairo_surface_t *surfaces[3] = {
    cairo_image_surface_create (CAIRO_FORMAT_ARGB32, 10, 10),
    cairo_pdf_surface_create (pdf, 100, 100),
    cairo_svg_surface_create (svg, 100, 100),
  };
  PbPlotStyle style;
  double widths[3];

  pb_plot_style_init (&style);
  style.font_size = 9;
  for (guint i = 0; i < 3; i++)
    {
      cairo_t *cr = cairo_create (surfaces[i]);
      PangoLayout *layout;

      if (i == 0)
        cairo_scale (cr, 300 / 72.0, 300 / 72.0);
      layout = _pb_plot_text_new (cr, &style, 1.0, FALSE, "Validation loss 0.345");
      _pb_plot_text_size (layout, &widths[i], NULL);
      g_object_unref (layout);
      cairo_destroy (cr);
      cairo_surface_destroy (surfaces[i]);
    }
  g_test_message ("widths %.3f %.3f %.3f", widths[0], widths[1], widths[2]);
  g_assert_cmpfloat (widths[0], >, 40);
  g_assert_cmpfloat_with_epsilon (widths[0], widths[1], 0.01);
  g_assert_cmpfloat_with_epsilon (widths[1], widths[2], 0.01);
}

/* Drawing a figure on a larger canvas draws it larger, tick labels never
 * overlap at the smallest journal size (checked by the axis code), and the
 * transparent style leaves the corner unpainted. */
static void
test_transparent_style (Fixture       *f,
                        gconstpointer  unused)
{
  g_autoptr(PbPlotDemo) demo = pb_plot_demo_new (PB_PLOT_KIND_LINE);
  PbPlotFigure figure = *pb_plot_demo_get_figure (demo);
  cairo_surface_t *surface = cairo_image_surface_create (CAIRO_FORMAT_ARGB32, 300, 200);
  cairo_t *cr = cairo_create (surface);
  PbPlotStyle style;

  pb_plot_style_init (&style);
  style.transparent = TRUE;
  figure.style = &style;
  g_assert_true (pb_plot_figure_draw (&figure, cr, 300, 200, NULL));
  cairo_surface_flush (surface);
  g_assert_cmpuint (((guint32 *) cairo_image_surface_get_data (surface))[0], ==, 0);
  cairo_destroy (cr);
  cairo_surface_destroy (surface);
}

typedef struct
{
  int   status;
  char *out;
  char *err;
} CliResult;

static void
run_cli (CliResult   *r,
         const char **args)
{
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  g_autoptr(GError) error = NULL;
  const char *cli = g_getenv ("PERTURB_CLI");
  int wait_status = 0;

  if (cli == NULL)
    {
      g_test_skip ("PERTURB_CLI is not set");
      r->status = -1;
      return;
    }
  g_ptr_array_add (argv, (gpointer) cli);
  for (guint i = 0; args[i] != NULL; i++)
    g_ptr_array_add (argv, (gpointer) args[i]);
  g_ptr_array_add (argv, NULL);
  g_assert_true (g_spawn_sync (NULL, (char **) argv->pdata, NULL, G_SPAWN_DEFAULT, NULL, NULL,
                               &r->out, &r->err, &wait_status, &error));
  g_assert_no_error (error);
  g_assert_true (WIFEXITED (wait_status));
  r->status = WEXITSTATUS (wait_status);
}

static void
cli_result_clear (CliResult *r)
{
  g_free (r->out);
  g_free (r->err);
}

static void
test_cli_demo (Fixture       *f,
               gconstpointer  unused)
{
  static const char *kinds[] = { "line", "susceptibility" };
  static const char *suffixes[] = { "png", "pdf" };
  g_autofree char *csv = g_build_filename (f->dir, "line.csv", NULL);
  g_autofree char *bad = g_build_filename (f->dir, "x.jpg", NULL);
  g_autofree char *png = g_build_filename (f->dir, "x.png", NULL);
  CliResult r = { 0 };

  for (guint i = 0; i < G_N_ELEMENTS (kinds); i++)
    {
      g_autofree char *out = g_strdup_printf ("%s/%s.%s", f->dir, kinds[i], suffixes[i]);
      const char *args[] = { "figure", "demo", "--kind", kinds[i], "--out", out,
                             "--width-mm", "89", "--height-mm", "50", "--dpi", "100",
                             "--csv", csv, NULL };

      run_cli (&r, args);
      if (r.status == -1)
        return;
      g_assert_cmpint (r.status, ==, 0);
      g_assert_nonnull (strstr (r.out, "Wrote"));
      g_assert_true (g_file_test (out, G_FILE_TEST_IS_REGULAR));
      if (g_str_equal (suffixes[i], "png"))
        {
          cairo_surface_t *image = cairo_image_surface_create_from_png (out);
          g_autofree char *text = NULL;

          g_assert_cmpint (cairo_image_surface_get_width (image), ==, 351);   /* 89 mm at 100 dpi */
          g_assert_cmpint (cairo_image_surface_get_height (image), ==, 197);
          cairo_surface_destroy (image);
          g_assert_true (g_file_get_contents (csv, &text, NULL, NULL));
          g_assert_true (g_str_has_prefix (text, "series,x,y\nFold 0 train,1,"));
        }
      cli_result_clear (&r);
    }

  {
    const char *args[] = { "figure", "demo", "--kind", "pie", "--out", png, NULL };

    run_cli (&r, args);
    g_assert_cmpint (r.status, ==, 2);
    g_assert_nonnull (strstr (r.err, "Unknown figure kind “pie”"));
    cli_result_clear (&r);
  }
  {
    const char *args[] = { "figure", "demo", "--kind", "line", "--out", bad, NULL };

    run_cli (&r, args);
    g_assert_cmpint (r.status, ==, 2);
    g_assert_nonnull (strstr (r.err, "cannot tell the format"));
    g_assert_false (g_file_test (bad, G_FILE_TEST_EXISTS));
    cli_result_clear (&r);
  }
  {
    const char *args[] = { "figure", "demo", "--kind", "line", "--out", png, "--width-mm", "-5", NULL };

    run_cli (&r, args);
    g_assert_cmpint (r.status, ==, 2);
    g_assert_nonnull (strstr (r.err, "--width-mm must be positive"));
    cli_result_clear (&r);
  }
  {
    const char *args[] = { "figure", "demo", "--kind", "line", "--out",
                           "/nonexistent-perturb-dir/x.pdf", NULL };

    run_cli (&r, args);
    g_assert_cmpint (r.status, ==, 1);
    g_assert_nonnull (strstr (r.err, "Cannot write figure"));
    cli_result_clear (&r);
  }
  {
    const char *args[] = { "figure", "demo", "--kind", "line", "--out", png, "--dpi", "5", NULL };

    run_cli (&r, args);
    g_assert_cmpint (r.status, ==, 2);
    g_assert_nonnull (strstr (r.err, "dpi"));
    cli_result_clear (&r);
  }
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add ("/pb/plot/export/every-kind", Fixture, NULL, fixture_setup,
              test_export_every_kind, fixture_tear);
  g_test_add ("/pb/plot/export/png-size-dpi", Fixture, NULL, fixture_setup,
              test_export_png_size_dpi, fixture_tear);
  g_test_add ("/pb/plot/heatmap/cell-colors", Fixture, NULL, fixture_setup,
              test_heatmap_cell_colors, fixture_tear);
  g_test_add ("/pb/plot/heatmap/diverging-symmetric", Fixture, NULL, fixture_setup,
              test_heatmap_diverging, fixture_tear);
  g_test_add ("/pb/plot/heatmap/triple-panels", Fixture, NULL, fixture_setup,
              test_heatmap_triple_panels, fixture_tear);
  g_test_add ("/pb/plot/text/same-on-every-surface", Fixture, NULL, fixture_setup,
              test_text_same_on_every_surface, fixture_tear);
  g_test_add ("/pb/plot/style/transparent", Fixture, NULL, fixture_setup,
              test_transparent_style, fixture_tear);
  g_test_add ("/pb/plot/cli/demo", Fixture, NULL, fixture_setup,
              test_cli_demo, fixture_tear);

  return g_test_run ();
}
