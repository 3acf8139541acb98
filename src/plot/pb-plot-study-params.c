/* pb-plot-study-params.c — objective against parameters: slice plots and
 * parallel coordinates.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "pb-plot-study.h"

#include "pb-plot-private.h"

#include <math.h>
#include <string.h>

static const char *
objective_label (const PbPlotStudyData *data)
{
  return data->objective_label != NULL ? data->objective_label : "Objective value";
}

static gboolean
trial_has_value (const PbPlotStudyData *data,
                 const PbPlotTrial     *trial)
{
  return trial->state == PB_PLOT_TRIAL_COMPLETE && isfinite (trial->value) &&
         (!data->log_objective || trial->value > 0);
}

static gboolean
param_ok (const PbPlotParam *param,
          double             v)
{
  if (!isfinite (v))
    return FALSE;
  if (param->n_choices > 0)
    return v >= 0 && v < param->n_choices;
  return !param->log || v > 0;
}

static double
trial_param (const PbPlotTrial *t,
             guint              p)
{
  return t->params != NULL ? t->params[p] : NAN;
}

static gboolean
params_check (const PbPlotStudyData  *data,
              GError                **error)
{
  if (!pb_plot_study_check (data, error))
    return FALSE;
  if (data->n_params == 0)
    {
      g_set_error (error, PB_PLOT_ERROR, PB_PLOT_ERROR_INVALID_ARGUMENT,
                   "Study has no parameters to plot against");
      return FALSE;
    }
  return TRUE;
}

/* An axis for parameter @param: categories, log or linear. */
static void
param_axis (PbPlotAxis            *axis,
            const PbPlotStudyData *data,
            guint                  p,
            gboolean               fixed)
{
  const PbPlotParam *param = &data->params[p];
  double lo = INFINITY, hi = -INFINITY;

  axis->title = param->name;
  if (param->n_choices > 0)
    {
      axis->log = FALSE;
      axis->lo = -0.5;
      axis->hi = param->n_choices - 0.5;
      axis->ellipsize = TRUE;
      for (guint c = 0; c < param->n_choices; c++)
        _pb_plot_axis_add_tick (axis, c, param->choices[c]);
      return;
    }

  for (guint i = 0; i < data->n_trials; i++)
    {
      double v = trial_param (&data->trials[i], p);

      if (trial_has_value (data, &data->trials[i]) && param_ok (param, v))
        {
          lo = MIN (lo, v);
          hi = MAX (hi, v);
        }
    }
  if (!isfinite (lo))
    lo = param->log ? 1 : 0, hi = param->log ? 10 : 1;

  if (fixed)
    {
      if (lo == hi)
        lo = param->log ? lo / 2 : lo - 0.5, hi = param->log ? hi * 2 : hi + 0.5;
      _pb_plot_axis_set_fixed (axis, lo, hi, param->log);
    }
  else
    _pb_plot_axis_set_auto (axis, lo, hi, param->log);
}

static void
trial_number_range (const PbPlotStudyData *data,
                    double                *lo,
                    double                *hi)
{
  *lo = INFINITY;
  *hi = -INFINITY;
  for (guint i = 0; i < data->n_trials; i++)
    if (trial_has_value (data, &data->trials[i]))
      {
        *lo = MIN (*lo, data->trials[i].number);
        *hi = MAX (*hi, data->trials[i].number);
      }
  if (*hi <= *lo)
    *hi = *lo + 1;
}

/* slice ----------------------------------------------------------------- */

/**
 * pb_plot_slice_draw:
 * @cr: where to draw
 * @width: width in user units (px on screen, pt in files)
 * @height: height in user units
 * @data: the study with its parameters
 * @style: (nullable): the look; %NULL for print defaults
 * @error: return location for an error
 *
 * One panel per parameter: objective against the parameter's value (log x
 * for log-sampled parameters, categories for categorical ones), points
 * coloured by trial number.
 */
