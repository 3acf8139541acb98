/* test-study.c — search spaces, studies in SQLite (the project file), Optuna
 * 3.1 reading our studies and us reading Optuna's, several worker processes,
 * a worker killed mid-trial, the `perturb study` / `perturb tune` commands and
 * bad input.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "pb-test-cli.h"
#include "pb-test-study.h"

#include "pb-project.h"

#include <json-glib/json-glib.h>
#include <sqlite3.h>

typedef struct
{
  char *dir;
  char *project;
} Fixture;

static void
fixture_setup (Fixture       *f,
               gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(PbProject) project = NULL;

  f->dir = pb_test_mkdtemp ();
  f->project = g_build_filename (f->dir, "p.perturb", NULL);
  project = pb_project_create (f->project, &error);
  g_assert_no_error (error);
}

static void
fixture_tear (Fixture       *f,
              gconstpointer  data)
{
  pb_test_rmdir (f->dir);
  g_free (f->dir);
  g_free (f->project);
}

/* ---- search spaces ------------------------------------------------------ */

static void
test_space_json_round_trip (void)
{
  const char *builtins[] = { PB_SEARCH_SPACE_MODEL, PB_SEARCH_SPACE_ATTACK,
                             PB_SEARCH_SPACE_ATTACK_FULL, PB_SEARCH_SPACE_QUADRATIC };
  g_autoptr(GError) error = NULL;
  g_autoptr(PbSearchSpace) model = pb_search_space_new_builtin (PB_SEARCH_SPACE_MODEL, &error);
  const PbParam *p;

  g_assert_no_error (error);
  /* SPEC §5.1, in suggestion order */
  g_assert_cmpuint (pb_search_space_get_n_params (model), ==, 8);
  p = pb_search_space_get_param (model, 0);
  g_assert_cmpstr (p->name, ==, "log_lstm_hidden_size");
  g_assert_true (p->kind == PB_PARAM_KIND_INT && p->low == 5 && p->high == 7 && p->step == 1);
  p = pb_search_space_get_param (model, 6);
  g_assert_cmpstr (p->name, ==, "learning_rate");
  g_assert_true (p->kind == PB_PARAM_KIND_FLOAT && p->log && p->low == 1e-5 && p->high == 0.1);
  p = pb_search_space_lookup (model, "optimizer_name", NULL);
  g_assert_cmpuint (p->n_choices, ==, 3);
  g_assert_cmpstr (p->choices[1], ==, "RMSprop");

  for (guint i = 0; i < G_N_ELEMENTS (builtins); i++)
    {
      g_autoptr(PbSearchSpace) a = pb_search_space_new_builtin (builtins[i], &error);
      g_autofree char *json = pb_search_space_to_json (a);
      g_autoptr(PbSearchSpace) b = pb_search_space_new_from_json (json, &error);

      g_assert_no_error (error);
      g_assert_true (pb_search_space_equal (a, b));
    }
}

/* Exactly the distribution_json Optuna writes (engine-notes §3.3), and back. */
static void
test_space_distribution_json (void)
{
  g_autoptr(PbSearchSpace) space = study_test_space ();
  const char *want[] = {
    "{\"name\": \"FloatDistribution\", \"attributes\": {\"step\": null, \"low\": -10.0, \"high\": 10.0, \"log\": false}}",
    "{\"name\": \"FloatDistribution\", \"attributes\": {\"step\": null, \"low\": 1e-05, \"high\": 0.1, \"log\": true}}",
    "{\"name\": \"FloatDistribution\", \"attributes\": {\"step\": 0.25, \"low\": 0.0, \"high\": 1.0, \"log\": false}}",
    "{\"name\": \"IntDistribution\", \"attributes\": {\"log\": false, \"step\": 32, \"low\": 32, \"high\": 256}}",
    "{\"name\": \"IntDistribution\", \"attributes\": {\"log\": true, \"step\": 1, \"low\": 1, \"high\": 100}}",
    "{\"name\": \"CategoricalDistribution\", \"attributes\": {\"choices\": [\"Adam\", \"RMSprop\", \"SGD\"]}}",
  };
  g_autoptr(GError) error = NULL;

  for (guint i = 0; i < G_N_ELEMENTS (want); i++)
    {
      const PbParam *p = pb_search_space_get_param (space, i);
      g_autofree char *json = pb_param_to_distribution_json (p);
      g_autoptr(PbParam) back = pb_param_new_from_distribution_json (p->name, json, &error);

      g_assert_cmpstr (json, ==, want[i]);
      g_assert_no_error (error);
      g_assert_true (pb_param_equal (p, back));
    }

  /* legacy names still parse */
  {
    g_autoptr(PbParam) legacy = pb_param_new_from_distribution_json (
      "lr", "{\"name\": \"LogUniformDistribution\", \"attributes\": {\"low\": 1e-05, \"high\": 0.1}}",
      &error);

    g_assert_no_error (error);
    g_assert_true (legacy->kind == PB_PARAM_KIND_FLOAT && legacy->log);
  }
}

