/* test-cv.c — cross-validation (SPEC §6): stratified, disjoint, covering folds;
 * the best checkpoint per fold is the minimum validation loss; the summary is
 * the mean and sample std of the folds' best rows (recomputed here from the
 * stored metrics); both presets; a cancelled CV resumes bit-identically; bad
 * input; hyperparameters from a study; `perturb cv` exit codes.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "pb-test-cli.h"
#include "pb-test-project.h"
#include "pb-test-util.h"

#include "pb-cv.h"
#include "pb-engine.h"
#include "pb-error.h"

#include <json-glib/json-glib.h>
#include <math.h>
#include <string.h>

#define N_SEQ 60

/* 60 sequences of ≤ 6 steps × 3 features; every third is class 1 (20 of 60),
 * shifted up on feature 0 so that the model learns something */
static PbDataset *
make_dataset (void)
{
  PbDataset *ds = pb_dataset_new (N_SEQ, 6, 3, 2);
  GRand *rng = g_rand_new_with_seed (11);

  for (guint i = 0; i < ds->n; i++)
    {
      float *x = pb_dataset_get_sequence (ds, i);

      ds->labels[i] = i % 3 == 0;
      ds->lengths[i] = 2 + i % 5;
      ds->sample_ids[i] = 5000 + i;
      for (guint t = 0; t < ds->lengths[i]; t++)
        for (guint f = 0; f < ds->n_features; f++)
          x[t * ds->n_features + f] = g_rand_double (rng) * 0.5 +
                                      (f == 0 ? 0.4 * ds->labels[i] : 0);
    }
  g_rand_free (rng);
  return ds;
}

typedef struct
{
  char      *dir;
  char      *path;
  PbProject *project;
} Fixture;

static void
fixture_setup (Fixture       *f,
               gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(PbDataset) ds = make_dataset ();

  f->dir = pb_test_mkdtemp ();
  f->path = g_build_filename (f->dir, "cv.perturb", NULL);
  f->project = pb_project_create (f->path, &error);
  g_assert_no_error (error);
  g_assert_true (pb_dataset_save (ds, f->project, "ds", "{}", &error));
  g_assert_no_error (error);
}

static void
fixture_tear (Fixture       *f,
              gconstpointer  data)
{
  g_clear_object (&f->project);
  pb_test_rmdir (f->dir);
  g_free (f->path);
  g_free (f->dir);
}

/* 3 folds × 3 epochs of a small model, evaluated every epoch */
static void
small_config (PbCvConfig *c,
              PbProtocol  protocol)
{
  pb_cv_config_init (c);
  c->n_folds = 3;
  c->train.n_epochs = 3;
  c->train.eval_every = 1;
  c->train.model.n_hidden = 8;
  c->train.model.n_fc = 4;
  c->train.model.protocol = protocol;
  c->train.optim.lr = 0.01;
  c->train.batch_size = 16;
  c->train.eval_batch_size = 16;
  c->train.n_threads = 1;
}

static void
test_folds_stratified (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(PbDataset) ds = make_dataset ();
  guint fold_of[N_SEQ], again[N_SEQ], other[N_SEQ];
  guint count[3][2] = { { 0 } };

  g_assert_true (pb_cv_make_folds (ds, 3, 86420, fold_of, &error));
  g_assert_no_error (error);
  for (guint i = 0; i < N_SEQ; i++)
    {
      g_assert_cmpuint (fold_of[i], <, 3);   /* every sequence in exactly one fold */
      count[fold_of[i]][ds->labels[i]]++;
    }
  /* stratified: each class is spread as evenly as it can be (40 → 14, 13, 13
   * and 20 → 7, 7, 6 in some order) */
  for (guint c = 0; c < 2; c++)
    {
      guint total = c == 0 ? 40 : 20, sum = 0;

      for (guint f = 0; f < 3; f++)
        {
          g_assert_cmpuint (count[f][c], >=, total / 3);
          g_assert_cmpuint (count[f][c], <=, (total + 2) / 3);
          sum += count[f][c];
        }
      g_assert_cmpuint (sum, ==, total);
    }

  /* the seed decides the assignment, deterministically */
  g_assert_true (pb_cv_make_folds (ds, 3, 86420, again, &error));
  g_assert_cmpmem (fold_of, sizeof fold_of, again, sizeof again);
  g_assert_true (pb_cv_make_folds (ds, 3, 1234, other, &error));
  g_assert_cmpint (memcmp (fold_of, other, sizeof fold_of), !=, 0);
}

