/* test-project.c — the project store: create, open, migrate, and every bad file.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "pb-engine.h"
#include "pb-project-private.h"

#include "pb-test-util.h"

#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>

typedef struct
{
  char *dir;
  char *path;
} Fixture;

static void
fixture_setup (Fixture       *f,
               gconstpointer  data)
{
  f->dir = pb_test_mkdtemp ();
  f->path = g_build_filename (f->dir, "study.perturb", NULL);
}

static void
fixture_tear (Fixture       *f,
              gconstpointer  data)
{
  g_chmod (f->dir, 0700);
  pb_test_rmdir (f->dir);
  g_free (f->path);
  g_free (f->dir);
}

static GBytes *
read_file (const char *path)
{
  g_autoptr(GError) error = NULL;
  char *contents = NULL;
  gsize len = 0;

  g_file_get_contents (path, &contents, &len, &error);
  g_assert_no_error (error);
  return g_bytes_new_take (contents, len);
}

static void
assert_file_unchanged (const char *path,
                       GBytes     *before)
{
  g_autoptr(GBytes) after = read_file (path);

  g_assert_true (g_bytes_equal (before, after));
}

static void
make_project (const char *path)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(PbProject) project = pb_project_create (path, &error);

  g_assert_no_error (error);
  g_assert_nonnull (project);
  pb_project_close (project);
}

static void
raw_exec (const char *path,
          const char *sql)
{
  sqlite3 *db = NULL;

  g_assert_cmpint (sqlite3_open (path, &db), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_exec (db, sql, NULL, NULL, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_close (db), ==, SQLITE_OK);
}

/* Opening @path fails with @code and a message that contains @needle, and
 * leaves the file as it was. */
static void
assert_open_refused (const char *path,
                     int         code,
                     const char *needle)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(PbProject) project = NULL;
  g_autoptr(GBytes) before = read_file (path);

  project = pb_project_open (path, &error);
  g_assert_error (error, PB_ENGINE_ERROR, code);
  g_assert_nonnull (strstr (error->message, needle));
  g_assert_null (project);
  assert_file_unchanged (path, before);
}

static void
test_create_and_reopen (Fixture       *f,
                        gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(PbProject) project = NULL;
  g_autoptr(PbProject) again = NULL;
  g_autofree char *value = NULL;
  g_autofree char *name = NULL;
  g_autoptr(GPtrArray) tables = NULL;
  gboolean has_metadata = FALSE;

  project = pb_project_create (f->path, &error);
  g_assert_no_error (error);
  g_assert_cmpint (pb_project_get_schema_version (project), ==,
                   pb_project_get_latest_schema_version ());
  g_assert_cmpint (pb_project_get_latest_schema_version (), >=, 2);
  g_assert_true (pb_project_set_metadata (project, "title", "Mortality study", &error));
  g_assert_no_error (error);
  g_assert_true (pb_project_set_metadata (project, "title", "Mortality study 2", &error));
  name = pb_project_dup_display_name (project);
  g_assert_cmpstr (name, ==, "study");
  pb_project_close (project);
  g_assert_false (pb_project_is_open (project));
  g_assert_null (pb_project_dup_metadata (project, "title"));

  /* no temporary files are left beside it */
  {
    g_autoptr(GDir) dir = g_dir_open (f->dir, 0, NULL);
    const char *entry;
    guint n = 0;

    while ((entry = g_dir_read_name (dir)) != NULL)
      {
        g_assert_false (strstr (entry, ".new-") != NULL);
        n++;
      }
    g_assert_cmpuint (n, ==, 1);
  }

  again = pb_project_open (f->path, &error);
  g_assert_no_error (error);
  value = pb_project_dup_metadata (again, "title");
  g_assert_cmpstr (value, ==, "Mortality study 2");
  g_assert_null (pb_project_dup_metadata (again, "missing"));

  tables = pb_project_list_tables (again, &error);
  g_assert_no_error (error);
  for (guint i = 0; i < tables->len; i++)
    {
      PbProjectTableInfo *info = g_ptr_array_index (tables, i);
      if (g_str_equal (info->name, "metadata"))
        {
          has_metadata = TRUE;
          g_assert_cmpint (info->n_rows, ==, 1);
        }
    }
  g_assert_true (has_metadata);
  g_assert_cmpint (pb_project_get_file_size (again), >, 0);

  /* WAL mode and foreign keys are on */
  {
    sqlite3_stmt *stmt = NULL;
    sqlite3_prepare_v2 (pb_project_get_db (again), "PRAGMA journal_mode", -1, &stmt, NULL);
    g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
    g_assert_cmpstr ((const char *) sqlite3_column_text (stmt, 0), ==, "wal");
    sqlite3_finalize (stmt);
    sqlite3_prepare_v2 (pb_project_get_db (again), "PRAGMA foreign_keys", -1, &stmt, NULL);
    g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
    g_assert_cmpint (sqlite3_column_int (stmt, 0), ==, 1);
    sqlite3_finalize (stmt);
  }
}

