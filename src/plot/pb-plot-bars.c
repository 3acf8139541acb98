/* pb-plot-bars.c — histograms (sparsity distributions) and grouped bar
 * charts (success rates).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "pb-plot-bars.h"

#include "pb-plot-private.h"

#include <math.h>

/* histogram ------------------------------------------------------------- */

static void
histogram_range (const PbPlotHistogramData *data,
                 double                    *lo,
                 double                    *hi)
{
  double a = INFINITY, b = -INFINITY;

  if (data->range_fixed)
    {
      *lo = data->lo;
      *hi = data->hi;
      return;
    }

  for (guint s = 0; s < data->n_samples; s++)
    for (guint i = 0; i < data->samples[s].n; i++)
      {
        double v = data->samples[s].values[i];

        if (isfinite (v))
          {
            a = MIN (a, v);
            b = MAX (b, v);
          }
      }
  if (a == b)   /* numpy: a single value v bins over [v − 0.5, v + 0.5] */
    a -= 0.5, b += 0.5;
  *lo = a;
  *hi = b;
}

gboolean
pb_plot_histogram_check (const PbPlotHistogramData  *data,
                         GError                    **error)
{
  guint n_finite = 0;

  if (data == NULL || data->samples == NULL || data->n_samples == 0)
    {
      g_set_error (error, PB_PLOT_ERROR, PB_PLOT_ERROR_INVALID_ARGUMENT, "Histogram has no samples");
      return FALSE;
    }
  if (data->n_bins == 0 || data->n_bins > 100000)
    {
      g_set_error (error, PB_PLOT_ERROR, PB_PLOT_ERROR_INVALID_ARGUMENT,
                   "Histogram needs 1–100000 bins, not %u", data->n_bins);
      return FALSE;
    }
  for (guint s = 0; s < data->n_samples; s++)
    {
      if (data->samples[s].n > 0 && data->samples[s].values == NULL)
        {
          g_set_error (error, PB_PLOT_ERROR, PB_PLOT_ERROR_INVALID_ARGUMENT,
                       "Histogram sample %u has no values", s);
          return FALSE;
        }
      for (guint i = 0; i < data->samples[s].n; i++)
        n_finite += isfinite (data->samples[s].values[i]) ? 1 : 0;
    }
  if (data->range_fixed)
    {
      if (!(isfinite (data->lo) && isfinite (data->hi) && data->lo < data->hi))
        {
          g_set_error (error, PB_PLOT_ERROR, PB_PLOT_ERROR_INVALID_ARGUMENT,
                       "Histogram range %g … %g is not usable", data->lo, data->hi);
          return FALSE;
        }
    }
  else if (n_finite == 0)
    {
      g_set_error (error, PB_PLOT_ERROR, PB_PLOT_ERROR_INVALID_ARGUMENT,
                   "Histogram has no finite values");
      return FALSE;
    }

  return TRUE;
}

/**
 * pb_plot_histogram_count:
 * @sample: which sample
 * @counts: (out) (array) (nullable): n_bins counts
 * @lo: (out) (nullable): left edge of the first bin
 * @hi: (out) (nullable): right edge of the last bin
 *
 * Returns: %FALSE when @data cannot be drawn or @sample is out of range.
 */
gboolean
pb_plot_histogram_count (const PbPlotHistogramData *data,
                         guint                      sample,
                         guint                     *counts,
                         double                    *lo,
                         double                    *hi)
{
  const PbPlotSample *s;
  double a, b;

  if (!pb_plot_histogram_check (data, NULL) || sample >= data->n_samples)
    return FALSE;

  histogram_range (data, &a, &b);
  if (lo != NULL)
    *lo = a;
  if (hi != NULL)
    *hi = b;
  if (counts == NULL)
    return TRUE;

  s = &data->samples[sample];
  for (guint i = 0; i < data->n_bins; i++)
    counts[i] = 0;
  for (guint i = 0; i < s->n; i++)
    {
      double v = s->values[i];
      gint64 bin;

      if (!(v >= a && v <= b))
        continue;
      bin = (gint64) floor ((v - a) / (b - a) * data->n_bins);
      counts[MIN (bin, (gint64) data->n_bins - 1)]++;
    }

  return TRUE;
}

