/* pb-tune-objective.h — the classifier's tuning objective (SPEC §5.2):
 * stratified k-fold, mean validation loss, reported for pruning.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

#include "pb-dataset.h"
#include "pb-study.h"
#include "pb-train.h"

G_BEGIN_DECLS

/**
 * PbTuneObjectiveConfig:
 * @n_folds: k of the stratified k-fold (TUNER_NUM_FOLDS = 5)
 * @n_epochs: epochs each fold's model trains in a trial (20 × 5 = 100)
 * @epochs_per_report: epochs per fold between two reports (TUNER_EPOCHS_PER_FOLD = 5)
 * @fold_seed: seeds the fold assignment, the same in every trial (1234)
 * @train_seed: seeds weights, sampler and dropout of every fold's model
 * @protocol: the preset: where "validation" metrics come from (SPEC §0)
 */
typedef struct
{
  guint      n_folds;
  guint      n_epochs;
  guint      epochs_per_report;
  guint64    fold_seed;
  guint64    train_seed;
  PbProtocol protocol;
} PbTuneObjectiveConfig;

typedef struct _PbTuneObjective PbTuneObjective;

void             pb_tune_objective_config_init  (PbTuneObjectiveConfig        *config);
PbTuneObjective *pb_tune_objective_new          (const PbDataset              *dataset,
                                                 const PbTuneObjectiveConfig  *config,
                                                 GError                      **error);
void             pb_tune_objective_free         (PbTuneObjective              *self);
void             pb_tune_objective_set_progress (PbTuneObjective              *self,
                                                 PbProgressFunc                progress,
                                                 gpointer                      progress_data);
gboolean         pb_tune_objective_run          (PbStudyTrial                 *trial,
                                                 double                       *value,
                                                 gpointer                      objective,
                                                 GCancellable                 *cancellable,
                                                 GError                      **error);
gboolean         pb_tune_trial_to_train_config  (const PbTrial                *trial,
                                                 PbProtocol                    protocol,
                                                 guint64                       seed,
                                                 PbTrainConfig                *config,
                                                 GError                      **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (PbTuneObjective, pb_tune_objective_free)

G_END_DECLS
