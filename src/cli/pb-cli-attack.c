/* pb-cli-attack.c — `perturb attack` and `perturb attack-tune`: sparse adversarial
 * attacks on a stored model, and tuning their hyperparameters.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "pb-cli-target.h"

#include "pb-attack-tune.h"
#include "pb-susceptibility.h"
#include "pb-train.h"

#include <math.h>
#include <stdio.h>

#define STOP_MESSAGE "stopping: the batch in flight is dropped, finished batches stay"

/* ---- shared option handling ---------------------------------------------- */

typedef struct
{
  char   *preset;
  char   *optimizer;
  double  kappa;
  double  lambda;
  double  lr;
  gint    iterations;
  gint    batch_size;
  gint    samples;
  gint64  sample_seed;
} AttackOptions;

static void
attack_options_clear (AttackOptions *o)
{
  g_clear_pointer (&o->preset, g_free);
  g_clear_pointer (&o->optimizer, g_free);
}

/* The dataset to attack: --dataset, else the one the checkpoint's run trained on
 * (for a CV fold, the CV's). */
static char *
resolve_dataset (PbCliTarget  *target,
                 PbProject    *project,
                 GError      **error)
{
  g_auto(PbCliDataSpec) spec = { 0 };
  g_autofree char *stored = NULL;
  PbTrainConfig config;
  char *cv_dataset = NULL;
  gboolean is_fold = FALSE;

  if (target->dataset != NULL)
    return g_strdup (target->dataset);

  /* a cross-validation fold's model: the dataset the CV ran on, as the
   * reference attacks the whole dataset with the target fold's model */
  if (target->run_id > 0 &&
      !pb_cv_load_fold_data (project, target->run_id, &is_fold, &cv_dataset, NULL, NULL, error))
    return NULL;
  if (is_fold)
    return cv_dataset;

  if (target->run_id <= 0 ||
      !pb_train_load_run_config (project, target->run_id, &config, &stored, error) ||
      !pb_cli_data_spec_from_json (&spec, stored, error))
    {
      if (error != NULL && *error == NULL)
        g_set_error (error, PB_ENGINE_ERROR, PB_ENGINE_ERROR_INVALID_ARGUMENT,
                     "Give the dataset to attack with --dataset NAME");
      return NULL;
    }
  if (spec.dataset == NULL)
    {
      g_set_error (error, PB_ENGINE_ERROR, PB_ENGINE_ERROR_INVALID_ARGUMENT,
                   "Run %" G_GINT64_FORMAT " did not train on a project dataset; give the "
                   "dataset to attack with --dataset NAME", target->run_id);
      return NULL;
    }
  return g_strdup (spec.dataset);
}

static void
print_success (const PbAttackResult *result)
{
  g_autoptr(PbTable) t = pb_attack_success_table (result);

  printf ("%-8s %10s %12s %8s %14s %13s %12s\n", "class", "attacked", "adversarial", "rate",
          "median nz best", "mean sparsity", "median iter");
  for (guint r = 0; r < t->n_rows; r++)
    {
      const double *v = t->values + (gsize) r * t->n_cols;
      g_autofree char *label = v[0] < 0 ? g_strdup ("all") : g_strdup_printf ("%.0f", v[0]);

      printf ("%-8s %10.0f %12.0f %7.1f%% %14.1f %13.4f %12.1f\n", label, v[1], v[2],
              100.0 * v[3], v[5], v[6], v[7]);
    }
}

/* ---- perturb attack ------------------------------------------------------- */

typedef struct
{
  PbProject *project;
  gint64     run_id;
  guint      max_batches;
  gboolean   complete;
} ExecuteData;

static gboolean
execute_work (gpointer       data,
              GCancellable  *cancellable,
              GError       **error)
{
  ExecuteData *d = data;
  gboolean ok;

  ok = pb_attack_run_execute_batches (d->project, d->run_id, d->max_batches, &d->complete,
                                      pb_cli_progress, NULL, cancellable, error);
  pb_cli_progress_end ();
  return ok;
}

