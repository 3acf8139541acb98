/* test-study-postgres.c — studies in PostgreSQL (Optuna's schema with native
 * enum types): round trip, claims and budget, stale heartbeats, and 4 worker
 * processes × 40 trials on one study. Runs beside a throwaway server
 * (tests/run-with-postgres.sh gives PG_CONNINFO); skips without one.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "pb-test-study.h"

#include "pb-project.h"

#include <libpq-fe.h>

static const char *
conninfo (void)
{
  return g_getenv ("PG_CONNINFO");
}

static gboolean
skip_without_server (void)
{
  if (conninfo () != NULL)
    return FALSE;
  g_test_skip ("PG_CONNINFO is not set (run through tests/run-with-postgres.sh)");
  return TRUE;
}

static char *
pg_scalar (const char *sql)
{
  PGconn *conn = PQconnectdb (conninfo ());
  PGresult *res;
  char *value = NULL;

  g_assert_cmpint (PQstatus (conn), ==, CONNECTION_OK);
  res = PQexec (conn, sql);
  g_assert_true (PQresultStatus (res) == PGRES_TUPLES_OK || PQresultStatus (res) == PGRES_COMMAND_OK);
  if (PQresultStatus (res) == PGRES_TUPLES_OK && PQntuples (res) > 0)
    value = g_strdup (PQgetvalue (res, 0, 0));
  PQclear (res);
  PQfinish (conn);
  return value;
}

static void
test_pg_schema (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(PbStorage) storage = NULL;
  g_autoptr(PbStorage) again = NULL;
  g_autofree char *alembic = NULL;
  g_autofree char *enums = NULL;
  g_autofree char *state_type = NULL;
  g_autofree char *version = NULL;

  if (skip_without_server ())
    return;
  storage = pb_storage_open (conninfo (), &error);
  g_assert_no_error (error);
  g_assert_cmpstr (pb_storage_get_kind (storage), ==, "postgresql");
  again = pb_storage_open (conninfo (), &error);   /* the schema is created once */
  g_assert_no_error (error);

  alembic = pg_scalar ("SELECT version_num FROM alembic_version");
  g_assert_cmpstr (alembic, ==, "v3.2.0.a");
  version = pg_scalar ("SELECT schema_version || ' ' || library_version FROM version_info");
  g_assert_cmpstr (version, ==, "12 4.9.0");
  enums = pg_scalar ("SELECT string_agg(typname, ',' ORDER BY typname) FROM pg_type "
                     "WHERE typtype = 'e'");
  g_assert_cmpstr (enums, ==, "studydirection,trialintermediatevaluetype,trialstate,trialvaluetype");
  state_type = pg_scalar ("SELECT udt_name FROM information_schema.columns "
                          "WHERE table_name = 'trials' AND column_name = 'state'");
  g_assert_cmpstr (state_type, ==, "trialstate");
}

static void
test_pg_round_trip (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(PbStorage) storage = NULL;
  g_autoptr(GPtrArray) trials = NULL;

  if (skip_without_server ())
    return;
  storage = pb_storage_open (conninfo (), &error);
  g_assert_no_error (error);
  trials = study_test_run_small (storage, "small");
  study_test_check_small (trials);
}

static void
test_pg_claim_and_budget (void)
{
  if (skip_without_server ())
    return;
  study_test_claim_and_budget (conninfo ());
}

static void
age_pg_heartbeat (gint64   trial_id,
                  gpointer data)
{
  g_autofree char *sql = g_strdup_printf ("UPDATE trial_heartbeats SET heartbeat = "
                                          "'2000-01-01 00:00:00' WHERE trial_id = %"
                                          G_GINT64_FORMAT, trial_id);
  g_free (pg_scalar (sql));
}

static void
test_pg_stale_heartbeat (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(PbStorage) storage = NULL;

  if (skip_without_server ())
    return;
  storage = pb_storage_open (conninfo (), &error);
  g_assert_no_error (error);
  study_test_stale_heartbeat (storage, age_pg_heartbeat, NULL);
}

