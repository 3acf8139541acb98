/* test-plot-data.c — figure data: exact CSV of every kind, bad input gives a
 * GError (never a crash), the line plot's hover hit test.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "pb-test-util.h"

#include "pb-plot-demo.h"

#include <math.h>
#include <string.h>

static const double epochs[3] = { 1, 2, 3 };
static const double loss_a[3] = { 0.5, 0.25, 0.125 };
static const double loss_b[3] = { 0.1, NAN, 1e-20 };

static void
test_csv_line (void)
{
  PbPlotSeries series[2] = {
    { .label = "train", .x = epochs, .y = loss_a, .n = 3, .color = -1 },
    { .label = "fold \"1\", valid", .y = loss_b, .n = 3, .color = -1 },
  };
  PbPlotLineData data = { .series = series, .n_series = 2 };
  g_autofree char *csv = pb_plot_line_to_csv (&data, NULL);

  g_assert_cmpstr (csv, ==,
                   "series,x,y\n"
                   "train,1,0.5\n"
                   "train,2,0.25\n"
                   "train,3,0.125\n"
                   "\"fold \"\"1\"\", valid\",1,0.1\n"
                   "\"fold \"\"1\"\", valid\",2,\n"
                   "\"fold \"\"1\"\", valid\",3,1e-20\n");
}

static void
test_csv_numbers_round_trip (void)
{
  static const double y[3] = { 0.1, 1.0 / 3.0, -2.5e300 };
  PbPlotSeries series = { .label = "s", .y = y, .n = 3, .color = -1 };
  PbPlotLineData data = { .series = &series, .n_series = 1 };
  g_autofree char *csv = pb_plot_line_to_csv (&data, NULL);
  g_auto(GStrv) lines = g_strsplit (csv, "\n", -1);

  g_assert_cmpstr (lines[1], ==, "s,1,0.1");                  /* %.15g when exact */
  g_assert_cmpstr (lines[2], ==, "s,2,0.33333333333333331");  /* %.17g otherwise */
  g_assert_cmpfloat (g_ascii_strtod (lines[2] + 4, NULL), ==, 1.0 / 3.0);
  g_assert_cmpstr (lines[3], ==, "s,3,-2.5e+300");
}

static void
test_csv_heatmaps (void)
{
  static const double m[2 * 3] = { 0, 0.5, NAN, 1, 2, 3 };
  static const double p[2 * 3] = { 0, 0.1, 0, -0.5, 0, 0 };
  static const double q[2 * 3] = { 0, 0.6, NAN, 0.5, 2, 3 };
  static const char * const rows[2] = { "ph", "spo2" };
  PbPlotHeatmapData heat = { .matrix = { .values = m, .n_rows = 2, .n_cols = 3, .row_labels = rows } };
  PbPlotSusceptibilityData sus = { .matrix = heat.matrix };
  PbPlotHeatmapTripleData triple = {
    .original = m, .perturbation = p, .perturbed = q, .n_rows = 3, .n_cols = 2, .transposed = TRUE,
  };
  g_autofree char *a = pb_plot_heatmap_to_csv (&heat, NULL);
  g_autofree char *b = NULL;
  g_autofree char *c = NULL;
  double row_sums[2], col_means[3];

  g_assert_cmpstr (a, ==,
                   "row,0,1,2\n"
                   "ph,0,0.5,\n"
                   "spo2,1,2,3\n");

  b = pb_plot_susceptibility_to_csv (&sus, NULL);
  g_assert_cmpstr (b, ==,
                   "row,0,1,2,sum\n"
                   "ph,0,0.5,,0.5\n"
                   "spo2,1,2,3,6\n"
                   "sum,1,2.5,3,\n");
  sus.marginal = PB_PLOT_MARGINAL_MEAN;
  g_assert_true (pb_plot_susceptibility_get_marginals (&sus, row_sums, col_means));
  g_assert_cmpfloat (row_sums[0], ==, 0.25);   /* the NaN cell is left out */
  g_assert_cmpfloat (row_sums[1], ==, 2);
  g_assert_cmpfloat (col_means[1], ==, 1.25);
  g_assert_cmpfloat (col_means[2], ==, 3);

  /* (T, F) storage: 2 hours × 3 features; rows are features */
  c = pb_plot_heatmap_triple_to_csv (&triple, NULL);
  g_assert_cmpstr (c, ==,
                   "row,column,original,perturbation,perturbed\n"
                   "0,0,0,0,0\n"
                   "0,1,1,-0.5,0.5\n"
                   "1,0,0.5,0.1,0.6\n"
                   "1,1,2,0,2\n"
                   "2,0,,0,\n"
                   "2,1,3,0,3\n");
}