static void
expect_space_error (const char *json,
                    int         code,
                    const char *fragment)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(PbSearchSpace) space = pb_search_space_new_from_json (json, &error);

  g_assert_null (space);
  g_assert_error (error, PB_ENGINE_ERROR, code);
  g_test_message ("%s", error->message);
  g_assert_nonnull (strstr (error->message, fragment));
}

static void
test_space_bad_input (void)
{
  expect_space_error ("{\"params\": [{\"name\": \"a\", \"type\": \"gaussian\", \"low\": 0, \"high\": 1}]}",
                      PB_ENGINE_ERROR_INVALID_ARGUMENT, "unknown parameter type “gaussian”");
  expect_space_error ("{\"params\": [{\"name\": \"a\", \"type\": \"float\", \"low\": 2, \"high\": 1}]}",
                      PB_ENGINE_ERROR_INVALID_ARGUMENT, "Parameter a: empty range");
  expect_space_error ("{\"params\": [{\"name\": \"lr\", \"type\": \"float\", \"low\": 0, \"high\": 1, \"log\": true}]}",
                      PB_ENGINE_ERROR_INVALID_ARGUMENT, "Parameter lr: a log range needs low > 0");
  expect_space_error ("{\"params\": [{\"name\": \"n\", \"type\": \"int\", \"low\": -3, \"high\": 5, \"log\": true}]}",
                      PB_ENGINE_ERROR_INVALID_ARGUMENT, "log range needs low > 0");
  expect_space_error ("{\"params\": [{\"name\": \"a\", \"type\": \"float\", \"low\": 0.1, \"high\": 1, \"log\": true, \"step\": 0.1}]}",
                      PB_ENGINE_ERROR_INVALID_ARGUMENT, "both a step and a log scale");
  expect_space_error ("{\"params\": [{\"name\": \"c\", \"type\": \"categorical\", \"choices\": []}]}",
                      PB_ENGINE_ERROR_INVALID_ARGUMENT, "at least one choice");
  expect_space_error ("{\"params\": [{\"name\": \"a\", \"type\": \"int\", \"low\": 0, \"high\": 1},"
                      "{\"name\": \"a\", \"type\": \"int\", \"low\": 0, \"high\": 1}]}",
                      PB_ENGINE_ERROR_INVALID_ARGUMENT, "declared twice");
  expect_space_error ("{\"params\": []}", PB_ENGINE_ERROR_INVALID_ARGUMENT, "no parameters");
  expect_space_error ("{\"params\": [", PB_ENGINE_ERROR_INVALID_DATA, "not valid JSON");
  expect_space_error ("[1, 2]", PB_ENGINE_ERROR_INVALID_DATA, "“params” list");
}

/* ---- storage in the project file ---------------------------------------- */

static void
test_study_round_trip (Fixture       *f,
                       gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(PbStorage) storage = pb_storage_open (f->project, &error);
  g_autoptr(GPtrArray) trials = NULL;
  g_autoptr(PbProject) project = NULL;
  g_auto(GStrv) names = NULL;

  g_assert_no_error (error);
  g_assert_cmpstr (pb_storage_get_kind (storage), ==, "sqlite");
  trials = study_test_run_small (storage, "small");
  study_test_check_small (trials);

  names = pb_storage_list_studies (storage, &error);
  g_assert_cmpstrv (names, ((const char *[]) { "small", NULL }));

  /* the project is still a valid project, with Optuna's tables in it */
  project = pb_project_open (f->project, &error);
  g_assert_no_error (error);
}

static void
test_study_claim_and_budget (Fixture       *f,
                             gconstpointer  data)
{
  study_test_claim_and_budget (f->project);
}

