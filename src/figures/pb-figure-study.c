/* pb-figure-study.c — stored trials (PbTrial, as pb_storage_load_trials
 * returns them) as the data of a study figure: optimisation history,
 * intermediate values, slice, parallel coordinates.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "pb-figure-study.h"

#include "pb-figure-private.h"

#include "pb-error.h"

#include <glib/gi18n-lib.h>
#include <math.h>

#define ATTR_OBJECTIVE "perturb:objective"

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

static gboolean
is_study_kind (PbPlotKind kind)
{
  return kind == PB_PLOT_KIND_HISTORY || kind == PB_PLOT_KIND_INTERMEDIATE ||
         kind == PB_PLOT_KIND_SLICE || kind == PB_PLOT_KIND_PARALLEL;
}

/**
 * pb_figure_new_study:
 * @kind: %PB_PLOT_KIND_HISTORY, _INTERMEDIATE, _SLICE or _PARALLEL
 * @space: (nullable): the study's search space (referenced); %NULL draws no
 *   parameters (slice and parallel then have nothing to show)
 * @trials: (element-type PbTrial): the trials (copied)
 * @maximize: the study maximises its objective
 * @title: (nullable): figure title
 * @objective_label: (nullable): objective axis title
 * @step_label: (nullable): x title of the intermediate plot
 *
 * Returns: (transfer full): the figure
 */
PbFigure *
pb_figure_new_study (PbPlotKind      kind,
                     PbSearchSpace  *space,
                     GPtrArray      *trials,
                     gboolean        maximize,
                     const char     *title,
                     const char     *objective_label,
                     const char     *step_label)
{
  PbFigure *figure;
  PbPlotStudyData *data;
  PbPlotParam *params;
  PbPlotTrial *plot_trials;
  double *values, *intermediate, *steps;
  guint n_params = space != NULL ? pb_search_space_get_n_params (space) : 0;
  guint n_trials;
  gsize n_reports = 0, k = 0;

  g_return_val_if_fail (is_study_kind (kind), NULL);
  g_return_val_if_fail (trials != NULL, NULL);

  n_trials = trials->len;
  figure = pb_figure_new (kind);
  data = &figure->data.study;
  if (space != NULL)
    _pb_figure_take (figure, pb_search_space_ref (space),
                     (GDestroyNotify) pb_search_space_unref);

  params = _pb_figure_take (figure, g_new0 (PbPlotParam, MAX (n_params, 1)), g_free);
  for (guint p = 0; p < n_params; p++)
    {
      const PbParam *param = pb_search_space_get_param (space, p);

      params[p].name = param->name;
      params[p].log = param->log;
      if (param->kind == PB_PARAM_KIND_CATEGORICAL)
        {
          params[p].choices = (const char * const *) param->choices;
          params[p].n_choices = param->n_choices;
        }
    }

  for (guint i = 0; i < n_trials; i++)
    {
      const PbTrial *t = g_ptr_array_index (trials, i);

      n_reports += t->intermediate_values != NULL ? t->intermediate_values->len : 0;
    }

  plot_trials = _pb_figure_take (figure, g_new0 (PbPlotTrial, MAX (n_trials, 1)), g_free);
  values = _pb_figure_take (figure, g_new (double, MAX ((gsize) n_trials * n_params, 1)), g_free);
  intermediate = _pb_figure_take (figure, g_new (double, MAX (n_reports, 1)), g_free);
  steps = _pb_figure_take (figure, g_new (double, MAX (n_reports, 1)), g_free);

  for (guint i = 0; i < n_trials; i++)
    {
      const PbTrial *t = g_ptr_array_index (trials, i);
      PbPlotTrial *pt = &plot_trials[i];
      double *row = values + (gsize) i * n_params;
      guint n_iv = t->intermediate_values != NULL ? t->intermediate_values->len : 0;

      pt->number = (guint) MAX (t->number, 0);
      pt->state = plot_state (t->state);
      pt->value = t->has_value ? t->value : NAN;
      for (guint p = 0; p < n_params; p++)
        {
          const char *name = pb_search_space_get_param (space, p)->name;
          const PbTrialParam *tp = pb_trial_lookup_param (t, name);

          row[p] = tp != NULL ? tp->internal : NAN;
        }
      pt->params = n_params > 0 ? row : NULL;

      pt->intermediate = intermediate + k;
      pt->intermediate_steps = steps + k;
      pt->n_intermediate = n_iv;
      for (guint j = 0; j < n_iv; j++, k++)
        {
          const PbIntermediateValue *iv = &g_array_index (t->intermediate_values,
                                                          PbIntermediateValue, j);

          intermediate[k] = iv->value;
          steps[k] = (double) iv->step;
        }
    }

  data->title = _pb_figure_take_string (figure, g_strdup (title));
  data->objective_label = _pb_figure_take_string (figure, g_strdup (objective_label));
  data->step_label = _pb_figure_take_string (figure, g_strdup (step_label));
  data->maximize = maximize;
  data->params = params;
  data->n_params = n_params;
  data->trials = plot_trials;
  data->n_trials = n_trials;
  return figure;
}