static void
test_pg_workers (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(PbProject) project = NULL;
  g_autofree char *dir = NULL;
  g_autofree char *path = NULL;

  if (skip_without_server ())
    return;
  dir = pb_test_mkdtemp ();
  path = g_build_filename (dir, "p.perturb", NULL);
  project = pb_project_create (path, &error);
  g_assert_no_error (error);

  study_test_workers (path, conninfo (), 4, 40);
  pb_test_rmdir (dir);
}

/* The server drops our connection in the middle of trial 2: a clear
 * connection error, and the trials finished before are kept. */
static gboolean
cut_connection_objective (PbStudyTrial  *trial,
                          double        *value,
                          gpointer       user_data,
                          GCancellable  *cancellable,
                          GError       **error)
{
  if (pb_study_trial_get_number (trial) == 2)
    g_free (pg_scalar ("SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
                       "WHERE datname = current_database() AND pid <> pg_backend_pid()"));
  if (!pb_study_trial_report (trial, 0, 1.0, NULL, error))
    return FALSE;
  *value = pb_study_trial_get_number (trial);
  return TRUE;
}

static void
test_pg_connection_lost (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(PbStorage) storage = NULL;
  g_autoptr(PbStorage) fresh = NULL;
  g_autoptr(PbStudy) study = NULL;
  g_autoptr(GPtrArray) trials = NULL;
  g_autoptr(PbSearchSpace) space = pb_search_space_new_builtin (PB_SEARCH_SPACE_QUADRATIC, NULL);
  PbStudyOptions options;
  PbStudyDirection direction;
  gint64 study_id;
  guint n_run = 99;

  if (skip_without_server ())
    return;
  storage = pb_storage_open (conninfo (), &error);
  g_assert_no_error (error);
  pb_study_options_init_default (&options);
  options.budget = 5;
  study = pb_study_open (storage, "cut", space, &options, &error);
  g_assert_no_error (error);

  g_assert_false (pb_study_optimize (study, cut_connection_objective, NULL, -1, &n_run, NULL, NULL,
                                     NULL, &error));
  g_assert_error (error, PB_ENGINE_ERROR, PB_ENGINE_ERROR_CONNECTION);
  g_test_message ("%s", error->message);
  g_assert_nonnull (strstr (error->message, "PostgreSQL"));
  g_assert_cmpuint (n_run, ==, 2);
  g_clear_error (&error);

  fresh = pb_storage_open (conninfo (), &error);
  g_assert_no_error (error);
  g_assert_true (pb_storage_find_study (fresh, "cut", &study_id, &direction, &error));
  trials = pb_storage_load_trials (fresh, study_id, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (trials->len, ==, 3);
  g_assert_cmpint (((PbTrial *) g_ptr_array_index (trials, 0))->state, ==, PB_TRIAL_STATE_COMPLETE);
  g_assert_cmpint (((PbTrial *) g_ptr_array_index (trials, 1))->state, ==, PB_TRIAL_STATE_COMPLETE);
  g_assert_cmpfloat (((PbTrial *) g_ptr_array_index (trials, 1))->value, ==, 1.0);
  /* trial 2 stays RUNNING until a worker with heartbeats fails it */
  g_assert_cmpint (((PbTrial *) g_ptr_array_index (trials, 2))->state, ==, PB_TRIAL_STATE_RUNNING);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/pb/study/postgres/schema-with-native-enums", test_pg_schema);
  g_test_add_func ("/pb/study/postgres/round-trip", test_pg_round_trip);
  g_test_add_func ("/pb/study/postgres/claim-and-budget", test_pg_claim_and_budget);
  g_test_add_func ("/pb/study/postgres/stale-heartbeat-fails-trial", test_pg_stale_heartbeat);
  g_test_add_func ("/pb/study/postgres/four-workers-forty-trials", test_pg_workers);
  g_test_add_func ("/pb/study/postgres/connection-lost-mid-study", test_pg_connection_lost);

  return g_test_run ();
}
