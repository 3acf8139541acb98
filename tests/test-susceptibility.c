/* test-susceptibility.c — attack objectives and susceptibility analyses on known answers.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib.h>
#include <math.h>
#include <string.h>

#include "pb-attack-objective.h"
#include "pb-susceptibility.h"
#include "pb-train.h"

#define EPS 1e-6

/* T = 3 hours, F = 2 features. Samples:
 *   0: label 0, P = [[0.5, 0], [0, 0], [0, −0.2]]
 *   1: label 0, P = [[0.1, 0], [0, 0.3], [0, 0]]
 *   2: label 0, P = [[0, 0], [0, 0], [0, 0.4]]
 *   3: label 0, not flipped
 *   4: label 1, length 2, P = [[0, 0.6], [0, 0]] (+ junk at t = 2 that must be masked)
 * first = best except sample 1, whose first example is [[0.2, 0.1], [0, 0.3], [0, 0]]. */
static PbAttackResult *
hand_made_result (void)
{
  PbAttackResult *r = pb_attack_result_new (5, 3, 2);
  const float p0[] = { 0.5f, 0, 0, 0, 0, -0.2f };
  const float p1[] = { 0.1f, 0, 0, 0.3f, 0, 0 };
  const float p1_first[] = { 0.2f, 0.1f, 0, 0.3f, 0, 0 };
  const float p2[] = { 0, 0, 0, 0, 0, 0.4f };
  const float p4[] = { 0, 0.6f, 0, 0, 0.9f, 0.9f };

  for (guint i = 0; i < 5; i++)
    r->iterations_run[i] = 100;
  r->labels[4] = 1;
  r->lengths[4] = 2;
  pb_attack_result_set_example (r, PB_ATTACK_EXAMPLE_FIRST, 0, 3, 0.5, p0);
  pb_attack_result_set_example (r, PB_ATTACK_EXAMPLE_BEST, 0, 3, 0.5, p0);
  pb_attack_result_set_example (r, PB_ATTACK_EXAMPLE_FIRST, 1, 2, 0.9, p1_first);
  pb_attack_result_set_example (r, PB_ATTACK_EXAMPLE_BEST, 1, 7, 0.4, p1);
  pb_attack_result_set_example (r, PB_ATTACK_EXAMPLE_FIRST, 2, 5, 0.3, p2);
  pb_attack_result_set_example (r, PB_ATTACK_EXAMPLE_BEST, 2, 5, 0.3, p2);
  pb_attack_result_set_example (r, PB_ATTACK_EXAMPLE_FIRST, 4, 1, 0.2, p4);
  pb_attack_result_set_example (r, PB_ATTACK_EXAMPLE_BEST, 4, 1, 0.2, p4);
  return r;
}

