/* pb-figure-analysis.c — the Analysis page's figures of an attack result:
 * susceptibility map (with marginal sums), sparsity histogram of first vs best
 * examples, success rate per original class. The numbers come from the engine
 * (pb-susceptibility.h); this file only arranges them for src/plot.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "pb-figure-analysis.h"

#include "pb-figure-private.h"

#include "pb-error.h"

#include <glib/gi18n-lib.h>
#include <math.h>

static const char *map_names[] = { "gpp", "ganzp", "gmp", "s", "sensitivity" };

const char *
pb_figure_map_to_string (PbFigureMap map)
{
  g_return_val_if_fail (map < G_N_ELEMENTS (map_names), NULL);

  return map_names[map];
}

gboolean
pb_figure_map_from_string (const char   *name,
                           PbFigureMap  *map,
                           GError      **error)
{
  for (guint i = 0; i < G_N_ELEMENTS (map_names); i++)
    if (g_strcmp0 (name, map_names[i]) == 0)
      {
        *map = (PbFigureMap) i;
        return TRUE;
      }

  g_set_error (error, PB_ENGINE_ERROR, PB_ENGINE_ERROR_INVALID_ARGUMENT,
               "Unknown susceptibility map “%s”: choose gpp, ganzp, gmp, s or sensitivity",
               name != NULL ? name : "");
  return FALSE;
}

static const char *
direction_name (gint orig_label)
{
  return orig_label == 0 ? "0 → 1" : "1 → 0";
}

/**
 * pb_figure_new_susceptibility:
 * @result: an attack result
 * @condition: which examples (first/best, original class, length)
 * @susceptibility: pb_susceptibility_compute() of @result and @condition
 * @map: which matrix
 *
 * Returns: (transfer full) (nullable): a %PB_PLOT_KIND_SUSCEPTIBILITY figure
 *   (log colour scale, marginal sums), or %NULL when no example matches
 *   @condition
 */
PbFigure *
pb_figure_new_susceptibility (const PbAttackResult    *result,
                              const PbAttackCondition *condition,
                              const PbSusceptibility  *susceptibility,
                              PbFigureMap              map)
{
  static const char *value_labels[] = {
    N_("Perturbation probability"),
    N_("Mean perturbation magnitude (when not zero)"),
    N_("Maximum perturbation magnitude"),
    N_("Susceptibility"),
    N_("Sensitivity"),
  };
  const PbSusceptibility *s = susceptibility;
  PbPlotSusceptibilityData *data;
  PbFigure *figure;
  const double *matrix;
  double *values;
  char **row_labels;
  gsize cells;

  g_return_val_if_fail (result != NULL && condition != NULL && s != NULL, NULL);
  g_return_val_if_fail (map < G_N_ELEMENTS (value_labels), NULL);

  if (s->n_examples == 0)
    return NULL;
  matrix = map == PB_FIGURE_MAP_GPP ? s->gpp : map == PB_FIGURE_MAP_GANZP ? s->ganzp
           : map == PB_FIGURE_MAP_GMP ? s->gmp : map == PB_FIGURE_MAP_S ? s->s : s->sensitivity;

  figure = pb_figure_new (PB_PLOT_KIND_SUSCEPTIBILITY);
  data = &figure->data.susceptibility;
  cells = (gsize) s->n_steps * s->n_features;
  values = _pb_figure_take (figure, g_memdup2 (matrix, cells * sizeof (double)), g_free);
  row_labels = _pb_figure_take (figure, _pb_figure_dup_row_labels (result->feature_names,
                                                                   s->n_features),
                                (GDestroyNotify) g_strfreev);
  data->title = _pb_figure_take_string (figure,
                                        g_strdup_printf (_("%s attack, %s examples (n = %u)"),
                                                         direction_name (condition->orig_label),
                                                         condition->kind == PB_ATTACK_EXAMPLE_FIRST
                                                           ? _("first") : _("best"),
                                                         s->n_examples));
  data->x_label = _("Elapsed time (h)");
  data->y_label = _("Feature");
  data->value_label = _(value_labels[map]);
  data->matrix = (PbPlotMatrix) { values, s->n_features, s->n_steps, TRUE,
                                  (const char * const *) row_labels,
                                  s->n_steps >= 24 ? 12 : 0 };
  data->color_map = PB_PLOT_COLOR_MAP_VIRIDIS;
  data->log_scale = TRUE;
  data->cell_edges = TRUE;
  data->marginal = PB_PLOT_MARGINAL_SUM;
  _pb_figure_set_caption (figure, g_strdup_printf ("%s attack, %s examples: %u adversarial "
                                                   "examples, map %s",
                                                   direction_name (condition->orig_label),
                                                   condition->kind == PB_ATTACK_EXAMPLE_FIRST
                                                     ? "first" : "best",
                                                   s->n_examples, map_names[map]));
  return figure;
}

