/* pb-synth-sink.c — where the synthetic cohort goes: an SQLite file or a
 * PostgreSQL schema (bulk loaded with COPY), each in one transaction.
 *
 * The SQLite file holds MIMIC-III's tables without the schema prefix (patients,
 * admissions, …); the importer attaches it under the name `mimiciii`, so the same
 * qualified names work for both targets.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "pb-synth-private.h"

#include "pb-error.h"
#include "pb-project.h"
#include "pb-source-private.h"

#include <glib/gstdio.h>
#include <sqlite3.h>
#include <string.h>

/* ---- SQLite ------------------------------------------------------------------ */

typedef struct
{
  SynthSink     parent;
  sqlite3      *db;
  sqlite3_stmt *insert;
  guint         n_columns;
} SqliteSink;

static gboolean
sqlite_sink_begin (SynthSink        *sink,
                   const SynthTable *table,
                   GError          **error)
{
  SqliteSink *self = (SqliteSink *) sink;
  g_autoptr(GString) create = g_string_new (NULL);
  g_autoptr(GString) insert = g_string_new (NULL);

  g_string_append_printf (create, "CREATE TABLE %s (", table->name);
  g_string_append_printf (insert, "INSERT INTO %s VALUES (", table->name);
  for (guint i = 0; i < table->n_columns; i++)
    {
      g_string_append_printf (create, "%s%s %s", i > 0 ? ", " : "",
                              table->columns[i].name, table->columns[i].sqlite_type);
      g_string_append (insert, i > 0 ? ", ?" : "?");
    }
  g_string_append (create, ")");
  g_string_append (insert, ")");

  if (!pb_sqlite_exec (self->db, create->str, error))
    return FALSE;
  self->insert = pb_sqlite_prepare (self->db, insert->str, error);
  self->n_columns = table->n_columns;
  return self->insert != NULL;
}

static gboolean
sqlite_sink_row (SynthSink        *sink,
                 const SynthValue *v,
                 GError          **error)
{
  SqliteSink *self = (SqliteSink *) sink;
  sqlite3_stmt *stmt = self->insert;
  char buf[20];

  for (guint i = 0; i < self->n_columns; i++)
    {
      switch (v[i].kind)
        {
        case SYNTH_NULL:
          sqlite3_bind_null (stmt, i + 1);
          break;

        case SYNTH_INT:
          sqlite3_bind_int64 (stmt, i + 1, v[i].i);
          break;

        case SYNTH_REAL:
          sqlite3_bind_double (stmt, i + 1, v[i].d);
          break;

        case SYNTH_TEXT:
          sqlite3_bind_text (stmt, i + 1, v[i].s, -1, SQLITE_TRANSIENT);
          break;

        case SYNTH_TIME:
          _pb_format_timestamp (v[i].i, buf);
          sqlite3_bind_text (stmt, i + 1, buf, 19, SQLITE_TRANSIENT);
          break;

        default:
          g_assert_not_reached ();
        }
    }

  if (sqlite3_step (stmt) != SQLITE_DONE)
    return pb_sqlite_check (self->db, sqlite3_reset (stmt), "inserting a cohort row", error);
  sqlite3_reset (stmt);
  return TRUE;
}

static gboolean
sqlite_sink_end (SynthSink  *sink,
                 GError    **error)
{
  SqliteSink *self = (SqliteSink *) sink;

  g_clear_pointer (&self->insert, sqlite3_finalize);
  return TRUE;
}

static gboolean
create_indexes_sqlite (sqlite3  *db,
                       GError  **error)
{
  for (guint k = 0; k < _pb_synth_n_tables; k++)
    {
      const SynthTable *table = &_pb_synth_tables[k];
      g_autofree char *sql = NULL;

      if (table->index == NULL)
        continue;
      sql = g_strdup_printf ("CREATE INDEX %s_idx ON %s %s", table->name, table->name,
                             table->index);
      if (!pb_sqlite_exec (db, sql, error))
        return FALSE;
    }
  return TRUE;
}

/**
 * pb_synth_write_sqlite:
 * @params: the cohort
 * @path: a new SQLite file (an existing file is an error)
 * @counts: (out): rows per table
 *
 * Writes the cohort in one transaction; on failure or cancel @path is removed.
 *
 * Returns: %TRUE on success.
 */
