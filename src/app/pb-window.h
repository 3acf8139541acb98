/* pb-window.h — the workbench window: start view or one open project.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <adwaita.h>

#include "pb-engine.h"

G_BEGIN_DECLS

#define PB_TYPE_WINDOW (pb_window_get_type ())
G_DECLARE_FINAL_TYPE (PbWindow, pb_window, PB, WINDOW, AdwApplicationWindow)

PbWindow  *pb_window_new             (AdwApplication  *application,
                                      GSettings       *settings);
gboolean   pb_window_open_project    (PbWindow        *self,
                                      const char      *path);
gboolean   pb_window_create_project  (PbWindow        *self,
                                      const char      *path);
void       pb_window_close_project   (PbWindow        *self);
PbProject *pb_window_get_project     (PbWindow        *self);
gboolean   pb_window_select_page     (PbWindow        *self,
                                      const char      *name);
void       pb_window_show_toast      (PbWindow        *self,
                                      const char      *message);

G_END_DECLS
