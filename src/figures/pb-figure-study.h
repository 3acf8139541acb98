/* pb-figure-study.h — a tuning study's trials as history, intermediate-value,
 * slice or parallel-coordinate figures.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "pb-figure.h"
#include "pb-project.h"
#include "pb-study.h"

G_BEGIN_DECLS

PbFigure *pb_figure_new_study  (PbPlotKind      kind,
                                PbSearchSpace  *space,
                                GPtrArray      *trials,
                                gboolean        maximize,
                                const char     *title,
                                const char     *objective_label,
                                const char     *step_label);
PbFigure *pb_figure_load_study (PbProject      *project,
                                PbPlotKind      kind,
                                const char     *storage_location,
                                const char     *study,
                                GError        **error);

G_END_DECLS
