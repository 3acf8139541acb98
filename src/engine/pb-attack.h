/* pb-attack.h — the sparse L1 adversarial attack of SPEC.md §7 and its stored runs.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

#include "pb-dataset.h"
#include "pb-model.h"
#include "pb-optim.h"
#include "pb-progress.h"
#include "pb-project.h"

G_BEGIN_DECLS

/**
 * PbAttackExample:
 * @PB_ATTACK_EXAMPLE_FIRST: the first adversarial example found (never overwritten)
 * @PB_ATTACK_EXAMPLE_BEST: the successful iterate with the lowest regularised loss
 */
typedef enum
{
  PB_ATTACK_EXAMPLE_FIRST,
  PB_ATTACK_EXAMPLE_BEST,
} PbAttackExample;

#define PB_ATTACK_N_EXAMPLES 2

/**
 * PbAttackParams:
 * @preset: %PB_PROTOCOL_STANDARD: sparsity term = element-wise ‖P‖₁, handled by
 *   the proximal step alone (gradient of the hinge only, then soft threshold
 *   lr·λ — ISTA); %PB_PROTOCOL_SEED: sparsity term = matrix 1-norm (max over
 *   features of Σₜ|P|), its subgradient included in the optimiser step, then soft
 *   threshold λ (SPEC.md §7.4 c, e, g; §12 quirk 4). The seed preset also keeps
 *   the optimiser state across batches of equal size, as the reference does.
 * @kappa: κ ≥ 0, confidence margin of the hinge max(z_orig − z_other, −κ)
 * @lambda: λ ≥ 0, weight of the sparsity term
 * @optim: the optimiser on P (@optim.lr is the learning rate)
 * @iterations: E, iterations per batch (≥ 1)
 * @batch_size: B (≥ 1)
 * @max_samples: candidates drawn from the dataset before the correctness
 *   filter; 0 = every sample
 * @sample_seed: seed of that draw (a PbRng permutation; not numpy's)
 */
typedef struct
{
  PbProtocol    preset;
  double        kappa;
  double        lambda;
  PbOptimConfig optim;
  guint         iterations;
  guint         batch_size;
  guint         max_samples;
  guint64       sample_seed;
} PbAttackParams;

/**
 * PbAttackRecord:
 * @iteration: (B) 0-based iteration at which it was recorded, −1 = none
 * @loss: (B) ℓ_b at that iteration, +inf = none
 * @pert: (B, T, F) the perturbation used in that forward pass, zeros = none
 */
typedef struct
{
  gint   *iteration;
  double *loss;
  float  *pert;
} PbAttackRecord;

typedef struct _PbAttacker PbAttacker;

/**
 * PbAttackExampleData:
 * @iteration: −1 when no adversarial example was found
 * @loss: +inf when none
 * @n_nonzero: entries in @index / @value
 * @index: (n_nonzero) step · n_features + feature, increasing
 * @value: (n_nonzero) the non-zero perturbation values
 */
typedef struct
{
  gint    iteration;
  double  loss;
  guint   n_nonzero;
  guint  *index;
  float  *value;
} PbAttackExampleData;

/**
 * PbAttackResult:
 * @run_id: the attack run, 0 for a result built in memory
 * @params: how it was attacked
 * @max_len: T
 * @n_features: F
 * @n_candidates: samples considered before the correctness filter
 * @n: attacked (correctly classified) samples
 * @n_done: of those, how many have been attacked so far
 * @dataset_index: (n) row in the dataset
 * @sample_ids: (n)
 * @lengths: (n) L
 * @labels: (n) original label (= the model's prediction)
 * @iterations_run: (n) 0 while its batch is unfinished
 * @examples: per #PbAttackExample, (n) examples
 * @feature_names: (nullable) (F) names
 */
typedef struct
{
  gint64               run_id;
  PbAttackParams       params;
  guint                max_len;
  guint                n_features;
  guint                n_candidates;
  guint                n;
  guint                n_done;
  guint               *dataset_index;
  gint64              *sample_ids;
  guint               *lengths;
  gint                *labels;
  guint               *iterations_run;
  PbAttackExampleData *examples[PB_ATTACK_N_EXAMPLES];
  char               **feature_names;
} PbAttackResult;

/**
 * PbAttackRunInfo:
 * @run_id: attack_runs.attack_run_id
 * @dataset_name: the attacked dataset
 * @checkpoint_id: where the weights came from, 0 = a weights file
 * @params_json: the stored parameters
 * @complete: whether every batch is done
 * @n_attacked: correctly classified samples
 * @n_batches: batches
 * @n_batches_done: batches done
 * @created_at: ISO 8601 UTC
 */
