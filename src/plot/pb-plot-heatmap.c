/* pb-plot-heatmap.c — feature × hour heat maps: one matrix, or a sample's
 * original, perturbation and perturbed values stacked.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "pb-plot-heatmap-private.h"

#include <math.h>

/* matrix ---------------------------------------------------------------- */

double
pb_plot_matrix_get (const PbPlotMatrix *matrix,
                    guint               row,
                    guint               col)
{
  g_return_val_if_fail (matrix != NULL && row < matrix->n_rows && col < matrix->n_cols, NAN);

  if (matrix->transposed)
    return matrix->values[(gsize) col * matrix->n_rows + row];
  return matrix->values[(gsize) row * matrix->n_cols + col];
}

gboolean
pb_plot_matrix_check (const PbPlotMatrix  *matrix,
                      GError             **error)
{
  if (matrix == NULL || matrix->values == NULL || matrix->n_rows == 0 || matrix->n_cols == 0)
    {
      g_set_error (error, PB_PLOT_ERROR, PB_PLOT_ERROR_INVALID_ARGUMENT,
                   "Heat map matrix is empty (%u × %u)",
                   matrix != NULL ? matrix->n_rows : 0, matrix != NULL ? matrix->n_cols : 0);
      return FALSE;
    }
  if (matrix->n_rows > 10000 || matrix->n_cols > 10000)
    {
      g_set_error (error, PB_PLOT_ERROR, PB_PLOT_ERROR_INVALID_ARGUMENT,
                   "Heat map matrix %u × %u is too large to draw (at most 10000 × 10000)",
                   matrix->n_rows, matrix->n_cols);
      return FALSE;
    }

  return TRUE;
}

/* panel ----------------------------------------------------------------- */

/* Colour limits: the data range (positive part on a log scale), symmetric
 * ±max|v| for the diverging map, or the fixed limits. */
void
_pb_plot_heat_range (const PbPlotMatrix *matrix,
                     PbPlotColorMap      map,
                     gboolean            log,
                     gboolean            fixed,
                     double              v_min,
                     double              v_max,
                     double             *lo,
                     double             *hi)
{
  double a = INFINITY, b = -INFINITY;

  if (fixed)
    {
      a = v_min;
      b = v_max;
    }
  else
    for (guint r = 0; r < matrix->n_rows; r++)
      for (guint c = 0; c < matrix->n_cols; c++)
        {
          double v = pb_plot_matrix_get (matrix, r, c);

          if (!isfinite (v) || (log && v <= 0))
            continue;
          a = MIN (a, v);
          b = MAX (b, v);
        }

  if (log)
    {
      if (!(b > 0))
        a = 0.1, b = 1;
      else if (!(a > 0) || a >= b)
        a = b / 10;
    }
  else if (map == PB_PLOT_COLOR_MAP_DIVERGING)
    {
      double m = isfinite (a) ? MAX (fabs (a), fabs (b)) : 0;

      if (m == 0)
        m = 1;
      a = -m;
      b = m;
    }
  else if (!isfinite (a))
    a = 0, b = 1;
  else if (a == b)
    {
      if (a == 0)
        b = 1;
      else if (a > 0)
        a = 0;
      else
        b = 0;
    }

  *lo = a;
  *hi = b;
}

/* The colour of a cell holding @value; %FALSE when the cell stays blank. */
gboolean
_pb_plot_heat_color (const PbPlotColorBar *bar,
                     double                value,
                     PbPlotRgb            *rgb)
{
  double t = _pb_plot_color_bar_position (bar, value);

  if (isnan (t))
    return FALSE;
  pb_plot_color_map_eval (bar->map, t, rgb);
  return TRUE;
}

