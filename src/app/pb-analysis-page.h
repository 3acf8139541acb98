/* pb-analysis-page.h — the Analysis page: susceptibility maps of an attack run
 * by example kind and original class, success and sparsity charts, the summary
 * table, attribution maps and the FGSM robustness curve, each exportable.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "pb-job.h"
#include "pb-page.h"

G_BEGIN_DECLS

#define PB_TYPE_ANALYSIS_PAGE (pb_analysis_page_get_type ())
G_DECLARE_FINAL_TYPE (PbAnalysisPage, pb_analysis_page, PB, ANALYSIS_PAGE, PbPage)

PbPage     *pb_analysis_page_new             (void);
PbJob      *pb_analysis_page_get_job         (PbAnalysisPage *self);
PbJob      *pb_analysis_page_get_load_job    (PbAnalysisPage *self);
GListModel *pb_analysis_page_get_summary     (PbAnalysisPage *self);
gboolean    pb_analysis_page_export_summary  (PbAnalysisPage *self,
                                              const char     *path,
                                              GError        **error);

G_END_DECLS