static const char * const choices[2] = { "Adam", "SGD" };
static const PbPlotParam params[2] = {
  { .name = "lr", .log = TRUE },
  { .name = "optimizer", .choices = choices, .n_choices = 2 },
};
static const double p0[2] = { 0.01, 0 };
static const double p1[2] = { 0.001, 1 };
static const double p2[2] = { 0.1, 0 };
static const double iv0[3] = { 0.9, 0.7, 0.5 };
static const double iv1[2] = { 0.95, 0.9 };
static const double iv2[3] = { 0.8, 0.6, 0.4 };

static void
study_data (PbPlotStudyData *data,
            PbPlotTrial      trials[3])
{
  /* out of order on purpose: plots sort by trial number */
  trials[0] = (PbPlotTrial) { .number = 2, .state = PB_PLOT_TRIAL_COMPLETE, .value = 0.4,
                              .params = p2, .intermediate = iv2, .n_intermediate = 3 };
  trials[1] = (PbPlotTrial) { .number = 0, .state = PB_PLOT_TRIAL_COMPLETE, .value = 0.5,
                              .params = p0, .intermediate = iv0, .n_intermediate = 3 };
  trials[2] = (PbPlotTrial) { .number = 1, .state = PB_PLOT_TRIAL_PRUNED, .value = NAN,
                              .params = p1, .intermediate = iv1, .n_intermediate = 2 };
  *data = (PbPlotStudyData) { .params = params, .n_params = 2, .trials = trials, .n_trials = 3 };
}

static void
test_csv_study (void)
{
  PbPlotTrial trials[3];
  PbPlotStudyData data;
  g_autofree char *history = NULL;
  g_autofree char *intermediate = NULL;
  g_autofree char *slice = NULL;
  PbPlotFigure figure = { PB_PLOT_KIND_PARALLEL, &data, NULL };
  g_autofree char *parallel = NULL;

  study_data (&data, trials);
  history = pb_plot_history_to_csv (&data, NULL);
  g_assert_cmpstr (history, ==,
                   "trial,state,value,best\n"
                   "0,COMPLETE,0.5,0.5\n"
                   "1,PRUNED,,0.5\n"
                   "2,COMPLETE,0.4,0.4\n");

  data.maximize = TRUE;
  g_clear_pointer (&history, g_free);
  history = pb_plot_history_to_csv (&data, NULL);
  g_assert_nonnull (strstr (history, "2,COMPLETE,0.4,0.5\n"));
  data.maximize = FALSE;

  intermediate = pb_plot_intermediate_to_csv (&data, NULL);
  g_assert_cmpstr (intermediate, ==,
                   "trial,state,step,value\n"
                   "2,COMPLETE,0,0.8\n"
                   "2,COMPLETE,1,0.6\n"
                   "2,COMPLETE,2,0.4\n"
                   "0,COMPLETE,0,0.9\n"
                   "0,COMPLETE,1,0.7\n"
                   "0,COMPLETE,2,0.5\n"
                   "1,PRUNED,0,0.95\n"
                   "1,PRUNED,1,0.9\n");

  slice = pb_plot_params_to_csv (&data, NULL);
  g_assert_cmpstr (slice, ==,
                   "trial,state,value,lr,optimizer\n"
                   "2,COMPLETE,0.4,0.1,Adam\n"
                   "0,COMPLETE,0.5,0.01,Adam\n"
                   "1,PRUNED,,0.001,SGD\n");
  parallel = pb_plot_figure_to_csv (&figure, NULL);
  g_assert_cmpstr (parallel, ==, slice);
}