static void
test_susceptibility_matrices (void)
{
  g_autoptr(PbAttackResult) r = hand_made_result ();
  g_autoptr(PbSusceptibility) s = NULL;
  g_autoptr(PbSusceptibility) s1 = NULL;
  g_autoptr(PbSusceptibility) none = NULL;
  g_autofree guint *rank = NULL;
  PbAttackCondition cond;
  /* (hour, feature) cells: (0,0) {0.5, 0.1}; (1,1) {0.3}; (2,1) {0.2, 0.4} */
  const double gpp[] = { 2.0 / 3, 0, 0, 1.0 / 3, 0, 2.0 / 3 };
  const double gmp[] = { 0.5, 0, 0, 0.3, 0, 0.4 };
  const double ganzp[] = { 0.3, 0, 0, 0.3, 0, 0.3 };

  g_assert_cmpuint (r->examples[PB_ATTACK_EXAMPLE_BEST][4].n_nonzero, ==, 1);

  pb_attack_condition_init (&cond, PB_ATTACK_EXAMPLE_BEST, 0);
  s = pb_susceptibility_compute (r, &cond);
  g_assert_cmpuint (s->n_examples, ==, 3);
  for (guint c = 0; c < 6; c++)
    {
      g_assert_cmpfloat_with_epsilon (s->gpp[c], gpp[c], EPS);
      g_assert_cmpfloat_with_epsilon (s->gmp[c], gmp[c], EPS);
      g_assert_cmpfloat_with_epsilon (s->ganzp[c], ganzp[c], EPS);
      g_assert_cmpfloat_with_epsilon (s->s[c], gmp[c] * gpp[c], EPS);
      g_assert_cmpfloat_with_epsilon (s->sensitivity[c], ganzp[c] > 0 ? gpp[c] / ganzp[c] : 0,
                                      EPS);
    }
  g_assert_cmpfloat_with_epsilon (s->s_j[0], 1.0 / 3, EPS);
  g_assert_cmpfloat_with_epsilon (s->s_j[1], 0.1 + 0.4 * 2.0 / 3, EPS);
  g_assert_cmpfloat_with_epsilon (s->gpp_j[0], 2.0 / 3, EPS);
  g_assert_cmpfloat_with_epsilon (s->gpp_j[1], 1.0, EPS);
  g_assert_cmpfloat_with_epsilon (s->sensitivity_j[1], (1.0 / 3 + 2.0 / 3) / 0.3, EPS);
  rank = pb_susceptibility_rank_features (s, s->s_j);
  g_assert_cmpuint (rank[0], ==, 1);
  g_assert_cmpuint (rank[1], ==, 0);

  /* first examples differ for sample 1: (0,0) {0.5, 0.2}, (0,1) {0.1} */
  {
    g_autoptr(PbSusceptibility) f = NULL;

    pb_attack_condition_init (&cond, PB_ATTACK_EXAMPLE_FIRST, 0);
    f = pb_susceptibility_compute (r, &cond);
    g_assert_cmpfloat_with_epsilon (f->ganzp[0], 0.35, EPS);
    g_assert_cmpfloat_with_epsilon (f->gpp[1], 1.0 / 3, EPS);
  }

  /* label 1: one example of length 2; its masked junk does not count */
  pb_attack_condition_init (&cond, PB_ATTACK_EXAMPLE_BEST, 1);
  s1 = pb_susceptibility_compute (r, &cond);
  g_assert_cmpuint (s1->n_examples, ==, 1);
  g_assert_cmpfloat_with_epsilon (s1->gpp[1], 1.0, EPS);
  g_assert_cmpfloat_with_epsilon (s1->gmp[1], 0.6, EPS);
  g_assert_cmpfloat (s1->gpp[4], ==, 0.0);
  g_assert_cmpfloat (s1->gpp[5], ==, 0.0);

  /* conditions: full length only, and bounds on the number of perturbed elements */
  pb_attack_condition_init (&cond, PB_ATTACK_EXAMPLE_BEST, -1);
  cond.seq_length = 3;
  cond.max_num_perts = 1;
  none = pb_susceptibility_compute (r, &cond);
  g_assert_cmpuint (none->n_examples, ==, 1);  /* sample 2 */
  g_assert_cmpfloat_with_epsilon (none->gpp[5], 1.0, EPS);
  pb_susceptibility_free (g_steal_pointer (&none));
  cond.orig_label = 7;
  none = pb_susceptibility_compute (r, &cond);
  g_assert_cmpuint (none->n_examples, ==, 0);
  for (guint c = 0; c < 6; c++)
    g_assert_cmpfloat (none->gpp[c], ==, 0.0);

  /* as a table: one row per hour */
  {
    const char *names[] = { "potassium", "calcium" };
    g_autoptr(PbTable) t = pb_susceptibility_to_table (s, s->gpp, names);
    g_autofree char *csv = pb_table_to_csv (t);

    g_assert_cmpuint (t->n_rows, ==, 3);
    g_assert_true (g_str_has_prefix (csv, "hour,potassium,calcium\n0,0.66666666666666663,0\n"));
  }
}

