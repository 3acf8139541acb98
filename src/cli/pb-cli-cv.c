/* pb-cli-cv.c — `perturb cv`: cross-validate the classifier's hyperparameters
 * (SPEC §6) and print the seed's results table; resume or show a stored CV.
 *
 * Hyperparameters come from a tuning study's best trial (--from-study) or are
 * given (--params, a JSON object or key=value pairs with SPEC §5.1's names);
 * what is not given keeps the seed's final settings. With --from-study the
 * preset and the dataset default to those the study was tuned with.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "pb-cli.h"

#include "pb-cv.h"

#include <json-glib/json-glib.h>

#include <math.h>
#include <stdio.h>
#include <string.h>

/* written by `perturb tune` with a new classifier study (pb-cli-tune.c) */
#define STUDY_ATTR_OBJECTIVE_CONFIG "perturb:objective_config"

/* ---- running on a worker thread, SIGINT/SIGTERM cancel ------------------- */

typedef struct
{
  PbProject    *project;
  PbCvConfig   *config;
  const char   *dataset;
  const char   *source;
  gint64        resume;
  gint64        cv_id;
} Work;

static void
cv_progress_cb (double        fraction,
                const char   *message,
                gconstpointer details,
                gpointer      user_data)
{
  const PbCvProgress *p = details;
  Work *w = user_data;

  if (p != NULL)
    w->cv_id = p->cv_id;
  pb_cli_progress (fraction, message, details, NULL);
}

static gboolean
cv_work (gpointer       data,
         GCancellable  *cancellable,
         GError       **error)
{
  Work *w = data;

  if (w->resume > 0)
    {
      w->cv_id = w->resume;
      return pb_cv_resume (w->project, w->resume, cv_progress_cb, w, cancellable, error);
    }

  return pb_cv_run (w->project, w->config, w->dataset, w->source, &w->cv_id, cv_progress_cb,
                    w, cancellable, error);
}

/* ---- output --------------------------------------------------------------- */

static void
print_value (double v)
{
  if (isnan (v))
    printf (" %10s", "-");
  else
    printf (" %10.6f", v);
}

static void
print_stat_row (const char        *label,
                const PbCvSummary *s,
                gboolean           std)
{
  const PbCvStat *stats[] = { &s->loss_train, &s->loss_valid, &s->auc, &s->accuracy, &s->f1,
                              &s->precision, &s->recall };

  printf ("%-13s %6s", label, "");
  for (guint i = 0; i < G_N_ELEMENTS (stats); i++)
    print_value (std ? stats[i]->std : stats[i]->mean);
  printf ("\n");
}

static void
print_result (const PbCvResult *r)
{
  const PbCvConfig *c = &r->config;
  const PbCvSummary *s = &r->summary;
  const PbCvFold *target;
  gboolean seed = c->train.model.protocol == PB_PROTOCOL_SEED;

  printf ("Cross-validation %" G_GINT64_FORMAT " (%s) on dataset %s: %u folds × %u epochs, "
          "evaluation and checkpoint every %u, protocol %s\n",
          r->cv_id, r->status, r->dataset, c->n_folds, c->train.n_epochs,
          c->train.eval_every > 0 ? c->train.eval_every : c->train.n_epochs,
          pb_protocol_get_name (c->train.model.protocol));
  printf ("Hyperparameters: %s; fold seed %" G_GUINT64_FORMAT ", training seed %" G_GUINT64_FORMAT
          "\n", r->source != NULL ? r->source : "given", c->fold_seed, c->train.seed);
  printf ("\"Validation\" metrics: %s\n",
          seed ? "a weighted resample of each training fold (seed preset, SPEC §4.4)"
               : "the held-out fold, each sequence once (standard preset)");
  printf ("Best checkpoint per fold (minimum validation loss):\n");
  printf ("%-13s %6s %10s %10s %10s %10s %10s %10s %10s\n", "fold", "epoch", "train_loss",
          "valid_loss", "auc", "accuracy", "f1", "precision", "recall");
  for (guint f = 0; f < c->n_folds; f++)
    {
      const PbCvFold *fold = &r->folds[f];
      g_autofree char *label = g_strdup_printf ("%u", f);

      if (!fold->has_best)
        {
          printf ("%-13s %6s  (%s, %u/%u epochs)\n", label, "-", fold->status, fold->epochs_done,
                  c->train.n_epochs);
          continue;
        }
      printf ("%-13s %6u", label, fold->best_epoch);
      print_value (fold->best_loss_train);
      print_value (fold->best.loss);
      print_value (fold->best.auc);
      print_value (fold->best.accuracy);
      print_value (fold->best.f1);
      print_value (fold->best.precision);
      print_value (fold->best.recall);
      if (!g_str_equal (fold->status, "finished"))
        printf ("  (%s, %u/%u epochs)", fold->status, fold->epochs_done, c->train.n_epochs);
      printf ("\n");
    }
  print_stat_row ("mean", s, FALSE);
  print_stat_row ("std (ddof 1)", s, TRUE);
  if (s->n_folds < c->n_folds)
    printf ("(mean and std over the %u finished fold%s)\n", s->n_folds, s->n_folds == 1 ? "" : "s");
  if (s->n_folds > 0)
    printf ("AUC %.4f (%.4f), F1 %.4f (%.4f), precision %.4f (%.4f), recall %.4f (%.4f), "
            "accuracy %.4f (%.4f)\n", s->auc.mean, s->auc.std, s->f1.mean, s->f1.std,
            s->precision.mean, s->precision.std, s->recall.mean, s->recall.std,
            s->accuracy.mean, s->accuracy.std);
  target = pb_cv_result_get_target_fold (r);
  if (target != NULL)
    printf ("Attack target (median fold by validation loss): fold %u, epoch %u, run %"
            G_GINT64_FORMAT "\n", target->fold, target->best_epoch, target->run_id);
}