static void
test_csv_histogram_and_bars (void)
{
  static const double v[7] = { 0, 0.5, 1, 1.5, 2, NAN, 9 };
  static const double w[2] = { 2, 2 };
  PbPlotSample samples[2] = { { .label = "first", .values = v, .n = 7 }, { .values = w, .n = 2 } };
  PbPlotHistogramData hist = { .samples = samples, .n_samples = 2, .n_bins = 4,
                               .range_fixed = TRUE, .lo = 0, .hi = 2 };
  static const char * const cats[2] = { "0 → 1", "1 → 0" };
  static const double rate[2] = { 0.9, 0.75 };
  static const double err[2] = { 0.01, 0.02 };
  PbPlotBarGroup groups[1] = { { .label = "success", .values = rate, .errors = err } };
  PbPlotBarData bars = { .categories = cats, .n_categories = 2, .groups = groups, .n_groups = 1 };
  g_autofree char *h = pb_plot_histogram_to_csv (&hist, NULL);
  g_autofree char *b = pb_plot_bars_to_csv (&bars, NULL);
  guint counts[4];
  double lo, hi;

  /* numpy.histogram: half-open bins, the last one closed; 9 is outside */
  g_assert_cmpstr (h, ==,
                   "bin_lo,bin_hi,first,count_1\n"
                   "0,0.5,1,0\n"
                   "0.5,1,1,0\n"
                   "1,1.5,1,0\n"
                   "1.5,2,2,2\n");

  /* automatic range: min … max of the finite values */
  hist.range_fixed = FALSE;
  g_assert_true (pb_plot_histogram_count (&hist, 0, counts, &lo, &hi));
  g_assert_cmpfloat (lo, ==, 0);
  g_assert_cmpfloat (hi, ==, 9);
  g_assert_cmpuint (counts[0], ==, 5);
  g_assert_cmpuint (counts[3], ==, 1);
  g_assert_false (pb_plot_histogram_count (&hist, 2, counts, NULL, NULL));

  g_assert_cmpstr (b, ==,
                   "category,success,success_error\n"
                   "0 → 1,0.9,0.01\n"
                   "1 → 0,0.75,0.02\n");
}

static void
test_csv_write_file (void)
{
  g_autoptr(PbPlotDemo) demo = pb_plot_demo_new (PB_PLOT_KIND_SUSCEPTIBILITY);
  const PbPlotFigure *figure = pb_plot_demo_get_figure (demo);
  g_autofree char *dir = pb_test_mkdtemp ();
  g_autofree char *path = g_build_filename (dir, "s.csv", NULL);
  g_autofree char *text = NULL;
  g_autofree char *expected = NULL;
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) lines = NULL;

  g_assert_true (pb_plot_figure_write_csv (figure, path, &error));
  g_assert_no_error (error);
  g_assert_true (g_file_get_contents (path, &text, NULL, NULL));
  expected = pb_plot_figure_to_csv (figure, NULL);
  g_assert_cmpstr (text, ==, expected);
  lines = g_strsplit (text, "\n", -1);
  g_assert_cmpuint (g_strv_length (lines), ==, 1 + 19 + 1 + 1);   /* header, rows, sums, "" */
  g_assert_true (g_str_has_prefix (lines[1], "potassium,"));
  g_assert_true (g_str_has_prefix (lines[20], "sum,"));

  g_assert_false (pb_plot_figure_write_csv (figure, "/nonexistent-perturb-dir/s.csv", &error));
  g_assert_error (error, PB_PLOT_ERROR, PB_PLOT_ERROR_WRITE);
  g_assert_nonnull (strstr (error->message, "/nonexistent-perturb-dir/s.csv"));

  pb_test_rmdir (dir);
}

/* Data that cannot be drawn: a GError naming the problem, nothing written,
 * and the draw function still leaves a message rather than crashing. */
