/* test-sampler.c — class-balancing sampler (torch WeightedRandomSampler) and
 * stratified folds (sklearn StratifiedKFold; fixture tests/tools/make-kfold-reference.py).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "pb-error.h"
#include "pb-sampler.h"

#include "pb-test-reference.h"

#include <json-glib/json-glib.h>
#include <math.h>
#include <string.h>

#define N 1000
#define N_POS 100
#define EPOCHS 20

static void
make_labels (gint *labels)
{
  /* every 10th sample positive: 10 % class 1 */
  for (guint i = 0; i < N; i++)
    labels[i] = i % 10 == 3;
}

static void
test_class_balance (void)
{
  gint labels[N];
  g_autoptr(PbSampler) sampler = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree guint *idx = g_new (guint, N);
  guint hits[N] = { 0 };
  double n_pos = 0;
  double chi2 = 0;
  PbRng rng;

  make_labels (labels);
  sampler = pb_sampler_new_class_balanced (labels, N, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (pb_sampler_get_num_samples (sampler), ==, N);

  pb_rng_init (&rng, 12345678);
  for (guint e = 0; e < EPOCHS; e++)
    {
      pb_sampler_draw (sampler, &rng, idx);
      for (guint k = 0; k < N; k++)
        {
          g_assert_cmpuint (idx[k], <, N);
          hits[idx[k]]++;
          n_pos += labels[idx[k]] == 1;
        }
    }

  /* each draw is class 1 with probability ½: σ of the fraction over 20,000
   * draws is 0.0035; allow 4σ */
  g_test_message ("fraction of class 1: %.4f", n_pos / (N * EPOCHS));
  g_assert_cmpfloat (fabs (n_pos / (N * EPOCHS) - 0.5), <, 4 * sqrt (0.25 / (N * EPOCHS)));

  /* uniform within the positive class: χ² over its 100 samples (99 degrees of
   * freedom; 99.99th percentile ≈ 157) */
  for (guint i = 0; i < N; i++)
    if (labels[i] == 1)
      {
        double expect = n_pos / N_POS;

        chi2 += (hits[i] - expect) * (hits[i] - expect) / expect;
      }
  g_test_message ("chi2 within class 1: %.1f", chi2);
  g_assert_cmpfloat (chi2, <, 157);
}

static void
test_determinism (void)
{
  gint labels[N];
  g_autoptr(PbSampler) sampler = NULL;
  g_autofree guint *a = g_new (guint, N);
  g_autofree guint *b = g_new (guint, N);
  PbRng r1, r2;

  make_labels (labels);
  sampler = pb_sampler_new_class_balanced (labels, N, NULL);

  pb_rng_init (&r1, 42);
  pb_rng_init (&r2, 42);
  pb_sampler_draw (sampler, &r1, a);
  pb_sampler_draw (sampler, &r2, b);
  g_assert_cmpmem (a, N * sizeof (guint), b, N * sizeof (guint));

  /* the next epoch is a fresh draw */
  pb_sampler_draw (sampler, &r2, b);
  g_assert_true (memcmp (a, b, N * sizeof (guint)) != 0);

  /* restoring a saved generator state replays the stream */
  r2 = r1;
  pb_sampler_draw (sampler, &r1, a);
  pb_sampler_draw (sampler, &r2, b);
  g_assert_cmpmem (a, N * sizeof (guint), b, N * sizeof (guint));

  pb_rng_init (&r2, 43);
  pb_sampler_draw (sampler, &r2, b);
  g_assert_true (memcmp (a, b, N * sizeof (guint)) != 0);
}

static void
test_general_weights (void)
{
  const double weights[] = { 0.0, 1.0, 3.0, 0.0 };
  g_autoptr(PbSampler) sampler = NULL;
  g_autoptr(GError) error = NULL;
  guint idx[8000];
  guint hits[4] = { 0 };
  PbRng rng;

  sampler = pb_sampler_new_weighted (weights, 4, G_N_ELEMENTS (idx), &error);
  g_assert_no_error (error);
  pb_rng_init (&rng, 1);
  pb_sampler_draw (sampler, &rng, idx);
  for (guint k = 0; k < G_N_ELEMENTS (idx); k++)
    hits[idx[k]]++;

  g_assert_cmpuint (hits[0], ==, 0);
  g_assert_cmpuint (hits[3], ==, 0);
  /* P(2) = ¾: σ = 0.0048 over 8,000 draws */
  g_assert_cmpfloat (fabs (hits[2] / 8000.0 - 0.75), <, 0.02);
}

static void
test_bad_weights (void)
{
  const double negative[] = { 1.0, -1.0 };
  const double nan_w[] = { 1.0, NAN };
  const double zeros[] = { 0.0, 0.0 };
  const gint bad_labels[] = { 0, -2 };
  g_autoptr(GError) error = NULL;

  g_assert_null (pb_sampler_new_weighted (negative, 2, 2, &error));
  g_assert_error (error, PB_ENGINE_ERROR, PB_ENGINE_ERROR_INVALID_DATA);
  g_assert_nonnull (strstr (error->message, "weight 1 is -1"));
  g_clear_error (&error);

  g_assert_null (pb_sampler_new_weighted (nan_w, 2, 2, &error));
  g_assert_error (error, PB_ENGINE_ERROR, PB_ENGINE_ERROR_INVALID_DATA);
  g_clear_error (&error);

  g_assert_null (pb_sampler_new_weighted (zeros, 2, 2, &error));
  g_assert_error (error, PB_ENGINE_ERROR, PB_ENGINE_ERROR_INVALID_DATA);
  g_assert_nonnull (strstr (error->message, "zero"));
  g_clear_error (&error);

  g_assert_null (pb_sampler_new_class_balanced (NULL, 0, &error));
  g_assert_error (error, PB_ENGINE_ERROR, PB_ENGINE_ERROR_INVALID_DATA);
  g_assert_nonnull (strstr (error->message, "empty"));
  g_clear_error (&error);

  g_assert_null (pb_sampler_new_class_balanced (bad_labels, 2, &error));
  g_assert_error (error, PB_ENGINE_ERROR, PB_ENGINE_ERROR_INVALID_DATA);
}

static void
test_kfold_matches_sklearn (void)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;
  JsonArray *cases;

  cases = json_object_get_array_member (pb_test_load_json (parser, "kfold-reference.json"),
                                        "cases");

  for (guint c = 0; c < json_array_get_length (cases); c++)
    {
      JsonObject *obj = json_array_get_object_element (cases, c);
      JsonArray *jl = json_object_get_array_member (obj, "labels");
      JsonObject *jf = json_object_get_object_member (obj, "folds");
      gsize n = json_array_get_length (jl);
      g_autofree gint *labels = g_new (gint, n);
      g_autofree guint *folds = g_new (guint, n);
      g_autofree guint *shuffled = g_new (guint, n);
      g_autofree guint *again = g_new (guint, n);
      guint k_values[] = { 2, 3, 5 };

      for (gsize i = 0; i < n; i++)
        labels[i] = json_array_get_int_element (jl, i);

      for (guint j = 0; j < G_N_ELEMENTS (k_values); j++)
        {
          guint k = k_values[j];
          g_autofree char *key = g_strdup_printf ("%u", k);
          JsonArray *want = json_object_get_array_member (jf, key);
          PbRng r1, r2;

          g_test_message ("%s k=%u", json_object_get_string_member (obj, "name"), k);
          g_assert_true (pb_stratified_kfold (labels, n, k, FALSE, NULL, folds, &error));
          g_assert_no_error (error);
          for (gsize i = 0; i < n; i++)
            g_assert_cmpint (folds[i], ==, json_array_get_int_element (want, i));

          /* shuffled: the same number of each class in each fold, seeded */
          pb_rng_init (&r1, 1234);
          pb_rng_init (&r2, 1234);
          g_assert_true (pb_stratified_kfold (labels, n, k, TRUE, &r1, shuffled, &error));
          g_assert_true (pb_stratified_kfold (labels, n, k, TRUE, &r2, again, &error));
          g_assert_cmpmem (shuffled, n * sizeof (guint), again, n * sizeof (guint));
          for (guint f = 0; f < k; f++)
            for (gsize a = 0; a < n; a++)
              {
                guint cnt_plain = 0, cnt_shuffled = 0;

                for (gsize i = 0; i < n; i++)
                  {
                    cnt_plain += labels[i] == labels[a] && folds[i] == f;
                    cnt_shuffled += labels[i] == labels[a] && shuffled[i] == f;
                  }
                g_assert_cmpuint (cnt_plain, ==, cnt_shuffled);
              }
        }
      g_assert_true (memcmp (folds, shuffled, n * sizeof (guint)) != 0);
    }
}

