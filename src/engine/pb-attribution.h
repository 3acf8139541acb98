/* pb-attribution.h — which inputs the classifier relies on: gradient × input,
 * integrated gradients and occlusion (SPEC-robustness.md §4), as per-sample maps
 * and as feature × hour matrices.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

#include "pb-dataset.h"
#include "pb-model.h"
#include "pb-progress.h"
#include "pb-project.h"

G_BEGIN_DECLS

/**
 * PbFeatureHourMatrix:
 * @n_hours: T, rows (hour 0 … T − 1)
 * @n_features: F, columns (feature 0 … F − 1)
 * @values: (T, F) row-major, `values[t * F + f]`: the layout of a sample in
 *   #PbDataset and of the 48 × 19 tables of SPEC.md §9.3 (i = hour, j = feature);
 *   figures draw it transposed (features on the y axis)
 *
 * One number per (hour, feature). Attribution maps are stored in this shape so
 * that they can be shown beside the susceptibility matrices of the attack
 * analysis: @values has exactly the layout of #PbSusceptibility's (T, F)
 * matrices (double, row-major, hour-major), so it can go wherever one of those
 * goes (pb_susceptibility_to_table(), the heat-map figures with `transposed`).
 */
typedef struct
{
  guint   n_hours;
  guint   n_features;
  double *values;
} PbFeatureHourMatrix;

/**
 * PbAttributionMethod:
 * @PB_ATTRIBUTION_METHOD_GRAD_INPUT: A = ∂S/∂x ⊙ x (signed gradient), divided by
 *   max |A| over the sample's valid steps when #PbAttributionConfig.normalize
 * @PB_ATTRIBUTION_METHOD_INTEGRATED_GRADIENTS: A = (x − b) ⊙ ∫₀¹ ∂S(b + α(x − b))/∂x dα
 *   by the trapezoid rule on α_k = k/m, k = 0 … m (m + 1 gradients, end points
 *   weighted 1/2m, the others 1/m); not normalised, so Σ A ≈ S(x) − S(b)
 * @PB_ATTRIBUTION_METHOD_OCCLUSION: a window of hours × features of the valid
 *   steps set to a fill value, slid by a stride; each element gets the mean of
 *   S(x) − S(x_occluded) over the windows that cover it (Captum's convention);
 *   elements no window covers get 0
 */
typedef enum
{
  PB_ATTRIBUTION_METHOD_GRAD_INPUT,
  PB_ATTRIBUTION_METHOD_INTEGRATED_GRADIENTS,
  PB_ATTRIBUTION_METHOD_OCCLUSION,
} PbAttributionMethod;

/**
 * PbAttributionScore:
 * @PB_ATTRIBUTION_SCORE_LOGIT: S = z_c, the logit of the target class c (the
 *   output of module 5, before any softmax); the default
 * @PB_ATTRIBUTION_SCORE_PROBABILITY: S = softmax(z)_c, the probability of the
 *   target class (module 6's output, as the reference study's code uses)
 *
 * "The target score" of every method. Both are computed in eval mode (dropout
 * off) and are the same functions of z under both protocol presets. The
 * PyTorch fixtures (tests/tools/make-attribution-reference.py) use `model[:6]`
 * for the logit and `model[6](model[:6](x))` for the probability.
 */
typedef enum
{
  PB_ATTRIBUTION_SCORE_LOGIT,
  PB_ATTRIBUTION_SCORE_PROBABILITY,
} PbAttributionScore;

/**
 * PbAttributionTarget:
 * @PB_ATTRIBUTION_TARGET_PREDICTED: c = argmax of the clean logits (ties → the
 *   lowest index), per sample
 * @PB_ATTRIBUTION_TARGET_LABEL: c = the sample's label
 * @PB_ATTRIBUTION_TARGET_CLASS: c = #PbAttributionConfig.target_class for all
 */
typedef enum
{
  PB_ATTRIBUTION_TARGET_PREDICTED,
  PB_ATTRIBUTION_TARGET_LABEL,
  PB_ATTRIBUTION_TARGET_CLASS,
} PbAttributionTarget;

/**
 * PbAttributionConfig:
 * @method: the method
 * @score: logit (default) or probability of the target class
 * @target: which class is the target
 * @target_class: the class for %PB_ATTRIBUTION_TARGET_CLASS
 * @batch_size: sequences per forward/backward (default 64)
 * @normalize: gradient × input only: divide by the per-sample max |A| (default %TRUE)
 * @n_steps: integrated gradients: m ≥ 1 (default 50)
 * @baseline: (nullable): integrated gradients: (@baseline_len, F) reference
 *   sequence, step t of every sample goes from baseline[t] to x[t]; %NULL = zeros
 * @baseline_len: rows of @baseline, at least the dataset's max_len
 * @window_hours: occlusion window height in steps (default 1)
 * @window_features: occlusion window width in features (default 1)
 * @stride_hours: occlusion stride in steps (default 1)
 * @stride_features: occlusion stride in features (default 1)
 * @fill: occlusion: the value occluded elements take (default 0)
 *
 * Padding (steps t ≥ length) is never read, never perturbed, and its
 * attribution is 0. Occlusion windows slide over the valid steps only: for a
 * sample of length L, start hours 0, s, 2s, … ≤ L − window_hours (a window
 * taller than L is clipped to the L valid steps).
 */
