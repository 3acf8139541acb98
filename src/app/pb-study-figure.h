/* pb-study-figure.h — a study's trials as the data of a src/plot study figure.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "pb-plot-study.h"
#include "pb-study.h"

G_BEGIN_DECLS

PbPlotStudyData *pb_study_figure_new  (PbSearchSpace *space,
                                       GPtrArray     *trials,
                                       gboolean       maximize,
                                       const char    *title,
                                       const char    *objective_label,
                                       const char    *step_label);
void             pb_study_figure_free (PbPlotStudyData *data);

G_END_DECLS
