/* pb-train-store.c — training runs in the project store (migration 5):
 * `runs` (hyperparameters JSON + protocol preset), `epoch_metrics` and
 * `checkpoints` (safetensors: weights, optimiser state, random streams,
 * epoch), written one transaction per epoch so a kill loses at most the epoch
 * in flight and a resume continues bit-identically.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "pb-train-private.h"

#include "pb-checkpoint.h"
#include "pb-error.h"

#include <math.h>
#include <string.h>

typedef struct
{
  gint64           run_id;
  const char      *config_json;
  const char      *protocol;
  const char      *dataset;
  guint            n_epochs;
  gint64           seed;
} RunInsert;

static gboolean
insert_run_txn (sqlite3  *db,
                gpointer  user_data,
                GError  **error)
{
  RunInsert *r = user_data;
  g_autoptr(sqlite3_stmt) stmt = NULL;

  stmt = pb_sqlite_prepare (db, "INSERT INTO runs (dataset, protocol, hyperparameters, seed, "
                                "n_epochs) VALUES (?1, ?2, ?3, ?4, ?5)", error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_text (stmt, 1, r->dataset, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 2, r->protocol, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 3, r->config_json, -1, SQLITE_STATIC);
  sqlite3_bind_int64 (stmt, 4, r->seed);
  sqlite3_bind_int64 (stmt, 5, r->n_epochs);
  if (!pb_sqlite_check (db, sqlite3_step (stmt), "inserting a run", error))
    return FALSE;

  r->run_id = sqlite3_last_insert_rowid (db);
  return TRUE;
}

typedef struct
{
  gint64           run_id;
  guint            epoch;
  double           loss_train;
  const PbMetrics *metrics;      /* nullable */
  double           seconds;
  GBytes          *checkpoint;   /* nullable */
  gboolean         finished;
} EpochRecord;

static void
bind_double_or_null (sqlite3_stmt *stmt,
                     int           i,
                     gboolean      present,
                     double        v)
{
  if (present && isfinite (v))
    sqlite3_bind_double (stmt, i, v);
  else
    sqlite3_bind_null (stmt, i);
}

static gboolean
record_epoch_txn (sqlite3  *db,
                  gpointer  user_data,
                  GError  **error)
{
  EpochRecord *r = user_data;
  const PbMetrics *m = r->metrics;
  g_autoptr(sqlite3_stmt) stmt = NULL;
  g_autoptr(sqlite3_stmt) ckpt = NULL;
  g_autoptr(sqlite3_stmt) status = NULL;

  stmt = pb_sqlite_prepare (db, "INSERT OR REPLACE INTO epoch_metrics (run_id, epoch, loss_train, "
                                "loss_valid, accuracy, auc, precision, recall, f1, n_valid, "
                                "seconds) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
                            error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, r->run_id);
  sqlite3_bind_int64 (stmt, 2, r->epoch);
  sqlite3_bind_double (stmt, 3, r->loss_train);
  bind_double_or_null (stmt, 4, m != NULL, m != NULL ? m->loss : 0);
  bind_double_or_null (stmt, 5, m != NULL, m != NULL ? m->accuracy : 0);
  bind_double_or_null (stmt, 6, m != NULL, m != NULL ? m->auc : 0);
  bind_double_or_null (stmt, 7, m != NULL, m != NULL ? m->precision : 0);
  bind_double_or_null (stmt, 8, m != NULL, m != NULL ? m->recall : 0);
  bind_double_or_null (stmt, 9, m != NULL, m != NULL ? m->f1 : 0);
  if (m != NULL)
    sqlite3_bind_int64 (stmt, 10, m->n);
  else
    sqlite3_bind_null (stmt, 10);
  sqlite3_bind_double (stmt, 11, r->seconds);
  if (!pb_sqlite_check (db, sqlite3_step (stmt), "recording epoch metrics", error))
    return FALSE;

  if (r->checkpoint != NULL)
    {
      gsize size;
      const void *data = g_bytes_get_data (r->checkpoint, &size);

      ckpt = pb_sqlite_prepare (db, "INSERT OR REPLACE INTO checkpoints (run_id, epoch, "
                                    "loss_valid, state) VALUES (?1, ?2, ?3, ?4)", error);
      if (ckpt == NULL)
        return FALSE;
      sqlite3_bind_int64 (ckpt, 1, r->run_id);
      sqlite3_bind_int64 (ckpt, 2, r->epoch);
      bind_double_or_null (ckpt, 3, m != NULL, m != NULL ? m->loss : 0);
      sqlite3_bind_blob64 (ckpt, 4, data, size, SQLITE_STATIC);
      if (!pb_sqlite_check (db, sqlite3_step (ckpt), "storing a checkpoint", error))
        return FALSE;
    }

  status = pb_sqlite_prepare (db, "UPDATE runs SET epochs_done = ?2, status = ?3 "
                                  "WHERE run_id = ?1", error);
  if (status == NULL)
    return FALSE;
  sqlite3_bind_int64 (status, 1, r->run_id);
  sqlite3_bind_int64 (status, 2, r->epoch);
  sqlite3_bind_text (status, 3, r->finished ? "finished" : "running", -1, SQLITE_STATIC);

  return pb_sqlite_check (db, sqlite3_step (status), "updating the run", error);
}