static void
test_susceptibility_objectives (void)
{
  g_autoptr(PbAttackResult) r = hand_made_result ();
  const PbAttackExampleData *p0 = &r->examples[PB_ATTACK_EXAMPLE_BEST][0];
  PbAttackObjective o;

  /* sample 0: 2 of 6 elements, Σ|P| = 0.7, max |P| = 0.5 */
  g_assert_cmpfloat_with_epsilon (pb_attack_objective_score_example (PB_ATTACK_OBJECTIVE_SPARSITY,
                                                                     p0, 3, 2, 1),
                                  2.0 / 3, EPS);
  g_assert_cmpfloat_with_epsilon (pb_attack_objective_score_example (PB_ATTACK_OBJECTIVE_SPARSE_SMALL,
                                                                     p0, 3, 2, 1),
                                  (2.0 / 3) / 0.7, EPS);
  g_assert_cmpfloat_with_epsilon (pb_attack_objective_score_example (PB_ATTACK_OBJECTIVE_SPARSE_SMALL_MAX,
                                                                     p0, 3, 2, 1),
                                  (2.0 / 3) / 0.5, EPS);
  g_assert_cmpfloat (pb_attack_objective_score_example (PB_ATTACK_OBJECTIVE_MAX_NUM_NONZERO_PERTS,
                                                        p0, 3, 2, 1), ==, 0.0);
  g_assert_cmpfloat (pb_attack_objective_score_example (PB_ATTACK_OBJECTIVE_MAX_NUM_NONZERO_PERTS,
                                                        p0, 3, 2, 2), ==, 1.0);

  /* trial values: sums over the best examples of samples 0, 1, 2 and 4 (L = 2:
   * 1 of 4 elements, Σ|P| = max |P| = 0.6); sample 3 failed and adds nothing */
  g_assert_cmpfloat_with_epsilon (pb_attack_objective_evaluate (PB_ATTACK_OBJECTIVE_SPARSITY, r, 1),
                                  2.0 / 3 + 2.0 / 3 + 5.0 / 6 + 3.0 / 4, EPS);
  g_assert_cmpfloat_with_epsilon (pb_attack_objective_evaluate (PB_ATTACK_OBJECTIVE_SPARSE_SMALL,
                                                                r, 1),
                                  (2.0 / 3) / 0.7 + (2.0 / 3) / 0.4 + (5.0 / 6) / 0.4 + 0.75 / 0.6,
                                  1e-5);
  g_assert_cmpfloat_with_epsilon (pb_attack_objective_evaluate (PB_ATTACK_OBJECTIVE_SPARSE_SMALL_MAX,
                                                                r, 1),
                                  (2.0 / 3) / 0.5 + (2.0 / 3) / 0.3 + (5.0 / 6) / 0.4 + 0.75 / 0.6,
                                  1e-5);
  g_assert_cmpfloat (pb_attack_objective_evaluate (PB_ATTACK_OBJECTIVE_MAX_NUM_NONZERO_PERTS, r, 1),
                     ==, 2.0);
  g_assert_cmpfloat (pb_attack_objective_evaluate (PB_ATTACK_OBJECTIVE_MAX_NUM_NONZERO_PERTS, r, 2),
                     ==, 4.0);

  /* no success at all: 0 */
  {
    g_autoptr(PbAttackResult) empty = pb_attack_result_new (3, 4, 2);

    g_assert_cmpfloat (pb_attack_objective_evaluate (PB_ATTACK_OBJECTIVE_SPARSE_SMALL_MAX, empty, 1),
                       ==, 0.0);
  }

  g_assert_true (pb_attack_objective_from_name ("sparse_small_max", &o));
  g_assert_cmpint (o, ==, PB_ATTACK_OBJECTIVE_SPARSE_SMALL_MAX);
  g_assert_cmpstr (pb_attack_objective_get_name (PB_ATTACK_OBJECTIVE_MAX_NUM_NONZERO_PERTS), ==,
                   "max_num_nonzero_perts");
  g_assert_false (pb_attack_objective_from_name ("sparsest", &o));
}

static double
cell (const PbTable *t,
      guint          row,
      const char    *col)
{
  gint c = pb_table_lookup_column (t, col);

  g_assert_cmpint (c, >=, 0);
  return t->values[(gsize) row * t->n_cols + c];
}