static void
assert_bad_figure (PbPlotKind   kind,
                   gconstpointer data,
                   const char  *dir,
                   const char  *message_part)
{
  PbPlotFigure figure = { kind, data, NULL };
  g_autofree char *path = g_build_filename (dir, "bad.png", NULL);
  g_autoptr(GError) error = NULL;
  cairo_surface_t *surface = cairo_image_surface_create (CAIRO_FORMAT_ARGB32, 100, 80);
  cairo_t *cr = cairo_create (surface);

  g_test_message ("%s: expecting “%s”", pb_plot_kind_to_string (kind), message_part);
  g_assert_false (pb_plot_figure_export (&figure, PB_PLOT_FORMAT_PNG, path, 200, 100, 72, &error));
  g_assert_error (error, PB_PLOT_ERROR, PB_PLOT_ERROR_INVALID_ARGUMENT);
  g_assert_nonnull (strstr (error->message, message_part));
  g_assert_false (g_file_test (path, G_FILE_TEST_EXISTS));
  g_clear_error (&error);

  g_assert_false (pb_plot_figure_draw (&figure, cr, 100, 80, &error));
  g_assert_error (error, PB_PLOT_ERROR, PB_PLOT_ERROR_INVALID_ARGUMENT);
  g_clear_error (&error);
  g_assert_null (pb_plot_figure_to_csv (&figure, &error));
  g_assert_error (error, PB_PLOT_ERROR, PB_PLOT_ERROR_INVALID_ARGUMENT);

  cairo_destroy (cr);
  cairo_surface_destroy (surface);
}

static void
test_bad_input (void)
{
  g_autofree char *dir = pb_test_mkdtemp ();
  static const double nans[3] = { NAN, NAN, NAN };
  static const double negative[2] = { -1, 0 };
  static const double one = 1;
  PbPlotSeries nan_series = { .label = "x", .y = nans, .n = 3, .color = -1 };
  PbPlotLineData nan_line = { .series = &nan_series, .n_series = 1 };
  PbPlotSeries neg_series = { .y = negative, .n = 2, .color = -1 };
  PbPlotLineData log_line = { .series = &neg_series, .n_series = 1, .log_y = TRUE };
  PbPlotLineData no_series = { 0 };
  PbPlotHeatmapData empty_heat = { .matrix = { .values = &one, .n_rows = 0, .n_cols = 48 } };
  PbPlotHeatmapData null_heat = { .matrix = { .values = NULL, .n_rows = 2, .n_cols = 2 } };
  PbPlotHeatmapData bad_range = { .matrix = { .values = &one, .n_rows = 1, .n_cols = 1 },
                                  .range_fixed = TRUE, .v_min = 1, .v_max = 0 };
  PbPlotHeatmapTripleData triple = { .original = &one, .perturbation = NULL, .perturbed = &one,
                                     .n_rows = 1, .n_cols = 1 };
  PbPlotSusceptibilityData sus = { .matrix = { .values = &one, .n_rows = 1, .n_cols = 0 } };
  PbPlotTrial pruned = { .number = 0, .state = PB_PLOT_TRIAL_PRUNED, .value = NAN };
  PbPlotStudyData no_complete = { .trials = &pruned, .n_trials = 1 };
  PbPlotTrial complete = { .number = 0, .state = PB_PLOT_TRIAL_COMPLETE, .value = 1 };
  PbPlotStudyData no_params = { .trials = &complete, .n_trials = 1 };
  PbPlotSample sample = { .values = nans, .n = 3 };
  PbPlotHistogramData hist_nan = { .samples = &sample, .n_samples = 1, .n_bins = 10 };
  PbPlotHistogramData hist_bins = { .samples = &sample, .n_samples = 1, .n_bins = 0 };
  PbPlotBarData no_groups = { .categories = choices, .n_categories = 2 };

  assert_bad_figure (PB_PLOT_KIND_LINE, &nan_line, dir, "no finite values");
  assert_bad_figure (PB_PLOT_KIND_LINE, &log_line, dir, "positive");
  assert_bad_figure (PB_PLOT_KIND_LINE, &no_series, dir, "no series");
  assert_bad_figure (PB_PLOT_KIND_LINE, NULL, dir, "no series");
  assert_bad_figure (PB_PLOT_KIND_HEATMAP, &empty_heat, dir, "empty (0 × 48)");
  assert_bad_figure (PB_PLOT_KIND_HEATMAP, &null_heat, dir, "empty");
  assert_bad_figure (PB_PLOT_KIND_HEATMAP, &bad_range, dir, "colour range");
  assert_bad_figure (PB_PLOT_KIND_HEATMAP_TRIPLE, &triple, dir, "perturbation: ");
  assert_bad_figure (PB_PLOT_KIND_SUSCEPTIBILITY, &sus, dir, "empty (1 × 0)");
  assert_bad_figure (PB_PLOT_KIND_HISTORY, &no_complete, dir, "no complete trial");
  assert_bad_figure (PB_PLOT_KIND_INTERMEDIATE, &no_complete, dir, "no intermediate values");
  assert_bad_figure (PB_PLOT_KIND_SLICE, &no_params, dir, "no parameters");
  assert_bad_figure (PB_PLOT_KIND_PARALLEL, &no_params, dir, "no parameters");
  assert_bad_figure (PB_PLOT_KIND_HISTOGRAM, &hist_nan, dir, "no finite values");
  assert_bad_figure (PB_PLOT_KIND_HISTOGRAM, &hist_bins, dir, "bins");
  assert_bad_figure (PB_PLOT_KIND_BARS, &no_groups, dir, "no categories or no groups");

  pb_test_rmdir (dir);
}