static void
test_create_refuses_existing (Fixture       *f,
                              gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(PbProject) project = NULL;
  g_autoptr(GBytes) before = NULL;

  g_file_set_contents (f->path, "keep me", -1, NULL);
  before = read_file (f->path);
  project = pb_project_create (f->path, &error);
  g_assert_error (error, PB_ENGINE_ERROR, PB_ENGINE_ERROR_EXISTS);
  g_assert_null (project);
  assert_file_unchanged (f->path, before);
}

static void
test_create_in_missing_folder (Fixture       *f,
                               gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *path = g_build_filename (f->dir, "no", "such", "x.perturb", NULL);
  g_autoptr(PbProject) project = pb_project_create (path, &error);

  g_assert_error (error, PB_ENGINE_ERROR, PB_ENGINE_ERROR_NOT_FOUND);
  g_assert_nonnull (strstr (error->message, "does not exist"));
  g_assert_null (project);
}

static void
test_open_missing (Fixture       *f,
                   gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(PbProject) project = pb_project_open (f->path, &error);

  g_assert_error (error, PB_ENGINE_ERROR, PB_ENGINE_ERROR_NOT_FOUND);
  g_assert_nonnull (strstr (error->message, "study.perturb"));
  g_assert_null (project);
  g_assert_false (g_file_test (f->path, G_FILE_TEST_EXISTS));
}

static void
test_open_not_sqlite (Fixture       *f,
                      gconstpointer  data)
{
  const char *cases[] = { "", "hello, this is a CSV file\n1,2,3\n" };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_file_set_contents (f->path, cases[i], -1, NULL);
      assert_open_refused (f->path, PB_ENGINE_ERROR_NOT_A_PROJECT, "not a Perturb project");
    }
}

static void
test_open_foreign_sqlite (Fixture       *f,
                          gconstpointer  data)
{
  raw_exec (f->path, "CREATE TABLE t (a); INSERT INTO t VALUES (1);");
  assert_open_refused (f->path, PB_ENGINE_ERROR_NOT_A_PROJECT,
                       "SQLite database but not a Perturb project");
}

static void
test_open_corrupted (Fixture       *f,
                     gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(PbProject) project = NULL;
  g_autofree char *filler = g_strnfill (3000, 'x');
  g_autofree char *sql = g_strdup_printf ("INSERT INTO metadata VALUES ('k%%d', '%s')", filler);
  guint8 junk[4096];
  int fd;

  project = pb_project_create (f->path, &error);
  g_assert_no_error (error);
  for (int i = 0; i < 40; i++)
    {
      g_autofree char *key = g_strdup_printf ("k%d", i);
      g_assert_true (pb_project_set_metadata (project, key, filler, &error));
    }
  g_clear_object (&project);

  /* scribble over the middle pages, keep the header */
  memset (junk, 0xA5, sizeof junk);
  fd = g_open (f->path, O_WRONLY, 0);
  g_assert_cmpint (fd, >=, 0);
  g_assert_cmpint (pwrite (fd, junk, sizeof junk, 4096 * 3), ==, sizeof junk);
  close (fd);

  assert_open_refused (f->path, PB_ENGINE_ERROR_CORRUPT, "damaged");
}