void
_pb_plot_heat_axes (const PbPlotHeatPanel *panel,
                    PbPlotAxis            *x,
                    PbPlotAxis            *y)
{
  const PbPlotMatrix *m = panel->matrix;
  guint step = m->col_tick_step;

  _pb_plot_axis_init (x, panel->x_label);
  _pb_plot_axis_init (y, panel->y_label);
  x->no_line = TRUE;
  y->no_line = TRUE;
  x->lo = 0;
  x->hi = m->n_cols;
  y->lo = 0;
  y->hi = m->n_rows;

  if (step == 0)
    {
      PbPlotTicks ticks;

      pb_plot_ticks_init_nice (&ticks, 0, MAX (m->n_cols - 1, 1));
      step = (guint) MAX (1, lround (ticks.step));
    }
  for (guint c = 0; c < m->n_cols; c += step)
    {
      g_autofree char *label = g_strdup_printf ("%u", c);

      _pb_plot_axis_add_tick (x, c + 0.5, label);
    }

  for (guint r = 0; r < m->n_rows; r++)
    {
      g_autofree char *number = g_strdup_printf ("%u", r);

      _pb_plot_axis_add_tick (y, r + 0.5, m->row_labels != NULL && m->row_labels[r] != NULL
                                           ? m->row_labels[r] : number);
    }
}

/* Room around the cells: axes left and below, colour bar right. */
void
_pb_plot_heat_margins (cairo_t               *cr,
                       const PbPlotStyle     *style,
                       const PbPlotHeatPanel *panel,
                       double                *left,
                       double                *bottom,
                       double                *right)
{
  PbPlotAxis x, y;

  _pb_plot_heat_axes (panel, &x, &y);
  *left = _pb_plot_axis_measure (cr, style, &y, TRUE) + 0.4 * style->font_size;
  *bottom = _pb_plot_axis_measure (cr, style, &x, FALSE) + 0.4 * style->font_size;
  *right = panel->no_color_bar ? 0.0 : _pb_plot_color_bar_measure (cr, style, &panel->bar);
  _pb_plot_axis_clear (&x);
  _pb_plot_axis_clear (&y);
}

/* SVG has no way to say "do not smooth this image" that cairo 1.16 writes,
 * so there every cell is a rectangle, a hair larger than the cell so that
 * viewers show no seams between neighbours. */
static void
heat_draw_cell_rects (cairo_t               *cr,
                      const PbPlotHeatPanel *panel,
                      const PbPlotRect      *cells)
{
  const PbPlotMatrix *m = panel->matrix;
  double cw = cells->width / m->n_cols, ch = cells->height / m->n_rows;

  cairo_save (cr);
  cairo_rectangle (cr, cells->x, cells->y, cells->width, cells->height);
  cairo_clip (cr);
  for (guint r = 0; r < m->n_rows; r++)
    for (guint c = 0; c < m->n_cols; c++)
      {
        PbPlotRgb rgb;

        if (!_pb_plot_heat_color (&panel->bar, pb_plot_matrix_get (m, r, c), &rgb))
          continue;
        _pb_plot_set_rgb (cr, &rgb);
        cairo_rectangle (cr, cells->x + c * cw, cells->y + r * ch, cw + 0.05, ch + 0.05);
        cairo_fill (cr);
      }
  cairo_restore (cr);
}

/* The cells as an image, one pixel per cell, scaled up without smoothing:
 * no seams between cells, and small files. */
