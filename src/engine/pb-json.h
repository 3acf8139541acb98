/* pb-json.h — JSON text that parses back, whatever the numbers.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <json-glib/json-glib.h>

G_BEGIN_DECLS

char *pb_json_to_string     (JsonNode *root,
                             gboolean  pretty);
char *pb_json_format_double (char     *buf,
                             gsize     size,
                             double    v);

G_END_DECLS
