/* pb-cv.h — cross-validation assessment (SPEC §6): k stratified folds ×
 * epochs, evaluation and a checkpoint every n epochs, the best checkpoint per
 * fold by validation loss, and the mean (std) across folds.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

#include "pb-dataset.h"
#include "pb-metrics.h"
#include "pb-progress.h"
#include "pb-project.h"
#include "pb-storage.h"
#include "pb-train.h"

G_BEGIN_DECLS

/**
 * PbCvConfig:
 * @train: every fold's training run: model (@train.model.protocol is the
 *   preset), optimiser, batch sizes, seed (the same for every fold, as the
 *   reference's torch.manual_seed(12345678)), threads. @train.n_epochs is the
 *   number of epochs per fold, @train.eval_every the evaluation cadence; a
 *   checkpoint is stored at every evaluation (@train.checkpoint_every is set
 *   to @train.eval_every)
 * @n_folds: k of the stratified k-fold, ≥ 2 and ≤ the smallest class count
 * @fold_seed: seeds the shuffled fold assignment (CV_ASSESSMENT_RANDOM_SEED)
 */
typedef struct
{
  PbTrainConfig train;
  guint         n_folds;
  guint64       fold_seed;
} PbCvConfig;

/**
 * PbCvProgress:
 * @cv_id: the cross-validation in the project
 * @fold: the fold in flight, 0-based
 * @n_folds: folds in the CV
 * @run_id: the fold's training run, 0 until its first epoch is stored
 * @epoch: epoch of the fold in flight, 1-based (the completed one when @step = 0)
 * @n_epochs: epochs per fold
 * @step: batches done in this epoch; 0 = @epoch is complete and stored
 * @n_steps: batches per epoch (0 in epoch-complete reports)
 * @loss_train: mean batch loss of this epoch so far
 * @evaluated: @step = 0 and @metrics is the evaluation after @epoch (a new
 *   point of the fold's validation curves)
 * @metrics: (nullable): the fold's latest evaluation
 *
 * What pb_cv_run() and pb_cv_resume() pass as `details` to their
 * #PbProgressFunc; the fraction is of the whole CV. Borrowed for the call.
 */
typedef struct
{
  gint64           cv_id;
  guint            fold;
  guint            n_folds;
  gint64           run_id;
  guint            epoch;
  guint            n_epochs;
  guint            step;
  guint            n_steps;
  double           loss_train;
  gboolean         evaluated;
  const PbMetrics *metrics;
} PbCvProgress;

/**
 * PbCvEpoch:
 * @epoch: completed epochs, 1-based
 * @loss_train: mean batch loss of the epoch
 * @evaluated: whether @metrics holds an evaluation after this epoch
 * @metrics: "validation" metrics (@metrics.loss = validation loss): the
 *   held-out fold (`standard`) or a weighted resample of the training fold
 *   (`seed`, SPEC §4.4)
 */
typedef struct
{
  guint     epoch;
  double    loss_train;
  gboolean  evaluated;
  PbMetrics metrics;
} PbCvEpoch;

/**
 * PbCvFold:
 * @fold: 0-based
 * @run_id: the fold's training run, 0 when it has not started
 * @status: "pending" (no run yet), or the run's status: "running",
 *   "finished", "cancelled", "failed"
 * @n_train: training sequences (all folds but this one)
 * @n_valid: held-out sequences (this fold)
 * @epochs_done: epochs stored
 * @epochs: (element-type PbCvEpoch): every stored epoch, by epoch
 * @has_best: whether a checkpoint with a finite validation loss exists
 * @best_epoch: epoch of the checkpoint with the minimum validation loss (the
 *   first on ties, pandas `idxmin`)
 * @best_checkpoint_id: that checkpoint's row in `checkpoints`
 * @best_loss_train: training loss of that epoch
 * @best: the evaluation at @best_epoch
 */
typedef struct
{
  guint      fold;
  gint64     run_id;
  char      *status;
  guint      n_train;
  guint      n_valid;
  guint      epochs_done;
  GArray    *epochs;
  gboolean   has_best;
  guint      best_epoch;
  gint64     best_checkpoint_id;
  double     best_loss_train;
  PbMetrics  best;
} PbCvFold;