static void
heat_draw_cells (cairo_t               *cr,
                 const PbPlotHeatPanel *panel,
                 const PbPlotRect      *cells)
{
  const PbPlotMatrix *m = panel->matrix;
  cairo_surface_t *image;
  int stride;
  unsigned char *pixels;
  cairo_pattern_t *pattern;
  cairo_matrix_t matrix;

  if (cairo_surface_get_type (cairo_get_target (cr)) == CAIRO_SURFACE_TYPE_SVG)
    {
      heat_draw_cell_rects (cr, panel, cells);
      return;
    }

  image = cairo_image_surface_create (CAIRO_FORMAT_ARGB32, m->n_cols, m->n_rows);
  stride = cairo_image_surface_get_stride (image);
  cairo_surface_flush (image);
  pixels = cairo_image_surface_get_data (image);
  for (guint r = 0; r < m->n_rows; r++)
    {
      guint32 *row = (guint32 *) (pixels + (gsize) r * stride);

      for (guint c = 0; c < m->n_cols; c++)
        {
          PbPlotRgb rgb;

          if (_pb_plot_heat_color (&panel->bar, pb_plot_matrix_get (m, r, c), &rgb))
            row[c] = 0xff000000u
                     | ((guint32) lround (CLAMP (rgb.r, 0, 1) * 255) << 16)
                     | ((guint32) lround (CLAMP (rgb.g, 0, 1) * 255) << 8)
                     | (guint32) lround (CLAMP (rgb.b, 0, 1) * 255);
          else
            row[c] = 0;   /* blank: the background shows */
        }
    }
  cairo_surface_mark_dirty (image);

  pattern = cairo_pattern_create_for_surface (image);
  cairo_pattern_set_filter (pattern, CAIRO_FILTER_NEAREST);
  cairo_pattern_set_extend (pattern, CAIRO_EXTEND_PAD);
  cairo_matrix_init_scale (&matrix, m->n_cols / cells->width, m->n_rows / cells->height);
  cairo_matrix_translate (&matrix, -cells->x, -cells->y);
  cairo_pattern_set_matrix (pattern, &matrix);

  cairo_save (cr);
  cairo_rectangle (cr, cells->x, cells->y, cells->width, cells->height);
  cairo_set_source (cr, pattern);
  cairo_fill (cr);
  cairo_restore (cr);

  cairo_pattern_destroy (pattern);
  cairo_surface_destroy (image);
}

/* Cells, cell edges, frame, axes and colour bar; @cells is the cell area. */
void
_pb_plot_heat_draw (cairo_t               *cr,
                    const PbPlotStyle     *style,
                    const PbPlotHeatPanel *panel,
                    const PbPlotRect      *cells)
{
  const PbPlotMatrix *m = panel->matrix;
  PbPlotAxis x, y;

  heat_draw_cells (cr, panel, cells);

  cairo_save (cr);
  _pb_plot_set_rgb (cr, &style->foreground);
  if (panel->cell_edges)
    {
      cairo_set_line_width (cr, MIN (style->axis_width * 0.4,
                                     0.15 * MIN (cells->width / m->n_cols, cells->height / m->n_rows)));
      for (guint c = 1; c < m->n_cols; c++)
        {
          cairo_move_to (cr, cells->x + cells->width * c / m->n_cols, cells->y);
          cairo_rel_line_to (cr, 0, cells->height);
        }
      for (guint r = 1; r < m->n_rows; r++)
        {
          cairo_move_to (cr, cells->x, cells->y + cells->height * r / m->n_rows);
          cairo_rel_line_to (cr, cells->width, 0);
        }
      cairo_stroke (cr);
    }
  cairo_set_line_width (cr, style->axis_width);
  cairo_rectangle (cr, cells->x, cells->y, cells->width, cells->height);
  cairo_stroke (cr);
  cairo_restore (cr);

  _pb_plot_heat_axes (panel, &x, &y);
  x.p0 = cells->x;
  x.p1 = cells->x + cells->width;
  y.p0 = cells->y;
  y.p1 = cells->y + cells->height;
  _pb_plot_axis_draw (cr, style, &x, FALSE, cells->y + cells->height, cells);
  _pb_plot_axis_draw (cr, style, &y, TRUE, cells->x, cells);
  _pb_plot_axis_clear (&x);
  _pb_plot_axis_clear (&y);

  if (!panel->no_color_bar)
    {
      PbPlotRect bar = { cells->x + cells->width, cells->y, 0, cells->height };

      _pb_plot_color_bar_draw (cr, style, &panel->bar, &bar);
    }
}

/* one heat map ---------------------------------------------------------- */