/**
 * pb_plot_histogram_draw:
 * @cr: where to draw
 * @width: width in user units (px on screen, pt in files)
 * @height: height in user units
 * @data: the samples and bins
 * @style: (nullable): the look; %NULL for print defaults
 * @error: return location for an error
 */
gboolean
pb_plot_histogram_draw (cairo_t                    *cr,
                        double                      width,
                        double                      height,
                        const PbPlotHistogramData  *data,
                        const PbPlotStyle          *style,
                        GError                    **error)
{
  g_autoptr(GError) local_error = NULL;
  g_autoptr(GArray) legend = NULL;
  g_autofree guint *counts = NULL;
  PbPlotStyle storage;
  PbPlotChart chart;
  double lo, hi, bin_w;
  guint max_count = 0;
  double alpha;

  g_return_val_if_fail (cr != NULL, FALSE);

  style = _pb_plot_style_or_default (style, &storage);
  if (!_pb_plot_check_size (width, height, error))
    return FALSE;
  if (!pb_plot_histogram_check (data, &local_error))
    {
      _pb_plot_draw_message (cr, style, width, height, local_error->message);
      g_propagate_error (error, g_steal_pointer (&local_error));
      return FALSE;
    }

  counts = g_new (guint, (gsize) data->n_bins * data->n_samples);
  for (guint s = 0; s < data->n_samples; s++)
    {
      pb_plot_histogram_count (data, s, counts + (gsize) s * data->n_bins, &lo, &hi);
      for (guint i = 0; i < data->n_bins; i++)
        max_count = MAX (max_count, counts[(gsize) s * data->n_bins + i]);
    }
  bin_w = (hi - lo) / data->n_bins;
  alpha = data->n_samples > 1 ? 0.5 : 0.85;

  legend = g_array_new (FALSE, FALSE, sizeof (PbPlotLegendItem));
  for (guint s = 0; s < data->n_samples && data->n_samples > 1; s++)
    {
      PbPlotLegendItem item = { .label = data->samples[s].label, .kind = PB_PLOT_LEGEND_BOX,
                                .alpha = alpha };

      pb_plot_style_get_color (style, s, &item.rgb);
      g_array_append_val (legend, item);
    }

  cairo_save (cr);
  _pb_plot_paint_background (cr, style, width, height);
  _pb_plot_chart_init (&chart, 0, 0, width, height);
  chart.title = data->title;
  chart.legend = (const PbPlotLegendItem *) legend->data;
  chart.n_legend = legend->len;
  chart.x.title = data->x_label;
  chart.y.title = data->y_label != NULL ? data->y_label : "Count";
  _pb_plot_axis_set_fixed (&chart.x, lo, hi, FALSE);
  if (data->log_y)
    _pb_plot_axis_set_auto (&chart.y, 1, MAX (max_count, 1), TRUE);
  else
    _pb_plot_axis_set_auto (&chart.y, 0, MAX (max_count, 1), FALSE);
  _pb_plot_chart_layout (cr, style, &chart);
  _pb_plot_chart_draw_under (cr, style, &chart);

  cairo_save (cr);
  cairo_rectangle (cr, chart.plot.x, chart.plot.y, chart.plot.width, chart.plot.height);
  cairo_clip (cr);
  for (guint s = 0; s < data->n_samples; s++)
    {
      double base = data->log_y ? chart.plot.y + chart.plot.height
                                : _pb_plot_axis_map (&chart.y, 0);
      PbPlotRgb rgb;

      pb_plot_style_get_color (style, s, &rgb);
      for (guint i = 0; i < data->n_bins; i++)
        {
          guint c = counts[(gsize) s * data->n_bins + i];
          double x0, x1, y;

          if (c == 0)
            continue;
          x0 = _pb_plot_axis_map (&chart.x, lo + i * bin_w);
          x1 = _pb_plot_axis_map (&chart.x, lo + (i + 1) * bin_w);
          y = _pb_plot_axis_map (&chart.y, c);
          cairo_rectangle (cr, x0, y, x1 - x0, base - y);
        }
      _pb_plot_set_rgba (cr, &rgb, alpha);
      cairo_fill (cr);
    }
  cairo_restore (cr);

  _pb_plot_chart_draw_over (cr, style, &chart);
  _pb_plot_chart_clear (&chart);
  cairo_restore (cr);

  return TRUE;
}