/* Checks @r against the raw tables, recomputing selection and summary here */
static void
check_result (PbProject        *project,
              const PbCvResult *r,
              const PbDataset  *ds)
{
  double vals[7][8];
  const PbCvStat *stats[7] = { &r->summary.loss_train, &r->summary.loss_valid, &r->summary.auc,
                               &r->summary.accuracy, &r->summary.f1, &r->summary.precision,
                               &r->summary.recall };
  guint k = r->config.n_folds;
  guint covered = 0;

  g_assert_cmpstr (r->status, ==, "finished");
  g_assert_cmpuint (r->n_samples, ==, ds->n);
  g_assert_cmpuint (r->summary.n_folds, ==, k);
  g_assert_cmpuint (k, <=, 8);

  for (guint f = 0; f < k; f++)
    {
      const PbCvFold *fold = &r->folds[f];
      g_autoptr(sqlite3_stmt) stmt = NULL;
      double best = INFINITY, best_train = NAN;
      guint best_epoch = 0, n_rows = 0, n_valid = 0;
      PbMetrics m = { 0 };

      for (guint i = 0; i < ds->n; i++)
        n_valid += r->fold_of_sample[i] == f;
      covered += n_valid;
      g_assert_cmpuint (fold->n_valid, ==, n_valid);
      g_assert_cmpuint (fold->n_train + fold->n_valid, ==, ds->n);
      g_assert_cmpstr (fold->status, ==, "finished");
      g_assert_cmpuint (fold->epochs_done, ==, r->config.train.n_epochs);
      g_assert_cmpuint (fold->epochs->len, ==, r->config.train.n_epochs);
      g_assert_true (fold->has_best);

      /* straight from the tables: checkpointed evaluations of this fold's run */
      stmt = pb_sqlite_prepare (pb_project_get_db (project),
                                "SELECT m.epoch, m.loss_train, m.loss_valid, m.auc, m.accuracy, "
                                "m.f1, m.precision, m.recall, m.n_valid, r.protocol, r.kind, "
                                "r.fold FROM cv_folds cf JOIN runs r ON r.run_id = cf.run_id "
                                "JOIN epoch_metrics m ON m.run_id = cf.run_id "
                                "JOIN checkpoints c ON c.run_id = m.run_id AND c.epoch = m.epoch "
                                "WHERE cf.cv_id = ?1 AND cf.fold = ?2 ORDER BY m.epoch", NULL);
      g_assert_nonnull (stmt);
      sqlite3_bind_int64 (stmt, 1, r->cv_id);
      sqlite3_bind_int64 (stmt, 2, f);
      while (sqlite3_step (stmt) == SQLITE_ROW)
        {
          double loss = sqlite3_column_double (stmt, 2);

          n_rows++;
          g_assert_cmpstr ((const char *) sqlite3_column_text (stmt, 9), ==,
                           pb_protocol_get_name (r->config.train.model.protocol));
          g_assert_cmpstr ((const char *) sqlite3_column_text (stmt, 10), ==, "cv");
          g_assert_cmpint (sqlite3_column_int (stmt, 11), ==, f);
          /* standard: the held-out fold, once; seed: a resample of the training fold */
          g_assert_cmpint (sqlite3_column_int (stmt, 8), ==,
                           r->config.train.model.protocol == PB_PROTOCOL_SEED
                           ? fold->n_train : fold->n_valid);
          if (loss < best)   /* strict: the first minimum wins */
            {
              best = loss;
              best_epoch = (guint) sqlite3_column_int (stmt, 0);
              best_train = sqlite3_column_double (stmt, 1);
              m.loss = loss;
              m.auc = sqlite3_column_double (stmt, 3);
              m.accuracy = sqlite3_column_double (stmt, 4);
              m.f1 = sqlite3_column_double (stmt, 5);
              m.precision = sqlite3_column_double (stmt, 6);
              m.recall = sqlite3_column_double (stmt, 7);
            }
        }
      /* a checkpoint at every evaluation */
      g_assert_cmpuint (n_rows, ==, r->config.train.n_epochs);
      g_assert_cmpuint (fold->best_epoch, ==, best_epoch);
      g_assert_cmpfloat (fold->best.loss, ==, best);
      for (guint i = 0; i < fold->epochs->len; i++)
        {
          const PbCvEpoch *e = &g_array_index (fold->epochs, PbCvEpoch, i);

          g_assert_true (e->evaluated);
          g_assert_cmpfloat (e->metrics.loss, >=, fold->best.loss);
          if (e->epoch < fold->best_epoch)
            g_assert_cmpfloat (e->metrics.loss, >, fold->best.loss);
        }

      vals[0][f] = best_train;
      vals[1][f] = m.loss;
      vals[2][f] = m.auc;
      vals[3][f] = m.accuracy;
      vals[4][f] = m.f1;
      vals[5][f] = m.precision;
      vals[6][f] = m.recall;
    }
  g_assert_cmpuint (covered, ==, ds->n);

  for (guint s = 0; s < 7; s++)
    {
      double mean = 0, ss = 0;

      for (guint f = 0; f < k; f++)
        mean += vals[s][f];
      mean /= k;
      for (guint f = 0; f < k; f++)
        ss += (vals[s][f] - mean) * (vals[s][f] - mean);
      g_assert_cmpfloat_with_epsilon (stats[s]->mean, mean, 1e-12);
      /* sample std, ddof 1 (pandas describe) */
      g_assert_cmpfloat_with_epsilon (stats[s]->std, sqrt (ss / (k - 1)), 1e-12);
    }
}

