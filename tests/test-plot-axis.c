/* test-plot-axis.c — nice-number ticks, log ticks, tick labels, colour maps
 * and palettes of src/plot.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "pb-plot-figure.h"
#include "pb-plot-private.h"

#include <math.h>
#include <string.h>

typedef struct
{
  double min, max;
  double lo, hi, step;
} NiceCase;

/* The checked examples of STYLE.md rule 28. */
static void
test_ticks_nice_examples (void)
{
  static const NiceCase cases[] = {
    { 0, 0.83, 0, 1, 0.2 },
    { 0.62, 0.97, 0.6, 1, 0.1 },
    { -3.2, 17.5, -5, 20, 5 },
    { 0, 1234, 0, 1400, 200 },
    { 5, 5, 0, 5, 1 },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      const NiceCase *c = &cases[i];
      PbPlotTicks ticks;

      g_test_message ("[%g, %g]", c->min, c->max);
      g_assert_true (pb_plot_ticks_init_nice (&ticks, c->min, c->max));
      g_assert_false (ticks.log);
      g_assert_cmpfloat_with_epsilon (ticks.lo, c->lo, 1e-12);
      g_assert_cmpfloat_with_epsilon (ticks.hi, c->hi, 1e-12);
      g_assert_cmpfloat_with_epsilon (ticks.step, c->step, 1e-12);
      g_assert_cmpuint (ticks.n_ticks, ==, (guint) lround ((c->hi - c->lo) / c->step) + 1);
      g_assert_cmpuint (ticks.n_ticks, >=, 5);
      g_assert_cmpuint (ticks.n_ticks, <=, 8);
      /* the ticks are exact decimals: 0.6, 0.7, … not 0.7000000000000001 */
      g_assert_cmpfloat (pb_plot_ticks_get_value (&ticks, 1), ==, c->lo + c->step);
      g_assert_cmpfloat (pb_plot_ticks_get_value (&ticks, ticks.n_ticks - 1), ==, c->hi);
    }
}

static void
test_ticks_nice_edge_cases (void)
{
  PbPlotTicks ticks;

  /* both zero: [0, 1] */
  g_assert_true (pb_plot_ticks_init_nice (&ticks, 0, 0));
  g_assert_cmpfloat (ticks.lo, ==, 0);
  g_assert_cmpfloat (ticks.hi, ==, 1);

  /* negative single value: widened to include 0 */
  g_assert_true (pb_plot_ticks_init_nice (&ticks, -2, -2));
  g_assert_cmpfloat (ticks.lo, ==, -2);
  g_assert_cmpfloat (ticks.hi, ==, 0);

  /* swapped bounds are accepted */
  g_assert_true (pb_plot_ticks_init_nice (&ticks, 0.83, 0));
  g_assert_cmpfloat (ticks.hi, ==, 1);

  /* exact multiples stay put: 0.3 / 0.1 is 2.9999999999999996 */
  g_assert_true (pb_plot_ticks_init_nice (&ticks, 0.3, 0.7));
  g_assert_cmpfloat_with_epsilon (ticks.lo, 0.3, 1e-12);
  g_assert_cmpfloat_with_epsilon (ticks.hi, 0.7, 1e-12);

  /* beyond double range or precision: FALSE, never a runaway tick count */
  g_assert_false (pb_plot_ticks_init_nice (&ticks, -1e308, 1e308));
  g_assert_cmpuint (ticks.n_ticks, <=, 8);
  g_assert_false (pb_plot_ticks_init_nice (&ticks, 1, 1 + 1e-15));
  g_assert_cmpuint (ticks.n_ticks, ==, 2);
  g_assert_cmpfloat (ticks.lo, ==, 1);

  /* not finite: FALSE and a usable fallback */
  g_assert_false (pb_plot_ticks_init_nice (&ticks, NAN, 1));
  g_assert_cmpfloat (ticks.lo, ==, 0);
  g_assert_cmpfloat (ticks.hi, ==, 1);
  g_assert_false (pb_plot_ticks_init_nice (&ticks, 0, INFINITY));
}

