/* test-import-page.c — the Import page driven through its actions: a synthetic
 * cohort and an SQLite file import and show the rows the project now holds;
 * a missing file, an unreachable PostgreSQL server and a malformed connection
 * string become inline errors and leave the project unchanged; cancel is
 * silence; an existing import shows when the project is set; and the real app
 * shows the page.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "pb-import-page.h"
#include "pb-source-connect.h"

#include "pb-test-gui.h"
#include "pb-test-page.h"
#include "pb-test-util.h"

typedef struct
{
  char      *dir;
  char      *path;
  PbProject *project;
  PbPage    *page;
} Fixture;

static void
fixture_setup (Fixture       *f,
               gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  f->dir = pb_test_mkdtemp ();
  f->path = g_build_filename (f->dir, "icu.perturb", NULL);
  f->project = pb_project_create (f->path, &error);
  g_assert_no_error (error);
  f->page = g_object_ref_sink (pb_import_page_new ());
  pb_page_set_project (f->page, f->project);
}

static void
fixture_tear (Fixture       *f,
              gconstpointer  data)
{
  g_assert_finalize_object (f->page);
  g_clear_object (&f->project);
  pb_test_rmdir (f->dir);
  g_free (f->path);
  g_free (f->dir);
}

static gint64
count_rows (PbProject  *project,
            const char *table)
{
  g_autofree char *sql = g_strdup_printf ("SELECT count(*) FROM %s", table);
  g_autoptr(sqlite3_stmt) stmt = NULL;
  g_autoptr(GError) error = NULL;

  stmt = pb_sqlite_prepare (pb_project_get_db (project), sql, &error);
  g_assert_no_error (error);
  g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
  return sqlite3_column_int64 (stmt, 0);
}

static void
run_action (PbPage     *page,
            const char *action)
{
  PbJob *job = pb_import_page_get_job (PB_IMPORT_PAGE (page));

  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (page), action, NULL));
  while (pb_job_get_running (job))
    g_main_context_iteration (NULL, TRUE);
  while (g_main_context_iteration (NULL, FALSE))
    ;
}

static void
assert_counts_match_project (Fixture *f)
{
  const char *tables[] = { "raw_icustay", "raw_bg", "raw_lab", "raw_vital" };

  for (guint i = 0; i < G_N_ELEMENTS (tables); i++)
    {
      gint64 shown = pb_import_page_get_count (PB_IMPORT_PAGE (f->page), tables[i]);

      g_assert_cmpint (shown, >, 0);
      g_assert_cmpint (shown, ==, count_rows (f->project, tables[i]));
    }
}

static void
assert_project_unchanged (Fixture *f)
{
  g_assert_cmpint (count_rows (f->project, "imports"), ==, 0);
  g_assert_cmpint (count_rows (f->project, "raw_icustay"), ==, 0);
  g_assert_cmpint (pb_import_page_get_count (PB_IMPORT_PAGE (f->page), "raw_icustay"), ==, -1);
}

static void
test_synthetic (Fixture       *f,
                gconstpointer  data)
{
  PbImportPage *page = PB_IMPORT_PAGE (f->page);
  g_autoptr(PbImportRecord) record = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *expected = NULL;
  gint64 n;

  g_assert_cmpint (pb_import_page_get_count (page, "raw_icustay"), ==, -1);

  pb_import_page_set_source (page, PB_IMPORT_SOURCE_SYNTHETIC);
  pb_import_page_set_synthetic (page, 60, 7);
  run_action (f->page, "import.start");

  g_test_message ("status: %s", pb_import_page_get_status (page));
  g_assert_null (pb_job_get_error (pb_import_page_get_job (page)));
  /* stays without chart data are not imported (has_chartevents_data = 1) */
  n = count_rows (f->project, "raw_icustay");
  g_assert_cmpint (n, >=, 50);
  g_assert_cmpint (n, <=, 60);
  expected = g_strdup_printf ("Imported %" G_GINT64_FORMAT " ICU stays in ", n);
  g_assert_true (g_str_has_prefix (pb_import_page_get_status (page), expected));
  assert_counts_match_project (f);

  record = pb_source_dup_latest_import (f->project, &error);
  g_assert_no_error (error);
  g_assert_nonnull (record);
  g_assert_cmpstr (record->source, ==, "synthetic cohort: 60 ICU stays, seed 7");
}

