/* pb-plot-style.c — colour-blind-safe palettes, colour maps, default style.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "pb-plot-style.h"

#include <math.h>

/* Okabe & Ito (2008), "Color Universal Design", reordered so that the first
 * colours are the most distinct on white; yellow comes last (weak on white). */
static const PbPlotRgb okabe_ito[] = {
  { 0x00 / 255.0, 0x72 / 255.0, 0xB2 / 255.0 },   /* blue */
  { 0xD5 / 255.0, 0x5E / 255.0, 0x00 / 255.0 },   /* vermillion */
  { 0x00 / 255.0, 0x9E / 255.0, 0x73 / 255.0 },   /* bluish green */
  { 0xE6 / 255.0, 0x9F / 255.0, 0x00 / 255.0 },   /* orange */
  { 0x56 / 255.0, 0xB4 / 255.0, 0xE9 / 255.0 },   /* sky blue */
  { 0xCC / 255.0, 0x79 / 255.0, 0xA7 / 255.0 },   /* reddish purple */
  { 0x00 / 255.0, 0x00 / 255.0, 0x00 / 255.0 },   /* black */
  { 0xF0 / 255.0, 0xE4 / 255.0, 0x42 / 255.0 },   /* yellow */
};

typedef struct
{
  double    t;
  PbPlotRgb rgb;
} Knot;

/* viridis (van der Walt & Smith, CC0), entries 0, 8, 16, … 248 and 255 of the
 * 256-entry table matplotlib ships; linear interpolation between them stays
 * within 0.002 of the full table. */
#define V(i, r, g, b) { (i) / 255.0, { r, g, b } }
static const Knot viridis[] = {
  V (0, 0.267004, 0.004874, 0.329415),   V (8, 0.277018, 0.050344, 0.375715),
  V (16, 0.282327, 0.094955, 0.417331),  V (24, 0.282884, 0.135920, 0.453427),
  V (32, 0.278826, 0.175490, 0.483397),  V (40, 0.270595, 0.214069, 0.507052),
  V (48, 0.258965, 0.251537, 0.524736),  V (56, 0.244972, 0.287675, 0.537260),
  V (64, 0.229739, 0.322361, 0.545706),  V (72, 0.214298, 0.355619, 0.551184),
  V (80, 0.199430, 0.387607, 0.554642),  V (88, 0.185556, 0.418570, 0.556753),
  V (96, 0.172719, 0.448791, 0.557885),  V (104, 0.160665, 0.478540, 0.558115),
  V (112, 0.149039, 0.508051, 0.557250), V (120, 0.137770, 0.537492, 0.554906),
  V (128, 0.127568, 0.566949, 0.550556), V (136, 0.120565, 0.596422, 0.543611),
  V (144, 0.120638, 0.625828, 0.533488), V (152, 0.132268, 0.655014, 0.519661),
  V (160, 0.157851, 0.683765, 0.501686), V (168, 0.196571, 0.711827, 0.479221),
  V (176, 0.246070, 0.738910, 0.452024), V (184, 0.304148, 0.764704, 0.419943),
  V (192, 0.369214, 0.788888, 0.382914), V (200, 0.440137, 0.811138, 0.340967),
  V (208, 0.515992, 0.831158, 0.294279), V (216, 0.595839, 0.848717, 0.243329),
  V (224, 0.678489, 0.863742, 0.189503), V (232, 0.762373, 0.876424, 0.137064),
  V (240, 0.845561, 0.887322, 0.099702), V (248, 0.926106, 0.897330, 0.104071),
  V (255, 0.993248, 0.906157, 0.143936),
};
#undef V

/* ColorBrewer RdBu (11 classes) reversed so low = blue, with its centre
 * #F7F7F7 replaced by pure white so that zero reads as "no perturbation". */
