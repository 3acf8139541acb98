/* pb-storage-postgres.c — Optuna's RDB schema in PostgreSQL, through libpq.
 *
 * The DDL is what SQLAlchemy's postgresql dialect emits for optuna 4.9's models
 * (engine-notes §3.2): SERIAL keys, FLOAT(53), TIMESTAMP WITHOUT TIME ZONE, and
 * native enum types for the direction, state and value-type columns. Creation
 * runs under a transaction-scoped advisory lock so that workers starting
 * together create it once. Parameters are sent as text and typed by the server
 * from their context (an enum column takes its enum type).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "pb-storage-private.h"

#include "pb-error.h"

#include <libpq-fe.h>
#include <string.h>

/* pg_advisory_xact_lock key for schema creation ("PBOPTUNA" folded) */
#define PB_DB_POSTGRES_SCHEMA_LOCK 0x50424f50

typedef struct
{
  PbDb    parent;
  PGconn *conn;
} PbDbPostgres;

static const char optuna_postgres_ddl[] =
  "CREATE TYPE studydirection AS ENUM ('NOT_SET', 'MINIMIZE', 'MAXIMIZE');"
  "CREATE TYPE trialstate AS ENUM ('RUNNING', 'COMPLETE', 'PRUNED', 'FAIL', 'WAITING');"
  "CREATE TYPE trialvaluetype AS ENUM ('FINITE', 'INF_POS', 'INF_NEG');"
  "CREATE TYPE trialintermediatevaluetype AS ENUM ('FINITE', 'INF_POS', 'INF_NEG', 'NAN');"
  "CREATE TABLE studies ("
  " study_id SERIAL NOT NULL, study_name VARCHAR(512) NOT NULL, PRIMARY KEY (study_id));"
  "CREATE UNIQUE INDEX ix_studies_study_name ON studies (study_name);"
  "CREATE TABLE version_info ("
  " version_info_id INTEGER NOT NULL, schema_version INTEGER, library_version VARCHAR(256),"
  " PRIMARY KEY (version_info_id), CHECK (version_info_id=1));"
  "CREATE TABLE study_directions ("
  " study_direction_id SERIAL NOT NULL, direction studydirection NOT NULL,"
  " study_id INTEGER NOT NULL, objective INTEGER NOT NULL,"
  " PRIMARY KEY (study_direction_id), UNIQUE (study_id, objective),"
  " FOREIGN KEY(study_id) REFERENCES studies (study_id));"
  "CREATE TABLE study_user_attributes ("
  " study_user_attribute_id SERIAL NOT NULL, study_id INTEGER, key VARCHAR(512),"
  " value_json TEXT, PRIMARY KEY (study_user_attribute_id), UNIQUE (study_id, key),"
  " FOREIGN KEY(study_id) REFERENCES studies (study_id));"
  "CREATE TABLE study_system_attributes ("
  " study_system_attribute_id SERIAL NOT NULL, study_id INTEGER, key VARCHAR(512),"
  " value_json TEXT, PRIMARY KEY (study_system_attribute_id), UNIQUE (study_id, key),"
  " FOREIGN KEY(study_id) REFERENCES studies (study_id));"
  "CREATE TABLE trials ("
  " trial_id SERIAL NOT NULL, number INTEGER, study_id INTEGER, state trialstate NOT NULL,"
  " datetime_start TIMESTAMP WITHOUT TIME ZONE, datetime_complete TIMESTAMP WITHOUT TIME ZONE,"
  " PRIMARY KEY (trial_id), FOREIGN KEY(study_id) REFERENCES studies (study_id));"
  "CREATE INDEX ix_trials_study_id ON trials (study_id);"
  "CREATE TABLE trial_user_attributes ("
  " trial_user_attribute_id SERIAL NOT NULL, trial_id INTEGER, key VARCHAR(512),"
  " value_json TEXT, PRIMARY KEY (trial_user_attribute_id), UNIQUE (trial_id, key),"
  " FOREIGN KEY(trial_id) REFERENCES trials (trial_id));"
  "CREATE TABLE trial_system_attributes ("
  " trial_system_attribute_id SERIAL NOT NULL, trial_id INTEGER, key VARCHAR(512),"
  " value_json TEXT, PRIMARY KEY (trial_system_attribute_id), UNIQUE (trial_id, key),"
  " FOREIGN KEY(trial_id) REFERENCES trials (trial_id));"
  "CREATE TABLE trial_params ("
  " param_id SERIAL NOT NULL, trial_id INTEGER, param_name VARCHAR(512),"
  " param_value FLOAT(53), distribution_json TEXT, PRIMARY KEY (param_id),"
  " UNIQUE (trial_id, param_name), FOREIGN KEY(trial_id) REFERENCES trials (trial_id));"
  "CREATE TABLE trial_values ("
  " trial_value_id SERIAL NOT NULL, trial_id INTEGER NOT NULL, objective INTEGER NOT NULL,"
  " value FLOAT(53), value_type trialvaluetype NOT NULL, PRIMARY KEY (trial_value_id),"
  " UNIQUE (trial_id, objective), FOREIGN KEY(trial_id) REFERENCES trials (trial_id));"
  "CREATE TABLE trial_intermediate_values ("
  " trial_intermediate_value_id SERIAL NOT NULL, trial_id INTEGER NOT NULL,"
  " step INTEGER NOT NULL, intermediate_value FLOAT(53),"
  " intermediate_value_type trialintermediatevaluetype NOT NULL,"
  " PRIMARY KEY (trial_intermediate_value_id), UNIQUE (trial_id, step),"
  " FOREIGN KEY(trial_id) REFERENCES trials (trial_id));"
  "CREATE TABLE trial_heartbeats ("
  " trial_heartbeat_id SERIAL NOT NULL, trial_id INTEGER NOT NULL,"
  " heartbeat TIMESTAMP WITHOUT TIME ZONE NOT NULL, PRIMARY KEY (trial_heartbeat_id),"
  " UNIQUE (trial_id), FOREIGN KEY(trial_id) REFERENCES trials (trial_id));"
  "CREATE TABLE alembic_version ("
  " version_num VARCHAR(32) NOT NULL,"
  " CONSTRAINT alembic_version_pkc PRIMARY KEY (version_num));"
  "INSERT INTO alembic_version (version_num) VALUES ('" PB_OPTUNA_ALEMBIC_VERSION "');"
  "INSERT INTO version_info (version_info_id, schema_version, library_version)"
  " VALUES (1, 12, '" PB_OPTUNA_LIBRARY_VERSION "');";