gboolean
pb_plot_heatmap_check (const PbPlotHeatmapData  *data,
                       GError                  **error)
{
  if (data == NULL)
    {
      g_set_error (error, PB_PLOT_ERROR, PB_PLOT_ERROR_INVALID_ARGUMENT, "Heat map has no data");
      return FALSE;
    }
  if (!pb_plot_matrix_check (&data->matrix, error))
    return FALSE;
  if (data->range_fixed &&
      !(isfinite (data->v_min) && isfinite (data->v_max) && data->v_min < data->v_max &&
        (!data->log_scale || data->v_min > 0)))
    {
      g_set_error (error, PB_PLOT_ERROR, PB_PLOT_ERROR_INVALID_ARGUMENT,
                   "Heat map colour range %g … %g is not usable", data->v_min, data->v_max);
      return FALSE;
    }

  return TRUE;
}

static void
heatmap_panel (const PbPlotHeatmapData *data,
               PbPlotHeatPanel         *panel)
{
  *panel = (PbPlotHeatPanel) {
    .matrix = &data->matrix,
    .bar = { .map = data->color_map, .log = data->log_scale, .label = data->value_label },
    .x_label = data->x_label,
    .y_label = data->y_label,
    .cell_edges = data->cell_edges,
  };
  _pb_plot_heat_range (&data->matrix, data->color_map, data->log_scale, data->range_fixed,
                       data->v_min, data->v_max, &panel->bar.lo, &panel->bar.hi);
}

/**
 * pb_plot_heatmap_get_range:
 * @lo: (out): value at the low end of the colour bar
 * @hi: (out): value at the high end
 *
 * Returns: %FALSE when @data cannot be drawn.
 */
gboolean
pb_plot_heatmap_get_range (const PbPlotHeatmapData *data,
                           double                  *lo,
                           double                  *hi)
{
  PbPlotHeatPanel panel;

  if (!pb_plot_heatmap_check (data, NULL))
    return FALSE;
  heatmap_panel (data, &panel);
  *lo = panel.bar.lo;
  *hi = panel.bar.hi;
  return TRUE;
}

/**
 * pb_plot_heatmap_get_cell_color:
 * @rgb: (out): the colour the cell is drawn with
 *
 * Returns: %FALSE when the cell stays blank (NaN, or ≤ 0 on a log scale).
 */
gboolean
pb_plot_heatmap_get_cell_color (const PbPlotHeatmapData *data,
                                guint                    row,
                                guint                    col,
                                PbPlotRgb               *rgb)
{
  PbPlotHeatPanel panel;

  if (!pb_plot_heatmap_check (data, NULL) || row >= data->matrix.n_rows ||
      col >= data->matrix.n_cols)
    return FALSE;
  heatmap_panel (data, &panel);
  return _pb_plot_heat_color (&panel.bar, pb_plot_matrix_get (&data->matrix, row, col), rgb);
}

static double
heatmap_layout (cairo_t                 *cr,
                const PbPlotStyle       *style,
                double                   width,
                double                   height,
                const PbPlotHeatmapData *data,
                PbPlotHeatPanel         *panel,
                PbPlotRect              *cells)
{
  double fs = style->font_size;
  double left, bottom, right, top;

  heatmap_panel (data, panel);
  _pb_plot_heat_margins (cr, style, panel, &left, &bottom, &right);
  top = 0.4 * fs + _pb_plot_title_draw (cr, style, data->title, 0, 0, width - fs, FALSE);
  top += 0.6 * fs;
  cells->x = left;
  cells->y = top;
  cells->width = MAX (width - left - right - 0.5 * fs, 1);
  cells->height = MAX (height - top - bottom, 1);

  return 0.4 * fs;
}

/**
 * pb_plot_heatmap_draw:
 * @cr: where to draw
 * @width: width in user units (px on screen, pt in files)
 * @height: height in user units
 * @data: the matrix and its colour scale
 * @style: (nullable): the look; %NULL for print defaults
 * @error: return location for an error
 *
 * Rows top to bottom, columns left to right, colour bar on the right.
 */