static void
set_run_status (PbProject  *project,
                gint64      run_id,
                const char *status)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;
  sqlite3 *db = pb_project_get_db (project);

  stmt = pb_sqlite_prepare (db, "UPDATE runs SET status = ?2 WHERE run_id = ?1", NULL);
  if (stmt == NULL)
    return;
  sqlite3_bind_int64 (stmt, 1, run_id);
  sqlite3_bind_text (stmt, 2, status, -1, SQLITE_STATIC);
  if (sqlite3_step (stmt) != SQLITE_DONE)
    g_warning ("Could not mark run %" G_GINT64_FORMAT " as %s", run_id, status);
}

static gboolean
due (guint epoch,
     guint every,
     guint last)
{
  return epoch == last || (every > 0 && epoch % every == 0);
}

/* Trains from the trainer's epoch to n_epochs, storing as it goes */
static gboolean
run_loop (PbProject      *project,
          PbTrainer      *trainer,
          gint64          run_id,
          PbProgressFunc  progress,
          gpointer        progress_data,
          GCancellable   *cancellable,
          GError        **error)
{
  const PbTrainConfig *c = &trainer->config;

  while (trainer->epoch < c->n_epochs)
    {
      g_autoptr(GTimer) timer = g_timer_new ();
      g_autoptr(GBytes) checkpoint = NULL;
      PbMetrics metrics;
      gboolean evaluated = FALSE;
      double loss_train;
      guint epoch;

      if (!pb_trainer_train_epoch (trainer, &loss_train, progress, progress_data,
                                   cancellable, error))
        return FALSE;
      epoch = trainer->epoch;

      if (due (epoch, c->eval_every, c->n_epochs))
        {
          if (!pb_trainer_evaluate (trainer, &metrics, cancellable, error))
            {
              g_prefix_error (error, "Evaluation after epoch %u: ", epoch);
              return FALSE;
            }
          evaluated = TRUE;
        }

      if (project != NULL)
        {
          EpochRecord rec = {
            .run_id = run_id, .epoch = epoch, .loss_train = loss_train,
            .metrics = evaluated ? &metrics : NULL,
            .seconds = g_timer_elapsed (timer, NULL),
            .finished = epoch == c->n_epochs,
          };

          if (due (epoch, c->checkpoint_every, c->n_epochs))
            {
              g_autoptr(PbSafetensors) st = pb_trainer_save_checkpoint (trainer);

              checkpoint = pb_safetensors_to_bytes (st);
              rec.checkpoint = checkpoint;
            }
          if (!pb_project_run_in_transaction (project, record_epoch_txn, &rec, error))
            return FALSE;
        }

      if (progress != NULL)
        {
          PbTrainProgress p = {
            .epoch = epoch, .n_epochs = c->n_epochs, .step = 0, .loss_train = loss_train,
            .metrics = trainer->have_latest ? &trainer->latest : NULL, .run_id = run_id,
          };
          g_autofree char *msg = NULL;

          if (evaluated)
            msg = g_strdup_printf ("epoch %u/%u, loss %.4f, valid loss %.4f, AUC %.4f",
                                   epoch, c->n_epochs, loss_train, metrics.loss, metrics.auc);
          else
            msg = g_strdup_printf ("epoch %u/%u, loss %.4f", epoch, c->n_epochs, loss_train);
          progress ((double) epoch / c->n_epochs, msg, &p, progress_data);
        }
    }

  return TRUE;
}