static void
test_bad_export (void)
{
  g_autoptr(PbPlotDemo) demo = pb_plot_demo_new (PB_PLOT_KIND_LINE);
  const PbPlotFigure *figure = pb_plot_demo_get_figure (demo);
  PbPlotFigure unknown = { 42, figure->data, NULL };
  g_autofree char *dir = pb_test_mkdtemp ();
  g_autofree char *path = g_build_filename (dir, "f.png", NULL);
  g_autoptr(GError) error = NULL;
  PbPlotFormat format;
  cairo_surface_t *surface = cairo_image_surface_create (CAIRO_FORMAT_ARGB32, 10, 10);
  cairo_t *cr = cairo_create (surface);

  /* negative and zero sizes */
  g_assert_false (pb_plot_figure_export (figure, PB_PLOT_FORMAT_PNG, path, -10, 100, 72, &error));
  g_assert_error (error, PB_PLOT_ERROR, PB_PLOT_ERROR_INVALID_ARGUMENT);
  g_clear_error (&error);
  g_assert_false (pb_plot_figure_export (figure, PB_PLOT_FORMAT_SVG, path, 100, 0, 72, &error));
  g_assert_error (error, PB_PLOT_ERROR, PB_PLOT_ERROR_INVALID_ARGUMENT);
  g_clear_error (&error);
  g_assert_false (pb_plot_figure_draw (figure, cr, -1, 50, &error));
  g_assert_error (error, PB_PLOT_ERROR, PB_PLOT_ERROR_INVALID_ARGUMENT);
  g_clear_error (&error);
  g_assert_false (pb_plot_figure_draw (figure, cr, NAN, 50, &error));
  g_assert_error (error, PB_PLOT_ERROR, PB_PLOT_ERROR_INVALID_ARGUMENT);
  g_clear_error (&error);
  g_assert_false (g_file_test (path, G_FILE_TEST_EXISTS));

  /* unknown format, by name and by value; unknown kind */
  g_assert_false (pb_plot_format_from_string ("jpeg", &format, &error));
  g_assert_error (error, PB_PLOT_ERROR, PB_PLOT_ERROR_INVALID_ARGUMENT);
  g_assert_nonnull (strstr (error->message, "jpeg"));
  g_clear_error (&error);
  g_assert_false (pb_plot_figure_export (figure, 7, path, 100, 100, 72, &error));
  g_assert_error (error, PB_PLOT_ERROR, PB_PLOT_ERROR_INVALID_ARGUMENT);
  g_clear_error (&error);
  g_assert_false (pb_plot_figure_export (&unknown, PB_PLOT_FORMAT_PNG, path, 100, 100, 72, &error));
  g_assert_error (error, PB_PLOT_ERROR, PB_PLOT_ERROR_INVALID_ARGUMENT);
  g_clear_error (&error);
  g_assert_false (pb_plot_figure_draw (&unknown, cr, 100, 100, &error));
  g_assert_error (error, PB_PLOT_ERROR, PB_PLOT_ERROR_INVALID_ARGUMENT);
  g_clear_error (&error);

  /* unwritable paths, every format */
  for (PbPlotFormat f = PB_PLOT_FORMAT_PNG; f <= PB_PLOT_FORMAT_PDF; f++)
    {
      g_assert_false (pb_plot_figure_export (figure, f, "/nonexistent-perturb-dir/f.x",
                                             100, 100, 72, &error));
      g_assert_error (error, PB_PLOT_ERROR, PB_PLOT_ERROR_WRITE);
      g_assert_nonnull (strstr (error->message, "/nonexistent-perturb-dir/f.x"));
      g_clear_error (&error);
    }

  cairo_destroy (cr);
  cairo_surface_destroy (surface);
  pb_test_rmdir (dir);
}

