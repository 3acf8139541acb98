/* pb-project.h — a Perturb project: one SQLite file with a versioned schema.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib-object.h>
#include <sqlite3.h>

G_BEGIN_DECLS

#define PB_PROJECT_SUFFIX ".perturb"
/* PRAGMA application_id of every project file: "PBRT" */
#define PB_PROJECT_APPLICATION_ID 0x50425254

typedef enum
{
  PB_PROJECT_OPEN_DEFAULT   = 0,
  PB_PROJECT_OPEN_READ_ONLY = 1 << 0, /* no migrations, no writes */
} PbProjectOpenFlags;

/**
 * PbProjectTableInfo:
 * @name: table name
 * @n_rows: number of rows
 */
typedef struct
{
  char   *name;
  gint64  n_rows;
} PbProjectTableInfo;

/**
 * PbProjectTxnFunc:
 * @db: the project's connection, inside an open write transaction
 * @user_data: the data given to pb_project_run_in_transaction()
 * @error: return location for an error
 *
 * Returns: %TRUE to commit, %FALSE (with @error set) to roll back.
 */
typedef gboolean (*PbProjectTxnFunc) (sqlite3  *db,
                                      gpointer  user_data,
                                      GError  **error);

#define PB_TYPE_PROJECT (pb_project_get_type ())
G_DECLARE_FINAL_TYPE (PbProject, pb_project, PB, PROJECT, GObject)

PbProject  *pb_project_create                 (const char          *path,
                                               GError             **error);
PbProject  *pb_project_open                   (const char          *path,
                                               GError             **error);
PbProject  *pb_project_open_full              (const char          *path,
                                               PbProjectOpenFlags   flags,
                                               int                  busy_timeout_ms,
                                               GError             **error);
void        pb_project_close                  (PbProject           *self);
gboolean    pb_project_is_open                (PbProject           *self);
const char *pb_project_get_path               (PbProject           *self);
char       *pb_project_dup_display_name       (PbProject           *self);
int         pb_project_get_schema_version     (PbProject           *self);
sqlite3    *pb_project_get_db                 (PbProject           *self);
gboolean    pb_project_set_metadata           (PbProject           *self,
                                               const char          *key,
                                               const char          *value,
                                               GError             **error);
char       *pb_project_dup_metadata           (PbProject           *self,
                                               const char          *key);
GHashTable *pb_project_dup_all_metadata       (PbProject           *self,
                                               GError             **error);
gboolean    pb_project_run_in_transaction     (PbProject           *self,
                                               PbProjectTxnFunc     func,
                                               gpointer             user_data,
                                               GError             **error);
gboolean    pb_project_exec                   (PbProject           *self,
                                               const char          *sql,
                                               GError             **error);
GPtrArray  *pb_project_list_tables            (PbProject           *self,
                                               GError             **error);
gint64      pb_project_get_file_size          (PbProject           *self);

int         pb_project_get_latest_schema_version (void);

void        pb_project_table_info_free        (PbProjectTableInfo  *info);

/* SQLite helpers shared by engine modules */
gboolean    pb_sqlite_check                   (sqlite3             *db,
                                               int                  rc,
                                               const char          *what,
                                               GError             **error);
gboolean    pb_sqlite_exec                    (sqlite3             *db,
                                               const char          *sql,
                                               GError             **error);
sqlite3_stmt *pb_sqlite_prepare               (sqlite3             *db,
                                               const char          *sql,
                                               GError             **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (PbProjectTableInfo, pb_project_table_info_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (sqlite3_stmt, sqlite3_finalize)

G_END_DECLS
