/* pb-plot-private.h — drawing pieces shared by the figures of src/plot.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <cairo.h>
#include <pango/pangocairo.h>

#include "pb-plot.h"
#include "pb-plot-axis.h"
#include "pb-plot-style.h"

G_BEGIN_DECLS

typedef struct
{
  double x, y, width, height;
} PbPlotRect;

/* Gaps, in multiples of the font size. */
#define PB_PLOT_PAD        0.5
#define PB_PLOT_TICK_LEN   0.35

/* text ------------------------------------------------------------------ */

PangoLayout *_pb_plot_text_new     (cairo_t           *cr,
                                    const PbPlotStyle *style,
                                    double             scale,
                                    gboolean           bold,
                                    const char        *markup);
void         _pb_plot_text_size    (PangoLayout       *layout,
                                    double            *width,
                                    double            *height);
void         _pb_plot_text_show    (cairo_t           *cr,
                                    PangoLayout       *layout,
                                    double             x,
                                    double             y,
                                    double             anchor_x,
                                    double             anchor_y,
                                    gboolean           vertical);
void         _pb_plot_set_rgb      (cairo_t           *cr,
                                    const PbPlotRgb   *rgb);
void         _pb_plot_set_rgba     (cairo_t           *cr,
                                    const PbPlotRgb   *rgb,
                                    double             alpha);
const PbPlotStyle *_pb_plot_style_or_default (const PbPlotStyle *style,
                                              PbPlotStyle       *storage);
void         _pb_plot_paint_background (cairo_t           *cr,
                                        const PbPlotStyle *style,
                                        double             width,
                                        double             height);
void         _pb_plot_draw_message     (cairo_t           *cr,
                                        const PbPlotStyle *style,
                                        double             width,
                                        double             height,
                                        const char        *message);
void         _pb_plot_marker           (cairo_t           *cr,
                                        double             x,
                                        double             y,
                                        double             size);

/* axes ------------------------------------------------------------------ */

typedef struct
{
  double     lo, hi;       /* data range shown */
  gboolean   log;
  double     p0, p1;       /* device positions of lo and hi */
  GArray    *positions;    /* double, data units */
  GPtrArray *labels;       /* char *, Pango markup */
  const char *title;
  gboolean   grid;         /* light lines across the plot at ticks */
  gboolean   no_line;      /* no axis line (heatmaps: the cells end it) */
  gboolean   halo;         /* tick labels on a background patch (over data) */
  gboolean   ellipsize;    /* categories: shorten labels to their slot */
} PbPlotAxis;

void   _pb_plot_axis_init         (PbPlotAxis        *axis,
                                   const char        *title);
void   _pb_plot_axis_clear        (PbPlotAxis        *axis);
void   _pb_plot_axis_set_auto     (PbPlotAxis        *axis,
                                   double             min,
                                   double             max,
                                   gboolean           log);
void   _pb_plot_axis_set_counts   (PbPlotAxis        *axis,
                                   double             min,
                                   double             max);
void   _pb_plot_axis_set_fixed    (PbPlotAxis        *axis,
                                   double             lo,
                                   double             hi,
                                   gboolean           log);
void   _pb_plot_axis_add_tick     (PbPlotAxis        *axis,
                                   double             position,
                                   const char        *label);
double _pb_plot_axis_map          (const PbPlotAxis  *axis,
                                   double             value);
double _pb_plot_axis_unmap        (const PbPlotAxis  *axis,
                                   double             device);
double _pb_plot_axis_measure      (cairo_t           *cr,
                                   const PbPlotStyle *style,
                                   const PbPlotAxis  *axis,
                                   gboolean           vertical);
void   _pb_plot_axis_draw         (cairo_t           *cr,
                                   const PbPlotStyle *style,
                                   const PbPlotAxis  *axis,
                                   gboolean           vertical,
                                   double             base,
                                   const PbPlotRect  *plot);
void   _pb_plot_axis_draw_grid    (cairo_t           *cr,
                                   const PbPlotStyle *style,
                                   const PbPlotAxis  *axis,
                                   gboolean           vertical,
                                   const PbPlotRect  *plot);

/* legend, title --------------------------------------------------------- */

typedef enum
{
  PB_PLOT_LEGEND_LINE,
  PB_PLOT_LEGEND_MARKER,
  PB_PLOT_LEGEND_LINE_MARKER,
  PB_PLOT_LEGEND_BOX,
} PbPlotLegendKind;

typedef struct
{
  const char       *label;
  PbPlotRgb         rgb;
  PbPlotLegendKind  kind;
  gboolean          dashed;
  double            alpha;
} PbPlotLegendItem;

double _pb_plot_legend_measure    (cairo_t                *cr,
                                   const PbPlotStyle      *style,
                                   const PbPlotLegendItem *items,
                                   guint                   n_items,
                                   double                  width);
void   _pb_plot_legend_draw       (cairo_t                *cr,
                                   const PbPlotStyle      *style,
                                   const PbPlotLegendItem *items,
                                   guint                   n_items,
                                   double                  x,
                                   double                  y,
                                   double                  width);
double _pb_plot_title_draw        (cairo_t           *cr,
                                   const PbPlotStyle *style,
                                   const char        *title,
                                   double             x,
                                   double             y,
                                   double             width,
                                   gboolean           draw);

/* an x–y chart: title, legend, two axes around a plot rectangle ----------- */

typedef struct
{
  const char             *title;
  PbPlotAxis              x;
  PbPlotAxis              y;
  const PbPlotLegendItem *legend;
  guint                   n_legend;
  double                  right_reserve;  /* room kept right of the plot (colour bar) */
  PbPlotRect              outer;          /* in */
  PbPlotRect              plot;           /* out: the data rectangle */
} PbPlotChart;

void   _pb_plot_chart_init        (PbPlotChart       *chart,
                                   double             x,
                                   double             y,
                                   double             width,
                                   double             height);
void   _pb_plot_chart_clear       (PbPlotChart       *chart);
void   _pb_plot_chart_layout      (cairo_t           *cr,
                                   const PbPlotStyle *style,
                                   PbPlotChart       *chart);
void   _pb_plot_chart_draw_under  (cairo_t           *cr,
                                   const PbPlotStyle *style,
                                   const PbPlotChart *chart);
void   _pb_plot_chart_draw_over   (cairo_t           *cr,
                                   const PbPlotStyle *style,
                                   const PbPlotChart *chart);

/* colour bar ------------------------------------------------------------ */

typedef struct
{
  PbPlotColorMap map;
  double         lo, hi;     /* values at the ends */
  gboolean       log;
  const char    *label;
} PbPlotColorBar;

double _pb_plot_color_bar_measure (cairo_t              *cr,
                                   const PbPlotStyle    *style,
                                   const PbPlotColorBar *bar);
void   _pb_plot_color_bar_draw    (cairo_t              *cr,
                                   const PbPlotStyle    *style,
                                   const PbPlotColorBar *bar,
                                   const PbPlotRect     *rect);
double _pb_plot_color_bar_position (const PbPlotColorBar *bar,
                                    double                value);

/* CSV ------------------------------------------------------------------- */

typedef struct
{
  GString *text;
  guint    column;
} PbPlotCsv;

void   _pb_plot_csv_field         (PbPlotCsv         *csv,
                                   const char        *text);
void   _pb_plot_csv_number        (PbPlotCsv         *csv,
                                   double             value);
void   _pb_plot_csv_end_row       (PbPlotCsv         *csv);

/* checks ---------------------------------------------------------------- */

gboolean _pb_plot_check_size      (double            width,
                                   double            height,
                                   GError          **error);

G_END_DECLS