#define H(i, hex) { (i) / 10.0, { ((hex) >> 16) / 255.0, (((hex) >> 8) & 0xff) / 255.0, ((hex) & 0xff) / 255.0 } }
static const Knot diverging[] = {
  H (0, 0x053061), H (1, 0x2166AC), H (2, 0x4393C3), H (3, 0x92C5DE),
  H (4, 0xD1E5F0), H (5, 0xFFFFFF), H (6, 0xFDDBC7), H (7, 0xF4A582),
  H (8, 0xD6604D), H (9, 0xB2182B), H (10, 0x67001F),
};
#undef H

/**
 * pb_plot_style_init:
 * @style: (out caller-allocates): the style to fill
 *
 * Print defaults: "Sans" 8 pt, 1 pt lines, black on white, Okabe–Ito colours.
 */
void
pb_plot_style_init (PbPlotStyle *style)
{
  g_return_if_fail (style != NULL);

  *style = (PbPlotStyle) {
    .font_family = "Sans",
    .font_size = 8.0,
    .line_width = 1.0,
    .axis_width = 0.6,
    .marker_size = 3.0,
    .foreground = { 0.0, 0.0, 0.0 },
    .background = { 1.0, 1.0, 1.0 },
    .grid = { 0.88, 0.88, 0.88 },
    .transparent = FALSE,
    .palette = NULL,
    .n_palette = 0,
  };
}

const PbPlotRgb *
pb_plot_palette_okabe_ito (guint *n_colors)
{
  if (n_colors != NULL)
    *n_colors = G_N_ELEMENTS (okabe_ito);
  return okabe_ito;
}

/* Series colour @index, cycling through the style's palette. */
void
pb_plot_style_get_color (const PbPlotStyle *style,
                         guint              index,
                         PbPlotRgb         *rgb)
{
  if (style != NULL && style->palette != NULL && style->n_palette > 0)
    *rgb = style->palette[index % style->n_palette];
  else
    *rgb = okabe_ito[index % G_N_ELEMENTS (okabe_ito)];
}

static void
eval_knots (const Knot *knots,
            guint       n_knots,
            double      t,
            PbPlotRgb  *rgb)
{
  guint i = 1;
  double f;

  if (!(t > 0))   /* also NaN */
    t = 0;
  if (t > 1)
    t = 1;

  while (i < n_knots - 1 && knots[i].t < t)
    i++;
  f = (t - knots[i - 1].t) / (knots[i].t - knots[i - 1].t);
  rgb->r = knots[i - 1].rgb.r + f * (knots[i].rgb.r - knots[i - 1].rgb.r);
  rgb->g = knots[i - 1].rgb.g + f * (knots[i].rgb.g - knots[i - 1].rgb.g);
  rgb->b = knots[i - 1].rgb.b + f * (knots[i].rgb.b - knots[i - 1].rgb.b);
}

/**
 * pb_plot_color_map_eval:
 * @map: the colour map
 * @t: position in [0, 1]; clamped, NaN counts as 0
 * @rgb: (out): the colour
 */
void
pb_plot_color_map_eval (PbPlotColorMap  map,
                        double          t,
                        PbPlotRgb      *rgb)
{
  g_return_if_fail (rgb != NULL);

  switch (map)
    {
    case PB_PLOT_COLOR_MAP_DIVERGING:
      eval_knots (diverging, G_N_ELEMENTS (diverging), t, rgb);
      break;

    case PB_PLOT_COLOR_MAP_VIRIDIS:
    default:
      eval_knots (viridis, G_N_ELEMENTS (viridis), t, rgb);
      break;
    }
}

static double
srgb_to_linear (double c)
{
  return c <= 0.04045 ? c / 12.92 : pow ((c + 0.055) / 1.055, 2.4);
}

/**
 * pb_plot_rgb_get_lightness:
 *
 * Returns: CIE L* (0 black … 100 white) of an sRGB colour (D65).
 */
double
pb_plot_rgb_get_lightness (const PbPlotRgb *rgb)
{
  double y = 0.2126 * srgb_to_linear (rgb->r)
           + 0.7152 * srgb_to_linear (rgb->g)
           + 0.0722 * srgb_to_linear (rgb->b);

  return y > 216.0 / 24389.0 ? 116.0 * cbrt (y) - 16.0 : y * 24389.0 / 27.0;
}
