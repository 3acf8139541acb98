/* pb-plot-demo.h — built-in demo data for every figure kind, so figures can
 * be checked without a project (`perturb figure demo`, tests).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "pb-plot-figure.h"

G_BEGIN_DECLS

typedef struct _PbPlotDemo PbPlotDemo;

PbPlotDemo         *pb_plot_demo_new        (PbPlotKind  kind);
const PbPlotFigure *pb_plot_demo_get_figure (PbPlotDemo *demo);
void                pb_plot_demo_free       (PbPlotDemo *demo);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (PbPlotDemo, pb_plot_demo_free)

G_END_DECLS
