/* pb-plot-draw.c — pieces every figure shares: text through Pango, axes
 * with their ticks and labels.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "pb-plot-private.h"

#include <math.h>
#include <string.h>

/* text ------------------------------------------------------------------ */

/* A Pango layout at 72 dpi with metric hinting off, so that text measures
 * the same on PNG, SVG and PDF surfaces (STYLE rule 28). @markup is Pango
 * markup; escape plain text with g_markup_escape_text(). */
PangoLayout *
_pb_plot_text_new (cairo_t           *cr,
                   const PbPlotStyle *style,
                   double             scale,
                   gboolean           bold,
                   const char        *markup)
{
  PangoLayout *layout = pango_cairo_create_layout (cr);
  PangoContext *context = pango_layout_get_context (layout);
  cairo_font_options_t *options = cairo_font_options_create ();
  PangoFontDescription *desc = pango_font_description_from_string (style->font_family);

  cairo_font_options_set_hint_metrics (options, CAIRO_HINT_METRICS_OFF);
  cairo_font_options_set_hint_style (options, CAIRO_HINT_STYLE_NONE);
  pango_cairo_context_set_font_options (context, options);
  pango_cairo_context_set_resolution (context, 72);
  pango_layout_context_changed (layout);
  cairo_font_options_destroy (options);

  pango_font_description_set_absolute_size (desc, style->font_size * scale * PANGO_SCALE);
  if (bold)
    pango_font_description_set_weight (desc, PANGO_WEIGHT_BOLD);
  pango_layout_set_font_description (layout, desc);
  pango_font_description_free (desc);

  pango_layout_set_markup (layout, markup != NULL ? markup : "", -1);

  return layout;
}

void
_pb_plot_text_size (PangoLayout *layout,
                    double      *width,
                    double      *height)
{
  PangoRectangle logical;

  pango_layout_get_extents (layout, NULL, &logical);
  if (width != NULL)
    *width = (double) logical.width / PANGO_SCALE;
  if (height != NULL)
    *height = (double) logical.height / PANGO_SCALE;
}

/* Shows @layout so that the point (@anchor_x, @anchor_y) of its box — 0 left
 * or top, 1 right or bottom, as seen on the page — lands on (@x, @y).
 * @vertical turns it a quarter left (reads bottom to top). */
void
_pb_plot_text_show (cairo_t     *cr,
                    PangoLayout *layout,
                    double       x,
                    double       y,
                    double       anchor_x,
                    double       anchor_y,
                    gboolean     vertical)
{
  PangoRectangle logical;
  double w, h, lx, ly;

  pango_layout_get_extents (layout, NULL, &logical);
  w = (double) logical.width / PANGO_SCALE;
  h = (double) logical.height / PANGO_SCALE;
  lx = (double) logical.x / PANGO_SCALE;
  ly = (double) logical.y / PANGO_SCALE;

  cairo_save (cr);
  cairo_translate (cr, x, y);
  if (vertical)
    {
      cairo_rotate (cr, -G_PI / 2);
      cairo_move_to (cr, -(1 - anchor_y) * w - lx, -anchor_x * h - ly);
    }
  else
    cairo_move_to (cr, -anchor_x * w - lx, -anchor_y * h - ly);
  pango_cairo_show_layout (cr, layout);
  cairo_new_path (cr);
  cairo_restore (cr);
}

void
_pb_plot_set_rgb (cairo_t         *cr,
                  const PbPlotRgb *rgb)
{
  cairo_set_source_rgb (cr, rgb->r, rgb->g, rgb->b);
}

void
_pb_plot_set_rgba (cairo_t         *cr,
                   const PbPlotRgb *rgb,
                   double           alpha)
{
  cairo_set_source_rgba (cr, rgb->r, rgb->g, rgb->b, alpha);
}

const PbPlotStyle *
_pb_plot_style_or_default (const PbPlotStyle *style,
                           PbPlotStyle       *storage)
{
  if (style != NULL && style->font_family != NULL && style->font_size > 0)
    return style;

  pb_plot_style_init (storage);
  return storage;
}

void
_pb_plot_paint_background (cairo_t           *cr,
                           const PbPlotStyle *style,
                           double             width,
                           double             height)
{
  if (style->transparent)
    return;

  cairo_save (cr);
  _pb_plot_set_rgb (cr, &style->background);
  cairo_rectangle (cr, 0, 0, width, height);
  cairo_fill (cr);
  cairo_restore (cr);
}

