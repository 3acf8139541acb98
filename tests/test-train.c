/* test-train.c — the training loop: exact resume, storage, presets, bad input.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "pb-checkpoint.h"
#include "pb-engine.h"
#include "pb-rng.h"
#include "pb-train.h"

#include "pb-test-util.h"

#include <math.h>
#include <string.h>

#define T 6
#define F 3

/* Sequences whose class is whether feature 0 averages above 0.5; lengths 2…T.
 * About a third positive. */
static PbDataset *
make_dataset (guint   n,
              guint64 seed)
{
  PbDataset *ds = pb_dataset_new (n, T, F, 2);
  PbRng rng;

  pb_rng_init (&rng, seed);
  for (guint i = 0; i < n; i++)
    {
      float *seq = pb_dataset_get_sequence (ds, i);
      gboolean pos = i % 3 == 0;

      ds->lengths[i] = 2 + (guint) pb_rng_uniform_int (&rng, T - 1);
      ds->labels[i] = pos;
      ds->sample_ids[i] = i;
      for (guint t = 0; t < ds->lengths[i]; t++)
        {
          seq[t * F + 0] = (float) CLAMP ((pos ? 0.7 : 0.3) + 0.2 * pb_rng_normal (&rng), 0, 1);
          seq[t * F + 1] = (float) pb_rng_uniform (&rng);
          seq[t * F + 2] = (float) (t * 0.1);
        }
    }
  return ds;
}

static void
small_config (PbTrainConfig *c,
              PbProtocol     protocol)
{
  pb_train_config_init (c);
  c->model.n_hidden = 8;
  c->model.n_fc = 4;
  c->model.dropout = 0.2;
  c->model.protocol = protocol;
  c->optim.lr = 0.01;
  c->batch_size = 8;
  c->eval_batch_size = 16;
  c->n_epochs = 4;
  c->seed = 77;
}

typedef struct
{
  GCancellable *cancellable;
  guint         stop_after;   /* cancel once this epoch is complete */
  guint         n_calls;
  guint         n_with_metrics;
  guint         last_epoch;
} ProgressData;

static void
progress_cb (double        fraction,
             const char   *message,
             gconstpointer details,
             gpointer      user_data)
{
  const PbTrainProgress *p = details;
  ProgressData *d = user_data;

  g_assert_nonnull (p);
  g_assert_cmpfloat (fraction, >=, 0.0);
  g_assert_cmpfloat (fraction, <=, 1.0);
  d->n_calls++;
  d->n_with_metrics += p->metrics != NULL;
  if (p->step == 0)
    {
      d->last_epoch = p->epoch;
      if (d->stop_after > 0 && p->epoch == d->stop_after)
        g_cancellable_cancel (d->cancellable);
    }
}

static PbProject *
new_project (const char *dir,
             const char *name)
{
  g_autofree char *path = g_build_filename (dir, name, NULL);
  g_autoptr(GError) error = NULL;
  PbProject *project = pb_project_create (path, &error);

  g_assert_no_error (error);
  return project;
}

static PbSafetensors *
final_checkpoint (PbProject *project,
                  gint64     run_id)
{
  g_autoptr(GError) error = NULL;
  PbSafetensors *st = pb_train_load_checkpoint (project, run_id, -1, &error);

  g_assert_no_error (error);
  g_assert_cmpstr (pb_safetensors_get_metadata (st, "epoch"), ==, "4");
  return st;
}

static void
assert_same_tensors (const PbSafetensors *a,
                     const PbSafetensors *b)
{
  g_assert_cmpuint (pb_safetensors_get_n_tensors (a), ==, pb_safetensors_get_n_tensors (b));
  for (guint i = 0; i < pb_safetensors_get_n_tensors (a); i++)
    {
      const PbTensor *ta = pb_safetensors_get_nth (a, i);
      const PbTensor *tb = pb_safetensors_lookup (b, ta->name);

      g_assert_nonnull (tb);
      g_assert_cmpmem (ta->data, ta->n_elements * sizeof (float),
                       tb->data, tb->n_elements * sizeof (float));
    }
  g_assert_cmpstr (pb_safetensors_get_metadata (a, "rng.sampler"), ==,
                   pb_safetensors_get_metadata (b, "rng.sampler"));
  g_assert_cmpstr (pb_safetensors_get_metadata (a, "rng.dropout"), ==,
                   pb_safetensors_get_metadata (b, "rng.dropout"));
  g_assert_cmpstr (pb_safetensors_get_metadata (a, "optimizer.step"), ==,
                   pb_safetensors_get_metadata (b, "optimizer.step"));
}

