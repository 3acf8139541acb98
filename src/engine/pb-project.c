/* pb-project.c — a Perturb project: one SQLite file with a versioned schema.
 *
 * A project file is checked before SQLite touches it (header, application id,
 * schema version are read from the first 100 bytes), so a wrong file is refused
 * without being modified. New projects are built under a temporary name and
 * linked into place only when complete; migrations run in one transaction.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "pb-project.h"
#include "pb-project-private.h"

#include "pb-error.h"

#include <errno.h>
#include <fcntl.h>
#include <glib/gstdio.h>
#include <string.h>
#include <unistd.h>

/* Files up to this size get a full PRAGMA integrity_check on open; larger ones the
 * O(N) but much cheaper quick_check, so opening a multi-GB project stays quick. */
#define PB_PROJECT_FULL_CHECK_MAX_BYTES (64 * 1024 * 1024)
#define PB_PROJECT_DEFAULT_BUSY_TIMEOUT_MS 5000

struct _PbProject
{
  GObject  parent_instance;

  char    *path;
  sqlite3 *db;
  int      schema_version;
  gboolean read_only;
};

G_DEFINE_FINAL_TYPE (PbProject, pb_project, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_PATH,
  N_PROPS
};

static GParamSpec *properties [N_PROPS];

gboolean
pb_sqlite_check (sqlite3    *db,
                 int         rc,
                 const char *what,
                 GError    **error)
{
  int code;

  if (rc == SQLITE_OK || rc == SQLITE_DONE || rc == SQLITE_ROW)
    return TRUE;

  switch (rc & 0xff)
    {
    case SQLITE_CORRUPT:
    case SQLITE_NOTADB:
      code = PB_ENGINE_ERROR_CORRUPT;
      break;

    case SQLITE_BUSY:
    case SQLITE_LOCKED:
      code = PB_ENGINE_ERROR_LOCKED;
      break;

    case SQLITE_READONLY:
    case SQLITE_CANTOPEN:
    case SQLITE_PERM:
      code = PB_ENGINE_ERROR_READ_ONLY;
      break;

    default:
      code = PB_ENGINE_ERROR_DATABASE;
      break;
    }

  g_set_error (error, PB_ENGINE_ERROR, code, "%s: %s", what,
               db != NULL ? sqlite3_errmsg (db) : sqlite3_errstr (rc));
  return FALSE;
}

gboolean
pb_sqlite_exec (sqlite3    *db,
                const char *sql,
                GError    **error)
{
  char *errmsg = NULL;
  int rc = sqlite3_exec (db, sql, NULL, NULL, &errmsg);

  if (rc != SQLITE_OK)
    {
      int code = PB_ENGINE_ERROR_DATABASE;

      if ((rc & 0xff) == SQLITE_BUSY || (rc & 0xff) == SQLITE_LOCKED)
        code = PB_ENGINE_ERROR_LOCKED;
      else if ((rc & 0xff) == SQLITE_CORRUPT || (rc & 0xff) == SQLITE_NOTADB)
        code = PB_ENGINE_ERROR_CORRUPT;
      else if ((rc & 0xff) == SQLITE_READONLY)
        code = PB_ENGINE_ERROR_READ_ONLY;
      g_set_error (error, PB_ENGINE_ERROR, code, "%s",
                   errmsg != NULL ? errmsg : sqlite3_errstr (rc));
      sqlite3_free (errmsg);
      return FALSE;
    }

  return TRUE;
}

sqlite3_stmt *
pb_sqlite_prepare (sqlite3    *db,
                   const char *sql,
                   GError    **error)
{
  sqlite3_stmt *stmt = NULL;
  int rc = sqlite3_prepare_v2 (db, sql, -1, &stmt, NULL);

  if (!pb_sqlite_check (db, rc, "SQL", error))
    {
      sqlite3_finalize (stmt);
      return NULL;
    }

  return stmt;
}

static guint32
read_be32 (const guint8 *p)
{
  return ((guint32) p[0] << 24) | ((guint32) p[1] << 16) | ((guint32) p[2] << 8) | p[3];
}

