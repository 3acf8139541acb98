/* pb-plot-line.h — line plot: several series against a shared x axis.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <cairo.h>
#include <glib.h>

#include "pb-plot-style.h"

G_BEGIN_DECLS

/**
 * PbPlotSeries:
 * @label: (nullable): legend text; series without one stay out of the legend
 * @x: (array length=n) (nullable): x values; %NULL means 1, 2, … @n (epochs)
 * @y: (array length=n): y values; NaN (and values ≤ 0 on a log axis) leave a gap
 * @n: number of points
 * @color: palette index; −1 uses the series' position
 * @dashed: dashed line
 * @markers: a dot at every point (isolated points always get one)
 *
 * All arrays are borrowed: they must outlive the drawing call.
 */
typedef struct
{
  const char   *label;
  const double *x;
  const double *y;
  guint         n;
  int           color;
  gboolean      dashed;
  gboolean      markers;
} PbPlotSeries;

/**
 * PbPlotLineData:
 * @title: (nullable): figure title
 * @x_label: (nullable): x axis title, e.g. "Epoch"
 * @y_label: (nullable): y axis title, e.g. "Loss"
 * @series: (array length=n_series): the series
 * @log_y: logarithmic y axis
 * @x_counts: the x values are whole numbers (epochs): ticks at integers only,
 *   and the axis spans the data ± ½ so no point sits on the frame
 * @y_fixed: use [@y_min, @y_max] instead of a range from the data
 */
typedef struct
{
  const char         *title;
  const char         *x_label;
  const char         *y_label;
  const PbPlotSeries *series;
  guint               n_series;
  gboolean            log_y;
  gboolean            x_counts;
  gboolean            y_fixed;
  double              y_min;
  double              y_max;
} PbPlotLineData;

/**
 * PbPlotHit:
 * @series: index of the series
 * @index: index of the point in the series
 * @x: its x value
 * @y: its y value
 * @device_x: where it is drawn, in the units of the drawing call
 * @device_y: likewise
 */
typedef struct
{
  guint  series;
  guint  index;
  double x;
  double y;
  double device_x;
  double device_y;
} PbPlotHit;

gboolean pb_plot_line_check    (const PbPlotLineData *data,
                                GError              **error);
gboolean pb_plot_line_draw     (cairo_t              *cr,
                                double                width,
                                double                height,
                                const PbPlotLineData *data,
                                const PbPlotStyle    *style,
                                GError              **error);
gboolean pb_plot_line_hit_test (const PbPlotLineData *data,
                                const PbPlotStyle    *style,
                                double                width,
                                double                height,
                                double                x,
                                double                y,
                                double                max_distance,
                                PbPlotHit            *hit);
char    *pb_plot_line_to_csv   (const PbPlotLineData *data,
                                GError              **error);

G_END_DECLS