/* The target of a new attack: pb_cli_target_check(), and a project dataset. */
static const char *
attack_target_check (PbCliTarget *target)
{
  const char *problem = pb_cli_target_check (target);

  if (problem == NULL && target->fashion)
    problem = "attacks run on a project dataset: give --dataset NAME";
  return problem;
}

int
pb_cli_attack (int    argc,
               char **argv)
{
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(PbProject) project = NULL;
  g_autoptr(PbModel) model = NULL;
  g_autoptr(PbAttackResult) result = NULL;
  g_autoptr(GError) error = NULL;
  g_auto(PbCliTarget) target = { 0 };
  g_autofree char *source = NULL;
  g_autofree char *dataset = NULL;
  AttackOptions o = { NULL, NULL, NAN, NAN, NAN, -1, -1, -1, -1 };
  gint64 resume = 0;
  gint max_batches = 0;
  ExecuteData exec = { 0 };
  PbAttackParams params;
  guint n_found = 0;
  int rc;
  const GOptionEntry entries[] = {
    { "preset", 0, 0, G_OPTION_ARG_STRING, &o.preset, "Protocol preset: standard or seed (default: the model's)", "PRESET" },
    { "kappa", 0, 0, G_OPTION_ARG_DOUBLE, &o.kappa, "Confidence margin κ ≥ 0 (0.1103)", "K" },
    { "lambda", 0, 0, G_OPTION_ARG_DOUBLE, &o.lambda, "Sparsity weight λ ≥ 0 (1.611e-5)", "L" },
    { "optimizer", 0, 0, G_OPTION_ARG_STRING, &o.optimizer, "SGD, RMSprop or Adam (SGD)", "NAME" },
    { "lr", 0, 0, G_OPTION_ARG_DOUBLE, &o.lr, "Learning rate (0.01444)", "LR" },
    { "iterations", 0, 0, G_OPTION_ARG_INT, &o.iterations, "Iterations per batch (1000)", "N" },
    { "batch-size", 0, 0, G_OPTION_ARG_INT, &o.batch_size, "Samples attacked together (64)", "B" },
    { "samples", 0, 0, G_OPTION_ARG_INT, &o.samples, "Candidates drawn from the dataset, 0 = all (0)", "N" },
    { "sample-seed", 0, 0, G_OPTION_ARG_INT64, &o.sample_seed, "Seed of that draw (2023)", "S" },
    { "resume", 0, 0, G_OPTION_ARG_INT64, &resume, "Continue attack run RUN at its next unfinished batch", "RUN" },
    { "max-batches", 0, 0, G_OPTION_ARG_INT, &max_batches, "Attack at most N batches now (resume later)", "N" },
    { NULL }
  };

  context = g_option_context_new ("PROJECT — sparse adversarial attack on a stored model");
  g_option_context_add_main_entries (context, entries, NULL);
  pb_cli_add_backend_option (context);
  g_option_context_add_group (context, pb_cli_target_get_group (&target));
  g_option_context_set_description (context,
    "The model comes from --checkpoint ID, --run RUN [--epoch E] or --weights FILE;\n"
    "the samples are --dataset NAME (default: the dataset the run trained on). Only\n"
    "samples the model classifies correctly are attacked. Ctrl-C stops after storing\n"
    "the finished batches; --resume RUN continues.");
  if ((rc = pb_cli_parse_options (context, &argc, &argv)) != PB_CLI_EXIT_OK)
    goto out;
  if (argc != 2)
    {
      rc = pb_cli_usage_error (context, "attack needs exactly one PROJECT");
      goto out;
    }
  if (resume < 0 || max_batches < 0)
    {
      rc = pb_cli_usage_error (context, "--resume and --max-batches take positive numbers");
      goto out;
    }
  if (resume == 0)
    {
      const char *problem = attack_target_check (&target);

      if (problem != NULL)
        {
          rc = pb_cli_usage_error (context, "%s", problem);
          goto out;
        }
    }
  else if (target.checkpoint_id != 0 || target.run_id != 0 || target.weights != NULL ||
           o.preset != NULL || !isnan (o.kappa) || !isnan (o.lambda) || !isnan (o.lr) ||
           o.optimizer != NULL || o.iterations >= 0 || o.batch_size >= 0 || o.samples >= 0)
    {
      rc = pb_cli_usage_error (context, "--resume continues a run with its own model and "
                                        "parameters; give no others");
      goto out;
    }

  project = pb_project_open (argv[1], &error);
  if (project == NULL)
    {
      rc = pb_cli_report_error (error);
      goto out;
    }

  if (resume == 0)
    {
      pb_attack_params_init (&params);
      model = pb_cli_target_load_model (&target, project, &source, &error);
      if (model == NULL || (dataset = resolve_dataset (&target, project, &error)) == NULL)
        {
          rc = pb_cli_report_error (error);
          goto out;
        }
      params.preset = pb_model_get_config (model)->protocol;
      if (o.preset != NULL && !pb_protocol_from_name (o.preset, &params.preset))
        {
          rc = pb_cli_usage_error (context, "unknown preset “%s” (standard or seed)", o.preset);
          goto out;
        }
      if (o.optimizer != NULL)
        {
          PbOptimKind kind;

          if (!pb_optim_kind_from_name (o.optimizer, &kind))
            {
              rc = pb_cli_usage_error (context, "unknown optimizer “%s” (SGD, RMSprop, Adam)",
                                       o.optimizer);
              goto out;
            }
          pb_optim_config_init (&params.optim, kind);
          params.optim.lr = 0.014444271888351868;
        }
      if (!isnan (o.kappa))
        params.kappa = o.kappa;
      if (!isnan (o.lambda))
        params.lambda = o.lambda;
      if (!isnan (o.lr))
        params.optim.lr = o.lr;
      if (o.iterations >= 0)
        params.iterations = o.iterations;
      if (o.batch_size >= 0)
        params.batch_size = o.batch_size;
      if (o.samples >= 0)
        params.max_samples = o.samples;
      if (o.sample_seed >= 0)
        params.sample_seed = o.sample_seed;
      if (!pb_attack_params_validate (&params, &error))
        {
          rc = pb_cli_report_error (error);
          goto out;
        }

      g_printerr ("perturb: attacking dataset %s with %s, preset %s\n", dataset, source,
                  pb_protocol_get_name (params.preset));
      exec.run_id = pb_attack_run_create (project, dataset, model, target.checkpoint_id, &params,
                                          NULL, &error);
      if (exec.run_id == 0)
        {
          rc = pb_cli_report_error (error);
          goto out;
        }
    }
  else
    exec.run_id = resume;

  exec.project = project;
  exec.max_batches = max_batches;
  if (!pb_cli_run_cancellable ("attack", execute_work, &exec, STOP_MESSAGE, &error))
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        {
          g_printerr ("perturb: attack run %" G_GINT64_FORMAT " cancelled; finished batches are "
                      "stored. Continue with: perturb attack %s --resume %" G_GINT64_FORMAT "\n",
                      exec.run_id, argv[1], exec.run_id);
          rc = PB_CLI_EXIT_FAILED;
          goto out;
        }
      rc = pb_cli_report_error (error);
      goto out;
    }

  result = pb_attack_result_load (project, exec.run_id, &error);
  if (result == NULL)
    {
      rc = pb_cli_report_error (error);
      goto out;
    }
  for (guint i = 0; i < result->n; i++)
    n_found += pb_attack_result_is_success (result, i);

  printf ("attack run %" G_GINT64_FORMAT ": %u of %u candidates classified correctly and "
          "attacked%s; %u adversarial examples found\n", exec.run_id, result->n,
          result->n_candidates, exec.complete ? "" : " (unfinished)", n_found);
  if (result->n == 0)
    g_printerr ("perturb: the model classifies no candidate correctly: nothing to attack\n");
  else
    print_success (result);
  if (!exec.complete)
    g_printerr ("perturb: %u of %u samples done; continue with: perturb attack %s --resume %"
                G_GINT64_FORMAT "\n", result->n_done, result->n, argv[1], exec.run_id);
  rc = PB_CLI_EXIT_OK;