typedef struct
{
  PbAttributionMethod  method;
  PbAttributionScore   score;
  PbAttributionTarget  target;
  guint                target_class;
  guint                batch_size;
  gboolean             normalize;
  guint                n_steps;
  const float         *baseline;
  guint                baseline_len;
  guint                window_hours;
  guint                window_features;
  guint                stride_hours;
  guint                stride_features;
  float                fill;
} PbAttributionConfig;

/**
 * PbAttribution:
 * @method: the method that made it
 * @n: number of samples
 * @max_len: T
 * @n_features: F
 * @values: (n, T, F) per-sample attributions, zero on padding
 * @lengths: (n)
 * @labels: (n)
 * @sample_ids: (n) the dataset's sample ids
 * @targets: (n) the class whose score was attributed
 * @scores: (n) S(x)
 * @baseline_scores: (n) integrated gradients: S(b); otherwise %NAN
 * @gaps: (n) integrated gradients: |Σ A − (S(x) − S(b))|; otherwise %NAN
 * @mean_abs: mean of |A[n, t, f]| over the samples with length > t (0 where none)
 * @mean: the same mean of the signed A
 */
typedef struct
{
  PbAttributionMethod  method;
  guint                n;
  guint                max_len;
  guint                n_features;
  float               *values;
  guint               *lengths;
  gint                *labels;
  gint64              *sample_ids;
  guint               *targets;
  double              *scores;
  double              *baseline_scores;
  double              *gaps;
  PbFeatureHourMatrix *mean_abs;
  PbFeatureHourMatrix *mean;
} PbAttribution;

PbFeatureHourMatrix *pb_feature_hour_matrix_new     (guint                 n_hours,
                                                     guint                 n_features);
void                 pb_feature_hour_matrix_free    (PbFeatureHourMatrix  *matrix);
guint                pb_feature_hour_matrix_argmax_abs (const PbFeatureHourMatrix *matrix);

const char     *pb_attribution_method_get_name  (PbAttributionMethod        method);
gboolean        pb_attribution_method_from_name (const char                *name,
                                                 PbAttributionMethod       *method);

void            pb_attribution_config_init      (PbAttributionConfig       *config,
                                                 PbAttributionMethod        method);
gboolean        pb_attribution_config_validate  (const PbAttributionConfig *config,
                                                 guint                      max_len,
                                                 guint                      n_features,
                                                 guint                      n_classes,
                                                 GError                   **error);
char           *pb_attribution_config_to_json   (const PbAttributionConfig *config);

PbAttribution  *pb_attribution_compute          (PbModel                   *model,
                                                 const PbDataset           *dataset,
                                                 const PbAttributionConfig *config,
                                                 PbProgressFunc             progress,
                                                 gpointer                   progress_data,
                                                 GCancellable              *cancellable,
                                                 GError                   **error);
PbAttribution  *pb_attribution_compute_over_training (PbModel * const      *models,
                                                 guint                      n_models,
                                                 const PbDataset           *dataset,
                                                 const PbAttributionConfig *config,
                                                 GPtrArray                **per_model,
                                                 PbProgressFunc             progress,
                                                 gpointer                   progress_data,
                                                 GCancellable              *cancellable,
                                                 GError                   **error);
void            pb_attribution_free             (PbAttribution             *attribution);

gboolean        pb_attribution_save             (const PbAttribution       *attribution,
                                                 PbProject                 *project,
                                                 const char                *params_json,
                                                 const char                *dataset_name,
                                                 const char                *model_source,
                                                 gint64                     checkpoint_id,
                                                 gint64                     parent_id,
                                                 gint                       position,
                                                 gint64                    *attribution_id,
                                                 GError                   **error);
PbAttribution  *pb_attribution_load             (PbProject                 *project,
                                                 gint64                     attribution_id,
                                                 GError                   **error);
GArray         *pb_attribution_list_children    (PbProject                 *project,
                                                 gint64                     parent_id,
                                                 GError                   **error);
PbFeatureHourMatrix *
                pb_attribution_load_matrix      (PbProject                 *project,
                                                 gint64                     attribution_id,
                                                 const char                *name,
                                                 GError                   **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (PbFeatureHourMatrix, pb_feature_hour_matrix_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (PbAttribution, pb_attribution_free)

G_END_DECLS
