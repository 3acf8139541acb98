/* pb-plot-bars.h — histograms and (grouped) bar charts.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <cairo.h>
#include <glib.h>

#include "pb-plot-style.h"

G_BEGIN_DECLS

/**
 * PbPlotSample:
 * @label: (nullable): legend text
 * @values: (array length=n): raw values; NaN ones are skipped
 * @n: number of values
 */
typedef struct
{
  const char   *label;
  const double *values;
  guint         n;
} PbPlotSample;

/**
 * PbPlotHistogramData:
 * @title: (nullable): figure title
 * @x_label: (nullable): x axis title, e.g. "Number of perturbed elements"
 * @y_label: (nullable): y axis title; %NULL is "Count"
 * @samples: (array length=n_samples): one histogram each, overlaid
 *   (half transparent, as the reference's first vs best)
 * @n_bins: number of equal bins
 * @range_fixed: bin over [@lo, @hi] instead of the data range
 * @log_y: logarithmic count axis (empty bins not drawn)
 *
 * Bins are [lo + i·w, lo + (i + 1)·w), the last one closed (numpy.histogram);
 * values outside the range are not counted.
 */
typedef struct
{
  const char         *title;
  const char         *x_label;
  const char         *y_label;
  const PbPlotSample *samples;
  guint               n_samples;
  guint               n_bins;
  gboolean            range_fixed;
  double              lo;
  double              hi;
  gboolean            log_y;
} PbPlotHistogramData;

/**
 * PbPlotBarGroup:
 * @label: (nullable): legend text
 * @values: (array): one value per category; NaN leaves the bar out
 * @errors: (array) (nullable): ± error bar per category
 */
typedef struct
{
  const char   *label;
  const double *values;
  const double *errors;
} PbPlotBarGroup;

/**
 * PbPlotBarData:
 * @title: (nullable): figure title
 * @x_label: (nullable): category axis title
 * @y_label: (nullable): value axis title, e.g. "Success rate"
 * @categories: (array length=n_categories): category names
 * @groups: (array length=n_groups): bar groups, side by side per category
 * @y_fixed: use [@y_min, @y_max] (e.g. 0–1 for rates)
 * @value_labels: print each value above its bar
 */
typedef struct
{
  const char           *title;
  const char           *x_label;
  const char           *y_label;
  const char * const   *categories;
  guint                 n_categories;
  const PbPlotBarGroup *groups;
  guint                 n_groups;
  gboolean              y_fixed;
  double                y_min;
  double                y_max;
  gboolean              value_labels;
} PbPlotBarData;

gboolean pb_plot_histogram_check  (const PbPlotHistogramData  *data,
                                   GError                    **error);
gboolean pb_plot_histogram_count  (const PbPlotHistogramData  *data,
                                   guint                       sample,
                                   guint                      *counts,
                                   double                     *lo,
                                   double                     *hi);
gboolean pb_plot_histogram_draw   (cairo_t                    *cr,
                                   double                      width,
                                   double                      height,
                                   const PbPlotHistogramData  *data,
                                   const PbPlotStyle          *style,
                                   GError                    **error);
char    *pb_plot_histogram_to_csv (const PbPlotHistogramData  *data,
                                   GError                    **error);

gboolean pb_plot_bars_check       (const PbPlotBarData        *data,
                                   GError                    **error);
gboolean pb_plot_bars_draw        (cairo_t                    *cr,
                                   double                      width,
                                   double                      height,
                                   const PbPlotBarData        *data,
                                   const PbPlotStyle          *style,
                                   GError                    **error);
char    *pb_plot_bars_to_csv      (const PbPlotBarData        *data,
                                   GError                    **error);

G_END_DECLS