static void
add_number (JsonBuilder *b,
            const char  *name,
            double       v)
{
  json_builder_set_member_name (b, name);
  if (isfinite (v))
    json_builder_add_double_value (b, v);
  else
    json_builder_add_null_value (b);
}

static void
add_stat (JsonBuilder    *b,
          const char     *name,
          const PbCvStat *s)
{
  json_builder_set_member_name (b, name);
  json_builder_begin_object (b);
  add_number (b, "mean", s->mean);
  add_number (b, "std", s->std);
  json_builder_end_object (b);
}

static void
print_result_json (const PbCvResult *r)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();
  g_autoptr(JsonNode) root = NULL;
  g_autofree char *text = NULL;
  const PbCvSummary *s = &r->summary;

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "cv");
  json_builder_add_int_value (b, r->cv_id);
  json_builder_set_member_name (b, "status");
  json_builder_add_string_value (b, r->status);
  json_builder_set_member_name (b, "dataset");
  json_builder_add_string_value (b, r->dataset);
  json_builder_set_member_name (b, "protocol");
  json_builder_add_string_value (b, pb_protocol_get_name (r->config.train.model.protocol));
  json_builder_set_member_name (b, "n_folds");
  json_builder_add_int_value (b, r->config.n_folds);
  json_builder_set_member_name (b, "n_epochs");
  json_builder_add_int_value (b, r->config.train.n_epochs);
  json_builder_set_member_name (b, "folds");
  json_builder_begin_array (b);
  for (guint f = 0; f < r->config.n_folds; f++)
    {
      const PbCvFold *fold = &r->folds[f];

      json_builder_begin_object (b);
      json_builder_set_member_name (b, "fold");
      json_builder_add_int_value (b, f);
      json_builder_set_member_name (b, "run");
      json_builder_add_int_value (b, fold->run_id);
      json_builder_set_member_name (b, "status");
      json_builder_add_string_value (b, fold->status);
      json_builder_set_member_name (b, "epochs_done");
      json_builder_add_int_value (b, fold->epochs_done);
      if (fold->has_best)
        {
          json_builder_set_member_name (b, "best_epoch");
          json_builder_add_int_value (b, fold->best_epoch);
          add_number (b, "train_loss", fold->best_loss_train);
          add_number (b, "validation_loss", fold->best.loss);
          add_number (b, "auc", fold->best.auc);
          add_number (b, "accuracy", fold->best.accuracy);
          add_number (b, "f1", fold->best.f1);
          add_number (b, "precision", fold->best.precision);
          add_number (b, "recall", fold->best.recall);
        }
      json_builder_end_object (b);
    }
  json_builder_end_array (b);
  json_builder_set_member_name (b, "summary");
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "n_folds");
  json_builder_add_int_value (b, s->n_folds);
  json_builder_set_member_name (b, "std");
  json_builder_add_string_value (b, "sample (ddof 1)");
  add_stat (b, "train_loss", &s->loss_train);
  add_stat (b, "validation_loss", &s->loss_valid);
  add_stat (b, "auc", &s->auc);
  add_stat (b, "accuracy", &s->accuracy);
  add_stat (b, "f1", &s->f1);
  add_stat (b, "precision", &s->precision);
  add_stat (b, "recall", &s->recall);
  json_builder_end_object (b);
  json_builder_end_object (b);

  root = json_builder_get_root (b);
  text = json_to_string (root, FALSE);
  printf ("%s\n", text);
}

