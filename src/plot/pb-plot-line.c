/* pb-plot-line.c — line plot: loss / AUC per epoch for folds and trials.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "pb-plot-line.h"

#include "pb-plot-private.h"

#include <math.h>

static double
series_x (const PbPlotSeries *s,
          guint               i)
{
  return s->x != NULL ? s->x[i] : (double) (i + 1);
}

static gboolean
point_ok (const PbPlotLineData *data,
          const PbPlotSeries   *s,
          guint                 i)
{
  double x = series_x (s, i), y = s->y[i];

  return isfinite (x) && isfinite (y) && (!data->log_y || y > 0);
}

/**
 * pb_plot_line_check:
 *
 * Returns: %TRUE when @data can be drawn: at least one series, arrays
 *   present, at least one finite point (positive on a log axis).
 */
gboolean
pb_plot_line_check (const PbPlotLineData  *data,
                    GError               **error)
{
  guint n_ok = 0;

  if (data == NULL || data->n_series == 0 || data->series == NULL)
    {
      g_set_error (error, PB_PLOT_ERROR, PB_PLOT_ERROR_INVALID_ARGUMENT,
                   "Line plot has no series");
      return FALSE;
    }

  for (guint s = 0; s < data->n_series; s++)
    {
      const PbPlotSeries *series = &data->series[s];

      if (series->n > 0 && series->y == NULL)
        {
          g_set_error (error, PB_PLOT_ERROR, PB_PLOT_ERROR_INVALID_ARGUMENT,
                       "Line plot series %u (%s) has no y values", s,
                       series->label != NULL ? series->label : "unnamed");
          return FALSE;
        }
      for (guint i = 0; i < series->n; i++)
        n_ok += point_ok (data, series, i);
    }

  if (n_ok == 0)
    {
      g_set_error (error, PB_PLOT_ERROR, PB_PLOT_ERROR_INVALID_ARGUMENT,
                   "Line plot has no finite values%s to draw",
                   data->log_y ? " (positive, for the log axis)" : "");
      return FALSE;
    }

  if (data->y_fixed && !(data->y_min < data->y_max && isfinite (data->y_min) &&
                         isfinite (data->y_max) && (!data->log_y || data->y_min > 0)))
    {
      g_set_error (error, PB_PLOT_ERROR, PB_PLOT_ERROR_INVALID_ARGUMENT,
                   "Line plot y range %g … %g is not usable", data->y_min, data->y_max);
      return FALSE;
    }

  return TRUE;
}

static int
series_color_index (const PbPlotSeries *s,
                    guint               position)
{
  return s->color >= 0 ? s->color : (int) position;
}

/* Axes and legend for @data inside @width × @height. */
static void
line_layout (cairo_t              *cr,
             const PbPlotStyle    *style,
             double                width,
             double                height,
             const PbPlotLineData *data,
             PbPlotChart          *chart,
             GArray               *legend)
{
  double x_min = INFINITY, x_max = -INFINITY, y_min = INFINITY, y_max = -INFINITY;

  for (guint s = 0; s < data->n_series; s++)
    {
      const PbPlotSeries *series = &data->series[s];

      for (guint i = 0; i < series->n; i++)
        {
          if (!point_ok (data, series, i))
            continue;
          x_min = MIN (x_min, series_x (series, i));
          x_max = MAX (x_max, series_x (series, i));
          y_min = MIN (y_min, series->y[i]);
          y_max = MAX (y_max, series->y[i]);
        }

      if (series->label != NULL && *series->label != '\0')
        {
          PbPlotLegendItem item = {
            .label = series->label,
            .kind = series->markers ? PB_PLOT_LEGEND_LINE_MARKER : PB_PLOT_LEGEND_LINE,
            .dashed = series->dashed,
          };

          pb_plot_style_get_color (style, series_color_index (series, s), &item.rgb);
          g_array_append_val (legend, item);
        }
    }

  _pb_plot_chart_init (chart, 0, 0, width, height);
  chart->title = data->title;
  chart->x.title = data->x_label;
  chart->y.title = data->y_label;
  if (legend->len > 1 || (legend->len == 1 && data->n_series > 1))
    {
      chart->legend = (const PbPlotLegendItem *) legend->data;
      chart->n_legend = legend->len;
    }
  if (data->x_counts)
    _pb_plot_axis_set_counts (&chart->x, x_min, x_max);
  else
    _pb_plot_axis_set_auto (&chart->x, x_min, x_max, FALSE);
  if (data->y_fixed)
    _pb_plot_axis_set_fixed (&chart->y, data->y_min, data->y_max, data->log_y);
  else
    _pb_plot_axis_set_auto (&chart->y, y_min, y_max, data->log_y);
  _pb_plot_chart_layout (cr, style, chart);
}

