/* pb-source-connect.c — what an interactive front end needs around an import.
 *
 * A workbench asks for a PostgreSQL password only when the server wants one:
 * pb_source_probe_postgres() connects once and says so (libpq's
 * PQconnectionNeedsPassword), and pb_source_conninfo_with_password() builds the
 * key/value connection string that carries the password to PQconnectdb for one
 * connection. That string lives in memory only: it is wiped by
 * pb_source_secret_free(), never stored, and the messages here name host,
 * database and user only.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "pb-source-connect.h"

#include "pb-error.h"
#include "pb-source-private.h"

#include <glib/gstdio.h>
#include <string.h>

static void
wipe (char *secret)
{
  volatile char *p = secret;

  if (secret == NULL)
    return;
  while (*p != '\0')
    *p++ = '\0';
}

/**
 * pb_source_secret_free:
 * @secret: (nullable) (transfer full): a string that may hold a password
 *
 * Overwrites @secret with zeros, then frees it.
 */
void
pb_source_secret_free (char *secret)
{
  wipe (secret);
  g_free (secret);
}

static void
append_value (GString    *s,
              const char *keyword,
              const char *value)
{
  if (s->len > 0)
    g_string_append_c (s, ' ');
  g_string_append (s, keyword);
  g_string_append (s, "='");
  for (const char *p = value; *p != '\0'; p++)
    {
      if (*p == '\'' || *p == '\\')
        g_string_append_c (s, '\\');
      g_string_append_c (s, *p);
    }
  g_string_append_c (s, '\'');
}

/**
 * pb_source_conninfo_with_password:
 * @conninfo: a libpq connection string, URI or "service=NAME"
 * @password: (nullable): the password for this connection; %NULL or empty
 *   leaves the password to libpq (PGPASSFILE, service file)
 * @error: return location for an error
 *
 * Returns: (transfer full) (nullable): @conninfo as key='value' pairs with the
 *   password added; free it with pb_source_secret_free()
 */
char *
pb_source_conninfo_with_password (const char  *conninfo,
                                  const char  *password,
                                  GError     **error)
{
  PQconninfoOption *options;
  gboolean with_password = password != NULL && *password != '\0';
  GString *s;

  g_return_val_if_fail (conninfo != NULL, NULL);

  options = _pb_pg_parse_conninfo (conninfo, error);
  if (options == NULL)
    return NULL;

  /* sized once (escaping at most doubles a value), so no reallocation leaves a
   * copy of the password behind in freed memory */
  s = g_string_sized_new (2 * strlen (conninfo) + (with_password ? 2 * strlen (password) : 0) + 256);
  for (PQconninfoOption *opt = options; opt->keyword != NULL; opt++)
    {
      if (opt->val == NULL || (with_password && g_str_equal (opt->keyword, "password")))
        continue;
      append_value (s, opt->keyword, opt->val);
    }
  if (with_password)
    append_value (s, "password", password);

  for (PQconninfoOption *opt = options; opt->keyword != NULL; opt++)
    if (opt->val != NULL && g_str_equal (opt->keyword, "password"))
      wipe (opt->val);
  PQconninfoFree (options);

  return g_string_free (s, FALSE);
}

void
pb_source_probe_clear (PbSourceProbe *probe)
{
  g_clear_pointer (&probe->server_version, g_free);
  g_clear_pointer (&probe->description, g_free);
}

static void
set_connect_error (GError        **error,
                   PGconn         *conn,
                   PbSourceProbe  *probe)
{
  const char *msg = PQerrorMessage (conn);
  g_autofree char *message = _pb_pg_first_line (msg);
  const char *where = probe->description;

  if (PQconnectionNeedsPassword (conn))
    {
      probe->needs_password = TRUE;
      g_set_error (error, PB_ENGINE_ERROR, PB_ENGINE_ERROR_CONNECTION,
                   "The PostgreSQL server needs a password (%s)", where);
    }
  else if (PQconnectionUsedPassword (conn) &&
           (_pb_pg_message_says (msg, "password authentication failed") ||
            _pb_pg_message_says (msg, "authentication failed")))
    {
      probe->password_rejected = TRUE;
      g_set_error (error, PB_ENGINE_ERROR, PB_ENGINE_ERROR_CONNECTION,
                   "The PostgreSQL server refused the password (%s)", where);
    }
  else if (_pb_pg_message_says (msg, "authentication failed") ||
           (_pb_pg_message_says (msg, "role") && _pb_pg_message_says (msg, "does not exist")) ||
           _pb_pg_message_says (msg, "no pg_hba.conf entry"))
    g_set_error (error, PB_ENGINE_ERROR, PB_ENGINE_ERROR_CONNECTION,
                 "Authentication failed (%s): %s", where, message);
  else if (_pb_pg_message_says (msg, "database") && _pb_pg_message_says (msg, "does not exist"))
    g_set_error (error, PB_ENGINE_ERROR, PB_ENGINE_ERROR_NOT_FOUND,
                 "Database not found (%s): %s", where, message);
  else if (_pb_pg_message_says (msg, "service") && _pb_pg_message_says (msg, "not found"))
    g_set_error (error, PB_ENGINE_ERROR, PB_ENGINE_ERROR_NOT_FOUND,
                 "PostgreSQL service not found: %s", message);
  else
    g_set_error (error, PB_ENGINE_ERROR, PB_ENGINE_ERROR_CONNECTION,
                 "PostgreSQL server unreachable (%s): %s", where, message);
}

