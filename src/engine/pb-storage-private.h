/* pb-storage-private.h — the small SQL layer under pb-storage.c: one
 * implementation per database (pb-storage-sqlite.c, pb-storage-postgres.c).
 *
 * SQL text is shared: parameters are written $1, $2, … in order of first
 * appearance, which both PostgreSQL and SQLite (named parameters, numbered in
 * order of appearance) bind by position.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef enum
{
  PB_DB_NULL,
  PB_DB_INT,
  PB_DB_DOUBLE,
  PB_DB_TEXT,
} PbDbType;

/* A parameter (text borrowed) or a result cell (text owned by the result). */
typedef struct
{
  PbDbType  type;
  gint64    i;
  double    d;
  char     *s;
} PbDbValue;

#define PB_DB_I(v) ((PbDbValue) { .type = PB_DB_INT, .i = (v) })
#define PB_DB_D(v) ((PbDbValue) { .type = PB_DB_DOUBLE, .d = (v) })
#define PB_DB_S(v) ((PbDbValue) { .type = (v) != NULL ? PB_DB_TEXT : PB_DB_NULL, .s = (char *) (v) })
#define PB_DB_NULL_VALUE ((PbDbValue) { .type = PB_DB_NULL })

typedef struct
{
  guint      n_rows;
  guint      n_cols;
  PbDbValue *cells; /* n_rows × n_cols */
} PbDbResult;

typedef struct _PbDb PbDb;

typedef struct
{
  PbDbResult *(*query)         (PbDb             *db,
                                const char       *sql,
                                const PbDbValue  *params,
                                guint             n_params,
                                GError          **error);
  gboolean    (*exec)          (PbDb             *db,
                                const char       *sql,
                                GError          **error);
  gboolean    (*begin)         (PbDb             *db,
                                GError          **error);
  gboolean    (*ensure_schema) (PbDb             *db,
                                GError          **error);
  void        (*free)          (PbDb             *db);
} PbDbVTable;

/**
 * PbDb:
 * @lock_suffix: appended to the SELECT that locks a study row (" FOR UPDATE")
 * @now_sql: SQL expression for the database's current time (heartbeats)
 * @age_sql: SQL expression for the age in seconds of `h.heartbeat`
 * @begin_read_sql: starts a read transaction that sees one snapshot
 */
struct _PbDb
{
  const PbDbVTable *vtable;
  const char       *kind;
  const char       *lock_suffix;
  const char       *now_sql;
  const char       *age_sql;
  const char       *begin_read_sql;
};

void        _pb_db_result_free        (PbDbResult   *result);
gint64      _pb_db_result_get_int     (PbDbResult   *result,
                                       guint         row,
                                       guint         col);
double      _pb_db_result_get_double  (PbDbResult   *result,
                                       guint         row,
                                       guint         col);
const char *_pb_db_result_get_text    (PbDbResult   *result,
                                       guint         row,
                                       guint         col);
gboolean    _pb_db_result_is_null     (PbDbResult   *result,
                                       guint         row,
                                       guint         col);

PbDb       *_pb_db_sqlite_open        (const char   *path,
                                       gboolean      create,
                                       GError      **error);
PbDb       *_pb_db_postgres_open      (const char   *conninfo,
                                       GError      **error);

/* The Optuna 4.9 schema (engine-notes §3.1–3.2) */
#define PB_OPTUNA_ALEMBIC_VERSION "v3.2.0.a"
#define PB_OPTUNA_SCHEMA_VERSION  12
#define PB_OPTUNA_LIBRARY_VERSION "4.9.0"

G_DEFINE_AUTOPTR_CLEANUP_FUNC (PbDbResult, _pb_db_result_free)

G_END_DECLS
