/* pb-plot.h — figures: one drawing function per figure, every surface.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <cairo.h>
#include <glib.h>

G_BEGIN_DECLS

#define PB_PLOT_ERROR (pb_plot_error_quark ())

typedef enum
{
  PB_PLOT_ERROR_FAILED,
  PB_PLOT_ERROR_INVALID_ARGUMENT,
  PB_PLOT_ERROR_WRITE,
} PbPlotError;

typedef enum
{
  PB_PLOT_FORMAT_PNG,
  PB_PLOT_FORMAT_SVG,
  PB_PLOT_FORMAT_PDF,
} PbPlotFormat;

/* Journal figure widths in millimetres */
#define PB_PLOT_WIDTH_SINGLE_COLUMN_MM  89.0
#define PB_PLOT_WIDTH_DOUBLE_COLUMN_MM 183.0

/**
 * PbPlotDrawFunc:
 * @cr: where to draw; user units are px on screen and pt in files
 * @width: width in user units
 * @height: height in user units
 * @user_data: the figure's data and style
 *
 * Draws one figure. The same function draws on screen and into files.
 */
typedef void (*PbPlotDrawFunc) (cairo_t  *cr,
                                double    width,
                                double    height,
                                gpointer  user_data);

GQuark       pb_plot_error_quark        (void);
gboolean     pb_plot_format_from_string (const char      *name,
                                         PbPlotFormat    *format,
                                         GError         **error);
PbPlotFormat pb_plot_format_from_path   (const char      *path);
double       pb_plot_mm_to_pt           (double           mm);
gboolean     pb_plot_export             (PbPlotDrawFunc   draw,
                                         gpointer         user_data,
                                         PbPlotFormat     format,
                                         const char      *path,
                                         double           width_pt,
                                         double           height_pt,
                                         double           dpi,
                                         GError         **error);

G_END_DECLS