typedef struct
{
  guint    n_calls;
  guint    n_evaluated[8];
  gint64   cv_id;
  gboolean bad;
  /* cancel when this fold reaches this epoch and step */
  GCancellable *cancel;
  guint    cancel_fold;
  guint    cancel_epoch;
  guint    cancel_step;
} ProgressLog;

static void
progress_cb (double        fraction,
             const char   *message,
             gconstpointer details,
             gpointer      user_data)
{
  const PbCvProgress *p = details;
  ProgressLog *log = user_data;

  log->n_calls++;
  if (p == NULL || fraction < 0 || fraction > 1 || p->fold >= p->n_folds || p->cv_id <= 0)
    {
      log->bad = TRUE;
      return;
    }
  log->cv_id = p->cv_id;
  if (p->evaluated)
    {
      if (p->metrics == NULL || p->step != 0 || p->run_id <= 0)
        log->bad = TRUE;
      log->n_evaluated[p->fold]++;
    }
  if (log->cancel != NULL && p->fold == log->cancel_fold && p->epoch == log->cancel_epoch &&
      p->step == log->cancel_step)
    g_cancellable_cancel (log->cancel);
}

/* Each fold's run knows its data: the CV's dataset, and the fold it held out. */
static void
check_fold_data (PbProject        *project,
                 const PbCvResult *r,
                 const PbDataset  *ds)
{
  g_autoptr(GError) error = NULL;
  gboolean is_fold = TRUE;

  for (guint f = 0; f < r->config.n_folds; f++)
    {
      g_autoptr(PbDataset) valid = NULL;
      g_autofree char *dataset_name = NULL;
      g_autofree char *name = NULL;
      g_autofree char *expected_name = g_strdup_printf ("cv %" G_GINT64_FORMAT " fold %u held-out",
                                                        r->cv_id, f);
      guint m = 0;

      g_assert_true (pb_cv_load_fold_data (project, r->folds[f].run_id, &is_fold, &dataset_name,
                                           &valid, &name, &error));
      g_assert_no_error (error);
      g_assert_true (is_fold);
      g_assert_cmpstr (dataset_name, ==, "ds");
      g_assert_cmpstr (name, ==, expected_name);
      g_assert_cmpuint (valid->n, ==, r->folds[f].n_valid);
      for (guint i = 0; i < ds->n; i++)
        if (r->fold_of_sample[i] == f)
          {
            g_assert_cmpint (valid->sample_ids[m], ==, ds->sample_ids[i]);
            g_assert_cmpint (valid->labels[m], ==, ds->labels[i]);
            m++;
          }
      g_assert_cmpuint (m, ==, valid->n);
    }

  /* any other run is no fold, and nothing is loaded */
  g_assert_true (pb_cv_load_fold_data (project, 9999, &is_fold, NULL, NULL, NULL, &error));
  g_assert_no_error (error);
  g_assert_false (is_fold);
}

