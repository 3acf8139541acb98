/* pb-plot-heatmap.h — feature × hour heat maps with a colour bar.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <cairo.h>
#include <glib.h>

#include "pb-plot-style.h"

G_BEGIN_DECLS

/**
 * PbPlotMatrix:
 * @values: (array): the cells, row-major (@n_rows, @n_cols); with @transposed
 *   stored as (@n_cols, @n_rows) instead, as a (T, F) sequence or
 *   perturbation is. NaN cells stay blank.
 * @n_rows: rows, drawn top to bottom (features)
 * @n_cols: columns, drawn left to right (hours)
 * @transposed: @values is column-major, see above
 * @row_labels: (array length=n_rows) (nullable): row names; %NULL numbers them 0, 1, …
 * @col_tick_step: label every k-th column (0: a nice step)
 *
 * A borrowed matrix: @values and @row_labels must outlive the drawing call.
 */
typedef struct
{
  const double       *values;
  guint               n_rows;
  guint               n_cols;
  gboolean            transposed;
  const char * const *row_labels;
  guint               col_tick_step;
} PbPlotMatrix;

/**
 * PbPlotHeatmapData:
 * @title: (nullable): figure title
 * @x_label: (nullable): column axis title, e.g. "Elapsed time (h)"
 * @y_label: (nullable): row axis title, e.g. "Feature"
 * @value_label: (nullable): colour bar title
 * @matrix: the cells
 * @color_map: viridis, or diverging for signed values (limits made symmetric)
 * @log_scale: logarithmic colour scale; cells ≤ 0 stay blank (matplotlib LogNorm)
 * @range_fixed: use [@v_min, @v_max] instead of the data range
 * @cell_edges: thin lines between cells
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
} PbPlotHeatmapData;

/**
 * PbPlotHeatmapTripleData:
 * @title: (nullable): figure title
 * @x_label: (nullable): column axis title
 * @y_label: (nullable): row axis title
 * @original: the sample, e.g. (T, F) features in [0, 1] with @transposed
 * @perturbation: the perturbation, same shape; drawn with the diverging map
 * @perturbed: original + perturbation, same shape
 * @n_rows: rows of each matrix (features)
 * @n_cols: columns (hours)
 * @transposed: the three arrays are stored (@n_cols, @n_rows)
 * @row_labels: (array length=n_rows) (nullable): row names
 * @col_tick_step: label every k-th column (0: a nice step)
 * @panel_titles: (nullable): titles of the three panels; %NULL entries get
 *   "Original", "Perturbation", "Perturbed"
 *
 * Three stacked panels; original and perturbed share one viridis scale, the
 * perturbation gets a symmetric diverging one.
 */
typedef struct
{
  const char         *title;
  const char         *x_label;
  const char         *y_label;
  const double       *original;
  const double       *perturbation;
  const double       *perturbed;
  guint               n_rows;
  guint               n_cols;
  gboolean            transposed;
  const char * const *row_labels;
  guint               col_tick_step;
  const char         *panel_titles[3];
} PbPlotHeatmapTripleData;

double   pb_plot_matrix_get              (const PbPlotMatrix            *matrix,
                                          guint                          row,
                                          guint                          col);
gboolean pb_plot_matrix_check            (const PbPlotMatrix            *matrix,
                                          GError                       **error);

gboolean pb_plot_heatmap_check           (const PbPlotHeatmapData       *data,
                                          GError                       **error);
gboolean pb_plot_heatmap_get_range       (const PbPlotHeatmapData       *data,
                                          double                        *lo,
                                          double                        *hi);
gboolean pb_plot_heatmap_get_cell_color  (const PbPlotHeatmapData       *data,
                                          guint                          row,
                                          guint                          col,
                                          PbPlotRgb                     *rgb);
gboolean pb_plot_heatmap_draw            (cairo_t                       *cr,
                                          double                         width,
                                          double                         height,
                                          const PbPlotHeatmapData       *data,
                                          const PbPlotStyle             *style,
                                          GError                       **error);
gboolean pb_plot_heatmap_hit_test        (const PbPlotHeatmapData       *data,
                                          const PbPlotStyle             *style,
                                          double                         width,
                                          double                         height,
                                          double                         x,
                                          double                         y,
                                          guint                         *row,
                                          guint                         *col);
gboolean pb_plot_heatmap_get_cell_center (const PbPlotHeatmapData       *data,
                                          const PbPlotStyle             *style,
                                          double                         width,
                                          double                         height,
                                          guint                          row,
                                          guint                          col,
                                          double                        *x,
                                          double                        *y);
char    *pb_plot_heatmap_to_csv          (const PbPlotHeatmapData       *data,
                                          GError                       **error);

gboolean pb_plot_heatmap_triple_check    (const PbPlotHeatmapTripleData *data,
                                          GError                       **error);
gboolean pb_plot_heatmap_triple_draw     (cairo_t                       *cr,
                                          double                         width,
                                          double                         height,
                                          const PbPlotHeatmapTripleData *data,
                                          const PbPlotStyle             *style,
                                          GError                       **error);
gboolean pb_plot_heatmap_triple_hit_test (const PbPlotHeatmapTripleData *data,
                                          const PbPlotStyle             *style,
                                          double                         width,
                                          double                         height,
                                          double                         x,
                                          double                         y,
                                          guint                         *panel,
                                          guint                         *row,
                                          guint                         *col);
char    *pb_plot_heatmap_triple_to_csv   (const PbPlotHeatmapTripleData *data,
                                          GError                       **error);

G_END_DECLS
