/* pb-plot-susceptibility.c — where the model is susceptible: a feature × hour
 * map with per-hour bars above and per-feature bars on the right.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "pb-plot-susceptibility.h"

#include "pb-plot-heatmap-private.h"

#include <math.h>

static const char *
marginal_name (const PbPlotSusceptibilityData *data)
{
  return data->marginal == PB_PLOT_MARGINAL_MEAN ? "Mean" : "Sum";
}

gboolean
pb_plot_susceptibility_check (const PbPlotSusceptibilityData  *data,
                              GError                         **error)
{
  if (data == NULL)
    {
      g_set_error (error, PB_PLOT_ERROR, PB_PLOT_ERROR_INVALID_ARGUMENT,
                   "Susceptibility map has no data");
      return FALSE;
    }
  if (!pb_plot_matrix_check (&data->matrix, error))
    return FALSE;
  if (data->range_fixed &&
      !(isfinite (data->v_min) && isfinite (data->v_max) && data->v_min < data->v_max &&
        (!data->log_scale || data->v_min > 0)))
    {
      g_set_error (error, PB_PLOT_ERROR, PB_PLOT_ERROR_INVALID_ARGUMENT,
                   "Susceptibility colour range %g … %g is not usable", data->v_min, data->v_max);
      return FALSE;
    }

  return TRUE;
}

/**
 * pb_plot_susceptibility_get_marginals:
 * @row_values: (out) (array) (nullable): n_rows sums or means, one per row
 * @col_values: (out) (array) (nullable): n_cols sums or means, one per column
 *
 * The bar heights; non-finite cells are left out (a mean over none is 0).
 */
gboolean
pb_plot_susceptibility_get_marginals (const PbPlotSusceptibilityData *data,
                                      double                         *row_values,
                                      double                         *col_values)
{
  const PbPlotMatrix *m;
  gboolean mean;

  if (!pb_plot_susceptibility_check (data, NULL))
    return FALSE;

  m = &data->matrix;
  mean = data->marginal == PB_PLOT_MARGINAL_MEAN;
  for (guint r = 0; r < m->n_rows && row_values != NULL; r++)
    {
      double sum = 0;
      guint n = 0;

      for (guint c = 0; c < m->n_cols; c++)
        {
          double v = pb_plot_matrix_get (m, r, c);

          if (isfinite (v))
            sum += v, n++;
        }
      row_values[r] = mean ? (n > 0 ? sum / n : 0) : sum;
    }
  for (guint c = 0; c < m->n_cols && col_values != NULL; c++)
    {
      double sum = 0;
      guint n = 0;

      for (guint r = 0; r < m->n_rows; r++)
        {
          double v = pb_plot_matrix_get (m, r, c);

          if (isfinite (v))
            sum += v, n++;
        }
      col_values[c] = mean ? (n > 0 ? sum / n : 0) : sum;
    }

  return TRUE;
}

static void
value_axis (PbPlotAxis   *axis,
            const double *values,
            guint         n,
            const char   *title)
{
  double lo = 0, hi = 0;

  for (guint i = 0; i < n; i++)
    {
      lo = MIN (lo, values[i]);
      hi = MAX (hi, values[i]);
    }
  _pb_plot_axis_init (axis, title);
  _pb_plot_axis_set_auto (axis, lo, hi, FALSE);
}

/* Keeps the first and last tick of a short value axis: a marginal bar panel
 * has room for little more. */
static void
thin_value_axis (PbPlotAxis *axis)
{
  guint n = axis->positions->len;

  if (n <= 3)
    return;
  for (guint i = n - 2; i >= 1; i--)
    {
      g_array_remove_index (axis->positions, i);
      g_ptr_array_remove_index (axis->labels, i);
    }
}

/**
 * pb_plot_susceptibility_draw:
 * @cr: where to draw
 * @width: width in user units (px on screen, pt in files)
 * @height: height in user units
 * @data: the matrix
 * @style: (nullable): the look; %NULL for print defaults
 * @error: return location for an error
 */