static void
assert_same_losses (PbProject *a,
                    PbProject *b,
                    gint64     run_a,
                    gint64     run_b)
{
  const char *sql = "SELECT epoch, loss_train, loss_valid, auc FROM epoch_metrics "
                    "WHERE run_id = ?1 ORDER BY epoch";
  g_autoptr(sqlite3_stmt) sa = pb_sqlite_prepare (pb_project_get_db (a), sql, NULL);
  g_autoptr(sqlite3_stmt) sb = pb_sqlite_prepare (pb_project_get_db (b), sql, NULL);
  guint rows = 0;

  sqlite3_bind_int64 (sa, 1, run_a);
  sqlite3_bind_int64 (sb, 1, run_b);
  while (sqlite3_step (sa) == SQLITE_ROW)
    {
      g_assert_cmpint (sqlite3_step (sb), ==, SQLITE_ROW);
      g_assert_cmpint (sqlite3_column_int (sa, 0), ==, sqlite3_column_int (sb, 0));
      for (int c = 1; c < 4; c++)
        g_assert_cmpfloat (sqlite3_column_double (sa, c), ==, sqlite3_column_double (sb, c));
      rows++;
    }
  g_assert_cmpint (sqlite3_step (sb), ==, SQLITE_DONE);
  g_assert_cmpuint (rows, ==, 4);
}

/* train 4 epochs ≡ train 2, stop (cancel), resume for 2 — bit-identical
 * weights, optimiser state, generator state and per-epoch metrics */
