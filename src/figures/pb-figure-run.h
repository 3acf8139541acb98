/* pb-figure-run.h — training curves: loss or AUC per epoch of one training
 * run, or of every fold of a cross-validation.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "pb-cv.h"
#include "pb-figure.h"
#include "pb-project.h"

G_BEGIN_DECLS

/**
 * PbFigureCurve:
 * @PB_FIGURE_CURVE_LOSS: validation loss (solid) and training loss (dashed)
 * @PB_FIGURE_CURVE_AUC: validation AUC
 */
typedef enum
{
  PB_FIGURE_CURVE_LOSS,
  PB_FIGURE_CURVE_AUC,
} PbFigureCurve;

const char *pb_figure_curve_to_string   (PbFigureCurve      curve);
gboolean    pb_figure_curve_from_string (const char        *name,
                                         PbFigureCurve     *curve,
                                         GError           **error);

PbFigure   *pb_figure_new_cv            (const PbCvResult  *result,
                                         PbFigureCurve      curve);
PbFigure   *pb_figure_load_cv           (PbProject         *project,
                                         gint64             cv_id,
                                         PbFigureCurve      curve,
                                         GError           **error);
PbFigure   *pb_figure_load_run          (PbProject         *project,
                                         gint64             run_id,
                                         PbFigureCurve      curve,
                                         GError           **error);

G_END_DECLS
