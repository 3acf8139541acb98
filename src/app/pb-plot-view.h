/* pb-plot-view.h — a widget showing one src/plot figure, with export.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gtk/gtk.h>

#include "pb-plot-figure.h"

G_BEGIN_DECLS

#define PB_TYPE_PLOT_VIEW (pb_plot_view_get_type ())
G_DECLARE_FINAL_TYPE (PbPlotView, pb_plot_view, PB, PLOT_VIEW, GtkWidget)

GtkWidget  *pb_plot_view_new             (void);
void        pb_plot_view_set_figure      (PbPlotView     *self,
                                          PbPlotKind      kind,
                                          gpointer        data,
                                          GDestroyNotify  data_free);
void        pb_plot_view_clear           (PbPlotView     *self);
gboolean    pb_plot_view_has_figure      (PbPlotView     *self);
gboolean    pb_plot_view_export          (PbPlotView     *self,
                                          const char     *path,
                                          double          width_mm,
                                          double          height_mm,
                                          double          dpi,
                                          GError        **error);
const char *pb_plot_view_get_export_name (PbPlotView     *self);
void        pb_plot_view_set_export_name        (PbPlotView     *self,
                                          const char     *name);
double      pb_plot_view_get_export_width_mm (PbPlotView *self);
void        pb_plot_view_set_export_width_mm (PbPlotView *self,
                                              double      width_mm);
double      pb_plot_view_width_for_size  (PbPlotView     *self,
                                          const char     *size);

G_END_DECLS