/**
 * pb_figure_new_sparsity:
 * @result: an attack result
 * @condition: the original class and length; its example kind is ignored:
 *   first and best are overlaid
 *
 * Returns: (transfer full) (nullable): a %PB_PLOT_KIND_HISTOGRAM figure of the
 *   number of perturbed elements, or %NULL when no stay matches
 */
PbFigure *
pb_figure_new_sparsity (const PbAttackResult    *result,
                        const PbAttackCondition *condition)
{
  g_autoptr(PbFigure) figure = NULL;
  PbPlotHistogramData *data;
  PbPlotSample *samples;
  guint total = 0;

  g_return_val_if_fail (result != NULL && condition != NULL, NULL);

  figure = pb_figure_new (PB_PLOT_KIND_HISTOGRAM);
  data = &figure->data.histogram;
  samples = _pb_figure_take (figure, g_new0 (PbPlotSample, PB_ATTACK_N_EXAMPLES), g_free);
  for (guint k = 0; k < PB_ATTACK_N_EXAMPLES; k++)
    {
      g_autoptr(PbTable) t = pb_attack_summary_table (result, k);
      gint c_val = pb_table_lookup_column (t, "num_perts");
      gint c_lab = pb_table_lookup_column (t, "orig_label");
      gint c_len = pb_table_lookup_column (t, "seq_length");
      double *v = _pb_figure_take (figure, g_new (double, MAX (t->n_rows, 1)), g_free);
      guint n = 0;

      for (guint row = 0; row < t->n_rows && c_val >= 0 && c_lab >= 0 && c_len >= 0; row++)
        {
          const double *vals = t->values + (gsize) row * t->n_cols;

          if (vals[c_lab] == condition->orig_label &&
              (condition->seq_length == 0 || vals[c_len] == condition->seq_length))
            v[n++] = vals[c_val];
        }
      samples[k].label = k == PB_ATTACK_EXAMPLE_FIRST ? _("First") : _("Best");
      samples[k].values = v;
      samples[k].n = n;
      total += n;
    }
  if (total == 0)
    return NULL;

  data->title = _pb_figure_take_string (figure,
                                        g_strdup_printf (_("%s attack"),
                                                         direction_name (condition->orig_label)));
  data->x_label = _("Number of perturbed elements");
  data->y_label = _("Count");
  data->samples = samples;
  data->n_samples = PB_ATTACK_N_EXAMPLES;
  data->n_bins = MIN (result->max_len * result->n_features, 100);
  data->range_fixed = TRUE;
  data->lo = 0;
  data->hi = result->max_len * result->n_features;
  _pb_figure_set_caption (figure, g_strdup_printf ("%s attack: %u first and %u best examples",
                                                   direction_name (condition->orig_label),
                                                   samples[PB_ATTACK_EXAMPLE_FIRST].n,
                                                   samples[PB_ATTACK_EXAMPLE_BEST].n));
  return g_steal_pointer (&figure);
}

static char *
label_name (double label)
{
  return label < 0 ? g_strdup (_("All"))
         : label == 0 ? g_strdup ("0 → 1") : label == 1 ? g_strdup ("1 → 0")
         : g_strdup_printf ("%.0f", label);
}

/**
 * pb_figure_new_success:
 * @result: an attack result
 *
 * Returns: (transfer full): a %PB_PLOT_KIND_BARS figure of the success rate
 *   per original class and over all (pb_attack_success_table())
 */
PbFigure *
pb_figure_new_success (const PbAttackResult *result)
{
  g_autoptr(PbTable) t = NULL;
  PbFigure *figure;
  PbPlotBarData *data;
  PbPlotBarGroup *group;
  const char **categories;
  double *rates;

  g_return_val_if_fail (result != NULL, NULL);

  t = pb_attack_success_table (result);
  figure = pb_figure_new (PB_PLOT_KIND_BARS);
  data = &figure->data.bars;
  categories = _pb_figure_take (figure, g_new0 (const char *, t->n_rows + 1), g_free);
  rates = _pb_figure_take (figure, g_new0 (double, MAX (t->n_rows, 1)), g_free);
  for (guint row = 0; row < t->n_rows; row++)
    {
      const double *v = t->values + (gsize) row * t->n_cols;

      categories[row] = _pb_figure_take_string (figure, label_name (v[0]));
      rates[row] = v[1] > 0 ? v[3] : NAN;
    }

  group = _pb_figure_take (figure, g_new0 (PbPlotBarGroup, 1), g_free);
  group->label = _("Success rate");
  group->values = rates;
  data->title = _pb_figure_take_string (figure, g_strdup_printf (_("Attack run %lld"),
                                                                 (long long) result->run_id));
  data->x_label = _("Original class");
  data->y_label = _("Success rate");
  data->categories = categories;
  data->n_categories = t->n_rows;
  data->groups = group;
  data->n_groups = 1;
  data->y_fixed = TRUE;
  data->y_min = 0;
  data->y_max = 1;
  data->value_labels = TRUE;
  _pb_figure_set_caption (figure, g_strdup_printf ("Attack run %lld: success rate of %u attacked "
                                                   "stays", (long long) result->run_id,
                                                   result->n_done));
  return figure;
}

