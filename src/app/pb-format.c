/* pb-format.c — how the workbench shows stored values to people: the project
 * stores UTC ISO 8601 times ("2026-11-23T14:57:31.830Z"); pages show them in
 * local time, to the minute.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "pb-format.h"

/**
 * pb_format_timestamp:
 * @iso8601: (nullable): a stored time, e.g. "2026-11-23T14:57:31.830Z"
 *
 * Returns: (transfer full): the local date and time, "2026-11-23 15:57", the
 *   text as given when it is not ISO 8601, or "" for %NULL
 */
char *
pb_format_timestamp (const char *iso8601)
{
  g_autoptr(GDateTime) utc = NULL;
  g_autoptr(GDateTime) local = NULL;

  if (iso8601 == NULL)
    return g_strdup ("");

  utc = g_date_time_new_from_iso8601 (iso8601, NULL);
  if (utc == NULL)
    return g_strdup (iso8601);

  local = g_date_time_to_local (utc);
  return g_date_time_format (local, "%Y-%m-%d %H:%M");
}