gboolean
pb_plot_susceptibility_draw (cairo_t                         *cr,
                             double                           width,
                             double                           height,
                             const PbPlotSusceptibilityData  *data,
                             const PbPlotStyle               *style,
                             GError                         **error)
{
  g_autoptr(GError) local_error = NULL;
  g_autofree double *rows = NULL;
  g_autofree double *cols = NULL;
  const PbPlotMatrix *m;
  PbPlotStyle storage;
  PbPlotHeatPanel panel;
  PbPlotAxis top_axis, right_axis;
  PbPlotRect cells, top_bars, right_bars;
  PbPlotRgb bar_rgb;
  double fs, left, bottom, bar_w, top, gap;

  g_return_val_if_fail (cr != NULL, FALSE);

  style = _pb_plot_style_or_default (style, &storage);
  if (!_pb_plot_check_size (width, height, error))
    return FALSE;
  if (!pb_plot_susceptibility_check (data, &local_error))
    {
      _pb_plot_draw_message (cr, style, width, height, local_error->message);
      g_propagate_error (error, g_steal_pointer (&local_error));
      return FALSE;
    }

  fs = style->font_size;
  m = &data->matrix;
  rows = g_new (double, m->n_rows);
  cols = g_new (double, m->n_cols);
  pb_plot_susceptibility_get_marginals (data, rows, cols);

  panel = (PbPlotHeatPanel) {
    .matrix = m,
    .bar = { .map = data->color_map, .log = data->log_scale, .label = data->value_label },
    .x_label = data->x_label,
    .y_label = data->y_label,
    .cell_edges = data->cell_edges,
  };
  _pb_plot_heat_range (m, data->color_map, data->log_scale, data->range_fixed,
                       data->v_min, data->v_max, &panel.bar.lo, &panel.bar.hi);
  _pb_plot_heat_margins (cr, style, &panel, &left, &bottom, &bar_w);

  value_axis (&top_axis, cols, m->n_cols, marginal_name (data));
  value_axis (&right_axis, rows, m->n_rows, marginal_name (data));
  thin_value_axis (&top_axis);
  thin_value_axis (&right_axis);
  left = MAX (left, _pb_plot_axis_measure (cr, style, &top_axis, TRUE) + 0.4 * fs);
  bottom = MAX (bottom, _pb_plot_axis_measure (cr, style, &right_axis, FALSE) + 0.4 * fs);

  cairo_save (cr);
  _pb_plot_paint_background (cr, style, width, height);
  top = 0.4 * fs;
  top += _pb_plot_title_draw (cr, style, data->title, fs / 2, top, width - fs, TRUE);
  top += 0.9 * fs;

  gap = 0.4 * fs;
  top_bars.height = MAX (0.16 * (height - top - bottom), 2.5 * fs);
  right_bars.width = MAX (0.14 * (width - left - bar_w), 3.0 * fs);
  cells.x = left;
  cells.y = top + top_bars.height + gap;
  cells.width = MAX (width - left - bar_w - right_bars.width - gap - 1.2 * fs, 1);
  cells.height = MAX (height - cells.y - bottom, 1);
  top_bars.x = cells.x;
  top_bars.y = top;
  top_bars.width = cells.width;
  right_bars.x = cells.x + cells.width + gap;
  right_bars.y = cells.y;
  right_bars.height = cells.height;

  _pb_plot_heat_draw (cr, style, &(PbPlotHeatPanel) { .matrix = m, .bar = panel.bar,
                                                      .x_label = panel.x_label,
                                                      .y_label = panel.y_label,
                                                      .cell_edges = panel.cell_edges,
                                                      .no_color_bar = TRUE }, &cells);
  {
    PbPlotRect bar_box = { right_bars.x + right_bars.width + 0.8 * fs, cells.y, 0, cells.height };

    _pb_plot_color_bar_draw (cr, style, &panel.bar, &bar_box);
  }

  /* marginal bars */
  pb_plot_style_get_color (style, 0, &bar_rgb);
  top_axis.p0 = top_bars.y + top_bars.height;
  top_axis.p1 = top_bars.y;
  right_axis.p0 = right_bars.x;
  right_axis.p1 = right_bars.x + right_bars.width;

  _pb_plot_set_rgb (cr, &bar_rgb);
  for (guint c = 0; c < m->n_cols; c++)
    {
      double x0 = top_bars.x + top_bars.width * c / m->n_cols;
      double w = top_bars.width / m->n_cols;
      double y0 = _pb_plot_axis_map (&top_axis, 0), y1 = _pb_plot_axis_map (&top_axis, cols[c]);

      cairo_rectangle (cr, x0 + 0.1 * w, MIN (y0, y1), 0.8 * w, fabs (y1 - y0));
    }
  for (guint r = 0; r < m->n_rows; r++)
    {
      double y0 = right_bars.y + right_bars.height * r / m->n_rows;
      double h = right_bars.height / m->n_rows;
      double x0 = _pb_plot_axis_map (&right_axis, 0), x1 = _pb_plot_axis_map (&right_axis, rows[r]);

      cairo_rectangle (cr, MIN (x0, x1), y0 + 0.1 * h, fabs (x1 - x0), 0.8 * h);
    }
  cairo_fill (cr);

  _pb_plot_axis_draw (cr, style, &top_axis, TRUE, top_bars.x, &top_bars);
  _pb_plot_axis_draw (cr, style, &right_axis, FALSE, right_bars.y + right_bars.height, &right_bars);
  _pb_plot_axis_clear (&top_axis);
  _pb_plot_axis_clear (&right_axis);
  cairo_restore (cr);

  return TRUE;
}