gboolean
pb_plot_slice_draw (cairo_t                *cr,
                    double                  width,
                    double                  height,
                    const PbPlotStudyData  *data,
                    const PbPlotStyle      *style,
                    GError                **error)
{
  g_autoptr(GError) local_error = NULL;
  PbPlotStyle storage;
  PbPlotColorBar bar = { .map = PB_PLOT_COLOR_MAP_VIRIDIS, .label = "Trial" };
  double fs, top, bar_w, strip, y_min = INFINITY, y_max = -INFINITY;
  guint n_cols, n_rows;

  g_return_val_if_fail (cr != NULL, FALSE);

  style = _pb_plot_style_or_default (style, &storage);
  if (!_pb_plot_check_size (width, height, error))
    return FALSE;
  if (!params_check (data, &local_error))
    {
      _pb_plot_draw_message (cr, style, width, height, local_error->message);
      g_propagate_error (error, g_steal_pointer (&local_error));
      return FALSE;
    }

  fs = style->font_size;
  trial_number_range (data, &bar.lo, &bar.hi);
  for (guint i = 0; i < data->n_trials; i++)
    if (trial_has_value (data, &data->trials[i]))
      {
        y_min = MIN (y_min, data->trials[i].value);
        y_max = MAX (y_max, data->trials[i].value);
      }

  bar_w = _pb_plot_color_bar_measure (cr, style, &bar);
  {
    /* one objective title for the whole grid, on its left */
    g_autofree char *escaped = g_markup_escape_text (objective_label (data), -1);
    PangoLayout *layout = _pb_plot_text_new (cr, style, 1.0, FALSE, escaped);

    _pb_plot_text_size (layout, NULL, &strip);
    strip += 0.4 * fs;
    g_object_unref (layout);
  }
  n_cols = CLAMP ((guint) ((width - bar_w - strip) / (12 * fs)), 1, data->n_params);
  n_rows = (data->n_params + n_cols - 1) / n_cols;

  cairo_save (cr);
  _pb_plot_paint_background (cr, style, width, height);
  top = 0.4 * fs;
  top += _pb_plot_title_draw (cr, style, data->title, fs / 2, top, width - fs, TRUE);

  {
    double cell_w = (width - bar_w - strip) / n_cols;
    double cell_h = (height - top) / n_rows;
    PbPlotRect first_plot = { 0 }, last_plot = { 0 };

    for (guint p = 0; p < data->n_params; p++)
      {
        guint row = p / n_cols, col = p % n_cols;
        PbPlotChart chart;

        _pb_plot_chart_init (&chart, strip + col * cell_w, top + row * cell_h, cell_w, cell_h);
        param_axis (&chart.x, data, p, FALSE);
        _pb_plot_axis_set_auto (&chart.y, y_min, y_max, data->log_objective);
        _pb_plot_chart_layout (cr, style, &chart);
        if (p == 0)
          first_plot = chart.plot;
        last_plot = chart.plot;
        _pb_plot_chart_draw_under (cr, style, &chart);

        cairo_save (cr);
        cairo_rectangle (cr, chart.plot.x, chart.plot.y, chart.plot.width, chart.plot.height);
        cairo_clip (cr);
        for (guint i = 0; i < data->n_trials; i++)
          {
            const PbPlotTrial *t = &data->trials[i];
            double v = trial_param (t, p);
            PbPlotRgb rgb;

            if (!trial_has_value (data, t) || !param_ok (&data->params[p], v))
              continue;
            pb_plot_color_map_eval (bar.map, _pb_plot_color_bar_position (&bar, t->number), &rgb);
            _pb_plot_marker (cr, _pb_plot_axis_map (&chart.x, v),
                             _pb_plot_axis_map (&chart.y, t->value), style->marker_size * 1.2);
            _pb_plot_set_rgb (cr, &rgb);
            cairo_fill_preserve (cr);
            _pb_plot_set_rgba (cr, &style->foreground, 0.6);
            cairo_set_line_width (cr, 0.3);
            cairo_stroke (cr);
          }
        cairo_restore (cr);

        _pb_plot_chart_draw_over (cr, style, &chart);
        _pb_plot_chart_clear (&chart);
      }

    {
      PbPlotRect box = { width - bar_w - 0.2 * fs, first_plot.y, 0,
                         MAX (last_plot.y + last_plot.height - first_plot.y, fs) };
      g_autofree char *escaped = g_markup_escape_text (objective_label (data), -1);
      PangoLayout *layout = _pb_plot_text_new (cr, style, 1.0, FALSE, escaped);

      _pb_plot_color_bar_draw (cr, style, &bar, &box);
      _pb_plot_set_rgb (cr, &style->foreground);
      _pb_plot_text_show (cr, layout, 0.2 * fs, (first_plot.y + box.y + box.height) / 2,
                          0, 0.5, TRUE);
      g_object_unref (layout);
    }
  }
  cairo_restore (cr);

  return TRUE;
}

/* parallel coordinates -------------------------------------------------- */