gboolean
pb_plot_heatmap_draw (cairo_t                  *cr,
                      double                    width,
                      double                    height,
                      const PbPlotHeatmapData  *data,
                      const PbPlotStyle        *style,
                      GError                  **error)
{
  g_autoptr(GError) local_error = NULL;
  PbPlotStyle storage;
  PbPlotHeatPanel panel;
  PbPlotRect cells;
  double title_y;

  g_return_val_if_fail (cr != NULL, FALSE);

  style = _pb_plot_style_or_default (style, &storage);
  if (!_pb_plot_check_size (width, height, error))
    return FALSE;
  if (!pb_plot_heatmap_check (data, &local_error))
    {
      _pb_plot_draw_message (cr, style, width, height, local_error->message);
      g_propagate_error (error, g_steal_pointer (&local_error));
      return FALSE;
    }

  cairo_save (cr);
  _pb_plot_paint_background (cr, style, width, height);
  title_y = heatmap_layout (cr, style, width, height, data, &panel, &cells);
  _pb_plot_title_draw (cr, style, data->title, style->font_size / 2, title_y,
                       width - style->font_size, TRUE);
  _pb_plot_heat_draw (cr, style, &panel, &cells);
  cairo_restore (cr);

  return TRUE;
}

static gboolean
heatmap_cells (const PbPlotHeatmapData *data,
               const PbPlotStyle       *style,
               double                   width,
               double                   height,
               PbPlotRect              *cells)
{
  cairo_surface_t *surface;
  PbPlotStyle storage;
  PbPlotHeatPanel panel;
  cairo_t *cr;

  if (!pb_plot_heatmap_check (data, NULL) || !_pb_plot_check_size (width, height, NULL))
    return FALSE;

  style = _pb_plot_style_or_default (style, &storage);
  surface = cairo_image_surface_create (CAIRO_FORMAT_ARGB32, 1, 1);
  cr = cairo_create (surface);
  heatmap_layout (cr, style, width, height, data, &panel, cells);
  cairo_destroy (cr);
  cairo_surface_destroy (surface);

  return TRUE;
}

/**
 * pb_plot_heatmap_hit_test:
 * @row: (out): row under (@x, @y)
 * @col: (out): column under (@x, @y)
 *
 * For a hover read-out: the cell under a point of the figure as drawn at
 * @width × @height.
 *
 * Returns: %TRUE if (@x, @y) lies on a cell.
 */
gboolean
pb_plot_heatmap_hit_test (const PbPlotHeatmapData *data,
                          const PbPlotStyle       *style,
                          double                   width,
                          double                   height,
                          double                   x,
                          double                   y,
                          guint                   *row,
                          guint                   *col)
{
  PbPlotRect cells;
  double fc, fr;

  if (!heatmap_cells (data, style, width, height, &cells))
    return FALSE;

  fc = (x - cells.x) / cells.width * data->matrix.n_cols;
  fr = (y - cells.y) / cells.height * data->matrix.n_rows;
  if (fc < 0 || fr < 0 || fc >= data->matrix.n_cols || fr >= data->matrix.n_rows)
    return FALSE;

  *row = (guint) fr;
  *col = (guint) fc;
  return TRUE;
}

/* Centre of cell (@row, @col) as drawn at @width × @height. */
gboolean
pb_plot_heatmap_get_cell_center (const PbPlotHeatmapData *data,
                                 const PbPlotStyle       *style,
                                 double                   width,
                                 double                   height,
                                 guint                    row,
                                 guint                    col,
                                 double                  *x,
                                 double                  *y)
{
  PbPlotRect cells;

  if (!heatmap_cells (data, style, width, height, &cells) ||
      row >= data->matrix.n_rows || col >= data->matrix.n_cols)
    return FALSE;

  *x = cells.x + (col + 0.5) * cells.width / data->matrix.n_cols;
  *y = cells.y + (row + 0.5) * cells.height / data->matrix.n_rows;
  return TRUE;
}

