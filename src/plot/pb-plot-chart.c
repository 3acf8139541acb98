/* pb-plot-chart.c — an x–y chart's frame (title, legend, axes around the
 * plot rectangle) and the colour bar.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "pb-plot-private.h"

#include <math.h>
#include <string.h>

/* legend, title --------------------------------------------------------- */

#define LEGEND_SAMPLE  1.8   /* font sizes */
#define LEGEND_GAP     0.4
#define LEGEND_SPACING 1.2

static double
legend_item_width (cairo_t                *cr,
                   const PbPlotStyle      *style,
                   const PbPlotLegendItem *item,
                   double                 *text_h)
{
  g_autofree char *escaped = g_markup_escape_text (item->label != NULL ? item->label : "", -1);
  PangoLayout *layout = _pb_plot_text_new (cr, style, 1.0, FALSE, escaped);
  double w, h;

  _pb_plot_text_size (layout, &w, &h);
  g_object_unref (layout);
  if (text_h != NULL)
    *text_h = h;

  return (LEGEND_SAMPLE + LEGEND_GAP) * style->font_size + w;
}

/* Lays the items out in centred rows of at most @width; calls back per item
 * with its position when @draw. Returns the height used. */
static double
legend_flow (cairo_t                *cr,
             const PbPlotStyle      *style,
             const PbPlotLegendItem *items,
             guint                   n_items,
             double                  x,
             double                  y,
             double                  width,
             gboolean                draw)
{
  double fs = style->font_size;
  double row_h = 0, total_h = 0;
  guint row_start = 0;

  if (n_items == 0)
    return 0;

  while (row_start < n_items)
    {
      double row_w = 0;
      guint row_end = row_start;
      double cx;

      while (row_end < n_items)
        {
          double h, w = legend_item_width (cr, style, &items[row_end], &h);
          double add = (row_end > row_start ? LEGEND_SPACING * fs : 0) + w;

          if (row_end > row_start && row_w + add > width)
            break;
          row_w += add;
          row_h = MAX (row_h, h);
          row_end++;
        }

      if (draw)
        {
          cx = x + MAX (0, (width - row_w) / 2);
          for (guint i = row_start; i < row_end; i++)
            {
              const PbPlotLegendItem *item = &items[i];
              g_autofree char *escaped = g_markup_escape_text (item->label != NULL ? item->label : "", -1);
              PangoLayout *layout = _pb_plot_text_new (cr, style, 1.0, FALSE, escaped);
              double cy = y + total_h + row_h / 2;
              double sx = cx, sw = LEGEND_SAMPLE * fs;
              double alpha = item->alpha > 0 ? item->alpha : 1.0;

              cairo_save (cr);
              _pb_plot_set_rgba (cr, &item->rgb, alpha);
              switch (item->kind)
                {
                case PB_PLOT_LEGEND_BOX:
                  cairo_rectangle (cr, sx + sw * 0.2, cy - fs * 0.35, sw * 0.6, fs * 0.7);
                  cairo_fill (cr);
                  break;

                case PB_PLOT_LEGEND_MARKER:
                  _pb_plot_marker (cr, sx + sw / 2, cy, style->marker_size * 1.2);
                  cairo_fill (cr);
                  break;

                case PB_PLOT_LEGEND_LINE_MARKER:
                case PB_PLOT_LEGEND_LINE:
                default:
                  cairo_set_line_width (cr, style->line_width);
                  if (item->dashed)
                    {
                      double dash[] = { 2.5 * style->line_width, 1.5 * style->line_width };
                      cairo_set_dash (cr, dash, 2, 0);
                    }
                  cairo_move_to (cr, sx, cy);
                  cairo_line_to (cr, sx + sw, cy);
                  cairo_stroke (cr);
                  if (item->kind == PB_PLOT_LEGEND_LINE_MARKER)
                    {
                      _pb_plot_marker (cr, sx + sw / 2, cy, style->marker_size);
                      cairo_fill (cr);
                    }
                  break;
                }
              _pb_plot_set_rgb (cr, &style->foreground);
              _pb_plot_text_show (cr, layout, sx + (LEGEND_SAMPLE + LEGEND_GAP) * fs, cy,
                                  0, 0.5, FALSE);
              cairo_restore (cr);

              cx += legend_item_width (cr, style, item, NULL) + LEGEND_SPACING * fs;
              g_object_unref (layout);
            }
        }

      total_h += row_h;
      row_start = row_end;
    }

  return total_h;
}