/**
 * pb_plot_histogram_to_csv:
 *
 * `bin_lo,bin_hi,<sample label>…`: one line per bin with each sample's count.
 *
 * Returns: (transfer full) (nullable): the CSV text
 */
char *
pb_plot_histogram_to_csv (const PbPlotHistogramData  *data,
                          GError                    **error)
{
  g_autofree guint *counts = NULL;
  PbPlotCsv csv = { NULL, 0 };
  double lo = 0, hi = 1, bin_w;

  if (!pb_plot_histogram_check (data, error))
    return NULL;

  counts = g_new (guint, (gsize) data->n_bins * data->n_samples);
  for (guint s = 0; s < data->n_samples; s++)
    pb_plot_histogram_count (data, s, counts + (gsize) s * data->n_bins, &lo, &hi);
  bin_w = (hi - lo) / data->n_bins;

  csv.text = g_string_new (NULL);
  _pb_plot_csv_field (&csv, "bin_lo");
  _pb_plot_csv_field (&csv, "bin_hi");
  for (guint s = 0; s < data->n_samples; s++)
    {
      g_autofree char *name = data->samples[s].label != NULL ? g_strdup (data->samples[s].label)
                                                             : g_strdup_printf ("count_%u", s);
      _pb_plot_csv_field (&csv, name);
    }
  _pb_plot_csv_end_row (&csv);
  for (guint i = 0; i < data->n_bins; i++)
    {
      _pb_plot_csv_number (&csv, lo + i * bin_w);
      _pb_plot_csv_number (&csv, i + 1 == data->n_bins ? hi : lo + (i + 1) * bin_w);
      for (guint s = 0; s < data->n_samples; s++)
        _pb_plot_csv_number (&csv, counts[(gsize) s * data->n_bins + i]);
      _pb_plot_csv_end_row (&csv);
    }

  return g_string_free (csv.text, FALSE);
}

/* bar chart ------------------------------------------------------------- */

gboolean
pb_plot_bars_check (const PbPlotBarData  *data,
                    GError              **error)
{
  guint n_finite = 0;

  if (data == NULL || data->n_categories == 0 || data->categories == NULL ||
      data->n_groups == 0 || data->groups == NULL)
    {
      g_set_error (error, PB_PLOT_ERROR, PB_PLOT_ERROR_INVALID_ARGUMENT,
                   "Bar chart has no categories or no groups");
      return FALSE;
    }
  for (guint g = 0; g < data->n_groups; g++)
    {
      if (data->groups[g].values == NULL)
        {
          g_set_error (error, PB_PLOT_ERROR, PB_PLOT_ERROR_INVALID_ARGUMENT,
                       "Bar chart group %u has no values", g);
          return FALSE;
        }
      for (guint c = 0; c < data->n_categories; c++)
        n_finite += isfinite (data->groups[g].values[c]) ? 1 : 0;
    }
  if (n_finite == 0)
    {
      g_set_error (error, PB_PLOT_ERROR, PB_PLOT_ERROR_INVALID_ARGUMENT,
                   "Bar chart has no finite values");
      return FALSE;
    }
  if (data->y_fixed && !(isfinite (data->y_min) && isfinite (data->y_max) &&
                         data->y_min < data->y_max))
    {
      g_set_error (error, PB_PLOT_ERROR, PB_PLOT_ERROR_INVALID_ARGUMENT,
                   "Bar chart range %g … %g is not usable", data->y_min, data->y_max);
      return FALSE;
    }

  return TRUE;
}

