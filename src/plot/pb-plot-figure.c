/* pb-plot-figure.c — dispatch a #PbPlotFigure to its drawing, export and CSV
 * functions.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "pb-plot-figure.h"

static const char *kind_names[PB_PLOT_N_KINDS] = {
  [PB_PLOT_KIND_LINE] = "line",
  [PB_PLOT_KIND_HEATMAP] = "heatmap",
  [PB_PLOT_KIND_HEATMAP_TRIPLE] = "heatmap-triple",
  [PB_PLOT_KIND_SUSCEPTIBILITY] = "susceptibility",
  [PB_PLOT_KIND_HISTORY] = "history",
  [PB_PLOT_KIND_INTERMEDIATE] = "intermediate",
  [PB_PLOT_KIND_SLICE] = "slice",
  [PB_PLOT_KIND_PARALLEL] = "parallel",
  [PB_PLOT_KIND_HISTOGRAM] = "histogram",
  [PB_PLOT_KIND_BARS] = "bars",
};

const char *
pb_plot_kind_to_string (PbPlotKind kind)
{
  if ((guint) kind < PB_PLOT_N_KINDS)
    return kind_names[kind];
  return NULL;
}

gboolean
pb_plot_kind_from_string (const char  *name,
                          PbPlotKind  *kind,
                          GError     **error)
{
  g_autoptr(GString) known = g_string_new (NULL);

  for (guint i = 0; i < PB_PLOT_N_KINDS && name != NULL; i++)
    if (g_str_equal (name, kind_names[i]))
      {
        *kind = (PbPlotKind) i;
        return TRUE;
      }

  for (guint i = 0; i < PB_PLOT_N_KINDS; i++)
    g_string_append_printf (known, "%s%s", i > 0 ? ", " : "", kind_names[i]);
  g_set_error (error, PB_PLOT_ERROR, PB_PLOT_ERROR_INVALID_ARGUMENT,
               "Unknown figure kind “%s” (known: %s)", name != NULL ? name : "", known->str);
  return FALSE;
}

gboolean
pb_plot_figure_check (const PbPlotFigure  *figure,
                      GError             **error)
{
  if (figure == NULL || (guint) figure->kind >= PB_PLOT_N_KINDS)
    {
      g_set_error (error, PB_PLOT_ERROR, PB_PLOT_ERROR_INVALID_ARGUMENT, "Unknown figure kind");
      return FALSE;
    }

  switch (figure->kind)
    {
    case PB_PLOT_KIND_LINE:
      return pb_plot_line_check (figure->data, error);

    case PB_PLOT_KIND_HEATMAP:
      return pb_plot_heatmap_check (figure->data, error);

    case PB_PLOT_KIND_HEATMAP_TRIPLE:
      return pb_plot_heatmap_triple_check (figure->data, error);

    case PB_PLOT_KIND_SUSCEPTIBILITY:
      return pb_plot_susceptibility_check (figure->data, error);

    case PB_PLOT_KIND_HISTORY:
    case PB_PLOT_KIND_SLICE:
    case PB_PLOT_KIND_PARALLEL:
    case PB_PLOT_KIND_INTERMEDIATE:
      {
        g_autofree char *csv = NULL;

        /* each study plot needs something else (values, parameters,
         * intermediate values): its CSV writer runs the same checks */
        csv = pb_plot_figure_to_csv (figure, error);
        return csv != NULL;
      }

    case PB_PLOT_KIND_HISTOGRAM:
      return pb_plot_histogram_check (figure->data, error);

    case PB_PLOT_KIND_BARS:
      return pb_plot_bars_check (figure->data, error);

    default:
      g_assert_not_reached ();
    }
}

/**
 * pb_plot_figure_draw:
 * @figure: the figure
 * @cr: where to draw
 * @width: width in user units (px on screen, pt in files)
 * @height: height in user units
 * @error: return location for an error
 *
 * Returns: %FALSE if the data cannot be drawn (a message is drawn instead).
 */
gboolean
pb_plot_figure_draw (const PbPlotFigure  *figure,
                     cairo_t             *cr,
                     double               width,
                     double               height,
                     GError             **error)
{
  g_return_val_if_fail (figure != NULL, FALSE);
  g_return_val_if_fail (cr != NULL, FALSE);

  switch (figure->kind)
    {
    case PB_PLOT_KIND_LINE:
      return pb_plot_line_draw (cr, width, height, figure->data, figure->style, error);

    case PB_PLOT_KIND_HEATMAP:
      return pb_plot_heatmap_draw (cr, width, height, figure->data, figure->style, error);

    case PB_PLOT_KIND_HEATMAP_TRIPLE:
      return pb_plot_heatmap_triple_draw (cr, width, height, figure->data, figure->style, error);

    case PB_PLOT_KIND_SUSCEPTIBILITY:
      return pb_plot_susceptibility_draw (cr, width, height, figure->data, figure->style, error);

    case PB_PLOT_KIND_HISTORY:
      return pb_plot_history_draw (cr, width, height, figure->data, figure->style, error);

    case PB_PLOT_KIND_INTERMEDIATE:
      return pb_plot_intermediate_draw (cr, width, height, figure->data, figure->style, error);

    case PB_PLOT_KIND_SLICE:
      return pb_plot_slice_draw (cr, width, height, figure->data, figure->style, error);

    case PB_PLOT_KIND_PARALLEL:
      return pb_plot_parallel_draw (cr, width, height, figure->data, figure->style, error);

    case PB_PLOT_KIND_HISTOGRAM:
      return pb_plot_histogram_draw (cr, width, height, figure->data, figure->style, error);

    case PB_PLOT_KIND_BARS:
      return pb_plot_bars_draw (cr, width, height, figure->data, figure->style, error);

    default:
      g_set_error (error, PB_PLOT_ERROR, PB_PLOT_ERROR_INVALID_ARGUMENT, "Unknown figure kind");
      return FALSE;
    }
}

