/* pb-metrics.c — ROC AUC, precision, recall, F1, accuracy (engine-notes §5).
 *
 * Everything accumulates in double. Checked against scikit-learn 1.2.1 by
 * tests/test-metrics.c (fixtures from tests/tools/make-metrics-reference.py).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "pb-metrics.h"

#include "pb-error.h"
#include "pb-json.h"

#include <math.h>
#include <stdlib.h>

typedef struct
{
  double   score;
  gboolean positive;
} ScoredLabel;

static int
compare_desc (const void *a,
              const void *b)
{
  const ScoredLabel *sa = a;
  const ScoredLabel *sb = b;

  return (sa->score < sb->score) - (sa->score > sb->score);
}

/* Sorts @pairs (scores descending) and integrates the ROC curve over tie
 * groups: Σ (FP_k − FP_{k−1})·(TP_k + TP_{k−1}) / (2·P·N), which is the
 * Mann–Whitney statistic with ties counted ½ — sklearn's roc_auc_score. */
static gboolean
auc_of_pairs (ScoredLabel  *pairs,
              gsize         n,
              const char   *what,
              double       *auc,
              GError      **error)
{
  double n_pos = 0, n_neg = 0;
  double tp = 0, fp = 0, tp_prev = 0, fp_prev = 0;
  double area = 0;

  for (gsize i = 0; i < n; i++)
    {
      if (isnan (pairs[i].score))
        {
          g_set_error (error, PB_ENGINE_ERROR, PB_ENGINE_ERROR_INVALID_DATA,
                       "ROC AUC: score %" G_GSIZE_FORMAT " is NaN", i);
          return FALSE;
        }
      if (pairs[i].positive)
        n_pos++;
      else
        n_neg++;
    }

  if (n_pos == 0 || n_neg == 0)
    {
      g_set_error (error, PB_ENGINE_ERROR, PB_ENGINE_ERROR_INVALID_DATA,
                   "ROC AUC is undefined: %s has %s (%" G_GSIZE_FORMAT " samples, "
                   "all %s)", what, n == 0 ? "no samples" : "only one class", n,
                   n_pos == 0 ? "negative" : "positive");
      return FALSE;
    }

  qsort (pairs, n, sizeof (ScoredLabel), compare_desc);

  for (gsize i = 0; i < n; i++)
    {
      if (pairs[i].positive)
        tp++;
      else
        fp++;

      /* last index of a tie group: one point of the curve */
      if (i + 1 == n || pairs[i + 1].score != pairs[i].score)
        {
          area += (fp - fp_prev) * (tp + tp_prev);
          tp_prev = tp;
          fp_prev = fp;
        }
    }

  *auc = area / (2.0 * n_pos * n_neg);
  return TRUE;
}

/**
 * pb_metrics_roc_auc:
 * @scores: (array length=n): score of the positive class
 * @labels: (array length=n): 1 = positive, anything else negative
 * @auc: (out): the area under the ROC curve
 *
 * Binary ROC AUC with ties counted ½, equal to `sklearn.metrics.roc_auc_score`.
 *
 * Returns: %FALSE with %PB_ENGINE_ERROR_INVALID_DATA when only one class is
 *   present (the AUC is undefined) or a score is NaN
 */
gboolean
pb_metrics_roc_auc (const double  *scores,
                    const gint    *labels,
                    gsize          n,
                    double        *auc,
                    GError       **error)
{
  g_autofree ScoredLabel *pairs = g_new (ScoredLabel, MAX (n, 1));

  g_return_val_if_fail (n == 0 || (scores != NULL && labels != NULL), FALSE);
  g_return_val_if_fail (auc != NULL, FALSE);

  for (gsize i = 0; i < n; i++)
    {
      pairs[i].score = scores[i];
      pairs[i].positive = labels[i] == 1;
    }

  return auc_of_pairs (pairs, n, "the evaluated set", auc, error);
}

