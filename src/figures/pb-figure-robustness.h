/* pb-figure-robustness.h — the Analysis page's figures beside the attack: a
 * stored attribution map (mean |attribution| per feature × hour) and a stored
 * FGSM robustness curve (accuracy and AUC against ε).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "pb-attribution.h"
#include "pb-fgsm.h"
#include "pb-figure.h"
#include "pb-project.h"

G_BEGIN_DECLS

PbFigure *pb_figure_new_attribution  (const PbFeatureHourMatrix  *matrix,
                                      char * const               *feature_names,
                                      const char                 *title);
PbFigure *pb_figure_load_attribution (PbProject                  *project,
                                      gint64                      attribution_id,
                                      GError                    **error);
PbFigure *pb_figure_new_fgsm         (const PbFgsmResult         *result,
                                      const char                 *title);
PbFigure *pb_figure_load_fgsm        (PbProject                  *project,
                                      gint64                      fgsm_id,
                                      GError                    **error);

G_END_DECLS