static void
test_sqlite_file (Fixture       *f,
                  gconstpointer  data)
{
  PbImportPage *page = PB_IMPORT_PAGE (f->page);
  g_autofree char *mimic = g_build_filename (f->dir, "mimic.sqlite", NULL);
  g_autofree char *source = g_strdup_printf ("sqlite:%s", mimic);
  g_autoptr(PbImportRecord) record = NULL;
  g_autoptr(GError) error = NULL;
  PbSynthParams params;

  pb_synth_params_init (&params);
  params.n_stays = 40;
  g_assert_true (pb_synth_write_sqlite (&params, mimic, NULL, NULL, NULL, NULL, &error));
  g_assert_no_error (error);

  pb_import_page_set_source (page, PB_IMPORT_SOURCE_SQLITE);
  pb_import_page_set_location (page, mimic, NULL);
  run_action (f->page, "import.start");

  g_assert_null (pb_job_get_error (pb_import_page_get_job (page)));
  g_assert_cmpint (pb_import_page_get_count (page, "raw_icustay"), >=, 30);
  assert_counts_match_project (f);

  record = pb_source_dup_latest_import (f->project, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (record->kind, ==, "sqlite");
  g_assert_cmpstr (record->source, ==, source);
}

static void
test_missing_sqlite_file (Fixture       *f,
                          gconstpointer  data)
{
  PbImportPage *page = PB_IMPORT_PAGE (f->page);
  g_autofree char *missing = g_build_filename (f->dir, "nowhere.sqlite", NULL);

  pb_import_page_set_source (page, PB_IMPORT_SOURCE_SQLITE);

  /* nothing chosen yet: said at once, no job */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (page), "import.start", NULL));
  g_assert_false (pb_job_get_running (pb_import_page_get_job (page)));
  g_assert_cmpstr (pb_import_page_get_status (page), ==, "Choose the SQLite file to import first.");

  pb_import_page_set_location (page, missing, NULL);
  run_action (f->page, "import.start");
  g_test_message ("status: %s", pb_import_page_get_status (page));
  g_assert_nonnull (strstr (pb_import_page_get_status (page), "Import failed: SQLite file"));
  g_assert_nonnull (strstr (pb_import_page_get_status (page), "nowhere.sqlite not found"));
  assert_project_unchanged (f);
}

static void
test_unreachable_postgres (Fixture       *f,
                           gconstpointer  data)
{
  PbImportPage *page = PB_IMPORT_PAGE (f->page);
  g_autofree char *socket_dir = g_build_filename (f->dir, "no-server", NULL);
  g_autofree char *conninfo = g_strdup_printf ("host=%s port=5999 dbname=mimic user=doctor",
                                               socket_dir);
  const char *status;

  g_mkdir (socket_dir, 0700);
  pb_import_page_set_source (page, PB_IMPORT_SOURCE_POSTGRES);
  pb_import_page_set_location (page, conninfo, "mimiciii");

  run_action (f->page, "import.test-connection");
  status = pb_import_page_get_status (page);
  g_test_message ("test connection: %s", status);
  g_assert_true (g_str_has_prefix (status, "Connection failed: PostgreSQL server unreachable"));
  g_assert_nonnull (strstr (status, "dbname=mimic user=doctor"));

  run_action (f->page, "import.start");
  status = pb_import_page_get_status (page);
  g_test_message ("import: %s", status);
  g_assert_true (g_str_has_prefix (status, "Import failed: PostgreSQL server unreachable"));
  assert_project_unchanged (f);

  /* a malformed connection string is named as such, and nothing is connected */
  pb_import_page_set_location (page, "host = = oops", NULL);
  run_action (f->page, "import.start");
  status = pb_import_page_get_status (page);
  g_test_message ("malformed: %s", status);
  g_assert_true (g_str_has_prefix (status, "Import failed: Not a PostgreSQL connection string"));
  assert_project_unchanged (f);
}

static void
test_cancel (Fixture       *f,
             gconstpointer  data)
{
  PbImportPage *page = PB_IMPORT_PAGE (f->page);
  PbJob *job = pb_import_page_get_job (page);

  pb_import_page_set_source (page, PB_IMPORT_SOURCE_SYNTHETIC);
  pb_import_page_set_synthetic (page, 2000, 1);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (page), "import.start", NULL));
  g_assert_true (pb_job_get_running (job));
  /* a second start while running is ignored */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (page), "import.start", NULL));
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (page), "import.cancel", NULL));
  while (pb_job_get_running (job))
    g_main_context_iteration (NULL, TRUE);
  while (g_main_context_iteration (NULL, FALSE))
    ;

  g_assert_null (pb_job_get_error (job));
  g_assert_cmpstr (pb_import_page_get_status (page), ==,
                   "Import cancelled; the project is unchanged.");
  assert_project_unchanged (f);
}