static void
matrix_csv (PbPlotCsv          *csv,
            const PbPlotMatrix *m,
            const char         *corner)
{
  _pb_plot_csv_field (csv, corner);
  for (guint c = 0; c < m->n_cols; c++)
    {
      char buf[16];

      g_snprintf (buf, sizeof buf, "%u", c);
      _pb_plot_csv_field (csv, buf);
    }
  _pb_plot_csv_end_row (csv);

  for (guint r = 0; r < m->n_rows; r++)
    {
      char buf[16];

      g_snprintf (buf, sizeof buf, "%u", r);
      _pb_plot_csv_field (csv, m->row_labels != NULL && m->row_labels[r] != NULL
                               ? m->row_labels[r] : buf);
      for (guint c = 0; c < m->n_cols; c++)
        _pb_plot_csv_number (csv, pb_plot_matrix_get (m, r, c));
      _pb_plot_csv_end_row (csv);
    }
}

/**
 * pb_plot_heatmap_to_csv:
 *
 * The matrix as drawn: a header `row,0,1,…` and one line per row, starting
 * with the row's label.
 *
 * Returns: (transfer full) (nullable): the CSV text
 */
char *
pb_plot_heatmap_to_csv (const PbPlotHeatmapData  *data,
                        GError                  **error)
{
  PbPlotCsv csv = { NULL, 0 };

  if (!pb_plot_heatmap_check (data, error))
    return NULL;

  csv.text = g_string_new (NULL);
  matrix_csv (&csv, &data->matrix, "row");
  return g_string_free (csv.text, FALSE);
}

/* three panels ---------------------------------------------------------- */

static void
triple_matrices (const PbPlotHeatmapTripleData *data,
                 PbPlotMatrix                   m[3])
{
  const double *values[3] = { data->original, data->perturbation, data->perturbed };

  for (guint i = 0; i < 3; i++)
    m[i] = (PbPlotMatrix) {
      .values = values[i],
      .n_rows = data->n_rows,
      .n_cols = data->n_cols,
      .transposed = data->transposed,
      .row_labels = data->row_labels,
      .col_tick_step = data->col_tick_step,
    };
}

gboolean
pb_plot_heatmap_triple_check (const PbPlotHeatmapTripleData  *data,
                              GError                        **error)
{
  PbPlotMatrix m[3];
  static const char *names[3] = { "original", "perturbation", "perturbed" };

  if (data == NULL)
    {
      g_set_error (error, PB_PLOT_ERROR, PB_PLOT_ERROR_INVALID_ARGUMENT, "Heat maps have no data");
      return FALSE;
    }
  triple_matrices (data, m);
  for (guint i = 0; i < 3; i++)
    if (!pb_plot_matrix_check (&m[i], error))
      {
        g_prefix_error (error, "%s: ", names[i]);
        return FALSE;
      }

  return TRUE;
}

static void
triple_panels (const PbPlotHeatmapTripleData *data,
               const PbPlotMatrix             m[3],
               PbPlotHeatPanel                panels[3])
{
  double lo0, hi0, lo2, hi2;

  for (guint i = 0; i < 3; i++)
    panels[i] = (PbPlotHeatPanel) {
      .matrix = &m[i],
      .bar = { .map = i == 1 ? PB_PLOT_COLOR_MAP_DIVERGING : PB_PLOT_COLOR_MAP_VIRIDIS,
               .label = i == 1 ? "Δ" : "Value" },
      .y_label = data->y_label,
      .x_label = i == 2 ? data->x_label : NULL,
    };

  /* one scale for original and perturbed, so equal colours mean equal values */
  _pb_plot_heat_range (&m[0], PB_PLOT_COLOR_MAP_VIRIDIS, FALSE, FALSE, 0, 0, &lo0, &hi0);
  _pb_plot_heat_range (&m[2], PB_PLOT_COLOR_MAP_VIRIDIS, FALSE, FALSE, 0, 0, &lo2, &hi2);
  panels[0].bar.lo = panels[2].bar.lo = MIN (lo0, lo2);
  panels[0].bar.hi = panels[2].bar.hi = MAX (hi0, hi2);
  _pb_plot_heat_range (&m[1], PB_PLOT_COLOR_MAP_DIVERGING, FALSE, FALSE, 0, 0,
                       &panels[1].bar.lo, &panels[1].bar.hi);
}