static void
test_susceptibility_tables (void)
{
  g_autoptr(PbAttackResult) r = hand_made_result ();
  g_autoptr(PbTable) best = pb_attack_summary_table (r, PB_ATTACK_EXAMPLE_BEST);
  g_autoptr(PbTable) all = pb_attack_all_attacks_table (r);
  g_autoptr(PbTable) success = pb_attack_success_table (r);
  g_autoptr(PbTable) features = pb_attack_feature_table (r, PB_ATTACK_EXAMPLE_BEST, 0);
  g_autofree double *num_perts = NULL;
  g_autofree guint64 *hist = NULL;
  guint n;

  g_assert_cmpuint (best->n_rows, ==, 4);
  g_assert_cmpuint (best->n_cols, ==, 21);
  /* row 0 = sample 0 */
  g_assert_cmpfloat (cell (best, 0, "epoch_found"), ==, 3);
  g_assert_cmpfloat_with_epsilon (cell (best, 0, "pert_max_positive"), 0.5, EPS);
  g_assert_cmpfloat_with_epsilon (cell (best, 0, "pert_max_negative"), -0.2, EPS);
  g_assert_cmpfloat_with_epsilon (cell (best, 0, "pert_abs_sum"), 0.7, EPS);
  g_assert_cmpfloat_with_epsilon (cell (best, 0, "pert_mean_abs"), 0.7 / 6, EPS);
  g_assert_cmpfloat_with_epsilon (cell (best, 0, "pert_mean_nonzero_abs"), 0.35, EPS);
  g_assert_cmpfloat_with_epsilon (cell (best, 0, "pert_min_nonzero_abs"), 0.2, EPS);
  g_assert_cmpfloat (cell (best, 0, "num_negative_perts"), ==, 1);
  g_assert_cmpfloat (cell (best, 0, "num_positive_perts"), ==, 1);
  g_assert_cmpfloat (cell (best, 0, "pert_num_actual_elements"), ==, 6);
  g_assert_cmpfloat_with_epsilon (cell (best, 0, "sparse_small_max_scores"), (2.0 / 3) / 0.5, EPS);
  /* row 3 = sample 4 (length 2, label 1) */
  g_assert_cmpfloat (cell (best, 3, "dataset_index"), ==, 4);
  g_assert_cmpfloat (cell (best, 3, "orig_label"), ==, 1);
  g_assert_cmpfloat (cell (best, 3, "pert_num_actual_elements"), ==, 4);
  g_assert_cmpfloat (cell (best, 3, "pert_max_negative"), ==, 0.0);

  g_assert_cmpuint (all->n_rows, ==, 5);
  g_assert_cmpfloat (cell (all, 3, "successful_attack"), ==, 0);
  g_assert_cmpfloat (cell (all, 4, "successful_attack"), ==, 1);

  /* label 0: 3 of 4; label 1: 1 of 1; all: 4 of 5 */
  g_assert_cmpuint (success->n_rows, ==, 3);
  g_assert_cmpfloat_with_epsilon (cell (success, 0, "success_rate"), 0.75, EPS);
  g_assert_cmpfloat_with_epsilon (cell (success, 1, "success_rate"), 1.0, EPS);
  g_assert_cmpfloat (cell (success, 2, "orig_label"), ==, -1);
  g_assert_cmpfloat (cell (success, 2, "n_successful"), ==, 4);
  g_assert_cmpfloat (cell (success, 0, "median_num_perts_first"), ==, 2);  /* {2, 3, 1} */
  g_assert_cmpfloat (cell (success, 0, "median_num_perts_best"), ==, 2);   /* {2, 2, 1} */

  g_assert_cmpuint (features->n_rows, ==, 2);
  g_assert_cmpfloat_with_epsilon (cell (features, 1, "s_j_0to1"), 0.1 + 0.4 * 2.0 / 3, EPS);
  g_assert_cmpfloat_with_epsilon (cell (features, 1, "s_j_1to0"), 0.6, EPS);
  g_assert_cmpfloat (cell (features, 0, "n_examples_0to1"), ==, 3);

  /* histogram of num_perts over [0, 6] in 6 bins: {2, 2, 1, 1} */
  num_perts = pb_table_dup_column (best, "num_perts", &n);
  g_assert_cmpuint (n, ==, 4);
  hist = pb_histogram_count (num_perts, n, 6, 0, 6);
  g_assert_cmpuint (hist[1], ==, 2);
  g_assert_cmpuint (hist[2], ==, 2);
  g_assert_cmpuint (hist[0] + hist[3] + hist[4] + hist[5], ==, 0);
  {
    const double v[] = { 0.0, 0.5, 1.0, 1.0, -1.0, 2.0, NAN };
    g_autofree guint64 *h = pb_histogram_count (v, G_N_ELEMENTS (v), 2, 0.0, 1.0);

    g_assert_cmpuint (h[0], ==, 1);
    g_assert_cmpuint (h[1], ==, 3);  /* the last bin is closed */
  }
}

/* ---- planted signal --------------------------------------------------------- */

/* Mortality depends on feature 2 only (its mean over the stay); the other
 * features are noise. A trained model must be most susceptible on feature 2. */
