/* test-tune-objective.c — the classifier's tuning objective (SPEC §5.2): the
 * parameter mapping, k-fold mean validation losses reported per round, the
 * best round as the value, determinism, and `perturb tune` on a project dataset.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "pb-test-cli.h"
#include "pb-test-util.h"

#include "pb-engine.h"
#include "pb-error.h"
#include "pb-tune-objective.h"

#include <math.h>
#include <string.h>

/* 48 short sequences, two balanced classes, class 1 shifted up on feature 0 */
static PbDataset *
make_dataset (void)
{
  PbDataset *ds = pb_dataset_new (48, 5, 3, 2);
  GRand *rng = g_rand_new_with_seed (3);

  for (guint i = 0; i < ds->n; i++)
    {
      float *x = pb_dataset_get_sequence (ds, i);

      ds->labels[i] = i % 2;
      ds->lengths[i] = 3 + i % 3;
      ds->sample_ids[i] = 1000 + i;
      for (guint t = 0; t < ds->lengths[i]; t++)
        for (guint f = 0; f < ds->n_features; f++)
          x[t * ds->n_features + f] = g_rand_double (rng) * 0.5 + (f == 0 ? 0.4 * ds->labels[i] : 0);
    }
  g_rand_free (rng);
  return ds;
}

static void
test_trial_to_train_config (void)
{
  g_autoptr(PbSearchSpace) space = pb_search_space_new_builtin (PB_SEARCH_SPACE_MODEL, NULL);
  g_autoptr(PbTrial) trial = pb_trial_new ();
  g_autoptr(GError) error = NULL;
  /* the seed's best trial #20 (SPEC §5.4) */
  const double values[] = { 7, 1, 0.029018875280141854, 4, 1, 0, 0.0002784280532512521, 5 };
  PbTrainConfig config;

  for (guint i = 0; i < pb_search_space_get_n_params (space); i++)
    {
      const PbParam *p = pb_search_space_get_param (space, i);

      pb_trial_add_param (trial, p->name, values[i], p);
    }
  g_assert_true (pb_tune_trial_to_train_config (trial, PB_PROTOCOL_SEED, 99, &config, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (config.model.n_hidden, ==, 128);
  g_assert_cmpuint (config.model.n_fc, ==, 16);
  g_assert_cmpuint (config.batch_size, ==, 32);
  g_assert_cmpstr (pb_activation_get_name (config.model.act_lstm), ==, "tanh");
  g_assert_cmpstr (pb_activation_get_name (config.model.act_fc), ==, "tanh");
  g_assert_cmpfloat (config.model.dropout, ==, 0.029018875280141854);
  g_assert_cmpint (config.optim.kind, ==, PB_OPTIM_KIND_ADAM);
  g_assert_cmpfloat (config.optim.lr, ==, 0.0002784280532512521);
  g_assert_cmpint (config.model.protocol, ==, PB_PROTOCOL_SEED);
  g_assert_cmpuint (config.seed, ==, 99);
}

static void
test_objective_reports_and_best (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(PbDataset) ds = make_dataset ();
  g_autoptr(PbTuneObjective) objective = NULL;
  g_autoptr(PbSearchSpace) space = pb_search_space_new_builtin (PB_SEARCH_SPACE_MODEL, NULL);
  g_autoptr(PbStorage) storage = NULL;
  g_autoptr(PbStudy) study = NULL;
  g_autoptr(GPtrArray) trials = NULL;
  g_autofree char *dir = pb_test_mkdtemp ();
  g_autofree char *url = g_strconcat ("sqlite:///", dir, "/s.db", NULL);
  const char *fixed = "{\"log_lstm_hidden_size\": 5, \"lstm_act_name\": \"Tanh\", \"dropout\": 0.1,"
                      " \"log_fc_hidden_size\": 4, \"fc_act_name\": \"ReLU\","
                      " \"optimizer_name\": \"Adam\", \"learning_rate\": 0.01, \"log_batch_size\": 5}";
  PbTuneObjectiveConfig config;
  PbStudyOptions options;
  guint n_run = 0;

  pb_tune_objective_config_init (&config);
  config.n_folds = 2;
  config.n_epochs = 3;
  config.epochs_per_report = 1;
  objective = pb_tune_objective_new (ds, &config, &error);
  g_assert_no_error (error);

  storage = pb_storage_open (url, &error);
  g_assert_no_error (error);
  pb_study_options_init_default (&options);
  options.budget = 3;
  study = pb_study_open (storage, "classifier", space, &options, &error);
  g_assert_no_error (error);
  /* the same parameters twice: a trial is a deterministic function of them */
  g_assert_true (pb_study_enqueue_trial (study, fixed, &error));
  g_assert_true (pb_study_enqueue_trial (study, fixed, &error));
  g_assert_true (pb_study_optimize (study, pb_tune_objective_run, objective, -1, &n_run, NULL, NULL,
                                    NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (n_run, ==, 3);

  trials = pb_study_load_trials (study, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (trials->len, ==, 3);
  for (guint i = 0; i < 3; i++)
    {
      const PbTrial *t = g_ptr_array_index (trials, i);
      double best = INFINITY;

      g_assert_cmpint (t->state, ==, PB_TRIAL_STATE_COMPLETE);
      g_assert_cmpuint (t->intermediate_values->len, ==, 3);
      for (guint k = 0; k < 3; k++)
        {
          const PbIntermediateValue *iv = &g_array_index (t->intermediate_values,
                                                          PbIntermediateValue, k);
          g_assert_cmpint (iv->step, ==, k);
          g_assert_true (isfinite (iv->value) && iv->value > 0);
          best = MIN (best, iv->value);
        }
      g_assert_cmpfloat (t->value, ==, best);
    }
  g_assert_cmpfloat (((PbTrial *) g_ptr_array_index (trials, 0))->value, ==,
                     ((PbTrial *) g_ptr_array_index (trials, 1))->value);
  /* lr 0.01 Adam learns the shifted feature: the loss falls below chance (ln 2) */
  g_assert_cmpfloat (((PbTrial *) g_ptr_array_index (trials, 0))->value, <, log (2.0));

  pb_test_rmdir (dir);
}

static void
test_objective_bad_config (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(PbDataset) ds = make_dataset ();
  g_autoptr(PbTuneObjective) objective = NULL;
  PbTuneObjectiveConfig config;

  pb_tune_objective_config_init (&config);
  config.n_epochs = 7;
  config.epochs_per_report = 2;
  objective = pb_tune_objective_new (ds, &config, &error);
  g_assert_null (objective);
  g_assert_error (error, PB_ENGINE_ERROR, PB_ENGINE_ERROR_INVALID_ARGUMENT);
  g_clear_error (&error);

  pb_tune_objective_config_init (&config);
  config.n_folds = 30;   /* more folds than members of a class */
  objective = pb_tune_objective_new (ds, &config, &error);
  g_assert_null (objective);
  g_assert_error (error, PB_ENGINE_ERROR, PB_ENGINE_ERROR_INVALID_ARGUMENT);
}

static void
test_cli_tune_classifier (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(PbDataset) ds = make_dataset ();
  g_autoptr(PbProject) project = NULL;
  g_autofree char *dir = pb_test_mkdtemp ();
  g_autofree char *path = g_build_filename (dir, "p.perturb", NULL);
  g_autofree char *out = NULL, *err = NULL, *out2 = NULL, *err2 = NULL;
  g_autofree char *out3 = NULL, *err3 = NULL;

  project = pb_project_create (path, &error);
  g_assert_no_error (error);
  g_assert_true (pb_dataset_save (ds, project, "ds", "{}", &error));
  g_assert_no_error (error);
  g_clear_object (&project);

  g_assert_cmpint (pb_test_cli_spawn (&out3, &err3, "tune", path, "--epochs", "3",
                                      "--report-every", "2", NULL), ==, 2);
  g_assert_nonnull (strstr (err3, "multiple"));

  g_assert_cmpint (pb_test_cli_spawn (&out, &err, "tune", path, "--trials", "2", "--folds", "2",
                                      "--epochs", "2", "--report-every", "1", "--heartbeat", "0",
                                      NULL), ==, 0);
  g_test_message ("%s%s", out, err);
  g_assert_true (g_str_has_prefix (out, "trial 0 COMPLETE value="));
  g_assert_nonnull (strstr (out, "\ntrial 1 COMPLETE value="));
  g_assert_nonnull (strstr (out, " log_lstm_hidden_size="));
  g_assert_nonnull (strstr (err, "trial 0, epoch 2/2: mean validation loss"));

  /* a worker joins with the stored objective and settings; the budget is used */
  g_assert_cmpint (pb_test_cli_spawn (&out2, &err2, "tune", path, "--worker", NULL), ==, 0);
  g_assert_cmpstr (out2, ==, "");

  pb_test_rmdir (dir);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/pb/tune-objective/trial-to-train-config", test_trial_to_train_config);
  g_test_add_func ("/pb/tune-objective/reports-mean-fold-loss-value-is-best", test_objective_reports_and_best);
  g_test_add_func ("/pb/tune-objective/bad-config", test_objective_bad_config);
  g_test_add_func ("/pb/tune-objective/cli-tune-classifier", test_cli_tune_classifier);

  return g_test_run ();
}