/* Checks the 100-byte SQLite header of @path without opening it with SQLite. */
static gboolean
check_header (const char *path,
              int        *schema_version,
              GError    **error)
{
  g_autofree char *display = g_filename_display_name (path);
  guint8 header[100];
  ssize_t n;
  int fd;

  fd = g_open (path, O_RDONLY | O_CLOEXEC, 0);
  if (fd < 0)
    {
      int saved = errno;
      g_set_error (error, PB_ENGINE_ERROR,
                   saved == ENOENT ? PB_ENGINE_ERROR_NOT_FOUND : PB_ENGINE_ERROR_FAILED,
                   "Cannot read project %s: %s", display, g_strerror (saved));
      return FALSE;
    }

  n = read (fd, header, sizeof header);
  close (fd);

  if (n == 0)
    {
      g_set_error (error, PB_ENGINE_ERROR, PB_ENGINE_ERROR_NOT_A_PROJECT,
                   "%s is not a Perturb project: the file is empty", display);
      return FALSE;
    }

  if (n < (ssize_t) sizeof header || memcmp (header, "SQLite format 3", 16) != 0)
    {
      g_set_error (error, PB_ENGINE_ERROR, PB_ENGINE_ERROR_NOT_A_PROJECT,
                   "%s is not a Perturb project: it is not an SQLite database", display);
      return FALSE;
    }

  if (read_be32 (header + 68) != PB_PROJECT_APPLICATION_ID)
    {
      g_set_error (error, PB_ENGINE_ERROR, PB_ENGINE_ERROR_NOT_A_PROJECT,
                   "%s is an SQLite database but not a Perturb project", display);
      return FALSE;
    }

  *schema_version = (int) read_be32 (header + 60);
  return TRUE;
}

static gboolean
check_writable (const char *path,
                GError    **error)
{
  g_autofree char *dir = g_path_get_dirname (path);
  g_autofree char *display = g_filename_display_name (path);

  /* WAL mode needs the -wal and -shm files beside the project. */
  if (g_access (path, W_OK) != 0 || g_access (dir, W_OK) != 0)
    {
      g_set_error (error, PB_ENGINE_ERROR, PB_ENGINE_ERROR_READ_ONLY,
                   "Cannot write to %s: the file or its folder is read-only "
                   "(copy the project to a writable folder)", display);
      return FALSE;
    }

  return TRUE;
}

static gboolean
query_int (sqlite3    *db,
           const char *sql,
           int        *out,
           GError    **error)
{
  g_autoptr(sqlite3_stmt) stmt = pb_sqlite_prepare (db, sql, error);
  int rc;

  if (stmt == NULL)
    return FALSE;

  rc = sqlite3_step (stmt);
  if (rc != SQLITE_ROW)
    return pb_sqlite_check (db, rc == SQLITE_DONE ? SQLITE_ERROR : rc, sql, error);

  *out = sqlite3_column_int (stmt, 0);
  return TRUE;
}

static gboolean
check_integrity (sqlite3    *db,
                 gint64      size,
                 GError    **error)
{
  const char *sql = size <= PB_PROJECT_FULL_CHECK_MAX_BYTES
                    ? "PRAGMA integrity_check(1)" : "PRAGMA quick_check(1)";
  g_autoptr(sqlite3_stmt) stmt = pb_sqlite_prepare (db, sql, error);
  const char *result;
  int rc;

  if (stmt == NULL)
    return FALSE;

  rc = sqlite3_step (stmt);
  if (rc != SQLITE_ROW)
    {
      g_set_error (error, PB_ENGINE_ERROR, PB_ENGINE_ERROR_CORRUPT,
                   "The project file is damaged: %s", sqlite3_errmsg (db));
      return FALSE;
    }

  result = (const char *) sqlite3_column_text (stmt, 0);
  if (g_strcmp0 (result, "ok") != 0)
    {
      g_set_error (error, PB_ENGINE_ERROR, PB_ENGINE_ERROR_CORRUPT,
                   "The project file is damaged (integrity check: %s)",
                   result != NULL ? result : "no answer");
      return FALSE;
    }

  return TRUE;
}