gboolean
pb_synth_write_sqlite (const PbSynthParams  *params,
                       const char           *path,
                       PbSynthCounts        *counts,
                       PbProgressFunc        progress,
                       gpointer              progress_data,
                       GCancellable         *cancellable,
                       GError              **error)
{
  SqliteSink sink = {
    .parent = { sqlite_sink_begin, sqlite_sink_row, sqlite_sink_end, NULL },
  };
  PbSynthCounts dummy;
  gboolean ok;

  g_return_val_if_fail (params != NULL, FALSE);
  g_return_val_if_fail (path != NULL, FALSE);

  if (counts == NULL)
    counts = &dummy;

  if (g_file_test (path, G_FILE_TEST_EXISTS))
    {
      g_set_error (error, PB_ENGINE_ERROR, PB_ENGINE_ERROR_EXISTS,
                   "%s already exists; the cohort is only written to a new file", path);
      return FALSE;
    }

  if (sqlite3_open_v2 (path, &sink.db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL) != SQLITE_OK)
    {
      g_set_error (error, PB_ENGINE_ERROR, PB_ENGINE_ERROR_READ_ONLY,
                   "Cannot create %s: %s", path,
                   sink.db != NULL ? sqlite3_errmsg (sink.db) : "out of memory");
      sqlite3_close (sink.db);
      return FALSE;
    }

  ok = pb_sqlite_exec (sink.db, "PRAGMA journal_mode = OFF; PRAGMA synchronous = OFF;"
                                "PRAGMA cache_size = -65536; BEGIN", error) &&
       _pb_synth_run (params, &sink.parent, counts, progress, progress_data, cancellable, error) &&
       create_indexes_sqlite (sink.db, error) &&
       pb_sqlite_exec (sink.db, "COMMIT", error);

  g_clear_pointer (&sink.insert, sqlite3_finalize);
  sqlite3_close (sink.db);

  if (!ok)
    g_unlink (path);

  return ok;
}

/* ---- PostgreSQL ---------------------------------------------------------------- */

#define COPY_CHUNK (1 << 20)

typedef struct
{
  SynthSink  parent;
  PGconn    *conn;
  char      *schema;      /* escaped identifier */
  GString   *buffer;
  guint      n_columns;
} PgSink;

static gboolean
pg_exec (PGconn      *conn,
         const char  *sql,
         GError     **error)
{
  g_autoptr(PGresult) res = PQexec (conn, sql);

  if (PQresultStatus (res) != PGRES_COMMAND_OK && PQresultStatus (res) != PGRES_TUPLES_OK)
    {
      _pb_pg_set_error (error, conn, NULL);
      return FALSE;
    }
  return TRUE;
}

static gboolean
pg_sink_begin (SynthSink        *sink,
               const SynthTable *table,
               GError          **error)
{
  PgSink *self = (PgSink *) sink;
  g_autoptr(GString) create = g_string_new (NULL);
  g_autoptr(GString) copy = g_string_new (NULL);
  g_autoptr(PGresult) res = NULL;

  g_string_append_printf (create, "CREATE TABLE %s.%s (", self->schema, table->name);
  g_string_append_printf (copy, "COPY %s.%s (", self->schema, table->name);
  for (guint i = 0; i < table->n_columns; i++)
    {
      g_string_append_printf (create, "%s%s %s", i > 0 ? ", " : "",
                              table->columns[i].name, table->columns[i].pg_type);
      g_string_append_printf (copy, "%s%s", i > 0 ? ", " : "", table->columns[i].name);
    }
  g_string_append (create, ")");
  g_string_append (copy, ") FROM STDIN");

  if (!pg_exec (self->conn, create->str, error))
    return FALSE;

  res = PQexec (self->conn, copy->str);
  if (PQresultStatus (res) != PGRES_COPY_IN)
    {
      _pb_pg_set_error (error, self->conn, "COPY");
      return FALSE;
    }
  self->n_columns = table->n_columns;
  g_string_truncate (self->buffer, 0);
  return TRUE;
}

static gboolean
pg_sink_flush (PgSink  *self,
               GError **error)
{
  if (self->buffer->len == 0)
    return TRUE;
  if (PQputCopyData (self->conn, self->buffer->str, (int) self->buffer->len) != 1)
    {
      _pb_pg_set_error (error, self->conn, "COPY");
      return FALSE;
    }
  g_string_truncate (self->buffer, 0);
  return TRUE;
}

static void
append_copy_text (GString    *out,
                  const char *s)
{
  for (; *s != '\0'; s++)
    {
      switch (*s)
        {
        case '\\': g_string_append (out, "\\\\"); break;
        case '\t': g_string_append (out, "\\t"); break;
        case '\n': g_string_append (out, "\\n"); break;
        case '\r': g_string_append (out, "\\r"); break;
        default: g_string_append_c (out, *s); break;
        }
    }
}