/**
 * pb_plot_susceptibility_to_csv:
 *
 * The matrix (`row,0,1,…,sum`, one line per row ending with its marginal)
 * and a last line `sum,…` with the column marginals ("mean" for means).
 *
 * Returns: (transfer full) (nullable): the CSV text
 */
char *
pb_plot_susceptibility_to_csv (const PbPlotSusceptibilityData  *data,
                               GError                         **error)
{
  g_autofree double *rows = NULL;
  g_autofree double *cols = NULL;
  g_autofree char *name = NULL;
  PbPlotCsv csv = { NULL, 0 };
  const PbPlotMatrix *m;

  if (!pb_plot_susceptibility_check (data, error))
    return NULL;

  m = &data->matrix;
  rows = g_new (double, m->n_rows);
  cols = g_new (double, m->n_cols);
  pb_plot_susceptibility_get_marginals (data, rows, cols);
  name = g_ascii_strdown (marginal_name (data), -1);

  csv.text = g_string_new (NULL);
  _pb_plot_csv_field (&csv, "row");
  for (guint c = 0; c < m->n_cols; c++)
    _pb_plot_csv_number (&csv, c);
  _pb_plot_csv_field (&csv, name);
  _pb_plot_csv_end_row (&csv);
  for (guint r = 0; r < m->n_rows; r++)
    {
      char buf[16];

      g_snprintf (buf, sizeof buf, "%u", r);
      _pb_plot_csv_field (&csv, m->row_labels != NULL && m->row_labels[r] != NULL
                                ? m->row_labels[r] : buf);
      for (guint c = 0; c < m->n_cols; c++)
        _pb_plot_csv_number (&csv, pb_plot_matrix_get (m, r, c));
      _pb_plot_csv_number (&csv, rows[r]);
      _pb_plot_csv_end_row (&csv);
    }
  _pb_plot_csv_field (&csv, name);
  for (guint c = 0; c < m->n_cols; c++)
    _pb_plot_csv_number (&csv, cols[c]);
  _pb_plot_csv_field (&csv, NULL);
  _pb_plot_csv_end_row (&csv);

  return g_string_free (csv.text, FALSE);
}