/**
 * pb_plot_bars_draw:
 *
 * Bars from zero, one cluster per category with one bar per group, optional
 * error bars and value labels.
 */
gboolean
pb_plot_bars_draw (cairo_t              *cr,
                   double                width,
                   double                height,
                   const PbPlotBarData  *data,
                   const PbPlotStyle    *style,
                   GError              **error)
{
  g_autoptr(GError) local_error = NULL;
  g_autoptr(GArray) legend = NULL;
  PbPlotStyle storage;
  PbPlotChart chart;
  double y_min = 0, y_max = 0, slot, bar_w;

  g_return_val_if_fail (cr != NULL, FALSE);

  style = _pb_plot_style_or_default (style, &storage);
  if (!_pb_plot_check_size (width, height, error))
    return FALSE;
  if (!pb_plot_bars_check (data, &local_error))
    {
      _pb_plot_draw_message (cr, style, width, height, local_error->message);
      g_propagate_error (error, g_steal_pointer (&local_error));
      return FALSE;
    }

  legend = g_array_new (FALSE, FALSE, sizeof (PbPlotLegendItem));
  for (guint g = 0; g < data->n_groups; g++)
    {
      const PbPlotBarGroup *group = &data->groups[g];

      for (guint c = 0; c < data->n_categories; c++)
        {
          double v = group->values[c];
          double e = group->errors != NULL && isfinite (group->errors[c]) ? fabs (group->errors[c]) : 0;

          if (!isfinite (v))
            continue;
          y_min = MIN (y_min, v - e);
          y_max = MAX (y_max, v + e);
        }
      if (data->n_groups > 1)
        {
          PbPlotLegendItem item = { .label = group->label, .kind = PB_PLOT_LEGEND_BOX };

          pb_plot_style_get_color (style, g, &item.rgb);
          g_array_append_val (legend, item);
        }
    }

  cairo_save (cr);
  _pb_plot_paint_background (cr, style, width, height);
  _pb_plot_chart_init (&chart, 0, 0, width, height);
  chart.title = data->title;
  chart.legend = (const PbPlotLegendItem *) legend->data;
  chart.n_legend = legend->len;
  chart.x.title = data->x_label;
  chart.y.title = data->y_label;
  chart.x.lo = -0.5;
  chart.x.hi = data->n_categories - 0.5;
  chart.x.ellipsize = TRUE;
  for (guint c = 0; c < data->n_categories; c++)
    _pb_plot_axis_add_tick (&chart.x, c, data->categories[c]);
  if (data->y_fixed)
    _pb_plot_axis_set_fixed (&chart.y, data->y_min, data->y_max, FALSE);
  else
    _pb_plot_axis_set_auto (&chart.y, y_min, y_max, FALSE);
  _pb_plot_chart_layout (cr, style, &chart);
  _pb_plot_chart_draw_under (cr, style, &chart);

  slot = chart.plot.width / data->n_categories;
  bar_w = slot * 0.8 / data->n_groups;
  for (guint g = 0; g < data->n_groups; g++)
    {
      const PbPlotBarGroup *group = &data->groups[g];
      PbPlotRgb rgb;

      pb_plot_style_get_color (style, g, &rgb);
      for (guint c = 0; c < data->n_categories; c++)
        {
          double v = group->values[c];
          double x = _pb_plot_axis_map (&chart.x, c) - slot * 0.4 + g * bar_w;
          double y0 = _pb_plot_axis_map (&chart.y, CLAMP (0, chart.y.lo, chart.y.hi));
          double y1;

          if (!isfinite (v))
            continue;
          y1 = _pb_plot_axis_map (&chart.y, CLAMP (v, chart.y.lo, chart.y.hi));
          _pb_plot_set_rgb (cr, &rgb);
          cairo_rectangle (cr, x + bar_w * 0.05, MIN (y0, y1), bar_w * 0.9, fabs (y1 - y0));
          cairo_fill (cr);

          if (group->errors != NULL && isfinite (group->errors[c]) && group->errors[c] != 0)
            {
              double e = fabs (group->errors[c]);
              double cx = x + bar_w / 2;
              double ya = _pb_plot_axis_map (&chart.y, v - e), yb = _pb_plot_axis_map (&chart.y, v + e);

              _pb_plot_set_rgb (cr, &style->foreground);
              cairo_set_line_width (cr, style->axis_width);
              cairo_move_to (cr, cx, ya);
              cairo_line_to (cr, cx, yb);
              cairo_move_to (cr, cx - bar_w * 0.2, ya);
              cairo_rel_line_to (cr, bar_w * 0.4, 0);
              cairo_move_to (cr, cx - bar_w * 0.2, yb);
              cairo_rel_line_to (cr, bar_w * 0.4, 0);
              cairo_stroke (cr);
            }

          if (data->value_labels)
            {
              g_autofree char *text = pb_plot_format_number (v, fabs (v) >= 10 ? 1 : 0.001);
              PangoLayout *layout = _pb_plot_text_new (cr, style, 0.9, FALSE, text);   /* ≥ 7 pt at 8 */
              double e = group->errors != NULL && isfinite (group->errors[c])
                         ? fabs (group->errors[c]) : 0;
              double top = MIN (MIN (y0, y1), _pb_plot_axis_map (&chart.y, v + e));
              double tw;

              /* only where it fits over its own bar: labels never overlap */
              _pb_plot_text_size (layout, &tw, NULL);
              if (tw <= bar_w * 1.1)
                {
                  _pb_plot_set_rgb (cr, &style->foreground);
                  _pb_plot_text_show (cr, layout, x + bar_w / 2, top - 0.2 * style->font_size,
                                      0.5, 1, FALSE);
                }
              g_object_unref (layout);
            }
        }
    }

  _pb_plot_chart_draw_over (cr, style, &chart);
  _pb_plot_chart_clear (&chart);
  cairo_restore (cr);

  return TRUE;
}