static void
test_susceptibility_planted_signal (void)
{
  const guint N = 240, T = 6, F = 4, planted = 2;
  g_autoptr(GError) error = NULL;
  g_autoptr(PbDataset) data = pb_dataset_new (N, T, F, 2);
  g_autoptr(PbTrainer) trainer = NULL;
  g_autoptr(PbAttacker) attacker = NULL;
  g_autoptr(PbAttackResult) result = NULL;
  g_autoptr(PbSusceptibility) s = NULL;
  g_autofree guint *rank = NULL;
  g_autoptr(GArray) correct = g_array_new (FALSE, FALSE, sizeof (guint));
  g_autofree guint *all = g_new (guint, N);
  PbTrainConfig config;
  PbAttackParams params;
  PbAttackCondition cond;
  PbRng rng;
  PbModel *model;
  double loss = 0.0;

  pb_rng_init (&rng, 2024);
  for (guint i = 0; i < N; i++)
    {
      float *x = pb_dataset_get_sequence (data, i);
      double mean = 0.0;

      all[i] = i;
      for (guint k = 0; k < T * F; k++)
        x[k] = pb_rng_uniform (&rng);
      for (guint t = 0; t < T; t++)
        mean += x[t * F + planted] / T;
      data->labels[i] = mean > 0.5;
    }

  pb_train_config_init (&config);
  config.model.n_features = F;
  config.model.n_hidden = 8;
  config.model.n_fc = 8;
  config.model.dropout = 0.0;
  config.model.act_lstm = PB_ACTIVATION_TANH;
  config.model.act_fc = PB_ACTIVATION_TANH;
  pb_optim_config_init (&config.optim, PB_OPTIM_KIND_ADAM);
  config.optim.lr = 0.02;
  config.batch_size = 32;
  config.n_epochs = 40;
  config.seed = 1;
  trainer = pb_trainer_new (&config, data, data, &error);
  g_assert_no_error (error);
  for (guint e = 0; e < config.n_epochs; e++)
    {
      pb_trainer_train_epoch (trainer, &loss, NULL, NULL, NULL, &error);
      g_assert_no_error (error);
    }
  model = pb_trainer_get_model (trainer);

  pb_attack_select_correct (model, data, all, N, correct, NULL, &error);
  g_assert_no_error (error);
  g_test_message ("training loss %.4f, %u of %u classified correctly", loss, correct->len, N);
  g_assert_cmpuint (correct->len, >, N * 8 / 10);

  pb_attack_params_init (&params);
  params.kappa = 0.0;
  params.lambda = 0.002;
  params.optim.lr = 0.5;
  params.iterations = 100;
  params.batch_size = correct->len;
  attacker = pb_attacker_new (model, &params, &error);
  g_assert_no_error (error);

  {
    const guint B = correct->len;
    g_autofree float *x = g_new (float, (gsize) B * T * F);
    g_autofree guint *lengths = g_new (guint, B);
    g_autofree gint *labels = g_new (gint, B);

    result = pb_attack_result_new (B, T, F);
    for (guint b = 0; b < B; b++)
      {
        guint row = g_array_index (correct, guint, b);

        memcpy (x + (gsize) b * T * F, pb_dataset_get_sequence (data, row),
                sizeof (float) * T * F);
        lengths[b] = T;
        labels[b] = result->labels[b] = data->labels[row];
        result->iterations_run[b] = params.iterations;
      }
    pb_attacker_begin (attacker, x, lengths, labels, B, T, &error);
    g_assert_no_error (error);
    pb_attacker_run (attacker, NULL, &error);
    g_assert_no_error (error);
    for (guint k = 0; k < PB_ATTACK_N_EXAMPLES; k++)
      {
        const PbAttackRecord *rec = pb_attacker_get_record (attacker, k);

        for (guint b = 0; b < B; b++)
          pb_attack_result_set_example (result, k, b, rec->iteration[b], rec->loss[b],
                                        rec->pert + (gsize) b * T * F);
      }
  }

  pb_attack_condition_init (&cond, PB_ATTACK_EXAMPLE_BEST, -1);
  s = pb_susceptibility_compute (result, &cond);
  g_test_message ("%u successful; s_j = %.4f %.4f %.4f %.4f", s->n_examples,
                  s->s_j[0], s->s_j[1], s->s_j[2], s->s_j[3]);
  g_assert_cmpuint (s->n_examples, >, correct->len / 4);
  rank = pb_susceptibility_rank_features (s, s->s_j);
  g_assert_cmpuint (rank[0], ==, planted);
  pb_susceptibility_free (g_steal_pointer (&s));

  /* the same holds for the first examples and the perturbation probability */
  pb_attack_condition_init (&cond, PB_ATTACK_EXAMPLE_FIRST, -1);
  s = pb_susceptibility_compute (result, &cond);
  g_free (rank);
  rank = pb_susceptibility_rank_features (s, s->gpp_j);
  g_assert_cmpuint (rank[0], ==, planted);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/pb/susceptibility/matrices/hand-made", test_susceptibility_matrices);
  g_test_add_func ("/pb/susceptibility/objectives/hand-made", test_susceptibility_objectives);
  g_test_add_func ("/pb/susceptibility/tables/hand-made", test_susceptibility_tables);
  g_test_add_func ("/pb/susceptibility/planted-signal/ranks-first",
                   test_susceptibility_planted_signal);

  return g_test_run ();
}
