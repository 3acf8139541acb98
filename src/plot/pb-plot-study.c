/* pb-plot-study.c — optimisation history and intermediate values of a study.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "pb-plot-study.h"

#include "pb-plot-private.h"

#include <math.h>

const char *
pb_plot_trial_state_to_string (PbPlotTrialState state)
{
  switch (state)
    {
    case PB_PLOT_TRIAL_COMPLETE:
      return "COMPLETE";

    case PB_PLOT_TRIAL_PRUNED:
      return "PRUNED";

    case PB_PLOT_TRIAL_FAIL:
      return "FAIL";

    case PB_PLOT_TRIAL_RUNNING:
      return "RUNNING";

    default:
      return "UNKNOWN";
    }
}

/* A complete trial with a value the objective axis can show. */
static gboolean
trial_has_value (const PbPlotStudyData *data,
                 const PbPlotTrial     *trial)
{
  return trial->state == PB_PLOT_TRIAL_COMPLETE && isfinite (trial->value) &&
         (!data->log_objective || trial->value > 0);
}

/**
 * pb_plot_study_check:
 *
 * Returns: %TRUE when @data has trials and at least one complete trial with
 *   a finite objective value (positive on a log axis).
 */
gboolean
pb_plot_study_check (const PbPlotStudyData  *data,
                     GError                **error)
{
  if (data == NULL || data->trials == NULL || data->n_trials == 0)
    {
      g_set_error (error, PB_PLOT_ERROR, PB_PLOT_ERROR_INVALID_ARGUMENT, "Study has no trials");
      return FALSE;
    }
  if (data->n_params > 0 && data->params == NULL)
    {
      g_set_error (error, PB_PLOT_ERROR, PB_PLOT_ERROR_INVALID_ARGUMENT,
                   "Study lists %u parameters but gives none", data->n_params);
      return FALSE;
    }

  for (guint i = 0; i < data->n_trials; i++)
    if (trial_has_value (data, &data->trials[i]))
      return TRUE;

  g_set_error (error, PB_PLOT_ERROR, PB_PLOT_ERROR_INVALID_ARGUMENT,
               "Study has no complete trial with a%s objective value",
               data->log_objective ? " positive" : " finite");
  return FALSE;
}

static const char *
objective_label (const PbPlotStudyData *data)
{
  return data->objective_label != NULL ? data->objective_label : "Objective value";
}

static gboolean
draw_failed (cairo_t            *cr,
             const PbPlotStyle  *style,
             double              width,
             double              height,
             GError             *local_error,
             GError            **error)
{
  _pb_plot_draw_message (cr, style, width, height, local_error->message);
  g_propagate_error (error, local_error);
  return FALSE;
}

/* history --------------------------------------------------------------- */

static int
compare_trial_numbers (gconstpointer a,
                       gconstpointer b)
{
  const PbPlotTrial *ta = *(const PbPlotTrial * const *) a;
  const PbPlotTrial *tb = *(const PbPlotTrial * const *) b;

  return (ta->number > tb->number) - (ta->number < tb->number);
}

/* Complete trials with values, by number. */
static GPtrArray *
sorted_trials (const PbPlotStudyData *data)
{
  GPtrArray *trials = g_ptr_array_new ();

  for (guint i = 0; i < data->n_trials; i++)
    if (trial_has_value (data, &data->trials[i]))
      g_ptr_array_add (trials, (gpointer) &data->trials[i]);
  g_ptr_array_sort (trials, compare_trial_numbers);

  return trials;
}

/**
 * pb_plot_history_draw:
 * @cr: where to draw
 * @width: width in user units (px on screen, pt in files)
 * @height: height in user units
 * @data: the study
 * @style: (nullable): the look; %NULL for print defaults
 * @error: return location for an error
 *
 * Objective value of each complete trial against its number, and the best
 * value so far as a step line.
 */