/**
 * pb_metrics_roc_auc_ovr:
 * @probs: (n, C) class scores, row-major
 * @labels: (n) 0…C−1
 *
 * `roc_auc_score (one_hot (labels), probs)` — the macro average over the C
 * columns of each column's binary AUC (SPEC §4.4). For C = 2 with
 * complementary columns both halves equal the binary AUC of p(class 1).
 *
 * Returns: %FALSE when a class is absent from @labels (its column's AUC is
 *   undefined) or a score is NaN
 */
gboolean
pb_metrics_roc_auc_ovr (const float  *probs,
                        const gint   *labels,
                        gsize         n,
                        guint         n_classes,
                        double       *auc,
                        GError      **error)
{
  g_autofree ScoredLabel *pairs = g_new (ScoredLabel, MAX (n, 1));
  double sum = 0;

  g_return_val_if_fail (n == 0 || (probs != NULL && labels != NULL), FALSE);
  g_return_val_if_fail (n_classes >= 2, FALSE);
  g_return_val_if_fail (auc != NULL, FALSE);

  for (guint c = 0; c < n_classes; c++)
    {
      g_autofree char *what = g_strdup_printf ("the evaluated set for class %u", c);
      double col;

      for (gsize i = 0; i < n; i++)
        {
          pairs[i].score = probs[i * n_classes + c];
          pairs[i].positive = labels[i] == (gint) c;
        }
      if (!auc_of_pairs (pairs, n, what, &col, error))
        return FALSE;
      sum += col;
    }

  *auc = sum / n_classes;
  return TRUE;
}

/**
 * pb_metrics_predict:
 * @y_pred: (out) (array length=n): argmax of each row (ties → lowest index,
 *   as torch.argmax and numpy.argmax)
 */
void
pb_metrics_predict (gint        *y_pred,
                    const float *probs,
                    gsize        n,
                    guint        n_classes)
{
  for (gsize i = 0; i < n; i++)
    {
      const float *row = probs + i * n_classes;
      guint best = 0;

      for (guint c = 1; c < n_classes; c++)
        if (row[c] > row[best])
          best = c;
      y_pred[i] = (gint) best;
    }
}

static double
safe_div (double num,
          double den)
{
  /* sklearn zero_division="warn": 0.0 */
  return den > 0 ? num / den : 0.0;
}

static void
prf_of_class (const gint *y_pred,
              const gint *y_true,
              gsize       n,
              gint        positive,
              double     *precision,
              double     *recall,
              double     *f1)
{
  double tp = 0, fp = 0, fn = 0;
  double p, r, den;

  for (gsize i = 0; i < n; i++)
    {
      gboolean pred = y_pred[i] == positive;
      gboolean truth = y_true[i] == positive;

      tp += pred && truth;
      fp += pred && !truth;
      fn += !pred && truth;
    }

  p = safe_div (tp, tp + fp);
  r = safe_div (tp, tp + fn);
  /* sklearn 1.2: F = 2PR / (P + R), 0 when P + R = 0 */
  den = p + r;
  *precision = p;
  *recall = r;
  *f1 = den > 0 ? 2 * p * r / den : 0.0;
}

/**
 * pb_metrics_precision_recall_f1:
 *
 * C = 2: binary scores of class 1 (`average="binary"`, `pos_label=1`).
 * C > 2: unweighted means over the classes (`average="macro"`).
 * Undefined ratios count as 0.0 (scikit-learn's default `zero_division`).
 */
void
pb_metrics_precision_recall_f1 (const gint *y_pred,
                                const gint *y_true,
                                gsize       n,
                                guint       n_classes,
                                double     *precision,
                                double     *recall,
                                double     *f1)
{
  double sp = 0, sr = 0, sf = 0;

  g_return_if_fail (n_classes >= 2);

  if (n_classes == 2)
    {
      prf_of_class (y_pred, y_true, n, 1, precision, recall, f1);
      return;
    }

  for (guint c = 0; c < n_classes; c++)
    {
      double p, r, f;

      prf_of_class (y_pred, y_true, n, (gint) c, &p, &r, &f);
      sp += p;
      sr += r;
      sf += f;
    }
  *precision = sp / n_classes;
  *recall = sr / n_classes;
  *f1 = sf / n_classes;
}

