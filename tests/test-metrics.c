/* test-metrics.c — ROC AUC, precision, recall, F1 and accuracy against
 * scikit-learn (fixture: tests/tools/make-metrics-reference.py).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "pb-error.h"
#include "pb-metrics.h"

#include "pb-test-reference.h"

#include <json-glib/json-glib.h>
#include <math.h>
#include <string.h>

/* sklearn integrates normalised rates with numpy.trapz, we integrate integer
 * counts and divide once: both are double, differences are a few ulps. */
#define TOL 1e-12

static void
test_against_sklearn (void)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;
  JsonArray *cases;

  cases = json_object_get_array_member (pb_test_load_json (parser, "metrics-reference.json"),
                                        "cases");
  g_assert_cmpuint (json_array_get_length (cases), >=, 6);

  for (guint k = 0; k < json_array_get_length (cases); k++)
    {
      JsonObject *c = json_array_get_object_element (cases, k);
      JsonArray *jl = json_object_get_array_member (c, "labels");
      JsonArray *jp = json_object_get_array_member (c, "probs");
      guint n_classes = json_object_get_int_member (c, "n_classes");
      gsize n = json_array_get_length (jl);
      g_autofree gint *labels = g_new (gint, n);
      g_autofree float *probs = g_new (float, n * n_classes);
      PbMetrics m;

      g_test_message ("case %s", json_object_get_string_member (c, "name"));
      g_assert_cmpuint (json_array_get_length (jp), ==, n * n_classes);
      for (gsize i = 0; i < n; i++)
        labels[i] = json_array_get_int_element (jl, i);
      for (gsize i = 0; i < n * n_classes; i++)
        probs[i] = (float) json_array_get_double_element (jp, i);

      g_assert_true (pb_metrics_compute (&m, probs, labels, n, n_classes, 0.25, &error));
      g_assert_no_error (error);
      g_assert_cmpuint (m.n, ==, n);
      g_assert_cmpfloat (m.loss, ==, 0.25);
      g_assert_cmpfloat_with_epsilon (m.auc, json_object_get_double_member (c, "auc"), TOL);
      g_assert_cmpfloat_with_epsilon (m.accuracy,
                                      json_object_get_double_member (c, "accuracy"), TOL);
      g_assert_cmpfloat_with_epsilon (m.precision,
                                      json_object_get_double_member (c, "precision"), TOL);
      g_assert_cmpfloat_with_epsilon (m.recall,
                                      json_object_get_double_member (c, "recall"), TOL);
      g_assert_cmpfloat_with_epsilon (m.f1, json_object_get_double_member (c, "f1"), TOL);

      if (json_object_has_member (c, "scores"))
        {
          JsonArray *js = json_object_get_array_member (c, "scores");
          g_autofree double *scores = g_new (double, n);
          double auc;

          for (gsize i = 0; i < n; i++)
            scores[i] = json_array_get_double_element (js, i);
          g_assert_true (pb_metrics_roc_auc (scores, labels, n, &auc, &error));
          g_assert_no_error (error);
          g_assert_cmpfloat_with_epsilon (auc, json_object_get_double_member (c, "auc_binary"),
                                          TOL);
        }
    }
}

/* Mann–Whitney with ties counted ½, by hand: P = {0.8, 0.5}, N = {0.5, 0.2, 0.8}
 * pairs (p, n): 0.8 vs 0.5 >, 0.8 vs 0.2 >, 0.8 vs 0.8 =, 0.5 vs 0.5 =, 0.5 vs 0.2 >,
 * 0.5 vs 0.8 < ⇒ (3 + ½·2) / 6 = 2/3. */
static void
test_ties_by_hand (void)
{
  const double scores[] = { 0.8, 0.5, 0.5, 0.2, 0.8 };
  const gint labels[] = { 1, 1, 0, 0, 0 };
  g_autoptr(GError) error = NULL;
  double auc = -1;

  g_assert_true (pb_metrics_roc_auc (scores, labels, 5, &auc, &error));
  g_assert_no_error (error);
  g_assert_cmpfloat_with_epsilon (auc, 2.0 / 3.0, 1e-15);
}

