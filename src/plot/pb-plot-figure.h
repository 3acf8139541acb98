/* pb-plot-figure.h — any figure of src/plot behind one type: draw, export, CSV.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "pb-plot.h"
#include "pb-plot-axis.h"
#include "pb-plot-bars.h"
#include "pb-plot-heatmap.h"
#include "pb-plot-line.h"
#include "pb-plot-study.h"
#include "pb-plot-style.h"
#include "pb-plot-susceptibility.h"

G_BEGIN_DECLS

/**
 * PbPlotKind:
 * @PB_PLOT_KIND_LINE: #PbPlotLineData
 * @PB_PLOT_KIND_HEATMAP: #PbPlotHeatmapData
 * @PB_PLOT_KIND_HEATMAP_TRIPLE: #PbPlotHeatmapTripleData
 * @PB_PLOT_KIND_SUSCEPTIBILITY: #PbPlotSusceptibilityData
 * @PB_PLOT_KIND_HISTORY: #PbPlotStudyData
 * @PB_PLOT_KIND_INTERMEDIATE: #PbPlotStudyData
 * @PB_PLOT_KIND_SLICE: #PbPlotStudyData
 * @PB_PLOT_KIND_PARALLEL: #PbPlotStudyData
 * @PB_PLOT_KIND_HISTOGRAM: #PbPlotHistogramData
 * @PB_PLOT_KIND_BARS: #PbPlotBarData
 */
typedef enum
{
  PB_PLOT_KIND_LINE,
  PB_PLOT_KIND_HEATMAP,
  PB_PLOT_KIND_HEATMAP_TRIPLE,
  PB_PLOT_KIND_SUSCEPTIBILITY,
  PB_PLOT_KIND_HISTORY,
  PB_PLOT_KIND_INTERMEDIATE,
  PB_PLOT_KIND_SLICE,
  PB_PLOT_KIND_PARALLEL,
  PB_PLOT_KIND_HISTOGRAM,
  PB_PLOT_KIND_BARS,
} PbPlotKind;

#define PB_PLOT_N_KINDS (PB_PLOT_KIND_BARS + 1)

/**
 * PbPlotFigure:
 * @kind: which figure
 * @data: its data struct (see #PbPlotKind), borrowed
 * @style: (nullable): its look, borrowed; %NULL for print defaults
 *
 * What a plot widget or an export needs to know. pb_plot_figure_draw_func()
 * is a #PbPlotDrawFunc taking a #PbPlotFigure as user data.
 */
typedef struct
{
  PbPlotKind          kind;
  gconstpointer       data;
  const PbPlotStyle  *style;
} PbPlotFigure;

const char *pb_plot_kind_to_string     (PbPlotKind           kind);
gboolean    pb_plot_kind_from_string   (const char          *name,
                                        PbPlotKind          *kind,
                                        GError             **error);
gboolean    pb_plot_figure_check       (const PbPlotFigure  *figure,
                                        GError             **error);
gboolean    pb_plot_figure_draw        (const PbPlotFigure  *figure,
                                        cairo_t             *cr,
                                        double               width,
                                        double               height,
                                        GError             **error);
void        pb_plot_figure_draw_func   (cairo_t             *cr,
                                        double               width,
                                        double               height,
                                        gpointer             figure);
gboolean    pb_plot_figure_export      (const PbPlotFigure  *figure,
                                        PbPlotFormat         format,
                                        const char          *path,
                                        double               width_pt,
                                        double               height_pt,
                                        double               dpi,
                                        GError             **error);
char       *pb_plot_figure_to_csv      (const PbPlotFigure  *figure,
                                        GError             **error);
gboolean    pb_plot_figure_write_csv   (const PbPlotFigure  *figure,
                                        const char          *path,
                                        GError             **error);

G_END_DECLS