/**
 * PbCvStat:
 * @mean: mean over the summarized folds
 * @std: *sample* standard deviation (ddof = 1), as pandas `describe()` and
 *   `DataFrame.std()` report it (SPEC §6.3, §10.3); %NAN with fewer than 2 folds
 */
typedef struct
{
  double mean;
  double std;
} PbCvStat;

/**
 * PbCvSummary:
 * @n_folds: folds summarized: the finished ones (all of them once the CV is
 *   finished)
 *
 * Mean (std) across folds of each fold's best checkpoint (the seed's results
 * table, SPEC §10.3). All %NAN when @n_folds = 0.
 */
typedef struct
{
  guint    n_folds;
  PbCvStat loss_train;
  PbCvStat loss_valid;
  PbCvStat auc;
  PbCvStat accuracy;
  PbCvStat f1;
  PbCvStat precision;
  PbCvStat recall;
} PbCvSummary;

/**
 * PbCvResult:
 * @cv_id: the CV's id
 * @dataset: name of the project dataset it ran on
 * @source: (nullable): where the hyperparameters came from, e.g.
 *   "study model, trial 20" or "params"
 * @created_at: ISO 8601 UTC
 * @status: "running", "finished", "cancelled" or "failed"
 * @config: the settings it ran with
 * @n_samples: sequences in the dataset
 * @fold_of_sample: (n_samples) the fold each sequence is held out in
 * @folds: (n_folds = @config.n_folds) per fold
 * @summary: across folds
 *
 * A finished or partial CV as stored in the project (pb_cv_load()).
 */
typedef struct
{
  gint64       cv_id;
  char        *dataset;
  char        *source;
  char        *created_at;
  char        *status;
  PbCvConfig   config;
  guint        n_samples;
  guint       *fold_of_sample;
  PbCvFold    *folds;
  PbCvSummary  summary;
} PbCvResult;

void        pb_cv_config_init            (PbCvConfig         *config);
gboolean    pb_cv_config_validate        (const PbCvConfig   *config,
                                          GError            **error);
gboolean    pb_cv_config_set_params_json (PbCvConfig         *config,
                                          const char         *params_json,
                                          GError            **error);
gboolean    pb_cv_config_set_from_study  (PbCvConfig         *config,
                                          PbStorage          *storage,
                                          const char         *study_name,
                                          int                *trial_number,
                                          GError            **error);
char       *pb_cv_config_to_json         (const PbCvConfig   *config);
gboolean    pb_cv_config_from_json       (const char         *json,
                                          PbCvConfig         *config,
                                          GError            **error);

gboolean    pb_cv_make_folds             (const PbDataset    *dataset,
                                          guint               n_folds,
                                          guint64             fold_seed,
                                          guint              *fold_of_sample,
                                          GError            **error);

gboolean    pb_cv_run                    (PbProject          *project,
                                          const PbCvConfig   *config,
                                          const char         *dataset_name,
                                          const char         *source,
                                          gint64             *cv_id,
                                          PbProgressFunc      progress,
                                          gpointer            progress_data,
                                          GCancellable       *cancellable,
                                          GError            **error);
gboolean    pb_cv_resume                 (PbProject          *project,
                                          gint64              cv_id,
                                          PbProgressFunc      progress,
                                          gpointer            progress_data,
                                          GCancellable       *cancellable,
                                          GError            **error);

GArray     *pb_cv_list                   (PbProject          *project,
                                          GError            **error);
PbCvResult *pb_cv_load                   (PbProject          *project,
                                          gint64              cv_id,
                                          GError            **error);
void        pb_cv_result_free            (PbCvResult         *result);
gboolean    pb_cv_load_fold_data         (PbProject          *project,
                                          gint64              run_id,
                                          gboolean           *is_fold,
                                          char              **dataset_name,
                                          PbDataset         **valid,
                                          char              **name,
                                          GError            **error);
void        pb_cv_summarize              (const PbCvFold     *folds,
                                          guint               n_folds,
                                          PbCvSummary        *summary);
const PbCvFold *
            pb_cv_result_get_target_fold (const PbCvResult   *result);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (PbCvResult, pb_cv_result_free)

G_END_DECLS