static void
test_ticks_log (void)
{
  PbPlotTicks ticks;

  g_assert_true (pb_plot_ticks_init_log (&ticks, 0.003, 0.7));
  g_assert_true (ticks.log);
  g_assert_cmpfloat_with_epsilon (ticks.lo, 0.001, 1e-15);
  g_assert_cmpfloat_with_epsilon (ticks.hi, 1, 1e-12);
  g_assert_cmpfloat (ticks.step, ==, 10);
  g_assert_cmpuint (ticks.n_ticks, ==, 4);
  g_assert_cmpfloat_with_epsilon (pb_plot_ticks_get_value (&ticks, 2), 0.1, 1e-15);

  /* exact decades stay: [1, 100] */
  g_assert_true (pb_plot_ticks_init_log (&ticks, 1, 100));
  g_assert_cmpfloat_with_epsilon (ticks.lo, 1, 1e-12);
  g_assert_cmpfloat_with_epsilon (ticks.hi, 100, 1e-9);

  /* 20 decades: every third, at most 8 intervals */
  g_assert_true (pb_plot_ticks_init_log (&ticks, 1e-10, 1e10));
  g_assert_cmpuint (ticks.n_ticks - 1, <=, 8);
  g_assert_cmpfloat (ticks.step, ==, 1000);

  /* nothing positive */
  g_assert_false (pb_plot_ticks_init_log (&ticks, -5, 0));
  g_assert_cmpfloat (ticks.lo, ==, 1);
  g_assert_cmpfloat (ticks.hi, ==, 10);
}