/**
 * pb_plot_bars_to_csv:
 *
 * `category,<group>…` (and `<group>_error` columns where errors are given),
 * one line per category.
 *
 * Returns: (transfer full) (nullable): the CSV text
 */
char *
pb_plot_bars_to_csv (const PbPlotBarData  *data,
                     GError              **error)
{
  PbPlotCsv csv = { NULL, 0 };

  if (!pb_plot_bars_check (data, error))
    return NULL;

  csv.text = g_string_new (NULL);
  _pb_plot_csv_field (&csv, "category");
  for (guint g = 0; g < data->n_groups; g++)
    {
      g_autofree char *name = data->groups[g].label != NULL ? g_strdup (data->groups[g].label)
                                                            : g_strdup_printf ("value_%u", g);

      _pb_plot_csv_field (&csv, name);
      if (data->groups[g].errors != NULL)
        {
          g_autofree char *err = g_strconcat (name, "_error", NULL);

          _pb_plot_csv_field (&csv, err);
        }
    }
  _pb_plot_csv_end_row (&csv);
  for (guint c = 0; c < data->n_categories; c++)
    {
      _pb_plot_csv_field (&csv, data->categories[c]);
      for (guint g = 0; g < data->n_groups; g++)
        {
          _pb_plot_csv_number (&csv, data->groups[g].values[c]);
          if (data->groups[g].errors != NULL)
            _pb_plot_csv_number (&csv, data->groups[g].errors[c]);
        }
      _pb_plot_csv_end_row (&csv);
    }

  return g_string_free (csv.text, FALSE);
}
