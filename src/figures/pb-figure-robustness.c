/* pb-figure-robustness.c — a stored attribution map as a feature × hour heat
 * map, and a stored FGSM curve as accuracy and AUC against ε, as the Analysis
 * page draws them.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "pb-figure-robustness.h"

#include "pb-figure-private.h"

#include "pb-error.h"
#include "pb-preprocess.h"

#include <glib/gi18n-lib.h>

/**
 * pb_figure_new_attribution:
 * @matrix: an attribution's mean |A| (hour-major, as stored); copied
 * @feature_names: (nullable): row names, used when there are as many as features
 * @title: (nullable): figure title
 *
 * Returns: (transfer full): a %PB_PLOT_KIND_HEATMAP figure
 */
PbFigure *
pb_figure_new_attribution (const PbFeatureHourMatrix *matrix,
                           char * const              *feature_names,
                           const char                *title)
{
  PbFigure *figure;
  PbPlotHeatmapData *data;
  double *values;
  char **labels;
  gsize cells;

  g_return_val_if_fail (matrix != NULL, NULL);

  figure = pb_figure_new (PB_PLOT_KIND_HEATMAP);
  data = &figure->data.heatmap;
  cells = (gsize) matrix->n_hours * matrix->n_features;
  values = _pb_figure_take (figure, g_memdup2 (matrix->values, MAX (cells, 1) * sizeof (double)),
                            g_free);
  labels = _pb_figure_take (figure, _pb_figure_dup_row_labels (feature_names, matrix->n_features),
                            (GDestroyNotify) g_strfreev);
  data->title = _pb_figure_take_string (figure, g_strdup (title));
  data->x_label = _("Elapsed time (h)");
  data->y_label = _("Feature");
  data->value_label = _("Mean |attribution|");
  data->matrix = (PbPlotMatrix) { values, matrix->n_features, matrix->n_hours, TRUE,
                                  (const char * const *) labels,
                                  matrix->n_hours >= 24 ? 12 : 0 };
  data->color_map = PB_PLOT_COLOR_MAP_VIRIDIS;
  data->cell_edges = matrix->n_hours * matrix->n_features <= 48 * 19;
  return figure;
}

/**
 * pb_figure_load_attribution:
 * @project: the project
 * @attribution_id: a stored attribution
 * @error: return location for an error
 *
 * Its mean |attribution| map; rows are named as the preprocessed features
 * when there are 19 of them.
 *
 * Returns: (transfer full): the figure, or %NULL with @error set
 */
PbFigure *
pb_figure_load_attribution (PbProject  *project,
                            gint64      attribution_id,
                            GError    **error)
{
  PbFeatureHourMatrix *matrix;
  PbFigure *figure;
  g_autofree char *title = NULL;

  g_return_val_if_fail (project != NULL, NULL);

  matrix = pb_attribution_load_matrix (project, attribution_id, "mean_abs", error);
  if (matrix == NULL)
    return NULL;
  title = g_strdup_printf (_("Attribution %lld: mean |attribution|"), (long long) attribution_id);
  figure = pb_figure_new_attribution (matrix,
                                      matrix->n_features == PB_PREPROCESS_N_FEATURES
                                        ? (char * const *) pb_preprocess_feature_names : NULL,
                                      title);
  _pb_figure_set_caption (figure, g_strdup_printf ("Attribution %lld: %u hours × %u features",
                                                   (long long) attribution_id, matrix->n_hours,
                                                   matrix->n_features));
  pb_feature_hour_matrix_free (matrix);
  return figure;
}

/**
 * pb_figure_new_fgsm:
 * @result: an FGSM robustness curve
 * @title: (nullable): figure title
 *
 * Returns: (transfer full): a %PB_PLOT_KIND_LINE figure of accuracy (solid)
 *   and AUC (dashed) on the perturbed inputs against ε, y from 0 to 1
 */
PbFigure *
pb_figure_new_fgsm (const PbFgsmResult *result,
                    const char         *title)
{
  PbFigure *figure;
  PbPlotLineData *data;
  PbPlotSeries *series;
  double *x, *acc, *auc;
  guint n;

  g_return_val_if_fail (result != NULL, NULL);

  n = result->n_epsilons;
  figure = pb_figure_new (PB_PLOT_KIND_LINE);
  data = &figure->data.line;
  x = _pb_figure_take (figure, g_new (double, MAX (n, 1)), g_free);
  acc = _pb_figure_take (figure, g_new (double, MAX (n, 1)), g_free);
  auc = _pb_figure_take (figure, g_new (double, MAX (n, 1)), g_free);
  for (guint e = 0; e < n; e++)
    {
      x[e] = result->points[e].epsilon;
      acc[e] = result->points[e].metrics.accuracy;
      auc[e] = result->points[e].metrics.auc;
    }
  series = _pb_figure_take (figure, g_new0 (PbPlotSeries, 2), g_free);
  series[0] = (PbPlotSeries) { _("Accuracy"), x, acc, n, 0, FALSE, TRUE };
  series[1] = (PbPlotSeries) { _("AUC"), x, auc, n, 1, TRUE, TRUE };
  data->title = _pb_figure_take_string (figure, g_strdup (title));
  data->x_label = "ε";
  data->y_label = _("Metric on x′");
  data->series = series;
  data->n_series = 2;
  data->y_fixed = TRUE;
  data->y_min = 0;
  data->y_max = 1;
  return figure;
}

/**
 * pb_figure_load_fgsm:
 * @project: the project
 * @fgsm_id: a stored FGSM curve
 * @error: return location for an error
 *
 * Returns: (transfer full): the figure, or %NULL with @error set
 */
PbFigure *
pb_figure_load_fgsm (PbProject  *project,
                     gint64      fgsm_id,
                     GError    **error)
{
  g_autoptr(PbFgsmResult) result = NULL;
  g_autofree char *title = NULL;
  PbFigure *figure;

  g_return_val_if_fail (project != NULL, NULL);

  result = pb_fgsm_result_load_curve (project, fgsm_id, error);
  if (result == NULL)
    return NULL;
  title = g_strdup_printf (_("FGSM robustness (%u stays)"), result->n);
  figure = pb_figure_new_fgsm (result, title);
  _pb_figure_set_caption (figure, g_strdup_printf ("FGSM curve %lld: %u stays, %u values of ε",
                                                   (long long) fgsm_id, result->n,
                                                   result->n_epsilons));
  return figure;
}
