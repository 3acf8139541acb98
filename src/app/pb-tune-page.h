/* pb-tune-page.h — the Tune page: a hyperparameter study of the classifier.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "pb-job.h"
#include "pb-page.h"

G_BEGIN_DECLS

#define PB_TYPE_TUNE_PAGE (pb_tune_page_get_type ())
G_DECLARE_FINAL_TYPE (PbTunePage, pb_tune_page, PB, TUNE_PAGE, PbPage)

PbPage     *pb_tune_page_new             (void);
PbJob      *pb_tune_page_get_job         (PbTunePage *self);
GListModel *pb_tune_page_get_trials      (PbTunePage *self);

G_END_DECLS