static void
age_sqlite_heartbeat (gint64   trial_id,
                      gpointer data)
{
  sqlite3 *db = NULL;
  g_autofree char *sql = g_strdup_printf ("UPDATE trial_heartbeats SET heartbeat = "
                                          "'2000-01-01 00:00:00.000000' WHERE trial_id = %"
                                          G_GINT64_FORMAT, trial_id);

  g_assert_cmpint (sqlite3_open (data, &db), ==, SQLITE_OK);
  sqlite3_busy_timeout (db, 5000);
  g_assert_cmpint (sqlite3_exec (db, sql, NULL, NULL, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_changes (db), ==, 1);
  sqlite3_close (db);
}

static void
test_study_stale_heartbeat (Fixture       *f,
                            gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(PbStorage) storage = pb_storage_open (f->project, &error);

  g_assert_no_error (error);
  study_test_stale_heartbeat (storage, age_sqlite_heartbeat, f->project);
}

static void
test_study_bad_input (Fixture       *f,
                      gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(PbStorage) storage = pb_storage_open (f->project, &error);
  g_autoptr(PbSearchSpace) space = study_test_space ();
  g_autoptr(PbSearchSpace) other = pb_search_space_new_builtin (PB_SEARCH_SPACE_QUADRATIC, NULL);
  g_autoptr(PbStudy) study = NULL;
  g_autoptr(PbStudy) clash = NULL;
  g_autoptr(PbStudy) missing = NULL;
  g_autoptr(PbStorage) nowhere = NULL;
  g_autoptr(PbStudyTrial) trial = NULL;
  g_autofree char *absent = g_build_filename (f->dir, "absent.perturb", NULL);
  const PbParam *x;

  study = pb_study_open (storage, "s", space, NULL, &error);
  g_assert_no_error (error);

  /* a study name clash with a different search space */
  clash = pb_study_open (storage, "s", other, NULL, &error);
  g_assert_null (clash);
  g_assert_error (error, PB_ENGINE_ERROR, PB_ENGINE_ERROR_EXISTS);
  g_assert_nonnull (strstr (error->message, "different search space"));
  g_clear_error (&error);

  /* joining a study that does not exist */
  missing = pb_study_open (storage, "nope", NULL, NULL, &error);
  g_assert_error (error, PB_ENGINE_ERROR, PB_ENGINE_ERROR_NOT_FOUND);
  g_clear_error (&error);

  /* a value outside its range, a param on a finished trial, an incompatible reuse */
  g_assert_true (pb_study_ask (study, &trial, &error));
  g_assert_no_error (error);
  x = pb_search_space_lookup (space, "x", NULL);
  g_assert_false (pb_storage_set_trial_param (storage, pb_study_get_id (study),
                                              pb_study_trial_get_trial (trial)->trial_id, x, 11.0,
                                              &error));
  g_assert_error (error, PB_ENGINE_ERROR, PB_ENGINE_ERROR_INVALID_ARGUMENT);
  g_assert_nonnull (strstr (error->message, "outside the range of parameter x"));
  g_clear_error (&error);
  {
    g_autoptr(PbParam) x_log = pb_param_new_float ("x", 1, 10, 0, TRUE, NULL);
    g_autoptr(PbParam) fresh = pb_param_new_float ("z", 1, 10, 0, TRUE, NULL);
    gint64 id = pb_study_trial_get_trial (trial)->trial_id;

    g_assert_false (pb_storage_set_trial_param (storage, pb_study_get_id (study), id, x_log, 2,
                                                &error));
    g_assert_error (error, PB_ENGINE_ERROR, PB_ENGINE_ERROR_INVALID_ARGUMENT);
    g_assert_nonnull (strstr (error->message, "different distribution"));
    g_clear_error (&error);

    g_assert_true (pb_study_tell (study, trial, PB_TRIAL_STATE_COMPLETE, 1.0, &error));
    g_assert_false (pb_storage_set_trial_param (storage, pb_study_get_id (study), id, fresh, 2,
                                                &error));
    g_assert_error (error, PB_ENGINE_ERROR, PB_ENGINE_ERROR_INVALID_ARGUMENT);
    g_assert_nonnull (strstr (error->message, "already finished"));
    g_clear_error (&error);
    g_assert_false (pb_storage_report (storage, id, 0, 1.0, &error) &&
                    pb_storage_finish_trial (storage, id, PB_TRIAL_STATE_COMPLETE, TRUE, 2.0,
                                             &error));
    g_assert_error (error, PB_ENGINE_ERROR, PB_ENGINE_ERROR_INVALID_ARGUMENT);
    g_clear_error (&error);
  }

  /* storages that are not there */
  nowhere = pb_storage_open (absent, &error);
  g_assert_error (error, PB_ENGINE_ERROR, PB_ENGINE_ERROR_NOT_FOUND);
  g_clear_error (&error);
  nowhere = pb_storage_open ("host=/nonexistent-perturb-socket-dir dbname=x connect_timeout=2",
                             &error);
  g_assert_null (nowhere);
  g_assert_error (error, PB_ENGINE_ERROR, PB_ENGINE_ERROR_CONNECTION);
  g_assert_nonnull (strstr (error->message, "Cannot connect"));
}

/* ---- Optuna interoperability ------------------------------------------- */

/* Debian's python3 (python3-optuna), or $PYTHON */
static const char *
python (void)
{
  const char *env = g_getenv ("PYTHON");

  if (env != NULL)
    return env;
  return g_file_test ("/usr/bin/python3", G_FILE_TEST_IS_EXECUTABLE) ? "/usr/bin/python3"
                                                                     : "python3";
}

/* Loads a study with optuna (RDBStorage, skip_compatibility_check) and dumps it. */
static const char optuna_dump_py[] =
  "import json, math, sys\n"
  "try:\n"
  "    import optuna\n"
  "except ImportError:\n"
  "    sys.exit(77)\n"
  "optuna.logging.set_verbosity(optuna.logging.WARNING)\n"
  "st = optuna.storages.RDBStorage(sys.argv[1], skip_compatibility_check=True)\n"
  "s = optuna.load_study(study_name=sys.argv[2], storage=st)\n"
  "def enc(v):\n"
  "    if isinstance(v, float) and not math.isfinite(v): return repr(v)\n"
  "    return v\n"
  "print(json.dumps({'direction': s.direction.name, 'version': optuna.__version__,\n"
  "  'best': s.best_trial.number, 'best_value': enc(s.best_value),\n"
  "  'trials': [{'number': t.number, 'state': t.state.name, 'value': enc(t.value),\n"
  "    'params': t.params, 'user_attrs': t.user_attrs,\n"
  "    'iv': {str(k): enc(v) for k, v in t.intermediate_values.items()}} for t in s.trials]}))\n";

/* Optuna 3.1 writes a study: enqueued, sampled, pruned, failed trials. */
static const char optuna_write_py[] =
  "import sys\n"
  "try:\n"
  "    import optuna\n"
  "except ImportError:\n"
  "    sys.exit(77)\n"
  "optuna.logging.set_verbosity(optuna.logging.WARNING)\n"
  "s = optuna.create_study(study_name='theirs', storage=sys.argv[1], direction='maximize',\n"
  "                        sampler=optuna.samplers.TPESampler(seed=3, n_startup_trials=2))\n"
  "s.enqueue_trial({'x': 1.5, 'opt': 'SGD'})\n"
  "def obj(t):\n"
  "    x = t.suggest_float('x', -10, 10)\n"
  "    lr = t.suggest_float('lr', 1e-5, 0.1, log=True)\n"
  "    q = t.suggest_float('q', 0, 1, step=0.25)\n"
  "    h = t.suggest_int('h', 32, 256, step=32)\n"
  "    li = t.suggest_int('li', 1, 100, log=True)\n"
  "    opt = t.suggest_categorical('opt', ['Adam', 'RMSprop', 'SGD'])\n"
  "    t.set_user_attr('note', 'hello')\n"
  "    t.report(float('nan'), 0); t.report(float('inf'), 1); t.report(-x * x, 2)\n"
  "    if t.number == 2: raise optuna.TrialPruned()\n"
  "    if t.number == 3: raise ValueError('boom')\n"
  "    return -x * x + h / 1000\n"
  "s.optimize(obj, n_trials=6, catch=(ValueError,))\n";

static JsonObject *
run_python_json (JsonParser *parser,
                 const char *script,
                 const char *arg1,
                 const char *arg2)
{
  const char *argv[] = { python (), "-c", script, arg1, arg2, NULL };
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_autoptr(GError) error = NULL;
  int status;

  g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL, &out, &err,
                &status, &error);
  g_assert_no_error (error);
  if (WIFEXITED (status) && WEXITSTATUS (status) == 77)
    return NULL;   /* no optuna */
  if (!g_spawn_check_wait_status (status, NULL))
    g_error ("%s failed: %s", python (), err);
  json_parser_load_from_data (parser, out, -1, &error);
  g_assert_no_error (error);
  return json_node_get_object (json_parser_get_root (parser));
}

