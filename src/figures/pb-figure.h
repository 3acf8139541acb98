/* pb-figure.h — one figure of src/plot that owns its data: what the figure
 * loaders return, what a PbPlotView can keep and what an export draws.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

#include "pb-plot-figure.h"

G_BEGIN_DECLS

typedef struct _PbFigure PbFigure;

PbFigure           *pb_figure_new                   (PbPlotKind           kind);
void                pb_figure_free                  (PbFigure            *figure);
PbPlotKind          pb_figure_get_kind              (const PbFigure      *figure);
gconstpointer       pb_figure_get_data              (const PbFigure      *figure);
const PbPlotFigure *pb_figure_get_plot_figure       (const PbFigure      *figure);
const char         *pb_figure_get_caption           (const PbFigure      *figure);
gboolean            pb_figure_export                (const PbFigure      *figure,
                                                     PbPlotFormat         format,
                                                     const char          *path,
                                                     double               width_pt,
                                                     double               height_pt,
                                                     double               dpi,
                                                     GError             **error);
gboolean            pb_figure_write_csv             (const PbFigure      *figure,
                                                     const char          *path,
                                                     GError             **error);
double              pb_figure_get_default_height_mm (PbPlotKind           kind,
                                                     double               width_mm);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (PbFigure, pb_figure_free)

G_END_DECLS