static gboolean
apply_migrations (sqlite3 *db,
                  int      from_version,
                  int     *to_version,
                  GError **error)
{
  guint n_migrations;
  const PbMigration *migrations = _pb_project_get_migrations (&n_migrations);

  if (!pb_sqlite_exec (db, "BEGIN IMMEDIATE", error))
    {
      g_prefix_error (error, "Cannot update the project: ");
      return FALSE;
    }

  for (guint i = 0; i < n_migrations; i++)
    {
      const PbMigration *m = &migrations[i];
      g_autofree char *bump = NULL;
      g_autoptr(sqlite3_stmt) log = NULL;

      g_assert (m->version == (int) i + 1);

      if (m->version <= from_version)
        continue;

      bump = g_strdup_printf ("PRAGMA user_version = %d", m->version);
      if (!pb_sqlite_exec (db, m->sql, error) || !pb_sqlite_exec (db, bump, error))
        goto fail;

      log = pb_sqlite_prepare (db, "INSERT INTO schema_migrations (version, name) VALUES (?, ?)",
                               error);
      if (log == NULL)
        goto fail;
      sqlite3_bind_int (log, 1, m->version);
      sqlite3_bind_text (log, 2, m->name, -1, SQLITE_STATIC);
      if (!pb_sqlite_check (db, sqlite3_step (log), "migration log", error))
        goto fail;

      *to_version = m->version;
      continue;

    fail:
      g_prefix_error (error, "Schema migration %d (%s) failed: ", m->version, m->name);
      pb_sqlite_exec (db, "ROLLBACK", NULL);
      return FALSE;
    }

  return pb_sqlite_exec (db, "COMMIT", error);
}

static void
pb_project_finalize (GObject *object)
{
  PbProject *self = (PbProject *)object;

  pb_project_close (self);
  g_clear_pointer (&self->path, g_free);

  G_OBJECT_CLASS (pb_project_parent_class)->finalize (object);
}

