/* pb-screenshot.h — render a widget to a PNG file (tests, README, bug reports).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

gboolean pb_screenshot_save_png (GtkWidget   *widget,
                                 const char  *path,
                                 GError     **error);

G_END_DECLS
