/* pb-overview-page.h — what the open project holds.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "pb-page.h"

G_BEGIN_DECLS

#define PB_TYPE_OVERVIEW_PAGE (pb_overview_page_get_type ())
G_DECLARE_FINAL_TYPE (PbOverviewPage, pb_overview_page, PB, OVERVIEW_PAGE, PbPage)

PbPage *pb_overview_page_new (void);

G_END_DECLS
