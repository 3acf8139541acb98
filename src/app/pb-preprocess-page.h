/* pb-preprocess-page.h — the Preprocess page: parameters, a run, per-stage
 * counts and a preview of the sequences.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "pb-job.h"
#include "pb-page.h"
#include "pb-plot-view.h"

G_BEGIN_DECLS

#define PB_TYPE_PREPROCESS_PAGE (pb_preprocess_page_get_type ())
G_DECLARE_FINAL_TYPE (PbPreprocessPage, pb_preprocess_page, PB, PREPROCESS_PAGE, PbPage)

PbPage     *pb_preprocess_page_new              (void);
PbJob      *pb_preprocess_page_get_job          (PbPreprocessPage *self);
PbJob      *pb_preprocess_page_get_preview_job  (PbPreprocessPage *self);
void        pb_preprocess_page_get_params       (PbPreprocessPage   *self,
                                                 PbPreprocessParams *params);
void        pb_preprocess_page_set_params       (PbPreprocessPage         *self,
                                                 const PbPreprocessParams *params);
const char *pb_preprocess_page_get_status       (PbPreprocessPage *self);
guint       pb_preprocess_page_get_n_stages     (PbPreprocessPage *self);
guint       pb_preprocess_page_get_n_sequences  (PbPreprocessPage *self);
guint       pb_preprocess_page_get_n_previews   (PbPreprocessPage *self);
void        pb_preprocess_page_select_preview   (PbPreprocessPage *self,
                                                 guint             index);
PbPlotView *pb_preprocess_page_get_plot         (PbPreprocessPage *self);

G_END_DECLS