static void
test_format_number (void)
{
  static const struct { double value, step; const char *text; } cases[] = {
    { 0.2, 0.2, "0.2" },
    { 1, 0.2, "1.0" },
    { -5, 5, "−5" },
    { 1400, 200, "1400" },
    { 0, 0.1, "0" },
    { 0.05, 0.05, "0.05" },
    { 2.5e-6, 1e-6, "2.5e-06" },
    { 3e7, 1e7, "3e+07" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *text = pb_plot_format_number (cases[i].value, cases[i].step);

      g_assert_cmpstr (text, ==, cases[i].text);
    }
}

static void
assert_rgb_hex (const PbPlotRgb *rgb,
                guint32          hex)
{
  g_assert_cmpfloat_with_epsilon (rgb->r, (hex >> 16) / 255.0, 1e-9);
  g_assert_cmpfloat_with_epsilon (rgb->g, ((hex >> 8) & 0xff) / 255.0, 1e-9);
  g_assert_cmpfloat_with_epsilon (rgb->b, (hex & 0xff) / 255.0, 1e-9);
}

static void
test_color_map_viridis (void)
{
  PbPlotRgb rgb;
  double last = -1;

  /* matplotlib's first and last entries */
  pb_plot_color_map_eval (PB_PLOT_COLOR_MAP_VIRIDIS, 0, &rgb);
  g_assert_cmpfloat_with_epsilon (rgb.r, 0.267004, 1e-9);
  g_assert_cmpfloat_with_epsilon (rgb.g, 0.004874, 1e-9);
  g_assert_cmpfloat_with_epsilon (rgb.b, 0.329415, 1e-9);
  pb_plot_color_map_eval (PB_PLOT_COLOR_MAP_VIRIDIS, 1, &rgb);
  g_assert_cmpfloat_with_epsilon (rgb.r, 0.993248, 1e-9);
  g_assert_cmpfloat_with_epsilon (rgb.g, 0.906157, 1e-9);
  g_assert_cmpfloat_with_epsilon (rgb.b, 0.143936, 1e-9);

  /* matplotlib's entry 128 (t = 128/255) is a knot */
  pb_plot_color_map_eval (PB_PLOT_COLOR_MAP_VIRIDIS, 128 / 255.0, &rgb);
  g_assert_cmpfloat_with_epsilon (rgb.g, 0.566949, 1e-9);
  /* entry 100 lies between knots: interpolation within 0.002 of the table */
  pb_plot_color_map_eval (PB_PLOT_COLOR_MAP_VIRIDIS, 100 / 255.0, &rgb);
  g_assert_cmpfloat_with_epsilon (rgb.r, 0.166617, 0.002);
  g_assert_cmpfloat_with_epsilon (rgb.g, 0.463708, 0.002);
  g_assert_cmpfloat_with_epsilon (rgb.b, 0.558119, 0.002);

  /* perceptually ordered: lightness rises strictly along the map */
  for (guint i = 0; i <= 512; i++)
    {
      double l;

      pb_plot_color_map_eval (PB_PLOT_COLOR_MAP_VIRIDIS, i / 512.0, &rgb);
      l = pb_plot_rgb_get_lightness (&rgb);
      g_assert_cmpfloat (l, >, last);
      last = l;
    }
  g_assert_cmpfloat (last, >, 85);

  /* clamped outside [0, 1]; NaN counts as 0 */
  pb_plot_color_map_eval (PB_PLOT_COLOR_MAP_VIRIDIS, -3, &rgb);
  g_assert_cmpfloat_with_epsilon (rgb.r, 0.267004, 1e-9);
  pb_plot_color_map_eval (PB_PLOT_COLOR_MAP_VIRIDIS, NAN, &rgb);
  g_assert_cmpfloat_with_epsilon (rgb.r, 0.267004, 1e-9);
  pb_plot_color_map_eval (PB_PLOT_COLOR_MAP_VIRIDIS, 7, &rgb);
  g_assert_cmpfloat_with_epsilon (rgb.r, 0.993248, 1e-9);
}

static void
test_color_map_diverging (void)
{
  PbPlotRgb rgb;
  double last;

  pb_plot_color_map_eval (PB_PLOT_COLOR_MAP_DIVERGING, 0, &rgb);
  assert_rgb_hex (&rgb, 0x053061);   /* dark blue */
  g_assert_cmpfloat (rgb.b, >, rgb.r);
  pb_plot_color_map_eval (PB_PLOT_COLOR_MAP_DIVERGING, 1, &rgb);
  assert_rgb_hex (&rgb, 0x67001F);   /* dark red */
  g_assert_cmpfloat (rgb.r, >, rgb.b);
  pb_plot_color_map_eval (PB_PLOT_COLOR_MAP_DIVERGING, 0.5, &rgb);
  assert_rgb_hex (&rgb, 0xFFFFFF);   /* zero perturbation is white */

  /* lightness rises to the white middle and falls after it, and the two
   * halves are about equally light at equal distances (±6 L*) */
  last = -1;
  for (guint i = 0; i <= 100; i++)
    {
      double l;

      pb_plot_color_map_eval (PB_PLOT_COLOR_MAP_DIVERGING, i / 200.0, &rgb);
      l = pb_plot_rgb_get_lightness (&rgb);
      g_assert_cmpfloat (l, >=, last);
      last = l;
    }
  for (guint i = 101; i <= 200; i++)
    {
      double l;

      pb_plot_color_map_eval (PB_PLOT_COLOR_MAP_DIVERGING, i / 200.0, &rgb);
      l = pb_plot_rgb_get_lightness (&rgb);
      g_assert_cmpfloat (l, <=, last);
      last = l;
    }
  for (guint i = 0; i <= 10; i++)
    {
      PbPlotRgb lo, hi;

      pb_plot_color_map_eval (PB_PLOT_COLOR_MAP_DIVERGING, i / 20.0, &lo);
      pb_plot_color_map_eval (PB_PLOT_COLOR_MAP_DIVERGING, 1 - i / 20.0, &hi);
      g_assert_cmpfloat_with_epsilon (pb_plot_rgb_get_lightness (&lo),
                                      pb_plot_rgb_get_lightness (&hi), 6);
    }
}

static void
test_palette (void)
{
  guint n = 0;
  const PbPlotRgb *colors = pb_plot_palette_okabe_ito (&n);
  PbPlotStyle style;
  PbPlotRgb rgb, custom[2] = { { 1, 0, 0 }, { 0, 1, 0 } };

  g_assert_cmpuint (n, ==, 8);
  assert_rgb_hex (&colors[0], 0x0072B2);   /* blue */
  assert_rgb_hex (&colors[1], 0xD55E00);   /* vermillion */
  for (guint i = 0; i < n; i++)
    for (guint j = i + 1; j < n; j++)
      g_assert_cmpfloat (fabs (colors[i].r - colors[j].r) + fabs (colors[i].g - colors[j].g) +
                         fabs (colors[i].b - colors[j].b), >, 0.2);

  pb_plot_style_init (&style);
  g_assert_cmpfloat (style.font_size, >=, 7);   /* readable at 89 mm */
  pb_plot_style_get_color (&style, 9, &rgb);     /* cycles */
  assert_rgb_hex (&rgb, 0xD55E00);
  style.palette = custom;
  style.n_palette = 2;
  pb_plot_style_get_color (&style, 3, &rgb);
  g_assert_cmpfloat (rgb.g, ==, 1);

  g_assert_cmpfloat_with_epsilon (pb_plot_rgb_get_lightness (&(PbPlotRgb) { 1, 1, 1 }), 100, 1e-6);
  g_assert_cmpfloat_with_epsilon (pb_plot_rgb_get_lightness (&(PbPlotRgb) { 0, 0, 0 }), 0, 1e-9);
}

static void
test_kind_names (void)
{
  g_autoptr(GError) error = NULL;
  PbPlotKind kind;

  for (guint i = 0; i < PB_PLOT_N_KINDS; i++)
    {
      g_assert_true (pb_plot_kind_from_string (pb_plot_kind_to_string (i), &kind, NULL));
      g_assert_cmpint (kind, ==, i);
    }
  g_assert_false (pb_plot_kind_from_string ("pie", &kind, &error));
  g_assert_error (error, PB_PLOT_ERROR, PB_PLOT_ERROR_INVALID_ARGUMENT);
  g_assert_nonnull (strstr (error->message, "pie"));
  g_assert_nonnull (strstr (error->message, "susceptibility"));
  g_assert_null (pb_plot_kind_to_string (99));

  g_assert_cmpfloat_with_epsilon (pb_plot_mm_to_pt (PB_PLOT_WIDTH_SINGLE_COLUMN_MM), 252.283, 1e-3);
  g_assert_cmpfloat_with_epsilon (pb_plot_mm_to_pt (PB_PLOT_WIDTH_DOUBLE_COLUMN_MM), 518.740, 1e-3);
}

static void
assert_count_axis (double        min,
                   double        max,
                   const double *expected,
                   guint         n_expected,
                   const char   *first_label)
{
  PbPlotAxis axis;

  _pb_plot_axis_init (&axis, "Trial");
  _pb_plot_axis_set_counts (&axis, min, max);
  g_assert_cmpfloat (axis.lo, ==, min - 0.5);
  g_assert_cmpfloat (axis.hi, ==, max + 0.5);
  g_assert_cmpuint (axis.positions->len, ==, n_expected);
  for (guint i = 0; i < n_expected; i++)
    g_assert_cmpfloat (g_array_index (axis.positions, double, i), ==, expected[i]);
  g_assert_cmpstr (g_ptr_array_index (axis.labels, 0), ==, first_label);
  _pb_plot_axis_clear (&axis);
}

/* Trial numbers and report steps: whole-number ticks, no point on the frame. */
static void
test_count_axis (void)
{
  static const double two[] = { 0, 1 };
  static const double one[] = { 3 };
  static const double thirty[] = { 0, 10, 20 };
  static const double hundred[] = { 50, 100, 150, 200 };

  assert_count_axis (0, 1, two, G_N_ELEMENTS (two), "0");
  assert_count_axis (3, 3, one, G_N_ELEMENTS (one), "3");
  assert_count_axis (0, 29, thirty, G_N_ELEMENTS (thirty), "0");
  assert_count_axis (20, 200, hundred, G_N_ELEMENTS (hundred), "50");
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/pb/plot/ticks/nice-examples", test_ticks_nice_examples);
  g_test_add_func ("/pb/plot/ticks/nice-edge-cases", test_ticks_nice_edge_cases);
  g_test_add_func ("/pb/plot/ticks/log", test_ticks_log);
  g_test_add_func ("/pb/plot/ticks/count-axis", test_count_axis);
  g_test_add_func ("/pb/plot/ticks/format-number", test_format_number);
  g_test_add_func ("/pb/plot/color-map/viridis", test_color_map_viridis);
  g_test_add_func ("/pb/plot/color-map/diverging", test_color_map_diverging);
  g_test_add_func ("/pb/plot/palette/okabe-ito", test_palette);
  g_test_add_func ("/pb/plot/kind/names-and-sizes", test_kind_names);

  return g_test_run ();
}