static void
test_open_schema_too_new (Fixture       *f,
                          gconstpointer  data)
{
  make_project (f->path);
  raw_exec (f->path, "PRAGMA user_version = 999");
  assert_open_refused (f->path, PB_ENGINE_ERROR_SCHEMA_TOO_NEW, "999");
}

static void
test_migrations_from_v1 (Fixture       *f,
                         gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(PbProject) project = NULL;
  g_autoptr(GPtrArray) tables = NULL;
  guint n_migrations;
  const PbMigration *migrations = _pb_project_get_migrations (&n_migrations);
  g_autofree char *value = NULL;

  for (guint i = 0; i < n_migrations; i++)
    g_assert_cmpint (migrations[i].version, ==, (int) i + 1);

  /* a project as version 1 wrote it */
  {
    sqlite3 *db = NULL;
    g_autofree char *app_id = g_strdup_printf ("PRAGMA application_id = %d",
                                               PB_PROJECT_APPLICATION_ID);
    g_assert_cmpint (sqlite3_open (f->path, &db), ==, SQLITE_OK);
    g_assert_cmpint (sqlite3_exec (db, app_id, NULL, NULL, NULL), ==, SQLITE_OK);
    g_assert_cmpint (sqlite3_exec (db, migrations[0].sql, NULL, NULL, NULL), ==, SQLITE_OK);
    g_assert_cmpint (sqlite3_exec (db, "INSERT INTO schema_migrations (version, name) "
                                       "VALUES (1, 'core'); PRAGMA user_version = 1; "
                                       "INSERT INTO metadata VALUES ('kept', 'yes')",
                                   NULL, NULL, NULL), ==, SQLITE_OK);
    sqlite3_close (db);
  }

  project = pb_project_open (f->path, &error);
  g_assert_no_error (error);
  g_assert_cmpint (pb_project_get_schema_version (project), ==, (int) n_migrations);
  value = pb_project_dup_metadata (project, "kept");
  g_assert_cmpstr (value, ==, "yes");

  tables = pb_project_list_tables (project, &error);
  g_assert_no_error (error);
  for (guint i = 0; i < tables->len; i++)
    {
      PbProjectTableInfo *info = g_ptr_array_index (tables, i);
      if (g_str_equal (info->name, "schema_migrations"))
        g_assert_cmpint (info->n_rows, ==, n_migrations);
    }
}

static gboolean
txn_insert_then_fail (sqlite3  *db,
                      gpointer  user_data,
                      GError  **error)
{
  g_assert_true (pb_sqlite_exec (db, "INSERT INTO metadata VALUES ('partial', '1')", NULL));
  g_set_error_literal (error, PB_ENGINE_ERROR, PB_ENGINE_ERROR_FAILED, "job failed");
  return FALSE;
}

static gboolean
txn_insert (sqlite3  *db,
            gpointer  user_data,
            GError  **error)
{
  return pb_sqlite_exec (db, "INSERT INTO metadata VALUES ('done', '1')", error);
}

static void
test_transaction_rolls_back (Fixture       *f,
                             gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(PbProject) project = pb_project_create (f->path, &error);
  g_autofree char *done = NULL;

  g_assert_no_error (error);
  g_assert_false (pb_project_run_in_transaction (project, txn_insert_then_fail, NULL, &error));
  g_assert_error (error, PB_ENGINE_ERROR, PB_ENGINE_ERROR_FAILED);
  g_assert_null (pb_project_dup_metadata (project, "partial"));
  g_clear_error (&error);

  g_assert_true (pb_project_run_in_transaction (project, txn_insert, NULL, &error));
  g_assert_no_error (error);
  done = pb_project_dup_metadata (project, "done");
  g_assert_cmpstr (done, ==, "1");
}