/* Cell rectangles of the three stacked panels. */
static void
triple_layout (cairo_t                       *cr,
               const PbPlotStyle             *style,
               double                         width,
               double                         height,
               const PbPlotHeatmapTripleData *data,
               const PbPlotHeatPanel          panels[3],
               PbPlotRect                     cells[3])
{
  double fs = style->font_size;
  double left = 0, right = 0, bottom_last = 0, bottom_ticks = 0, top, sub_h, panel_h;
  PangoLayout *probe;

  for (guint i = 0; i < 3; i++)
    {
      double l, b, r;

      _pb_plot_heat_margins (cr, style, &panels[i], &l, &b, &r);
      left = MAX (left, l);
      right = MAX (right, r);
      if (i == 2)
        bottom_last = b;
      else
        bottom_ticks = MAX (bottom_ticks, b);
    }

  top = 0.4 * fs + _pb_plot_title_draw (cr, style, data->title, 0, 0, width - fs, FALSE);
  if (data->title != NULL && *data->title != '\0')
    top += 0.3 * fs;

  probe = _pb_plot_text_new (cr, style, 1.0, TRUE, "Xg");
  _pb_plot_text_size (probe, NULL, &sub_h);
  g_object_unref (probe);
  sub_h += 0.3 * fs;
  panel_h = MAX ((height - top - 2 * bottom_ticks - bottom_last - 3 * sub_h) / 3, 1);

  for (guint i = 0; i < 3; i++)
    {
      cells[i] = (PbPlotRect) { left, top + sub_h, MAX (width - left - right - 0.5 * fs, 1), panel_h };
      top += sub_h + panel_h + bottom_ticks;
    }
}

/**
 * pb_plot_heatmap_triple_draw:
 *
 * A sample's original values, the perturbation and the perturbed values,
 * stacked, sharing the row labels and column ticks.
 */
gboolean
pb_plot_heatmap_triple_draw (cairo_t                        *cr,
                             double                          width,
                             double                          height,
                             const PbPlotHeatmapTripleData  *data,
                             const PbPlotStyle              *style,
                             GError                        **error)
{
  static const char *default_titles[3] = { "Original", "Perturbation", "Perturbed" };
  g_autoptr(GError) local_error = NULL;
  PbPlotStyle storage;
  PbPlotMatrix m[3];
  PbPlotHeatPanel panels[3];
  PbPlotRect cells[3];
  double fs;

  g_return_val_if_fail (cr != NULL, FALSE);

  style = _pb_plot_style_or_default (style, &storage);
  if (!_pb_plot_check_size (width, height, error))
    return FALSE;
  if (!pb_plot_heatmap_triple_check (data, &local_error))
    {
      _pb_plot_draw_message (cr, style, width, height, local_error->message);
      g_propagate_error (error, g_steal_pointer (&local_error));
      return FALSE;
    }

  fs = style->font_size;
  triple_matrices (data, m);
  triple_panels (data, m, panels);
  triple_layout (cr, style, width, height, data, panels, cells);

  cairo_save (cr);
  _pb_plot_paint_background (cr, style, width, height);
  _pb_plot_title_draw (cr, style, data->title, fs / 2, 0.4 * fs, width - fs, TRUE);
  for (guint i = 0; i < 3; i++)
    {
      const char *subtitle = data->panel_titles[i] != NULL ? data->panel_titles[i]
                                                          : default_titles[i];
      g_autofree char *escaped = g_markup_escape_text (subtitle, -1);
      PangoLayout *layout = _pb_plot_text_new (cr, style, 1.0, TRUE, escaped);

      _pb_plot_set_rgb (cr, &style->foreground);
      _pb_plot_text_show (cr, layout, cells[i].x, cells[i].y - 0.3 * fs, 0, 1, FALSE);
      g_object_unref (layout);
      _pb_plot_heat_draw (cr, style, &panels[i], &cells[i]);
    }
  cairo_restore (cr);

  return TRUE;
}