/* What a figure shows instead of its data when the data cannot be drawn. */
void
_pb_plot_draw_message (cairo_t           *cr,
                       const PbPlotStyle *style,
                       double             width,
                       double             height,
                       const char        *message)
{
  g_autofree char *escaped = g_markup_escape_text (message, -1);
  PangoLayout *layout = _pb_plot_text_new (cr, style, 1.0, FALSE, escaped);
  PbPlotRgb grey = { 0.45, 0.45, 0.45 };

  _pb_plot_paint_background (cr, style, width, height);
  pango_layout_set_width (layout, (int) (MAX (width - 2 * style->font_size, 1) * PANGO_SCALE));
  pango_layout_set_alignment (layout, PANGO_ALIGN_CENTER);
  _pb_plot_set_rgb (cr, &grey);
  _pb_plot_text_show (cr, layout, width / 2, height / 2, 0.5, 0.5, FALSE);
  g_object_unref (layout);
}

void
_pb_plot_marker (cairo_t *cr,
                 double   x,
                 double   y,
                 double   size)
{
  cairo_new_sub_path (cr);
  cairo_arc (cr, x, y, size / 2, 0, 2 * G_PI);
}

/* axes ------------------------------------------------------------------ */

void
_pb_plot_axis_init (PbPlotAxis *axis,
                    const char *title)
{
  memset (axis, 0, sizeof *axis);
  axis->positions = g_array_new (FALSE, FALSE, sizeof (double));
  axis->labels = g_ptr_array_new_with_free_func (g_free);
  axis->title = title;
  axis->lo = 0;
  axis->hi = 1;
}

void
_pb_plot_axis_clear (PbPlotAxis *axis)
{
  g_clear_pointer (&axis->positions, g_array_unref);
  g_clear_pointer (&axis->labels, g_ptr_array_unref);
}

/* Adds a tick with a plain-text label (escaped here). */
void
_pb_plot_axis_add_tick (PbPlotAxis *axis,
                        double      position,
                        const char *label)
{
  g_array_append_val (axis->positions, position);
  g_ptr_array_add (axis->labels, g_markup_escape_text (label != NULL ? label : "", -1));
}

static int
compare_doubles (const double *a,
                 const double *b)
{
  return (*a > *b) - (*a < *b);
}

static void
axis_reset_ticks (PbPlotAxis *axis)
{
  g_array_set_size (axis->positions, 0);
  g_ptr_array_set_size (axis->labels, 0);
}

static char *
log_label (double v)
{
  int k = (int) floor (log10 (v) + 1e-9);
  double mantissa = v / pow (10, k);

  if (k >= -3 && k <= 3)
    return pb_plot_format_number (v, pow (10, MIN (k, 0)));
  if (fabs (mantissa - 1) < 1e-6)
    return g_strdup_printf ("10<sup>%s%d</sup>", k < 0 ? "−" : "", ABS (k));
  return g_strdup_printf ("%.0f×10<sup>%s%d</sup>", mantissa, k < 0 ? "−" : "", ABS (k));
}

static void
axis_add_linear_ticks (PbPlotAxis        *axis,
                       const PbPlotTicks *ticks,
                       double             lo,
                       double             hi)
{
  double a = MIN (lo, hi), b = MAX (lo, hi);

  for (guint i = 0; i < ticks->n_ticks; i++)
    {
      double v = pb_plot_ticks_get_value (ticks, i);
      double slack = ticks->step * 1e-9;

      if (v < a - slack || v > b + slack)
        continue;
      g_array_append_val (axis->positions, v);
      g_ptr_array_add (axis->labels, pb_plot_format_number (v, ticks->step));
    }
}

/* Decades when the range spans several; otherwise 1-2-5 or 1…9 multiples,
 * whichever first gives three ticks inside [@lo, @hi]. */
