/* pb-figure-attack.c — one attacked stay as the Attack page draws it: the
 * original sequence, the first or best perturbation and their sum, as three
 * stacked feature × hour heat maps.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "pb-figure-attack.h"

#include "pb-figure-private.h"

#include "pb-dataset.h"
#include "pb-error.h"

#include <glib/gi18n-lib.h>

/**
 * pb_figure_new_attack_sample:
 * @result: an attack result
 * @original: (array): the attacked stay's sequence, (T, F) as the dataset
 *   stores it (T = @result->max_len)
 * @i: which attacked stay (0 ≤ @i < @result->n)
 * @example: the first or the best adversarial example
 *
 * The stay's first L hours (L its length). Without an adversarial example the
 * perturbation is zero and the title says so.
 *
 * Returns: (transfer full): a %PB_PLOT_KIND_HEATMAP_TRIPLE figure
 */
PbFigure *
pb_figure_new_attack_sample (const PbAttackResult *result,
                             const float          *original,
                             guint                 i,
                             PbAttackExample       example)
{
  const PbAttackExampleData *ex;
  PbFigure *figure;
  PbPlotHeatmapTripleData *data;
  g_autofree float *pert = NULL;
  char **row_labels;
  double *values;
  guint L, F;
  gsize cells;

  g_return_val_if_fail (result != NULL && original != NULL, NULL);
  g_return_val_if_fail (i < result->n, NULL);
  g_return_val_if_fail (example < PB_ATTACK_N_EXAMPLES, NULL);

  F = result->n_features;
  L = MAX (result->lengths[i], 1);
  cells = (gsize) L * F;
  ex = &result->examples[example][i];
  pert = g_new0 (float, (gsize) result->max_len * F);
  pb_attack_result_get_dense (result, example, i, pert);

  figure = pb_figure_new (PB_PLOT_KIND_HEATMAP_TRIPLE);
  data = &figure->data.triple;
  values = _pb_figure_take (figure, g_new (double, 3 * cells), g_free);
  for (gsize c = 0; c < cells; c++)
    {
      values[c] = original[c];
      values[cells + c] = pert[c];
      values[2 * cells + c] = (double) original[c] + pert[c];
    }
  row_labels = _pb_figure_take (figure, _pb_figure_dup_row_labels (result->feature_names, F),
                                (GDestroyNotify) g_strfreev);

  if (ex->iteration >= 0)
    data->title = _pb_figure_take_string (figure,
                                          g_strdup_printf (_("Stay %lld, class %d: %s example, "
                                                             "iteration %d, %u perturbed elements"),
                                                           (long long) result->sample_ids[i],
                                                           result->labels[i],
                                                           example == PB_ATTACK_EXAMPLE_FIRST
                                                             ? _("first") : _("best"),
                                                           ex->iteration, ex->n_nonzero));
  else
    data->title = _pb_figure_take_string (figure,
                                          g_strdup_printf (_("Stay %lld, class %d: no adversarial "
                                                             "example found"),
                                                           (long long) result->sample_ids[i],
                                                           result->labels[i]));
  data->x_label = _("Elapsed time (h)");
  data->y_label = _("Feature");
  data->original = values;
  data->perturbation = values + cells;
  data->perturbed = values + 2 * cells;
  data->n_rows = F;
  data->n_cols = L;
  data->transposed = TRUE;
  data->row_labels = (const char * const *) row_labels;
  data->panel_titles[0] = _("Original");
  data->panel_titles[1] = _("Perturbation");
  data->panel_titles[2] = _("Perturbed");

  _pb_figure_set_caption (figure, g_strdup_printf ("Attack run %lld, attacked stay %u: stay %lld "
                                                   "(dataset row %u), %u hours, class %d",
                                                   (long long) result->run_id, i,
                                                   (long long) result->sample_ids[i],
                                                   result->dataset_index[i], result->lengths[i],
                                                   result->labels[i]));
  return figure;
}

