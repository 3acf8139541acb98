/* pb-attack-tune.h — tuning the attack's hyperparameters with a study (SPEC.md §8).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

#include "pb-attack-objective.h"
#include "pb-study.h"

G_BEGIN_DECLS

/**
 * PbAttackTuneConfig:
 * @objective: what a trial maximises
 * @max_perts: for %PB_ATTACK_OBJECTIVE_MAX_NUM_NONZERO_PERTS (the notebook: 1)
 * @preset: protocol preset of every trial's attack
 * @iterations: iterations per batch (the reference: 1000)
 * @max_samples: candidates per trial (the reference: 520), 0 = all
 * @sample_seed: their draw (the reference: 13579)
 *
 * What stays fixed across trials; κ, λ, optimiser, learning rate and batch size
 * come from the study's search space (parameters kappa, lambda_1,
 * optimizer_name, learning_rate, log_batch_size as in PB_SEARCH_SPACE_ATTACK).
 */
typedef struct
{
  PbAttackObjective objective;
  guint             max_perts;
  PbProtocol        preset;
  guint             iterations;
  guint             max_samples;
  guint64           sample_seed;
} PbAttackTuneConfig;

void      pb_attack_tune_config_init      (PbAttackTuneConfig       *config);
gboolean  pb_attack_tune_params_from_trial (PbStudyTrial            *trial,
                                           const PbAttackTuneConfig *config,
                                           PbAttackParams           *params,
                                           GError                  **error);
gboolean  pb_attack_tune                  (PbStudy                  *study,
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
                                           GError                  **error);

G_END_DECLS
