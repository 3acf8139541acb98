/* pb-tune-objective.c — the classifier's tuning objective (SPEC §5.2).
 *
 * The folds are made once (stratified, shuffled with the fold seed) and are the
 * same for every trial. A trial builds one fresh model per fold from its
 * parameters; then, round after round, each fold's model trains
 * epochs_per_report epochs and is evaluated (on the held-out fold with the
 * `standard` preset, on a weighted resample of its training fold with `seed`),
 * and the mean validation loss over the folds is reported as step r — which is
 * what the median pruner looks at. The objective value is the smallest of those
 * means (the reference's `choose_best_val`), minimized.
 *
 * A trial whose training diverges (non-finite loss) ends with a NaN value, which
 * the study records as FAIL without stopping the other trials.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "pb-tune-objective.h"

#include "pb-error.h"
#include "pb-sampler.h"

#include <math.h>
#include <string.h>

struct _PbTuneObjective
{
  PbTuneObjectiveConfig  config;
  PbDataset            **train;   /* (n_folds) */
  PbDataset            **valid;   /* (n_folds) */
  PbProgressFunc         progress;
  gpointer               progress_data;
};

/**
 * pb_tune_objective_config_init:
 *
 * The reference's settings: 5 folds, 100 epochs per fold reported every 5, fold
 * seed 1234, protocol `standard`.
 */
void
pb_tune_objective_config_init (PbTuneObjectiveConfig *config)
{
  memset (config, 0, sizeof *config);
  config->n_folds = 5;
  config->n_epochs = 100;
  config->epochs_per_report = 5;
  config->fold_seed = 1234;
  config->train_seed = 12345678;
  config->protocol = PB_PROTOCOL_STANDARD;
}

/**
 * pb_tune_objective_new:
 *
 * Splits @dataset into the stratified folds.
 *
 * Returns: (transfer full): the objective (pass it as the user data of
 *   pb_tune_objective_run()), or %NULL with @error set
 */
PbTuneObjective *
pb_tune_objective_new (const PbDataset              *dataset,
                       const PbTuneObjectiveConfig  *config,
                       GError                      **error)
{
  g_autoptr(PbTuneObjective) self = g_new0 (PbTuneObjective, 1);
  g_autofree guint *fold_of = NULL;
  PbRng rng;

  g_return_val_if_fail (dataset != NULL && config != NULL, NULL);

  if (config->n_epochs == 0 || config->epochs_per_report == 0 ||
      config->n_epochs % config->epochs_per_report != 0)
    {
      g_set_error (error, PB_ENGINE_ERROR, PB_ENGINE_ERROR_INVALID_ARGUMENT,
                   "Epochs per fold (%u) must be a positive multiple of the epochs between "
                   "reports (%u)", config->n_epochs, config->epochs_per_report);
      return NULL;
    }
  if (!pb_dataset_validate (dataset, error))
    return NULL;

  self->config = *config;
  fold_of = g_new (guint, MAX (dataset->n, 1));
  pb_rng_init (&rng, config->fold_seed);
  if (!pb_stratified_kfold (dataset->labels, dataset->n, config->n_folds, TRUE, &rng, fold_of,
                            error))
    return NULL;

  self->train = g_new0 (PbDataset *, config->n_folds);
  self->valid = g_new0 (PbDataset *, config->n_folds);
  for (guint f = 0; f < config->n_folds; f++)
    {
      guint n_train, n_valid;
      g_autofree guint *train = pb_indices_where (fold_of, dataset->n, f, FALSE, &n_train);
      g_autofree guint *valid = pb_indices_where (fold_of, dataset->n, f, TRUE, &n_valid);

      self->train[f] = pb_dataset_subset (dataset, train, n_train);
      self->valid[f] = pb_dataset_subset (dataset, valid, n_valid);
    }

  return g_steal_pointer (&self);
}

void
pb_tune_objective_free (PbTuneObjective *self)
{
  if (self == NULL)
    return;
  for (guint f = 0; self->train != NULL && f < self->config.n_folds; f++)
    {
      pb_dataset_free (self->train[f]);
      pb_dataset_free (self->valid[f]);
    }
  g_free (self->train);
  g_free (self->valid);
  g_free (self);
}

