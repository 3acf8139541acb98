/* pb-plot-style.h — colours, palettes, colour maps and the look of a figure.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef struct
{
  double r, g, b;   /* sRGB, 0–1 */
} PbPlotRgb;

/**
 * PbPlotColorMap:
 * @PB_PLOT_COLOR_MAP_VIRIDIS: sequential, perceptually uniform, lightness rises
 * @PB_PLOT_COLOR_MAP_DIVERGING: blue – white – red (ColorBrewer RdBu with a white
 *   centre), for signed values with symmetric limits
 */
typedef enum
{
  PB_PLOT_COLOR_MAP_VIRIDIS,
  PB_PLOT_COLOR_MAP_DIVERGING,
} PbPlotColorMap;

/**
 * PbPlotStyle:
 * @font_family: Pango family, e.g. "Sans"
 * @font_size: size of tick labels, legend and axis titles in pt; the title is 1 pt larger
 * @line_width: width of data lines in pt
 * @axis_width: width of axis lines and ticks in pt
 * @marker_size: diameter of point markers in pt
 * @foreground: text, axes
 * @background: painted under the figure unless @transparent
 * @grid: light grid lines
 * @transparent: leave the background unpainted
 * @palette: (array length=n_palette) (nullable): series colours; %NULL is Okabe–Ito
 *
 * How a figure looks. pb_plot_style_init() gives print defaults readable at a
 * single-column width (8 pt text). A %NULL style means those defaults.
 */
typedef struct
{
  const char      *font_family;
  double           font_size;
  double           line_width;
  double           axis_width;
  double           marker_size;
  PbPlotRgb        foreground;
  PbPlotRgb        background;
  PbPlotRgb        grid;
  gboolean         transparent;
  const PbPlotRgb *palette;
  guint            n_palette;
} PbPlotStyle;

void             pb_plot_style_init          (PbPlotStyle       *style);
void             pb_plot_style_get_color     (const PbPlotStyle *style,
                                              guint              index,
                                              PbPlotRgb         *rgb);
const PbPlotRgb *pb_plot_palette_okabe_ito   (guint             *n_colors);
void             pb_plot_color_map_eval      (PbPlotColorMap     map,
                                              double             t,
                                              PbPlotRgb         *rgb);
double           pb_plot_rgb_get_lightness   (const PbPlotRgb   *rgb);

G_END_DECLS