/**
 * pb_source_probe_postgres:
 * @conninfo: a libpq connection string, URI or "service=NAME"
 * @password: (nullable): a password for this connection only
 * @schema: (nullable): the schema to look for, default "mimiciii"
 * @probe: (out caller-allocates): what was found; clear it with
 *   pb_source_probe_clear(), also after a failure
 * @error: return location for an error
 *
 * Connects once. When the server asks for a password that libpq could not
 * find, fails with @probe->needs_password set; when it refused one, with
 * @probe->password_rejected set. A missing schema is not an error
 * (@probe->schema_found says it).
 *
 * Returns: %TRUE if the server accepted the connection
 */
gboolean
pb_source_probe_postgres (const char     *conninfo,
                          const char     *password,
                          const char     *schema,
                          PbSourceProbe  *probe,
                          GError        **error)
{
  g_autoptr(PGconn) conn = NULL;
  g_autoptr(PGresult) res = NULL;
  const char *values[1];
  const char *version;
  char *full;

  g_return_val_if_fail (conninfo != NULL, FALSE);
  g_return_val_if_fail (probe != NULL, FALSE);

  memset (probe, 0, sizeof *probe);
  if (schema == NULL || *schema == '\0')
    schema = "mimiciii";

  full = pb_source_conninfo_with_password (conninfo, password, error);
  if (full == NULL)
    return FALSE;
  conn = PQconnectdb (full);
  pb_source_secret_free (full);
  if (conn == NULL)
    {
      g_set_error (error, PB_ENGINE_ERROR, PB_ENGINE_ERROR_FAILED, "Out of memory");
      return FALSE;
    }

  probe->description = _pb_pg_dup_description (conn);
  if (PQstatus (conn) != CONNECTION_OK)
    {
      set_connect_error (error, conn, probe);
      return FALSE;
    }

  version = PQparameterStatus (conn, "server_version");
  probe->server_version = _pb_pg_first_line (version != NULL ? version : "");

  values[0] = schema;
  res = PQexecParams (conn, "SELECT 1 FROM pg_catalog.pg_namespace WHERE nspname = $1",
                      1, NULL, values, NULL, NULL, 0);
  if (PQresultStatus (res) != PGRES_TUPLES_OK)
    {
      _pb_pg_set_error (error, conn, "looking for the schema");
      return FALSE;
    }
  probe->schema_found = PQntuples (res) > 0;

  return TRUE;
}

/* ---- synthetic cohort -------------------------------------------------------- */

typedef struct
{
  PbProgressFunc progress;
  gpointer       progress_data;
  double         offset;
  double         scale;
} ScaledProgress;

static void
scaled_progress (double         fraction,
                 const char    *message,
                 gconstpointer  details,
                 gpointer       user_data)
{
  ScaledProgress *sp = user_data;

  if (sp->progress != NULL)
    sp->progress (fraction < 0 ? fraction : sp->offset + sp->scale * fraction,
                  message, details, sp->progress_data);
}

static void
remove_dir (const char *dir)
{
  g_autoptr(GDir) d = g_dir_open (dir, 0, NULL);
  const char *name;

  if (d == NULL)
    return;
  while ((name = g_dir_read_name (d)) != NULL)
    {
      g_autofree char *path = g_build_filename (dir, name, NULL);

      g_unlink (path);
    }
  g_rmdir (dir);
}

