/* pb-preferences-window.h — the workbench's preferences: compute backend and
 * figure export width, kept in GSettings.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <adwaita.h>

G_BEGIN_DECLS

#define PB_TYPE_PREFERENCES_WINDOW (pb_preferences_window_get_type ())
G_DECLARE_FINAL_TYPE (PbPreferencesWindow, pb_preferences_window, PB, PREFERENCES_WINDOW,
                      AdwPreferencesWindow)

PbPreferencesWindow *pb_preferences_window_new   (GSettings  *settings);
void                 pb_preferences_apply_backend (GSettings  *settings,
                                                   char      **message);

G_END_DECLS