static void
set_postgres_error (PbDbPostgres *self,
                    PGresult     *res,
                    GError      **error)
{
  const char *message = res != NULL ? PQresultErrorMessage (res) : PQerrorMessage (self->conn);
  g_autofree char *trimmed = g_strstrip (g_strdup (message != NULL ? message : ""));
  const char *state = res != NULL ? PQresultErrorField (res, PG_DIAG_SQLSTATE) : NULL;
  int code = PB_ENGINE_ERROR_DATABASE;

  if (PQstatus (self->conn) != CONNECTION_OK || (state != NULL && g_str_has_prefix (state, "08")))
    code = PB_ENGINE_ERROR_CONNECTION;
  else if (state != NULL && (g_str_equal (state, "40001") || g_str_equal (state, "40P01") ||
                             g_str_equal (state, "55P03")))
    code = PB_ENGINE_ERROR_LOCKED;

  g_set_error (error, PB_ENGINE_ERROR, code, "Study storage (PostgreSQL): %s",
               *trimmed != '\0' ? trimmed : "the server connection was lost");
}

static PbDbResult *
postgres_query (PbDb             *db,
                const char       *sql,
                const PbDbValue  *params,
                guint             n_params,
                GError          **error)
{
  PbDbPostgres *self = (PbDbPostgres *) db;
  g_autofree const char **values = g_new0 (const char *, MAX (n_params, 1));
  g_autoptr(GPtrArray) owned = g_ptr_array_new_with_free_func (g_free);
  PbDbResult *result;
  ExecStatusType status;
  PGresult *res;

  for (guint i = 0; i < n_params; i++)
    {
      const PbDbValue *p = &params[i];
      char buf[G_ASCII_DTOSTR_BUF_SIZE];

      switch (p->type)
        {
        case PB_DB_INT:
          values[i] = g_strdup_printf ("%" G_GINT64_FORMAT, p->i);
          g_ptr_array_add (owned, (gpointer) values[i]);
          break;

        case PB_DB_DOUBLE:
          values[i] = g_strdup (g_ascii_formatd (buf, sizeof buf, "%.17g", p->d));
          g_ptr_array_add (owned, (gpointer) values[i]);
          break;

        case PB_DB_TEXT:
          values[i] = p->s;
          break;

        case PB_DB_NULL:
        default:
          values[i] = NULL;
          break;
        }
    }

  res = PQexecParams (self->conn, sql, (int) n_params, NULL, values, NULL, NULL, 0);
  status = PQresultStatus (res);
  if (status != PGRES_TUPLES_OK && status != PGRES_COMMAND_OK)
    {
      set_postgres_error (self, res, error);
      PQclear (res);
      return NULL;
    }

  result = g_new0 (PbDbResult, 1);
  if (status == PGRES_TUPLES_OK)
    {
      result->n_rows = PQntuples (res);
      result->n_cols = PQnfields (res);
      result->cells = g_new0 (PbDbValue, (gsize) MAX (result->n_rows * result->n_cols, 1));
      for (guint r = 0; r < result->n_rows; r++)
        for (guint c = 0; c < result->n_cols; c++)
          {
            PbDbValue *v = &result->cells[r * result->n_cols + c];

            if (!PQgetisnull (res, r, c))
              {
                v->type = PB_DB_TEXT;
                v->s = g_strdup (PQgetvalue (res, r, c));
              }
          }
    }
  PQclear (res);
  return result;
}

