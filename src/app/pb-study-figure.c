/* pb-study-figure.c — converts stored trials (PbTrial, as pb_study_load_trials
 * returns them) into a PbPlotStudyData that owns everything it points to, so a
 * PbPlotView can keep it (pb_plot_view_set_figure with pb_study_figure_free).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "pb-study-figure.h"

#include <math.h>

/* PbPlotStudyData first: the view draws it; the rest is what it borrows */
typedef struct
{
  PbPlotStudyData  data;
  PbSearchSpace   *space;
  PbPlotParam     *params;
  PbPlotTrial     *trials;
  double          *values;        /* n_trials × n_params */
  double          *intermediate;  /* all trials' reports, back to back */
  double          *steps;
  char            *title;
  char            *objective_label;
  char            *step_label;
} StudyFigure;

static PbPlotTrialState
plot_state (PbTrialState state)
{
  switch (state)
    {
    case PB_TRIAL_STATE_COMPLETE:
      return PB_PLOT_TRIAL_COMPLETE;

    case PB_TRIAL_STATE_PRUNED:
      return PB_PLOT_TRIAL_PRUNED;

    case PB_TRIAL_STATE_FAIL:
      return PB_PLOT_TRIAL_FAIL;

    case PB_TRIAL_STATE_RUNNING:
    case PB_TRIAL_STATE_WAITING:
    default:
      return PB_PLOT_TRIAL_RUNNING;
    }
}

/**
 * pb_study_figure_new:
 * @space: the study's search space (referenced)
 * @trials: (element-type PbTrial): the trials (copied)
 *
 * Returns: (transfer full): figure data for PB_PLOT_KIND_HISTORY,
 *   _INTERMEDIATE, _SLICE or _PARALLEL; free with pb_study_figure_free()
 */
PbPlotStudyData *
pb_study_figure_new (PbSearchSpace *space,
                     GPtrArray     *trials,
                     gboolean       maximize,
                     const char    *title,
                     const char    *objective_label,
                     const char    *step_label)
{
  StudyFigure *fig = g_new0 (StudyFigure, 1);
  guint n_params = space != NULL ? pb_search_space_get_n_params (space) : 0;
  guint n_trials = trials->len;
  gsize n_reports = 0, k = 0;

  fig->space = space != NULL ? pb_search_space_ref (space) : NULL;
  fig->title = g_strdup (title);
  fig->objective_label = g_strdup (objective_label);
  fig->step_label = g_strdup (step_label);

  fig->params = g_new0 (PbPlotParam, MAX (n_params, 1));
  for (guint p = 0; p < n_params; p++)
    {
      const PbParam *param = pb_search_space_get_param (space, p);

      fig->params[p].name = param->name;
      fig->params[p].log = param->log;
      if (param->kind == PB_PARAM_KIND_CATEGORICAL)
        {
          fig->params[p].choices = (const char * const *) param->choices;
          fig->params[p].n_choices = param->n_choices;
        }
    }

  for (guint i = 0; i < n_trials; i++)
    {
      const PbTrial *t = g_ptr_array_index (trials, i);

      n_reports += t->intermediate_values != NULL ? t->intermediate_values->len : 0;
    }

  fig->trials = g_new0 (PbPlotTrial, MAX (n_trials, 1));
  fig->values = g_new (double, MAX ((gsize) n_trials * n_params, 1));
  fig->intermediate = g_new (double, MAX (n_reports, 1));
  fig->steps = g_new (double, MAX (n_reports, 1));

  for (guint i = 0; i < n_trials; i++)
    {
      const PbTrial *t = g_ptr_array_index (trials, i);
      PbPlotTrial *pt = &fig->trials[i];
      double *values = fig->values + (gsize) i * n_params;
      guint n_iv = t->intermediate_values != NULL ? t->intermediate_values->len : 0;

      pt->number = (guint) MAX (t->number, 0);
      pt->state = plot_state (t->state);
      pt->value = t->has_value ? t->value : NAN;
      for (guint p = 0; p < n_params; p++)
        {
          const PbTrialParam *tp = pb_trial_lookup_param (t, pb_search_space_get_param (space,
                                                                                      p)->name);

          values[p] = tp != NULL ? tp->internal : NAN;
        }
      pt->params = n_params > 0 ? values : NULL;

      pt->intermediate = fig->intermediate + k;
      pt->intermediate_steps = fig->steps + k;
      pt->n_intermediate = n_iv;
      for (guint j = 0; j < n_iv; j++, k++)
        {
          const PbIntermediateValue *iv = &g_array_index (t->intermediate_values,
                                                          PbIntermediateValue, j);

          fig->intermediate[k] = iv->value;
          fig->steps[k] = (double) iv->step;
        }
    }

  fig->data.title = fig->title;
  fig->data.objective_label = fig->objective_label;
  fig->data.step_label = fig->step_label;
  fig->data.maximize = maximize;
  fig->data.params = fig->params;
  fig->data.n_params = n_params;
  fig->data.trials = fig->trials;
  fig->data.n_trials = n_trials;

  return &fig->data;
}

void
pb_study_figure_free (PbPlotStudyData *data)
{
  StudyFigure *fig = (StudyFigure *) data;

  if (fig == NULL)
    return;
  g_clear_pointer (&fig->space, pb_search_space_unref);
  g_free (fig->params);
  g_free (fig->trials);
  g_free (fig->values);
  g_free (fig->intermediate);
  g_free (fig->steps);
  g_free (fig->title);
  g_free (fig->objective_label);
  g_free (fig->step_label);
  g_free (fig);
}
