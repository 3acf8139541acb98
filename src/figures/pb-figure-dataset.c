/* pb-figure-dataset.c — one sequence of a dataset as the Preprocess page
 * previews it: scaled values in [0, 1], features top to bottom, hours left to
 * right, the stay's own length.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "pb-figure-dataset.h"

#include "pb-figure-private.h"

#include "pb-error.h"
#include "pb-preprocess.h"

#include <glib/gi18n-lib.h>

/**
 * pb_figure_new_sequence:
 * @dataset: a dataset
 * @i: which sequence (0 ≤ @i < @dataset->n)
 *
 * Returns: (transfer full): a %PB_PLOT_KIND_HEATMAP figure
 */
PbFigure *
pb_figure_new_sequence (const PbDataset *dataset,
                        guint            i)
{
  PbFigure *figure;
  PbPlotHeatmapData *data;
  g_autofree char *id = NULL;
  const float *x;
  double *values;
  char **labels;
  guint len, n_features;

  g_return_val_if_fail (dataset != NULL && i < dataset->n, NULL);

  len = dataset->lengths[i];
  n_features = dataset->n_features;
  x = pb_dataset_get_sequence (dataset, i);

  figure = pb_figure_new (PB_PLOT_KIND_HEATMAP);
  data = &figure->data.heatmap;
  values = _pb_figure_take (figure, g_new (double, MAX ((gsize) len * n_features, 1)), g_free);
  for (gsize k = 0; k < (gsize) len * n_features; k++)
    values[k] = x[k];
  labels = _pb_figure_dup_row_labels (dataset->feature_names, n_features);
  if (labels == NULL && n_features == PB_PREPROCESS_N_FEATURES)
    labels = g_strdupv ((char **) pb_preprocess_feature_names);
  _pb_figure_take (figure, labels, (GDestroyNotify) g_strfreev);

  id = g_strdup_printf ("%" G_GINT64_FORMAT, dataset->sample_ids[i]);
  data->title = _pb_figure_take_string (figure,
                                        g_strdup_printf (dataset->labels[i] == 1
                                                           ? _("Admission %s: died in hospital")
                                                           : _("Admission %s: survived"), id));
  data->x_label = _("Hours since the window start");
  data->value_label = _("Scaled value");
  data->matrix.values = values;
  data->matrix.n_rows = n_features;
  data->matrix.n_cols = len;
  data->matrix.transposed = TRUE;
  data->matrix.row_labels = (const char * const *) labels;
  data->color_map = PB_PLOT_COLOR_MAP_VIRIDIS;
  data->range_fixed = TRUE;
  data->v_min = 0.0;
  data->v_max = 1.0;
  _pb_figure_set_caption (figure, g_strdup_printf ("Dataset %s, sequence %u: admission %s, "
                                                   "%u hours, label %d",
                                                   dataset->name != NULL ? dataset->name : "",
                                                   i, id, len, dataset->labels[i]));
  return figure;
}

/**
 * pb_figure_load_sequence:
 * @project: the project
 * @dataset_name: a stored dataset
 * @i: which sequence, 0 … n − 1
 * @error: return location for an error
 *
 * Returns: (transfer full): pb_figure_new_sequence() of the stored dataset, or
 *   %NULL with @error set (%PB_ENGINE_ERROR_NOT_FOUND,
 *   %PB_ENGINE_ERROR_INVALID_ARGUMENT for @i out of range)
 */
PbFigure *
pb_figure_load_sequence (PbProject   *project,
                         const char  *dataset_name,
                         guint        i,
                         GError     **error)
{
  g_autoptr(PbDataset) dataset = NULL;

  g_return_val_if_fail (project != NULL && dataset_name != NULL, NULL);

  dataset = pb_dataset_load (project, dataset_name, error);
  if (dataset == NULL)
    return NULL;
  if (dataset->n == 0)
    {
      g_set_error (error, PB_ENGINE_ERROR, PB_ENGINE_ERROR_INVALID_DATA,
                   "Dataset “%s” has no sequences", dataset_name);
      return NULL;
    }
  if (i >= dataset->n)
    {
      g_set_error (error, PB_ENGINE_ERROR, PB_ENGINE_ERROR_INVALID_ARGUMENT,
                   "Dataset “%s” has %u sequences: sample %u is out of range (0 to %u)",
                   dataset_name, dataset->n, i, dataset->n - 1);
      return NULL;
    }
  return pb_figure_new_sequence (dataset, i);
}
