/* pb-storage-sqlite.c — Optuna's RDB schema in an SQLite file (a Perturb
 * project or a plain database that `optuna-dashboard sqlite:///FILE` opens).
 *
 * The tables are created lazily, the first time a storage is opened on a file
 * that has none, with the DDL optuna 4.9 emits for SQLite (engine-notes §3.2).
 * They are not a project migration: Optuna owns their shape, the same code
 * serves plain SQLite files, and a project without studies stays without them.
 * Several processes share a file through SQLite's locks: every read-modify-write
 * runs in BEGIN IMMEDIATE, and a generous busy timeout makes writers queue.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "pb-storage-private.h"

#include "pb-error.h"
#include "pb-project.h"

#include <sqlite3.h>

#define PB_DB_SQLITE_BUSY_TIMEOUT_MS 60000

typedef struct
{
  PbDb     parent;
  sqlite3 *db;
} PbDbSqlite;

static const char optuna_sqlite_ddl[] =
  "CREATE TABLE IF NOT EXISTS studies ("
  " study_id INTEGER NOT NULL, study_name VARCHAR(512) NOT NULL, PRIMARY KEY (study_id));"
  "CREATE UNIQUE INDEX IF NOT EXISTS ix_studies_study_name ON studies (study_name);"
  "CREATE TABLE IF NOT EXISTS version_info ("
  " version_info_id INTEGER NOT NULL, schema_version INTEGER, library_version VARCHAR(256),"
  " PRIMARY KEY (version_info_id), CHECK (version_info_id=1));"
  "CREATE TABLE IF NOT EXISTS study_directions ("
  " study_direction_id INTEGER NOT NULL, direction VARCHAR(8) NOT NULL,"
  " study_id INTEGER NOT NULL, objective INTEGER NOT NULL,"
  " PRIMARY KEY (study_direction_id), UNIQUE (study_id, objective),"
  " FOREIGN KEY(study_id) REFERENCES studies (study_id));"
  "CREATE TABLE IF NOT EXISTS study_user_attributes ("
  " study_user_attribute_id INTEGER NOT NULL, study_id INTEGER, \"key\" VARCHAR(512),"
  " value_json TEXT, PRIMARY KEY (study_user_attribute_id), UNIQUE (study_id, \"key\"),"
  " FOREIGN KEY(study_id) REFERENCES studies (study_id));"
  "CREATE TABLE IF NOT EXISTS study_system_attributes ("
  " study_system_attribute_id INTEGER NOT NULL, study_id INTEGER, \"key\" VARCHAR(512),"
  " value_json TEXT, PRIMARY KEY (study_system_attribute_id), UNIQUE (study_id, \"key\"),"
  " FOREIGN KEY(study_id) REFERENCES studies (study_id));"
  "CREATE TABLE IF NOT EXISTS trials ("
  " trial_id INTEGER NOT NULL, number INTEGER, study_id INTEGER, state VARCHAR(8) NOT NULL,"
  " datetime_start DATETIME, datetime_complete DATETIME, PRIMARY KEY (trial_id),"
  " FOREIGN KEY(study_id) REFERENCES studies (study_id));"
  "CREATE INDEX IF NOT EXISTS ix_trials_study_id ON trials (study_id);"
  "CREATE TABLE IF NOT EXISTS trial_user_attributes ("
  " trial_user_attribute_id INTEGER NOT NULL, trial_id INTEGER, \"key\" VARCHAR(512),"
  " value_json TEXT, PRIMARY KEY (trial_user_attribute_id), UNIQUE (trial_id, \"key\"),"
  " FOREIGN KEY(trial_id) REFERENCES trials (trial_id));"
  "CREATE TABLE IF NOT EXISTS trial_system_attributes ("
  " trial_system_attribute_id INTEGER NOT NULL, trial_id INTEGER, \"key\" VARCHAR(512),"
  " value_json TEXT, PRIMARY KEY (trial_system_attribute_id), UNIQUE (trial_id, \"key\"),"
  " FOREIGN KEY(trial_id) REFERENCES trials (trial_id));"
  "CREATE TABLE IF NOT EXISTS trial_params ("
  " param_id INTEGER NOT NULL, trial_id INTEGER, param_name VARCHAR(512), param_value FLOAT,"
  " distribution_json TEXT, PRIMARY KEY (param_id), UNIQUE (trial_id, param_name),"
  " FOREIGN KEY(trial_id) REFERENCES trials (trial_id));"
  "CREATE TABLE IF NOT EXISTS trial_values ("
  " trial_value_id INTEGER NOT NULL, trial_id INTEGER NOT NULL, objective INTEGER NOT NULL,"
  " value FLOAT, value_type VARCHAR(7) NOT NULL, PRIMARY KEY (trial_value_id),"
  " UNIQUE (trial_id, objective), FOREIGN KEY(trial_id) REFERENCES trials (trial_id));"
  "CREATE TABLE IF NOT EXISTS trial_intermediate_values ("
  " trial_intermediate_value_id INTEGER NOT NULL, trial_id INTEGER NOT NULL,"
  " step INTEGER NOT NULL, intermediate_value FLOAT,"
  " intermediate_value_type VARCHAR(7) NOT NULL, PRIMARY KEY (trial_intermediate_value_id),"
  " UNIQUE (trial_id, step), FOREIGN KEY(trial_id) REFERENCES trials (trial_id));"
  "CREATE TABLE IF NOT EXISTS trial_heartbeats ("
  " trial_heartbeat_id INTEGER NOT NULL, trial_id INTEGER NOT NULL,"
  " heartbeat DATETIME NOT NULL, PRIMARY KEY (trial_heartbeat_id), UNIQUE (trial_id),"
  " FOREIGN KEY(trial_id) REFERENCES trials (trial_id));"
  "CREATE TABLE IF NOT EXISTS alembic_version ("
  " version_num VARCHAR(32) NOT NULL,"
  " CONSTRAINT alembic_version_pkc PRIMARY KEY (version_num));";

static PbDbResult *
sqlite_query (PbDb             *db,
              const char       *sql,
              const PbDbValue  *params,
              guint             n_params,
              GError          **error)
{
  PbDbSqlite *self = (PbDbSqlite *) db;
  g_autoptr(sqlite3_stmt) stmt = pb_sqlite_prepare (self->db, sql, error);
  g_autoptr(GArray) cells = g_array_new (FALSE, TRUE, sizeof (PbDbValue));
  PbDbResult *result;
  int rc, n_cols;

  if (stmt == NULL)
    return NULL;

  for (guint i = 0; i < n_params; i++)
    {
      const PbDbValue *p = &params[i];

      switch (p->type)
        {
        case PB_DB_INT:
          rc = sqlite3_bind_int64 (stmt, i + 1, p->i);
          break;

        case PB_DB_DOUBLE:
          rc = sqlite3_bind_double (stmt, i + 1, p->d);
          break;

        case PB_DB_TEXT:
          rc = sqlite3_bind_text (stmt, i + 1, p->s, -1, SQLITE_TRANSIENT);
          break;

        case PB_DB_NULL:
        default:
          rc = sqlite3_bind_null (stmt, i + 1);
          break;
        }
      if (!pb_sqlite_check (self->db, rc, "Study storage", error))
        return NULL;
    }

  n_cols = sqlite3_column_count (stmt);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      for (int c = 0; c < n_cols; c++)
        {
          PbDbValue v = { PB_DB_NULL, 0, 0, NULL };

          switch (sqlite3_column_type (stmt, c))
            {
            case SQLITE_INTEGER:
              v.type = PB_DB_INT;
              v.i = sqlite3_column_int64 (stmt, c);
              break;

            case SQLITE_FLOAT:
              v.type = PB_DB_DOUBLE;
              v.d = sqlite3_column_double (stmt, c);
              break;

            case SQLITE_TEXT:
            case SQLITE_BLOB:
              v.type = PB_DB_TEXT;
              v.s = g_strdup ((const char *) sqlite3_column_text (stmt, c));
              break;

            case SQLITE_NULL:
            default:
              break;
            }
          g_array_append_val (cells, v);
        }
    }
  if (rc != SQLITE_DONE)
    {
      for (guint i = 0; i < cells->len; i++)
        g_free (g_array_index (cells, PbDbValue, i).s);
      pb_sqlite_check (self->db, rc, "Study storage", error);
      return NULL;
    }

  result = g_new0 (PbDbResult, 1);
  result->n_cols = n_cols;
  result->n_rows = n_cols > 0 ? cells->len / n_cols : 0;
  result->cells = (PbDbValue *) (void *) g_array_steal (cells, NULL);
  return result;
}

static gboolean
sqlite_exec (PbDb        *db,
             const char  *sql,
             GError     **error)
{
  PbDbSqlite *self = (PbDbSqlite *) db;

  if (!pb_sqlite_exec (self->db, sql, error))
    {
      if (error != NULL && *error != NULL)
        g_prefix_error (error, "Study storage: ");
      return FALSE;
    }
  return TRUE;
}

static gboolean
sqlite_begin (PbDb    *db,
              GError **error)
{
  return sqlite_exec (db, "BEGIN IMMEDIATE", error);
}

static gboolean
sqlite_ensure_schema (PbDb    *db,
                      GError **error)
{
  PbDbSqlite *self = (PbDbSqlite *) db;
  g_autoptr(sqlite3_stmt) stmt = NULL;
  gboolean exists;

  stmt = pb_sqlite_prepare (self->db, "SELECT 1 FROM sqlite_master WHERE type = 'table' "
                                      "AND name = 'studies'", error);
  if (stmt == NULL)
    return FALSE;
  exists = sqlite3_step (stmt) == SQLITE_ROW;
  g_clear_pointer (&stmt, sqlite3_finalize);
  if (exists)
    return TRUE;   /* Optuna's (any version's) or ours: used as it is */

  if (!sqlite_begin (db, error))
    return FALSE;
  if (!sqlite_exec (db, optuna_sqlite_ddl, error) ||
      !sqlite_exec (db, "INSERT INTO alembic_version (version_num) SELECT '"
                        PB_OPTUNA_ALEMBIC_VERSION "' WHERE NOT EXISTS "
                        "(SELECT 1 FROM alembic_version)", error) ||
      !sqlite_exec (db, "INSERT OR IGNORE INTO version_info (version_info_id, schema_version, "
                        "library_version) VALUES (1, 12, '" PB_OPTUNA_LIBRARY_VERSION "')",
                    error))
    {
      sqlite_exec (db, "ROLLBACK", NULL);
      return FALSE;
    }
  return sqlite_exec (db, "COMMIT", error);
}