static int
show (PbProject *project,
      gint64     cv_id,
      gboolean   json)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(PbCvResult) result = pb_cv_load (project, cv_id, &error);

  if (result == NULL)
    return pb_cli_report_error (error);
  if (json)
    print_result_json (result);
  else
    print_result (result);
  return PB_CLI_EXIT_OK;
}

static int
list (PbProject *project)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GArray) ids = pb_cv_list (project, &error);

  if (ids == NULL)
    return pb_cli_report_error (error);
  if (ids->len == 0)
    printf ("No cross-validation in this project\n");
  for (guint i = 0; i < ids->len; i++)
    {
      g_autoptr(PbCvResult) r = pb_cv_load (project, g_array_index (ids, gint64, i), &error);

      if (r == NULL)
        return pb_cli_report_error (error);
      printf ("%" G_GINT64_FORMAT "  %-9s %s  %s, %u folds × %u epochs, %s", r->cv_id, r->status,
              r->created_at, r->dataset, r->config.n_folds, r->config.train.n_epochs,
              pb_protocol_get_name (r->config.train.model.protocol));
      if (r->summary.n_folds > 0)
        printf (", AUC %.4f (%.4f)", r->summary.auc.mean, r->summary.auc.std);
      printf ("\n");
    }
  return PB_CLI_EXIT_OK;
}

/* ---- input ---------------------------------------------------------------- */

/* "a=1,b=Tanh" → {"a": 1, "b": "Tanh"}; a JSON object passes through */
static char *
params_to_json (const char  *text,
                GError     **error)
{
  g_autoptr(JsonBuilder) b = NULL;
  g_autoptr(JsonNode) root = NULL;
  g_auto(GStrv) pairs = NULL;
  const char *p = text;

  while (g_ascii_isspace (*p))
    p++;
  if (*p == '{')
    return NULL;
  b = json_builder_new ();
  pairs = g_strsplit (text, ",", -1);
  json_builder_begin_object (b);
  for (guint i = 0; pairs[i] != NULL; i++)
    {
      char *eq = strchr (pairs[i], '=');
      char *end = NULL;
      double v;

      if (eq == NULL || eq == pairs[i])
        {
          g_set_error (error, PB_ENGINE_ERROR, PB_ENGINE_ERROR_INVALID_ARGUMENT,
                       "--params: “%s” is not NAME=VALUE", g_strstrip (pairs[i]));
          return NULL;
        }
      *eq = '\0';
      json_builder_set_member_name (b, g_strstrip (pairs[i]));
      v = g_ascii_strtod (eq + 1, &end);
      if (end != eq + 1 && *g_strstrip (end) == '\0' && strpbrk (eq + 1, ".eE") == NULL &&
          fabs (v) < 1e15)
        json_builder_add_int_value (b, (gint64) v);
      else if (end != eq + 1 && *end == '\0')
        json_builder_add_double_value (b, v);
      else
        json_builder_add_string_value (b, g_strstrip (eq + 1));
    }
  json_builder_end_object (b);
  root = json_builder_get_root (b);
  return json_to_string (root, FALSE);
}

/* The preset and dataset a classifier study was tuned with, when recorded */
static void
study_defaults (PbStorage   *storage,
                const char  *study_name,
                char       **preset,
                char       **dataset)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autofree char *json = NULL;
  PbStudyDirection direction;
  JsonObject *o;
  gint64 study_id;

  if (!pb_storage_find_study (storage, study_name, &study_id, &direction, NULL) ||
      !pb_storage_get_study_user_attr (storage, study_id, STUDY_ATTR_OBJECTIVE_CONFIG, &json,
                                       NULL) ||
      json == NULL || !json_parser_load_from_data (parser, json, -1, NULL) ||
      !JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)))
    return;
  o = json_node_get_object (json_parser_get_root (parser));
  if (*preset == NULL && json_object_has_member (o, "preset"))
    *preset = g_strdup (json_object_get_string_member_with_default (o, "preset", NULL));
  if (*dataset == NULL && json_object_has_member (o, "dataset"))
    *dataset = g_strdup (json_object_get_string_member_with_default (o, "dataset", NULL));
}