typedef struct
{
  const PbPlotTrial *trial;
  double             value;
} Ranked;

static int
compare_ranked (gconstpointer a,
                gconstpointer b,
                gpointer      user_data)
{
  const Ranked *ra = a, *rb = b;
  gboolean maximize = GPOINTER_TO_INT (user_data);
  int order = (ra->value > rb->value) - (ra->value < rb->value);

  /* worst first, so that the best trials are drawn on top */
  return maximize ? order : -order;
}

/**
 * pb_plot_parallel_draw:
 *
 * Parallel coordinates: one vertical axis for the objective and one per
 * parameter; each complete trial is a line coloured by its objective value,
 * the best drawn last.
 */
gboolean
pb_plot_parallel_draw (cairo_t                *cr,
                       double                  width,
                       double                  height,
                       const PbPlotStudyData  *data,
                       const PbPlotStyle      *style,
                       GError                **error)
{
  g_autoptr(GError) local_error = NULL;
  g_autoptr(GArray) ranked = NULL;
  g_autofree PbPlotAxis *axes = NULL;
  g_autofree double *name_w = NULL;
  PbPlotStyle storage;
  PbPlotColorBar bar = { .map = PB_PLOT_COLOR_MAP_VIRIDIS, .log = FALSE };
  double fs, top, bottom, bar_w, left, right, spacing, name_h = 0;
  guint n_axes;
  gboolean stagger = FALSE;

  g_return_val_if_fail (cr != NULL, FALSE);

  style = _pb_plot_style_or_default (style, &storage);
  if (!_pb_plot_check_size (width, height, error))
    return FALSE;
  if (!params_check (data, &local_error))
    {
      _pb_plot_draw_message (cr, style, width, height, local_error->message);
      g_propagate_error (error, g_steal_pointer (&local_error));
      return FALSE;
    }

  fs = style->font_size;
  n_axes = data->n_params + 1;
  axes = g_new0 (PbPlotAxis, n_axes);
  name_w = g_new0 (double, n_axes);

  ranked = g_array_new (FALSE, FALSE, sizeof (Ranked));
  for (guint i = 0; i < data->n_trials; i++)
    {
      const PbPlotTrial *t = &data->trials[i];
      Ranked r = { t, t->value };
      gboolean complete = trial_has_value (data, t);

      for (guint p = 0; p < data->n_params && complete; p++)
        complete = param_ok (&data->params[p], trial_param (t, p));
      if (complete)
        g_array_append_val (ranked, r);
    }
  g_array_sort_with_data (ranked, compare_ranked, GINT_TO_POINTER (data->maximize));

  /* objective axis first, spanning exactly the values shown */
  _pb_plot_axis_init (&axes[0], objective_label (data));
  bar.lo = INFINITY;
  bar.hi = -INFINITY;
  for (guint i = 0; i < data->n_trials; i++)
    if (trial_has_value (data, &data->trials[i]))
      {
        bar.lo = MIN (bar.lo, data->trials[i].value);
        bar.hi = MAX (bar.hi, data->trials[i].value);
      }
  if (bar.hi <= bar.lo)
    bar.hi = bar.lo + 1;
  bar.log = data->log_objective;
  bar.label = objective_label (data);
  _pb_plot_axis_set_fixed (&axes[0], bar.lo, bar.hi, data->log_objective);
  for (guint p = 0; p < data->n_params; p++)
    {
      _pb_plot_axis_init (&axes[p + 1], NULL);
      param_axis (&axes[p + 1], data, p, TRUE);
    }

  cairo_save (cr);
  _pb_plot_paint_background (cr, style, width, height);
  top = 0.4 * fs;
  top += _pb_plot_title_draw (cr, style, data->title, fs / 2, top, width - fs, TRUE);
  top += 0.9 * fs;

  bar_w = _pb_plot_color_bar_measure (cr, style, &bar);
  {
    /* tick labels sit left of each axis; the first axis needs that room */
    PbPlotAxis probe = axes[0];

    probe.title = NULL;
    left = _pb_plot_axis_measure (cr, style, &probe, TRUE) + 0.6 * fs;
  }
  right = bar_w + 1.5 * fs;
  spacing = n_axes > 1 ? (width - left - right) / (n_axes - 1) : 0;

  for (guint a = 0; a < n_axes; a++)
    {
      const char *name = a == 0 ? "Objective" : data->params[a - 1].name;
      g_autofree char *escaped = g_markup_escape_text (name != NULL ? name : "", -1);
      PangoLayout *layout = _pb_plot_text_new (cr, style, 1.0, FALSE, escaped);

      _pb_plot_text_size (layout, &name_w[a], &name_h);
      g_object_unref (layout);
      if (a > 0 && (name_w[a] + name_w[a - 1]) / 2 + 0.5 * fs > spacing)
        stagger = TRUE;
    }
  bottom = height - (stagger ? 2 : 1) * (name_h + 0.2 * fs) - 0.6 * fs;

  for (guint a = 0; a < n_axes; a++)
    {
      axes[a].p0 = bottom;
      axes[a].p1 = top;
    }

  /* trial lines */
  cairo_set_line_width (cr, style->line_width * 0.8);
  cairo_set_line_join (cr, CAIRO_LINE_JOIN_ROUND);
  for (guint i = 0; i < ranked->len; i++)
    {
      const Ranked *r = &g_array_index (ranked, Ranked, i);
      PbPlotRgb rgb;

      pb_plot_color_map_eval (bar.map, _pb_plot_color_bar_position (&bar, r->value), &rgb);
      _pb_plot_set_rgba (cr, &rgb, 0.85);
      for (guint a = 0; a < n_axes; a++)
        {
          double v = a == 0 ? r->value : trial_param (r->trial, a - 1);
          double x = left + a * spacing, y = _pb_plot_axis_map (&axes[a], v);

          if (a == 0)
            cairo_move_to (cr, x, y);
          else
            cairo_line_to (cr, x, y);
        }
      cairo_stroke (cr);
    }

  /* axes over the lines, with their names below */
  for (guint a = 0; a < n_axes; a++)
    {
      PbPlotRect column = { left + a * spacing, top, 0, bottom - top };
      const char *name = a == 0 ? "Objective" : data->params[a - 1].name;
      g_autofree char *escaped = g_markup_escape_text (name != NULL ? name : "", -1);
      PangoLayout *layout = _pb_plot_text_new (cr, style, 1.0, FALSE, escaped);
      double y = bottom + 0.6 * fs + (stagger && a % 2 == 1 ? name_h + 0.2 * fs : 0);

      axes[a].title = NULL;
      axes[a].halo = TRUE;
      _pb_plot_axis_draw (cr, style, &axes[a], TRUE, column.x, &column);
      _pb_plot_set_rgb (cr, &style->foreground);
      _pb_plot_text_show (cr, layout, column.x, y, 0.5, 0, FALSE);
      g_object_unref (layout);
      _pb_plot_axis_clear (&axes[a]);
    }

  {
    PbPlotRect box = { width - bar_w - 0.2 * fs, top, 0, bottom - top };

    _pb_plot_color_bar_draw (cr, style, &bar, &box);
  }
  cairo_restore (cr);

  return TRUE;
}