static void
axis_add_log_ticks (PbPlotAxis *axis,
                    double      lo,
                    double      hi)
{
  static const double mantissas[] = { 1, 2, 5, 3, 4, 6, 7, 8, 9 };
  static const guint n_mantissas[] = { 1, 3, 9 };
  double a = MIN (lo, hi), b = MAX (lo, hi);
  int k0 = (int) floor (log10 (a) + 1e-9), k1 = (int) ceil (log10 (b) - 1e-9);

  if (k1 - k0 > 8)
    {
      PbPlotTicks ticks;

      pb_plot_ticks_init_log (&ticks, a, b);
      for (guint i = 0; i < ticks.n_ticks; i++)
        {
          double v = pb_plot_ticks_get_value (&ticks, i);

          if (v < a * (1 - 1e-9) || v > b * (1 + 1e-9))
            continue;
          g_array_append_val (axis->positions, v);
          g_ptr_array_add (axis->labels, log_label (v));
        }
      return;
    }

  for (guint set = 0; set < G_N_ELEMENTS (n_mantissas); set++)
    {
      g_autoptr(GArray) values = g_array_new (FALSE, FALSE, sizeof (double));

      for (int k = k0; k <= k1; k++)
        for (guint m = 0; m < n_mantissas[set]; m++)
          {
            double v = mantissas[m] * pow (10, k);

            if (v >= a * (1 - 1e-9) && v <= b * (1 + 1e-9))
              g_array_append_val (values, v);
          }

      if (values->len >= 3 || set + 1 == G_N_ELEMENTS (n_mantissas))
        {
          g_array_sort (values, (GCompareFunc) compare_doubles);
          for (guint i = 0; i < values->len; i++)
            {
              double v = g_array_index (values, double, i);

              g_array_append_val (axis->positions, v);
              g_ptr_array_add (axis->labels, log_label (v));
            }
          return;
        }
    }
}

/* The axis spans nice ticks around [@min, @max]. */
void
_pb_plot_axis_set_auto (PbPlotAxis *axis,
                        double      min,
                        double      max,
                        gboolean    log)
{
  PbPlotTicks ticks;

  axis_reset_ticks (axis);
  axis->log = log;
  if (log)
    {
      pb_plot_ticks_init_log (&ticks, min, max);
      if (min > 0 && log10 (max / min) < 2)
        {
          /* less than two decades: the data range, 4 % wider each side */
          double pad = pow (max / min, 0.04);

          if (max == min)
            pad = 1.5;
          axis->lo = min / pad;
          axis->hi = max * pad;
        }
      else
        {
          axis->lo = ticks.lo;
          axis->hi = ticks.hi;
        }
      axis_add_log_ticks (axis, axis->lo, axis->hi);
    }
  else
    {
      pb_plot_ticks_init_nice (&ticks, min, max);
      axis->lo = ticks.lo;
      axis->hi = ticks.hi;
      axis_add_linear_ticks (axis, &ticks, ticks.lo, ticks.hi);
    }
}

/* An axis of whole numbers (trial numbers, report steps): the data ± ½, so no
 * point sits on the frame, and ticks only at integers — two trials get ticks
 * 0 and 1, not 0, 0.2, …, 1. */
void
_pb_plot_axis_set_counts (PbPlotAxis *axis,
                          double      min,
                          double      max)
{
  PbPlotTicks ticks;
  double lo = MIN (min, max) - 0.5, hi = MAX (min, max) + 0.5;

  axis->log = FALSE;
  axis->lo = lo;
  axis->hi = hi;
  axis_reset_ticks (axis);
  pb_plot_ticks_init_nice (&ticks, lo, hi);
  if (ticks.step < 1)
    {
      ticks.step = 1;
      ticks.lo = ceil (lo);
      ticks.hi = floor (hi);
      ticks.n_ticks = (guint) (ticks.hi - ticks.lo) + 1;
    }
  axis_add_linear_ticks (axis, &ticks, lo, hi);
}

/* The axis spans exactly [@lo, @hi], with the nice ticks that fall inside. */
void
_pb_plot_axis_set_fixed (PbPlotAxis *axis,
                         double      lo,
                         double      hi,
                         gboolean    log)
{
  PbPlotTicks ticks;

  axis->log = log;
  axis->lo = lo;
  axis->hi = hi;
  axis_reset_ticks (axis);
  if (log)
    axis_add_log_ticks (axis, lo, hi);
  else
    {
      pb_plot_ticks_init_nice (&ticks, MIN (lo, hi), MAX (lo, hi));
      axis_add_linear_ticks (axis, &ticks, lo, hi);
    }
}

static double
axis_t (const PbPlotAxis *axis,
        double            value)
{
  return axis->log ? log10 (value) : value;
}

double
_pb_plot_axis_map (const PbPlotAxis *axis,
                   double            value)
{
  double t0 = axis_t (axis, axis->lo), t1 = axis_t (axis, axis->hi);

  if (t1 == t0)
    return axis->p0;
  return axis->p0 + (axis_t (axis, value) - t0) / (t1 - t0) * (axis->p1 - axis->p0);
}