static void
pb_project_get_property (GObject    *object,
                         guint       prop_id,
                         GValue     *value,
                         GParamSpec *pspec)
{
  PbProject *self = PB_PROJECT (object);

  switch (prop_id)
    {
    case PROP_PATH:
      g_value_set_string (value, self->path);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
pb_project_class_init (PbProjectClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = pb_project_finalize;
  object_class->get_property = pb_project_get_property;

  properties [PROP_PATH] =
    g_param_spec_string ("path", NULL, NULL, NULL,
                         (G_PARAM_READABLE | G_PARAM_STATIC_STRINGS));
  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
pb_project_init (PbProject *self)
{
}

/**
 * pb_project_open_full:
 * @path: a `.perturb` file
 * @flags: #PbProjectOpenFlags
 * @busy_timeout_ms: how long to wait for another writer, or -1 for the default (5 s)
 * @error: return location for an error
 *
 * Opens an existing project, checks its integrity and brings its schema up to
 * date. A file that is not a project, is damaged, is newer than this build, sits
 * in a read-only place or is locked by another writer is refused with an error and
 * left untouched.
 *
 * Returns: (transfer full) (nullable): the project, or %NULL with @error set.
 */
PbProject *
pb_project_open_full (const char          *path,
                      PbProjectOpenFlags   flags,
                      int                  busy_timeout_ms,
                      GError             **error)
{
  g_autoptr(PbProject) self = NULL;
  g_autofree char *display = NULL;
  gboolean read_only = (flags & PB_PROJECT_OPEN_READ_ONLY) != 0;
  int header_version = 0;
  int version = 0;
  int rc;
  GStatBuf st;

  if (path == NULL || *path == '\0')
    {
      g_set_error_literal (error, PB_ENGINE_ERROR, PB_ENGINE_ERROR_INVALID_ARGUMENT,
                           "No project file given");
      return NULL;
    }

  display = g_filename_display_name (path);

  if (g_stat (path, &st) != 0)
    {
      g_set_error (error, PB_ENGINE_ERROR, PB_ENGINE_ERROR_NOT_FOUND,
                   "No project at %s: %s", display, g_strerror (errno));
      return NULL;
    }

  if (!S_ISREG (st.st_mode))
    {
      g_set_error (error, PB_ENGINE_ERROR, PB_ENGINE_ERROR_NOT_A_PROJECT,
                   "%s is not a Perturb project: it is not a regular file", display);
      return NULL;
    }

  if (!check_header (path, &header_version, error))
    return NULL;

  if (header_version > pb_project_get_latest_schema_version ())
    {
      g_set_error (error, PB_ENGINE_ERROR, PB_ENGINE_ERROR_SCHEMA_TOO_NEW,
                   "%s was written by a newer Perturb (schema version %d; this build "
                   "knows up to %d): update Perturb to open it",
                   display, header_version, pb_project_get_latest_schema_version ());
      return NULL;
    }

  if (!read_only && !check_writable (path, error))
    return NULL;

  self = g_object_new (PB_TYPE_PROJECT, NULL);
  self->path = g_strdup (path);
  self->read_only = read_only;

  rc = sqlite3_open_v2 (path, &self->db,
                        (read_only ? SQLITE_OPEN_READONLY : SQLITE_OPEN_READWRITE)
                        | SQLITE_OPEN_NOMUTEX, NULL);
  if (!pb_sqlite_check (self->db, rc, "Cannot open project", error))
    return NULL;

  sqlite3_busy_timeout (self->db, busy_timeout_ms >= 0 ? busy_timeout_ms
                                                       : PB_PROJECT_DEFAULT_BUSY_TIMEOUT_MS);
  sqlite3_extended_result_codes (self->db, 0);

  if (!check_integrity (self->db, st.st_size, error))
    {
      g_prefix_error (error, "%s: ", display);
      return NULL;
    }

  if (!pb_sqlite_exec (self->db, "PRAGMA foreign_keys = ON", error) ||
      !query_int (self->db, "PRAGMA user_version", &version, error))
    {
      g_prefix_error (error, "%s: ", display);
      return NULL;
    }

  if (!read_only)
    {
      g_autoptr(GError) local_error = NULL;

      /* Take the write lock once, even when nothing is to migrate: a project that
       * another process is writing is refused rather than half-shared. */
      if (!pb_sqlite_exec (self->db, "PRAGMA journal_mode = WAL", &local_error) ||
          !apply_migrations (self->db, version, &version, &local_error))
        {
          if (g_error_matches (local_error, PB_ENGINE_ERROR, PB_ENGINE_ERROR_LOCKED))
            g_set_error (error, PB_ENGINE_ERROR, PB_ENGINE_ERROR_LOCKED,
                         "%s is locked by another program writing to it; "
                         "try again when it has finished", display);
          else
            g_propagate_prefixed_error (error, g_steal_pointer (&local_error), "%s: ", display);
          return NULL;
        }
    }

  self->schema_version = version;
  return g_steal_pointer (&self);
}

/**
 * pb_project_open:
 * @path: a `.perturb` file
 * @error: return location for an error
 *
 * Opens @path for reading and writing; see pb_project_open_full().
 *
 * Returns: (transfer full) (nullable): the project, or %NULL with @error set.
 */
PbProject *
pb_project_open (const char  *path,
                 GError     **error)
{
  return pb_project_open_full (path, PB_PROJECT_OPEN_DEFAULT, -1, error);
}

static void
remove_with_sidecars (const char *path)
{
  g_autofree char *wal = g_strconcat (path, "-wal", NULL);
  g_autofree char *shm = g_strconcat (path, "-shm", NULL);
  g_autofree char *journal = g_strconcat (path, "-journal", NULL);

  g_unlink (wal);
  g_unlink (shm);
  g_unlink (journal);
  g_unlink (path);
}

static gboolean
build_new_file (const char  *tmp_path,
                GError     **error)
{
  g_autofree char *app_id = NULL;
  sqlite3 *db = NULL;
  int version = 0;
  gboolean ok;
  int rc;

  rc = sqlite3_open_v2 (tmp_path, &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL);
  if (!pb_sqlite_check (db, rc, "Cannot create project", error))
    {
      sqlite3_close (db);
      return FALSE;
    }

  app_id = g_strdup_printf ("PRAGMA application_id = %d", PB_PROJECT_APPLICATION_ID);
  ok = pb_sqlite_exec (db, app_id, error) &&
       pb_sqlite_exec (db, "PRAGMA foreign_keys = ON", error) &&
       apply_migrations (db, 0, &version, error) &&
       pb_sqlite_exec (db, "PRAGMA journal_mode = WAL", error);

  rc = sqlite3_close (db);
  if (ok && rc != SQLITE_OK)
    ok = pb_sqlite_check (NULL, rc, "Cannot finish the new project", error);

  return ok;
}

/**
 * pb_project_create:
 * @path: where the new `.perturb` file goes; must not exist yet
 * @error: return location for an error
 *
 * Creates a project with the current schema. The file appears at @path only once
 * it is complete.
 *
 * Returns: (transfer full) (nullable): the open project, or %NULL with @error set.
 */
PbProject *
pb_project_create (const char  *path,
                   GError     **error)
{
  g_autofree char *display = NULL;
  g_autofree char *dir = NULL;
  g_autofree char *tmp_path = NULL;
  int fd;

  if (path == NULL || *path == '\0')
    {
      g_set_error_literal (error, PB_ENGINE_ERROR, PB_ENGINE_ERROR_INVALID_ARGUMENT,
                           "No project file given");
      return NULL;
    }

  display = g_filename_display_name (path);
  dir = g_path_get_dirname (path);

  if (g_file_test (path, G_FILE_TEST_EXISTS))
    {
      g_set_error (error, PB_ENGINE_ERROR, PB_ENGINE_ERROR_EXISTS,
                   "%s already exists; choose another name or open it", display);
      return NULL;
    }

  if (!g_file_test (dir, G_FILE_TEST_IS_DIR))
    {
      g_autofree char *dir_display = g_filename_display_name (dir);
      g_set_error (error, PB_ENGINE_ERROR, PB_ENGINE_ERROR_NOT_FOUND,
                   "Cannot create %s: the folder %s does not exist", display, dir_display);
      return NULL;
    }

  if (g_access (dir, W_OK) != 0)
    {
      g_autofree char *dir_display = g_filename_display_name (dir);
      g_set_error (error, PB_ENGINE_ERROR, PB_ENGINE_ERROR_READ_ONLY,
                   "Cannot create %s: the folder %s is read-only", display, dir_display);
      return NULL;
    }

  tmp_path = g_strconcat (path, ".new-XXXXXX", NULL);
  fd = g_mkstemp (tmp_path);
  if (fd < 0)
    {
      int saved = errno;
      g_set_error (error, PB_ENGINE_ERROR,
                   saved == EACCES || saved == EROFS || saved == EPERM
                   ? PB_ENGINE_ERROR_READ_ONLY : PB_ENGINE_ERROR_FAILED,
                   "Cannot create %s: %s", display, g_strerror (saved));
      return NULL;
    }
  close (fd);

  if (!build_new_file (tmp_path, error))
    {
      remove_with_sidecars (tmp_path);
      g_prefix_error (error, "Cannot create %s: ", display);
      return NULL;
    }

  /* link() refuses to replace a file that appeared meanwhile; rename() would not. */
  if (link (tmp_path, path) != 0)
    {
      int saved = errno;
      remove_with_sidecars (tmp_path);
      g_set_error (error, PB_ENGINE_ERROR,
                   saved == EEXIST ? PB_ENGINE_ERROR_EXISTS : PB_ENGINE_ERROR_FAILED,
                   "Cannot create %s: %s", display, g_strerror (saved));
      return NULL;
    }
  g_unlink (tmp_path);

  return pb_project_open (path, error);
}

/**
 * pb_project_close:
 * @self: a #PbProject
 *
 * Checkpoints the write-ahead log and closes the connection. Safe to call twice;
 * the object stays valid but pb_project_get_db() returns %NULL afterwards.
 */
void
pb_project_close (PbProject *self)
{
  g_return_if_fail (PB_IS_PROJECT (self));

  if (self->db == NULL)
    return;

  if (!self->read_only)
    sqlite3_exec (self->db, "PRAGMA wal_checkpoint(TRUNCATE)", NULL, NULL, NULL);
  sqlite3_close_v2 (self->db);
  self->db = NULL;
}

gboolean
pb_project_is_open (PbProject *self)
{
  g_return_val_if_fail (PB_IS_PROJECT (self), FALSE);

  return self->db != NULL;
}

const char *
pb_project_get_path (PbProject *self)
{
  g_return_val_if_fail (PB_IS_PROJECT (self), NULL);

  return self->path;
}

/**
 * pb_project_dup_display_name:
 * @self: a #PbProject
 *
 * Returns: (transfer full): the file's base name without the `.perturb` suffix.
 */
char *
pb_project_dup_display_name (PbProject *self)
{
  g_autofree char *base = NULL;
  g_autofree char *utf8 = NULL;

  g_return_val_if_fail (PB_IS_PROJECT (self), NULL);

  base = g_path_get_basename (self->path);
  utf8 = g_filename_display_name (base);
  if (g_str_has_suffix (utf8, PB_PROJECT_SUFFIX))
    utf8[strlen (utf8) - strlen (PB_PROJECT_SUFFIX)] = '\0';

  return g_steal_pointer (&utf8);
}

int
pb_project_get_schema_version (PbProject *self)
{
  g_return_val_if_fail (PB_IS_PROJECT (self), 0);

  return self->schema_version;
}

int
pb_project_get_latest_schema_version (void)
{
  guint n_migrations;

  _pb_project_get_migrations (&n_migrations);
  return (int) n_migrations;
}

/**
 * pb_project_get_db:
 * @self: a #PbProject
 *
 * The connection belongs to the thread that opened the project; a worker thread
 * opens its own project with pb_project_open (pb_project_get_path (self), …).
 *
 * Returns: (transfer none) (nullable): the SQLite connection, %NULL once closed.
 */
sqlite3 *
pb_project_get_db (PbProject *self)
{
  g_return_val_if_fail (PB_IS_PROJECT (self), NULL);

  return self->db;
}

static gboolean
require_open (PbProject  *self,
              GError    **error)
{
  if (self->db != NULL)
    return TRUE;

  g_set_error (error, PB_ENGINE_ERROR, PB_ENGINE_ERROR_FAILED,
               "The project %s is closed", self->path);
  return FALSE;
}

gboolean
pb_project_set_metadata (PbProject   *self,
                         const char  *key,
                         const char  *value,
                         GError     **error)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;

  g_return_val_if_fail (PB_IS_PROJECT (self), FALSE);
  g_return_val_if_fail (key != NULL, FALSE);

  if (!require_open (self, error))
    return FALSE;

  if (value == NULL)
    stmt = pb_sqlite_prepare (self->db, "DELETE FROM metadata WHERE key = ?1", error);
  else
    stmt = pb_sqlite_prepare (self->db,
                              "INSERT INTO metadata (key, value) VALUES (?1, ?2) "
                              "ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                              error);
  if (stmt == NULL)
    return FALSE;

  sqlite3_bind_text (stmt, 1, key, -1, SQLITE_TRANSIENT);
  if (value != NULL)
    sqlite3_bind_text (stmt, 2, value, -1, SQLITE_TRANSIENT);

  return pb_sqlite_check (self->db, sqlite3_step (stmt), "Cannot store metadata", error);
}

/**
 * pb_project_dup_metadata:
 * @self: a #PbProject
 * @key: the key
 *
 * Returns: (transfer full) (nullable): the value, or %NULL if @key is not set.
 */
char *
pb_project_dup_metadata (PbProject  *self,
                         const char *key)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;

  g_return_val_if_fail (PB_IS_PROJECT (self), NULL);
  g_return_val_if_fail (key != NULL, NULL);

  if (self->db == NULL)
    return NULL;

  stmt = pb_sqlite_prepare (self->db, "SELECT value FROM metadata WHERE key = ?1", NULL);
  if (stmt == NULL)
    return NULL;

  sqlite3_bind_text (stmt, 1, key, -1, SQLITE_TRANSIENT);
  if (sqlite3_step (stmt) != SQLITE_ROW)
    return NULL;

  return g_strdup ((const char *) sqlite3_column_text (stmt, 0));
}

/**
 * pb_project_dup_all_metadata:
 * @self: a #PbProject
 * @error: return location for an error
 *
 * Returns: (transfer full) (nullable): a key → value table of strings.
 */
GHashTable *
pb_project_dup_all_metadata (PbProject  *self,
                             GError    **error)
{
  g_autoptr(GHashTable) table = NULL;
  g_autoptr(sqlite3_stmt) stmt = NULL;
  int rc;

  g_return_val_if_fail (PB_IS_PROJECT (self), NULL);

  if (!require_open (self, error))
    return NULL;

  stmt = pb_sqlite_prepare (self->db, "SELECT key, value FROM metadata ORDER BY key", error);
  if (stmt == NULL)
    return NULL;

  table = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    g_hash_table_insert (table,
                         g_strdup ((const char *) sqlite3_column_text (stmt, 0)),
                         g_strdup ((const char *) sqlite3_column_text (stmt, 1)));

  if (!pb_sqlite_check (self->db, rc, "Cannot read metadata", error))
    return NULL;

  return g_steal_pointer (&table);
}

/**
 * pb_project_run_in_transaction:
 * @self: a #PbProject
 * @func: (scope call): the work to do
 * @user_data: data for @func
 * @error: return location for an error
 *
 * Runs @func inside `BEGIN IMMEDIATE … COMMIT`; if @func fails, or the commit
 * does, everything it wrote is rolled back and the project is as it was.
 *
 * Returns: %TRUE if @func succeeded and its changes were committed.
 */
gboolean
pb_project_run_in_transaction (PbProject         *self,
                               PbProjectTxnFunc   func,
                               gpointer           user_data,
                               GError           **error)
{
  g_return_val_if_fail (PB_IS_PROJECT (self), FALSE);
  g_return_val_if_fail (func != NULL, FALSE);

  if (!require_open (self, error))
    return FALSE;

  if (self->read_only)
    {
      g_set_error (error, PB_ENGINE_ERROR, PB_ENGINE_ERROR_READ_ONLY,
                   "The project %s is open read-only", self->path);
      return FALSE;
    }

  if (!pb_sqlite_exec (self->db, "BEGIN IMMEDIATE", error))
    return FALSE;

  if (!func (self->db, user_data, error))
    {
      pb_sqlite_exec (self->db, "ROLLBACK", NULL);
      return FALSE;
    }

  if (!pb_sqlite_exec (self->db, "COMMIT", error))
    {
      pb_sqlite_exec (self->db, "ROLLBACK", NULL);
      return FALSE;
    }

  return TRUE;
}

gboolean
pb_project_exec (PbProject   *self,
                 const char  *sql,
                 GError     **error)
{
  g_return_val_if_fail (PB_IS_PROJECT (self), FALSE);

  if (!require_open (self, error))
    return FALSE;

  return pb_sqlite_exec (self->db, sql, error);
}

void
pb_project_table_info_free (PbProjectTableInfo *info)
{
  if (info == NULL)
    return;

  g_free (info->name);
  g_free (info);
}

/**
 * pb_project_list_tables:
 * @self: a #PbProject
 * @error: return location for an error
 *
 * Returns: (transfer full) (element-type PbProjectTableInfo) (nullable): every
 *   table of the project with its row count, sorted by name.
 */
GPtrArray *
pb_project_list_tables (PbProject  *self,
                        GError    **error)
{
  g_autoptr(GPtrArray) tables = NULL;
  g_autoptr(sqlite3_stmt) stmt = NULL;
  int rc;

  g_return_val_if_fail (PB_IS_PROJECT (self), NULL);

  if (!require_open (self, error))
    return NULL;

  stmt = pb_sqlite_prepare (self->db,
                            "SELECT name FROM sqlite_schema WHERE type = 'table' "
                            "AND name NOT LIKE 'sqlite_%' ORDER BY name", error);
  if (stmt == NULL)
    return NULL;

  tables = g_ptr_array_new_with_free_func ((GDestroyNotify) pb_project_table_info_free);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      PbProjectTableInfo *info = g_new0 (PbProjectTableInfo, 1);
      info->name = g_strdup ((const char *) sqlite3_column_text (stmt, 0));
      g_ptr_array_add (tables, info);
    }
  if (!pb_sqlite_check (self->db, rc, "Cannot list tables", error))
    return NULL;

  for (guint i = 0; i < tables->len; i++)
    {
      PbProjectTableInfo *info = g_ptr_array_index (tables, i);
      g_autoptr(sqlite3_stmt) count = NULL;
      char *sql = sqlite3_mprintf ("SELECT count(*) FROM \"%w\"", info->name);

      count = pb_sqlite_prepare (self->db, sql, error);
      sqlite3_free (sql);
      if (count == NULL)
        return NULL;
      rc = sqlite3_step (count);
      if (rc != SQLITE_ROW)
        {
          pb_sqlite_check (self->db, rc, "Cannot count rows", error);
          return NULL;
        }
      info->n_rows = sqlite3_column_int64 (count, 0);
    }

  return g_steal_pointer (&tables);
}

/**
 * pb_project_get_file_size:
 * @self: a #PbProject
 *
 * Returns: bytes on disk of the project file and its write-ahead log, or -1.
 */
gint64
pb_project_get_file_size (PbProject *self)
{
  g_autofree char *wal = NULL;
  GStatBuf st;
  gint64 size;

  g_return_val_if_fail (PB_IS_PROJECT (self), -1);

  if (g_stat (self->path, &st) != 0)
    return -1;
  size = st.st_size;

  wal = g_strconcat (self->path, "-wal", NULL);
  if (g_stat (wal, &st) == 0)
    size += st.st_size;

  return size;
}