static void
test_kfold_errors (void)
{
  const gint labels[] = { 0, 1, 0, 1, 1 };
  guint folds[5];
  g_autoptr(GError) error = NULL;
  guint n_idx;
  g_autofree guint *idx = NULL;

  g_assert_false (pb_stratified_kfold (labels, 5, 1, FALSE, NULL, folds, &error));
  g_assert_error (error, PB_ENGINE_ERROR, PB_ENGINE_ERROR_INVALID_ARGUMENT);
  g_clear_error (&error);

  g_assert_false (pb_stratified_kfold (labels, 5, 4, FALSE, NULL, folds, &error));
  g_assert_error (error, PB_ENGINE_ERROR, PB_ENGINE_ERROR_INVALID_ARGUMENT);
  g_assert_nonnull (strstr (error->message, "no class has that many"));
  g_clear_error (&error);

  g_assert_true (pb_stratified_kfold (labels, 5, 2, FALSE, NULL, folds, &error));
  idx = pb_indices_where (folds, 5, 0, TRUE, &n_idx);
  g_assert_cmpuint (n_idx, ==, 3);
  g_clear_pointer (&idx, g_free);
  idx = pb_indices_where (folds, 5, 0, FALSE, &n_idx);
  g_assert_cmpuint (n_idx, ==, 2);
}

