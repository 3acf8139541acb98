/* pb-plot-heatmap-private.h — a heat-map panel, shared by the heat map, its
 * three-panel variant and the susceptibility map.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "pb-plot-heatmap.h"
#include "pb-plot-private.h"

G_BEGIN_DECLS

typedef struct
{
  const PbPlotMatrix *matrix;
  PbPlotColorBar      bar;           /* colour map, limits, log, title */
  const char         *x_label;
  const char         *y_label;
  gboolean            cell_edges;
  gboolean            no_color_bar;
} PbPlotHeatPanel;

void     _pb_plot_heat_range   (const PbPlotMatrix    *matrix,
                                PbPlotColorMap         map,
                                gboolean               log,
                                gboolean               fixed,
                                double                 v_min,
                                double                 v_max,
                                double                *lo,
                                double                *hi);
gboolean _pb_plot_heat_color   (const PbPlotColorBar  *bar,
                                double                 value,
                                PbPlotRgb             *rgb);
void     _pb_plot_heat_axes    (const PbPlotHeatPanel *panel,
                                PbPlotAxis            *x,
                                PbPlotAxis            *y);
void     _pb_plot_heat_margins (cairo_t               *cr,
                                const PbPlotStyle     *style,
                                const PbPlotHeatPanel *panel,
                                double                *left,
                                double                *bottom,
                                double                *right);
void     _pb_plot_heat_draw    (cairo_t               *cr,
                                const PbPlotStyle     *style,
                                const PbPlotHeatPanel *panel,
                                const PbPlotRect      *cells);

G_END_DECLS