gboolean
pb_plot_history_draw (cairo_t                *cr,
                      double                  width,
                      double                  height,
                      const PbPlotStudyData  *data,
                      const PbPlotStyle      *style,
                      GError                **error)
{
  GError *local_error = NULL;
  g_autoptr(GPtrArray) trials = NULL;
  PbPlotLegendItem legend[2];
  PbPlotStyle storage;
  PbPlotChart chart;
  double x_min = INFINITY, x_max = -INFINITY, y_min = INFINITY, y_max = -INFINITY;
  double best = NAN;

  g_return_val_if_fail (cr != NULL, FALSE);

  style = _pb_plot_style_or_default (style, &storage);
  if (!_pb_plot_check_size (width, height, error))
    return FALSE;
  if (!pb_plot_study_check (data, &local_error))
    return draw_failed (cr, style, width, height, local_error, error);

  trials = sorted_trials (data);
  for (guint i = 0; i < trials->len; i++)
    {
      const PbPlotTrial *t = g_ptr_array_index (trials, i);

      x_min = MIN (x_min, t->number);
      x_max = MAX (x_max, t->number);
      y_min = MIN (y_min, t->value);
      y_max = MAX (y_max, t->value);
    }

  legend[0] = (PbPlotLegendItem) { .label = objective_label (data), .kind = PB_PLOT_LEGEND_MARKER };
  legend[1] = (PbPlotLegendItem) { .label = "Best value", .kind = PB_PLOT_LEGEND_LINE };
  pb_plot_style_get_color (style, 0, &legend[0].rgb);
  pb_plot_style_get_color (style, 1, &legend[1].rgb);

  cairo_save (cr);
  _pb_plot_paint_background (cr, style, width, height);
  _pb_plot_chart_init (&chart, 0, 0, width, height);
  chart.title = data->title;
  chart.legend = legend;
  chart.n_legend = 2;
  chart.x.title = "Trial";
  chart.y.title = objective_label (data);
  _pb_plot_axis_set_counts (&chart.x, x_min, x_max);
  _pb_plot_axis_set_auto (&chart.y, y_min, y_max, data->log_objective);
  _pb_plot_chart_layout (cr, style, &chart);
  _pb_plot_chart_draw_under (cr, style, &chart);

  cairo_save (cr);
  cairo_rectangle (cr, chart.plot.x, chart.plot.y, chart.plot.width, chart.plot.height);
  cairo_clip (cr);

  /* best so far: a step line that changes at the trial that improved it */
  _pb_plot_set_rgb (cr, &legend[1].rgb);
  cairo_set_line_width (cr, style->line_width);
  cairo_set_line_join (cr, CAIRO_LINE_JOIN_MITER);
  for (guint i = 0; i < trials->len; i++)
    {
      const PbPlotTrial *t = g_ptr_array_index (trials, i);
      double px = _pb_plot_axis_map (&chart.x, t->number);

      if (isnan (best))
        {
          best = t->value;
          cairo_move_to (cr, px, _pb_plot_axis_map (&chart.y, best));
          continue;
        }
      cairo_line_to (cr, px, _pb_plot_axis_map (&chart.y, best));
      if (data->maximize ? t->value > best : t->value < best)
        best = t->value;
      cairo_line_to (cr, px, _pb_plot_axis_map (&chart.y, best));
    }
  cairo_stroke (cr);

  _pb_plot_set_rgb (cr, &legend[0].rgb);
  for (guint i = 0; i < trials->len; i++)
    {
      const PbPlotTrial *t = g_ptr_array_index (trials, i);

      _pb_plot_marker (cr, _pb_plot_axis_map (&chart.x, t->number),
                       _pb_plot_axis_map (&chart.y, t->value), style->marker_size);
    }
  cairo_fill (cr);
  cairo_restore (cr);

  _pb_plot_chart_draw_over (cr, style, &chart);
  _pb_plot_chart_clear (&chart);
  cairo_restore (cr);

  return TRUE;
}

/**
 * pb_plot_history_to_csv:
 *
 * `trial,state,value,best`: every trial by number; best is the best value
 * of the complete trials up to and including this one.
 *
 * Returns: (transfer full) (nullable): the CSV text
 */
char *
pb_plot_history_to_csv (const PbPlotStudyData  *data,
                        GError                **error)
{
  g_autoptr(GPtrArray) all = NULL;
  PbPlotCsv csv = { NULL, 0 };
  double best = NAN;

  if (!pb_plot_study_check (data, error))
    return NULL;

  all = g_ptr_array_new ();
  for (guint i = 0; i < data->n_trials; i++)
    g_ptr_array_add (all, (gpointer) &data->trials[i]);
  g_ptr_array_sort (all, compare_trial_numbers);

  csv.text = g_string_new ("trial,state,value,best\n");
  for (guint i = 0; i < all->len; i++)
    {
      const PbPlotTrial *t = g_ptr_array_index (all, i);

      if (trial_has_value (data, t) &&
          (isnan (best) || (data->maximize ? t->value > best : t->value < best)))
        best = t->value;
      _pb_plot_csv_number (&csv, t->number);
      _pb_plot_csv_field (&csv, pb_plot_trial_state_to_string (t->state));
      _pb_plot_csv_number (&csv, t->value);
      _pb_plot_csv_number (&csv, best);
      _pb_plot_csv_end_row (&csv);
    }

  return g_string_free (csv.text, FALSE);
}