/**
 * pb_plot_line_draw:
 * @cr: where to draw
 * @width: width in user units (px on screen, pt in files)
 * @height: height in user units
 * @data: the series
 * @style: (nullable): the look; %NULL for print defaults
 * @error: return location for an error
 *
 * Draws the line plot. Data that cannot be drawn leave a message in the
 * figure and return %FALSE with @error set.
 */
gboolean
pb_plot_line_draw (cairo_t               *cr,
                   double                 width,
                   double                 height,
                   const PbPlotLineData  *data,
                   const PbPlotStyle     *style,
                   GError               **error)
{
  g_autoptr(GArray) legend = g_array_new (FALSE, FALSE, sizeof (PbPlotLegendItem));
  g_autoptr(GError) local_error = NULL;
  PbPlotStyle storage;
  PbPlotChart chart;

  g_return_val_if_fail (cr != NULL, FALSE);

  style = _pb_plot_style_or_default (style, &storage);
  if (!_pb_plot_check_size (width, height, error))
    return FALSE;
  if (!pb_plot_line_check (data, &local_error))
    {
      _pb_plot_draw_message (cr, style, width, height, local_error->message);
      g_propagate_error (error, g_steal_pointer (&local_error));
      return FALSE;
    }

  cairo_save (cr);
  _pb_plot_paint_background (cr, style, width, height);
  line_layout (cr, style, width, height, data, &chart, legend);
  _pb_plot_chart_draw_under (cr, style, &chart);

  cairo_save (cr);
  cairo_rectangle (cr, chart.plot.x, chart.plot.y, chart.plot.width, chart.plot.height);
  cairo_clip (cr);
  cairo_set_line_join (cr, CAIRO_LINE_JOIN_ROUND);
  cairo_set_line_cap (cr, CAIRO_LINE_CAP_ROUND);
  for (guint s = 0; s < data->n_series; s++)
    {
      const PbPlotSeries *series = &data->series[s];
      gboolean pen_down = FALSE;
      PbPlotRgb rgb;

      pb_plot_style_get_color (style, series_color_index (series, s), &rgb);
      _pb_plot_set_rgb (cr, &rgb);
      cairo_set_line_width (cr, style->line_width);
      if (series->dashed)
        {
          double dash[] = { 2.5 * style->line_width, 1.5 * style->line_width };
          cairo_set_dash (cr, dash, 2, 0);
        }
      else
        cairo_set_dash (cr, NULL, 0, 0);

      for (guint i = 0; i < series->n; i++)
        {
          double px, py;

          if (!point_ok (data, series, i))
            {
              pen_down = FALSE;
              continue;
            }
          px = _pb_plot_axis_map (&chart.x, series_x (series, i));
          py = _pb_plot_axis_map (&chart.y, series->y[i]);
          if (pen_down)
            cairo_line_to (cr, px, py);
          else
            cairo_move_to (cr, px, py);
          pen_down = TRUE;
        }
      cairo_stroke (cr);

      for (guint i = 0; i < series->n; i++)
        {
          gboolean isolated;

          if (!point_ok (data, series, i))
            continue;
          isolated = (i == 0 || !point_ok (data, series, i - 1)) &&
                     (i + 1 == series->n || !point_ok (data, series, i + 1));
          if (series->markers || isolated)
            _pb_plot_marker (cr, _pb_plot_axis_map (&chart.x, series_x (series, i)),
                             _pb_plot_axis_map (&chart.y, series->y[i]), style->marker_size);
        }
      cairo_fill (cr);
    }
  cairo_restore (cr);

  _pb_plot_chart_draw_over (cr, style, &chart);
  _pb_plot_chart_clear (&chart);
  cairo_restore (cr);

  return TRUE;
}