static char *
find_dataset_name (PbProject  *project,
                   gint64      attack_id,
                   GError    **error)
{
  g_autoptr(GPtrArray) runs = pb_attack_run_list (project, error);

  if (runs == NULL)
    return NULL;
  for (guint k = 0; k < runs->len; k++)
    {
      const PbAttackRunInfo *info = g_ptr_array_index (runs, k);

      if (info->run_id == attack_id)
        return g_strdup (info->dataset_name);
    }
  g_set_error (error, PB_ENGINE_ERROR, PB_ENGINE_ERROR_NOT_FOUND,
               "No attack run %lld in this project", (long long) attack_id);
  return NULL;
}

/* The first attacked stay with an @example, or the first attacked one. */
static gint
default_sample (const PbAttackResult *result,
                PbAttackExample       example)
{
  for (guint i = 0; i < result->n; i++)
    if (result->iterations_run[i] > 0 && result->examples[example][i].iteration >= 0)
      return (gint) i;
  for (guint i = 0; i < result->n; i++)
    if (result->iterations_run[i] > 0)
      return (gint) i;
  return -1;
}

/**
 * pb_figure_load_attack_sample:
 * @project: the project
 * @attack_id: the attack run
 * @sample: which attacked stay, 0 … n − 1 in the order the run stores them
 *   (the Attack page's list); −1 for the first one with an adversarial example
 * @example: the first or the best adversarial example
 * @error: return location for an error
 *
 * Returns: (transfer full): pb_figure_new_attack_sample() of the stored run,
 *   or %NULL with @error set: %PB_ENGINE_ERROR_NOT_FOUND for an unknown run,
 *   %PB_ENGINE_ERROR_INVALID_ARGUMENT for a @sample out of range or not
 *   attacked yet, %PB_ENGINE_ERROR_CORRUPT when the dataset changed since
 */
PbFigure *
pb_figure_load_attack_sample (PbProject        *project,
                              gint64            attack_id,
                              gint              sample,
                              PbAttackExample   example,
                              GError          **error)
{
  g_autoptr(PbAttackResult) result = NULL;
  g_autoptr(PbDataset) dataset = NULL;
  g_autofree char *dataset_name = NULL;
  guint row;

  g_return_val_if_fail (project != NULL, NULL);
  g_return_val_if_fail (example < PB_ATTACK_N_EXAMPLES, NULL);

  dataset_name = find_dataset_name (project, attack_id, error);
  if (dataset_name == NULL)
    return NULL;
  result = pb_attack_result_load (project, attack_id, error);
  if (result == NULL)
    return NULL;

  if (sample < 0)
    {
      sample = default_sample (result, example);
      if (sample < 0)
        {
          g_set_error (error, PB_ENGINE_ERROR, PB_ENGINE_ERROR_INVALID_DATA,
                       "Attack run %lld has attacked no stay yet", (long long) attack_id);
          return NULL;
        }
    }
  if ((guint) sample >= result->n)
    {
      g_set_error (error, PB_ENGINE_ERROR, PB_ENGINE_ERROR_INVALID_ARGUMENT,
                   "Attack run %lld has %u attacked stays: sample %d is out of range "
                   "(0 to %d)", (long long) attack_id, result->n, sample, (gint) result->n - 1);
      return NULL;
    }
  if (result->iterations_run[sample] == 0)
    {
      g_set_error (error, PB_ENGINE_ERROR, PB_ENGINE_ERROR_INVALID_ARGUMENT,
                   "Sample %d of attack run %lld has not been attacked yet (resume the run)",
                   sample, (long long) attack_id);
      return NULL;
    }

  dataset = pb_dataset_load (project, dataset_name, error);
  if (dataset == NULL)
    return NULL;
  row = result->dataset_index[sample];
  if (dataset->max_len != result->max_len || dataset->n_features != result->n_features ||
      row >= dataset->n)
    {
      g_set_error (error, PB_ENGINE_ERROR, PB_ENGINE_ERROR_CORRUPT,
                   "Dataset “%s” no longer holds the stays attack run %lld was made on",
                   dataset_name, (long long) attack_id);
      return NULL;
    }

  return pb_figure_new_attack_sample (result, pb_dataset_get_sequence (dataset, row),
                                      (guint) sample, example);
}
