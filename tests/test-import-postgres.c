/* test-import-postgres.c — a PostgreSQL server that asks for a password: the
 * probe says so (and tells a refused password apart), the password reaches
 * libpq for one connection only and never the project, and the Import page
 * asks for it in a dialog, retries with it, and imports.
 *
 * Runs beside a throwaway server (run-with-postgres.sh, trust auth) whose
 * pg_hba.conf is rewritten to ask role pb_reader for a SCRAM password, under a
 * display (run-with-display.sh).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "pb-import-page.h"
#include "pb-screenshot.h"
#include "pb-source-connect.h"

#include "pb-test-page.h"
#include "pb-test-util.h"

#include <libpq-fe.h>
#include <string.h>

#define PASSWORD "S3cret 'pass' \\ w0rd"

static char *reader_conninfo;

static void
exec_sql (PGconn     *conn,
          const char *sql)
{
  PGresult *res = PQexec (conn, sql);

  if (PQresultStatus (res) != PGRES_COMMAND_OK && PQresultStatus (res) != PGRES_TUPLES_OK)
    g_error ("%s: %s", sql, PQerrorMessage (conn));
  PQclear (res);
}

static gboolean
probe_needs_password (void)
{
  PbSourceProbe probe;
  gboolean needs;

  pb_source_probe_postgres (reader_conninfo, NULL, NULL, &probe, NULL);
  needs = probe.needs_password;
  pb_source_probe_clear (&probe);
  return needs;
}

/* Role pb_reader with a password, allowed to read a small synthetic MIMIC-III;
 * then pg_hba.conf asks it (only it) for the password. */
static gboolean
setup_server (void)
{
  const char *conninfo = g_getenv ("PG_CONNINFO");
  const char *server_dir = g_getenv ("PG_SERVER_DIR");
  g_autofree char *hba = NULL;
  g_autofree char *role_sql = NULL;
  g_autoptr(GError) error = NULL;
  PbSynthParams params;
  PGconn *conn;
  char *escaped;

  if (conninfo == NULL || server_dir == NULL)
    return FALSE;

  pb_synth_params_init (&params);
  params.n_stays = 40;
  g_assert_true (pb_synth_write_postgres (&params, conninfo, NULL, NULL, NULL, NULL, &error));
  g_assert_no_error (error);

  conn = PQconnectdb (conninfo);
  g_assert_cmpint (PQstatus (conn), ==, CONNECTION_OK);
  escaped = PQescapeLiteral (conn, PASSWORD, strlen (PASSWORD));
  role_sql = g_strdup_printf ("CREATE ROLE pb_reader LOGIN PASSWORD %s", escaped);
  PQfreemem (escaped);
  exec_sql (conn, "SET password_encryption = 'scram-sha-256'");
  exec_sql (conn, role_sql);
  exec_sql (conn, "GRANT USAGE ON SCHEMA mimiciii TO pb_reader");
  exec_sql (conn, "GRANT SELECT ON ALL TABLES IN SCHEMA mimiciii TO pb_reader");

  hba = g_build_filename (server_dir, "data", "pg_hba.conf", NULL);
  g_assert_true (g_file_set_contents (hba,
                                      "local all pb_reader scram-sha-256\n"
                                      "local all all trust\n", -1, &error));
  g_assert_no_error (error);
  exec_sql (conn, "SELECT pg_reload_conf()");
  PQfinish (conn);

  reader_conninfo = g_strdup_printf ("host=%s port=%s dbname=%s user=pb_reader",
                                     g_getenv ("PGHOST"), g_getenv ("PGPORT"),
                                     g_getenv ("PGDATABASE"));

  /* the postmaster reloads in its own time */
  for (int i = 0; i < 100 && !probe_needs_password (); i++)
    g_usleep (50000);
  g_assert_true (probe_needs_password ());
  return TRUE;
}

