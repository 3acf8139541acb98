/* pb-plot-export.c — write any figure to PNG, SVG or PDF.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "pb-plot.h"

#include <cairo-pdf.h>
#include <cairo-svg.h>
#include <math.h>
#include <string.h>

G_DEFINE_QUARK (pb-plot-error-quark, pb_plot_error)

gboolean
pb_plot_format_from_string (const char    *name,
                            PbPlotFormat  *format,
                            GError       **error)
{
  if (g_ascii_strcasecmp (name, "png") == 0)
    *format = PB_PLOT_FORMAT_PNG;
  else if (g_ascii_strcasecmp (name, "svg") == 0)
    *format = PB_PLOT_FORMAT_SVG;
  else if (g_ascii_strcasecmp (name, "pdf") == 0)
    *format = PB_PLOT_FORMAT_PDF;
  else
    {
      g_set_error (error, PB_PLOT_ERROR, PB_PLOT_ERROR_INVALID_ARGUMENT,
                   "Unknown figure format “%s” (use png, svg or pdf)", name);
      return FALSE;
    }

  return TRUE;
}

/* The format a file name asks for; PNG when the suffix says nothing. */
PbPlotFormat
pb_plot_format_from_path (const char *path)
{
  const char *dot = strrchr (path, '.');
  PbPlotFormat format = PB_PLOT_FORMAT_PNG;

  if (dot != NULL)
    pb_plot_format_from_string (dot + 1, &format, NULL);

  return format;
}

double
pb_plot_mm_to_pt (double mm)
{
  return mm * 72.0 / 25.4;
}

/**
 * pb_plot_export:
 * @draw: (scope call): the figure
 * @user_data: its data
 * @format: file format
 * @path: output file
 * @width_pt: width in points (1/72 in)
 * @height_pt: height in points
 * @dpi: resolution of PNG files; ignored for SVG and PDF
 * @error: return location for an error
 *
 * Returns: %TRUE if the file was written completely.
 */
gboolean
pb_plot_export (PbPlotDrawFunc   draw,
                gpointer         user_data,
                PbPlotFormat     format,
                const char      *path,
                double           width_pt,
                double           height_pt,
                double           dpi,
                GError         **error)
{
  cairo_surface_t *surface = NULL;
  cairo_status_t status;
  cairo_t *cr;

  g_return_val_if_fail (draw != NULL, FALSE);
  g_return_val_if_fail (path != NULL, FALSE);

  if (!(width_pt >= 1 && height_pt >= 1 && width_pt <= 14400 && height_pt <= 14400))
    {
      g_set_error (error, PB_PLOT_ERROR, PB_PLOT_ERROR_INVALID_ARGUMENT,
                   "Figure size %.1f × %.1f pt is out of range (1–14400 pt)",
                   width_pt, height_pt);
      return FALSE;
    }

  if (format == PB_PLOT_FORMAT_PNG && !(dpi >= 10 && dpi <= 2400))
    {
      g_set_error (error, PB_PLOT_ERROR, PB_PLOT_ERROR_INVALID_ARGUMENT,
                   "Resolution %.0f dpi is out of range (10–2400)", dpi);
      return FALSE;
    }

  switch (format)
    {
    case PB_PLOT_FORMAT_PDF:
      surface = cairo_pdf_surface_create (path, width_pt, height_pt);
      if (cairo_surface_status (surface) == CAIRO_STATUS_SUCCESS)
        cairo_pdf_surface_set_metadata (surface, CAIRO_PDF_METADATA_CREATOR,
                                        "Perturb " PACKAGE_VERSION);
      break;

    case PB_PLOT_FORMAT_SVG:
      surface = cairo_svg_surface_create (path, width_pt, height_pt);
      break;

    case PB_PLOT_FORMAT_PNG:
    default:
      surface = cairo_image_surface_create (CAIRO_FORMAT_ARGB32,
                                            (int) ceil (width_pt * dpi / 72.0),
                                            (int) ceil (height_pt * dpi / 72.0));
      break;
    }

  status = cairo_surface_status (surface);
  if (status != CAIRO_STATUS_SUCCESS)
    {
      g_set_error (error, PB_PLOT_ERROR, PB_PLOT_ERROR_WRITE,
                   "Cannot write figure %s: %s", path, cairo_status_to_string (status));
      cairo_surface_destroy (surface);
      return FALSE;
    }

  cr = cairo_create (surface);
  if (format == PB_PLOT_FORMAT_PNG)
    {
      cairo_scale (cr, dpi / 72.0, dpi / 72.0);
      cairo_set_source_rgb (cr, 1, 1, 1);
      cairo_paint (cr);
    }
  draw (cr, width_pt, height_pt, user_data);
  cairo_show_page (cr);
  status = cairo_status (cr);
  cairo_destroy (cr);

  if (status == CAIRO_STATUS_SUCCESS && format == PB_PLOT_FORMAT_PNG)
    status = cairo_surface_write_to_png (surface, path);

  cairo_surface_finish (surface);
  if (status == CAIRO_STATUS_SUCCESS)
    status = cairo_surface_status (surface);
  cairo_surface_destroy (surface);

  if (status != CAIRO_STATUS_SUCCESS)
    {
      g_set_error (error, PB_PLOT_ERROR, PB_PLOT_ERROR_WRITE,
                   "Cannot write figure %s: %s", path, cairo_status_to_string (status));
      return FALSE;
    }

  return TRUE;
}
