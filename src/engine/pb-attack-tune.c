/* pb-attack-tune.c — one study trial = one stored attack run, scored by an objective.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "pb-attack-tune.h"

#include "pb-error.h"

#include <math.h>

/**
 * pb_attack_tune_config_init:
 * @config: (out): the reference's tuning settings: sparse_small_max, 1000
 *   iterations, 520 candidates drawn with seed 13579, `standard` preset
 */
void
pb_attack_tune_config_init (PbAttackTuneConfig *config)
{
  config->objective = PB_ATTACK_OBJECTIVE_SPARSE_SMALL_MAX;
  config->max_perts = 1;
  config->preset = PB_PROTOCOL_STANDARD;
  config->iterations = 1000;
  config->max_samples = 520;
  config->sample_seed = 13579;
}

/**
 * pb_attack_tune_params_from_trial:
 * @trial: a trial of a study over the attack search space
 * @config: the fixed settings
 * @params: (out): the attack of this trial
 * @error: return location for a #GError
 *
 * The study's space must hold the parameters (pb_attack_tune() checks).
 *
 * Returns: %TRUE on success; %FALSE when the trial names an unknown optimiser
 */
gboolean
pb_attack_tune_params_from_trial (PbStudyTrial             *trial,
                                  const PbAttackTuneConfig *config,
                                  PbAttackParams           *params,
                                  GError                  **error)
{
  const char *optimizer;
  PbOptimKind kind;
  gint64 log_batch;

  optimizer = pb_study_trial_get_choice (trial, "optimizer_name");
  if (!pb_optim_kind_from_name (optimizer, &kind))
    {
      g_set_error (error, PB_ENGINE_ERROR, PB_ENGINE_ERROR_INVALID_ARGUMENT,
                   "Unknown optimiser “%s” in the study", optimizer != NULL ? optimizer : "");
      return FALSE;
    }
  log_batch = pb_study_trial_get_int (trial, "log_batch_size");
  if (log_batch < 0 || log_batch > 20)
    {
      g_set_error (error, PB_ENGINE_ERROR, PB_ENGINE_ERROR_INVALID_ARGUMENT,
                   "log_batch_size %" G_GINT64_FORMAT " is out of range", log_batch);
      return FALSE;
    }

  pb_attack_params_init (params);
  params->preset = config->preset;
  params->kappa = pb_study_trial_get_value (trial, "kappa");
  params->lambda = pb_study_trial_get_value (trial, "lambda_1");
  pb_optim_config_init (&params->optim, kind);
  params->optim.lr = pb_study_trial_get_value (trial, "learning_rate");
  params->batch_size = 1u << log_batch;
  params->iterations = config->iterations;
  params->max_samples = config->max_samples;
  params->sample_seed = config->sample_seed;
  return pb_attack_params_validate (params, error);
}

typedef struct
{
  PbProject                *project;
  const char               *dataset_name;
  PbModel                  *model;
  gint64                    checkpoint_id;
  const PbAttackTuneConfig *config;
} TuneData;

static gboolean
attack_objective (PbStudyTrial  *trial,
                  double        *value,
                  gpointer       user_data,
                  GCancellable  *cancellable,
                  GError       **error)
{
  TuneData *d = user_data;
  g_autoptr(PbAttackResult) result = NULL;
  g_autofree char *attr = NULL;
  PbAttackParams params;
  gint64 run_id;
  guint n_success = 0;

  if (!pb_attack_tune_params_from_trial (trial, d->config, &params, error))
    return FALSE;
  run_id = pb_attack_run_create (d->project, d->dataset_name, d->model, d->checkpoint_id,
                                 &params, cancellable, error);
  if (run_id == 0)
    return FALSE;
  attr = g_strdup_printf ("%" G_GINT64_FORMAT, run_id);
  if (!pb_study_trial_set_user_attr (trial, "attack_run_id", attr, error))
    return FALSE;
  if (!pb_attack_run_execute (d->project, run_id, NULL, NULL, cancellable, error))
    return FALSE;
  result = pb_attack_result_load (d->project, run_id, error);
  if (result == NULL)
    return FALSE;

  *value = pb_attack_objective_evaluate (d->config->objective, result, d->config->max_perts);
  for (guint i = 0; i < result->n; i++)
    n_success += pb_attack_result_is_success (result, i);
  g_free (attr);
  attr = g_strdup_printf ("%u", n_success);
  return pb_study_trial_set_user_attr (trial, "n_successful", attr, error);
}

/**
 * pb_attack_tune:
 * @study: a study (direction maximise) over the attack search space
 * @project: where the attack runs are stored (one per trial; the trial's user
 *   attribute `attack_run_id` names it)
 * @dataset_name: the dataset to draw candidates from
 * @model: the target model
 * @checkpoint_id: where its weights came from, or 0
 * @config: the fixed settings and the objective
 * @max_trials: trials to run at most, −1 = until the study's budget is used
 * @n_run: (out) (optional): trials run
 * @progress: (nullable): called after each trial
 * @progress_data: its data
 * @cancellable: (nullable): a #GCancellable
 * @error: return location for a #GError
 *
 * Returns: %TRUE on success
 */
gboolean
pb_attack_tune (PbStudy                  *study,
                PbProject                *project,
                const char               *dataset_name,
                PbModel                  *model,
                gint64                    checkpoint_id,
                const PbAttackTuneConfig *config,
                gint64                    max_trials,
                guint                    *n_run,
                PbProgressFunc            progress,
                gpointer                  progress_data,
                GCancellable             *cancellable,
                GError                  **error)
{
  static const struct { const char *name; PbParamKind kind; } needed[] = {
    { "kappa", PB_PARAM_KIND_FLOAT },
    { "lambda_1", PB_PARAM_KIND_FLOAT },
    { "optimizer_name", PB_PARAM_KIND_CATEGORICAL },
    { "learning_rate", PB_PARAM_KIND_FLOAT },
    { "log_batch_size", PB_PARAM_KIND_INT },
  };
  TuneData d = { project, dataset_name, model, checkpoint_id, config };

  g_return_val_if_fail (study != NULL && PB_IS_PROJECT (project), FALSE);

  for (guint i = 0; i < G_N_ELEMENTS (needed); i++)
    {
      const PbParam *p = pb_search_space_lookup (pb_study_get_search_space (study),
                                                 needed[i].name, NULL);

      if (p == NULL || p->kind != needed[i].kind)
        {
          g_set_error (error, PB_ENGINE_ERROR, PB_ENGINE_ERROR_INVALID_ARGUMENT,
                       "Study “%s” cannot tune an attack: it needs the parameters kappa, "
                       "lambda_1, optimizer_name, learning_rate and log_batch_size "
                       "(as in the “attack” search space); “%s” is missing or of "
                       "another kind", pb_study_get_name (study), needed[i].name);
          return FALSE;
        }
    }

  if (pb_study_get_options (study)->direction != PB_STUDY_DIRECTION_MAXIMIZE)
    {
      g_set_error (error, PB_ENGINE_ERROR, PB_ENGINE_ERROR_INVALID_ARGUMENT,
                   "Study “%s” minimises; attack objectives are maximised",
                   pb_study_get_name (study));
      return FALSE;
    }
  return pb_study_optimize (study, attack_objective, &d, max_trials, n_run, progress,
                            progress_data, cancellable, error);
}