/* @study is a name, or the number of a study when no study has that name */
static gboolean
find_study (PbStorage         *storage,
            const char        *study,
            char             **name,
            PbStudyDirection  *direction,
            GError           **error)
{
  g_autoptr(GError) local_error = NULL;
  g_auto(GStrv) names = NULL;
  gint64 id, wanted;
  char *end = NULL;

  if (pb_storage_find_study (storage, study, &id, direction, &local_error))
    {
      *name = g_strdup (study);
      return TRUE;
    }
  if (!g_error_matches (local_error, PB_ENGINE_ERROR, PB_ENGINE_ERROR_NOT_FOUND))
    {
      g_propagate_error (error, g_steal_pointer (&local_error));
      return FALSE;
    }

  wanted = g_ascii_strtoll (study, &end, 10);
  if (end != study && *end == '\0')
    {
      names = pb_storage_list_studies (storage, error);
      if (names == NULL)
        return FALSE;
      for (guint i = 0; names[i] != NULL; i++)
        {
          if (!pb_storage_find_study (storage, names[i], &id, direction, error))
            return FALSE;
          if (id == wanted)
            {
              *name = g_strdup (names[i]);
              return TRUE;
            }
        }
    }

  g_set_error (error, PB_ENGINE_ERROR, PB_ENGINE_ERROR_NOT_FOUND,
               "No study “%s” in this project (give a study name or number; "
               "`perturb study PROJECT` lists them)", study);
  return FALSE;
}

/**
 * pb_figure_load_study:
 * @project: the project
 * @kind: %PB_PLOT_KIND_HISTORY, _INTERMEDIATE, _SLICE or _PARALLEL
 * @storage_location: (nullable): where the study lives; %NULL for @project's file
 * @study: the study's name, or its number
 * @error: return location for an error
 *
 * Reads a study's trials and search space as the tune page shows them. A study
 * without trials is an error (%PB_ENGINE_ERROR_INVALID_DATA), as is slice or
 * parallel of a study whose search space is not stored (one Optuna made).
 *
 * Returns: (transfer full): the figure, or %NULL with @error set
 */
PbFigure *
pb_figure_load_study (PbProject   *project,
                      PbPlotKind   kind,
                      const char  *storage_location,
                      const char  *study,
                      GError     **error)
{
  g_autoptr(PbStorage) storage = NULL;
  g_autoptr(PbStudy) opened = NULL;
  g_autoptr(GPtrArray) trials = NULL;
  g_autoptr(GError) local_error = NULL;
  g_autofree char *name = NULL;
  g_autofree char *objective = NULL;
  PbSearchSpace *space = NULL;
  PbStudyDirection direction;
  gint64 id;
  PbFigure *figure;

  g_return_val_if_fail (project != NULL, NULL);
  g_return_val_if_fail (study != NULL, NULL);

  if (!is_study_kind (kind))
    {
      g_set_error (error, PB_ENGINE_ERROR, PB_ENGINE_ERROR_INVALID_ARGUMENT,
                   "A %s figure is not drawn from a study", pb_plot_kind_to_string (kind));
      return NULL;
    }

  storage = pb_storage_open (storage_location != NULL ? storage_location
                                                      : pb_project_get_path (project), error);
  if (storage == NULL)
    return NULL;
  if (!find_study (storage, study, &name, &direction, error) ||
      !pb_storage_find_study (storage, name, &id, &direction, error))
    return NULL;

  opened = pb_study_open (storage, name, NULL, NULL, &local_error);
  if (opened != NULL)
    space = pb_study_get_search_space (opened);
  else if (g_error_matches (local_error, PB_ENGINE_ERROR, PB_ENGINE_ERROR_NOT_FOUND) &&
           (kind == PB_PLOT_KIND_HISTORY || kind == PB_PLOT_KIND_INTERMEDIATE))
    g_clear_error (&local_error);
  else
    {
      g_propagate_error (error, g_steal_pointer (&local_error));
      return NULL;
    }

  trials = pb_storage_load_trials (storage, id, error);
  if (trials == NULL)
    return NULL;
  if (trials->len == 0)
    {
      g_set_error (error, PB_ENGINE_ERROR, PB_ENGINE_ERROR_INVALID_DATA,
                   "Study “%s” has no trials yet", name);
      return NULL;
    }
  if (!pb_storage_get_study_user_attr (storage, id, ATTR_OBJECTIVE, &objective, error))
    return NULL;

  figure = pb_figure_new_study (kind, space, trials, direction == PB_STUDY_DIRECTION_MAXIMIZE,
                                NULL,
                                g_strcmp0 (objective, "\"classifier\"") == 0
                                  ? _("Mean validation loss") : NULL,
                                kind == PB_PLOT_KIND_INTERMEDIATE ? _("Report") : NULL);
  _pb_figure_set_caption (figure, g_strdup_printf ("Study %s: %u trials", name, trials->len));
  return figure;
}