static void
test_conninfo_with_password (void)
{
  g_autoptr(GError) error = NULL;
  PQconninfoOption *options;
  char *full;

  full = pb_source_conninfo_with_password ("host=db.example dbname=mimic user=doctor password=old",
                                           PASSWORD, &error);
  g_assert_no_error (error);
  options = PQconninfoParse (full, NULL);
  g_assert_nonnull (options);
  for (PQconninfoOption *o = options; o->keyword != NULL; o++)
    {
      if (g_str_equal (o->keyword, "password"))
        g_assert_cmpstr (o->val, ==, PASSWORD);
      else if (g_str_equal (o->keyword, "host"))
        g_assert_cmpstr (o->val, ==, "db.example");
      else if (g_str_equal (o->keyword, "user"))
        g_assert_cmpstr (o->val, ==, "doctor");
    }
  PQconninfoFree (options);
  pb_source_secret_free (full);

  /* a URI keeps its parts */
  full = pb_source_conninfo_with_password ("postgresql://doctor@db.example:5433/mimic", "x", &error);
  g_assert_no_error (error);
  g_assert_nonnull (strstr (full, "port='5433'"));
  g_assert_nonnull (strstr (full, "dbname='mimic'"));
  g_assert_nonnull (strstr (full, "password='x'"));
  pb_source_secret_free (full);

  /* no password: none added */
  full = pb_source_conninfo_with_password ("service=mimic", NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (full, ==, "service='mimic'");
  pb_source_secret_free (full);

  full = pb_source_conninfo_with_password ("host = = oops", PASSWORD, &error);
  g_assert_null (full);
  g_assert_error (error, PB_ENGINE_ERROR, PB_ENGINE_ERROR_INVALID_ARGUMENT);
  g_assert_null (strstr (error->message, PASSWORD));
}

static void
test_probe (void)
{
  g_autoptr(GError) error = NULL;
  PbSourceProbe probe;

  if (reader_conninfo == NULL)
    {
      g_test_skip ("no PostgreSQL server");
      return;
    }

  /* the superuser is trusted: no password, a version, the schema */
  g_assert_true (pb_source_probe_postgres (g_getenv ("PG_CONNINFO"), NULL, NULL, &probe, &error));
  g_assert_no_error (error);
  g_assert_true (g_ascii_isdigit (probe.server_version[0]));
  g_assert_true (probe.schema_found);
  pb_source_probe_clear (&probe);

  g_assert_true (pb_source_probe_postgres (g_getenv ("PG_CONNINFO"), NULL, "elsewhere", &probe,
                                           &error));
  g_assert_false (probe.schema_found);
  pb_source_probe_clear (&probe);

  /* pb_reader: no password, a wrong one, the right one */
  g_assert_false (pb_source_probe_postgres (reader_conninfo, NULL, NULL, &probe, &error));
  g_assert_error (error, PB_ENGINE_ERROR, PB_ENGINE_ERROR_CONNECTION);
  g_test_message ("no password: %s", error->message);
  g_assert_true (probe.needs_password);
  g_assert_false (probe.password_rejected);
  g_assert_nonnull (strstr (error->message, "user=pb_reader"));
  pb_source_probe_clear (&probe);
  g_clear_error (&error);

  g_assert_false (pb_source_probe_postgres (reader_conninfo, "not-it", NULL, &probe, &error));
  g_assert_error (error, PB_ENGINE_ERROR, PB_ENGINE_ERROR_CONNECTION);
  g_test_message ("wrong password: %s", error->message);
  g_assert_false (probe.needs_password);
  g_assert_true (probe.password_rejected);
  g_assert_null (strstr (error->message, "not-it"));
  pb_source_probe_clear (&probe);
  g_clear_error (&error);

  g_assert_true (pb_source_probe_postgres (reader_conninfo, PASSWORD, NULL, &probe, &error));
  g_assert_no_error (error);
  g_assert_true (probe.schema_found);
  pb_source_probe_clear (&probe);
}

static void
assert_file_lacks (const char *path,
                   const char *needle)
{
  g_autofree char *bytes = NULL;
  gsize len = 0;

  if (!g_file_get_contents (path, &bytes, &len, NULL))
    return;
  g_assert_null (memmem (bytes, len, needle, strlen (needle)));
}

static void
assert_no_password_in_project (const char *path)
{
  g_autofree char *wal = g_strconcat (path, "-wal", NULL);

  assert_file_lacks (path, "S3cret");
  assert_file_lacks (wal, "S3cret");
}

/* The one message dialog on screen (a closed one may linger in the list of
 * toplevels hidden until it is finalized). */
static AdwMessageDialog *
find_dialog (void)
{
  GListModel *toplevels = gtk_window_get_toplevels ();
  AdwMessageDialog *found = NULL;

  while (g_main_context_iteration (NULL, FALSE))
    ;
  for (guint i = 0; i < g_list_model_get_n_items (toplevels); i++)
    {
      g_autoptr(GObject) window = g_list_model_get_item (toplevels, i);

      if (ADW_IS_MESSAGE_DIALOG (window) && gtk_widget_get_visible (GTK_WIDGET (window)))
        {
          g_assert_null (found);
          found = ADW_MESSAGE_DIALOG (window);
        }
    }
  return found;
}

static void
wait_for (PbJob *job)
{
  while (pb_job_get_running (job))
    g_main_context_iteration (NULL, TRUE);
  while (g_main_context_iteration (NULL, FALSE))
    ;
}

static void
answer (AdwMessageDialog *dialog,
        const char       *password,
        const char       *response)
{
  GtkWidget *entry = adw_message_dialog_get_extra_child (dialog);

  g_assert_true (GTK_IS_ENTRY (entry));
  g_assert_false (gtk_entry_get_visibility (GTK_ENTRY (entry)));
  gtk_editable_set_text (GTK_EDITABLE (entry), password);
  /* as a click on the response's button does */
  adw_message_dialog_response (dialog, response);
  gtk_window_close (GTK_WINDOW (dialog));
}

static void
test_page_asks_for_password (void)
{
  g_autofree char *dir = NULL;
  g_autofree char *path = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(PbProject) project = NULL;
  g_autoptr(PbImportRecord) record = NULL;
  PbPage *page;
  GtkWidget *window;
  PbJob *job;
  AdwMessageDialog *dialog;

  if (reader_conninfo == NULL)
    {
      g_test_skip ("no PostgreSQL server");
      return;
    }

  dir = pb_test_mkdtemp ();
  path = g_build_filename (dir, "icu.perturb", NULL);
  project = pb_project_create (path, &error);
  g_assert_no_error (error);
  page = g_object_ref_sink (pb_import_page_new ());
  job = pb_import_page_get_job (PB_IMPORT_PAGE (page));
  pb_page_set_project (page, project);
  pb_import_page_set_source (PB_IMPORT_PAGE (page), PB_IMPORT_SOURCE_POSTGRES);
  pb_import_page_set_location (PB_IMPORT_PAGE (page), reader_conninfo, "mimiciii");

  /* test the connection: the server wants a password, the page asks */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (page), "import.test-connection", NULL));
  wait_for (job);
  dialog = find_dialog ();
  g_assert_nonnull (dialog);
  g_assert_nonnull (strstr (adw_message_dialog_get_body (dialog), "asks for a password"));

  /* a wrong one: asked again, saying it was refused */
  answer (dialog, "not-it", "connect");
  wait_for (job);
  dialog = find_dialog ();
  g_assert_nonnull (dialog);
  g_assert_nonnull (strstr (adw_message_dialog_get_body (dialog), "refused the password"));

  /* the right one: connected */
  answer (dialog, PASSWORD, "connect");
  wait_for (job);
  g_assert_null (find_dialog ());
  g_test_message ("test: %s", pb_import_page_get_status (PB_IMPORT_PAGE (page)));
  g_assert_true (g_str_has_prefix (pb_import_page_get_status (PB_IMPORT_PAGE (page)),
                                   "Connected to PostgreSQL "));
  g_assert_nonnull (strstr (pb_import_page_get_status (PB_IMPORT_PAGE (page)),
                            "schema mimiciii found"));

  /* the page keeps it for this connection: the import does not ask again */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (page), "import.start", NULL));
  wait_for (job);
  g_assert_null (find_dialog ());
  g_test_message ("import: %s", pb_import_page_get_status (PB_IMPORT_PAGE (page)));
  g_assert_null (pb_job_get_error (job));
  g_assert_cmpint (pb_import_page_get_count (PB_IMPORT_PAGE (page), "raw_icustay"), >, 0);

  /* the page as it stands, for the README and for looking at */
  window = pb_test_window_new_for_page (page, 760);
  pb_test_window_save_png (window, "page-import-postgres");
  pb_test_window_close (window);

  record = pb_source_dup_latest_import (project, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (record->kind, ==, "postgres");
  g_assert_nonnull (strstr (record->source, "user=pb_reader"));
  g_assert_null (strstr (record->source, "S3cret"));

  /* another connection string forgets it: asked again, and Cancel imports nothing */
  {
    g_autofree char *other = g_strconcat (reader_conninfo, " connect_timeout=5", NULL);

    pb_import_page_set_location (PB_IMPORT_PAGE (page), other, NULL);
  }
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (page), "import.start", NULL));
  wait_for (job);
  dialog = find_dialog ();
  g_assert_nonnull (dialog);
  answer (dialog, "", "cancel");
  wait_for (job);
  g_assert_cmpstr (pb_import_page_get_status (PB_IMPORT_PAGE (page)), ==,
                   "No password given: nothing was imported.");

  g_assert_finalize_object (page);
  pb_project_close (project);
  assert_no_password_in_project (path);
  pb_test_rmdir (dir);
}

int
main (int    argc,
      char **argv)
{
  gboolean have_server;

  g_setenv ("PGPASSFILE", "/nonexistent/pgpass", TRUE);
  gtk_test_init (&argc, &argv, NULL);
  adw_init ();

  have_server = setup_server ();
  if (!have_server)
    g_test_message ("no PostgreSQL server: PG_CONNINFO is not set");

  g_test_add_func ("/pb/import-postgres/conninfo-with-password", test_conninfo_with_password);
  g_test_add_func ("/pb/import-postgres/probe", test_probe);
  g_test_add_func ("/pb/import-postgres/page-asks-for-password", test_page_asks_for_password);

  return g_test_run ();
}
