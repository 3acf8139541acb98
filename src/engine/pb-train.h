/* pb-train.h — the training loop: epochs, evaluation, checkpoints, resume.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

#include "pb-dataset.h"
#include "pb-metrics.h"
#include "pb-model.h"
#include "pb-optim.h"
#include "pb-progress.h"
#include "pb-project.h"
#include "pb-safetensors.h"

G_BEGIN_DECLS

/**
 * PbTrainConfig:
 * @model: the classifier; @model.protocol is the run's protocol preset.
 *   n_features and n_classes are taken from the dataset when 0
 * @optim: the optimiser (SPEC §4.1: torch defaults except lr)
 * @batch_size: training batch (32 in the reference)
 * @eval_batch_size: held-out evaluation batch (128, the reference's test loader)
 * @n_epochs: epochs to train in total
 * @eval_every: evaluate after epoch e (1-based) when e % eval_every == 0, and
 *   after the last epoch; 0 = only after the last
 * @checkpoint_every: store a checkpoint likewise (0 = only after the last);
 *   a resumed run continues from the latest one
 * @seed: seeds weight init, the sampler and dropout (three PbRng streams)
 * @n_threads: threads per forward/backward (0 = one per processor); stored
 *   with the run because the last bits of the results depend on it
 *
 * Evaluation follows the preset (SPEC §0, §4.4): `standard` evaluates the
 * held-out set, unweighted, each sample once; `seed` evaluates a fresh
 * class-balanced resample of the training set, in training batches.
 */
typedef struct
{
  PbModelConfig model;
  PbOptimConfig optim;
  guint         batch_size;
  guint         eval_batch_size;
  guint         n_epochs;
  guint         eval_every;
  guint         checkpoint_every;
  guint64       seed;
  guint         n_threads;
} PbTrainConfig;

/**
 * PbTrainProgress:
 * @epoch: the epoch in flight, 1-based (the last completed one when @step = 0)
 * @n_epochs: epochs in the run
 * @step: batches done in this epoch
 * @n_steps: batches per epoch
 * @loss_train: mean batch loss of this epoch so far
 * @metrics: (nullable): the latest evaluation, if any
 * @run_id: the run in the project, 0 when not stored
 *
 * What the trainer passes as `details` to its #PbProgressFunc.
 */
typedef struct
{
  guint            epoch;
  guint            n_epochs;
  guint            step;
  guint            n_steps;
  double           loss_train;
  const PbMetrics *metrics;
  gint64           run_id;
} PbTrainProgress;

typedef struct _PbTrainer PbTrainer;

void        pb_train_config_init        (PbTrainConfig       *config);
gboolean    pb_train_config_validate    (const PbTrainConfig *config,
                                         GError             **error);
char       *pb_train_config_to_json     (const PbTrainConfig *config);
gboolean    pb_train_config_from_json   (const char          *json,
                                         PbTrainConfig       *config,
                                         GError             **error);

PbTrainer  *pb_trainer_new              (const PbTrainConfig *config,
                                         const PbDataset     *train,
                                         const PbDataset     *valid,
                                         GError             **error);
void        pb_trainer_free             (PbTrainer           *self);
PbModel    *pb_trainer_get_model        (PbTrainer           *self);
guint       pb_trainer_get_epoch        (PbTrainer           *self);
gboolean    pb_trainer_train_epoch      (PbTrainer           *self,
                                         double              *loss_train,
                                         PbProgressFunc       progress,
                                         gpointer             progress_data,
                                         GCancellable        *cancellable,
                                         GError             **error);
gboolean    pb_trainer_evaluate         (PbTrainer           *self,
                                         PbMetrics           *metrics,
                                         GCancellable        *cancellable,
                                         GError             **error);
PbSafetensors *
            pb_trainer_save_checkpoint  (PbTrainer           *self);
gboolean    pb_trainer_load_checkpoint  (PbTrainer           *self,
                                         const PbSafetensors *st,
                                         GError             **error);

gboolean    pb_evaluate_model           (PbModel             *model,
                                         const PbDataset     *dataset,
                                         guint                batch_size,
                                         PbMetrics           *metrics,
                                         GCancellable        *cancellable,
                                         GError             **error);

gboolean    pb_train_run                (PbProject           *project,
                                         const PbTrainConfig *config,
                                         const char          *dataset_name,
                                         const PbDataset     *train,
                                         const PbDataset     *valid,
                                         gint64              *run_id,
                                         PbProgressFunc       progress,
                                         gpointer             progress_data,
                                         GCancellable        *cancellable,
                                         GError             **error);
gboolean    pb_train_resume             (PbProject           *project,
                                         gint64               run_id,
                                         guint                n_epochs,
                                         const PbDataset     *train,
                                         const PbDataset     *valid,
                                         PbProgressFunc       progress,
                                         gpointer             progress_data,
                                         GCancellable        *cancellable,
                                         GError             **error);
gboolean    pb_train_load_run_config    (PbProject           *project,
                                         gint64               run_id,
                                         PbTrainConfig       *config,
                                         char               **dataset_name,
                                         GError             **error);
PbSafetensors *
            pb_train_load_checkpoint    (PbProject           *project,
                                         gint64               run_id,
                                         gint                 epoch,
                                         GError             **error);
gboolean    pb_train_import_model       (PbProject           *project,
                                         PbModel             *model,
                                         const char          *name,
                                         gint64              *run_id,
                                         GError             **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (PbTrainer, pb_trainer_free)

G_END_DECLS