static void
check_resume (PbProtocol protocol)
{
  g_autofree char *dir = pb_test_mkdtemp ();
  g_autoptr(PbDataset) train = make_dataset (40, 1);
  g_autoptr(PbDataset) valid = make_dataset (18, 2);
  g_autoptr(PbProject) a = new_project (dir, "a.perturb");
  g_autoptr(PbProject) b = new_project (dir, "b.perturb");
  g_autoptr(PbProject) c = new_project (dir, "c.perturb");
  g_autoptr(PbSafetensors) ca = NULL;
  g_autoptr(PbSafetensors) cb = NULL;
  g_autoptr(PbSafetensors) cc = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  ProgressData pd = { .cancellable = cancellable, .stop_after = 2 };
  PbTrainConfig config;
  gint64 run_a, run_b, run_c;

  small_config (&config, protocol);

  g_assert_true (pb_train_run (a, &config, "synthetic", train, valid, &run_a,
                               NULL, NULL, NULL, &error));
  g_assert_no_error (error);

  /* b: the same run, stopped after epoch 2 */
  g_assert_false (pb_train_run (b, &config, "synthetic", train, valid, &run_b,
                                progress_cb, &pd, cancellable, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_clear_error (&error);
  g_assert_cmpuint (pd.last_epoch, ==, 2);
  {
    g_autoptr(sqlite3_stmt) st = pb_sqlite_prepare (pb_project_get_db (b),
                                                    "SELECT status, epochs_done FROM runs", NULL);

    g_assert_cmpint (sqlite3_step (st), ==, SQLITE_ROW);
    g_assert_cmpstr ((const char *) sqlite3_column_text (st, 0), ==, "cancelled");
    g_assert_cmpint (sqlite3_column_int (st, 1), ==, 2);
  }
  g_assert_true (pb_train_resume (b, run_b, 0, train, valid, NULL, NULL, NULL, &error));
  g_assert_no_error (error);

  /* c: a 2-epoch run extended to 4 */
  config.n_epochs = 2;
  g_assert_true (pb_train_run (c, &config, "synthetic", train, valid, &run_c,
                               NULL, NULL, NULL, &error));
  g_assert_true (pb_train_resume (c, run_c, 4, train, valid, NULL, NULL, NULL, &error));
  g_assert_no_error (error);

  ca = final_checkpoint (a, run_a);
  cb = final_checkpoint (b, run_b);
  cc = final_checkpoint (c, run_c);
  assert_same_tensors (ca, cb);
  assert_same_tensors (ca, cc);
  assert_same_losses (a, b, run_a, run_b);
  assert_same_losses (a, c, run_a, run_c);

  {
    g_autoptr(sqlite3_stmt) st = pb_sqlite_prepare (pb_project_get_db (c),
                                                    "SELECT status, n_epochs, "
                                                    "json_extract (hyperparameters, '$.n_epochs'), "
                                                    "protocol FROM runs", NULL);

    g_assert_cmpint (sqlite3_step (st), ==, SQLITE_ROW);
    g_assert_cmpstr ((const char *) sqlite3_column_text (st, 0), ==, "finished");
    g_assert_cmpint (sqlite3_column_int (st, 1), ==, 4);
    g_assert_cmpint (sqlite3_column_int (st, 2), ==, 4);
    g_assert_cmpstr ((const char *) sqlite3_column_text (st, 3), ==,
                     pb_protocol_get_name (protocol));
  }

  g_clear_object (&a);
  g_clear_object (&b);
  g_clear_object (&c);
  pb_test_rmdir (dir);
}

static void
test_resume_standard (void)
{
  check_resume (PB_PROTOCOL_STANDARD);
}

static void
test_resume_seed (void)
{
  check_resume (PB_PROTOCOL_SEED);
}

/* A model learns the planted signal, metrics and progress come through, and
 * the seed preset evaluates on a resample of the training set */
static void
test_learns_and_reports (void)
{
  g_autoptr(PbDataset) train = make_dataset (120, 3);
  g_autoptr(PbDataset) valid = make_dataset (60, 4);
  g_autoptr(PbTrainer) trainer = NULL;
  g_autoptr(GError) error = NULL;
  ProgressData pd = { 0 };
  PbTrainConfig config;
  PbMetrics m;
  double loss_first = 0, loss_last = 0;

  small_config (&config, PB_PROTOCOL_STANDARD);
  config.optim.lr = 0.02;
  trainer = pb_trainer_new (&config, train, valid, &error);
  g_assert_no_error (error);

  for (guint e = 0; e < 12; e++)
    {
      double loss;

      g_assert_true (pb_trainer_train_epoch (trainer, &loss, progress_cb, &pd, NULL, &error));
      g_assert_no_error (error);
      if (e == 0)
        loss_first = loss;
      loss_last = loss;
    }
  g_assert_cmpuint (pb_trainer_get_epoch (trainer), ==, 12);
  g_assert_cmpuint (pd.n_calls, ==, 12 * 15);   /* 120 / 8 batches per epoch */
  g_assert_true (pb_trainer_evaluate (trainer, &m, NULL, &error));
  g_assert_no_error (error);
  g_test_message ("loss %.4f → %.4f; valid AUC %.4f accuracy %.4f", loss_first, loss_last,
                  m.auc, m.accuracy);
  g_assert_cmpfloat (loss_last, <, loss_first);
  g_assert_cmpfloat (m.auc, >, 0.9);
  g_assert_cmpuint (m.n, ==, 60);

  /* seed preset: evaluation set = len(train) resampled training sequences */
  g_clear_pointer (&trainer, pb_trainer_free);
  small_config (&config, PB_PROTOCOL_SEED);
  trainer = pb_trainer_new (&config, train, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (pb_trainer_evaluate (trainer, &m, NULL, &error));
  g_assert_cmpuint (m.n, ==, 120);
}

static void
test_run_reports_metrics (void)
{
  g_autoptr(PbDataset) train = make_dataset (24, 5);
  g_autoptr(PbDataset) valid = make_dataset (12, 6);
  g_autoptr(GError) error = NULL;
  ProgressData pd = { 0 };
  PbTrainConfig config;

  small_config (&config, PB_PROTOCOL_STANDARD);
  config.n_epochs = 3;
  config.eval_every = 2;
  /* without a project: nothing stored, epochs 2 and 3 (the last) evaluated */
  g_assert_true (pb_train_run (NULL, &config, NULL, train, valid, NULL, progress_cb, &pd,
                               NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (pd.last_epoch, ==, 3);
  /* per-step reports of epoch 3 carry epoch 2's metrics, plus the two epoch ends */
  g_assert_cmpuint (pd.n_with_metrics, ==, 3 + 2);
}

static void
test_config_json (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *json = NULL;
  g_autofree char *again = NULL;
  PbTrainConfig a, b;

  small_config (&a, PB_PROTOCOL_SEED);
  a.model.n_features = F;
  a.model.n_classes = 2;
  pb_optim_config_init (&a.optim, PB_OPTIM_KIND_RMSPROP);
  a.optim.centered = TRUE;
  a.optim.momentum = 0.3;
  json = pb_train_config_to_json (&a);
  g_assert_true (pb_train_config_from_json (json, &b, &error));
  g_assert_no_error (error);
  again = pb_train_config_to_json (&b);
  g_assert_cmpstr (json, ==, again);
  g_assert_true (b.model.protocol == PB_PROTOCOL_SEED);
  g_assert_true (b.optim.kind == PB_OPTIM_KIND_RMSPROP && b.optim.centered);

  g_assert_false (pb_train_config_from_json ("{\"model\": 3}", &b, &error));
  g_assert_error (error, PB_ENGINE_ERROR, PB_ENGINE_ERROR_CORRUPT);
}

/* What a checkpoint holds rebuilds the same model (weights and config) */
static void
test_checkpoint_rebuilds_model (void)
{
  g_autoptr(PbDataset) train = make_dataset (16, 7);
  g_autoptr(PbDataset) valid = make_dataset (9, 8);
  g_autoptr(PbTrainer) trainer = NULL;
  g_autoptr(PbSafetensors) st = NULL;
  g_autoptr(PbModel) model = NULL;
  g_autoptr(GError) error = NULL;
  PbTrainConfig config;
  PbMetrics m1, m2;

  small_config (&config, PB_PROTOCOL_STANDARD);
  trainer = pb_trainer_new (&config, train, valid, &error);
  g_assert_true (pb_trainer_train_epoch (trainer, NULL, NULL, NULL, NULL, &error));
  st = pb_trainer_save_checkpoint (trainer);
  model = pb_checkpoint_new_model (st, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpmem (pb_model_get_params (model), pb_model_get_n_params (model) * sizeof (float),
                   pb_model_get_params (pb_trainer_get_model (trainer)),
                   pb_model_get_n_params (model) * sizeof (float));

  g_assert_true (pb_evaluate_model (model, valid, 16, &m1, NULL, &error));
  g_assert_true (pb_trainer_evaluate (trainer, &m2, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpfloat (m1.auc, ==, m2.auc);
  g_assert_cmpfloat (m1.loss, ==, m2.loss);

  /* no model_config: shapes are inferred, a mismatched tensor is refused */
  pb_safetensors_set_metadata (st, "model_config", NULL);
  g_clear_pointer (&model, pb_model_free);
  model = pb_checkpoint_new_model (st, &config.model, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (pb_model_get_config (model)->n_hidden, ==, 8);
  g_assert_cmpuint (pb_model_get_config (model)->n_features, ==, F);

  pb_safetensors_add (st, "3.bias", 1, (gsize[]) { 7 }, NULL);
  g_clear_pointer (&model, pb_model_free);
  model = pb_checkpoint_new_model (st, &config.model, &error);
  g_assert_null (model);
  g_assert_error (error, PB_ENGINE_ERROR, PB_ENGINE_ERROR_INVALID_DATA);
  g_assert_nonnull (strstr (error->message, "3.bias"));
}

static void
test_bad_input (void)
{
  g_autoptr(PbDataset) train = make_dataset (12, 9);
  g_autoptr(PbDataset) valid = make_dataset (6, 10);
  g_autoptr(PbDataset) empty = pb_dataset_new (0, T, F, 2);
  g_autoptr(PbDataset) wide = pb_dataset_new (4, T, F + 1, 2);
  g_autoptr(PbTrainer) trainer = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = pb_test_mkdtemp ();
  g_autoptr(PbProject) project = new_project (dir, "bad.perturb");
  PbTrainConfig config;

  small_config (&config, PB_PROTOCOL_STANDARD);

  trainer = pb_trainer_new (&config, empty, valid, &error);
  g_assert_null (trainer);
  g_assert_error (error, PB_ENGINE_ERROR, PB_ENGINE_ERROR_INVALID_DATA);
  g_assert_nonnull (strstr (error->message, "training set"));
  g_clear_error (&error);

  /* standard preset without a held-out set */
  g_assert_false (pb_train_run (NULL, &config, NULL, train, NULL, NULL, NULL, NULL, NULL,
                                &error));
  g_assert_error (error, PB_ENGINE_ERROR, PB_ENGINE_ERROR_INVALID_ARGUMENT);
  g_clear_error (&error);

  /* one-class validation set: AUC undefined, said before training */
  for (guint i = 0; i < valid->n; i++)
    valid->labels[i] = 0;
  g_assert_false (pb_train_run (project, &config, NULL, train, valid, NULL, NULL, NULL, NULL,
                                &error));
  g_assert_error (error, PB_ENGINE_ERROR, PB_ENGINE_ERROR_INVALID_DATA);
  g_assert_nonnull (strstr (error->message, "no sample of class 1"));
  g_assert_nonnull (strstr (error->message, "AUC"));
  g_clear_error (&error);
  valid->labels[0] = 1;

  /* NaN and Inf in the inputs */
  pb_dataset_get_sequence (train, 3)[1] = NAN;
  g_assert_false (pb_train_run (NULL, &config, NULL, train, valid, NULL, NULL, NULL, NULL,
                                &error));
  g_assert_error (error, PB_ENGINE_ERROR, PB_ENGINE_ERROR_INVALID_DATA);
  g_clear_error (&error);
  pb_dataset_get_sequence (train, 3)[1] = 0.5f;
  pb_dataset_get_sequence (valid, 2)[0] = INFINITY;
  g_assert_false (pb_train_run (NULL, &config, NULL, train, valid, NULL, NULL, NULL, NULL,
                                &error));
  g_assert_error (error, PB_ENGINE_ERROR, PB_ENGINE_ERROR_INVALID_DATA);
  g_clear_error (&error);
  pb_dataset_get_sequence (valid, 2)[0] = 0.5f;

  /* length 0 and length > T */
  train->lengths[5] = 0;
  g_assert_null (pb_trainer_new (&config, train, valid, &error));
  g_assert_error (error, PB_ENGINE_ERROR, PB_ENGINE_ERROR_INVALID_DATA);
  g_clear_error (&error);
  train->lengths[5] = T + 1;
  g_assert_null (pb_trainer_new (&config, train, valid, &error));
  g_assert_error (error, PB_ENGINE_ERROR, PB_ENGINE_ERROR_INVALID_DATA);
  g_clear_error (&error);
  train->lengths[5] = T;

  /* feature count mismatch between the sets */
  for (guint i = 0; i < wide->n; i++)
    {
      wide->lengths[i] = 1;
      wide->labels[i] = i % 2;
    }
  g_assert_null (pb_trainer_new (&config, train, wide, &error));
  g_assert_error (error, PB_ENGINE_ERROR, PB_ENGINE_ERROR_INVALID_DATA);
  g_assert_nonnull (strstr (error->message, "4 features"));
  g_clear_error (&error);

  /* bad hyperparameters */
  config.batch_size = 0;
  g_assert_null (pb_trainer_new (&config, train, valid, &error));
  g_assert_error (error, PB_ENGINE_ERROR, PB_ENGINE_ERROR_INVALID_ARGUMENT);
  g_clear_error (&error);

  /* resuming a run that does not exist */
  g_assert_false (pb_train_resume (project, 42, 0, train, valid, NULL, NULL, NULL, &error));
  g_assert_error (error, PB_ENGINE_ERROR, PB_ENGINE_ERROR_NOT_FOUND);
  g_clear_error (&error);

  g_clear_object (&project);
  pb_test_rmdir (dir);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/pb/train/resume/standard-is-bit-identical", test_resume_standard);
  g_test_add_func ("/pb/train/resume/seed-is-bit-identical", test_resume_seed);
  g_test_add_func ("/pb/train/learns-and-reports", test_learns_and_reports);
  g_test_add_func ("/pb/train/run-reports-metrics", test_run_reports_metrics);
  g_test_add_func ("/pb/train/config-json", test_config_json);
  g_test_add_func ("/pb/train/checkpoint-rebuilds-model", test_checkpoint_rebuilds_model);
  g_test_add_func ("/pb/train/bad-input", test_bad_input);

  return g_test_run ();
}
