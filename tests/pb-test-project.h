/* pb-test-project.h — reading a project file back in tests (header-only).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>
#include <sqlite3.h>

#include "pb-project.h"

/* The integer in the first column of the first row of @sql, which must give a
 * row (a count, a max). */
static inline gint64
pb_test_query_int (PbProject  *project,
                   const char *sql)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;
  g_autoptr(GError) error = NULL;

  stmt = pb_sqlite_prepare (pb_project_get_db (project), sql, &error);
  g_assert_no_error (error);
  g_assert_nonnull (stmt);
  g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
  return sqlite3_column_int64 (stmt, 0);
}