/**
 * pb_plot_params_to_csv:
 *
 * The data of the slice and parallel plots: `trial,state,value,<param>…`,
 * one line per trial; categorical values as their choice names.
 *
 * Returns: (transfer full) (nullable): the CSV text
 */
char *
pb_plot_params_to_csv (const PbPlotStudyData  *data,
                       GError                **error)
{
  PbPlotCsv csv = { NULL, 0 };

  if (!params_check (data, error))
    return NULL;

  csv.text = g_string_new (NULL);
  _pb_plot_csv_field (&csv, "trial");
  _pb_plot_csv_field (&csv, "state");
  _pb_plot_csv_field (&csv, "value");
  for (guint p = 0; p < data->n_params; p++)
    _pb_plot_csv_field (&csv, data->params[p].name);
  _pb_plot_csv_end_row (&csv);

  for (guint i = 0; i < data->n_trials; i++)
    {
      const PbPlotTrial *t = &data->trials[i];

      _pb_plot_csv_number (&csv, t->number);
      _pb_plot_csv_field (&csv, pb_plot_trial_state_to_string (t->state));
      _pb_plot_csv_number (&csv, t->value);
      for (guint p = 0; p < data->n_params; p++)
        {
          const PbPlotParam *param = &data->params[p];
          double v = trial_param (t, p);

          if (param->n_choices > 0 && param_ok (param, v))
            _pb_plot_csv_field (&csv, param->choices[(guint) v]);
          else
            _pb_plot_csv_number (&csv, v);
        }
      _pb_plot_csv_end_row (&csv);
    }

  return g_string_free (csv.text, FALSE);
}