/* intermediate values --------------------------------------------------- */

static double
step_of (const PbPlotTrial *t,
         guint              i)
{
  return t->intermediate_steps != NULL ? t->intermediate_steps[i] : (double) i;
}

static gboolean
intermediate_ok (const PbPlotStudyData *data,
                 const PbPlotTrial     *t,
                 guint                  i)
{
  double v = t->intermediate[i];

  return isfinite (v) && isfinite (step_of (t, i)) && (!data->log_objective || v > 0);
}

static gboolean
intermediate_check (const PbPlotStudyData  *data,
                    GError                **error)
{
  if (data == NULL || data->trials == NULL || data->n_trials == 0)
    {
      g_set_error (error, PB_PLOT_ERROR, PB_PLOT_ERROR_INVALID_ARGUMENT, "Study has no trials");
      return FALSE;
    }
  for (guint i = 0; i < data->n_trials; i++)
    {
      const PbPlotTrial *t = &data->trials[i];

      for (guint j = 0; j < t->n_intermediate && t->intermediate != NULL; j++)
        if (intermediate_ok (data, t, j))
          return TRUE;
    }

  g_set_error (error, PB_PLOT_ERROR, PB_PLOT_ERROR_INVALID_ARGUMENT,
               "Study has no intermediate values to draw");
  return FALSE;
}

static guint
state_color (PbPlotTrialState state)
{
  switch (state)
    {
    case PB_PLOT_TRIAL_COMPLETE:
      return 0;

    case PB_PLOT_TRIAL_PRUNED:
      return 1;

    case PB_PLOT_TRIAL_RUNNING:
      return 2;

    case PB_PLOT_TRIAL_FAIL:
    default:
      return 6;
    }
}

/**
 * pb_plot_intermediate_draw:
 *
 * The values each trial reported per step (one line per trial), coloured by
 * state: complete, pruned (dashed), running.
 */
