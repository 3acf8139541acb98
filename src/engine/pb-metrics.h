/* pb-metrics.h — classification metrics as scikit-learn computes them.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

/**
 * PbMetrics:
 * @n: number of evaluated samples
 * @loss: mean loss (as the caller defines it: the trainer passes the mean of
 *   per-batch mean losses, SPEC §4.3/§4.4); %NAN when not computed
 * @accuracy: mean(y_pred == y_true)
 * @auc: ROC AUC (binary: of p(class 1); C > 2: macro average of one-vs-rest)
 * @precision: binary with pos_label 1 (C = 2), macro average (C > 2)
 * @recall: as @precision
 * @f1: as @precision
 *
 * Undefined ratios (no predicted positives, no actual positives) are 0.0, as
 * scikit-learn's default `zero_division="warn"` returns (it warns, we do not).
 */
typedef struct
{
  guint  n;
  double loss;
  double accuracy;
  double auc;
  double precision;
  double recall;
  double f1;
} PbMetrics;

gboolean pb_metrics_roc_auc          (const double  *scores,
                                      const gint    *labels,
                                      gsize          n,
                                      double        *auc,
                                      GError       **error);
gboolean pb_metrics_roc_auc_ovr      (const float   *probs,
                                      const gint    *labels,
                                      gsize          n,
                                      guint          n_classes,
                                      double        *auc,
                                      GError       **error);
void     pb_metrics_predict          (gint          *y_pred,
                                      const float   *probs,
                                      gsize          n,
                                      guint          n_classes);
void     pb_metrics_precision_recall_f1 (const gint *y_pred,
                                      const gint    *y_true,
                                      gsize          n,
                                      guint          n_classes,
                                      double        *precision,
                                      double        *recall,
                                      double        *f1);
double   pb_metrics_accuracy         (const gint    *y_pred,
                                      const gint    *y_true,
                                      gsize          n);
gboolean pb_metrics_compute          (PbMetrics     *metrics,
                                      const float   *probs,
                                      const gint    *labels,
                                      gsize          n,
                                      guint          n_classes,
                                      double         loss,
                                      GError       **error);
char    *pb_metrics_to_json          (const PbMetrics *metrics);

G_END_DECLS