/**
 * pb_train_run:
 * @project: (nullable): where to store the run, its per-epoch metrics and
 *   checkpoints; %NULL to train without storing
 * @dataset_name: (nullable): recorded with the run (e.g. the dataset's name
 *   in the project, or "fashion-mnist")
 * @train: the training set
 * @valid: (nullable): the held-out set (`standard` preset)
 * @run_id: (out) (optional): the new run's id
 *
 * Trains a fresh model for @config->n_epochs epochs. Each epoch's metrics and
 * (when due) checkpoint are written in one transaction, so a kill loses at
 * most the epoch in flight and pb_train_resume() continues from the last
 * checkpoint. Progress `details` are a #PbTrainProgress.
 *
 * Returns: %TRUE when all epochs ran; on cancellation %FALSE with
 *   %G_IO_ERROR_CANCELLED and the run marked "cancelled"
 */
gboolean
pb_train_run (PbProject           *project,
              const PbTrainConfig *config,
              const char          *dataset_name,
              const PbDataset     *train,
              const PbDataset     *valid,
              gint64              *run_id,
              PbProgressFunc       progress,
              gpointer             progress_data,
              GCancellable        *cancellable,
              GError             **error)
{
  g_autoptr(PbTrainer) trainer = NULL;
  g_autofree char *json = NULL;
  g_autoptr(GError) local_error = NULL;
  RunInsert ins = { 0 };

  g_return_val_if_fail (project == NULL || PB_IS_PROJECT (project), FALSE);
  g_return_val_if_fail (config != NULL, FALSE);

  trainer = pb_trainer_new (config, train, valid, error);
  if (trainer == NULL)
    return FALSE;

  if (project != NULL)
    {
      json = pb_train_config_to_json (&trainer->config);
      ins.config_json = json;
      ins.protocol = pb_protocol_get_name (trainer->config.model.protocol);
      ins.dataset = dataset_name;
      ins.n_epochs = trainer->config.n_epochs;
      ins.seed = (gint64) trainer->config.seed;
      if (!pb_project_run_in_transaction (project, insert_run_txn, &ins, error))
        return FALSE;
    }
  if (run_id != NULL)
    *run_id = ins.run_id;

  if (!run_loop (project, trainer, ins.run_id, progress, progress_data, cancellable,
                 &local_error))
    {
      if (project != NULL)
        set_run_status (project, ins.run_id,
                        g_error_matches (local_error, G_IO_ERROR, G_IO_ERROR_CANCELLED)
                        ? "cancelled" : "failed");
      g_propagate_error (error, g_steal_pointer (&local_error));
      return FALSE;
    }

  return TRUE;
}

/**
 * pb_train_load_run_config:
 * @config: (out): the run's configuration
 * @dataset_name: (out) (optional) (transfer full) (nullable): what it was trained on
 */
gboolean
pb_train_load_run_config (PbProject      *project,
                          gint64          run_id,
                          PbTrainConfig  *config,
                          char          **dataset_name,
                          GError        **error)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;
  int rc;

  g_return_val_if_fail (PB_IS_PROJECT (project), FALSE);

  stmt = pb_sqlite_prepare (pb_project_get_db (project),
                            "SELECT hyperparameters, dataset FROM runs WHERE run_id = ?1", error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, run_id);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_DONE)
    {
      g_set_error (error, PB_ENGINE_ERROR, PB_ENGINE_ERROR_NOT_FOUND,
                   "The project has no training run %" G_GINT64_FORMAT, run_id);
      return FALSE;
    }
  if (!pb_sqlite_check (pb_project_get_db (project), rc, "reading a run", error))
    return FALSE;

  if (!pb_train_config_from_json ((const char *) sqlite3_column_text (stmt, 0), config, error))
    return FALSE;
  if (dataset_name != NULL)
    *dataset_name = g_strdup ((const char *) sqlite3_column_text (stmt, 1));

  return TRUE;
}

/**
 * pb_train_load_checkpoint:
 * @epoch: the checkpoint's epoch, or -1 for the latest
 *
 * Returns: (transfer full) (nullable): the checkpoint; %NULL with
 *   %PB_ENGINE_ERROR_NOT_FOUND when there is none
 */