/**
 * pb_plot_line_hit_test:
 * @data: the series, as drawn
 * @style: (nullable): the style, as drawn
 * @width: the size it was drawn at
 * @height: likewise
 * @x: pointer position, same units as @width
 * @y: likewise
 * @max_distance: farthest a point may be from (@x, @y)
 * @hit: (out caller-allocates): the nearest point
 *
 * For a hover read-out: finds the drawn point nearest to (@x, @y).
 *
 * Returns: %TRUE if a point lies within @max_distance.
 */
gboolean
pb_plot_line_hit_test (const PbPlotLineData *data,
                       const PbPlotStyle    *style,
                       double                width,
                       double                height,
                       double                x,
                       double                y,
                       double                max_distance,
                       PbPlotHit            *hit)
{
  g_autoptr(GArray) legend = g_array_new (FALSE, FALSE, sizeof (PbPlotLegendItem));
  cairo_surface_t *surface;
  PbPlotStyle storage;
  PbPlotChart chart;
  double best = max_distance * max_distance;
  gboolean found = FALSE;
  cairo_t *cr;

  g_return_val_if_fail (hit != NULL, FALSE);

  if (!pb_plot_line_check (data, NULL) || !_pb_plot_check_size (width, height, NULL))
    return FALSE;

  style = _pb_plot_style_or_default (style, &storage);
  surface = cairo_image_surface_create (CAIRO_FORMAT_ARGB32, 1, 1);
  cr = cairo_create (surface);
  line_layout (cr, style, width, height, data, &chart, legend);

  for (guint s = 0; s < data->n_series; s++)
    {
      const PbPlotSeries *series = &data->series[s];

      for (guint i = 0; i < series->n; i++)
        {
          double px, py, d;

          if (!point_ok (data, series, i))
            continue;
          px = _pb_plot_axis_map (&chart.x, series_x (series, i));
          py = _pb_plot_axis_map (&chart.y, series->y[i]);
          d = (px - x) * (px - x) + (py - y) * (py - y);
          if (d <= best)
            {
              best = d;
              found = TRUE;
              *hit = (PbPlotHit) { s, i, series_x (series, i), series->y[i], px, py };
            }
        }
    }

  _pb_plot_chart_clear (&chart);
  cairo_destroy (cr);
  cairo_surface_destroy (surface);

  return found;
}

/**
 * pb_plot_line_to_csv:
 *
 * The plotted data in long form: `series,x,y`, one row per point, NaN as an
 * empty field.
 *
 * Returns: (transfer full) (nullable): the CSV text
 */
char *
pb_plot_line_to_csv (const PbPlotLineData  *data,
                     GError               **error)
{
  PbPlotCsv csv = { NULL, 0 };

  if (!pb_plot_line_check (data, error))
    return NULL;

  csv.text = g_string_new (NULL);

  _pb_plot_csv_field (&csv, "series");
  _pb_plot_csv_field (&csv, "x");
  _pb_plot_csv_field (&csv, "y");
  _pb_plot_csv_end_row (&csv);
  for (guint s = 0; s < data->n_series; s++)
    {
      const PbPlotSeries *series = &data->series[s];
      g_autofree char *name = series->label != NULL ? g_strdup (series->label)
                                                    : g_strdup_printf ("%u", s);

      for (guint i = 0; i < series->n; i++)
        {
          _pb_plot_csv_field (&csv, name);
          _pb_plot_csv_number (&csv, series_x (series, i));
          _pb_plot_csv_number (&csv, series->y[i]);
          _pb_plot_csv_end_row (&csv);
        }
    }

  return g_string_free (csv.text, FALSE);
}