static void
sqlite_free (PbDb *db)
{
  PbDbSqlite *self = (PbDbSqlite *) db;

  sqlite3_close_v2 (self->db);
  g_free (self);
}

static const PbDbVTable pb_db_sqlite_vtable = {
  .query         = sqlite_query,
  .exec          = sqlite_exec,
  .begin         = sqlite_begin,
  .ensure_schema = sqlite_ensure_schema,
  .free          = sqlite_free,
};

/**
 * _pb_db_sqlite_open:
 * @create: create the file if missing (the `sqlite:///` form)
 *
 * Opens its own connection, so a worker thread or process never shares one.
 */
PbDb *
_pb_db_sqlite_open (const char  *path,
                    gboolean     create,
                    GError     **error)
{
  g_autofree char *display = g_filename_display_name (path);
  PbDbSqlite *self;
  int flags = SQLITE_OPEN_READWRITE | (create ? SQLITE_OPEN_CREATE : 0);
  sqlite3 *db = NULL;
  int rc;

  if (!create && !g_file_test (path, G_FILE_TEST_IS_REGULAR))
    {
      g_set_error (error, PB_ENGINE_ERROR, PB_ENGINE_ERROR_NOT_FOUND,
                   "Study storage %s does not exist", display);
      return NULL;
    }

  rc = sqlite3_open_v2 (path, &db, flags, NULL);
  if (rc != SQLITE_OK)
    {
      g_set_error (error, PB_ENGINE_ERROR, PB_ENGINE_ERROR_READ_ONLY,
                   "Cannot open study storage %s: %s", display,
                   db != NULL ? sqlite3_errmsg (db) : sqlite3_errstr (rc));
      sqlite3_close_v2 (db);
      return NULL;
    }
  sqlite3_busy_timeout (db, PB_DB_SQLITE_BUSY_TIMEOUT_MS);

  self = g_new0 (PbDbSqlite, 1);
  self->parent.vtable = &pb_db_sqlite_vtable;
  self->parent.kind = "sqlite";
  self->parent.lock_suffix = "";   /* BEGIN IMMEDIATE already holds the write lock */
  /* UTC like SQLAlchemy's func.now() on SQLite, with microseconds */
  self->parent.now_sql = "strftime('%Y-%m-%d %H:%M:%f000', 'now')";
  self->parent.age_sql = "((julianday('now') - julianday(h.heartbeat)) * 86400.0)";
  self->parent.begin_read_sql = "BEGIN";
  self->db = db;

  /* WAL + synchronous NORMAL: a crash or power loss can lose the last commits
   * but never corrupts the file; a commit per report stays cheap */
  if (!sqlite_exec (&self->parent, "PRAGMA journal_mode = WAL", error) ||
      !sqlite_exec (&self->parent, "PRAGMA synchronous = NORMAL", error))
    {
      g_prefix_error (error, "%s: ", display);
      sqlite_free (&self->parent);
      return NULL;
    }
  return &self->parent;
}