double
_pb_plot_axis_unmap (const PbPlotAxis *axis,
                     double            device)
{
  double t0 = axis_t (axis, axis->lo), t1 = axis_t (axis, axis->hi);
  double t;

  if (axis->p1 == axis->p0)
    return axis->lo;
  t = t0 + (device - axis->p0) / (axis->p1 - axis->p0) * (t1 - t0);
  return axis->log ? pow (10, t) : t;
}

static void
axis_label_sizes (cairo_t           *cr,
                  const PbPlotStyle *style,
                  const PbPlotAxis  *axis,
                  double            *max_w,
                  double            *max_h)
{
  *max_w = 0;
  *max_h = 0;
  for (guint i = 0; i < axis->labels->len; i++)
    {
      PangoLayout *layout = _pb_plot_text_new (cr, style, 1.0, FALSE,
                                               g_ptr_array_index (axis->labels, i));
      double w, h;

      _pb_plot_text_size (layout, &w, &h);
      *max_w = MAX (*max_w, w);
      *max_h = MAX (*max_h, h);
      g_object_unref (layout);
    }
}

static double
title_thickness (cairo_t           *cr,
                 const PbPlotStyle *style,
                 const char        *title)
{
  g_autofree char *escaped = NULL;
  PangoLayout *layout;
  double h;

  if (title == NULL || *title == '\0')
    return 0;

  escaped = g_markup_escape_text (title, -1);
  layout = _pb_plot_text_new (cr, style, 1.0, FALSE, escaped);
  _pb_plot_text_size (layout, NULL, &h);
  g_object_unref (layout);

  return h + PB_PLOT_PAD * style->font_size * 0.6;
}

/* Room the axis needs outside the plot: across the axis, in user units. */
double
_pb_plot_axis_measure (cairo_t           *cr,
                       const PbPlotStyle *style,
                       const PbPlotAxis  *axis,
                       gboolean           vertical)
{
  double fs = style->font_size;
  double w, h, size;

  axis_label_sizes (cr, style, axis, &w, &h);
  size = PB_PLOT_TICK_LEN * fs + 0.3 * fs + (vertical ? w : h);
  size += title_thickness (cr, style, axis->title);

  return size;
}

/* Smallest stride k such that every k-th label clears its neighbour by a
 * third of the font size (sysprof's time ruler skips labels the same way). */
static guint
axis_label_stride (const PbPlotAxis *axis,
                   const double     *centre,
                   const double     *extent,
                   double            gap)
{
  guint n = axis->labels->len;

  for (guint k = 1; k < MAX (n, 2); k++)
    {
      gboolean ok = TRUE;

      for (guint i = k; i < n && ok; i += k)
        ok = fabs (centre[i] - centre[i - k]) >= (extent[i] + extent[i - k]) / 2 + gap;
      if (ok)
        return k;
    }

  return MAX (n, 1);
}

/* Draws axis line, ticks, labels and title. @base is the plot edge the axis
 * sits on (y for a horizontal axis, x for a vertical one); the axis lies
 * outside @plot (below / left), or above / right when @base is the far edge. */
