/* pb-start-view.h — what the window shows with no project open.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <adwaita.h>

G_BEGIN_DECLS

#define PB_TYPE_START_VIEW (pb_start_view_get_type ())
G_DECLARE_FINAL_TYPE (PbStartView, pb_start_view, PB, START_VIEW, AdwBin)

GSettings *pb_start_view_get_settings (PbStartView *self);
void       pb_start_view_set_settings (PbStartView *self,
                                       GSettings   *settings);

G_END_DECLS