double
pb_metrics_accuracy (const gint *y_pred,
                     const gint *y_true,
                     gsize       n)
{
  gsize hits = 0;

  for (gsize i = 0; i < n; i++)
    hits += y_pred[i] == y_true[i];

  return n > 0 ? (double) hits / (double) n : 0.0;
}

/**
 * pb_metrics_compute:
 * @metrics: (out): filled on success
 * @probs: (n, C) predicted class probabilities
 * @labels: (n) true classes 0…C−1
 * @loss: stored as is in @metrics->loss
 *
 * All metrics of one evaluation (SPEC §4.4): y_pred = argmax, accuracy, AUC
 * from @probs, precision/recall/F1.
 *
 * Returns: %FALSE when the set is empty, a label is out of range, or a class
 *   is missing so that the AUC is undefined (%PB_ENGINE_ERROR_INVALID_DATA)
 */
gboolean
pb_metrics_compute (PbMetrics    *metrics,
                    const float  *probs,
                    const gint   *labels,
                    gsize         n,
                    guint         n_classes,
                    double        loss,
                    GError      **error)
{
  g_autofree gint *y_pred = NULL;
  PbMetrics m = { 0 };

  g_return_val_if_fail (metrics != NULL, FALSE);
  g_return_val_if_fail (n_classes >= 2, FALSE);

  if (n == 0)
    {
      g_set_error (error, PB_ENGINE_ERROR, PB_ENGINE_ERROR_INVALID_DATA,
                   "Cannot compute metrics of an empty set");
      return FALSE;
    }
  for (gsize i = 0; i < n; i++)
    {
      if (labels[i] < 0 || labels[i] >= (gint) n_classes)
        {
          g_set_error (error, PB_ENGINE_ERROR, PB_ENGINE_ERROR_INVALID_DATA,
                       "Label %d of sample %" G_GSIZE_FORMAT " is not in 0…%u",
                       labels[i], i, n_classes - 1);
          return FALSE;
        }
    }

  if (!pb_metrics_roc_auc_ovr (probs, labels, n, n_classes, &m.auc, error))
    return FALSE;

  y_pred = g_new (gint, n);
  pb_metrics_predict (y_pred, probs, n, n_classes);
  m.n = (guint) n;
  m.loss = loss;
  m.accuracy = pb_metrics_accuracy (y_pred, labels, n);
  pb_metrics_precision_recall_f1 (y_pred, labels, n, n_classes,
                                  &m.precision, &m.recall, &m.f1);

  *metrics = m;
  return TRUE;
}

static void
append_number (GString    *s,
               const char *key,
               double      v)
{
  char buf[G_ASCII_DTOSTR_BUF_SIZE];

  if (isfinite (v))
    g_string_append_printf (s, "\"%s\":%s", key, pb_json_format_double (buf, sizeof buf, v));
  else
    g_string_append_printf (s, "\"%s\":null", key);
}

/**
 * pb_metrics_to_json:
 *
 * Returns: (transfer full): `{"n":…,"loss":…,"accuracy":…,"auc":…,"precision":…,
 *   "recall":…,"f1":…}` with shortest round-trip doubles; NaN as null
 */
char *
pb_metrics_to_json (const PbMetrics *metrics)
{
  GString *s = g_string_new (NULL);

  g_string_append_printf (s, "{\"n\":%u,", metrics->n);
  append_number (s, "loss", metrics->loss);
  g_string_append_c (s, ',');
  append_number (s, "accuracy", metrics->accuracy);
  g_string_append_c (s, ',');
  append_number (s, "auc", metrics->auc);
  g_string_append_c (s, ',');
  append_number (s, "precision", metrics->precision);
  g_string_append_c (s, ',');
  append_number (s, "recall", metrics->recall);
  g_string_append_c (s, ',');
  append_number (s, "f1", metrics->f1);
  g_string_append_c (s, '}');

  return g_string_free (s, FALSE);
}
