/* pb-cv-page.h — the Cross-validation page: k folds × epochs of one
 * configuration, per-fold curves and the summary table.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "pb-job.h"
#include "pb-page.h"

G_BEGIN_DECLS

#define PB_TYPE_CV_PAGE (pb_cv_page_get_type ())
G_DECLARE_FINAL_TYPE (PbCvPage, pb_cv_page, PB, CV_PAGE, PbPage)

PbPage     *pb_cv_page_new               (void);
PbJob      *pb_cv_page_get_job           (PbCvPage *self);
GListModel *pb_cv_page_get_summary       (PbCvPage *self);

G_END_DECLS