static void
test_line_hit_test (void)
{
  PbPlotSeries series[2] = {
    { .label = "a", .x = epochs, .y = loss_a, .n = 3, .color = -1 },
    { .label = "b", .x = epochs, .y = loss_b, .n = 3, .color = -1 },
  };
  PbPlotLineData data = { .x_label = "Epoch", .series = series, .n_series = 2 };
  PbPlotHit hit, again = { 0 };

  /* far corner of the plot: nothing within 2 units */
  g_assert_false (pb_plot_line_hit_test (&data, NULL, 400, 300, 399, 1, 2, &hit));

  /* nearest points from a coarse grid of pointer positions: every drawn
   * point turns up, the NaN point of series b never does */
  {
    gboolean seen[2][3] = { { FALSE } };

    for (double x = 0; x < 400; x += 25)
      for (double y = 0; y < 300; y += 25)
        {
          g_assert_true (pb_plot_line_hit_test (&data, NULL, 400, 300, x, y, 1000, &hit));
          g_assert_cmpuint (hit.series, <, 2);
          g_assert_cmpuint (hit.index, <, 3);
          g_assert_cmpfloat (hit.x, ==, epochs[hit.index]);
          g_assert_cmpfloat (hit.y, ==, (hit.series == 0 ? loss_a : loss_b)[hit.index]);
          seen[hit.series][hit.index] = TRUE;
          if (hit.series == 0 && hit.index == 1)
            again = hit;
        }
    g_assert_true (seen[0][0] && seen[0][1] && seen[0][2]);
    g_assert_false (seen[1][1]);
  }

  /* (2, 0.25) again from 3 units away, and not from 5 with a radius of 4 */
  g_assert_true (pb_plot_line_hit_test (&data, NULL, 400, 300, again.device_x + 3,
                                        again.device_y, 3.5, &hit));
  g_assert_cmpuint (hit.series, ==, 0);
  g_assert_cmpuint (hit.index, ==, 1);
  g_assert_false (pb_plot_line_hit_test (&data, NULL, 400, 300, again.device_x,
                                         again.device_y + 5, 4, &hit));
  /* x = 2 lies inside the 0…3 axis, away from its ends */
  g_assert_cmpfloat (again.device_x, >, 100);
  g_assert_cmpfloat (again.device_x, <, 300);

  /* bad data or size: no hit, no crash */
  series[0].n = 0;
  series[1].y = NULL;
  series[1].n = 0;
  g_assert_false (pb_plot_line_hit_test (&data, NULL, 400, 300, 10, 10, 100, &hit));
  g_assert_false (pb_plot_line_hit_test (NULL, NULL, 400, 300, 10, 10, 100, &hit));
}

/* LogNorm as the reference's probability maps: cells ≤ 0 blank, colours
 * evenly spaced in log10. */