static void
test_stratified_split (void)
{
  gint labels[N];
  gboolean is_test[N];
  gboolean again[N];
  guint n_test[2] = { 0 };
  g_autoptr(GError) error = NULL;
  const gint lonely[] = { 0, 0, 1 };
  gboolean lonely_test[3];
  PbRng rng;

  make_labels (labels);
  pb_rng_init (&rng, 9);
  g_assert_true (pb_stratified_split (labels, N, 0.2, &rng, is_test, &error));
  g_assert_no_error (error);
  for (guint i = 0; i < N; i++)
    n_test[labels[i]] += is_test[i];
  g_assert_cmpuint (n_test[0], ==, 180);
  g_assert_cmpuint (n_test[1], ==, 20);

  pb_rng_init (&rng, 9);
  g_assert_true (pb_stratified_split (labels, N, 0.2, &rng, again, &error));
  g_assert_cmpmem (is_test, sizeof is_test, again, sizeof again);

  g_assert_false (pb_stratified_split (lonely, 3, 0.5, &rng, lonely_test, &error));
  g_assert_error (error, PB_ENGINE_ERROR, PB_ENGINE_ERROR_INVALID_DATA);
  g_assert_nonnull (strstr (error->message, "Class 1 has 1 sample"));
  g_clear_error (&error);

  g_assert_false (pb_stratified_split (labels, N, 1.0, &rng, is_test, &error));
  g_assert_error (error, PB_ENGINE_ERROR, PB_ENGINE_ERROR_INVALID_ARGUMENT);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/pb/sampler/balances-classes", test_class_balance);
  g_test_add_func ("/pb/sampler/deterministic-for-a-seed", test_determinism);
  g_test_add_func ("/pb/sampler/general-weights", test_general_weights);
  g_test_add_func ("/pb/sampler/rejects-bad-weights", test_bad_weights);
  g_test_add_func ("/pb/kfold/matches-sklearn", test_kfold_matches_sklearn);
  g_test_add_func ("/pb/kfold/errors", test_kfold_errors);
  g_test_add_func ("/pb/split/stratified", test_stratified_split);

  return g_test_run ();
}
