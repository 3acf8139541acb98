/* pb-cli-tune.c — `perturb tune`: run (or join) a hyperparameter study.
 *
 * The study lives in the project file (Optuna's tables, lazily created) or in
 * the storage given with --storage (PostgreSQL or another SQLite file). Any
 * number of `perturb tune --worker` processes join it and claim trials until
 * its budget (--trials) is used up.
 *
 * Objectives: `classifier` (the default) is SPEC §5.2's stratified k-fold mean
 * validation loss of the BiLSTM on a dataset of the project
 * (pb-tune-objective.c); `quadratic` is a built-in synthetic objective —
 * f(x, y) = (x − 2)² + (y + 1)², reported over --steps steps as
 * f·(1 + 1/(s + 1)) so that the pruner has something to prune — for demos and
 * tests of the study machinery. A new study stores its objective and the
 * objective's settings (`perturb:objective`, `perturb:objective_config`), so
 * workers run exactly what the study was created with.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "pb-json.h"
#include "pb-cli.h"

#include "pb-study.h"
#include "pb-tune-objective.h"

#include <json-glib/json-glib.h>

#include <math.h>
#include <stdio.h>
#include <string.h>

#define PB_CLI_TUNE_ATTR_OBJECTIVE "perturb:objective"
#define PB_CLI_TUNE_ATTR_OBJECTIVE_CONFIG "perturb:objective_config"

typedef struct
{
  int     n_steps;
  int     step_ms;
} QuadraticData;

static gboolean
quadratic_objective (PbStudyTrial  *trial,
                     double        *value,
                     gpointer       user_data,
                     GCancellable  *cancellable,
                     GError       **error)
{
  QuadraticData *data = user_data;
  double x = pb_study_trial_get_value (trial, "x");
  double y = pb_study_trial_get_value (trial, "y");
  double f = (x - 2) * (x - 2) + (y + 1) * (y + 1);

  for (int s = 0; s < data->n_steps; s++)
    {
      gboolean prune = FALSE;

      if (data->step_ms > 0)
        g_usleep ((gulong) data->step_ms * 1000);
      if (g_cancellable_set_error_if_cancelled (cancellable, error))
        return FALSE;
      if (!pb_study_trial_report (trial, s, f * (1.0 + 1.0 / (s + 1)), &prune, error))
        return FALSE;
      if (prune)
        return TRUE;
    }
  *value = f;
  return TRUE;
}

static void
print_trial (double        fraction,
             const char   *message,
             gconstpointer details,
             gpointer      user_data)
{
  const PbTrial *t = details;
  GString *line = g_string_new (NULL);

  g_string_append_printf (line, "trial %d %s", t->number, pb_trial_state_to_string (t->state));
  if (t->has_value)
    g_string_append_printf (line, " value=%.10g", t->value);
  for (guint i = 0; i < t->params->len; i++)
    {
      const PbTrialParam *p = g_ptr_array_index (t->params, i);
      g_autofree char *v = pb_param_format_value (p->distribution, p->internal);

      g_string_append_printf (line, " %s=%s", p->name, v);
    }
  printf ("%s\n", line->str);
  fflush (stdout);
  g_string_free (line, TRUE);
}

static PbSearchSpace *
load_space (const char  *spec,
            GError     **error)
{
  g_autofree char *contents = NULL;

  if (pb_search_space_get_builtin_json (spec) != NULL)
    return pb_search_space_new_builtin (spec, error);
  if (!g_file_get_contents (spec, &contents, NULL, error))
    return NULL;
  return pb_search_space_new_from_json (contents, error);
}

typedef struct
{
  char                  *dataset;
  PbTuneObjectiveConfig  config;
} ClassifierSettings;

static char *
classifier_settings_to_json (const ClassifierSettings *cs)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();
  g_autoptr(JsonNode) root = NULL;

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "dataset");
  json_builder_add_string_value (b, cs->dataset);
  json_builder_set_member_name (b, "folds");
  json_builder_add_int_value (b, cs->config.n_folds);
  json_builder_set_member_name (b, "epochs");
  json_builder_add_int_value (b, cs->config.n_epochs);
  json_builder_set_member_name (b, "epochs_per_report");
  json_builder_add_int_value (b, cs->config.epochs_per_report);
  json_builder_set_member_name (b, "fold_seed");
  json_builder_add_int_value (b, (gint64) cs->config.fold_seed);
  json_builder_set_member_name (b, "train_seed");
  json_builder_add_int_value (b, (gint64) cs->config.train_seed);
  json_builder_set_member_name (b, "preset");
  json_builder_add_string_value (b, pb_protocol_get_name (cs->config.protocol));
  json_builder_end_object (b);
  root = json_builder_get_root (b);
  return pb_json_to_string (root, FALSE);
}

static gboolean
classifier_settings_from_json (const char          *json,
                               ClassifierSettings  *cs,
                               GError             **error)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  JsonObject *o;

  if (!json_parser_load_from_data (parser, json, -1, NULL) ||
      !JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)))
    {
      g_set_error (error, PB_ENGINE_ERROR, PB_ENGINE_ERROR_CORRUPT,
                   "The study's " PB_CLI_TUNE_ATTR_OBJECTIVE_CONFIG " is not a JSON object");
      return FALSE;
    }
  o = json_node_get_object (json_parser_get_root (parser));
  g_free (cs->dataset);
  cs->dataset = g_strdup (json_object_get_string_member_with_default (o, "dataset", ""));
  cs->config.n_folds = json_object_get_int_member_with_default (o, "folds", 5);
  cs->config.n_epochs = json_object_get_int_member_with_default (o, "epochs", 100);
  cs->config.epochs_per_report = json_object_get_int_member_with_default (o, "epochs_per_report",
                                                                          5);
  cs->config.fold_seed = json_object_get_int_member_with_default (o, "fold_seed", 1234);
  cs->config.train_seed = json_object_get_int_member_with_default (o, "train_seed", 12345678);
  if (!pb_protocol_from_name (json_object_get_string_member_with_default (o, "preset", "standard"),
                              &cs->config.protocol))
    {
      g_set_error (error, PB_ENGINE_ERROR, PB_ENGINE_ERROR_CORRUPT,
                   "The study's " PB_CLI_TUNE_ATTR_OBJECTIVE_CONFIG " names an unknown preset");
      return FALSE;
    }
  return TRUE;
}

static void
print_progress (double        fraction,
                const char   *message,
                gconstpointer details,
                gpointer      user_data)
{
  g_printerr ("  %s\n", message);
}

int
pb_cli_tune (int    argc,
             char **argv)
{
  g_autoptr(GOptionContext) context =
    g_option_context_new ("PROJECT — tune hyperparameters in an Optuna-compatible study");
  g_autoptr(PbProject) project = NULL;
  g_autoptr(PbStorage) storage = NULL;
  g_autoptr(PbSearchSpace) space = NULL;
  g_autoptr(PbStudy) study = NULL;
  g_autoptr(PbDataset) dataset = NULL;
  g_autoptr(PbTuneObjective) classifier = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *storage_location = NULL;
  g_autofree char *study_name = NULL;
  g_autofree char *objective = NULL;
  g_autofree char *space_spec = NULL;
  g_autofree char *stored_objective = NULL;
  g_autofree char *stored_config = NULL;
  g_autofree char *dataset_name = NULL;
  g_autofree char *preset = NULL;
  g_auto(GStrv) enqueue = NULL;
  gboolean worker = FALSE, no_prune = FALSE, maximize = FALSE, quiet = FALSE;
  gint64 seed = 0, max_trials = -1, fold_seed = 1234;
  int n_trials = 30, n_steps = 20, step_ms = 0, warmup = 3, startup = 10, rc;
  int n_folds = 5, n_epochs = 100, report_every = 5;
  double heartbeat = 60, grace = 0;
  guint n_run = 0;
  PbStudyOptions options;
  QuadraticData quadratic;
  ClassifierSettings cs = { NULL };
  const GOptionEntry entries[] = {
    { "storage", 0, 0, G_OPTION_ARG_STRING, &storage_location,
      "Keep the study in this storage: a PostgreSQL conninfo/URI or sqlite:///PATH "
      "(default: the project file)", "LOCATION" },
    { "study", 0, 0, G_OPTION_ARG_STRING, &study_name, "Study name (default: model)", "NAME" },
    { "trials", 0, 0, G_OPTION_ARG_INT, &n_trials,
      "Trials the study runs across all workers (default 30)", "N" },
    { "worker", 0, 0, G_OPTION_ARG_NONE, &worker,
      "Join an existing study and claim trials until its budget is used", NULL },
    { "objective", 0, 0, G_OPTION_ARG_STRING, &objective,
      "classifier (default) or quadratic (a synthetic demo/test objective)", "NAME" },
    { "dataset", 0, 0, G_OPTION_ARG_STRING, &dataset_name,
      "classifier: the project's dataset to tune on (default: the only one)", "NAME" },
    { "folds", 0, 0, G_OPTION_ARG_INT, &n_folds,
      "classifier: stratified folds (default 5)", "K" },
    { "epochs", 0, 0, G_OPTION_ARG_INT, &n_epochs,
      "classifier: epochs per fold and trial (default 100)", "N" },
    { "report-every", 0, 0, G_OPTION_ARG_INT, &report_every,
      "classifier: epochs between two reports of the mean validation loss (default 5)", "N" },
    { "fold-seed", 0, 0, G_OPTION_ARG_INT64, &fold_seed,
      "classifier: seed of the fold assignment (default 1234)", "N" },
    { "preset", 0, 0, G_OPTION_ARG_STRING, &preset,
      "classifier: protocol preset, standard (default) or seed", "PRESET" },
    { "space", 0, 0, G_OPTION_ARG_FILENAME, &space_spec,
      "Search space: model, attack, attack-full, quadratic or a JSON file", "SPACE" },
    { "seed", 0, 0, G_OPTION_ARG_INT64, &seed, "Sampler seed of a new study (default 0)", "N" },
    { "startup-trials", 0, 0, G_OPTION_ARG_INT, &startup,
      "Random trials before TPE (default 10)", "N" },
    { "warmup-steps", 0, 0, G_OPTION_ARG_INT, &warmup,
      "Median pruner: no pruning before this step (default 3)", "N" },
    { "no-prune", 0, 0, G_OPTION_ARG_NONE, &no_prune, "Never prune", NULL },
    { "maximize", 0, 0, G_OPTION_ARG_NONE, &maximize, "Maximize the objective", NULL },
    { "enqueue", 0, 0, G_OPTION_ARG_STRING_ARRAY, &enqueue,
      "Enqueue a trial with these parameters (JSON object); repeatable", "JSON" },
    { "max-trials", 0, 0, G_OPTION_ARG_INT64, &max_trials,
      "Run at most N trials in this process", "N" },
    { "heartbeat", 0, 0, G_OPTION_ARG_DOUBLE, &heartbeat,
      "Heartbeat interval of running trials in seconds, 0 = none (default 60)", "S" },
    { "grace", 0, 0, G_OPTION_ARG_DOUBLE, &grace,
      "Fail RUNNING trials whose heartbeat is older than this (default 2 × heartbeat)", "S" },
    { "steps", 0, 0, G_OPTION_ARG_INT, &n_steps,
      "quadratic: intermediate values per trial (default 20)", "N" },
    { "step-ms", 0, 0, G_OPTION_ARG_INT, &step_ms,
      "quadratic: milliseconds per step (default 0)", "MS" },
    { "quiet", 'q', 0, G_OPTION_ARG_NONE, &quiet, "No per-epoch progress on stderr", NULL },
    { NULL }
  };

  g_option_context_add_main_entries (context, entries, NULL);
  pb_cli_add_backend_option (context);
  g_option_context_set_description (context,
    "Without --storage the study is kept in the project file, where\n"
    "optuna-dashboard sqlite:///PROJECT can open it. Give PostgreSQL passwords\n"
    "through ~/.pgpass or PGPASSWORD, never on the command line.\n"
    "Each finished trial is printed on stdout as “trial N STATE value=… params…”.");
  if ((rc = pb_cli_parse_options (context, &argc, &argv)) != PB_CLI_EXIT_OK)
    return rc;
  if (argc != 2)
    return pb_cli_usage_error (context, "tune needs exactly one PROJECT");
  if (n_trials < 1 || n_steps < 1 || step_ms < 0 || warmup < 0 || startup < 0 ||
      heartbeat < 0 || grace < 0 || n_folds < 2 || n_epochs < 1 || report_every < 1)
    return pb_cli_usage_error (context, "--trials, --epochs, --report-every and --steps must be "
                                        "positive, --folds at least 2, the other numbers not "
                                        "negative");
  if (objective != NULL && !g_str_equal (objective, "quadratic") &&
      !g_str_equal (objective, "classifier"))
    return pb_cli_usage_error (context, "unknown objective “%s” (known: classifier, quadratic)",
                               objective);

  project = pb_project_open (argv[1], &error);
  if (project == NULL)
    return pb_cli_report_error (error);
  storage = pb_storage_open (storage_location != NULL ? storage_location
                                                      : pb_project_get_path (project), &error);
  if (storage == NULL)
    return pb_cli_report_error (error);
  if (study_name == NULL)
    study_name = g_strdup ("model");

  if (worker)
    {
      if (enqueue != NULL || space_spec != NULL)
        return pb_cli_usage_error (context, "--worker joins a study as it is: "
                                            "no --enqueue or --space");
      study = pb_study_open (storage, study_name, NULL, NULL, &error);
    }
  else
    {
      gboolean is_quadratic = objective != NULL && g_str_equal (objective, "quadratic");

      pb_study_options_init_default (&options);
      options.direction = maximize ? PB_STUDY_DIRECTION_MAXIMIZE : PB_STUDY_DIRECTION_MINIMIZE;
      options.budget = n_trials;
      options.tpe.seed = (guint64) seed;
      options.tpe.n_startup_trials = startup;
      options.pruner.n_warmup_steps = warmup;
      options.pruner.enabled = !no_prune;
      options.heartbeat_interval_s = heartbeat;
      options.grace_period_s = grace;
      space = load_space (space_spec != NULL ? space_spec
                          : is_quadratic ? PB_SEARCH_SPACE_QUADRATIC : PB_SEARCH_SPACE_MODEL,
                          &error);
      if (space == NULL)
        return pb_cli_report_error (error);
      study = pb_study_open (storage, study_name, space, &options, &error);
    }
  if (study == NULL)
    return pb_cli_report_error (error);

  /* the objective: as stored with the study, else as asked (default classifier) */
  if (!pb_study_get_user_attr (study, PB_CLI_TUNE_ATTR_OBJECTIVE, &stored_objective, &error) ||
      !pb_study_get_user_attr (study, PB_CLI_TUNE_ATTR_OBJECTIVE_CONFIG, &stored_config, &error))
    return pb_cli_report_error (error);
  if (stored_objective != NULL)
    {
      g_autofree char *name = g_strndup (stored_objective + 1,
                                         MAX (strlen (stored_objective), 2) - 2);

      if (objective != NULL && !g_str_equal (objective, name))
        return pb_cli_usage_error (NULL, "study %s tunes the %s objective, not %s", study_name,
                                   name, objective);
      g_free (objective);
      objective = g_steal_pointer (&name);
    }
  else if (objective == NULL)
    objective = g_strdup ("classifier");

  if (g_str_equal (objective, "classifier"))
    {
      pb_tune_objective_config_init (&cs.config);
      if (stored_config != NULL)
        {
          if (!classifier_settings_from_json (stored_config, &cs, &error))
            return pb_cli_report_error (error);
        }
      else
        {
          cs.dataset = pb_cli_pick_dataset (project, dataset_name, "tune on", &error);
          if (cs.dataset == NULL)
            return pb_cli_report_error (error);
          cs.config.n_folds = n_folds;
          cs.config.n_epochs = n_epochs;
          cs.config.epochs_per_report = report_every;
          cs.config.fold_seed = (guint64) fold_seed;
          if (preset != NULL && !pb_protocol_from_name (preset, &cs.config.protocol))
            return pb_cli_usage_error (context, "unknown preset “%s” (known: standard, seed)",
                                       preset);
        }
      dataset = pb_dataset_load (project, cs.dataset, &error);
      if (dataset == NULL)
        {
          g_free (cs.dataset);
          return pb_cli_report_error (error);
        }
      classifier = pb_tune_objective_new (dataset, &cs.config, &error);
      if (classifier == NULL)
        {
          g_free (cs.dataset);
          return pb_cli_report_error (error);
        }
      if (!quiet)
        pb_tune_objective_set_progress (classifier, print_progress, NULL);
      if (stored_config == NULL)
        {
          g_autofree char *json = classifier_settings_to_json (&cs);

          if (!pb_study_set_user_attr (study, PB_CLI_TUNE_ATTR_OBJECTIVE_CONFIG, json, &error))
            {
              g_free (cs.dataset);
              return pb_cli_report_error (error);
            }
        }
      g_free (cs.dataset);
    }
  else if (pb_search_space_lookup (pb_study_get_search_space (study), "x", NULL) == NULL ||
           pb_search_space_lookup (pb_study_get_search_space (study), "y", NULL) == NULL)
    {
      g_printerr ("perturb: the quadratic objective needs parameters x and y in the space\n");
      return PB_CLI_EXIT_USAGE;
    }

  if (stored_objective == NULL)
    {
      g_autofree char *json = g_strdup_printf ("\"%s\"", objective);

      if (!pb_study_set_user_attr (study, PB_CLI_TUNE_ATTR_OBJECTIVE, json, &error))
        return pb_cli_report_error (error);
    }

  for (guint i = 0; enqueue != NULL && enqueue[i] != NULL; i++)
    if (!pb_study_enqueue_trial (study, enqueue[i], &error))
      return pb_cli_report_error (error);

  quadratic.n_steps = n_steps;
  quadratic.step_ms = step_ms;
  if (!pb_study_optimize (study,
                          classifier != NULL ? pb_tune_objective_run : quadratic_objective,
                          classifier != NULL ? (gpointer) classifier : (gpointer) &quadratic,
                          max_trials, &n_run, print_trial, NULL, NULL, &error))
    return pb_cli_report_error (error);

  g_printerr ("perturb: %u trial(s) run in this process; study %s is %s\n", n_run, study_name,
              max_trials >= 0 && n_run == max_trials ? "not necessarily finished"
                                                     : "at its budget");
  return PB_CLI_EXIT_OK;
}
