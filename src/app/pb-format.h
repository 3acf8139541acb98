/* pb-format.h — how the workbench shows stored values to people.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

char *pb_format_timestamp (const char *iso8601);

G_END_DECLS
