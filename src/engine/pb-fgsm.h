/* pb-fgsm.h — the fast gradient sign method and its robustness curve
 * (SPEC-robustness.md §4.3): accuracy and AUC against ε.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

#include "pb-dataset.h"
#include "pb-metrics.h"
#include "pb-model.h"
#include "pb-progress.h"
#include "pb-project.h"

G_BEGIN_DECLS

/**
 * PbFgsmConfig:
 * @epsilons: (array length=n_epsilons): the step sizes, each ≥ 0
 * @n_epsilons: at least 1
 * @batch_size: sequences per forward/backward (default 64)
 * @clip_min: lower end of the valid input range (default 0)
 * @clip_max: upper end (default 1)
 * @keep_perturbations: whether the result keeps x′ − x for every ε and sample
 *
 * For each sample, g = ∇ₓ ℓ(x, y) with ℓ the classifier's cross-entropy under
 * the model's protocol preset (on the logits for `standard`, on the softmax
 * output for `seed`: pb_model_loss()), in eval mode. Then, for each ε,
 * x′ = clip(x + ε · sign(g), clip_min, clip_max) on the valid steps (sign(0) = 0,
 * as torch.sign); padding is left as it is. Metrics are computed on x′ in eval
 * mode with pb_metrics_compute() (AUC of class 1 for C = 2, one-vs-rest macro
 * average otherwise).
 */
typedef struct
{
  const double *epsilons;
  guint         n_epsilons;
  guint         batch_size;
  float         clip_min;
  float         clip_max;
  gboolean      keep_perturbations;
} PbFgsmConfig;

/**
 * PbFgsmPoint:
 * @epsilon: ε
 * @metrics: accuracy, AUC, precision, recall, F1 and mean loss on x′
 * @flip_rate: fraction of samples whose predicted class differs from the clean one
 */
typedef struct
{
  double    epsilon;
  PbMetrics metrics;
  double    flip_rate;
} PbFgsmPoint;

/**
 * PbFgsmResult:
 * @n: samples
 * @max_len: T
 * @n_features: F
 * @n_epsilons: points on the curve
 * @clean: metrics on the unperturbed inputs
 * @points: (array length=n_epsilons): one per ε, in the order given
 * @predictions: (n_epsilons, n) predicted classes on x′
 * @clean_predictions: (n)
 * @perturbations: (nullable): (n_epsilons, n, T, F) x′ − x, zero on padding;
 *   %NULL unless #PbFgsmConfig.keep_perturbations
 * @lengths: (n)
 * @labels: (n)
 * @sample_ids: (n)
 */
typedef struct
{
  guint        n;
  guint        max_len;
  guint        n_features;
  guint        n_epsilons;
  PbMetrics    clean;
  PbFgsmPoint *points;
  gint        *predictions;
  gint        *clean_predictions;
  float       *perturbations;
  guint       *lengths;
  gint        *labels;
  gint64      *sample_ids;
} PbFgsmResult;

void          pb_fgsm_config_init      (PbFgsmConfig       *config);
gboolean      pb_fgsm_config_validate  (const PbFgsmConfig *config,
                                        GError            **error);
char         *pb_fgsm_config_to_json   (const PbFgsmConfig *config);
gboolean      pb_fgsm_parse_epsilons   (const char         *list,
                                        double            **epsilons,
                                        guint              *n_epsilons,
                                        GError            **error);

PbFgsmResult *pb_fgsm_run              (PbModel            *model,
                                        const PbDataset    *dataset,
                                        const PbFgsmConfig *config,
                                        PbProgressFunc      progress,
                                        gpointer            progress_data,
                                        GCancellable       *cancellable,
                                        GError            **error);
void          pb_fgsm_result_free      (PbFgsmResult       *result);

gboolean      pb_fgsm_result_save      (const PbFgsmResult *result,
                                        PbProject          *project,
                                        const char         *params_json,
                                        const char         *dataset_name,
                                        const char         *model_source,
                                        gint64              checkpoint_id,
                                        gint64             *fgsm_id,
                                        GError            **error);
PbFgsmResult *pb_fgsm_result_load      (PbProject          *project,
                                        gint64              fgsm_id,
                                        GError            **error);
PbFgsmResult *pb_fgsm_result_load_curve (PbProject         *project,
                                        gint64              fgsm_id,
                                        GError            **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (PbFgsmResult, pb_fgsm_result_free)

G_END_DECLS