double
_pb_plot_legend_measure (cairo_t                *cr,
                         const PbPlotStyle      *style,
                         const PbPlotLegendItem *items,
                         guint                   n_items,
                         double                  width)
{
  return legend_flow (cr, style, items, n_items, 0, 0, width, FALSE);
}

void
_pb_plot_legend_draw (cairo_t                *cr,
                      const PbPlotStyle      *style,
                      const PbPlotLegendItem *items,
                      guint                   n_items,
                      double                  x,
                      double                  y,
                      double                  width)
{
  legend_flow (cr, style, items, n_items, x, y, width, TRUE);
}

/* Bold, centred, wrapped to @width. Returns its height (0 without title). */
double
_pb_plot_title_draw (cairo_t           *cr,
                     const PbPlotStyle *style,
                     const char        *title,
                     double             x,
                     double             y,
                     double             width,
                     gboolean           draw)
{
  g_autofree char *escaped = NULL;
  PangoLayout *layout;
  double h;

  if (title == NULL || *title == '\0')
    return 0;

  escaped = g_markup_escape_text (title, -1);
  layout = _pb_plot_text_new (cr, style, 1.125, TRUE, escaped);
  pango_layout_set_width (layout, (int) (MAX (width, 1) * PANGO_SCALE));
  pango_layout_set_alignment (layout, PANGO_ALIGN_CENTER);
  _pb_plot_text_size (layout, NULL, &h);
  if (draw)
    {
      cairo_save (cr);
      _pb_plot_set_rgb (cr, &style->foreground);
      cairo_move_to (cr, x, y);
      pango_cairo_show_layout (cr, layout);
      cairo_new_path (cr);
      cairo_restore (cr);
    }
  g_object_unref (layout);

  return h;
}

/* chart ----------------------------------------------------------------- */

void
_pb_plot_chart_init (PbPlotChart *chart,
                     double       x,
                     double       y,
                     double       width,
                     double       height)
{
  memset (chart, 0, sizeof *chart);
  _pb_plot_axis_init (&chart->x, NULL);
  _pb_plot_axis_init (&chart->y, NULL);
  chart->y.grid = TRUE;
  chart->outer = (PbPlotRect) { x, y, width, height };
}

void
_pb_plot_chart_clear (PbPlotChart *chart)
{
  _pb_plot_axis_clear (&chart->x);
  _pb_plot_axis_clear (&chart->y);
}

static double
chart_top (cairo_t           *cr,
           const PbPlotStyle *style,
           const PbPlotChart *chart)
{
  double fs = style->font_size;
  double top = chart->outer.y + 0.4 * fs;
  double th = _pb_plot_title_draw (cr, style, chart->title, 0, 0,
                                   chart->outer.width - fs, FALSE);
  double lh = _pb_plot_legend_measure (cr, style, chart->legend, chart->n_legend,
                                       chart->outer.width - fs);

  if (th > 0)
    top += th + 0.3 * fs;
  if (lh > 0)
    top += lh + 0.3 * fs;

  return top + 0.6 * fs;   /* half a tick label sticks out above the plot */
}

/* Places the plot rectangle inside chart->outer and maps both axes onto it.
 * The y axis grows upwards. */
void
_pb_plot_chart_layout (cairo_t           *cr,
                       const PbPlotStyle *style,
                       PbPlotChart       *chart)
{
  double fs = style->font_size;
  double left = _pb_plot_axis_measure (cr, style, &chart->y, TRUE) + 0.4 * fs;
  double bottom = _pb_plot_axis_measure (cr, style, &chart->x, FALSE) + 0.4 * fs;
  double top, right = 1.2 * fs + chart->right_reserve;
  PbPlotRect *p = &chart->plot;

  /* a legend taller than a third of the figure would crowd out the data:
   * leave it out (many trials or folds); the CSV still names every series */
  if (_pb_plot_legend_measure (cr, style, chart->legend, chart->n_legend,
                               chart->outer.width - fs) > chart->outer.height / 3)
    chart->n_legend = 0;
  top = chart_top (cr, style, chart);

  p->x = chart->outer.x + left;
  p->y = top;
  p->width = MAX (chart->outer.width - left - right, 1);
  p->height = MAX (chart->outer.y + chart->outer.height - bottom - top, 1);

  chart->x.p0 = p->x;
  chart->x.p1 = p->x + p->width;
  chart->y.p0 = p->y + p->height;
  chart->y.p1 = p->y;
}