PbSafetensors *
pb_train_load_checkpoint (PbProject  *project,
                          gint64      run_id,
                          gint        epoch,
                          GError    **error)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;
  PbSafetensors *st;
  int rc;

  g_return_val_if_fail (PB_IS_PROJECT (project), NULL);

  stmt = pb_sqlite_prepare (pb_project_get_db (project),
                            epoch < 0
                            ? "SELECT state, epoch FROM checkpoints WHERE run_id = ?1 "
                              "ORDER BY epoch DESC LIMIT 1"
                            : "SELECT state, epoch FROM checkpoints WHERE run_id = ?1 "
                              "AND epoch = ?2", error);
  if (stmt == NULL)
    return NULL;
  sqlite3_bind_int64 (stmt, 1, run_id);
  if (epoch >= 0)
    sqlite3_bind_int64 (stmt, 2, epoch);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_DONE)
    {
      if (epoch < 0)
        g_set_error (error, PB_ENGINE_ERROR, PB_ENGINE_ERROR_NOT_FOUND,
                     "Run %" G_GINT64_FORMAT " has no checkpoint", run_id);
      else
        g_set_error (error, PB_ENGINE_ERROR, PB_ENGINE_ERROR_NOT_FOUND,
                     "Run %" G_GINT64_FORMAT " has no checkpoint at epoch %d", run_id, epoch);
      return NULL;
    }
  if (!pb_sqlite_check (pb_project_get_db (project), rc, "reading a checkpoint", error))
    return NULL;

  st = pb_safetensors_new_from_data (sqlite3_column_blob (stmt, 0),
                                     (gsize) sqlite3_column_bytes (stmt, 0), error);
  if (st == NULL)
    g_prefix_error (error, "Checkpoint of run %" G_GINT64_FORMAT ", epoch %d: ", run_id,
                    sqlite3_column_int (stmt, 1));
  return st;
}

typedef struct
{
  gint64 run_id;
  guint  epoch;
  guint  n_epochs;
} Rewind;

static gboolean
rewind_txn (sqlite3  *db,
            gpointer  user_data,
            GError  **error)
{
  Rewind *r = user_data;
  g_autoptr(sqlite3_stmt) del = NULL;
  g_autoptr(sqlite3_stmt) del_ckpt = NULL;
  g_autoptr(sqlite3_stmt) upd = NULL;

  del = pb_sqlite_prepare (db, "DELETE FROM epoch_metrics WHERE run_id = ?1 AND epoch > ?2",
                           error);
  del_ckpt = pb_sqlite_prepare (db, "DELETE FROM checkpoints WHERE run_id = ?1 AND epoch > ?2",
                                error);
  upd = pb_sqlite_prepare (db, "UPDATE runs SET status = 'running', epochs_done = ?2, "
                               "n_epochs = ?3, hyperparameters = json_set (hyperparameters, "
                               "'$.n_epochs', ?3) WHERE run_id = ?1", error);
  if (del == NULL || del_ckpt == NULL || upd == NULL)
    return FALSE;
  sqlite3_bind_int64 (del, 1, r->run_id);
  sqlite3_bind_int64 (del, 2, r->epoch);
  sqlite3_bind_int64 (del_ckpt, 1, r->run_id);
  sqlite3_bind_int64 (del_ckpt, 2, r->epoch);
  sqlite3_bind_int64 (upd, 1, r->run_id);
  sqlite3_bind_int64 (upd, 2, r->epoch);
  sqlite3_bind_int64 (upd, 3, r->n_epochs);

  return pb_sqlite_check (db, sqlite3_step (del), "rewinding a run", error) &&
         pb_sqlite_check (db, sqlite3_step (del_ckpt), "rewinding a run", error) &&
         pb_sqlite_check (db, sqlite3_step (upd), "rewinding a run", error);
}

/**
 * pb_train_resume:
 * @n_epochs: the new total number of epochs, or 0 to keep the run's
 * @train: the same training set the run started with
 * @valid: (nullable): the same held-out set
 *
 * Continues run @run_id from its latest checkpoint (or from scratch when it
 * has none): metrics of epochs after that checkpoint are dropped and redone.
 * With the same data the result is bit-identical to an uninterrupted run.
 */