static gboolean
record_synthetic_source (PbProject            *project,
                         const PbSynthParams  *params,
                         GError              **error)
{
  sqlite3 *db = pb_project_get_db (project);
  g_autoptr(sqlite3_stmt) stmt = NULL;
  g_autofree char *source = g_strdup_printf ("synthetic cohort: %u ICU stays, seed %" G_GUINT64_FORMAT,
                                             params->n_stays, params->seed);

  stmt = pb_sqlite_prepare (db,
                            "UPDATE imports SET source = ?1"
                            " WHERE import_id = (SELECT max (import_id) FROM imports)",
                            error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_text (stmt, 1, source, -1, SQLITE_STATIC);

  return pb_sqlite_check (db, sqlite3_step (stmt), "recording the import", error);
}

/**
 * pb_source_import_synthetic:
 * @project: an open, writable project
 * @params: the cohort (size and seed)
 * @counts: (out) (optional): rows per raw table
 * @progress: (nullable): progress callback, 0…1 over both steps
 * @cancellable: (nullable): cancels; the project is then unchanged
 * @error: return location for an error
 *
 * Writes the synthetic cohort into a temporary SQLite file, imports it like
 * pb_source_import_sqlite() and removes the file. The provenance names the
 * cohort's size and seed.
 *
 * Returns: %TRUE on success
 */
gboolean
pb_source_import_synthetic (PbProject            *project,
                            const PbSynthParams  *params,
                            PbImportCounts       *counts,
                            PbProgressFunc        progress,
                            gpointer              progress_data,
                            GCancellable         *cancellable,
                            GError              **error)
{
  g_autofree char *dir = NULL;
  g_autofree char *path = NULL;
  ScaledProgress synth_progress = { progress, progress_data, 0.0, 0.5 };
  ScaledProgress import_progress = { progress, progress_data, 0.5, 0.5 };
  gboolean ok;

  g_return_val_if_fail (PB_IS_PROJECT (project), FALSE);
  g_return_val_if_fail (params != NULL, FALSE);

  if (params->n_stays == 0)
    {
      g_set_error (error, PB_ENGINE_ERROR, PB_ENGINE_ERROR_INVALID_ARGUMENT,
                   "A synthetic cohort needs at least one ICU stay");
      return FALSE;
    }

  dir = g_dir_make_tmp ("perturb-cohort-XXXXXX", NULL);
  if (dir == NULL)
    {
      g_set_error (error, PB_ENGINE_ERROR, PB_ENGINE_ERROR_READ_ONLY,
                   "Cannot create a temporary folder for the synthetic cohort");
      return FALSE;
    }
  path = g_build_filename (dir, "cohort.sqlite", NULL);

  ok = pb_synth_write_sqlite (params, path, NULL, scaled_progress, &synth_progress,
                              cancellable, error) &&
       pb_source_import_sqlite (project, path, counts, scaled_progress, &import_progress,
                                cancellable, error) &&
       record_synthetic_source (project, params, error);

  remove_dir (dir);
  return ok;
}

/* ---- provenance ---------------------------------------------------------------- */

void
pb_import_record_free (PbImportRecord *record)
{
  if (record == NULL)
    return;
  g_free (record->kind);
  g_free (record->source);
  g_free (record->schema);
  g_free (record->started_at);
  g_free (record);
}

/**
 * pb_source_dup_latest_import:
 * @project: an open project
 * @error: return location for an error
 *
 * Returns: (transfer full) (nullable): the latest import, or %NULL (with @error
 *   unset) when the project has none
 */
PbImportRecord *
pb_source_dup_latest_import (PbProject  *project,
                             GError    **error)
{
  sqlite3 *db;
  g_autoptr(sqlite3_stmt) stmt = NULL;
  PbImportRecord *record;
  int rc;

  g_return_val_if_fail (PB_IS_PROJECT (project), NULL);

  db = pb_project_get_db (project);
  if (db == NULL)
    {
      g_set_error (error, PB_ENGINE_ERROR, PB_ENGINE_ERROR_FAILED, "The project is closed");
      return NULL;
    }

  stmt = pb_sqlite_prepare (db,
                            "SELECT source_kind, source, schema_name, started_at, seconds,"
                            " n_icustays, n_bg, n_lab, n_vital"
                            " FROM imports ORDER BY import_id DESC LIMIT 1",
                            error);
  if (stmt == NULL)
    return NULL;

  rc = sqlite3_step (stmt);
  if (rc == SQLITE_DONE)
    return NULL;
  if (rc != SQLITE_ROW)
    {
      pb_sqlite_check (db, rc, "reading the import provenance", error);
      return NULL;
    }

  record = g_new0 (PbImportRecord, 1);
  record->kind = g_strdup ((const char *) sqlite3_column_text (stmt, 0));
  record->source = g_strdup ((const char *) sqlite3_column_text (stmt, 1));
  record->schema = g_strdup ((const char *) sqlite3_column_text (stmt, 2));
  record->started_at = g_strdup ((const char *) sqlite3_column_text (stmt, 3));
  record->seconds = sqlite3_column_double (stmt, 4);
  record->counts.icustays = sqlite3_column_int64 (stmt, 5);
  record->counts.bg = sqlite3_column_int64 (stmt, 6);
  record->counts.lab = sqlite3_column_int64 (stmt, 7);
  record->counts.vital = sqlite3_column_int64 (stmt, 8);
  record->counts.seconds = record->seconds;

  return record;
}
