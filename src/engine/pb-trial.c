/* pb-trial.c — one trial of a study as Optuna's storage records it.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "pb-trial.h"

#include <math.h>

static const char * const state_names[] = {
  [PB_TRIAL_STATE_RUNNING]  = "RUNNING",
  [PB_TRIAL_STATE_COMPLETE] = "COMPLETE",
  [PB_TRIAL_STATE_PRUNED]   = "PRUNED",
  [PB_TRIAL_STATE_FAIL]     = "FAIL",
  [PB_TRIAL_STATE_WAITING]  = "WAITING",
};

const char *
pb_trial_state_to_string (PbTrialState state)
{
  g_return_val_if_fail ((guint) state < G_N_ELEMENTS (state_names), "FAIL");
  return state_names[state];
}

gboolean
pb_trial_state_from_string (const char   *text,
                            PbTrialState *state)
{
  for (guint i = 0; i < G_N_ELEMENTS (state_names); i++)
    if (g_strcmp0 (text, state_names[i]) == 0)
      {
        *state = (PbTrialState) i;
        return TRUE;
      }
  return FALSE;
}

const char *
pb_study_direction_to_string (PbStudyDirection direction)
{
  return direction == PB_STUDY_DIRECTION_MAXIMIZE ? "MAXIMIZE" : "MINIMIZE";
}

static void
trial_param_free (PbTrialParam *param)
{
  g_free (param->name);
  pb_param_free (param->distribution);
  g_free (param);
}

PbTrial *
pb_trial_new (void)
{
  PbTrial *trial = g_new0 (PbTrial, 1);

  trial->params = g_ptr_array_new_with_free_func ((GDestroyNotify) trial_param_free);
  trial->intermediate_values = g_array_new (FALSE, FALSE, sizeof (PbIntermediateValue));
  return trial;
}

void
pb_trial_free (PbTrial *trial)
{
  if (trial == NULL)
    return;
  g_ptr_array_unref (trial->params);
  g_array_unref (trial->intermediate_values);
  g_free (trial->datetime_start);
  g_free (trial->datetime_complete);
  g_free (trial->fixed_params_json);
  g_free (trial);
}

void
pb_trial_add_param (PbTrial       *trial,
                    const char    *name,
                    double         internal,
                    const PbParam *distribution)
{
  PbTrialParam *param = g_new0 (PbTrialParam, 1);

  param->name = g_strdup (name);
  param->internal = internal;
  param->distribution = pb_param_copy (distribution);
  g_ptr_array_add (trial->params, param);
}

const PbTrialParam *
pb_trial_lookup_param (const PbTrial *trial,
                       const char    *name)
{
  for (guint i = 0; i < trial->params->len; i++)
    {
      const PbTrialParam *param = g_ptr_array_index (trial->params, i);

      if (g_str_equal (param->name, name))
        return param;
    }
  return NULL;
}

/* Keeps the array sorted by step; a second report for a step replaces nothing
 * (Optuna ignores it with a warning). */
void
pb_trial_set_intermediate_value (PbTrial *trial,
                                 gint64   step,
                                 double   value)
{
  GArray *values = trial->intermediate_values;
  PbIntermediateValue iv = { step, value };
  guint i;

  for (i = 0; i < values->len; i++)
    {
      const PbIntermediateValue *v = &g_array_index (values, PbIntermediateValue, i);

      if (v->step == step)
        return;
      if (v->step > step)
        break;
    }
  g_array_insert_val (values, i, iv);
}

gboolean
pb_trial_get_intermediate_value (const PbTrial *trial,
                                 gint64         step,
                                 double        *value)
{
  for (guint i = 0; i < trial->intermediate_values->len; i++)
    {
      const PbIntermediateValue *v = &g_array_index (trial->intermediate_values,
                                                     PbIntermediateValue, i);
      if (v->step == step)
        {
          *value = v->value;
          return TRUE;
        }
    }
  return FALSE;
}

gboolean
pb_trial_get_last_step (const PbTrial *trial,
                        gint64        *step)
{
  guint n = trial->intermediate_values->len;

  if (n == 0)
    return FALSE;
  *step = g_array_index (trial->intermediate_values, PbIntermediateValue, n - 1).step;
  return TRUE;
}

gboolean
pb_trial_is_finished (const PbTrial *trial)
{
  return trial->state == PB_TRIAL_STATE_COMPLETE || trial->state == PB_TRIAL_STATE_PRUNED ||
         trial->state == PB_TRIAL_STATE_FAIL;
}

/**
 * pb_trials_find_best:
 * @trials: (element-type PbTrial)
 *
 * Optuna's `study.best_trial`: the COMPLETE trial with the best value, the
 * lowest number on ties.
 *
 * Returns: (nullable) (transfer none): the best trial, %NULL if none is COMPLETE.
 */
const PbTrial *
pb_trials_find_best (GPtrArray        *trials,
                     PbStudyDirection  direction)
{
  const PbTrial *best = NULL;

  for (guint i = 0; i < trials->len; i++)
    {
      const PbTrial *t = g_ptr_array_index (trials, i);

      if (t->state != PB_TRIAL_STATE_COMPLETE || !t->has_value || isnan (t->value))
        continue;
      if (best == NULL ||
          (direction == PB_STUDY_DIRECTION_MINIMIZE ? t->value < best->value
                                                    : t->value > best->value) ||
          (t->value == best->value && t->number < best->number))
        best = t;
    }
  return best;
}