static void
test_shows_existing_import (Fixture       *f,
                           gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  PbSynthParams params;
  PbImportCounts counts;

  pb_synth_params_init (&params);
  params.n_stays = 30;
  g_assert_true (pb_source_import_synthetic (f->project, &params, &counts, NULL, NULL, NULL,
                                             &error));
  g_assert_no_error (error);

  /* the page reloads when its project is set again */
  pb_page_set_project (f->page, NULL);
  g_assert_cmpint (pb_import_page_get_count (PB_IMPORT_PAGE (f->page), "raw_icustay"), ==, -1);
  pb_page_set_project (f->page, f->project);
  g_assert_cmpint (pb_import_page_get_count (PB_IMPORT_PAGE (f->page), "raw_icustay"), ==,
                   counts.icustays);
  g_assert_cmpint (pb_import_page_get_count (PB_IMPORT_PAGE (f->page), "raw_vital"), ==, counts.vital);
  assert_counts_match_project (f);
}

static gboolean
wait_for_cancel (PbJob         *job,
                 gpointer       data,
                 GCancellable  *cancellable,
                 GError       **error)
{
  while (!g_cancellable_is_cancelled (cancellable))
    g_usleep (1000);
  g_cancellable_set_error_if_cancelled (cancellable, error);
  return FALSE;
}

/* While another page's job changes the project, Import refuses to start and
 * says which job is busy; once that job is over it imports. */
static void
test_one_writer_at_a_time (Fixture       *f,
                           gconstpointer  data)
{
  PbImportPage *page = PB_IMPORT_PAGE (f->page);
  g_autoptr(PbJob) tune = pb_job_new ();
  g_autoptr(GError) error = NULL;
  PbTestHost host;

  pb_test_host_init (&host, GTK_WIDGET (f->page));
  pb_job_set_title (tune, "Tune");
  g_assert_true (pb_job_start_writer (tune, f->path, wait_for_cancel, NULL, NULL, &error));
  g_assert_no_error (error);

  pb_import_page_set_source (page, PB_IMPORT_SOURCE_SYNTHETIC);
  pb_import_page_set_synthetic (page, 60, 7);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (page), "import.start", NULL));
  g_assert_false (pb_job_get_running (pb_import_page_get_job (page)));
  pb_test_host_assert_toast (&host, "“Tune” is still running on this project");
  assert_project_unchanged (f);

  pb_job_cancel (tune);
  while (pb_job_get_running (tune))
    g_main_context_iteration (NULL, TRUE);
  run_action (f->page, "import.start");
  g_assert_null (pb_job_get_error (pb_import_page_get_job (page)));
  g_assert_cmpint (count_rows (f->project, "raw_icustay"), >, 0);

  pb_test_host_clear (&host);
}

static void
test_screenshot (void)
{
  g_autofree char *dir = pb_test_mkdtemp ();
  g_autofree char *path = g_build_filename (dir, "cohort.perturb", NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(PbProject) project = pb_project_create (path, &error);
  g_auto(PbTestShot) shot = { 0 };
  PbSynthParams params;

  g_assert_no_error (error);
  pb_synth_params_init (&params);
  params.n_stays = 200;
  g_assert_true (pb_source_import_synthetic (project, &params, NULL, NULL, NULL, NULL, &error));
  g_assert_no_error (error);
  pb_project_close (project);

  pb_test_gui_screenshot (&shot, "page-import", "import", path);
  g_assert_null (strstr (shot.output, "toast:"));
  g_assert_null (strstr (shot.output, "no page named"));

  pb_test_rmdir (dir);
}

int
main (int    argc,
      char **argv)
{
  gtk_test_init (&argc, &argv, NULL);
  adw_init ();

#define ADD(path, func) \
  g_test_add (path, Fixture, NULL, fixture_setup, func, fixture_tear)
  ADD ("/pb/import-page/synthetic", test_synthetic);
  ADD ("/pb/import-page/sqlite-file", test_sqlite_file);
  ADD ("/pb/import-page/missing-sqlite-file", test_missing_sqlite_file);
  ADD ("/pb/import-page/unreachable-postgres", test_unreachable_postgres);
  ADD ("/pb/import-page/cancel", test_cancel);
  ADD ("/pb/import-page/shows-existing-import", test_shows_existing_import);
  ADD ("/pb/import-page/one-writer-at-a-time", test_one_writer_at_a_time);
#undef ADD
  g_test_add_func ("/pb/import-page/screenshot", test_screenshot);

  return g_test_run ();
}
