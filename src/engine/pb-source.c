/* pb-source.c — importing MIMIC-III query results into a project: what the
 * queries need, the raw tables, provenance, and the choice of source.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "pb-source-private.h"

#include "pb-error.h"

#include <string.h>

const PbSourceColumn _pb_source_columns[] = {
  { "patients", "subject_id", PB_SOURCE_COLUMN_INTEGER },
  { "patients", "gender", PB_SOURCE_COLUMN_TEXT },
  { "patients", "dob", PB_SOURCE_COLUMN_TIMESTAMP },
  { "patients", "dod", PB_SOURCE_COLUMN_TIMESTAMP },
  { "admissions", "subject_id", PB_SOURCE_COLUMN_INTEGER },
  { "admissions", "hadm_id", PB_SOURCE_COLUMN_INTEGER },
  { "admissions", "admittime", PB_SOURCE_COLUMN_TIMESTAMP },
  { "admissions", "dischtime", PB_SOURCE_COLUMN_TIMESTAMP },
  { "admissions", "hospital_expire_flag", PB_SOURCE_COLUMN_INTEGER },
  { "admissions", "has_chartevents_data", PB_SOURCE_COLUMN_INTEGER },
  { "icustays", "subject_id", PB_SOURCE_COLUMN_INTEGER },
  { "icustays", "hadm_id", PB_SOURCE_COLUMN_INTEGER },
  { "icustays", "icustay_id", PB_SOURCE_COLUMN_INTEGER },
  { "icustays", "intime", PB_SOURCE_COLUMN_TIMESTAMP },
  { "icustays", "outtime", PB_SOURCE_COLUMN_TIMESTAMP },
  { "labevents", "subject_id", PB_SOURCE_COLUMN_INTEGER },
  { "labevents", "hadm_id", PB_SOURCE_COLUMN_INTEGER },
  { "labevents", "itemid", PB_SOURCE_COLUMN_INTEGER },
  { "labevents", "charttime", PB_SOURCE_COLUMN_TIMESTAMP },
  { "labevents", "value", PB_SOURCE_COLUMN_TEXT },
  { "labevents", "valuenum", PB_SOURCE_COLUMN_NUMBER },
  { "chartevents", "icustay_id", PB_SOURCE_COLUMN_INTEGER },
  { "chartevents", "itemid", PB_SOURCE_COLUMN_INTEGER },
  { "chartevents", "charttime", PB_SOURCE_COLUMN_TIMESTAMP },
  { "chartevents", "valuenum", PB_SOURCE_COLUMN_NUMBER },
  { "chartevents", "error", PB_SOURCE_COLUMN_INTEGER },
};
const guint _pb_source_n_columns = G_N_ELEMENTS (_pb_source_columns);

const char *
_pb_source_column_class_name (PbSourceColumnClass klass)
{
  switch (klass)
    {
    case PB_SOURCE_COLUMN_INTEGER:
      return "an integer";

    case PB_SOURCE_COLUMN_NUMBER:
      return "a number";

    case PB_SOURCE_COLUMN_TIMESTAMP:
      return "a timestamp";

    case PB_SOURCE_COLUMN_TEXT:
      return "text";

    default:
      g_assert_not_reached ();
    }
}

void
_pb_source_set_type_error (GError               **error,
                           const char            *schema,
                           const PbSourceColumn  *column,
                           const char            *found_type)
{
  g_set_error (error, PB_ENGINE_ERROR, PB_ENGINE_ERROR_INVALID_DATA,
               "Column %s.%s.%s has type %s; the queries need %s",
               schema, column->table, column->column,
               found_type != NULL && *found_type != '\0' ? found_type : "(none)",
               _pb_source_column_class_name (column->klass));
}

gboolean
_pb_source_clear_raw (sqlite3  *db,
                      GError  **error)
{
  return pb_sqlite_exec (db,
                         "DELETE FROM raw_icustay; DELETE FROM raw_bg;"
                         "DELETE FROM raw_lab; DELETE FROM raw_vital;",
                         error);
}

gboolean
_pb_source_record_import (sqlite3               *db,
                          const char            *kind,
                          const char            *source,
                          const char            *schema,
                          const PbImportCounts  *counts,
                          GError               **error)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;

  stmt = pb_sqlite_prepare (db,
                            "INSERT INTO imports (source_kind, source, schema_name, seconds,"
                            " n_icustays, n_bg, n_lab, n_vital) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                            error);
  if (stmt == NULL)
    return FALSE;

  sqlite3_bind_text (stmt, 1, kind, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 2, source, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 3, schema, -1, SQLITE_STATIC);
  sqlite3_bind_double (stmt, 4, counts->seconds);
  sqlite3_bind_int64 (stmt, 5, counts->icustays);
  sqlite3_bind_int64 (stmt, 6, counts->bg);
  sqlite3_bind_int64 (stmt, 7, counts->lab);
  sqlite3_bind_int64 (stmt, 8, counts->vital);

  return pb_sqlite_check (db, sqlite3_step (stmt), "recording the import", error);
}

/**
 * pb_source_import:
 * @project: an open, writable project
 * @from: `sqlite:FILE`, or a libpq connection string or service name
 * @schema: (nullable): the PostgreSQL schema holding MIMIC-III, default "mimiciii"
 * @counts: (out) (optional): rows imported per query
 * @progress: (nullable): progress callback
 * @cancellable: (nullable): cancels the import; the project is then unchanged
 *
 * Runs the four extraction queries (SPEC §1) against the source and replaces the
 * project's raw tables with their results, in one transaction.
 *
 * Returns: %TRUE on success.
 */
gboolean
pb_source_import (PbProject       *project,
                  const char      *from,
                  const char      *schema,
                  PbImportCounts  *counts,
                  PbProgressFunc   progress,
                  gpointer         progress_data,
                  GCancellable    *cancellable,
                  GError         **error)
{
  g_return_val_if_fail (PB_IS_PROJECT (project), FALSE);
  g_return_val_if_fail (from != NULL, FALSE);

  if (g_str_has_prefix (from, "sqlite:"))
    return pb_source_import_sqlite (project, from + strlen ("sqlite:"), counts,
                                    progress, progress_data, cancellable, error);

  return pb_source_import_postgres (project, from, schema, counts,
                                    progress, progress_data, cancellable, error);
}