static double
json_number_or_special (JsonNode *node)
{
  if (JSON_NODE_HOLDS_NULL (node))
    return NAN;
  if (json_node_get_value_type (node) == G_TYPE_STRING)
    {
      const char *s = json_node_get_string (node);

      return g_str_equal (s, "inf") ? INFINITY : g_str_equal (s, "-inf") ? -INFINITY : NAN;
    }
  return json_node_get_double (node);
}

/* Trials as optuna dumped them == trials as we load them. */
static void
compare_with_optuna (JsonObject       *dump,
                     GPtrArray        *trials,
                     PbStudyDirection  direction)
{
  JsonArray *jtrials = json_object_get_array_member (dump, "trials");
  const PbTrial *best = pb_trials_find_best (trials, direction);

  g_assert_cmpuint (json_array_get_length (jtrials), ==, trials->len);
  g_assert_cmpstr (json_object_get_string_member (dump, "direction"), ==,
                   pb_study_direction_to_string (direction));
  g_assert_nonnull (best);
  g_assert_cmpint (json_object_get_int_member (dump, "best"), ==, best->number);
  g_assert_cmpfloat (json_number_or_special (json_object_get_member (dump, "best_value")), ==,
                     best->value);

  for (guint i = 0; i < trials->len; i++)
    {
      const PbTrial *t = g_ptr_array_index (trials, i);
      JsonObject *jt = json_array_get_object_element (jtrials, i);
      JsonObject *params = json_object_get_object_member (jt, "params");
      JsonObject *ivs = json_object_get_object_member (jt, "iv");
      JsonNode *value = json_object_get_member (jt, "value");

      g_assert_cmpint (json_object_get_int_member (jt, "number"), ==, t->number);
      g_assert_cmpstr (json_object_get_string_member (jt, "state"), ==,
                       pb_trial_state_to_string (t->state));
      if (t->has_value)
        g_assert_cmpfloat (json_number_or_special (value), ==, t->value);
      else
        g_assert_true (JSON_NODE_HOLDS_NULL (value));
      g_assert_cmpstr (json_object_get_string_member (json_object_get_object_member (jt, "user_attrs"),
                                                      "note"), ==, "hello");

      g_assert_cmpuint (json_object_get_size (params), ==, t->params->len);
      for (guint p = 0; p < t->params->len; p++)
        {
          const PbTrialParam *tp = g_ptr_array_index (t->params, p);
          JsonNode *jp = json_object_get_member (params, tp->name);

          g_assert_nonnull (jp);
          if (tp->distribution->kind == PB_PARAM_KIND_CATEGORICAL)
            g_assert_cmpstr (json_node_get_string (jp), ==,
                             tp->distribution->choices[(guint) tp->internal]);
          else if (tp->distribution->kind == PB_PARAM_KIND_INT)
            g_assert_cmpint (json_node_get_int (jp), ==, (gint64) tp->internal);
          else
            g_assert_cmpfloat (json_node_get_double (jp), ==, tp->internal);
        }

      g_assert_cmpuint (json_object_get_size (ivs), ==, t->intermediate_values->len);
      for (guint k = 0; k < t->intermediate_values->len; k++)
        {
          const PbIntermediateValue *iv = &g_array_index (t->intermediate_values,
                                                          PbIntermediateValue, k);
          g_autofree char *key = g_strdup_printf ("%" G_GINT64_FORMAT, iv->step);
          double v = json_number_or_special (json_object_get_member (ivs, key));

          if (isnan (iv->value))
            g_assert_true (isnan (v));
          else
            g_assert_cmpfloat (v, ==, iv->value);
        }
    }
}

