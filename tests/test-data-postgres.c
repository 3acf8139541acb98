/* test-data-postgres.c — the synthetic cohort in PostgreSQL (COPY), import over
 * libpq, and the errors a user meets: unreachable server, authentication,
 * missing schema/table/column, wrong column type, cancel.
 *
 * Runs beside a throwaway server (tests/run-with-postgres.sh sets PG_CONNINFO).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "pb-engine.h"

#include "pb-test-project.h"
#include "pb-test-util.h"

#include <libpq-fe.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

static const char *conninfo;

typedef struct
{
  char *dir;
  char *project;
} Fixture;

static void
fixture_setup (Fixture       *f,
               gconstpointer  data)
{
  f->dir = pb_test_mkdtemp ();
  f->project = g_build_filename (f->dir, "p.perturb", NULL);
}

static void
fixture_tear (Fixture       *f,
              gconstpointer  data)
{
  pb_test_rmdir (f->dir);
  g_free (f->project);
  g_free (f->dir);
}

static void
pg_run (const char *sql)
{
  PGconn *conn = PQconnectdb (conninfo);
  PGresult *res;

  g_assert_cmpint (PQstatus (conn), ==, CONNECTION_OK);
  res = PQexec (conn, sql);
  if (PQresultStatus (res) != PGRES_COMMAND_OK)
    g_error ("%s: %s", sql, PQerrorMessage (conn));
  PQclear (res);
  PQfinish (conn);
}

static double
query_double (PbProject  *project,
              const char *sql)
{
  g_autoptr(sqlite3_stmt) stmt = pb_sqlite_prepare (pb_project_get_db (project), sql, NULL);

  g_assert_nonnull (stmt);
  g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
  return sqlite3_column_double (stmt, 0);
}

static char *
query_text (PbProject  *project,
            const char *sql)
{
  g_autoptr(sqlite3_stmt) stmt = pb_sqlite_prepare (pb_project_get_db (project), sql, NULL);

  g_assert_nonnull (stmt);
  g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
  return g_strdup ((const char *) sqlite3_column_text (stmt, 0));
}

/* The PostgreSQL path and the SQLite path give the same raw tables. */
static void
test_same_as_sqlite (Fixture       *f,
                     gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *sqlite_path = g_build_filename (f->dir, "mimic.sqlite", NULL);
  g_autofree char *other = g_build_filename (f->dir, "q.perturb", NULL);
  g_autofree char *with_password = NULL;
  g_autofree char *source = NULL;
  g_autoptr(PbProject) pg = NULL;
  g_autoptr(PbProject) lite = NULL;
  g_autoptr(PbDataset) ds_pg = NULL;
  g_autoptr(PbDataset) ds_lite = NULL;
  PbSynthParams params;
  PbSynthCounts synth_pg, synth_lite;
  PbImportCounts a, b;
  const char *sums[] = {
    "SELECT total (heartrate) + total (tempc) + total (spo2) + total (charttime) FROM raw_vital",
    "SELECT total (bun) + total (creatinine) + total (magnesium) + total (hadm_id) FROM raw_lab",
    "SELECT total (ph) + total (lactate) + total (icustay_id) FROM raw_bg",
    "SELECT total (admission_age) + total (los_icu) + total (intime) FROM raw_icustay",
  };

  pb_synth_params_init (&params);
  params.n_stays = 150;
  g_assert_true (pb_synth_write_postgres (&params, conninfo, &synth_pg, NULL, NULL, NULL, &error));
  g_assert_no_error (error);
  g_assert_true (pb_synth_write_sqlite (&params, sqlite_path, &synth_lite, NULL, NULL, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpint (synth_pg.chartevents, ==, synth_lite.chartevents);
  g_assert_cmpint (synth_pg.labevents, ==, synth_lite.labevents);

  /* a password in the connection string (trust auth ignores it) is never stored */
  with_password = g_strdup_printf ("%s password=pb-secret-1234", conninfo);
  pg = pb_project_create (f->project, &error);
  g_assert_no_error (error);
  g_assert_true (pb_source_import (pg, with_password, NULL, &a, NULL, NULL, NULL, &error));
  g_assert_no_error (error);

  lite = pb_project_create (other, &error);
  g_assert_no_error (error);
  g_assert_true (pb_source_import_sqlite (lite, sqlite_path, &b, NULL, NULL, NULL, &error));
  g_assert_no_error (error);

  g_test_message ("rows: icustays %" G_GINT64_FORMAT ", bg %" G_GINT64_FORMAT ", lab %"
                  G_GINT64_FORMAT ", vital %" G_GINT64_FORMAT, a.icustays, a.bg, a.lab, a.vital);
  g_assert_cmpint (a.icustays, ==, b.icustays);
  g_assert_cmpint (a.bg, ==, b.bg);
  g_assert_cmpint (a.lab, ==, b.lab);
  g_assert_cmpint (a.vital, ==, b.vital);
  g_assert_cmpint (a.vital, >, 0);

  for (guint i = 0; i < G_N_ELEMENTS (sums); i++)
    {
      double x = query_double (pg, sums[i]), y = query_double (lite, sums[i]);

      g_assert_cmpfloat (fabs (x - y), <=, 1e-9 * fabs (y));
    }

  source = query_text (pg, "SELECT source FROM imports");
  g_assert_null (strstr (source, "secret"));
  g_assert_null (strstr (source, "password"));
  g_assert_nonnull (strstr (source, "dbname=testdb"));

  ds_pg = pb_preprocess_run (pg, NULL, NULL, NULL, NULL, NULL, &error);
  g_assert_no_error (error);
  ds_lite = pb_preprocess_run (lite, NULL, NULL, NULL, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (ds_pg->n, ==, ds_lite->n);
  for (guint i = 0; i < ds_pg->n; i++)
    {
      g_assert_cmpint (ds_pg->sample_ids[i], ==, ds_lite->sample_ids[i]);
      g_assert_cmpuint (ds_pg->lengths[i], ==, ds_lite->lengths[i]);
      g_assert_cmpint (ds_pg->labels[i], ==, ds_lite->labels[i]);
    }

  /* the schema exists now: a second cohort is refused, by name */
  g_assert_false (pb_synth_write_postgres (&params, conninfo, NULL, NULL, NULL, NULL, &error));
  g_assert_error (error, PB_ENGINE_ERROR, PB_ENGINE_ERROR_DATABASE);
  g_assert_nonnull (strstr (error->message, "already exists"));
  g_clear_error (&error);

  pg_run ("DROP SCHEMA mimiciii CASCADE");
}

static void
assert_import_fails (Fixture    *f,
                     const char *from,
                     const char *schema,
                     int         code,
                     const char *needle)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(PbProject) project = NULL;

  g_unlink (f->project);
  project = pb_project_create (f->project, &error);
  g_assert_no_error (error);
  g_assert_false (pb_source_import (project, from, schema, NULL, NULL, NULL, NULL, &error));
  g_assert_error (error, PB_ENGINE_ERROR, code);
  if (strstr (error->message, needle) == NULL)
    g_error ("“%s” does not say “%s”", error->message, needle);
  g_test_message ("%s", error->message);
  g_assert_cmpint (pb_test_query_int (project, "SELECT count(*) FROM imports"), ==, 0);
}

static void
create_schema (const char *name,
               const char *chartevents_sql)
{
  g_autofree char *sql =
    g_strdup_printf ("CREATE SCHEMA %s;"
                     "CREATE TABLE %s.patients (subject_id int, gender text, dob timestamp, dod timestamp);"
                     "CREATE TABLE %s.admissions (subject_id int, hadm_id int, admittime timestamp,"
                     " dischtime timestamp, hospital_expire_flag smallint, has_chartevents_data smallint);"
                     "CREATE TABLE %s.icustays (subject_id int, hadm_id int, icustay_id int,"
                     " intime timestamp, outtime timestamp);"
                     "CREATE TABLE %s.labevents (subject_id int, hadm_id int, itemid int,"
                     " charttime timestamp, value text, valuenum double precision);"
                     "%s",
                     name, name, name, name, name, chartevents_sql);

  pg_run (sql);
}

static void
test_errors (Fixture       *f,
             gconstpointer  data)
{
  g_autofree char *user = g_strdup_printf ("%s user=pb_no_such_role", conninfo);

  assert_import_fails (f, "host=/nonexistent-perturb-socket-dir port=5432 dbname=x", NULL,
                       PB_ENGINE_ERROR_CONNECTION, "unreachable");
  assert_import_fails (f, user, NULL, PB_ENGINE_ERROR_CONNECTION, "Authentication failed");
  assert_import_fails (f, "this is = not a conninfo", NULL, PB_ENGINE_ERROR_INVALID_ARGUMENT,
                       "connection string");
  assert_import_fails (f, conninfo, "no_such_schema", PB_ENGINE_ERROR_NOT_FOUND,
                       "Schema no_such_schema not found");

  create_schema ("pb_missing_table", "");
  assert_import_fails (f, conninfo, "pb_missing_table", PB_ENGINE_ERROR_NOT_FOUND,
                       "Table pb_missing_table.chartevents not found");

  create_schema ("pb_missing_column",
                 "CREATE TABLE pb_missing_column.chartevents (icustay_id int, itemid int,"
                 " charttime timestamp, value text, error int)");
  assert_import_fails (f, conninfo, "pb_missing_column", PB_ENGINE_ERROR_NOT_FOUND,
                       "Column pb_missing_column.chartevents.valuenum not found");

  create_schema ("pb_wrong_type",
                 "CREATE TABLE pb_wrong_type.chartevents (icustay_id int, itemid int,"
                 " charttime text, valuenum double precision, error int)");
  assert_import_fails (f, conninfo, "pb_wrong_type", PB_ENGINE_ERROR_INVALID_DATA,
                       "pb_wrong_type.chartevents.charttime has type text");

  /* an odd schema name travels as an escaped identifier, never as SQL */
  assert_import_fails (f, conninfo, "x\"; DROP TABLE y; --", PB_ENGINE_ERROR_NOT_FOUND,
                       "not found");

  pg_run ("DROP SCHEMA pb_missing_table CASCADE; DROP SCHEMA pb_missing_column CASCADE;"
          "DROP SCHEMA pb_wrong_type CASCADE");
}

typedef struct
{
  GCancellable *cancellable;
} CancelData;

static void
cancel_in_labs (double        fraction,
                const char   *message,
                gconstpointer details,
                gpointer      user_data)
{
  CancelData *data = user_data;

  if (message != NULL && g_str_has_prefix (message, "Labs"))
    g_cancellable_cancel (data->cancellable);
}

static void
test_cancel (Fixture       *f,
             gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(PbProject) project = NULL;
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  CancelData cancel = { cancellable };
  PbSynthParams params;

  pb_synth_params_init (&params);
  params.n_stays = 80;
  params.schema = "pb_cancel";
  g_assert_true (pb_synth_write_postgres (&params, conninfo, NULL, NULL, NULL, NULL, &error));
  g_assert_no_error (error);

  project = pb_project_create (f->project, &error);
  g_assert_no_error (error);
  g_assert_false (pb_source_import_postgres (project, conninfo, "pb_cancel", NULL, cancel_in_labs,
                                             &cancel, cancellable, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_cmpint (pb_test_query_int (project, "SELECT count(*) FROM raw_icustay"), ==, 0);
  g_assert_cmpint (pb_test_query_int (project, "SELECT count(*) FROM raw_bg"), ==, 0);
  g_assert_cmpint (pb_test_query_int (project, "SELECT count(*) FROM imports"), ==, 0);

  /* and a cancelled cohort leaves no schema behind */
  g_clear_error (&error);
  g_cancellable_reset (cancellable);
  g_cancellable_cancel (cancellable);
  params.schema = "pb_cancel2";
  g_assert_false (pb_synth_write_postgres (&params, conninfo, NULL, NULL, NULL, cancellable, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  pg_run ("CREATE SCHEMA pb_cancel2; DROP SCHEMA pb_cancel2; DROP SCHEMA pb_cancel CASCADE");
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  conninfo = g_getenv ("PG_CONNINFO");
  if (conninfo == NULL)
    {
      printf ("1..0 # SKIP PG_CONNINFO not set (run through tests/run-with-postgres.sh)\n");
      return 77;
    }

  g_test_add ("/pb/data/postgres/same-as-sqlite", Fixture, NULL, fixture_setup, test_same_as_sqlite, fixture_tear);
  g_test_add ("/pb/data/postgres/errors", Fixture, NULL, fixture_setup, test_errors, fixture_tear);
  g_test_add ("/pb/data/postgres/cancel", Fixture, NULL, fixture_setup, test_cancel, fixture_tear);

  return g_test_run ();
}