/**
 * pb_plot_heatmap_triple_hit_test:
 * @panel: (out): 0 original, 1 perturbation, 2 perturbed
 * @row: (out): row under (@x, @y)
 * @col: (out): column under (@x, @y)
 *
 * For a hover read-out over the figure as drawn at @width × @height.
 *
 * Returns: %TRUE if (@x, @y) lies on a cell of one of the panels.
 */
gboolean
pb_plot_heatmap_triple_hit_test (const PbPlotHeatmapTripleData *data,
                                 const PbPlotStyle             *style,
                                 double                         width,
                                 double                         height,
                                 double                         x,
                                 double                         y,
                                 guint                         *panel,
                                 guint                         *row,
                                 guint                         *col)
{
  cairo_surface_t *surface;
  PbPlotStyle storage;
  PbPlotMatrix m[3];
  PbPlotHeatPanel panels[3];
  PbPlotRect cells[3];
  gboolean found = FALSE;
  cairo_t *cr;

  if (!pb_plot_heatmap_triple_check (data, NULL) || !_pb_plot_check_size (width, height, NULL))
    return FALSE;

  style = _pb_plot_style_or_default (style, &storage);
  surface = cairo_image_surface_create (CAIRO_FORMAT_ARGB32, 1, 1);
  cr = cairo_create (surface);
  triple_matrices (data, m);
  triple_panels (data, m, panels);
  triple_layout (cr, style, width, height, data, panels, cells);
  cairo_destroy (cr);
  cairo_surface_destroy (surface);

  for (guint i = 0; i < 3 && !found; i++)
    {
      double fc = (x - cells[i].x) / cells[i].width * data->n_cols;
      double fr = (y - cells[i].y) / cells[i].height * data->n_rows;

      if (fc < 0 || fr < 0 || fc >= data->n_cols || fr >= data->n_rows)
        continue;
      *panel = i;
      *row = (guint) fr;
      *col = (guint) fc;
      found = TRUE;
    }

  return found;
}

/**
 * pb_plot_heatmap_triple_to_csv:
 *
 * Long form, one line per cell: `row,column,original,perturbation,perturbed`.
 *
 * Returns: (transfer full) (nullable): the CSV text
 */
char *
pb_plot_heatmap_triple_to_csv (const PbPlotHeatmapTripleData  *data,
                               GError                        **error)
{
  PbPlotCsv csv = { NULL, 0 };
  PbPlotMatrix m[3];

  if (!pb_plot_heatmap_triple_check (data, error))
    return NULL;

  triple_matrices (data, m);
  csv.text = g_string_new ("row,column,original,perturbation,perturbed\n");
  for (guint r = 0; r < data->n_rows; r++)
    for (guint c = 0; c < data->n_cols; c++)
      {
        char buf[16];

        g_snprintf (buf, sizeof buf, "%u", r);
        _pb_plot_csv_field (&csv, data->row_labels != NULL && data->row_labels[r] != NULL
                                  ? data->row_labels[r] : buf);
        _pb_plot_csv_number (&csv, c);
        for (guint i = 0; i < 3; i++)
          _pb_plot_csv_number (&csv, pb_plot_matrix_get (&m[i], r, c));
        _pb_plot_csv_end_row (&csv);
      }

  return g_string_free (csv.text, FALSE);
}