gboolean
pb_train_resume (PbProject       *project,
                 gint64           run_id,
                 guint            n_epochs,
                 const PbDataset *train,
                 const PbDataset *valid,
                 PbProgressFunc   progress,
                 gpointer         progress_data,
                 GCancellable    *cancellable,
                 GError         **error)
{
  g_autoptr(PbTrainer) trainer = NULL;
  g_autoptr(PbSafetensors) st = NULL;
  g_autoptr(GError) local_error = NULL;
  PbTrainConfig config;
  Rewind rewind = { run_id, 0, 0 };

  g_return_val_if_fail (PB_IS_PROJECT (project), FALSE);

  if (!pb_train_load_run_config (project, run_id, &config, NULL, error))
    return FALSE;
  if (n_epochs > 0)
    config.n_epochs = n_epochs;

  trainer = pb_trainer_new (&config, train, valid, error);
  if (trainer == NULL)
    return FALSE;

  st = pb_train_load_checkpoint (project, run_id, -1, &local_error);
  if (st == NULL && !g_error_matches (local_error, PB_ENGINE_ERROR, PB_ENGINE_ERROR_NOT_FOUND))
    {
      g_propagate_error (error, g_steal_pointer (&local_error));
      return FALSE;
    }
  if (st != NULL && !pb_trainer_load_checkpoint (trainer, st, error))
    return FALSE;
  if (trainer->epoch > config.n_epochs)
    {
      g_set_error (error, PB_ENGINE_ERROR, PB_ENGINE_ERROR_INVALID_ARGUMENT,
                   "Run %" G_GINT64_FORMAT " already has %u epochs; cannot resume it to %u",
                   run_id, trainer->epoch, config.n_epochs);
      return FALSE;
    }

  rewind.epoch = trainer->epoch;
  rewind.n_epochs = config.n_epochs;
  if (!pb_project_run_in_transaction (project, rewind_txn, &rewind, error))
    return FALSE;

  if (!run_loop (project, trainer, run_id, progress, progress_data, cancellable,
                 &local_error))
    {
      set_run_status (project, run_id,
                      g_error_matches (local_error, G_IO_ERROR, G_IO_ERROR_CANCELLED)
                      ? "cancelled" : "failed");
      g_propagate_error (error, g_steal_pointer (&local_error));
      return FALSE;
    }
  set_run_status (project, run_id, "finished");

  return TRUE;
}

typedef struct
{
  RunInsert  run;
  GBytes    *state;
  const char *name;
} ImportRecord;

static gboolean
import_txn (sqlite3  *db,
            gpointer  user_data,
            GError  **error)
{
  ImportRecord *r = user_data;
  g_autoptr(sqlite3_stmt) upd = NULL;
  g_autoptr(sqlite3_stmt) ckpt = NULL;
  gsize size;
  const void *data = g_bytes_get_data (r->state, &size);

  if (!insert_run_txn (db, &r->run, error))
    return FALSE;

  upd = pb_sqlite_prepare (db, "UPDATE runs SET kind = 'import', name = ?2, status = 'finished' "
                               "WHERE run_id = ?1", error);
  ckpt = pb_sqlite_prepare (db, "INSERT INTO checkpoints (run_id, epoch, state) "
                                "VALUES (?1, 0, ?2)", error);
  if (upd == NULL || ckpt == NULL)
    return FALSE;
  sqlite3_bind_int64 (upd, 1, r->run.run_id);
  sqlite3_bind_text (upd, 2, r->name, -1, SQLITE_STATIC);
  sqlite3_bind_int64 (ckpt, 1, r->run.run_id);
  sqlite3_bind_blob64 (ckpt, 2, data, size, SQLITE_STATIC);

  return pb_sqlite_check (db, sqlite3_step (upd), "storing an imported model", error) &&
         pb_sqlite_check (db, sqlite3_step (ckpt), "storing an imported model", error);
}

/**
 * pb_train_import_model:
 * @model: a model whose weights came from elsewhere (e.g. a PyTorch state_dict)
 * @name: (nullable): a label for the run, e.g. the file it came from
 * @run_id: (out) (optional): the new run
 *
 * Stores @model as a run of kind "import" (status finished, no epochs) with one
 * checkpoint at epoch 0, so it can be evaluated, exported and attacked like a
 * trained run.
 */
gboolean
pb_train_import_model (PbProject   *project,
                       PbModel     *model,
                       const char  *name,
                       gint64      *run_id,
                       GError     **error)
{
  g_autoptr(PbSafetensors) st = pb_safetensors_new ();
  g_autoptr(GBytes) bytes = NULL;
  g_autofree char *json = NULL;
  PbTrainConfig config;
  ImportRecord rec = { { 0 } };

  g_return_val_if_fail (PB_IS_PROJECT (project), FALSE);
  g_return_val_if_fail (model != NULL, FALSE);

  pb_train_config_init (&config);
  config.model = *pb_model_get_config (model);
  config.n_epochs = 1;
  json = pb_train_config_to_json (&config);
  pb_checkpoint_write_weights (model, st);
  pb_safetensors_set_metadata (st, "epoch", "0");
  bytes = pb_safetensors_to_bytes (st);

  rec.run.config_json = json;
  rec.run.protocol = pb_protocol_get_name (config.model.protocol);
  rec.run.dataset = NULL;
  rec.run.n_epochs = 1;
  rec.run.seed = (gint64) config.seed;
  rec.state = bytes;
  rec.name = name;
  if (!pb_project_run_in_transaction (project, import_txn, &rec, error))
    return FALSE;

  if (run_id != NULL)
    *run_id = rec.run.run_id;
  return TRUE;
}
