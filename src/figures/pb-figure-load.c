/* pb-figure-load.c — pb_figure_load(): one entry point over the figure
 * loaders, and the table of which source draws which figure kind.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "pb-figure-load.h"

#include "pb-error.h"
#include "pb-figure-attack.h"
#include "pb-figure-dataset.h"
#include "pb-figure-robustness.h"
#include "pb-figure-study.h"

#define SOURCE(t) (1u << (t))

/* which sources each kind is drawn from, in PbPlotKind order */
static const guint kind_sources[PB_PLOT_N_KINDS] = {
  [PB_PLOT_KIND_LINE] = SOURCE (PB_FIGURE_SOURCE_RUN) | SOURCE (PB_FIGURE_SOURCE_CV) |
                        SOURCE (PB_FIGURE_SOURCE_FGSM),
  [PB_PLOT_KIND_HEATMAP] = SOURCE (PB_FIGURE_SOURCE_DATASET) |
                           SOURCE (PB_FIGURE_SOURCE_ATTRIBUTION),
  [PB_PLOT_KIND_HEATMAP_TRIPLE] = SOURCE (PB_FIGURE_SOURCE_ATTACK),
  [PB_PLOT_KIND_SUSCEPTIBILITY] = SOURCE (PB_FIGURE_SOURCE_ATTACK),
  [PB_PLOT_KIND_HISTORY] = SOURCE (PB_FIGURE_SOURCE_STUDY),
  [PB_PLOT_KIND_INTERMEDIATE] = SOURCE (PB_FIGURE_SOURCE_STUDY),
  [PB_PLOT_KIND_SLICE] = SOURCE (PB_FIGURE_SOURCE_STUDY),
  [PB_PLOT_KIND_PARALLEL] = SOURCE (PB_FIGURE_SOURCE_STUDY),
  [PB_PLOT_KIND_HISTOGRAM] = SOURCE (PB_FIGURE_SOURCE_ATTACK),
  [PB_PLOT_KIND_BARS] = SOURCE (PB_FIGURE_SOURCE_ATTACK),
};

static const char *source_names[PB_FIGURE_N_SOURCE_TYPES] = {
  "nothing", "training run", "cross-validation", "study", "attack run", "dataset",
  "attribution", "FGSM curve",
};

/**
 * pb_figure_source_init:
 * @source: a source to fill
 *
 * No source yet, the default sample, best examples of original class 0, full
 * length only, the loss curve and the perturbation-probability map.
 */
void
pb_figure_source_init (PbFigureSource *source)
{
  g_return_if_fail (source != NULL);

  *source = (PbFigureSource) { 0 };
  source->type = PB_FIGURE_SOURCE_NONE;
  source->sample = -1;
  source->example = PB_ATTACK_EXAMPLE_BEST;
  source->orig_label = 0;
  source->curve = PB_FIGURE_CURVE_LOSS;
  source->map = PB_FIGURE_MAP_GPP;
}

/**
 * pb_figure_source_type_to_string:
 *
 * Returns: what @type is called in messages, e.g. "attack run"
 */
const char *
pb_figure_source_type_to_string (PbFigureSourceType type)
{
  g_return_val_if_fail (type < PB_FIGURE_N_SOURCE_TYPES, NULL);

  return source_names[type];
}

/**
 * pb_figure_kind_accepts_source:
 *
 * Returns: whether a @kind figure can be drawn from a @type source
 */
gboolean
pb_figure_kind_accepts_source (PbPlotKind         kind,
                               PbFigureSourceType type)
{
  g_return_val_if_fail (kind < PB_PLOT_N_KINDS, FALSE);
  g_return_val_if_fail (type < PB_FIGURE_N_SOURCE_TYPES, FALSE);

  return (kind_sources[kind] & SOURCE (type)) != 0;
}

/**
 * pb_figure_load:
 * @project: the project
 * @kind: the figure
 * @source: what to draw it from
 * @error: return location for an error
 *
 * Loads the stored data @source names and arranges it as the workbench page
 * that shows a @kind figure does. Errors: %PB_ENGINE_ERROR_INVALID_ARGUMENT
 * when @kind is not drawn from @source's type or an option is out of range,
 * %PB_ENGINE_ERROR_NOT_FOUND for an unknown run, study or dataset,
 * %PB_ENGINE_ERROR_INVALID_DATA when there is nothing to draw yet.
 *
 * Returns: (transfer full): the figure, or %NULL with @error set
 */
PbFigure *
pb_figure_load (PbProject             *project,
                PbPlotKind             kind,
                const PbFigureSource  *source,
                GError               **error)
{
  g_return_val_if_fail (project != NULL, NULL);
  g_return_val_if_fail (kind < PB_PLOT_N_KINDS, NULL);
  g_return_val_if_fail (source != NULL && source->type < PB_FIGURE_N_SOURCE_TYPES, NULL);

  if (source->type == PB_FIGURE_SOURCE_NONE)
    {
      g_set_error (error, PB_ENGINE_ERROR, PB_ENGINE_ERROR_INVALID_ARGUMENT,
                   "A %s figure needs something to draw: a run, study, attack run, dataset, …",
                   pb_plot_kind_to_string (kind));
      return NULL;
    }
  if (!pb_figure_kind_accepts_source (kind, source->type))
    {
      g_set_error (error, PB_ENGINE_ERROR, PB_ENGINE_ERROR_INVALID_ARGUMENT,
                   "A %s figure is not drawn from a %s", pb_plot_kind_to_string (kind),
                   source_names[source->type]);
      return NULL;
    }
  if ((source->type == PB_FIGURE_SOURCE_STUDY || source->type == PB_FIGURE_SOURCE_DATASET) &&
      source->name == NULL)
    {
      g_set_error (error, PB_ENGINE_ERROR, PB_ENGINE_ERROR_INVALID_ARGUMENT,
                   "No %s named: give its name", source_names[source->type]);
      return NULL;
    }

  switch (source->type)
    {
    case PB_FIGURE_SOURCE_RUN:
      return pb_figure_load_run (project, source->id, source->curve, error);

    case PB_FIGURE_SOURCE_CV:
      return pb_figure_load_cv (project, source->id, source->curve, error);

    case PB_FIGURE_SOURCE_STUDY:
      return pb_figure_load_study (project, kind, source->storage, source->name, error);

    case PB_FIGURE_SOURCE_ATTACK:
      if (kind == PB_PLOT_KIND_HEATMAP_TRIPLE)
        return pb_figure_load_attack_sample (project, source->id, source->sample,
                                             source->example, error);
      return pb_figure_load_analysis (project, kind, source->id, source->example,
                                      source->orig_label, source->all_lengths, source->map,
                                      error);

    case PB_FIGURE_SOURCE_DATASET:
      return pb_figure_load_sequence (project, source->name, (guint) MAX (source->sample, 0),
                                      error);

    case PB_FIGURE_SOURCE_ATTRIBUTION:
      return pb_figure_load_attribution (project, source->id, error);

    case PB_FIGURE_SOURCE_FGSM:
      return pb_figure_load_fgsm (project, source->id, error);

    case PB_FIGURE_SOURCE_NONE:
    default:
      g_assert_not_reached ();
    }
  return NULL;
}
