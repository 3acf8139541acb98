/* pb-plot-susceptibility.h — feature × hour susceptibility map with marginal bars.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <cairo.h>
#include <glib.h>

#include "pb-plot-heatmap.h"

G_BEGIN_DECLS

typedef enum
{
  PB_PLOT_MARGINAL_SUM,
  PB_PLOT_MARGINAL_MEAN,
} PbPlotMarginal;

/**
 * PbPlotSusceptibilityData:
 * @title: (nullable): figure title
 * @x_label: (nullable): column axis title, e.g. "Elapsed time (h)"
 * @y_label: (nullable): row axis title, e.g. "Feature"
 * @value_label: (nullable): colour bar title, e.g. "Perturbation probability"
 * @matrix: the per-feature × per-hour values (gpp, gmp, s, …)
 * @color_map: usually viridis
 * @log_scale: logarithmic colour scale, zero cells blank (as the reference's LogNorm)
 * @range_fixed: use [@v_min, @v_max] instead of the data range
 * @cell_edges: thin lines between cells
 * @marginal: bars above (per column) and right (per row) show sums or means
 *   of the finite cells
 */
typedef struct
{
  const char     *title;
  const char     *x_label;
  const char     *y_label;
  const char     *value_label;
  PbPlotMatrix    matrix;
  PbPlotColorMap  color_map;
  gboolean        log_scale;
  gboolean        range_fixed;
  double          v_min;
  double          v_max;
  gboolean        cell_edges;
  PbPlotMarginal  marginal;
} PbPlotSusceptibilityData;

gboolean pb_plot_susceptibility_check          (const PbPlotSusceptibilityData  *data,
                                                GError                         **error);
gboolean pb_plot_susceptibility_get_marginals  (const PbPlotSusceptibilityData  *data,
                                                double                          *row_values,
                                                double                          *col_values);
gboolean pb_plot_susceptibility_draw           (cairo_t                         *cr,
                                                double                           width,
                                                double                           height,
                                                const PbPlotSusceptibilityData  *data,
                                                const PbPlotStyle               *style,
                                                GError                         **error);
char    *pb_plot_susceptibility_to_csv         (const PbPlotSusceptibilityData  *data,
                                                GError                         **error);

G_END_DECLS