static void
test_heatmap_log_scale (void)
{
  static const double v[4] = { 0, 0.01, 0.1, 1 };
  PbPlotHeatmapData data = {
    .matrix = { .values = v, .n_rows = 1, .n_cols = 4 },
    .color_map = PB_PLOT_COLOR_MAP_VIRIDIS,
    .log_scale = TRUE,
  };
  PbPlotRgb rgb, expected;
  double lo, hi;

  g_assert_true (pb_plot_heatmap_get_range (&data, &lo, &hi));
  g_assert_cmpfloat (lo, ==, 0.01);
  g_assert_cmpfloat (hi, ==, 1);
  g_assert_false (pb_plot_heatmap_get_cell_color (&data, 0, 0, &rgb));
  g_assert_true (pb_plot_heatmap_get_cell_color (&data, 0, 2, &rgb));
  pb_plot_color_map_eval (PB_PLOT_COLOR_MAP_VIRIDIS, 0.5, &expected);
  g_assert_cmpfloat_with_epsilon (rgb.r, expected.r, 1e-9);
  g_assert_cmpfloat_with_epsilon (rgb.g, expected.g, 1e-9);
  g_assert_true (pb_plot_heatmap_get_cell_color (&data, 0, 3, &rgb));
  pb_plot_color_map_eval (PB_PLOT_COLOR_MAP_VIRIDIS, 1, &expected);
  g_assert_cmpfloat_with_epsilon (rgb.b, expected.b, 1e-9);

  /* fixed limits clamp: 1 above a 0.001…0.1 range gets the top colour */
  data.range_fixed = TRUE;
  data.v_min = 0.001;
  data.v_max = 0.1;
  g_assert_true (pb_plot_heatmap_get_cell_color (&data, 0, 3, &rgb));
  g_assert_cmpfloat_with_epsilon (rgb.b, expected.b, 1e-9);
  g_assert_false (pb_plot_heatmap_get_cell_color (&data, 5, 0, &rgb));
}

/* Extreme but finite values draw (clipped), without hanging or crashing. */
static void
test_extreme_values (void)
{
  static const double y[4] = { 1e308, -1e308, 1e-300, INFINITY };
  static const double tiny[3] = { 1, 1 + 1e-15, 1 };
  static const double big[4] = { 1e308, 1e308, -1e308, 5 };
  PbPlotSeries series[2] = { { .y = y, .n = 4, .color = -1 }, { .y = tiny, .n = 3, .color = -1 } };
  PbPlotLineData line = { .series = series, .n_series = 2 };
  PbPlotHeatmapData heat = { .matrix = { .values = big, .n_rows = 2, .n_cols = 2 },
                             .color_map = PB_PLOT_COLOR_MAP_DIVERGING };
  cairo_surface_t *surface = cairo_image_surface_create (CAIRO_FORMAT_ARGB32, 200, 150);
  cairo_t *cr = cairo_create (surface);

  g_assert_true (pb_plot_line_draw (cr, 200, 150, &line, NULL, NULL));
  line.n_series = 1;
  line.log_y = TRUE;
  g_assert_true (pb_plot_line_draw (cr, 200, 150, &line, NULL, NULL));
  line.series = &series[1];
  line.log_y = FALSE;
  g_assert_true (pb_plot_line_draw (cr, 200, 150, &line, NULL, NULL));
  g_assert_true (pb_plot_heatmap_draw (cr, 200, 150, &heat, NULL, NULL));
  g_assert_true (pb_plot_line_draw (cr, 1e-3, 1e-3, &line, NULL, NULL));
  g_assert_true (pb_plot_heatmap_draw (cr, 5000, 3, &heat, NULL, NULL));

  cairo_destroy (cr);
  cairo_surface_destroy (surface);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/pb/plot/csv/line", test_csv_line);
  g_test_add_func ("/pb/plot/csv/numbers-round-trip", test_csv_numbers_round_trip);
  g_test_add_func ("/pb/plot/csv/heatmaps", test_csv_heatmaps);
  g_test_add_func ("/pb/plot/csv/study", test_csv_study);
  g_test_add_func ("/pb/plot/csv/histogram-and-bars", test_csv_histogram_and_bars);
  g_test_add_func ("/pb/plot/csv/write-file", test_csv_write_file);
  g_test_add_func ("/pb/plot/bad-input/data", test_bad_input);
  g_test_add_func ("/pb/plot/bad-input/export", test_bad_export);
  g_test_add_func ("/pb/plot/line/hit-test", test_line_hit_test);
  g_test_add_func ("/pb/plot/heatmap/log-scale", test_heatmap_log_scale);
  g_test_add_func ("/pb/plot/bad-input/extreme-values", test_extreme_values);

  return g_test_run ();
}