int
pb_cli_cv (int    argc,
           char **argv)
{
  g_autoptr(GOptionContext) context =
    g_option_context_new ("PROJECT — cross-validate hyperparameters (k folds × epochs)");
  g_autoptr(PbProject) project = NULL;
  g_autoptr(PbStorage) storage = NULL;
  g_autoptr(PbCvResult) result = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *study_name = NULL;
  g_autofree char *storage_location = NULL;
  g_autofree char *params = NULL;
  g_autofree char *params_json = NULL;
  g_autofree char *dataset_opt = NULL;
  g_autofree char *dataset = NULL;
  g_autofree char *preset = NULL;
  g_autofree char *source = NULL;
  gboolean json = FALSE, do_list = FALSE;
  gint n_folds = 5, n_epochs = 1000, eval_every = 10, threads = -1;
  gint64 seed = -1, fold_seed = -1, resume = 0, show_id = 0;
  PbCvConfig config;
  Work w = { 0 };
  int rc, trial_number = -1;
  const GOptionEntry entries[] = {
    { "from-study", 0, 0, G_OPTION_ARG_STRING, &study_name,
      "Take the hyperparameters of this tuning study's best trial", "NAME" },
    { "storage", 0, 0, G_OPTION_ARG_STRING, &storage_location,
      "Where the study lives: PostgreSQL conninfo/URI or sqlite:///PATH (default: the project)",
      "LOCATION" },
    { "params", 0, 0, G_OPTION_ARG_STRING, &params,
      "Hyperparameters with the study's names, as JSON or NAME=VALUE,… "
      "(log_lstm_hidden_size, lstm_act_name, dropout, log_fc_hidden_size, fc_act_name, "
      "optimizer_name, learning_rate, log_batch_size)", "PARAMS" },
    { "dataset", 0, 0, G_OPTION_ARG_STRING, &dataset_opt,
      "The project's dataset (default: the study's, else the only one)", "NAME" },
    { "folds", 0, 0, G_OPTION_ARG_INT, &n_folds, "Stratified folds (default 5)", "K" },
    { "epochs", 0, 0, G_OPTION_ARG_INT, &n_epochs, "Epochs per fold (default 1000)", "N" },
    { "eval-every", 0, 0, G_OPTION_ARG_INT, &eval_every,
      "Evaluate and checkpoint every N epochs (default 10)", "N" },
    { "preset", 0, 0, G_OPTION_ARG_STRING, &preset,
      "Protocol preset: standard (held-out fold) or seed (weighted resample of the training "
      "fold); default: the study's, else standard", "PRESET" },
    { "seed", 0, 0, G_OPTION_ARG_INT64, &seed,
      "Training seed of every fold: weights, sampler, dropout (default 12345678)", "S" },
    { "fold-seed", 0, 0, G_OPTION_ARG_INT64, &fold_seed,
      "Seed of the fold assignment (default 86420)", "S" },
    { "threads", 0, 0, G_OPTION_ARG_INT, &threads,
      "Threads per forward/backward (default 0: one per processor)", "N" },
    { "resume", 0, 0, G_OPTION_ARG_INT64, &resume,
      "Continue cross-validation ID: finished folds are kept", "ID" },
    { "show", 0, 0, G_OPTION_ARG_INT64, &show_id, "Print the stored summary of ID", "ID" },
    { "list", 0, 0, G_OPTION_ARG_NONE, &do_list, "List the project's cross-validations", NULL },
    { "json", 0, 0, G_OPTION_ARG_NONE, &json, "Print the summary as JSON", NULL },
    { NULL }
  };

  g_option_context_add_main_entries (context, entries, NULL);
  pb_cli_add_backend_option (context);
  g_option_context_set_description (context,
    "Each fold's best checkpoint is the one with the minimum validation loss; the\n"
    "summary is the mean and the sample standard deviation (ddof 1) across folds.\n"
    "Ctrl-C stops after keeping what is stored; continue with --resume ID.");
  if ((rc = pb_cli_parse_options (context, &argc, &argv)) != PB_CLI_EXIT_OK)
    return rc;
  if (argc != 2)
    return pb_cli_usage_error (context, "cv needs exactly one PROJECT");
  if (resume < 0 || show_id < 0)
    return pb_cli_usage_error (context, "--resume and --show need a cross-validation id");
  if ((resume > 0) + (show_id > 0) + do_list > 1)
    return pb_cli_usage_error (context, "give at most one of --resume, --show and --list");
  if ((resume > 0 || show_id > 0 || do_list) && (study_name != NULL || params != NULL))
    return pb_cli_usage_error (context, "--resume, --show and --list use the stored settings: "
                                        "drop --from-study/--params");
  if (resume == 0 && show_id == 0 && !do_list && (study_name == NULL) == (params == NULL))
    return pb_cli_usage_error (context, "give either --from-study NAME or --params PARAMS");
  if (n_folds < 2)
    return pb_cli_usage_error (context, "--folds must be at least 2");
  if (n_epochs < 1 || eval_every < 1)
    return pb_cli_usage_error (context, "--epochs and --eval-every must be at least 1");
  if (storage_location != NULL && study_name == NULL)
    return pb_cli_usage_error (context, "--storage goes with --from-study");
  if (threads < -1 || seed < -1 || fold_seed < -1)
    return pb_cli_usage_error (context, "--threads and the seeds must not be negative");

  project = pb_project_open (argv[1], &error);
  if (project == NULL)
    return pb_cli_report_error (error);

  if (show_id > 0)
    return show (project, show_id, json);
  if (do_list)
    return list (project);

  w.project = project;
  w.resume = resume;
  if (resume == 0)
    {
      pb_cv_config_init (&config);
      config.n_folds = (guint) n_folds;
      config.train.n_epochs = (guint) n_epochs;
      config.train.eval_every = (guint) eval_every;
      config.train.checkpoint_every = (guint) eval_every;
      if (seed >= 0)
        config.train.seed = (guint64) seed;
      if (fold_seed >= 0)
        config.fold_seed = (guint64) fold_seed;
      if (threads >= 0)
        config.train.n_threads = (guint) threads;

      if (study_name != NULL)
        {
          storage = pb_storage_open (storage_location != NULL ? storage_location
                                                              : pb_project_get_path (project),
                                     &error);
          if (storage == NULL)
            return pb_cli_report_error (error);
          study_defaults (storage, study_name, &preset, &dataset_opt);
        }
      if (preset != NULL && !pb_protocol_from_name (preset, &config.train.model.protocol))
        return pb_cli_usage_error (context, "unknown preset “%s” (standard or seed)", preset);

      if (study_name != NULL)
        {
          if (!pb_cv_config_set_from_study (&config, storage, study_name, &trial_number, &error))
            return pb_cli_report_error (error);
          source = g_strdup_printf ("study %s, trial %d", study_name, trial_number);
        }
      else
        {
          params_json = params_to_json (params, &error);
          if (error != NULL)
            return pb_cli_report_error (error);
          if (!pb_cv_config_set_params_json (&config, params_json != NULL ? params_json : params,
                                             &error))
            return pb_cli_report_error (error);
          source = g_strdup_printf ("params %s", params_json != NULL ? params_json : params);
        }

      /* an empty --dataset counts as none */
      dataset = pb_cli_pick_dataset (project,
                                     g_strcmp0 (dataset_opt, "") != 0 ? dataset_opt : NULL,
                                     "cross-validate on", &error);
      if (dataset == NULL)
        return pb_cli_report_error (error);
      w.config = &config;
      w.dataset = dataset;
      w.source = source;
    }

  if (!pb_cli_run_cancellable ("cv", cv_work, &w, "stopping; finished folds and checkpoints are kept…", &error))
    {
      rc = pb_cli_report_error (error);
      if (w.cv_id > 0)
        g_printerr ("perturb: cross-validation %" G_GINT64_FORMAT " keeps its finished folds and "
                    "checkpoints; continue it with perturb cv %s --resume %" G_GINT64_FORMAT "\n",
                    w.cv_id, argv[1], w.cv_id);
      return rc;
    }
  pb_cli_progress_end ();

  return show (project, w.cv_id, json);
}
