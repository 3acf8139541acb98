/* pb-figure.c — PbFigure: a src/plot figure that owns what its data points to.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "pb-figure-private.h"

typedef struct
{
  gpointer       data;
  GDestroyNotify destroy;
} Owned;

static void
owned_clear (gpointer item)
{
  Owned *owned = item;

  if (owned->data != NULL && owned->destroy != NULL)
    owned->destroy (owned->data);
}

/**
 * pb_figure_new:
 * @kind: the figure
 *
 * An empty figure of @kind; the loaders of src/figures fill it.
 *
 * Returns: (transfer full): a new figure; free with pb_figure_free()
 */
PbFigure *
pb_figure_new (PbPlotKind kind)
{
  PbFigure *figure;

  g_return_val_if_fail (kind < PB_PLOT_N_KINDS, NULL);

  figure = g_new0 (PbFigure, 1);
  figure->kind = kind;
  figure->plot.kind = kind;
  figure->plot.data = &figure->data;
  figure->plot.style = NULL;
  figure->owned = g_array_new (FALSE, FALSE, sizeof (Owned));
  g_array_set_clear_func (figure->owned, owned_clear);
  return figure;
}

/**
 * pb_figure_free:
 * @figure: (nullable): a figure
 *
 * Frees @figure's data and everything it borrows.
 */
void
pb_figure_free (PbFigure *figure)
{
  if (figure == NULL)
    return;
  g_array_unref (figure->owned);
  g_free (figure->caption);
  g_free (figure);
}

PbPlotKind
pb_figure_get_kind (const PbFigure *figure)
{
  g_return_val_if_fail (figure != NULL, PB_PLOT_KIND_LINE);

  return figure->kind;
}

/**
 * pb_figure_get_data:
 *
 * Returns: (transfer none): the figure's data struct (see #PbPlotKind). It is
 *   the figure itself: pb_plot_view_set_figure (view, kind, figure,
 *   (GDestroyNotify) pb_figure_free) hands the figure over to a view.
 */
gconstpointer
pb_figure_get_data (const PbFigure *figure)
{
  g_return_val_if_fail (figure != NULL, NULL);

  return &figure->data;
}

/**
 * pb_figure_get_plot_figure:
 *
 * Returns: (transfer none): the figure as src/plot draws, exports and writes
 *   it as CSV, with the print style
 */
const PbPlotFigure *
pb_figure_get_plot_figure (const PbFigure *figure)
{
  g_return_val_if_fail (figure != NULL, NULL);

  return &figure->plot;
}

/**
 * pb_figure_get_caption:
 *
 * Returns: (nullable): one line about what the figure shows (which stay, how
 *   many examples, …), for a page's description or a command's output
 */
const char *
pb_figure_get_caption (const PbFigure *figure)
{
  g_return_val_if_fail (figure != NULL, NULL);

  return figure->caption;
}

/**
 * pb_figure_export:
 *
 * pb_plot_figure_export() of pb_figure_get_plot_figure(): PNG, SVG or PDF at
 * @width_pt × @height_pt (@dpi for PNG).
 *
 * Returns: %TRUE, or %FALSE with @error set (%PB_PLOT_ERROR)
 */
gboolean
pb_figure_export (const PbFigure  *figure,
                  PbPlotFormat     format,
                  const char      *path,
                  double           width_pt,
                  double           height_pt,
                  double           dpi,
                  GError         **error)
{
  g_return_val_if_fail (figure != NULL, FALSE);

  return pb_plot_figure_export (&figure->plot, format, path, width_pt, height_pt, dpi, error);
}

/**
 * pb_figure_write_csv:
 *
 * Writes the figure's data as CSV (pb_plot_figure_write_csv()).
 *
 * Returns: %TRUE, or %FALSE with @error set
 */
gboolean
pb_figure_write_csv (const PbFigure  *figure,
                     const char      *path,
                     GError         **error)
{
  g_return_val_if_fail (figure != NULL, FALSE);

  return pb_plot_figure_write_csv (&figure->plot, path, error);
}

/**
 * pb_figure_get_default_height_mm:
 *
 * Returns: a height that suits @kind at @width_mm (three stacked panels are
 *   tall, a line plot is wide)
 */
double
pb_figure_get_default_height_mm (PbPlotKind kind,
                                 double     width_mm)
{
  switch (kind)
    {
    case PB_PLOT_KIND_HEATMAP_TRIPLE:
      return width_mm * 1.15;

    case PB_PLOT_KIND_HEATMAP:
    case PB_PLOT_KIND_SUSCEPTIBILITY:
      return width_mm * 0.62;

    case PB_PLOT_KIND_SLICE:
      return width_mm * 0.85;

    case PB_PLOT_KIND_LINE:
    case PB_PLOT_KIND_HISTORY:
    case PB_PLOT_KIND_INTERMEDIATE:
    case PB_PLOT_KIND_PARALLEL:
    case PB_PLOT_KIND_HISTOGRAM:
    case PB_PLOT_KIND_BARS:
    default:
      return width_mm * 0.72;
    }
}

/* Hands @data to @figure, which frees it with @destroy; returns @data. */
gpointer
_pb_figure_take (PbFigure       *figure,
                 gpointer        data,
                 GDestroyNotify  destroy)
{
  Owned owned = { data, destroy };

  if (data != NULL)
    g_array_append_val (figure->owned, owned);
  return data;
}

const char *
_pb_figure_take_string (PbFigure *figure,
                        char     *string)
{
  return _pb_figure_take (figure, string, g_free);
}

void
_pb_figure_set_caption (PbFigure *figure,
                        char     *caption)
{
  g_free (figure->caption);
  figure->caption = caption;
}

/* @names when there are @n of them, otherwise %NULL (the plot numbers rows). */
char **
_pb_figure_dup_row_labels (char * const *names,
                           guint         n)
{
  if (names == NULL || g_strv_length ((char **) names) != n)
    return NULL;
  return g_strdupv ((char **) names);
}