static void
run_preset (Fixture    *f,
            PbProtocol  protocol)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(PbCvResult) r = NULL;
  g_autoptr(PbDataset) ds = make_dataset ();
  g_autoptr(GArray) ids = NULL;
  guint expected[N_SEQ];
  ProgressLog log = { 0 };
  PbCvConfig c;
  gint64 cv_id = 0;

  small_config (&c, protocol);
  g_assert_true (pb_cv_run (f->project, &c, "ds", "test", &cv_id, progress_cb, &log, NULL,
                            &error));
  g_assert_no_error (error);
  g_assert_cmpint (cv_id, >, 0);
  g_assert_false (log.bad);
  g_assert_cmpint (log.cv_id, ==, cv_id);
  for (guint k = 0; k < 3; k++)
    g_assert_cmpuint (log.n_evaluated[k], ==, 3);

  r = pb_cv_load (f->project, cv_id, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (r->dataset, ==, "ds");
  g_assert_cmpstr (r->source, ==, "test");
  g_assert_cmpint (r->config.train.model.protocol, ==, protocol);
  g_assert_cmpuint (r->config.train.checkpoint_every, ==, 1);
  g_assert_true (pb_cv_make_folds (ds, 3, 86420, expected, &error));
  g_assert_cmpmem (r->fold_of_sample, sizeof expected, expected, sizeof expected);
  check_result (f->project, r, ds);
  g_assert_nonnull (pb_cv_result_get_target_fold (r));
  check_fold_data (f->project, r, ds);

  ids = pb_cv_list (f->project, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (ids->len, ==, 1);
  g_assert_cmpint (g_array_index (ids, gint64, 0), ==, cv_id);
  g_assert_cmpint (pb_test_query_int (f->project, "SELECT count(*) FROM runs WHERE kind = 'cv'"),
                   ==, 3);
}

static void
test_standard (Fixture       *f,
               gconstpointer  data)
{
  run_preset (f, PB_PROTOCOL_STANDARD);
}

static void
test_seed (Fixture       *f,
           gconstpointer  data)
{
  run_preset (f, PB_PROTOCOL_SEED);
}

static void
assert_same_results (const PbCvResult *a,
                     const PbCvResult *b)
{
  g_assert_cmpmem (&a->summary, sizeof a->summary, &b->summary, sizeof b->summary);
  for (guint f = 0; f < a->config.n_folds; f++)
    {
      const PbCvFold *fa = &a->folds[f], *fb = &b->folds[f];

      g_assert_cmpuint (fa->best_epoch, ==, fb->best_epoch);
      g_assert_cmpuint (fa->epochs->len, ==, fb->epochs->len);
      for (guint i = 0; i < fa->epochs->len; i++)
        {
          const PbCvEpoch *ea = &g_array_index (fa->epochs, PbCvEpoch, i);
          const PbCvEpoch *eb = &g_array_index (fb->epochs, PbCvEpoch, i);

          g_assert_cmpuint (ea->epoch, ==, eb->epoch);
          g_assert_cmpfloat (ea->loss_train, ==, eb->loss_train);
          g_assert_cmpint (ea->evaluated, ==, eb->evaluated);
          if (ea->evaluated)
            g_assert_cmpmem (&ea->metrics, sizeof ea->metrics, &eb->metrics,
                             sizeof eb->metrics);
        }
    }
}

/* Uninterrupted vs. cancelled mid-fold (after a checkpoint) and resumed; the
 * second time the fold links are lost as after a kill, so resume must find
 * the runs by their tags. */
static void
test_resume (Fixture       *f,
             gconstpointer  data)
{
  PbProtocol protocol = GPOINTER_TO_INT (data);
  g_autoptr(GError) error = NULL;
  g_autoptr(PbCvResult) whole = NULL;
  g_autoptr(PbCvResult) partial = NULL;
  g_autoptr(PbCvResult) resumed = NULL;
  g_autoptr(GCancellable) cancel = g_cancellable_new ();
  g_autoptr(GCancellable) cancel2 = g_cancellable_new ();
  ProgressLog log = { 0 };
  PbCvConfig c;
  gint64 id_whole = 0, id = 0, run_fold1;

  small_config (&c, protocol);
  c.train.n_epochs = 5;
  c.train.eval_every = 2;   /* evaluations and checkpoints after epochs 2, 4, 5 */
  g_assert_true (pb_cv_run (f->project, &c, "ds", NULL, &id_whole, NULL, NULL, NULL, &error));
  g_assert_no_error (error);
  whole = pb_cv_load (f->project, id_whole, &error);
  g_assert_no_error (error);

  /* cancelled in fold 1, epoch 3, after the checkpoint of epoch 2 */
  log.cancel = cancel;
  log.cancel_fold = 1;
  log.cancel_epoch = 3;
  log.cancel_step = 1;
  g_assert_false (pb_cv_run (f->project, &c, "ds", NULL, &id, progress_cb, &log, cancel,
                             &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_clear_error (&error);
  g_assert_cmpint (id, >, id_whole);

  partial = pb_cv_load (f->project, id, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (partial->status, ==, "cancelled");
  g_assert_cmpstr (partial->folds[0].status, ==, "finished");
  g_assert_cmpstr (partial->folds[1].status, ==, "cancelled");
  g_assert_cmpuint (partial->folds[1].epochs_done, ==, 2);
  g_assert_cmpstr (partial->folds[2].status, ==, "pending");
  g_assert_cmpuint (partial->summary.n_folds, ==, 1);   /* the finished fold only */
  g_assert_true (isnan (partial->summary.auc.std));
  g_assert_cmpfloat (partial->summary.auc.mean, ==, partial->folds[0].best.auc);
  run_fold1 = partial->folds[1].run_id;

  /* resume, and cancel again in fold 2 before its first epoch ends */
  log = (ProgressLog) { 0 };
  log.cancel = cancel2;
  log.cancel_fold = 2;
  log.cancel_epoch = 1;
  log.cancel_step = 1;
  g_assert_false (pb_cv_resume (f->project, id, progress_cb, &log, cancel2, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_clear_error (&error);

  /* a kill before the links were written */
  g_assert_true (pb_project_exec (f->project, "DELETE FROM cv_folds", &error));
  g_assert_no_error (error);

  g_assert_true (pb_cv_resume (f->project, id, NULL, NULL, NULL, &error));
  g_assert_no_error (error);
  resumed = pb_cv_load (f->project, id, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (resumed->status, ==, "finished");
  g_assert_cmpint (resumed->folds[1].run_id, ==, run_fold1);   /* continued, not restarted */
  g_assert_cmpint (pb_test_query_int (f->project, "SELECT count(*) FROM runs"), ==, 6);
  assert_same_results (whole, resumed);

  /* resuming a finished CV changes nothing */
  g_assert_true (pb_cv_resume (f->project, id, NULL, NULL, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpint (pb_test_query_int (f->project, "SELECT count(*) FROM runs"), ==, 6);
}

static void
test_bad_input (Fixture       *f,
                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(PbStorage) storage = NULL;
  g_autoptr(PbSearchSpace) space = pb_search_space_new_builtin (PB_SEARCH_SPACE_MODEL, NULL);
  g_autoptr(PbStudy) study = NULL;
  g_autoptr(PbStudyTrial) trial = NULL;
  PbCvConfig c;
  gint64 id = -1;

  small_config (&c, PB_PROTOCOL_STANDARD);
  c.n_folds = 1;
  g_assert_false (pb_cv_run (f->project, &c, "ds", NULL, &id, NULL, NULL, NULL, &error));
  g_assert_error (error, PB_ENGINE_ERROR, PB_ENGINE_ERROR_INVALID_ARGUMENT);
  g_assert_nonnull (strstr (error->message, "at least 2 folds"));
  g_assert_cmpint (id, ==, 0);
  g_clear_error (&error);

  small_config (&c, PB_PROTOCOL_STANDARD);
  c.n_folds = 21;   /* class 1 has 20 sequences */
  g_assert_false (pb_cv_run (f->project, &c, "ds", NULL, &id, NULL, NULL, NULL, &error));
  g_assert_error (error, PB_ENGINE_ERROR, PB_ENGINE_ERROR_INVALID_ARGUMENT);
  g_assert_nonnull (strstr (error->message, "class 1 has only 20"));
  g_clear_error (&error);

  small_config (&c, PB_PROTOCOL_STANDARD);
  c.train.n_epochs = 0;
  g_assert_false (pb_cv_run (f->project, &c, "ds", NULL, &id, NULL, NULL, NULL, &error));
  g_assert_error (error, PB_ENGINE_ERROR, PB_ENGINE_ERROR_INVALID_ARGUMENT);
  g_clear_error (&error);

  small_config (&c, PB_PROTOCOL_STANDARD);
  g_assert_false (pb_cv_run (f->project, &c, "nope", NULL, &id, NULL, NULL, NULL, &error));
  g_assert_error (error, PB_ENGINE_ERROR, PB_ENGINE_ERROR_NOT_FOUND);
  g_clear_error (&error);
  g_assert_cmpint (pb_test_query_int (f->project, "SELECT count(*) FROM cv_runs"), ==, 0);

  g_assert_false (pb_cv_resume (f->project, 42, NULL, NULL, NULL, &error));
  g_assert_error (error, PB_ENGINE_ERROR, PB_ENGINE_ERROR_NOT_FOUND);
  g_clear_error (&error);
  g_assert_null (pb_cv_load (f->project, 42, &error));
  g_assert_error (error, PB_ENGINE_ERROR, PB_ENGINE_ERROR_NOT_FOUND);
  g_clear_error (&error);

  /* parameters */
  g_assert_false (pb_cv_config_set_params_json (&c, "{\"hidden\": 3}", &error));
  g_assert_error (error, PB_ENGINE_ERROR, PB_ENGINE_ERROR_INVALID_ARGUMENT);
  g_assert_nonnull (strstr (error->message, "Unknown parameter “hidden”"));
  g_clear_error (&error);
  g_assert_false (pb_cv_config_set_params_json (&c, "{\"log_batch_size\": 2.5}", &error));
  g_assert_error (error, PB_ENGINE_ERROR, PB_ENGINE_ERROR_INVALID_ARGUMENT);
  g_clear_error (&error);
  g_assert_false (pb_cv_config_set_params_json (&c, "{\"optimizer_name\": \"Lion\"}", &error));
  g_assert_error (error, PB_ENGINE_ERROR, PB_ENGINE_ERROR_INVALID_ARGUMENT);
  g_clear_error (&error);
  g_assert_false (pb_cv_config_set_params_json (&c, "[1]", &error));
  g_assert_error (error, PB_ENGINE_ERROR, PB_ENGINE_ERROR_INVALID_ARGUMENT);
  g_clear_error (&error);
  g_assert_cmpuint (c.train.model.n_hidden, ==, 8);   /* unchanged by the failures */

  /* studies: unknown, and without a complete trial */
  storage = pb_storage_open (f->path, &error);
  g_assert_no_error (error);
  g_assert_false (pb_cv_config_set_from_study (&c, storage, "absent", NULL, &error));
  g_assert_error (error, PB_ENGINE_ERROR, PB_ENGINE_ERROR_NOT_FOUND);
  g_clear_error (&error);

  study = pb_study_open (storage, "empty", space, NULL, &error);
  g_assert_no_error (error);
  g_assert_false (pb_cv_config_set_from_study (&c, storage, "empty", NULL, &error));
  g_assert_error (error, PB_ENGINE_ERROR, PB_ENGINE_ERROR_NOT_FOUND);
  g_assert_nonnull (strstr (error->message, "no complete trial"));
  g_clear_error (&error);
  g_assert_true (pb_study_ask (study, &trial, &error));
  g_assert_true (pb_study_tell (study, trial, PB_TRIAL_STATE_FAIL, NAN, &error));
  g_assert_no_error (error);
  g_assert_false (pb_cv_config_set_from_study (&c, storage, "empty", NULL, &error));
  g_assert_error (error, PB_ENGINE_ERROR, PB_ENGINE_ERROR_NOT_FOUND);
}

static void
test_params (void)
{
  g_autoptr(GError) error = NULL;
  PbCvConfig c;

  pb_cv_config_init (&c);
  g_assert_cmpuint (c.n_folds, ==, 5);
  g_assert_cmpuint (c.fold_seed, ==, 86420);
  g_assert_cmpuint (c.train.n_epochs, ==, 1000);
  g_assert_cmpuint (c.train.eval_every, ==, 10);
  g_assert_cmpuint (c.train.checkpoint_every, ==, 10);
  g_assert_cmpuint (c.train.seed, ==, 12345678);

  g_assert_true (pb_cv_config_set_params_json (&c, "{\"log_lstm_hidden_size\": 5, "
                                                   "\"lstm_act_name\": \"ReLU\", \"dropout\": 0.25, "
                                                   "\"log_fc_hidden_size\": 6, "
                                                   "\"fc_act_name\": \"ReLU\", "
                                                   "\"learning_rate\": 0.003, "
                                                   "\"optimizer_name\": \"RMSprop\", "
                                                   "\"log_batch_size\": 7}", &error));
  g_assert_no_error (error);
  g_assert_cmpuint (c.train.model.n_hidden, ==, 32);
  g_assert_cmpuint (c.train.model.n_fc, ==, 64);
  g_assert_cmpuint (c.train.batch_size, ==, 128);
  g_assert_cmpfloat (c.train.model.dropout, ==, 0.25);
  g_assert_cmpstr (pb_activation_get_name (c.train.model.act_lstm), ==, "relu");
  g_assert_cmpstr (pb_activation_get_name (c.train.model.act_fc), ==, "relu");
  g_assert_cmpint (c.train.optim.kind, ==, PB_OPTIM_KIND_RMSPROP);
  g_assert_cmpfloat (c.train.optim.lr, ==, 0.003);   /* set after the optimiser's defaults */
  g_assert_cmpuint (c.train.n_epochs, ==, 1000);     /* untouched */

  /* the JSON round trip (as stored: the data's sizes filled in) */
  c.train.model.n_features = 3;
  c.train.model.n_classes = 2;
  c.train.optim.eps = 1e-8;   /* json-glib would write it back as 1e-08.0 */
  {
    g_autofree char *json = pb_cv_config_to_json (&c);
    g_autofree char *json2 = NULL;
    PbCvConfig back;

    g_assert_true (pb_cv_config_from_json (json, &back, &error));
    g_assert_no_error (error);
    json2 = pb_cv_config_to_json (&back);
    g_assert_cmpstr (json, ==, json2);
  }
}

static void
test_from_study (Fixture       *f,
                 gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(PbStorage) storage = NULL;
  g_autoptr(PbSearchSpace) space = pb_search_space_new_builtin (PB_SEARCH_SPACE_MODEL, NULL);
  g_autoptr(PbStudy) study = NULL;
  const char *params[] = {
    "{\"log_lstm_hidden_size\": 6, \"lstm_act_name\": \"ReLU\", \"dropout\": 0.1,"
    " \"log_fc_hidden_size\": 5, \"fc_act_name\": \"Tanh\", \"optimizer_name\": \"SGD\","
    " \"learning_rate\": 0.05, \"log_batch_size\": 6}",
    "{\"log_lstm_hidden_size\": 5, \"lstm_act_name\": \"Tanh\", \"dropout\": 0.2,"
    " \"log_fc_hidden_size\": 4, \"fc_act_name\": \"ReLU\", \"optimizer_name\": \"Adam\","
    " \"learning_rate\": 0.001, \"log_batch_size\": 5}",
  };
  const double values[] = { 0.7, 0.4 };
  PbCvConfig c;
  int number = -1;

  storage = pb_storage_open (f->path, &error);
  g_assert_no_error (error);
  study = pb_study_open (storage, "model", space, NULL, &error);
  g_assert_no_error (error);
  for (guint i = 0; i < 2; i++)
    {
      g_autoptr(PbStudyTrial) trial = NULL;

      g_assert_true (pb_study_enqueue_trial (study, params[i], &error));
      g_assert_true (pb_study_ask (study, &trial, &error));
      g_assert_no_error (error);
      g_assert_true (pb_study_tell (study, trial, PB_TRIAL_STATE_COMPLETE, values[i], &error));
      g_assert_no_error (error);
    }

  small_config (&c, PB_PROTOCOL_SEED);
  g_assert_true (pb_cv_config_set_from_study (&c, storage, "model", &number, &error));
  g_assert_no_error (error);
  g_assert_cmpint (number, ==, 1);   /* value 0.4 < 0.7 */
  g_assert_cmpuint (c.train.model.n_hidden, ==, 32);
  g_assert_cmpuint (c.train.model.n_fc, ==, 16);
  g_assert_cmpuint (c.train.batch_size, ==, 32);
  g_assert_cmpfloat (c.train.model.dropout, ==, 0.2);
  g_assert_cmpint (c.train.optim.kind, ==, PB_OPTIM_KIND_ADAM);
  g_assert_cmpfloat (c.train.optim.lr, ==, 0.001);
  /* the rest is kept */
  g_assert_cmpint (c.train.model.protocol, ==, PB_PROTOCOL_SEED);
  g_assert_cmpuint (c.n_folds, ==, 3);
  g_assert_cmpuint (c.train.n_epochs, ==, 3);
}

#define SMALL "log_lstm_hidden_size=3,log_fc_hidden_size=2,log_batch_size=4,learning_rate=0.01"

static void
test_cli (Fixture       *f,
          gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autofree char *out = NULL, *err = NULL;
  JsonObject *o;
  gint64 cv_id;
  int rc;

  if (g_getenv ("PERTURB_CLI") == NULL)
    {
      g_test_skip ("PERTURB_CLI is not set");
      return;
    }
  g_clear_object (&f->project);   /* the CLI opens the file itself */

#define EXPECT(code, ...) \
  G_STMT_START { \
    g_clear_pointer (&out, g_free); \
    g_clear_pointer (&err, g_free); \
    rc = pb_test_cli_spawn (&out, &err, __VA_ARGS__, NULL); \
    g_test_message ("%s%s", out, err); \
    g_assert_cmpint (rc, ==, code); \
  } G_STMT_END

  EXPECT (2, "cv", f->path);                                  /* neither study nor params */
  g_assert_nonnull (strstr (err, "--from-study"));
  EXPECT (2, "cv", f->path, "--params", SMALL, "--folds", "1");
  g_assert_nonnull (strstr (err, "--folds"));
  EXPECT (2, "cv", f->path, "--params", SMALL, "--epochs", "0");
  EXPECT (2, "cv", f->path, "--params", SMALL, "--folds", "25");   /* > 20 of class 1 */
  g_assert_nonnull (strstr (err, "class 1 has only 20"));
  EXPECT (2, "cv", f->path, "--params", "hidden=3");
  g_assert_nonnull (strstr (err, "Unknown parameter"));
  EXPECT (2, "cv", f->path, "--from-study", "absent");
  EXPECT (2, "cv", f->path, "--params", SMALL, "--preset", "odd");
  EXPECT (2, "cv", f->path, "--show", "7");
  EXPECT (2, "cv", f->path, "--resume", "7");

  EXPECT (0, "cv", f->path, "--params", SMALL, "--folds", "3", "--epochs", "2", "--eval-every",
          "1", "--threads", "1", "--preset", "seed");
  g_test_message ("%s", out);
  g_assert_nonnull (strstr (out, "Cross-validation 1 (finished) on dataset ds: 3 folds × 2 "
                                 "epochs"));
  g_assert_nonnull (strstr (out, "protocol seed"));
  g_assert_nonnull (strstr (out, "\nmean "));
  g_assert_nonnull (strstr (out, "\nstd (ddof 1) "));
  g_assert_nonnull (strstr (out, "\nAUC "));

  EXPECT (0, "cv", f->path, "--show", "1", "--json");
  g_assert_true (json_parser_load_from_data (parser, out, -1, &error));
  g_assert_no_error (error);
  o = json_node_get_object (json_parser_get_root (parser));
  cv_id = json_object_get_int_member (o, "cv");
  g_assert_cmpint (cv_id, ==, 1);
  g_assert_cmpstr (json_object_get_string_member (o, "status"), ==, "finished");
  g_assert_cmpstr (json_object_get_string_member (o, "protocol"), ==, "seed");
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (o, "folds")), ==, 3);
  g_assert_cmpint (json_object_get_int_member (json_object_get_object_member (o, "summary"),
                                               "n_folds"), ==, 3);

  /* a fold's model is attacked on the CV's dataset without --dataset */
  EXPECT (0, "attack", f->path, "--run", "2", "--samples", "4", "--iterations", "2");
  g_assert_true (g_str_has_prefix (out, "attack run 1: "));

  EXPECT (0, "cv", f->path, "--resume", "1");                  /* finished: nothing to do */
  EXPECT (0, "cv", f->path, "--list");
  g_assert_true (g_str_has_prefix (out, "1  finished"));

  /* from a study: its best trial, and the preset and dataset it was tuned with */
  EXPECT (2, "cv", f->path, "--from-study", "model");           /* no such study yet */
  EXPECT (0, "tune", f->path, "--trials", "1", "--folds", "2", "--epochs", "1",
          "--report-every", "1", "--heartbeat", "0", "--preset", "seed");
  EXPECT (0, "cv", f->path, "--from-study", "model", "--folds", "2", "--epochs", "1",
          "--threads", "1");
  g_assert_nonnull (strstr (out, "Cross-validation 2 (finished) on dataset ds: 2 folds"));
  g_assert_nonnull (strstr (out, "protocol seed"));
  g_assert_nonnull (strstr (out, "Hyperparameters: study model, trial 0;"));
#undef EXPECT
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/pb/cv/folds/stratified-disjoint-covering", test_folds_stratified);
  g_test_add_func ("/pb/cv/params/optuna-names", test_params);
  g_test_add ("/pb/cv/run/standard", Fixture, NULL, fixture_setup, test_standard, fixture_tear);
  g_test_add ("/pb/cv/run/seed", Fixture, NULL, fixture_setup, test_seed, fixture_tear);
  g_test_add ("/pb/cv/resume/standard-bit-identical", Fixture,
              GINT_TO_POINTER (PB_PROTOCOL_STANDARD), fixture_setup, test_resume, fixture_tear);
  g_test_add ("/pb/cv/resume/seed-bit-identical", Fixture, GINT_TO_POINTER (PB_PROTOCOL_SEED),
              fixture_setup, test_resume, fixture_tear);
  g_test_add ("/pb/cv/bad-input", Fixture, NULL, fixture_setup, test_bad_input, fixture_tear);
  g_test_add ("/pb/cv/from-study", Fixture, NULL, fixture_setup, test_from_study, fixture_tear);
  g_test_add ("/pb/cv/cli", Fixture, NULL, fixture_setup, test_cli, fixture_tear);

  return g_test_run ();
}