static void
test_optuna_reads_our_study (Fixture       *f,
                             gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(PbStorage) storage = NULL;
  g_autoptr(GPtrArray) trials = NULL;
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autofree char *url = g_strconcat ("sqlite:///", f->project, NULL);
  JsonObject *dump;

  storage = pb_storage_open (f->project, &error);
  g_assert_no_error (error);
  trials = study_test_run_small (storage, "ours");
  dump = run_python_json (parser, optuna_dump_py, url, "ours");
  if (dump == NULL)
    {
      g_test_skip ("python3 with optuna is not installed (apt-get install python3-optuna)");
      return;
    }
  g_test_message ("read by optuna %s", json_object_get_string_member (dump, "version"));
  compare_with_optuna (dump, trials, PB_STUDY_DIRECTION_MINIMIZE);
}

static void
test_we_read_optuna_study (Fixture       *f,
                           gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(PbStorage) storage = NULL;
  g_autoptr(GPtrArray) trials = NULL;
  g_autoptr(GPtrArray) after = NULL;
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autofree char *path = g_build_filename (f->dir, "optuna.db", NULL);
  g_autofree char *url = g_strconcat ("sqlite:///", path, NULL);
  g_autoptr(PbSearchSpace) space = study_test_space ();
  g_autoptr(PbStudy) study = NULL;
  g_autoptr(PbStudyTrial) trial = NULL;
  PbStudyDirection direction;
  gint64 study_id;
  g_autofree char *write_and_dump = g_strconcat (optuna_write_py, optuna_dump_py, NULL);
  JsonObject *dump;

  dump = run_python_json (parser, write_and_dump, url, "theirs");
  if (dump == NULL)
    {
      g_test_skip ("python3 with optuna is not installed (apt-get install python3-optuna)");
      return;
    }

  storage = pb_storage_open (url, &error);
  g_assert_no_error (error);
  g_assert_true (pb_storage_find_study (storage, "theirs", &study_id, &direction, &error));
  g_assert_cmpint (direction, ==, PB_STUDY_DIRECTION_MAXIMIZE);
  trials = pb_storage_load_trials (storage, study_id, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (trials->len, ==, 6);
  g_assert_cmpint (((PbTrial *) g_ptr_array_index (trials, 2))->state, ==, PB_TRIAL_STATE_PRUNED);
  g_assert_cmpint (((PbTrial *) g_ptr_array_index (trials, 3))->state, ==, PB_TRIAL_STATE_FAIL);
  g_assert_cmpstr (((PbTrial *) g_ptr_array_index (trials, 0))->fixed_params_json, ==,
                   "{\"x\": 1.5, \"opt\": \"SGD\"}");
  compare_with_optuna (dump, trials, PB_STUDY_DIRECTION_MAXIMIZE);

  /* we continue Optuna's study (alembic v3.0.0.d, left as it is) with our sampler;
   * reads-our-study shows that Optuna reads what we write */
  study = pb_study_open (storage, "theirs", space, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (pb_study_ask (study, &trial, &error));
  g_assert_no_error (error);
  g_assert_cmpint (pb_study_trial_get_number (trial), ==, 6);
  g_assert_true (pb_study_tell (study, trial, PB_TRIAL_STATE_COMPLETE, 1e6, &error));
  g_assert_no_error (error);
  after = pb_study_load_trials (study, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (after->len, ==, 7);
  g_assert_cmpint (pb_trials_find_best (after, PB_STUDY_DIRECTION_MAXIMIZE)->number, ==, 6);
}

/* ---- several processes -------------------------------------------------- */

static void
test_workers_share_a_study (Fixture       *f,
                            gconstpointer  data)
{
  g_autoptr(PbProject) project = NULL;
  g_autoptr(GError) error = NULL;

  study_test_workers (f->project, f->project, 3, 24);

  /* the project survived three writers */
  project = pb_project_open (f->project, &error);
  g_assert_no_error (error);
}

static int
integrity_check (const char *path)
{
  sqlite3 *db = NULL;
  sqlite3_stmt *stmt = NULL;
  int ok;

  g_assert_cmpint (sqlite3_open (path, &db), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_prepare_v2 (db, "PRAGMA integrity_check", -1, &stmt, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
  ok = g_strcmp0 ((const char *) sqlite3_column_text (stmt, 0), "ok") == 0;
  sqlite3_finalize (stmt);
  sqlite3_close (db);
  return ok;
}

/* A worker killed with SIGKILL mid-trial: its trial fails after the grace
 * period, the study still reaches its budget, the file stays sound. */
static void
test_killed_worker (Fixture       *f,
                    gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(PbStorage) storage = pb_storage_open (f->project, &error);
  g_autoptr(PbSearchSpace) space = pb_search_space_new_builtin (PB_SEARCH_SPACE_QUADRATIC, NULL);
  g_autoptr(PbStudy) study = NULL;
  g_autoptr(GPtrArray) trials = NULL;
  const char *slow[] = { "tune", f->project, "--study", "crash", "--worker", "--steps", "200",
                         "--step-ms", "50", NULL };
  const char *fast[] = { "tune", f->project, "--study", "crash", "--worker", "--steps", "2",
                         NULL };
  PbStudyOptions options;
  guint n_complete = 0;
  gboolean running = FALSE;
  int fd;
  GPid pid;

  pb_study_options_init_default (&options);
  options.budget = 3;
  options.heartbeat_interval_s = 0.1;
  options.grace_period_s = 0.5;
  study = pb_study_open (storage, "crash", space, &options, &error);
  g_assert_no_error (error);
  g_assert_true (pb_study_set_user_attr (study, "perturb:objective", "\"quadratic\"", &error));

  pid = study_test_spawn_cli (slow, &fd);
  for (int i = 0; i < 200 && !running; i++)
    {
      g_autoptr(GPtrArray) now = NULL;

      g_usleep (50000);
      now = pb_study_load_trials (study, &error);
      g_assert_no_error (error);
      running = now->len == 1 && ((PbTrial *) g_ptr_array_index (now, 0))->params->len == 2;
    }
  g_assert_true (running);
  g_usleep (200000);   /* a few heartbeats and reports */
  kill (pid, SIGKILL);
  g_assert_cmpint (study_test_wait (pid), ==, 128 + SIGKILL);
  g_free (study_test_read_all (fd));

  g_usleep (700000);   /* past the grace period */
  pid = study_test_spawn_cli (fast, &fd);
  g_free (study_test_read_all (fd));
  g_assert_cmpint (study_test_wait (pid), ==, 0);

  trials = pb_study_load_trials (study, &error);
  g_assert_no_error (error);
  g_assert_cmpint (((PbTrial *) g_ptr_array_index (trials, 0))->state, ==, PB_TRIAL_STATE_FAIL);
  g_assert_cmpuint (((PbTrial *) g_ptr_array_index (trials, 0))->intermediate_values->len, >, 0);
  for (guint i = 0; i < trials->len; i++)
    n_complete += ((PbTrial *) g_ptr_array_index (trials, i))->state == PB_TRIAL_STATE_COMPLETE ||
                  ((PbTrial *) g_ptr_array_index (trials, i))->state == PB_TRIAL_STATE_PRUNED;
  g_assert_cmpuint (n_complete, ==, 3);
  g_assert_cmpuint (trials->len, ==, 4);
  g_assert_true (integrity_check (f->project));
}

/* ---- the commands -------------------------------------------------------- */

static void
test_cli_tune_and_study (Fixture       *f,
                         gconstpointer  data)
{
  g_auto(PbTestCliResult) tune = { 0 };
  g_auto(PbTestCliResult) more = { 0 };
  g_auto(PbTestCliResult) list = { 0 };
  g_auto(PbTestCliResult) show = { 0 };
  g_auto(PbTestCliResult) csv = { 0 };
  g_autofree char *csv_path = g_build_filename (f->dir, "trials.csv", NULL);
  g_autofree char *contents = NULL;
  g_auto(GStrv) lines = NULL;

  pb_test_run_cli (&tune, "tune", f->project, "--objective", "quadratic", "--trials", "12",
                   "--steps", "4", "--seed", "5", "--enqueue", "{\"x\": 2, \"y\": -1}",
                   "--heartbeat", "0", NULL);
  g_assert_cmpint (tune.status, ==, 0);
  g_assert_true (g_str_has_prefix (tune.out, "trial 0 COMPLETE value=0 x=2.0 y=-1.0\n"));
  g_assert_nonnull (strstr (tune.out, "\ntrial 11 "));
  g_assert_null (strstr (tune.out, "\ntrial 12 "));

  /* a second run on the same study: the budget is used, nothing more runs */
  pb_test_run_cli (&more, "tune", f->project, "--study", "model", "--worker", NULL);
  g_assert_cmpint (more.status, ==, 0);
  g_assert_cmpstr (more.out, ==, "");

  pb_test_run_cli (&list, "study", f->project, NULL);
  g_assert_cmpint (list.status, ==, 0);
  g_assert_true (g_str_has_prefix (list.out, "model: 12 trials, "));
  g_assert_nonnull (strstr (list.out, "best trial 0 value 0\n"));

  pb_test_run_cli (&show, "study", f->project, "--study", "model", NULL);
  g_assert_cmpint (show.status, ==, 0);
  g_assert_nonnull (strstr (show.out, "Best trial: 0 value=0 x=2.0 y=-1.0\n"));

  pb_test_run_cli (&csv, "study", f->project, "--study", "model", "--csv", csv_path, NULL);
  g_assert_cmpint (csv.status, ==, 0);
  g_assert_true (g_file_get_contents (csv_path, &contents, NULL, NULL));
  lines = g_strsplit (contents, "\n", -1);
  g_assert_cmpuint (g_strv_length (lines), ==, 14);   /* header, 12 rows, "" */
  g_assert_cmpstr (lines[0], ==, "number,value,datetime_start,datetime_complete,params_x,params_y,state");
  g_assert_true (g_str_has_prefix (lines[1], "0,0,"));
  g_assert_true (g_str_has_suffix (lines[1], ",2.0,-1.0,COMPLETE"));
}

static void
test_cli_bad_input (Fixture       *f,
                    gconstpointer  data)
{
  g_auto(PbTestCliResult) unknown = { 0 };
  g_auto(PbTestCliResult) objective = { 0 };
  g_auto(PbTestCliResult) space = { 0 };
  g_auto(PbTestCliResult) first = { 0 };
  g_auto(PbTestCliResult) clash = { 0 };
  g_auto(PbTestCliResult) server = { 0 };
  g_auto(PbTestCliResult) worker = { 0 };
  g_autofree char *bad = g_build_filename (f->dir, "bad.json", NULL);

  pb_test_run_cli (&unknown, "study", f->project, "--study", "nope", NULL);
  g_assert_cmpint (unknown.status, ==, 2);
  g_assert_nonnull (strstr (unknown.err, "No study called “nope”"));

  pb_test_run_cli (&objective, "tune", f->project, "--objective", "bogus", NULL);
  g_assert_cmpint (objective.status, ==, 2);
  g_assert_nonnull (strstr (objective.err, "unknown objective “bogus”"));

  g_assert_true (g_file_set_contents (bad, "{\"params\": [{\"name\": \"x\", \"type\": \"normal\","
                                      " \"low\": 0, \"high\": 1}]}", -1, NULL));
  pb_test_run_cli (&space, "tune", f->project, "--objective", "quadratic", "--space", bad, NULL);
  g_assert_cmpint (space.status, ==, 2);
  g_assert_nonnull (strstr (space.err, "Parameter x: unknown parameter type “normal”"));

  pb_test_run_cli (&first, "tune", f->project, "--objective", "quadratic", "--trials", "1",
                   "--steps", "1", NULL);
  g_assert_cmpint (first.status, ==, 0);
  pb_test_run_cli (&clash, "tune", f->project, "--objective", "quadratic", "--space", "attack",
                   NULL);
  g_assert_cmpint (clash.status, ==, 2);
  g_assert_nonnull (strstr (clash.err, "different search space"));

  pb_test_run_cli (&worker, "tune", f->project, "--study", "absent", "--worker", NULL);
  g_assert_cmpint (worker.status, ==, 2);
  g_assert_nonnull (strstr (worker.err, "No study called “absent”"));

  pb_test_run_cli (&server, "tune", f->project, "--objective", "quadratic", "--storage",
                   "host=/nonexistent-perturb-socket-dir dbname=x connect_timeout=2", NULL);
  g_assert_cmpint (server.status, ==, 1);
  g_assert_nonnull (strstr (server.err, "Cannot connect to the PostgreSQL study storage"));
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/pb/study/space/json-round-trip", test_space_json_round_trip);
  g_test_add_func ("/pb/study/space/distribution-json-as-optuna", test_space_distribution_json);
  g_test_add_func ("/pb/study/space/bad-input", test_space_bad_input);
#define ADD(path, func) g_test_add ("/pb/study/" path, Fixture, NULL, fixture_setup, func, fixture_tear)
  ADD ("sqlite/round-trip", test_study_round_trip);
  ADD ("sqlite/claim-and-budget", test_study_claim_and_budget);
  ADD ("sqlite/stale-heartbeat-fails-trial", test_study_stale_heartbeat);
  ADD ("sqlite/bad-input", test_study_bad_input);
  ADD ("optuna/reads-our-study", test_optuna_reads_our_study);
  ADD ("optuna/we-read-and-continue-its-study", test_we_read_optuna_study);
  ADD ("workers/three-processes-one-sqlite-study", test_workers_share_a_study);
  ADD ("workers/killed-worker-trial-fails", test_killed_worker);
  ADD ("cli/tune-and-study", test_cli_tune_and_study);
  ADD ("cli/bad-input", test_cli_bad_input);
#undef ADD

  return g_test_run ();
}