/* Grid lines, drawn before the data. */
void
_pb_plot_chart_draw_under (cairo_t           *cr,
                           const PbPlotStyle *style,
                           const PbPlotChart *chart)
{
  if (chart->x.grid)
    _pb_plot_axis_draw_grid (cr, style, &chart->x, FALSE, &chart->plot);
  if (chart->y.grid)
    _pb_plot_axis_draw_grid (cr, style, &chart->y, TRUE, &chart->plot);
}

/* Axes, title and legend, drawn after the data. */
void
_pb_plot_chart_draw_over (cairo_t           *cr,
                          const PbPlotStyle *style,
                          const PbPlotChart *chart)
{
  double fs = style->font_size;
  double y = chart->outer.y + 0.4 * fs;
  double th;

  _pb_plot_axis_draw (cr, style, &chart->x, FALSE, chart->plot.y + chart->plot.height, &chart->plot);
  _pb_plot_axis_draw (cr, style, &chart->y, TRUE, chart->plot.x, &chart->plot);

  th = _pb_plot_title_draw (cr, style, chart->title, chart->outer.x + fs / 2, y,
                            chart->outer.width - fs, TRUE);
  if (th > 0)
    y += th + 0.3 * fs;
  _pb_plot_legend_draw (cr, style, chart->legend, chart->n_legend,
                        chart->outer.x + fs / 2, y, chart->outer.width - fs);
}

/* colour bar ------------------------------------------------------------ */

#define COLOR_BAR_WIDTH 0.9   /* font sizes */

static void
color_bar_axis (const PbPlotColorBar *bar,
                PbPlotAxis           *axis)
{
  _pb_plot_axis_init (axis, bar->label);
  axis->no_line = TRUE;
  _pb_plot_axis_set_fixed (axis, bar->lo, bar->hi, bar->log);
}

/* Width the bar with its ticks, labels and title needs. */
double
_pb_plot_color_bar_measure (cairo_t              *cr,
                            const PbPlotStyle    *style,
                            const PbPlotColorBar *bar)
{
  PbPlotAxis axis;
  double w;

  color_bar_axis (bar, &axis);
  w = (PB_PLOT_PAD + COLOR_BAR_WIDTH) * style->font_size
      + _pb_plot_axis_measure (cr, style, &axis, TRUE);
  _pb_plot_axis_clear (&axis);

  return w;
}

/* Where @value sits on the bar, 0 (bottom) … 1 (top); NaN when it has no colour. */
double
_pb_plot_color_bar_position (const PbPlotColorBar *bar,
                             double                value)
{
  double t;

  if (isnan (value))
    return NAN;
  if (bar->log)
    {
      if (value <= 0)
        return NAN;
      t = (log10 (value) - log10 (bar->lo)) / (log10 (bar->hi) - log10 (bar->lo));
    }
  else
    t = bar->hi > bar->lo ? (value - bar->lo) / (bar->hi - bar->lo) : 0.5;

  return CLAMP (t, 0.0, 1.0);
}

/* Draws the bar at the left of @rect, full height, labels to its right. */
void
_pb_plot_color_bar_draw (cairo_t              *cr,
                         const PbPlotStyle    *style,
                         const PbPlotColorBar *bar,
                         const PbPlotRect     *rect)
{
  double fs = style->font_size;
  PbPlotRect r = { rect->x + PB_PLOT_PAD * fs, rect->y, COLOR_BAR_WIDTH * fs, rect->height };
  cairo_pattern_t *gradient = cairo_pattern_create_linear (0, r.y + r.height, 0, r.y);
  PbPlotAxis axis;

  for (guint i = 0; i <= 64; i++)
    {
      PbPlotRgb rgb;

      pb_plot_color_map_eval (bar->map, i / 64.0, &rgb);
      cairo_pattern_add_color_stop_rgb (gradient, i / 64.0, rgb.r, rgb.g, rgb.b);
    }

  cairo_save (cr);
  cairo_rectangle (cr, r.x, r.y, r.width, r.height);
  cairo_set_source (cr, gradient);
  cairo_fill (cr);
  cairo_pattern_destroy (gradient);

  _pb_plot_set_rgb (cr, &style->foreground);
  cairo_set_line_width (cr, style->axis_width * 0.8);
  cairo_rectangle (cr, r.x, r.y, r.width, r.height);
  cairo_stroke (cr);

  color_bar_axis (bar, &axis);
  axis.p0 = r.y + r.height;
  axis.p1 = r.y;
  _pb_plot_axis_draw (cr, style, &axis, TRUE, r.x + r.width, &r);
  _pb_plot_axis_clear (&axis);
  cairo_restore (cr);
}
