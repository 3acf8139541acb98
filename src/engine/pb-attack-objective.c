/* pb-attack-objective.c — sparsity scores of adversarial examples (SPEC.md §8.3).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "pb-attack-objective.h"

#include <math.h>

static const char *objective_names[] = {
  [PB_ATTACK_OBJECTIVE_SPARSITY] = "sparsity",
  [PB_ATTACK_OBJECTIVE_SPARSE_SMALL] = "sparse_small",
  [PB_ATTACK_OBJECTIVE_SPARSE_SMALL_MAX] = "sparse_small_max",
  [PB_ATTACK_OBJECTIVE_MAX_NUM_NONZERO_PERTS] = "max_num_nonzero_perts",
};

const char *
pb_attack_objective_get_name (PbAttackObjective objective)
{
  if ((guint) objective >= G_N_ELEMENTS (objective_names))
    return NULL;
  return objective_names[objective];
}

gboolean
pb_attack_objective_from_name (const char        *name,
                               PbAttackObjective *objective)
{
  for (guint i = 0; i < G_N_ELEMENTS (objective_names); i++)
    if (g_strcmp0 (name, objective_names[i]) == 0)
      {
        *objective = i;
        return TRUE;
      }
  return FALSE;
}

/**
 * pb_attack_objective_score_example:
 * @objective: which score
 * @example: a found example (only its entries at steps < @length count; the
 *   stored ones are exactly those)
 * @length: L
 * @n_features: F
 * @max_perts: for %PB_ATTACK_OBJECTIVE_MAX_NUM_NONZERO_PERTS (the notebook: 1)
 *
 * As numpy computes them: a perturbation with Σ|P| = 0 scores +inf for
 * sparse_small and sparse_small_max (sparsity / 0); a successful attack on a
 * correctly classified sample cannot have one.
 *
 * Returns: the per-example score
 */
double
pb_attack_objective_score_example (PbAttackObjective          objective,
                                   const PbAttackExampleData *example,
                                   guint                      length,
                                   guint                      n_features,
                                   guint                      max_perts)
{
  double sum = 0.0, max = 0.0, sparsity;
  guint n_nonzero = example->n_nonzero;

  for (guint k = 0; k < example->n_nonzero; k++)
    {
      double a = fabs ((double) example->value[k]);

      sum += a;
      max = MAX (max, a);
    }
  sparsity = 1.0 - (double) n_nonzero / ((double) n_features * length);

  switch (objective)
    {
    case PB_ATTACK_OBJECTIVE_SPARSITY:
      return sparsity;

    case PB_ATTACK_OBJECTIVE_SPARSE_SMALL:
      return sum > 0.0 ? sparsity / sum : INFINITY;

    case PB_ATTACK_OBJECTIVE_SPARSE_SMALL_MAX:
      return max > 0.0 ? sparsity / max : INFINITY;

    case PB_ATTACK_OBJECTIVE_MAX_NUM_NONZERO_PERTS:
      return n_nonzero <= max_perts ? 1.0 : 0.0;

    default:
      g_return_val_if_reached (NAN);
    }
}

/**
 * pb_attack_objective_evaluate:
 * @objective: which score
 * @result: an attack's results
 * @max_perts: for %PB_ATTACK_OBJECTIVE_MAX_NUM_NONZERO_PERTS
 *
 * The attack-tuning trial value of SPEC.md §8.2: the sum of the per-example
 * scores of the BEST example of every successfully attacked sample.
 *
 * Returns: the value, 0 when no attack succeeded
 */
double
pb_attack_objective_evaluate (PbAttackObjective     objective,
                              const PbAttackResult *result,
                              guint                 max_perts)
{
  double total = 0.0;

  for (guint i = 0; i < result->n; i++)
    if (pb_attack_result_is_success (result, i))
      total += pb_attack_objective_score_example (objective,
                                                  &result->examples[PB_ATTACK_EXAMPLE_BEST][i],
                                                  result->lengths[i], result->n_features,
                                                  max_perts);
  return total;
}