gboolean
pb_plot_intermediate_draw (cairo_t                *cr,
                           double                  width,
                           double                  height,
                           const PbPlotStudyData  *data,
                           const PbPlotStyle      *style,
                           GError                **error)
{
  static const PbPlotTrialState states[] = {
    PB_PLOT_TRIAL_COMPLETE, PB_PLOT_TRIAL_PRUNED, PB_PLOT_TRIAL_RUNNING, PB_PLOT_TRIAL_FAIL,
  };
  GError *local_error = NULL;
  PbPlotLegendItem legend[G_N_ELEMENTS (states)];
  guint n_legend = 0;
  PbPlotStyle storage;
  PbPlotChart chart;
  double x_min = INFINITY, x_max = -INFINITY, y_min = INFINITY, y_max = -INFINITY;

  g_return_val_if_fail (cr != NULL, FALSE);

  style = _pb_plot_style_or_default (style, &storage);
  if (!_pb_plot_check_size (width, height, error))
    return FALSE;
  if (!intermediate_check (data, &local_error))
    return draw_failed (cr, style, width, height, local_error, error);

  for (guint s = 0; s < G_N_ELEMENTS (states); s++)
    {
      gboolean present = FALSE;

      for (guint i = 0; i < data->n_trials; i++)
        {
          const PbPlotTrial *t = &data->trials[i];

          if (t->state != states[s] || t->intermediate == NULL)
            continue;
          for (guint j = 0; j < t->n_intermediate; j++)
            {
              if (!intermediate_ok (data, t, j))
                continue;
              present = TRUE;
              x_min = MIN (x_min, step_of (t, j));
              x_max = MAX (x_max, step_of (t, j));
              y_min = MIN (y_min, t->intermediate[j]);
              y_max = MAX (y_max, t->intermediate[j]);
            }
        }
      if (present)
        {
          static const char *names[] = { "Complete", "Pruned", "Running", "Failed" };

          legend[n_legend] = (PbPlotLegendItem) {
            .label = names[s],
            .kind = PB_PLOT_LEGEND_LINE,
            .dashed = states[s] == PB_PLOT_TRIAL_PRUNED,
          };
          pb_plot_style_get_color (style, state_color (states[s]), &legend[n_legend].rgb);
          n_legend++;
        }
    }

  cairo_save (cr);
  _pb_plot_paint_background (cr, style, width, height);
  _pb_plot_chart_init (&chart, 0, 0, width, height);
  chart.title = data->title;
  chart.legend = legend;
  chart.n_legend = n_legend;
  chart.x.title = data->step_label != NULL ? data->step_label : "Step";
  chart.y.title = objective_label (data);
  _pb_plot_axis_set_counts (&chart.x, x_min, x_max);
  _pb_plot_axis_set_auto (&chart.y, y_min, y_max, data->log_objective);
  _pb_plot_chart_layout (cr, style, &chart);
  _pb_plot_chart_draw_under (cr, style, &chart);

  cairo_save (cr);
  cairo_rectangle (cr, chart.plot.x, chart.plot.y, chart.plot.width, chart.plot.height);
  cairo_clip (cr);
  cairo_set_line_width (cr, style->line_width * 0.75);
  cairo_set_line_join (cr, CAIRO_LINE_JOIN_ROUND);
  for (guint i = 0; i < data->n_trials; i++)
    {
      const PbPlotTrial *t = &data->trials[i];
      gboolean pen_down = FALSE;
      guint n_points = 0;
      PbPlotRgb rgb;

      if (t->intermediate == NULL)
        continue;
      pb_plot_style_get_color (style, state_color (t->state), &rgb);
      _pb_plot_set_rgba (cr, &rgb, 0.85);
      if (t->state == PB_PLOT_TRIAL_PRUNED)
        {
          double dash[] = { 2.5 * style->line_width, 1.5 * style->line_width };
          cairo_set_dash (cr, dash, 2, 0);
        }
      else
        cairo_set_dash (cr, NULL, 0, 0);

      for (guint j = 0; j < t->n_intermediate; j++)
        {
          double px, py;

          if (!intermediate_ok (data, t, j))
            {
              pen_down = FALSE;
              continue;
            }
          px = _pb_plot_axis_map (&chart.x, step_of (t, j));
          py = _pb_plot_axis_map (&chart.y, t->intermediate[j]);
          if (pen_down)
            cairo_line_to (cr, px, py);
          else
            cairo_move_to (cr, px, py);
          pen_down = TRUE;
          n_points++;
        }
      cairo_stroke (cr);

      if (n_points == 1)   /* a trial pruned at its first step */
        for (guint j = 0; j < t->n_intermediate; j++)
          if (intermediate_ok (data, t, j))
            {
              _pb_plot_marker (cr, _pb_plot_axis_map (&chart.x, step_of (t, j)),
                               _pb_plot_axis_map (&chart.y, t->intermediate[j]),
                               style->marker_size);
              cairo_fill (cr);
            }
    }
  cairo_restore (cr);

  _pb_plot_chart_draw_over (cr, style, &chart);
  _pb_plot_chart_clear (&chart);
  cairo_restore (cr);

  return TRUE;
}

/**
 * pb_plot_intermediate_to_csv:
 *
 * `trial,state,step,value`, one line per reported value.
 *
 * Returns: (transfer full) (nullable): the CSV text
 */
char *
pb_plot_intermediate_to_csv (const PbPlotStudyData  *data,
                             GError                **error)
{
  PbPlotCsv csv = { NULL, 0 };

  if (!intermediate_check (data, error))
    return NULL;

  csv.text = g_string_new ("trial,state,step,value\n");
  for (guint i = 0; i < data->n_trials; i++)
    {
      const PbPlotTrial *t = &data->trials[i];

      for (guint j = 0; j < t->n_intermediate && t->intermediate != NULL; j++)
        {
          _pb_plot_csv_number (&csv, t->number);
          _pb_plot_csv_field (&csv, pb_plot_trial_state_to_string (t->state));
          _pb_plot_csv_number (&csv, step_of (t, j));
          _pb_plot_csv_number (&csv, t->intermediate[j]);
          _pb_plot_csv_end_row (&csv);
        }
    }

  return g_string_free (csv.text, FALSE);
}