typedef struct
{
  gint64  run_id;
  char   *dataset_name;
  gint64  checkpoint_id;
  char   *params_json;
  gboolean complete;
  guint   n_attacked;
  guint   n_batches;
  guint   n_batches_done;
  char   *created_at;
} PbAttackRunInfo;

/* parameters */
void            pb_attack_params_init        (PbAttackParams       *params);
gboolean        pb_attack_params_validate    (const PbAttackParams *params,
                                              GError              **error);
char           *pb_attack_params_to_json     (const PbAttackParams *params);
gboolean        pb_attack_params_from_json   (const char           *json,
                                              PbAttackParams       *params,
                                              GError              **error);

/* the target model */
PbModel        *pb_attack_load_checkpoint    (PbProject            *project,
                                              gint64                checkpoint_id,
                                              GError              **error);
GBytes         *pb_attack_model_to_bytes     (PbModel              *model);

/* one batch at a time (no storage) */
PbAttacker     *pb_attacker_new              (PbModel              *model,
                                              const PbAttackParams *params,
                                              GError              **error);
void            pb_attacker_free             (PbAttacker           *self);
gboolean        pb_attacker_begin            (PbAttacker           *self,
                                              const float          *x,
                                              const guint          *lengths,
                                              const gint           *labels,
                                              guint                 batch,
                                              guint                 max_len,
                                              GError              **error);
gboolean        pb_attacker_step             (PbAttacker           *self,
                                              GError              **error);
gboolean        pb_attacker_run              (PbAttacker           *self,
                                              GCancellable         *cancellable,
                                              GError              **error);
guint           pb_attacker_get_iteration    (PbAttacker           *self);
const float    *pb_attacker_get_perturbation (PbAttacker           *self);
const double   *pb_attacker_get_losses       (PbAttacker           *self);
const PbAttackRecord *
                pb_attacker_get_record       (PbAttacker           *self,
                                              PbAttackExample       kind);
PbOptim        *pb_attacker_get_optim        (PbAttacker           *self);
void            pb_attack_soft_threshold     (float                *pert,
                                              const float          *x,
                                              gsize                 n,
                                              double                threshold);
gboolean        pb_attack_select_correct     (PbModel              *model,
                                              const PbDataset      *dataset,
                                              const guint          *candidates,
                                              guint                 n_candidates,
                                              GArray               *selected,
                                              GCancellable         *cancellable,
                                              GError              **error);

/* stored runs */
gint64          pb_attack_run_create         (PbProject            *project,
                                              const char           *dataset_name,
                                              PbModel              *model,
                                              gint64                checkpoint_id,
                                              const PbAttackParams *params,
                                              GCancellable         *cancellable,
                                              GError              **error);
gboolean        pb_attack_run_execute        (PbProject            *project,
                                              gint64                run_id,
                                              PbProgressFunc        progress,
                                              gpointer              progress_data,
                                              GCancellable         *cancellable,
                                              GError              **error);
gboolean        pb_attack_run_execute_batches (PbProject          *project,
                                              gint64                run_id,
                                              guint                 max_batches,
                                              gboolean             *complete,
                                              PbProgressFunc        progress,
                                              gpointer              progress_data,
                                              GCancellable         *cancellable,
                                              GError              **error);
GPtrArray      *pb_attack_run_list           (PbProject            *project,
                                              GError              **error);
void            pb_attack_run_info_free      (PbAttackRunInfo      *info);

/* results */
PbAttackResult *pb_attack_result_new         (guint                 n,
                                              guint                 max_len,
                                              guint                 n_features);
void            pb_attack_result_free        (PbAttackResult       *result);
void            pb_attack_result_set_example (PbAttackResult       *result,
                                              PbAttackExample       kind,
                                              guint                 i,
                                              gint                  iteration,
                                              double                loss,
                                              const float          *pert);
void            pb_attack_result_get_dense   (const PbAttackResult *result,
                                              PbAttackExample       kind,
                                              guint                 i,
                                              float                *pert);
PbAttackResult *pb_attack_result_load        (PbProject            *project,
                                              gint64                run_id,
                                              GError              **error);

static inline gboolean
pb_attack_result_is_success (const PbAttackResult *result,
                             guint                 i)
{
  return result->examples[PB_ATTACK_EXAMPLE_FIRST][i].iteration >= 0;
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (PbAttacker, pb_attacker_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (PbAttackResult, pb_attack_result_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (PbAttackRunInfo, pb_attack_run_info_free)

G_END_DECLS