static gboolean
pg_sink_row (SynthSink        *sink,
             const SynthValue *v,
             GError          **error)
{
  PgSink *self = (PgSink *) sink;
  GString *out = self->buffer;
  char buf[G_ASCII_DTOSTR_BUF_SIZE];

  for (guint i = 0; i < self->n_columns; i++)
    {
      if (i > 0)
        g_string_append_c (out, '\t');

      switch (v[i].kind)
        {
        case SYNTH_NULL:
          g_string_append (out, "\\N");
          break;

        case SYNTH_INT:
          g_string_append_printf (out, "%" G_GINT64_FORMAT, v[i].i);
          break;

        case SYNTH_REAL:
          /* values are rounded decimals: 15 digits give back the same double */
          g_string_append (out, g_ascii_formatd (buf, sizeof buf, "%.15g", v[i].d));
          break;

        case SYNTH_TEXT:
          append_copy_text (out, v[i].s);
          break;

        case SYNTH_TIME:
          _pb_format_timestamp (v[i].i, buf);
          g_string_append_len (out, buf, 19);
          break;

        default:
          g_assert_not_reached ();
        }
    }
  g_string_append_c (out, '\n');

  if (out->len >= COPY_CHUNK)
    return pg_sink_flush (self, error);
  return TRUE;
}

static gboolean
pg_sink_end (SynthSink  *sink,
             GError    **error)
{
  PgSink *self = (PgSink *) sink;
  g_autoptr(PGresult) res = NULL;

  if (!pg_sink_flush (self, error))
    return FALSE;
  if (PQputCopyEnd (self->conn, NULL) != 1)
    {
      _pb_pg_set_error (error, self->conn, "COPY");
      return FALSE;
    }
  res = PQgetResult (self->conn);
  if (PQresultStatus (res) != PGRES_COMMAND_OK)
    {
      _pb_pg_set_error (error, self->conn, "COPY");
      return FALSE;
    }
  /* drain: COPY has exactly one result, then NULL */
  while ((res = (PQclear (res), PQgetResult (self->conn))) != NULL)
    ;
  return TRUE;
}

static gboolean
create_indexes_pg (PgSink  *self,
                   GError **error)
{
  for (guint k = 0; k < _pb_synth_n_tables; k++)
    {
      const SynthTable *table = &_pb_synth_tables[k];
      g_autofree char *sql = NULL;

      if (table->index == NULL)
        continue;
      sql = g_strdup_printf ("CREATE INDEX ON %s.%s %s", self->schema, table->name, table->index);
      if (!pg_exec (self->conn, sql, error))
        return FALSE;
    }
  return TRUE;
}

/**
 * pb_synth_write_postgres:
 * @params: the cohort; @params->schema must not exist yet in the database
 * @conninfo: a libpq connection string or service name (`service=…`)
 * @counts: (out): rows per table
 *
 * Creates the schema and its tables and loads them with COPY, in one
 * transaction: on failure or cancel nothing is left behind.
 *
 * Returns: %TRUE on success.
 */
gboolean
pb_synth_write_postgres (const PbSynthParams  *params,
                         const char           *conninfo,
                         PbSynthCounts        *counts,
                         PbProgressFunc        progress,
                         gpointer              progress_data,
                         GCancellable         *cancellable,
                         GError              **error)
{
  g_autoptr(PGconn) conn = NULL;
  g_autoptr(GString) buffer = g_string_sized_new (COPY_CHUNK + 4096);
  g_autofree char *create_schema = NULL;
  PbSynthCounts dummy;
  char *schema;
  PgSink sink = {
    .parent = { pg_sink_begin, pg_sink_row, pg_sink_end, NULL },
  };
  gboolean ok;

  g_return_val_if_fail (params != NULL, FALSE);
  g_return_val_if_fail (conninfo != NULL, FALSE);

  if (counts == NULL)
    counts = &dummy;

  conn = _pb_pg_connect (conninfo, error);
  if (conn == NULL)
    return FALSE;

  schema = PQescapeIdentifier (conn, params->schema != NULL ? params->schema : "mimiciii",
                               strlen (params->schema != NULL ? params->schema : "mimiciii"));
  if (schema == NULL)
    {
      _pb_pg_set_error (error, conn, "schema name");
      return FALSE;
    }

  sink.conn = conn;
  sink.schema = schema;
  sink.buffer = buffer;
  create_schema = g_strdup_printf ("CREATE SCHEMA %s", schema);

  ok = pg_exec (conn, "BEGIN", error) &&
       pg_exec (conn, create_schema, error) &&
       _pb_synth_run (params, &sink.parent, counts, progress, progress_data, cancellable, error) &&
       create_indexes_pg (&sink, error) &&
       pg_exec (conn, "COMMIT", error);

  if (!ok && PQtransactionStatus (conn) != PQTRANS_IDLE)
    {
      /* a COPY in progress is abandoned by ending it with an error */
      if (PQtransactionStatus (conn) == PQTRANS_ACTIVE)
        {
          PGresult *res;

          PQputCopyEnd (conn, "cancelled");
          while ((res = PQgetResult (conn)) != NULL)
            PQclear (res);
        }
      pg_exec (conn, "ROLLBACK", NULL);
    }

  if (ok)
    pg_exec (conn, "ANALYZE", NULL);

  PQfreemem (schema);
  return ok;
}
