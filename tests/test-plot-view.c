/* test-plot-view.c — PbPlotView draws a figure and exports it like the CLI does.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "pb-plot-view.h"
#include "pb-screenshot.h"

#include "pb-test-util.h"

#include <string.h>

static const double epochs[] = { 1, 2, 3, 4 };
static const double loss[] = { 0.69, 0.52, 0.41, 0.37 };

static PbPlotLineData *
make_line (void)
{
  static PbPlotSeries series;
  PbPlotLineData *data = g_new0 (PbPlotLineData, 1);

  series.label = "fold 1";
  series.x = epochs;
  series.y = loss;
  series.n = G_N_ELEMENTS (epochs);
  data->title = "Training loss";
  data->x_label = "epoch";
  data->y_label = "loss";
  data->series = &series;
  data->n_series = 1;
  return data;
}

static void
test_export (void)
{
  g_autofree char *dir = pb_test_mkdtemp ();
  g_autofree char *png = g_build_filename (dir, "loss.png", NULL);
  g_autofree char *pdf = g_build_filename (dir, "loss.pdf", NULL);
  g_autofree char *csv_path = g_build_filename (dir, "loss.csv", NULL);
  g_autofree char *csv = NULL;
  g_autofree char *pdf_bytes = NULL;
  g_autoptr(GError) error = NULL;
  GtkWidget *view = g_object_ref_sink (pb_plot_view_new ());
  cairo_surface_t *image;

  g_assert_false (pb_plot_view_has_figure (PB_PLOT_VIEW (view)));
  g_assert_false (pb_plot_view_export (PB_PLOT_VIEW (view), png, 89, 55, 300, &error));
  g_assert_error (error, PB_PLOT_ERROR, PB_PLOT_ERROR_INVALID_ARGUMENT);
  g_clear_error (&error);

  pb_plot_view_set_figure (PB_PLOT_VIEW (view), PB_PLOT_KIND_LINE, make_line (), g_free);
  g_assert_true (pb_plot_view_has_figure (PB_PLOT_VIEW (view)));

  /* 89 mm at 300 dpi = 1051 px */
  g_assert_true (pb_plot_view_export (PB_PLOT_VIEW (view), png, 89, 55, 300, &error));
  g_assert_no_error (error);
  image = cairo_image_surface_create_from_png (png);
  g_assert_cmpint (cairo_surface_status (image), ==, CAIRO_STATUS_SUCCESS);
  g_assert_cmpint (cairo_image_surface_get_width (image), ==, 1052);
  cairo_surface_destroy (image);

  g_assert_true (pb_plot_view_export (PB_PLOT_VIEW (view), pdf, 89, 55, 300, &error));
  g_assert_true (g_file_get_contents (pdf, &pdf_bytes, NULL, NULL));
  g_assert_true (g_str_has_prefix (pdf_bytes, "%PDF"));

  g_assert_true (pb_plot_view_export (PB_PLOT_VIEW (view), csv_path, 89, 55, 300, &error));
  g_assert_true (g_file_get_contents (csv_path, &csv, NULL, NULL));
  g_assert_nonnull (strstr (csv, "0.41"));

  pb_plot_view_clear (PB_PLOT_VIEW (view));
  g_assert_false (pb_plot_view_has_figure (PB_PLOT_VIEW (view)));
  g_assert_finalize_object (view);
  pb_test_rmdir (dir);
}

static void
test_draws_in_window (void)
{
  GtkWidget *window = gtk_window_new ();
  GtkWidget *view = pb_plot_view_new ();
  g_autofree char *dir = pb_test_mkdtemp ();
  g_autofree char *png = g_build_filename (dir, "view.png", NULL);
  g_autoptr(GError) error = NULL;
  gint64 deadline = g_get_monotonic_time () + 10 * G_USEC_PER_SEC;
  cairo_surface_t *image;
  guint n_dark = 0;

  pb_plot_view_set_figure (PB_PLOT_VIEW (view), PB_PLOT_KIND_LINE, make_line (), g_free);
  gtk_window_set_child (GTK_WINDOW (window), view);
  gtk_window_set_default_size (GTK_WINDOW (window), 400, 300);
  gtk_window_present (GTK_WINDOW (window));
  while ((!gtk_widget_get_mapped (view) || gtk_widget_get_width (view) == 0) &&
         g_get_monotonic_time () < deadline)
    g_main_context_iteration (NULL, FALSE);

  g_assert_cmpint (gtk_widget_get_width (view), >, 200);

  /* what the view drew: the curve and the axes are dark on a light ground */
  g_assert_true (pb_screenshot_save_png (view, png, &error));
  g_assert_no_error (error);
  image = cairo_image_surface_create_from_png (png);
  for (int y = 0; y < cairo_image_surface_get_height (image); y++)
    for (int x = 0; x < cairo_image_surface_get_width (image); x++)
      {
        const guint8 *p = cairo_image_surface_get_data (image)
                          + y * cairo_image_surface_get_stride (image) + x * 4;
        if (p[3] > 200 && p[0] + p[1] + p[2] < 3 * 128)
          n_dark++;
      }
  cairo_surface_destroy (image);
  g_assert_cmpuint (n_dark, >, 200);

  gtk_window_destroy (GTK_WINDOW (window));
  pb_test_rmdir (dir);
}

int
main (int    argc,
      char **argv)
{
  gtk_test_init (&argc, &argv, NULL);

  g_test_add_func ("/pb/plot-view/export", test_export);
  g_test_add_func ("/pb/plot-view/draws-in-window", test_draws_in_window);

  return g_test_run ();
}