static gboolean
postgres_exec (PbDb        *db,
               const char  *sql,
               GError     **error)
{
  PbDbPostgres *self = (PbDbPostgres *) db;
  PGresult *res = PQexec (self->conn, sql);
  ExecStatusType status = PQresultStatus (res);

  if (status != PGRES_TUPLES_OK && status != PGRES_COMMAND_OK)
    {
      set_postgres_error (self, res, error);
      PQclear (res);
      return FALSE;
    }
  PQclear (res);
  return TRUE;
}

static gboolean
postgres_begin (PbDb    *db,
                GError **error)
{
  return postgres_exec (db, "BEGIN", error);
}

static gboolean
postgres_ensure_schema (PbDb    *db,
                        GError **error)
{
  g_autoptr(PbDbResult) found = NULL;
  g_autofree char *lock = g_strdup_printf ("SELECT pg_advisory_xact_lock(%d)",
                                           PB_DB_POSTGRES_SCHEMA_LOCK);

  if (!postgres_begin (db, error))
    return FALSE;
  if (!postgres_exec (db, lock, error) ||
      (found = postgres_query (db, "SELECT to_regclass('studies') IS NOT NULL", NULL, 0,
                               error)) == NULL)
    goto fail;
  if (found->n_rows == 1 && g_strcmp0 (_pb_db_result_get_text (found, 0, 0), "t") == 0)
    return postgres_exec (db, "COMMIT", error);
  if (!postgres_exec (db, optuna_postgres_ddl, error))
    goto fail;
  return postgres_exec (db, "COMMIT", error);

fail:
  postgres_exec (db, "ROLLBACK", NULL);
  return FALSE;
}

static void
postgres_free (PbDb *db)
{
  PbDbPostgres *self = (PbDbPostgres *) db;

  PQfinish (self->conn);
  g_free (self);
}

static const PbDbVTable pb_db_postgres_vtable = {
  .query         = postgres_query,
  .exec          = postgres_exec,
  .begin         = postgres_begin,
  .ensure_schema = postgres_ensure_schema,
  .free          = postgres_free,
};

/**
 * _pb_db_postgres_open:
 * @conninfo: a libpq connection string or URI; never logged (it may hold a
 *   password — prefer ~/.pgpass or PGPASSWORD)
 */
PbDb *
_pb_db_postgres_open (const char  *conninfo,
                      GError     **error)
{
  PbDbPostgres *self;
  PGconn *conn = PQconnectdb (conninfo);

  if (conn == NULL || PQstatus (conn) != CONNECTION_OK)
    {
      g_autofree char *message = g_strstrip (g_strdup (conn != NULL ? PQerrorMessage (conn)
                                                                    : "out of memory"));

      g_set_error (error, PB_ENGINE_ERROR, PB_ENGINE_ERROR_CONNECTION,
                   "Cannot connect to the PostgreSQL study storage: %s", message);
      PQfinish (conn);
      return NULL;
    }

  self = g_new0 (PbDbPostgres, 1);
  self->parent.vtable = &pb_db_postgres_vtable;
  self->parent.kind = "postgresql";
  self->parent.lock_suffix = " FOR UPDATE";
  self->parent.now_sql = "LOCALTIMESTAMP";
  self->parent.age_sql = "EXTRACT(EPOCH FROM (LOCALTIMESTAMP - h.heartbeat))";
  self->parent.begin_read_sql = "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY";
  self->conn = conn;

  /* quiet NOTICEs, and exact float text (PostgreSQL ≥ 12 does this by default) */
  if (!postgres_exec (&self->parent, "SET client_min_messages = warning; "
                                     "SET extra_float_digits = 3", error))
    {
      postgres_free (&self->parent);
      return NULL;
    }
  return &self->parent;
}