/**
 * pb_figure_load_analysis:
 * @project: the project
 * @kind: %PB_PLOT_KIND_SUSCEPTIBILITY, _HISTOGRAM or _BARS
 * @attack_id: the attack run
 * @example: first or best examples (susceptibility)
 * @orig_label: the original class, 0 (the 0 → 1 attack) or 1
 *   (susceptibility, histogram)
 * @all_lengths: include stays shorter than the longest (the page's "all
 *   lengths"); otherwise full-length stays only, as the reference
 * @map: which susceptibility matrix
 * @error: return location for an error
 *
 * Returns: (transfer full): the figure, or %NULL with @error set
 *   (%PB_ENGINE_ERROR_NOT_FOUND for an unknown run,
 *   %PB_ENGINE_ERROR_INVALID_DATA when nothing matches)
 */
PbFigure *
pb_figure_load_analysis (PbProject        *project,
                         PbPlotKind        kind,
                         gint64            attack_id,
                         PbAttackExample   example,
                         gint              orig_label,
                         gboolean          all_lengths,
                         PbFigureMap       map,
                         GError          **error)
{
  g_autoptr(PbAttackResult) result = NULL;
  PbAttackCondition condition;
  PbFigure *figure = NULL;

  g_return_val_if_fail (project != NULL, NULL);

  if (kind != PB_PLOT_KIND_SUSCEPTIBILITY && kind != PB_PLOT_KIND_HISTOGRAM &&
      kind != PB_PLOT_KIND_BARS)
    {
      g_set_error (error, PB_ENGINE_ERROR, PB_ENGINE_ERROR_INVALID_ARGUMENT,
                   "A %s figure is not an analysis of an attack", pb_plot_kind_to_string (kind));
      return NULL;
    }
  if (orig_label != 0 && orig_label != 1)
    {
      g_set_error (error, PB_ENGINE_ERROR, PB_ENGINE_ERROR_INVALID_ARGUMENT,
                   "The original class must be 0 or 1, not %d", orig_label);
      return NULL;
    }

  result = pb_attack_result_load (project, attack_id, error);
  if (result == NULL)
    return NULL;
  if (result->n_done == 0)
    {
      g_set_error (error, PB_ENGINE_ERROR, PB_ENGINE_ERROR_INVALID_DATA,
                   "Attack run %lld has attacked no stay yet", (long long) attack_id);
      return NULL;
    }

  pb_attack_condition_init (&condition, example, orig_label);
  condition.seq_length = all_lengths ? 0 : result->max_len;
  switch (kind)
    {
    case PB_PLOT_KIND_SUSCEPTIBILITY:
      {
        g_autoptr(PbSusceptibility) s = pb_susceptibility_compute (result, &condition);

        figure = pb_figure_new_susceptibility (result, &condition, s, map);
      }
      break;

    case PB_PLOT_KIND_HISTOGRAM:
      figure = pb_figure_new_sparsity (result, &condition);
      break;

    case PB_PLOT_KIND_BARS:
      figure = pb_figure_new_success (result);
      break;

    case PB_PLOT_KIND_LINE:
    case PB_PLOT_KIND_HEATMAP:
    case PB_PLOT_KIND_HEATMAP_TRIPLE:
    case PB_PLOT_KIND_HISTORY:
    case PB_PLOT_KIND_INTERMEDIATE:
    case PB_PLOT_KIND_SLICE:
    case PB_PLOT_KIND_PARALLEL:
    default:
      g_assert_not_reached ();
    }

  if (figure == NULL)
    g_set_error (error, PB_ENGINE_ERROR, PB_ENGINE_ERROR_INVALID_DATA,
                 "Attack run %lld has no %sadversarial example of original class %d%s",
                 (long long) attack_id,
                 kind == PB_PLOT_KIND_SUSCEPTIBILITY
                   ? (example == PB_ATTACK_EXAMPLE_FIRST ? "first " : "best ") : "",
                 orig_label,
                 all_lengths ? "" : " among full-length stays (try all lengths)");
  return figure;
}