static void
test_open_locked (Fixture       *f,
                  gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(PbProject) project = NULL;
  g_autoptr(PbProject) second = NULL;
  sqlite3 *other = NULL;

  make_project (f->path);

  /* another writer in the middle of a transaction */
  g_assert_cmpint (sqlite3_open (f->path, &other), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_exec (other, "BEGIN IMMEDIATE; "
                                        "INSERT INTO metadata VALUES ('writer', 'busy')",
                                 NULL, NULL, NULL), ==, SQLITE_OK);

  project = pb_project_open_full (f->path, PB_PROJECT_OPEN_DEFAULT, 100, &error);
  g_assert_error (error, PB_ENGINE_ERROR, PB_ENGINE_ERROR_LOCKED);
  g_assert_nonnull (strstr (error->message, "locked"));
  g_assert_null (project);
  g_clear_error (&error);

  /* reading is still fine */
  second = pb_project_open_full (f->path, PB_PROJECT_OPEN_READ_ONLY, 100, &error);
  g_assert_no_error (error);
  g_assert_null (pb_project_dup_metadata (second, "writer"));
  g_clear_object (&second);

  g_assert_cmpint (sqlite3_exec (other, "ROLLBACK", NULL, NULL, NULL), ==, SQLITE_OK);
  sqlite3_close (other);

  project = pb_project_open_full (f->path, PB_PROJECT_OPEN_DEFAULT, 100, &error);
  g_assert_no_error (error);
  g_assert_nonnull (project);
}

static void
test_read_only_location (Fixture       *f,
                         gconstpointer  data)
{
  if (g_test_subprocess ())
    {
      g_autofree char *dir = NULL;
      g_autofree char *path = NULL;
      g_autofree char *other = NULL;
      g_autoptr(GError) error = NULL;
      g_autoptr(PbProject) project = NULL;
      g_autoptr(GBytes) before = NULL;

      pb_test_drop_root ();
      dir = pb_test_mkdtemp ();
      path = g_build_filename (dir, "ro.perturb", NULL);
      other = g_build_filename (dir, "new.perturb", NULL);
      make_project (path);
      before = read_file (path);
      g_assert_cmpint (g_chmod (dir, 0555), ==, 0);

      project = pb_project_open (path, &error);
      g_assert_error (error, PB_ENGINE_ERROR, PB_ENGINE_ERROR_READ_ONLY);
      g_assert_nonnull (strstr (error->message, "read-only"));
      g_clear_error (&error);

      project = pb_project_create (other, &error);
      g_assert_error (error, PB_ENGINE_ERROR, PB_ENGINE_ERROR_READ_ONLY);
      g_assert_false (g_file_test (other, G_FILE_TEST_EXISTS));
      g_clear_error (&error);

      assert_file_unchanged (path, before);
      g_chmod (dir, 0700);
      pb_test_rmdir (dir);
      return;
    }

  g_test_trap_subprocess (NULL, 0, G_TEST_SUBPROCESS_INHERIT_STDERR);
  g_test_trap_assert_passed ();
}

static void
test_bad_arguments (void)
{
  g_autoptr(GError) error = NULL;

  g_assert_null (pb_project_open ("", &error));
  g_assert_error (error, PB_ENGINE_ERROR, PB_ENGINE_ERROR_INVALID_ARGUMENT);
  g_clear_error (&error);

  g_assert_null (pb_project_open (g_get_tmp_dir (), &error));
  g_assert_error (error, PB_ENGINE_ERROR, PB_ENGINE_ERROR_NOT_A_PROJECT);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

#define ADD(path, func) \
  g_test_add (path, Fixture, NULL, fixture_setup, func, fixture_tear)
  ADD ("/pb/project/create/and-reopen", test_create_and_reopen);
  ADD ("/pb/project/create/refuses-existing-file", test_create_refuses_existing);
  ADD ("/pb/project/create/in-missing-folder", test_create_in_missing_folder);
  ADD ("/pb/project/open/missing-path", test_open_missing);
  ADD ("/pb/project/open/not-sqlite", test_open_not_sqlite);
  ADD ("/pb/project/open/foreign-sqlite", test_open_foreign_sqlite);
  ADD ("/pb/project/open/corrupted", test_open_corrupted);
  ADD ("/pb/project/open/schema-too-new", test_open_schema_too_new);
  ADD ("/pb/project/open/locked-by-writer", test_open_locked);
  ADD ("/pb/project/open/read-only-location", test_read_only_location);
  ADD ("/pb/project/migrations/from-v1", test_migrations_from_v1);
  ADD ("/pb/project/transaction/rolls-back", test_transaction_rolls_back);
#undef ADD
  g_test_add_func ("/pb/project/open/bad-arguments", test_bad_arguments);

  return g_test_run ();
}