/**
 * pb_tune_objective_set_progress:
 *
 * @progress is called after every report with the fraction of the trial done
 * and a message with the mean validation loss.
 */
void
pb_tune_objective_set_progress (PbTuneObjective *self,
                                PbProgressFunc   progress,
                                gpointer         progress_data)
{
  self->progress = progress;
  self->progress_data = progress_data;
}

static const PbTrialParam *
lookup (const PbTrial  *trial,
        const char     *name,
        PbParamKind     kind,
        GError        **error)
{
  const PbTrialParam *p = pb_trial_lookup_param (trial, name);

  if (p != NULL && p->distribution->kind != kind)
    {
      g_set_error (error, PB_ENGINE_ERROR, PB_ENGINE_ERROR_INVALID_ARGUMENT,
                   "Parameter %s has the wrong type for the classifier objective", name);
      return NULL;
    }
  return p;
}

static gboolean
lookup_log2 (const PbTrial  *trial,
             const char     *name,
             guint          *out,
             GError        **error)
{
  const PbTrialParam *p = lookup (trial, name, PB_PARAM_KIND_INT, error);

  if (p == NULL)
    return error == NULL || *error == NULL;
  if (p->internal < 0 || p->internal > 16)
    {
      g_set_error (error, PB_ENGINE_ERROR, PB_ENGINE_ERROR_INVALID_ARGUMENT,
                   "Parameter %s = %g is outside 0…16", name, p->internal);
      return FALSE;
    }
  *out = 1u << (guint) p->internal;
  return TRUE;
}

static gboolean
lookup_choice (const PbTrial  *trial,
               const char     *name,
               const char    **out,
               GError        **error)
{
  const PbTrialParam *p = lookup (trial, name, PB_PARAM_KIND_CATEGORICAL, error);

  if (p == NULL)
    return error == NULL || *error == NULL;
  *out = p->distribution->choices[(guint) p->internal];
  return TRUE;
}

/**
 * pb_tune_trial_to_train_config:
 *
 * Maps SPEC §5.1's parameters onto a training configuration: hidden size
 * 2^log_lstm_hidden_size, fc size 2^log_fc_hidden_size, batch 2^log_batch_size,
 * activations, dropout, optimiser (torch defaults) and learning rate.
 * Parameters the trial lacks keep pb_train_config_init()'s values.
 */
gboolean
pb_tune_trial_to_train_config (const PbTrial  *trial,
                               PbProtocol      protocol,
                               guint64         seed,
                               PbTrainConfig  *config,
                               GError        **error)
{
  const char *lstm_act = NULL, *fc_act = NULL, *optimizer = NULL;
  const PbTrialParam *p;
  PbOptimKind kind;
  double lr;

  pb_train_config_init (config);
  config->model.protocol = protocol;
  config->seed = seed;
  config->eval_every = 0;
  config->checkpoint_every = 0;

  if (!lookup_log2 (trial, "log_lstm_hidden_size", &config->model.n_hidden, error) ||
      !lookup_log2 (trial, "log_fc_hidden_size", &config->model.n_fc, error) ||
      !lookup_log2 (trial, "log_batch_size", &config->batch_size, error) ||
      !lookup_choice (trial, "lstm_act_name", &lstm_act, error) ||
      !lookup_choice (trial, "fc_act_name", &fc_act, error) ||
      !lookup_choice (trial, "optimizer_name", &optimizer, error))
    return FALSE;

  if ((lstm_act != NULL && !pb_activation_from_name (lstm_act, &config->model.act_lstm)) ||
      (fc_act != NULL && !pb_activation_from_name (fc_act, &config->model.act_fc)))
    {
      g_set_error (error, PB_ENGINE_ERROR, PB_ENGINE_ERROR_INVALID_ARGUMENT,
                   "Unknown activation “%s” (known: ReLU, Tanh)",
                   lstm_act != NULL ? lstm_act : fc_act);
      return FALSE;
    }

  if ((p = lookup (trial, "dropout", PB_PARAM_KIND_FLOAT, error)) != NULL)
    config->model.dropout = p->internal;
  else if (error != NULL && *error != NULL)
    return FALSE;

  lr = config->optim.lr;
  if ((p = lookup (trial, "learning_rate", PB_PARAM_KIND_FLOAT, error)) != NULL)
    lr = p->internal;
  else if (error != NULL && *error != NULL)
    return FALSE;

  if (optimizer != NULL)
    {
      if (!pb_optim_kind_from_name (optimizer, &kind))
        {
          g_set_error (error, PB_ENGINE_ERROR, PB_ENGINE_ERROR_INVALID_ARGUMENT,
                       "Unknown optimizer “%s” (known: Adam, RMSprop, SGD)", optimizer);
          return FALSE;
        }
      pb_optim_config_init (&config->optim, kind);
    }
  config->optim.lr = lr;

  return pb_train_config_validate (config, error);
}