static void
test_one_class_is_an_error (void)
{
  const float probs[] = { 0.9f, 0.1f, 0.4f, 0.6f, 0.7f, 0.3f };
  const gint zeros[] = { 0, 0, 0 };
  const gint ones[] = { 1, 1, 1 };
  const gint bad[] = { 0, 2, 1 };
  const double scores[] = { 0.1, 0.6, 0.3 };
  g_autoptr(GError) error = NULL;
  PbMetrics m = { 0 };
  double auc;

  g_assert_false (pb_metrics_compute (&m, probs, zeros, 3, 2, 0, &error));
  g_assert_error (error, PB_ENGINE_ERROR, PB_ENGINE_ERROR_INVALID_DATA);
  g_assert_nonnull (strstr (error->message, "ROC AUC is undefined"));
  g_assert_nonnull (strstr (error->message, "only one class"));
  g_clear_error (&error);

  g_assert_false (pb_metrics_roc_auc (scores, ones, 3, &auc, &error));
  g_assert_error (error, PB_ENGINE_ERROR, PB_ENGINE_ERROR_INVALID_DATA);
  g_assert_nonnull (strstr (error->message, "all positive"));
  g_clear_error (&error);

  g_assert_false (pb_metrics_compute (&m, probs, zeros, 0, 2, 0, &error));
  g_assert_error (error, PB_ENGINE_ERROR, PB_ENGINE_ERROR_INVALID_DATA);
  g_assert_nonnull (strstr (error->message, "empty"));
  g_clear_error (&error);

  g_assert_false (pb_metrics_compute (&m, probs, bad, 3, 2, 0, &error));
  g_assert_error (error, PB_ENGINE_ERROR, PB_ENGINE_ERROR_INVALID_DATA);
  g_assert_nonnull (strstr (error->message, "Label 2 of sample 1"));
  g_clear_error (&error);
}

static void
test_nan_score_is_an_error (void)
{
  const double scores[] = { 0.1, NAN, 0.3 };
  const gint labels[] = { 0, 1, 1 };
  g_autoptr(GError) error = NULL;
  double auc;

  g_assert_false (pb_metrics_roc_auc (scores, labels, 3, &auc, &error));
  g_assert_error (error, PB_ENGINE_ERROR, PB_ENGINE_ERROR_INVALID_DATA);
  g_assert_nonnull (strstr (error->message, "NaN"));
}

static void
test_zero_division_and_argmax_ties (void)
{
  /* row 2 is a tie: argmax → class 0 */
  const float probs[] = { 0.9f, 0.1f, 0.8f, 0.2f, 0.5f, 0.5f, 0.6f, 0.4f };
  const gint labels[] = { 0, 1, 1, 0 };
  gint pred[4];
  double p, r, f;
  g_autofree char *json = NULL;
  PbMetrics m = { .n = 4, .loss = NAN, .accuracy = 0.5 };

  pb_metrics_predict (pred, probs, 4, 2);
  g_assert_cmpint (pred[2], ==, 0);
  pb_metrics_precision_recall_f1 (pred, labels, 4, 2, &p, &r, &f);
  /* no predicted positives: precision 0/0 → 0 (sklearn zero_division default) */
  g_assert_cmpfloat (p, ==, 0.0);
  g_assert_cmpfloat (r, ==, 0.0);
  g_assert_cmpfloat (f, ==, 0.0);
  g_assert_cmpfloat (pb_metrics_accuracy (pred, labels, 4), ==, 0.5);

  json = pb_metrics_to_json (&m);
  g_assert_cmpstr (json, ==, "{\"n\":4,\"loss\":null,\"accuracy\":0.5,\"auc\":0,"
                             "\"precision\":0,\"recall\":0,\"f1\":0}");
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/pb/metrics/matches-sklearn", test_against_sklearn);
  g_test_add_func ("/pb/metrics/auc/counts-ties-half", test_ties_by_hand);
  g_test_add_func ("/pb/metrics/auc/one-class-is-an-error", test_one_class_is_an_error);
  g_test_add_func ("/pb/metrics/auc/nan-is-an-error", test_nan_score_is_an_error);
  g_test_add_func ("/pb/metrics/zero-division-and-argmax-ties",
                   test_zero_division_and_argmax_ties);

  return g_test_run ();
}
