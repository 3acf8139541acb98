/* pb-attack-objective.h — the attack-tuning objectives of SPEC.md §8.3.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

#include "pb-attack.h"

G_BEGIN_DECLS

/**
 * PbAttackObjective:
 * @PB_ATTACK_OBJECTIVE_SPARSITY: 1 − n_nonzero / (F·L)
 * @PB_ATTACK_OBJECTIVE_SPARSE_SMALL: sparsity / Σ|P|
 * @PB_ATTACK_OBJECTIVE_SPARSE_SMALL_MAX: sparsity / max|P| (the final attack's)
 * @PB_ATTACK_OBJECTIVE_MAX_NUM_NONZERO_PERTS: 1 when n_nonzero ≤ max_perts, else 0
 *
 * Per-example scores of the best perturbation P over its L × F unmasked
 * elements; a trial's value is their sum over the successfully attacked
 * samples (0 when none), to be maximised.
 */
typedef enum
{
  PB_ATTACK_OBJECTIVE_SPARSITY,
  PB_ATTACK_OBJECTIVE_SPARSE_SMALL,
  PB_ATTACK_OBJECTIVE_SPARSE_SMALL_MAX,
  PB_ATTACK_OBJECTIVE_MAX_NUM_NONZERO_PERTS,
} PbAttackObjective;

const char *pb_attack_objective_get_name      (PbAttackObjective           objective);
gboolean    pb_attack_objective_from_name     (const char                 *name,
                                               PbAttackObjective          *objective);
double      pb_attack_objective_score_example (PbAttackObjective           objective,
                                               const PbAttackExampleData  *example,
                                               guint                       length,
                                               guint                       n_features,
                                               guint                       max_perts);
double      pb_attack_objective_evaluate      (PbAttackObjective           objective,
                                               const PbAttackResult       *result,
                                               guint                       max_perts);

G_END_DECLS