/**
 * pb_tune_objective_run:
 * @objective: the #PbTuneObjective
 *
 * A #PbObjectiveFunc: trains the trial's k models and reports the mean
 * validation loss every epochs_per_report epochs.
 */
gboolean
pb_tune_objective_run (PbStudyTrial  *trial,
                       double        *value,
                       gpointer       objective,
                       GCancellable  *cancellable,
                       GError       **error)
{
  PbTuneObjective *self = objective;
  const PbTuneObjectiveConfig *c = &self->config;
  g_autofree PbTrainer **trainers = g_new0 (PbTrainer *, c->n_folds);
  g_autoptr(GError) local_error = NULL;
  PbTrainConfig tc;
  guint n_reports = c->n_epochs / c->epochs_per_report;
  double best = INFINITY;
  gboolean ok = FALSE;

  *value = NAN;
  if (!pb_tune_trial_to_train_config (pb_study_trial_get_trial (trial), c->protocol,
                                      c->train_seed, &tc, error))
    return FALSE;
  tc.n_epochs = c->n_epochs;

  for (guint f = 0; f < c->n_folds; f++)
    {
      trainers[f] = pb_trainer_new (&tc, self->train[f], self->valid[f], error);
      if (trainers[f] == NULL)
        goto out;
    }

  for (guint r = 0; r < n_reports; r++)
    {
      double sum = 0, mean;
      gboolean prune = FALSE;

      for (guint f = 0; f < c->n_folds; f++)
        {
          PbMetrics metrics;

          for (guint e = 0; e < c->epochs_per_report; e++)
            if (!pb_trainer_train_epoch (trainers[f], NULL, NULL, NULL, cancellable,
                                         &local_error))
              goto diverged;
          if (!pb_trainer_evaluate (trainers[f], &metrics, cancellable, &local_error))
            goto diverged;
          sum += metrics.loss;
        }
      mean = sum / c->n_folds;
      if (!pb_study_trial_report (trial, r, mean, &prune, error))
        goto out;
      if (!isnan (mean))
        best = MIN (best, mean);

      if (self->progress != NULL)
        {
          g_autofree char *message = g_strdup_printf ("trial %d, epoch %u/%u: mean validation "
                                                      "loss %.5f%s",
                                                      pb_study_trial_get_number (trial),
                                                      (r + 1) * c->epochs_per_report, c->n_epochs,
                                                      mean, prune ? " (pruned)" : "");
          self->progress ((double) (r + 1) / n_reports, message, NULL, self->progress_data);
        }
      if (prune)
        break;
    }

  *value = isfinite (best) ? best : NAN;
  ok = TRUE;
  goto out;

diverged:
  /* a cancelled run or a database problem is an error; a diverged trial is FAIL */
  if (g_error_matches (local_error, G_IO_ERROR, G_IO_ERROR_CANCELLED) ||
      !g_error_matches (local_error, PB_ENGINE_ERROR, PB_ENGINE_ERROR_FAILED))
    g_propagate_error (error, g_steal_pointer (&local_error));
  else
    {
      g_debug ("trial %d: %s", pb_study_trial_get_number (trial), local_error->message);
      *value = NAN;
      ok = TRUE;
    }

out:
  for (guint f = 0; f < c->n_folds; f++)
    g_clear_pointer (&trainers[f], pb_trainer_free);
  return ok;
}