out:
  attack_options_clear (&o);
  return rc;
}

/* ---- perturb attack-tune -------------------------------------------------- */

typedef struct
{
  PbStudy                  *study;
  PbProject                *project;
  const char               *dataset;
  PbModel                  *model;
  gint64                    checkpoint_id;
  const PbAttackTuneConfig *config;
  gint64                    max_trials;
  guint                     n_run;
} TuneData;

static void
print_trial (double        fraction,
             const char   *message,
             gconstpointer details,
             gpointer      user_data)
{
  const PbTrial *trial = details;

  if (trial != NULL)
    g_printerr ("perturb: trial %d %s, value %g\n", trial->number,
                pb_trial_state_to_string (trial->state), trial->value);
}

static gboolean
tune_work (gpointer       data,
           GCancellable  *cancellable,
           GError       **error)
{
  TuneData *d = data;

  return pb_attack_tune (d->study, d->project, d->dataset, d->model, d->checkpoint_id,
                         d->config, d->max_trials, &d->n_run, print_trial, NULL, cancellable,
                         error);
}

int
pb_cli_attack_tune (int    argc,
                    char **argv)
{
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(PbProject) project = NULL;
  g_autoptr(PbModel) model = NULL;
  g_autoptr(PbSearchSpace) space = NULL;
  g_autoptr(PbStudy) study = NULL;
  g_autoptr(GPtrArray) trials = NULL;
  g_autoptr(GError) error = NULL;
  g_auto(PbCliTarget) target = { 0 };
  g_autofree char *source = NULL;
  g_autofree char *dataset = NULL;
  g_autofree char *objective = NULL;
  g_autofree char *preset = NULL;
  g_autofree char *study_name = NULL;
  g_autofree char *storage_location = NULL;
  PbStorage *storage = NULL;
  gboolean all_optimizers = FALSE;
  gint trials_n = 50, iterations = 1000, samples = 520, max_perts = 1;
  const char *problem;
  gint64 sample_seed = 13579, seed = -1, max_trials = -1;
  PbAttackTuneConfig config;
  PbStudyOptions options;
  TuneData d = { 0 };
  const PbTrial *best;
  int rc;
  const GOptionEntry entries[] = {
    { "objective", 0, 0, G_OPTION_ARG_STRING, &objective, "sparsity, sparse_small, sparse_small_max or max_num_nonzero_perts (sparse_small_max)", "NAME" },
    { "max-perts", 0, 0, G_OPTION_ARG_INT, &max_perts, "max_num_nonzero_perts: at most this many perturbed elements (1)", "N" },
    { "trials", 0, 0, G_OPTION_ARG_INT, &trials_n, "Trials in the study (50)", "N" },
    { "max-trials", 0, 0, G_OPTION_ARG_INT64, &max_trials, "Run at most N trials in this process", "N" },
    { "study", 0, 0, G_OPTION_ARG_STRING, &study_name, "Study name (attack-OBJECTIVE)", "NAME" },
    { "storage", 0, 0, G_OPTION_ARG_STRING, &storage_location, "Study storage (default: the project file)", "URL" },
    { "all-optimizers", 0, 0, G_OPTION_ARG_NONE, &all_optimizers, "Search Adam, RMSprop and SGD (the notebook: SGD only)", NULL },
    { "preset", 0, 0, G_OPTION_ARG_STRING, &preset, "Protocol preset of the attacks (default: the model's)", "PRESET" },
    { "iterations", 0, 0, G_OPTION_ARG_INT, &iterations, "Iterations per batch (1000)", "N" },
    { "samples", 0, 0, G_OPTION_ARG_INT, &samples, "Candidates per trial, 0 = all (520)", "N" },
    { "sample-seed", 0, 0, G_OPTION_ARG_INT64, &sample_seed, "Seed of the candidate draw (13579)", "S" },
    { "seed", 0, 0, G_OPTION_ARG_INT64, &seed, "Seed of the TPE sampler (default: unseeded, as the reference)", "S" },
    { NULL }
  };

  context = g_option_context_new ("PROJECT — tune the attack's hyperparameters in a study");
  g_option_context_add_main_entries (context, entries, NULL);
  g_option_context_add_group (context, pb_cli_target_get_group (&target));
  g_option_context_set_description (context,
    "Each trial is a stored attack run (see perturb analyze); trial values are the\n"
    "sum of the objective's per-example scores over the best adversarial examples.");
  if ((rc = pb_cli_parse_options (context, &argc, &argv)) != PB_CLI_EXIT_OK)
    return rc;
  if (argc != 2)
    return pb_cli_usage_error (context, "attack-tune needs exactly one PROJECT");
  if (trials_n < 1 || iterations < 1 || samples < 0 || max_perts < 0 || sample_seed < 0)
    return pb_cli_usage_error (context, "--trials and --iterations must be positive, "
                                        "--samples and --max-perts not negative");
  if ((problem = attack_target_check (&target)) != NULL)
    return pb_cli_usage_error (context, "%s", problem);

  pb_attack_tune_config_init (&config);
  if (objective != NULL && !pb_attack_objective_from_name (objective, &config.objective))
    return pb_cli_usage_error (context, "unknown objective “%s” (sparsity, sparse_small, "
                                        "sparse_small_max, max_num_nonzero_perts)", objective);
  config.max_perts = max_perts;
  config.iterations = iterations;
  config.max_samples = samples;
  config.sample_seed = sample_seed;

  project = pb_project_open (argv[1], &error);
  if (project == NULL)
    return pb_cli_report_error (error);
  model = pb_cli_target_load_model (&target, project, &source, &error);
  if (model == NULL || (dataset = resolve_dataset (&target, project, &error)) == NULL)
    return pb_cli_report_error (error);
  config.preset = pb_model_get_config (model)->protocol;
  if (preset != NULL && !pb_protocol_from_name (preset, &config.preset))
    return pb_cli_usage_error (context, "unknown preset “%s” (standard or seed)", preset);

  storage = pb_storage_open (storage_location != NULL ? storage_location
                                                      : pb_project_get_path (project), &error);
  if (storage == NULL)
    return pb_cli_report_error (error);
  if (study_name == NULL)
    study_name = g_strdup_printf ("attack-%s", pb_attack_objective_get_name (config.objective));
  pb_study_options_init_default (&options);
  options.direction = PB_STUDY_DIRECTION_MAXIMIZE;
  options.budget = trials_n;
  if (seed >= 0)
    options.tpe.seed = seed;
  options.pruner.enabled = FALSE;
  space = pb_search_space_new_builtin (all_optimizers ? PB_SEARCH_SPACE_ATTACK_FULL
                                                      : PB_SEARCH_SPACE_ATTACK, &error);
  if (space == NULL ||
      (study = pb_study_open (storage, study_name, space, &options, &error)) == NULL)
    {
      pb_storage_free (storage);
      return pb_cli_report_error (error);
    }

  g_printerr ("perturb: study %s, objective %s, %d trials of %d iterations on up to %d "
              "samples of %s (%s, preset %s)\n", study_name,
              pb_attack_objective_get_name (config.objective), trials_n, iterations, samples,
              dataset, source, pb_protocol_get_name (config.preset));
  d.study = study;
  d.project = project;
  d.dataset = dataset;
  d.model = model;
  d.checkpoint_id = target.checkpoint_id;
  d.config = &config;
  d.max_trials = max_trials;
  if (!pb_cli_run_cancellable ("attack-tune", tune_work, &d, STOP_MESSAGE, &error))
    {
      rc = pb_cli_report_error (error);
      goto out;
    }

  trials = pb_study_load_trials (study, &error);
  if (trials == NULL)
    {
      rc = pb_cli_report_error (error);
      goto out;
    }
  best = pb_trials_find_best (trials, PB_STUDY_DIRECTION_MAXIMIZE);
  printf ("%u trial(s) run; study %s has %u trial(s)\n", d.n_run, study_name, trials->len);
  if (best != NULL)
    {
      printf ("best: trial %d, %s = %g\n", best->number,
              pb_attack_objective_get_name (config.objective), best->value);
      for (guint i = 0; i < best->params->len; i++)
        {
          const PbTrialParam *p = best->params->pdata[i];
          g_autofree char *v = pb_param_format_value (p->distribution, p->internal);

          printf ("  %s = %s\n", p->name, v);
        }
    }
  rc = PB_CLI_EXIT_OK;

out:
  g_clear_pointer (&study, pb_study_free);
  pb_storage_free (storage);
  return rc;
}