/* A #PbPlotDrawFunc: @figure is a #PbPlotFigure. Errors are drawn, not returned. */
void
pb_plot_figure_draw_func (cairo_t  *cr,
                          double    width,
                          double    height,
                          gpointer  figure)
{
  pb_plot_figure_draw (figure, cr, width, height, NULL);
}

/**
 * pb_plot_figure_export:
 * @figure: the figure
 * @format: PNG, SVG or PDF
 * @path: output file
 * @width_pt: width in points (pb_plot_mm_to_pt() of 89 or 183 mm for journals)
 * @height_pt: height in points
 * @dpi: PNG resolution
 * @error: return location for an error
 *
 * Checks the data first, so that nothing is written for data that cannot
 * be drawn.
 */
gboolean
pb_plot_figure_export (const PbPlotFigure  *figure,
                       PbPlotFormat         format,
                       const char          *path,
                       double               width_pt,
                       double               height_pt,
                       double               dpi,
                       GError             **error)
{
  g_return_val_if_fail (path != NULL, FALSE);

  if ((guint) format > PB_PLOT_FORMAT_PDF)
    {
      g_set_error (error, PB_PLOT_ERROR, PB_PLOT_ERROR_INVALID_ARGUMENT,
                   "Unknown figure format %d", (int) format);
      return FALSE;
    }
  if (!pb_plot_figure_check (figure, error))
    return FALSE;

  return pb_plot_export (pb_plot_figure_draw_func, (gpointer) figure, format, path,
                         width_pt, height_pt, dpi, error);
}

/**
 * pb_plot_figure_to_csv:
 *
 * The figure's data as CSV (see each kind's `_to_csv`).
 *
 * Returns: (transfer full) (nullable): the text, or %NULL with @error set
 */
char *
pb_plot_figure_to_csv (const PbPlotFigure  *figure,
                       GError             **error)
{
  g_return_val_if_fail (figure != NULL, NULL);

  switch (figure->kind)
    {
    case PB_PLOT_KIND_LINE:
      return pb_plot_line_to_csv (figure->data, error);

    case PB_PLOT_KIND_HEATMAP:
      return pb_plot_heatmap_to_csv (figure->data, error);

    case PB_PLOT_KIND_HEATMAP_TRIPLE:
      return pb_plot_heatmap_triple_to_csv (figure->data, error);

    case PB_PLOT_KIND_SUSCEPTIBILITY:
      return pb_plot_susceptibility_to_csv (figure->data, error);

    case PB_PLOT_KIND_HISTORY:
      return pb_plot_history_to_csv (figure->data, error);

    case PB_PLOT_KIND_INTERMEDIATE:
      return pb_plot_intermediate_to_csv (figure->data, error);

    case PB_PLOT_KIND_SLICE:
    case PB_PLOT_KIND_PARALLEL:
      return pb_plot_params_to_csv (figure->data, error);

    case PB_PLOT_KIND_HISTOGRAM:
      return pb_plot_histogram_to_csv (figure->data, error);

    case PB_PLOT_KIND_BARS:
      return pb_plot_bars_to_csv (figure->data, error);

    default:
      g_set_error (error, PB_PLOT_ERROR, PB_PLOT_ERROR_INVALID_ARGUMENT, "Unknown figure kind");
      return NULL;
    }
}

/* Writes pb_plot_figure_to_csv() to @path (replacing it atomically). */
gboolean
pb_plot_figure_write_csv (const PbPlotFigure  *figure,
                          const char          *path,
                          GError             **error)
{
  g_autofree char *csv = NULL;
  g_autoptr(GError) local_error = NULL;

  g_return_val_if_fail (path != NULL, FALSE);

  csv = pb_plot_figure_to_csv (figure, error);
  if (csv == NULL)
    return FALSE;

  if (!g_file_set_contents (path, csv, -1, &local_error))
    {
      g_set_error (error, PB_PLOT_ERROR, PB_PLOT_ERROR_WRITE,
                   "Cannot write CSV %s: %s", path, local_error->message);
      return FALSE;
    }

  return TRUE;
}