void
_pb_plot_axis_draw (cairo_t           *cr,
                    const PbPlotStyle *style,
                    const PbPlotAxis  *axis,
                    gboolean           vertical,
                    double             base,
                    const PbPlotRect  *plot)
{
  double fs = style->font_size;
  double tick = PB_PLOT_TICK_LEN * fs;
  guint n = axis->labels->len;
  g_autofree double *centre = g_new0 (double, MAX (n, 1));
  g_autofree double *extent = g_new0 (double, MAX (n, 1));
  g_autofree PangoLayout **layouts = g_new0 (PangoLayout *, MAX (n, 1));
  gboolean far_side = vertical ? base > plot->x + plot->width / 2
                               : base < plot->y + plot->height / 2;
  double dir = far_side ? -1 : 1;   /* outward: +y below, −x left */
  double max_across = 0;
  guint stride;

  cairo_save (cr);
  _pb_plot_set_rgb (cr, &style->foreground);
  cairo_set_line_width (cr, style->axis_width);
  cairo_set_line_cap (cr, CAIRO_LINE_CAP_SQUARE);

  if (!axis->no_line)
    {
      if (vertical)
        {
          cairo_move_to (cr, base, plot->y);
          cairo_line_to (cr, base, plot->y + plot->height);
        }
      else
        {
          cairo_move_to (cr, plot->x, base);
          cairo_line_to (cr, plot->x + plot->width, base);
        }
      cairo_stroke (cr);
    }

  cairo_set_line_cap (cr, CAIRO_LINE_CAP_BUTT);
  for (guint i = 0; i < n; i++)
    {
      double p = _pb_plot_axis_map (axis, g_array_index (axis->positions, double, i));
      double w, h;

      layouts[i] = _pb_plot_text_new (cr, style, 1.0, FALSE, g_ptr_array_index (axis->labels, i));
      if (axis->ellipsize && !vertical && n > 1)
        {
          /* categories: shorten every name to its slot rather than drop one */
          double slot = fabs (_pb_plot_axis_map (axis, g_array_index (axis->positions, double, 1)) -
                              _pb_plot_axis_map (axis, g_array_index (axis->positions, double, 0)));

          pango_layout_set_width (layouts[i], (int) (MAX (slot - fs / 2, fs) * PANGO_SCALE));
          pango_layout_set_ellipsize (layouts[i], PANGO_ELLIPSIZE_END);
          pango_layout_set_alignment (layouts[i], PANGO_ALIGN_CENTER);
        }
      _pb_plot_text_size (layouts[i], &w, &h);
      centre[i] = p;
      extent[i] = vertical ? h : w;
      max_across = MAX (max_across, vertical ? w : h);

      if (vertical)
        {
          cairo_move_to (cr, base, p);
          cairo_line_to (cr, base - dir * tick, p);
        }
      else
        {
          cairo_move_to (cr, p, base);
          cairo_line_to (cr, p, base + dir * tick);
        }
    }
  cairo_stroke (cr);

  stride = axis_label_stride (axis, centre, extent, fs / 3);
  for (guint i = 0; i < n; i += stride)
    {
      double x = vertical ? base - dir * (tick + 0.3 * fs) : centre[i];
      double y = vertical ? centre[i] : base + dir * (tick + 0.3 * fs);
      double ax = vertical ? (far_side ? 0 : 1) : 0.5;
      double ay = vertical ? 0.5 : (far_side ? 1 : 0);

      if (axis->halo)
        {
          double w, h;

          _pb_plot_text_size (layouts[i], &w, &h);
          _pb_plot_set_rgba (cr, &style->background, 0.8);
          cairo_rectangle (cr, x - ax * w - 0.1 * fs, y - ay * h, w + 0.2 * fs, h);
          cairo_fill (cr);
          _pb_plot_set_rgb (cr, &style->foreground);
        }
      _pb_plot_text_show (cr, layouts[i], x, y, ax, ay, FALSE);
    }
  for (guint i = 0; i < n; i++)
    g_object_unref (layouts[i]);

  if (axis->title != NULL && *axis->title != '\0')
    {
      g_autofree char *escaped = g_markup_escape_text (axis->title, -1);
      PangoLayout *layout = _pb_plot_text_new (cr, style, 1.0, FALSE, escaped);
      double off = tick + 0.3 * fs + max_across + PB_PLOT_PAD * fs * 0.6;
      double length = vertical ? plot->height : plot->width;
      double w;

      /* never longer than the axis: shortened with "…" in a cramped figure */
      _pb_plot_text_size (layout, &w, NULL);
      if (w > length + 2 * fs)
        {
          pango_layout_set_width (layout, (int) (MAX (length + 2 * fs, fs) * PANGO_SCALE));
          pango_layout_set_ellipsize (layout, PANGO_ELLIPSIZE_END);
        }

      if (vertical)
        _pb_plot_text_show (cr, layout, base - dir * off, plot->y + plot->height / 2,
                            far_side ? 0 : 1, 0.5, TRUE);
      else
        _pb_plot_text_show (cr, layout, plot->x + plot->width / 2, base + dir * off,
                            0.5, far_side ? 1 : 0, FALSE);
      g_object_unref (layout);
    }

  cairo_restore (cr);
}

void
_pb_plot_axis_draw_grid (cairo_t           *cr,
                         const PbPlotStyle *style,
                         const PbPlotAxis  *axis,
                         gboolean           vertical,
                         const PbPlotRect  *plot)
{
  cairo_save (cr);
  _pb_plot_set_rgb (cr, &style->grid);
  cairo_set_line_width (cr, style->axis_width * 0.8);
  for (guint i = 0; i < axis->positions->len; i++)
    {
      double p = _pb_plot_axis_map (axis, g_array_index (axis->positions, double, i));

      if (vertical)
        {
          cairo_move_to (cr, plot->x, p);
          cairo_line_to (cr, plot->x + plot->width, p);
        }
      else
        {
          cairo_move_to (cr, p, plot->y);
          cairo_line_to (cr, p, plot->y + plot->height);
        }
    }
  cairo_stroke (cr);
  cairo_restore (cr);
}
