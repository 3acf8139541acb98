/* pb-plot-axis.c — tick positions and tick labels.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "pb-plot-axis.h"

#include <math.h>

/* Values closer than this (relative to the step) to a multiple of the step
 * count as on it: 0.3 / 0.1 is 2.9999999999999996. */
#define TICK_EPSILON 1e-9

/**
 * pb_plot_ticks_init_nice:
 * @ticks: (out caller-allocates): the ticks
 * @min: smallest value to cover
 * @max: largest value to cover
 *
 * "Nice numbers" (GOffice `map_linear_auto_bound`, STYLE rule 28): a step of
 * 1, 2 or 5 × 10^k giving 5–8 ticks whose range covers [@min, @max]. A
 * degenerate range is first widened to include 0 ([0, 1] when both are 0).
 *
 * Returns: %FALSE when the range is not finite or below double precision
 *   (then @ticks is a usable fallback: 0…1, or just @min…@max).
 */
gboolean
pb_plot_ticks_init_nice (PbPlotTicks *ticks,
                         double       min,
                         double       max)
{
  double range, step;

  g_return_val_if_fail (ticks != NULL, FALSE);

  if (!isfinite (min) || !isfinite (max))
    {
      *ticks = (PbPlotTicks) { 0.0, 1.0, 0.2, 6, FALSE };
      return FALSE;
    }

  if (min > max)
    {
      double tmp = min;
      min = max;
      max = tmp;
    }

  if (max == min)
    {
      if (min == 0)
        max = 1;
      else if (min > 0)
        min = 0;
      else
        max = 0;
    }

  range = max - min;
  if (!isfinite (range) || range < fabs (max) * 1e-12)
    {
      /* beyond double range, or below its precision: nothing nice to say */
      *ticks = (PbPlotTicks) { 0.0, 1.0, 0.2, 6, FALSE };
      if (isfinite (range) && min > -1e300 && max < 1e300)
        {
          ticks->lo = min;
          ticks->hi = max > min ? max : min + 1;
          ticks->step = ticks->hi - ticks->lo;
          ticks->n_ticks = 2;
        }
      return FALSE;
    }
  step = pow (10, floor (log10 (range)));
  if (range / step < 1.6)
    step /= 5;
  else if (range / step < 3)
    step /= 2;
  else if (range / step > 8)
    step *= 2;

  ticks->step = step;
  ticks->lo = step * floor (min / step + TICK_EPSILON);
  ticks->hi = step * ceil (max / step - TICK_EPSILON);
  ticks->n_ticks = (guint) lround ((ticks->hi - ticks->lo) / step) + 1;
  ticks->log = FALSE;
  /* exact multiples read better in labels and CSV: 0.6000000000000001 → 0.6 */
  ticks->lo = pb_plot_ticks_get_value (ticks, 0);
  ticks->hi = pb_plot_ticks_get_value (ticks, ticks->n_ticks - 1);

  return TRUE;
}

/**
 * pb_plot_ticks_init_log:
 * @ticks: (out caller-allocates): the ticks
 * @min: smallest positive value to cover
 * @max: largest value to cover
 *
 * Decades 10^a … 10^b covering [@min, @max], at least one decade wide; every
 * second or third decade when there are more than 8.
 *
 * Returns: %FALSE (and @ticks = 1…10) when the range has no positive part.
 */
gboolean
pb_plot_ticks_init_log (PbPlotTicks *ticks,
                        double       min,
                        double       max)
{
  double a, b;
  int per = 1;

  g_return_val_if_fail (ticks != NULL, FALSE);

  if (!isfinite (min) || !isfinite (max) || max <= 0)
    {
      *ticks = (PbPlotTicks) { 1.0, 10.0, 10.0, 2, TRUE };
      return FALSE;
    }
  if (min <= 0 || min > max)
    min = max;

  a = floor (log10 (min) + TICK_EPSILON);
  b = ceil (log10 (max) - TICK_EPSILON);
  if (b <= a)
    b = a + 1;
  while ((b - a) / per > 8)
    per++;
  a = per * floor (a / per);
  b = per * ceil (b / per);

  ticks->lo = pow (10, a);
  ticks->hi = pow (10, b);
  ticks->step = pow (10, per);
  ticks->n_ticks = (guint) lround ((b - a) / per) + 1;
  ticks->log = TRUE;

  return TRUE;
}

/* Tick @index; exact decimal multiples of the step. */
double
pb_plot_ticks_get_value (const PbPlotTicks *ticks,
                         guint              index)
{
  g_return_val_if_fail (ticks != NULL, 0.0);

  if (ticks->log)
    return ticks->lo * pow (ticks->step, index);
  else
    {
      double v = ticks->lo + index * ticks->step;
      int decimals = MAX (0, (int) -floor (log10 (ticks->step) + TICK_EPSILON));
      double scale = pow (10, decimals + 1);

      /* round away the binary noise of lo + i·step, keep one extra digit */
      v = round (v * scale) / scale;
      return v == 0 ? 0.0 : v;   /* no −0 */
    }
}

/**
 * pb_plot_format_number:
 * @value: a tick value
 * @step: the distance between ticks (sets the decimals); 0 for "as short as exact"
 *
 * Formats with just the decimals the step needs, a typographic minus sign,
 * and scientific notation for very large or small magnitudes.
 *
 * Returns: (transfer full): the label
 */
char *
pb_plot_format_number (double value,
                       double step)
{
  char buf[G_ASCII_DTOSTR_BUF_SIZE];
  double mag = fabs (value);
  const char *text;

  if (isnan (value))
    return g_strdup ("");
  if (isinf (value))
    return g_strdup (value > 0 ? "∞" : "−∞");

  if (value == 0)
    text = "0";
  else if (mag >= 1e6 || mag < 1e-4)
    text = g_ascii_formatd (buf, sizeof buf, "%.3g", mag);
  else if (step > 0)
    {
      int decimals = MAX (0, (int) -floor (log10 (step) + TICK_EPSILON));
      char fmt[16];

      g_snprintf (fmt, sizeof fmt, "%%.%df", MIN (decimals, 10));
      text = g_ascii_formatd (buf, sizeof buf, fmt, mag);
    }
  else
    text = g_ascii_formatd (buf, sizeof buf, "%.6g", mag);

  return g_strconcat (value < 0 ? "−" : "", text, NULL);
}
