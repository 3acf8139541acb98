/* pb-cv.c — cross-validation assessment (SPEC §6).
 *
 * The dataset is split once into k stratified, shuffled folds (sklearn
 * StratifiedKFold, seeded with the fold seed, 86420 in the reference). Folds
 * run one after the other; fold f trains a fresh model (the same training
 * seed for every fold, as the reference's torch.manual_seed) on every other
 * fold for n epochs, evaluating and checkpointing every eval_every epochs —
 * on the held-out fold (`standard`) or on a weighted resample of the training
 * fold (`seed`, SPEC §4.4).
 *
 * Each fold is an ordinary training run (pb-train-store.c: `runs`,
 * `epoch_metrics`, `checkpoints`) of kind 'cv'; `cv_runs` holds the CV's
 * settings and the fold of every sequence, `cv_folds` links fold → run. A
 * fold's run also records a tag naming its CV and fold in `runs.dataset`, so
 * that a process killed before the link was written loses nothing: resume
 * finds the run by its tag. Resuming keeps finished folds and continues the
 * fold in flight from its last checkpoint (pb_train_resume), so the result is
 * bit-identical to an uninterrupted CV.
 *
 * Selection (SPEC §6.3): per fold, the checkpoint with the minimum validation
 * loss, the first on ties (pandas `idxmin`); the summary is the mean and the
 * *sample* standard deviation (ddof = 1, pandas `describe()`) across folds.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "pb-cv.h"

#include "pb-error.h"
#include "pb-sampler.h"
#include "pb-tune-objective.h"

#include <json-glib/json-glib.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

/**
 * pb_cv_config_init:
 *
 * The reference's CV settings (SPEC §6.1): 5 folds seeded with 86420, 1000
 * epochs per fold, evaluation and checkpoint every 10 epochs; the
 * hyperparameters of the seed's best trial (pb_train_config_init(), SPEC
 * §5.4), training seed 12345678, protocol `standard`.
 */
void
pb_cv_config_init (PbCvConfig *config)
{
  g_return_if_fail (config != NULL);

  memset (config, 0, sizeof *config);
  pb_train_config_init (&config->train);
  config->train.n_epochs = 1000;
  config->train.eval_every = 10;
  config->train.checkpoint_every = 10;
  config->n_folds = 5;
  config->fold_seed = 86420;
}

/**
 * pb_cv_config_validate:
 *
 * Checks what can be checked without the data: k ≥ 2, epochs ≥ 1, the
 * training and model settings.
 */
gboolean
pb_cv_config_validate (const PbCvConfig  *config,
                       GError           **error)
{
  PbModelConfig check;

  g_return_val_if_fail (config != NULL, FALSE);

  if (config->n_folds < 2)
    {
      g_set_error (error, PB_ENGINE_ERROR, PB_ENGINE_ERROR_INVALID_ARGUMENT,
                   "Cross-validation needs at least 2 folds (got %u)", config->n_folds);
      return FALSE;
    }
  if (config->fold_seed > G_MAXINT64)
    {
      g_set_error (error, PB_ENGINE_ERROR, PB_ENGINE_ERROR_INVALID_ARGUMENT,
                   "The fold seed must be below 2^63");
      return FALSE;
    }
  if (!pb_train_config_validate (&config->train, error))
    return FALSE;

  check = config->train.model;
  if (check.n_features == 0)
    check.n_features = 1;
  if (check.n_classes == 0)
    check.n_classes = 2;
  return pb_model_config_validate (&check, error);
}

/* Hyperparameters (SPEC §5.1 names) */

static gboolean
get_int_member (JsonNode     *node,
                const char   *name,
                gint64        low,
                gint64        high,
                gint64       *out,
                GError      **error)
{
  double v;

  if (!JSON_NODE_HOLDS_VALUE (node) ||
      (json_node_get_value_type (node) != G_TYPE_INT64 &&
       json_node_get_value_type (node) != G_TYPE_DOUBLE))
    {
      g_set_error (error, PB_ENGINE_ERROR, PB_ENGINE_ERROR_INVALID_ARGUMENT,
                   "Parameter %s must be an integer", name);
      return FALSE;
    }
  v = json_node_get_double (node);
  if (v != floor (v) || v < low || v > high)
    {
      g_set_error (error, PB_ENGINE_ERROR, PB_ENGINE_ERROR_INVALID_ARGUMENT,
                   "Parameter %s = %g must be an integer in %" G_GINT64_FORMAT "…%"
                   G_GINT64_FORMAT, name, v, low, high);
      return FALSE;
    }
  *out = (gint64) v;
  return TRUE;
}

static gboolean
get_double_member (JsonNode    *node,
                   const char  *name,
                   double      *out,
                   GError     **error)
{
  if (!JSON_NODE_HOLDS_VALUE (node) ||
      (json_node_get_value_type (node) != G_TYPE_INT64 &&
       json_node_get_value_type (node) != G_TYPE_DOUBLE))
    {
      g_set_error (error, PB_ENGINE_ERROR, PB_ENGINE_ERROR_INVALID_ARGUMENT,
                   "Parameter %s must be a number", name);
      return FALSE;
    }
  *out = json_node_get_double (node);
  return TRUE;
}

static const char *
get_string_member (JsonNode    *node,
                   const char  *name,
                   GError     **error)
{
  if (!JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_STRING)
    {
      g_set_error (error, PB_ENGINE_ERROR, PB_ENGINE_ERROR_INVALID_ARGUMENT,
                   "Parameter %s must be a string", name);
      return NULL;
    }
  return json_node_get_string (node);
}

static const char * const known_params[] = {
  "log_lstm_hidden_size", "lstm_act_name", "dropout", "log_fc_hidden_size", "fc_act_name",
  "optimizer_name", "learning_rate", "log_batch_size", NULL
};

/**
 * pb_cv_config_set_params_json:
 * @params_json: a JSON object with Optuna's parameter names and external
 *   values, as `study.best_params` prints them (SPEC §5.1):
 *   `{"log_lstm_hidden_size": 7, "lstm_act_name": "Tanh", "dropout": 0.029,
 *   "log_fc_hidden_size": 4, "fc_act_name": "Tanh", "optimizer_name": "Adam",
 *   "learning_rate": 2.78e-4, "log_batch_size": 5}`
 *
 * Sets the hyperparameters present in @params_json (hidden size 2^log…, the
 * optimiser with torch defaults); the others keep their values. An unknown
 * name or a value of the wrong type is an error and changes nothing.
 */
gboolean
pb_cv_config_set_params_json (PbCvConfig  *config,
                              const char  *params_json,
                              GError     **error)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GList) members = NULL;
  g_autoptr(GError) local_error = NULL;
  PbTrainConfig t;
  JsonObject *o;
  JsonNode *node;
  double lr;

  g_return_val_if_fail (config != NULL && params_json != NULL, FALSE);

  if (!json_parser_load_from_data (parser, params_json, -1, &local_error) ||
      !JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)))
    {
      g_set_error (error, PB_ENGINE_ERROR, PB_ENGINE_ERROR_INVALID_ARGUMENT,
                   "The parameters are not a JSON object%s%s",
                   local_error != NULL ? ": " : "",
                   local_error != NULL ? local_error->message : "");
      return FALSE;
    }
  o = json_node_get_object (json_parser_get_root (parser));
  members = json_object_get_members (o);
  for (GList *l = members; l != NULL; l = l->next)
    if (!g_strv_contains (known_params, l->data))
      {
        g_autofree char *known = g_strjoinv (", ", (char **) known_params);

        g_set_error (error, PB_ENGINE_ERROR, PB_ENGINE_ERROR_INVALID_ARGUMENT,
                     "Unknown parameter “%s” (known: %s)", (const char *) l->data, known);
        return FALSE;
      }

  t = config->train;
  if ((node = json_object_get_member (o, "log_lstm_hidden_size")) != NULL)
    {
      gint64 v;

      if (!get_int_member (node, "log_lstm_hidden_size", 0, 16, &v, error))
        return FALSE;
      t.model.n_hidden = 1u << v;
    }
  if ((node = json_object_get_member (o, "log_fc_hidden_size")) != NULL)
    {
      gint64 v;

      if (!get_int_member (node, "log_fc_hidden_size", 0, 16, &v, error))
        return FALSE;
      t.model.n_fc = 1u << v;
    }
  if ((node = json_object_get_member (o, "log_batch_size")) != NULL)
    {
      gint64 v;

      if (!get_int_member (node, "log_batch_size", 0, 16, &v, error))
        return FALSE;
      t.batch_size = 1u << v;
    }
  if ((node = json_object_get_member (o, "lstm_act_name")) != NULL)
    {
      const char *s = get_string_member (node, "lstm_act_name", error);

      if (s == NULL)
        return FALSE;
      if (!pb_activation_from_name (s, &t.model.act_lstm))
        {
          g_set_error (error, PB_ENGINE_ERROR, PB_ENGINE_ERROR_INVALID_ARGUMENT,
                       "Unknown activation “%s” (known: ReLU, Tanh)", s);
          return FALSE;
        }
    }
  if ((node = json_object_get_member (o, "fc_act_name")) != NULL)
    {
      const char *s = get_string_member (node, "fc_act_name", error);

      if (s == NULL)
        return FALSE;
      if (!pb_activation_from_name (s, &t.model.act_fc))
        {
          g_set_error (error, PB_ENGINE_ERROR, PB_ENGINE_ERROR_INVALID_ARGUMENT,
                       "Unknown activation “%s” (known: ReLU, Tanh)", s);
          return FALSE;
        }
    }
  if ((node = json_object_get_member (o, "dropout")) != NULL &&
      !get_double_member (node, "dropout", &t.model.dropout, error))
    return FALSE;

  lr = t.optim.lr;
  if ((node = json_object_get_member (o, "learning_rate")) != NULL &&
      !get_double_member (node, "learning_rate", &lr, error))
    return FALSE;
  if ((node = json_object_get_member (o, "optimizer_name")) != NULL)
    {
      const char *s = get_string_member (node, "optimizer_name", error);
      PbOptimKind kind;

      if (s == NULL)
        return FALSE;
      if (!pb_optim_kind_from_name (s, &kind))
        {
          g_set_error (error, PB_ENGINE_ERROR, PB_ENGINE_ERROR_INVALID_ARGUMENT,
                       "Unknown optimizer “%s” (known: Adam, RMSprop, SGD)", s);
          return FALSE;
        }
      pb_optim_config_init (&t.optim, kind);
    }
  t.optim.lr = lr;

  {
    PbModelConfig check = t.model;

    check.n_features = MAX (check.n_features, 1);
    check.n_classes = MAX (check.n_classes, 2);
    if (!pb_model_config_validate (&check, error) || !pb_train_config_validate (&t, error))
      return FALSE;
  }

  config->train = t;
  return TRUE;
}

/**
 * pb_cv_config_set_from_study:
 * @storage: where the study lives (the project file or PostgreSQL)
 * @study_name: the tuning study
 * @trial_number: (out) (optional): the number of the trial used
 *
 * Sets the hyperparameters to those of the study's best COMPLETE trial
 * (Optuna's `study.best_params`); everything else in @config (preset, seeds,
 * folds, epochs, cadence) is kept.
 *
 * Returns: %FALSE with %PB_ENGINE_ERROR_NOT_FOUND when the study does not
 *   exist or has no complete trial
 */
gboolean
pb_cv_config_set_from_study (PbCvConfig  *config,
                             PbStorage   *storage,
                             const char  *study_name,
                             int         *trial_number,
                             GError     **error)
{
  g_autoptr(GPtrArray) trials = NULL;
  const PbTrial *best;
  PbStudyDirection direction;
  PbTrainConfig tc;
  gint64 study_id;

  g_return_val_if_fail (config != NULL && storage != NULL && study_name != NULL, FALSE);

  if (!pb_storage_find_study (storage, study_name, &study_id, &direction, error) ||
      (trials = pb_storage_load_trials (storage, study_id, error)) == NULL)
    return FALSE;
  best = pb_trials_find_best (trials, direction);
  if (best == NULL)
    {
      g_set_error (error, PB_ENGINE_ERROR, PB_ENGINE_ERROR_NOT_FOUND,
                   "Study %s has no complete trial to take hyperparameters from", study_name);
      return FALSE;
    }
  if (!pb_tune_trial_to_train_config (best, config->train.model.protocol, config->train.seed,
                                      &tc, error))
    {
      g_prefix_error (error, "Study %s, trial %d: ", study_name, best->number);
      return FALSE;
    }

  config->train.model.n_hidden = tc.model.n_hidden;
  config->train.model.n_fc = tc.model.n_fc;
  config->train.model.act_lstm = tc.model.act_lstm;
  config->train.model.act_fc = tc.model.act_fc;
  config->train.model.dropout = tc.model.dropout;
  config->train.optim = tc.optim;
  config->train.batch_size = tc.batch_size;
  if (trial_number != NULL)
    *trial_number = best->number;

  return TRUE;
}

/* JSON */

/**
 * pb_cv_config_to_json:
 *
 * Returns: (transfer full): `{"folds": k, "fold_seed": s, "train":
 *   {pb_train_config_to_json}}`, the training configuration last and verbatim
 */
char *
pb_cv_config_to_json (const PbCvConfig *config)
{
  g_autofree char *train = pb_train_config_to_json (&config->train);

  return g_strdup_printf ("{\"folds\":%u,\"fold_seed\":%" G_GINT64_FORMAT ",\"train\":%s}",
                          config->n_folds, (gint64) config->fold_seed, train);
}

gboolean
pb_cv_config_from_json (const char  *json,
                        PbCvConfig  *config,
                        GError     **error)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autofree char *train = NULL;
  const char *start;
  const char *end;
  JsonObject *o;
  JsonNode *train_node;
  PbCvConfig c;

  g_return_val_if_fail (json != NULL && config != NULL, FALSE);

  pb_cv_config_init (&c);
  if (!json_parser_load_from_data (parser, json, -1, NULL) ||
      !JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)))
    {
      g_set_error (error, PB_ENGINE_ERROR, PB_ENGINE_ERROR_CORRUPT,
                   "Cross-validation settings are not a JSON object");
      return FALSE;
    }
  o = json_node_get_object (json_parser_get_root (parser));
  train_node = json_object_get_member (o, "train");
  /* The training configuration is taken from the text, not regenerated:
   * json-glib 1.6's generator writes 1e-08 as "1e-08.0", which no parser
   * reads back. pb_cv_config_to_json() writes it last. */
  start = strstr (json, "\"train\":");
  end = strrchr (json, '}');
  if (train_node == NULL || !JSON_NODE_HOLDS_OBJECT (train_node) || start == NULL ||
      end == NULL || end < start)
    {
      g_set_error (error, PB_ENGINE_ERROR, PB_ENGINE_ERROR_CORRUPT,
                   "Cross-validation settings lack the training configuration");
      return FALSE;
    }
  start += strlen ("\"train\":");
  train = g_strndup (start, end - start);
  if (!pb_train_config_from_json (train, &c.train, error))
    return FALSE;
  c.n_folds = json_object_get_int_member_with_default (o, "folds", 0);
  c.fold_seed = (guint64) json_object_get_int_member_with_default (o, "fold_seed", 0);
  if (!pb_cv_config_validate (&c, error))
    return FALSE;

  *config = c;
  return TRUE;
}

/* Folds */

/**
 * pb_cv_make_folds:
 * @fold_of_sample: (out) (array length=dataset->n): the fold each sequence
 *   is held out in
 *
 * sklearn `StratifiedKFold(n_folds, shuffle=True)` with our generator seeded
 * by @fold_seed.
 *
 * Returns: %FALSE with %PB_ENGINE_ERROR_INVALID_ARGUMENT when k < 2 or a
 *   class has fewer than k sequences (some held-out fold would lack it)
 */
gboolean
pb_cv_make_folds (const PbDataset  *dataset,
                  guint             n_folds,
                  guint64           fold_seed,
                  guint            *fold_of_sample,
                  GError          **error)
{
  g_autofree guint *counts = NULL;
  PbRng rng;

  g_return_val_if_fail (dataset != NULL && fold_of_sample != NULL, FALSE);

  if (!pb_dataset_validate (dataset, error))
    return FALSE;
  if (n_folds < 2)
    {
      g_set_error (error, PB_ENGINE_ERROR, PB_ENGINE_ERROR_INVALID_ARGUMENT,
                   "Cross-validation needs at least 2 folds (got %u)", n_folds);
      return FALSE;
    }
  counts = g_new0 (guint, dataset->n_classes);
  pb_dataset_count_classes (dataset, counts);
  for (guint c = 0; c < dataset->n_classes; c++)
    if (counts[c] < n_folds)
      {
        g_set_error (error, PB_ENGINE_ERROR, PB_ENGINE_ERROR_INVALID_ARGUMENT,
                     "Cannot make %u stratified folds: class %u has only %u sequence%s "
                     "(at most %u folds)", n_folds, c, counts[c], counts[c] == 1 ? "" : "s",
                     counts[c]);
        return FALSE;
      }

  pb_rng_init (&rng, fold_seed);
  return pb_stratified_kfold (dataset->labels, dataset->n, n_folds, TRUE, &rng, fold_of_sample,
                              error);
}

static GBytes *
folds_to_bytes (const guint *fold_of_sample,
                guint        n)
{
  guint8 *b = g_malloc (4 * (gsize) n);

  for (guint i = 0; i < n; i++)
    {
      guint32 v = GUINT32_TO_LE (fold_of_sample[i]);

      memcpy (b + 4 * (gsize) i, &v, 4);
    }
  return g_bytes_new_take (b, 4 * (gsize) n);
}

static guint *
folds_from_blob (const void *blob,
                 gsize       size,
                 guint       n,
                 guint       n_folds)
{
  g_autofree guint *out = NULL;

  if (blob == NULL || size != 4 * (gsize) n)
    return NULL;
  out = g_new (guint, MAX (n, 1));
  for (guint i = 0; i < n; i++)
    {
      guint32 v;

      memcpy (&v, (const guint8 *) blob + 4 * (gsize) i, 4);
      out[i] = GUINT32_FROM_LE (v);
      if (out[i] >= n_folds)
        return NULL;
    }
  return g_steal_pointer (&out);
}

static char *
fold_tag (gint64 cv_id,
          guint  fold)
{
  return g_strdup_printf ("{\"cv\":%" G_GINT64_FORMAT ",\"fold\":%u}", cv_id, fold);
}

/* Store */

typedef struct
{
  gint64      cv_id;
  const char *dataset;
  const char *protocol;
  const char *config_json;
  const char *source;
  guint       n_folds;
  guint       n_samples;
  GBytes     *folds;
} CvInsert;

static gboolean
insert_cv_txn (sqlite3  *db,
               gpointer  user_data,
               GError  **error)
{
  CvInsert *r = user_data;
  g_autoptr(sqlite3_stmt) stmt = NULL;
  gsize size;
  const void *data = g_bytes_get_data (r->folds, &size);

  stmt = pb_sqlite_prepare (db, "INSERT INTO cv_runs (dataset, protocol, config, source, n_folds, "
                                "n_samples, fold_of_sample) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
                            error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_text (stmt, 1, r->dataset, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 2, r->protocol, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 3, r->config_json, -1, SQLITE_STATIC);
  if (r->source != NULL)
    sqlite3_bind_text (stmt, 4, r->source, -1, SQLITE_STATIC);
  else
    sqlite3_bind_null (stmt, 4);
  sqlite3_bind_int64 (stmt, 5, r->n_folds);
  sqlite3_bind_int64 (stmt, 6, r->n_samples);
  sqlite3_bind_blob64 (stmt, 7, data, size, SQLITE_STATIC);
  if (!pb_sqlite_check (db, sqlite3_step (stmt), "recording a cross-validation", error))
    return FALSE;

  r->cv_id = sqlite3_last_insert_rowid (db);
  return TRUE;
}

typedef struct
{
  gint64 cv_id;
  guint  fold;
  gint64 run_id;
} FoldLink;

static gboolean
link_fold_txn (sqlite3  *db,
               gpointer  user_data,
               GError  **error)
{
  FoldLink *l = user_data;
  g_autoptr(sqlite3_stmt) ins = NULL;
  g_autoptr(sqlite3_stmt) upd = NULL;
  g_autofree char *name = g_strdup_printf ("cv %" G_GINT64_FORMAT " fold %u", l->cv_id, l->fold);

  ins = pb_sqlite_prepare (db, "INSERT OR REPLACE INTO cv_folds (cv_id, fold, run_id) "
                               "VALUES (?1, ?2, ?3)", error);
  upd = pb_sqlite_prepare (db, "UPDATE runs SET kind = 'cv', fold = ?2, name = ?3 "
                               "WHERE run_id = ?1", error);
  if (ins == NULL || upd == NULL)
    return FALSE;
  sqlite3_bind_int64 (ins, 1, l->cv_id);
  sqlite3_bind_int64 (ins, 2, l->fold);
  sqlite3_bind_int64 (ins, 3, l->run_id);
  sqlite3_bind_int64 (upd, 1, l->run_id);
  sqlite3_bind_int64 (upd, 2, l->fold);
  sqlite3_bind_text (upd, 3, name, -1, SQLITE_STATIC);

  return pb_sqlite_check (db, sqlite3_step (ins), "linking a fold to its run", error) &&
         pb_sqlite_check (db, sqlite3_step (upd), "linking a fold to its run", error);
}

static void
set_cv_status (PbProject  *project,
               gint64      cv_id,
               const char *status)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;

  stmt = pb_sqlite_prepare (pb_project_get_db (project),
                            "UPDATE cv_runs SET status = ?2 WHERE cv_id = ?1", NULL);
  if (stmt == NULL)
    return;
  sqlite3_bind_int64 (stmt, 1, cv_id);
  sqlite3_bind_text (stmt, 2, status, -1, SQLITE_STATIC);
  if (sqlite3_step (stmt) != SQLITE_DONE)
    g_warning ("Could not mark cross-validation %" G_GINT64_FORMAT " as %s", cv_id, status);
}

/* The fold's run: the linked one, else the one carrying the fold's tag (a
 * process killed before linking), else 0 */
static gboolean
find_fold_run (sqlite3  *db,
               gint64    cv_id,
               guint     fold,
               gint64   *run_id,
               GError  **error)
{
  g_autoptr(sqlite3_stmt) link = NULL;
  g_autoptr(sqlite3_stmt) tagged = NULL;
  g_autofree char *tag = fold_tag (cv_id, fold);
  int rc;

  *run_id = 0;
  link = pb_sqlite_prepare (db, "SELECT run_id FROM cv_folds WHERE cv_id = ?1 AND fold = ?2",
                            error);
  if (link == NULL)
    return FALSE;
  sqlite3_bind_int64 (link, 1, cv_id);
  sqlite3_bind_int64 (link, 2, fold);
  rc = sqlite3_step (link);
  if (rc == SQLITE_ROW)
    {
      *run_id = sqlite3_column_int64 (link, 0);
      return TRUE;
    }
  if (!pb_sqlite_check (db, rc, "reading a fold", error))
    return FALSE;

  tagged = pb_sqlite_prepare (db, "SELECT run_id FROM runs WHERE dataset = ?1 "
                                  "ORDER BY run_id DESC LIMIT 1", error);
  if (tagged == NULL)
    return FALSE;
  sqlite3_bind_text (tagged, 1, tag, -1, SQLITE_STATIC);
  rc = sqlite3_step (tagged);
  if (rc == SQLITE_ROW)
    {
      *run_id = sqlite3_column_int64 (tagged, 0);
      return TRUE;
    }
  return pb_sqlite_check (db, rc, "reading a fold", error);
}

static gboolean
read_run_state (sqlite3  *db,
                gint64    run_id,
                char    **status,
                guint    *epochs_done,
                guint    *n_epochs,
                GError  **error)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;
  int rc;

  stmt = pb_sqlite_prepare (db, "SELECT status, epochs_done, n_epochs FROM runs "
                                "WHERE run_id = ?1", error);
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
  if (!pb_sqlite_check (db, rc, "reading a run", error))
    return FALSE;
  if (status != NULL)
    *status = g_strdup ((const char *) sqlite3_column_text (stmt, 0));
  if (epochs_done != NULL)
    *epochs_done = (guint) sqlite3_column_int64 (stmt, 1);
  if (n_epochs != NULL)
    *n_epochs = (guint) sqlite3_column_int64 (stmt, 2);
  return TRUE;
}

/* Running */

typedef struct
{
  PbProject      *project;
  const PbCvConfig *config;
  gint64          cv_id;
  guint           fold;
  gint64          run_id;
  gboolean        linked;
  PbProgressFunc  progress;
  gpointer        progress_data;
} FoldRun;

static void
link_fold (FoldRun *fr,
           gint64   run_id)
{
  g_autoptr(GError) error = NULL;
  FoldLink link = { fr->cv_id, fr->fold, run_id };

  if (fr->linked || run_id <= 0)
    return;
  fr->run_id = run_id;
  /* on failure the tag still finds the run on resume and load */
  if (pb_project_run_in_transaction (fr->project, link_fold_txn, &link, &error))
    fr->linked = TRUE;
  else
    g_warning ("Cross-validation %" G_GINT64_FORMAT ", fold %u: %s", fr->cv_id, fr->fold,
               error->message);
}

static void
fold_progress_cb (double        fraction,
                  const char   *message,
                  gconstpointer details,
                  gpointer      user_data)
{
  FoldRun *fr = user_data;
  const PbTrainProgress *p = details;
  const PbTrainConfig *tc = &fr->config->train;
  guint k = fr->config->n_folds;
  g_autofree char *msg = NULL;
  PbCvProgress cp = { 0 };

  if (p == NULL)
    return;
  if (p->run_id > 0)
    link_fold (fr, p->run_id);
  if (fr->progress == NULL)
    return;

  cp.cv_id = fr->cv_id;
  cp.fold = fr->fold;
  cp.n_folds = k;
  cp.run_id = fr->run_id;
  cp.epoch = p->epoch;
  cp.n_epochs = p->n_epochs;
  cp.step = p->step;
  cp.n_steps = p->n_steps;
  cp.loss_train = p->loss_train;
  cp.metrics = p->metrics;
  cp.evaluated = p->step == 0 && p->metrics != NULL &&
                 (p->epoch == tc->n_epochs ||
                  (tc->eval_every > 0 && p->epoch % tc->eval_every == 0));
  msg = g_strdup_printf ("fold %u/%u, %s", fr->fold + 1, k, message != NULL ? message : "");
  fr->progress ((fr->fold + CLAMP (fraction, 0.0, 1.0)) / k, msg, &cp, fr->progress_data);
}

static gboolean
run_folds (PbProject        *project,
           gint64            cv_id,
           const PbCvConfig *config,
           const PbDataset  *dataset,
           const guint      *fold_of_sample,
           PbProgressFunc    progress,
           gpointer          progress_data,
           GCancellable     *cancellable,
           GError          **error)
{
  sqlite3 *db = pb_project_get_db (project);

  for (guint f = 0; f < config->n_folds; f++)
    {
      g_autoptr(PbDataset) train = NULL;
      g_autoptr(PbDataset) valid = NULL;
      g_autofree guint *train_idx = NULL;
      g_autofree guint *valid_idx = NULL;
      g_autofree char *status = NULL;
      g_autofree char *tag = NULL;
      FoldRun fr = { project, config, cv_id, f, 0, FALSE, progress, progress_data };
      guint n_train, n_valid, epochs_done = 0, n_epochs = 0;
      gboolean ok;

      if (g_cancellable_set_error_if_cancelled (cancellable, error))
        return FALSE;
      if (!find_fold_run (db, cv_id, f, &fr.run_id, error))
        return FALSE;
      if (fr.run_id > 0)
        {
          if (!read_run_state (db, fr.run_id, &status, &epochs_done, &n_epochs, error))
            return FALSE;
          link_fold (&fr, fr.run_id);
          if (g_str_equal (status, "finished") && epochs_done == config->train.n_epochs)
            continue;
        }

      train_idx = pb_indices_where (fold_of_sample, dataset->n, f, FALSE, &n_train);
      valid_idx = pb_indices_where (fold_of_sample, dataset->n, f, TRUE, &n_valid);
      train = pb_dataset_subset (dataset, train_idx, n_train);
      valid = pb_dataset_subset (dataset, valid_idx, n_valid);

      if (fr.run_id > 0)
        ok = pb_train_resume (project, fr.run_id, 0, train, valid, fold_progress_cb, &fr,
                              cancellable, error);
      else
        {
          gint64 run_id = 0;

          tag = fold_tag (cv_id, f);
          ok = pb_train_run (project, &config->train, tag, train, valid, &run_id,
                             fold_progress_cb, &fr, cancellable, error);
          link_fold (&fr, run_id);
        }
      if (!ok)
        {
          g_prefix_error (error, "Fold %u of %u: ", f + 1, config->n_folds);
          return FALSE;
        }
    }

  return TRUE;
}

static gboolean
run_and_mark (PbProject        *project,
              gint64            cv_id,
              const PbCvConfig *config,
              const PbDataset  *dataset,
              const guint      *fold_of_sample,
              PbProgressFunc    progress,
              gpointer          progress_data,
              GCancellable     *cancellable,
              GError          **error)
{
  g_autoptr(GError) local_error = NULL;

  if (!run_folds (project, cv_id, config, dataset, fold_of_sample, progress, progress_data,
                  cancellable, &local_error))
    {
      set_cv_status (project, cv_id,
                     g_error_matches (local_error, G_IO_ERROR, G_IO_ERROR_CANCELLED)
                     ? "cancelled" : "failed");
      g_propagate_error (error, g_steal_pointer (&local_error));
      return FALSE;
    }
  set_cv_status (project, cv_id, "finished");

  return TRUE;
}

/**
 * pb_cv_run:
 * @project: where the CV, its folds' runs, metrics and checkpoints are stored
 * @config: the settings; @config->train.checkpoint_every is ignored (a
 *   checkpoint is stored at every evaluation)
 * @dataset_name: the project dataset to cross-validate on
 * @source: (nullable): where the hyperparameters came from, recorded
 * @cv_id: (out) (optional): the new CV's id, set as soon as it is stored
 *   (also when the CV then fails or is cancelled: pass it to pb_cv_resume())
 * @progress: (nullable): called with a #PbCvProgress as `details`
 *
 * Runs the k folds one after the other, storing as it goes (one transaction
 * per epoch). On cancellation returns %FALSE with %G_IO_ERROR_CANCELLED and
 * marks the CV "cancelled"; pb_cv_resume() continues it.
 */
gboolean
pb_cv_run (PbProject         *project,
           const PbCvConfig  *config,
           const char        *dataset_name,
           const char        *source,
           gint64            *cv_id,
           PbProgressFunc     progress,
           gpointer           progress_data,
           GCancellable      *cancellable,
           GError           **error)
{
  g_autoptr(PbDataset) dataset = NULL;
  g_autofree guint *fold_of = NULL;
  g_autofree char *json = NULL;
  g_autoptr(GBytes) blob = NULL;
  PbCvConfig c;
  CvInsert ins = { 0 };

  g_return_val_if_fail (PB_IS_PROJECT (project), FALSE);
  g_return_val_if_fail (config != NULL && dataset_name != NULL, FALSE);

  if (cv_id != NULL)
    *cv_id = 0;
  c = *config;
  c.train.checkpoint_every = c.train.eval_every;
  if (!pb_cv_config_validate (&c, error))
    return FALSE;

  dataset = pb_dataset_load (project, dataset_name, error);
  if (dataset == NULL)
    return FALSE;
  if (c.train.model.n_features == 0)
    c.train.model.n_features = dataset->n_features;
  if (c.train.model.n_classes == 0)
    c.train.model.n_classes = dataset->n_classes;
  if (c.train.model.n_features != dataset->n_features ||
      c.train.model.n_classes != dataset->n_classes)
    {
      g_set_error (error, PB_ENGINE_ERROR, PB_ENGINE_ERROR_INVALID_DATA,
                   "Dataset %s has %u features and %u classes; the model expects %u and %u",
                   dataset_name, dataset->n_features, dataset->n_classes,
                   c.train.model.n_features, c.train.model.n_classes);
      return FALSE;
    }

  fold_of = g_new (guint, MAX (dataset->n, 1));
  if (!pb_cv_make_folds (dataset, c.n_folds, c.fold_seed, fold_of, error))
    return FALSE;

  json = pb_cv_config_to_json (&c);
  blob = folds_to_bytes (fold_of, dataset->n);
  ins.dataset = dataset_name;
  ins.protocol = pb_protocol_get_name (c.train.model.protocol);
  ins.config_json = json;
  ins.source = source;
  ins.n_folds = c.n_folds;
  ins.n_samples = dataset->n;
  ins.folds = blob;
  if (!pb_project_run_in_transaction (project, insert_cv_txn, &ins, error))
    return FALSE;
  if (cv_id != NULL)
    *cv_id = ins.cv_id;

  return run_and_mark (project, ins.cv_id, &c, dataset, fold_of, progress, progress_data,
                       cancellable, error);
}

typedef struct
{
  char       *dataset;
  char       *source;
  char       *created_at;
  char       *status;
  PbCvConfig  config;
  guint       n_samples;
  guint      *fold_of_sample;
} CvRow;

static void
cv_row_clear (CvRow *r)
{
  g_clear_pointer (&r->dataset, g_free);
  g_clear_pointer (&r->source, g_free);
  g_clear_pointer (&r->created_at, g_free);
  g_clear_pointer (&r->status, g_free);
  g_clear_pointer (&r->fold_of_sample, g_free);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (CvRow, cv_row_clear)

static gboolean
read_cv_row (PbProject  *project,
             gint64      cv_id,
             CvRow      *row,
             GError    **error)
{
  sqlite3 *db = pb_project_get_db (project);
  g_autoptr(sqlite3_stmt) stmt = NULL;
  int rc;

  stmt = pb_sqlite_prepare (db, "SELECT dataset, source, created_at, status, config, n_folds, "
                                "n_samples, fold_of_sample FROM cv_runs WHERE cv_id = ?1", error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, cv_id);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_DONE)
    {
      g_set_error (error, PB_ENGINE_ERROR, PB_ENGINE_ERROR_NOT_FOUND,
                   "The project has no cross-validation %" G_GINT64_FORMAT, cv_id);
      return FALSE;
    }
  if (!pb_sqlite_check (db, rc, "reading a cross-validation", error))
    return FALSE;

  row->dataset = g_strdup ((const char *) sqlite3_column_text (stmt, 0));
  row->source = g_strdup ((const char *) sqlite3_column_text (stmt, 1));
  row->created_at = g_strdup ((const char *) sqlite3_column_text (stmt, 2));
  row->status = g_strdup ((const char *) sqlite3_column_text (stmt, 3));
  if (!pb_cv_config_from_json ((const char *) sqlite3_column_text (stmt, 4), &row->config,
                               error))
    {
      g_prefix_error (error, "Cross-validation %" G_GINT64_FORMAT ": ", cv_id);
      return FALSE;
    }
  row->n_samples = (guint) sqlite3_column_int64 (stmt, 6);
  row->fold_of_sample = folds_from_blob (sqlite3_column_blob (stmt, 7),
                                         (gsize) sqlite3_column_bytes (stmt, 7),
                                         row->n_samples, row->config.n_folds);
  if (row->fold_of_sample == NULL ||
      (guint) sqlite3_column_int64 (stmt, 5) != row->config.n_folds)
    {
      g_set_error (error, PB_ENGINE_ERROR, PB_ENGINE_ERROR_CORRUPT,
                   "Cross-validation %" G_GINT64_FORMAT " has a damaged fold assignment", cv_id);
      return FALSE;
    }

  return TRUE;
}

/**
 * pb_cv_resume:
 * @cv_id: a CV of the project (running, cancelled, failed or killed)
 *
 * Continues a CV with its stored settings on its dataset (which must not have
 * changed): finished folds are kept, the fold in flight continues from its
 * last checkpoint, the remaining folds run. With the same data the result is
 * bit-identical to an uninterrupted run. Resuming a finished CV does nothing.
 */
gboolean
pb_cv_resume (PbProject      *project,
              gint64          cv_id,
              PbProgressFunc  progress,
              gpointer        progress_data,
              GCancellable   *cancellable,
              GError        **error)
{
  g_auto(CvRow) row = { 0 };
  g_autoptr(PbDataset) dataset = NULL;
  g_autofree guint *fold_of = NULL;

  g_return_val_if_fail (PB_IS_PROJECT (project), FALSE);

  if (!read_cv_row (project, cv_id, &row, error))
    return FALSE;
  dataset = pb_dataset_load (project, row.dataset, error);
  if (dataset == NULL)
    {
      g_prefix_error (error, "Cross-validation %" G_GINT64_FORMAT ": ", cv_id);
      return FALSE;
    }

  fold_of = g_new (guint, MAX (dataset->n, 1));
  if (dataset->n != row.n_samples ||
      !pb_cv_make_folds (dataset, row.config.n_folds, row.config.fold_seed, fold_of, NULL) ||
      memcmp (fold_of, row.fold_of_sample, sizeof (guint) * dataset->n) != 0)
    {
      g_set_error (error, PB_ENGINE_ERROR, PB_ENGINE_ERROR_INVALID_DATA,
                   "Dataset %s has changed since cross-validation %" G_GINT64_FORMAT
                   " started (%u sequences then, %u now, or other labels): it cannot be resumed",
                   row.dataset, cv_id, row.n_samples, dataset->n);
      return FALSE;
    }

  set_cv_status (project, cv_id, "running");
  return run_and_mark (project, cv_id, &row.config, dataset, fold_of, progress, progress_data,
                       cancellable, error);
}

/* Reading back */

/**
 * pb_cv_list:
 *
 * Returns: (transfer full) (element-type gint64): the project's CV ids, oldest
 *   first; %NULL with @error set on a database error
 */
GArray *
pb_cv_list (PbProject  *project,
            GError    **error)
{
  g_autoptr(GArray) ids = g_array_new (FALSE, FALSE, sizeof (gint64));
  g_autoptr(sqlite3_stmt) stmt = NULL;
  sqlite3 *db;
  int rc;

  g_return_val_if_fail (PB_IS_PROJECT (project), NULL);

  db = pb_project_get_db (project);
  stmt = pb_sqlite_prepare (db, "SELECT cv_id FROM cv_runs ORDER BY cv_id", error);
  if (stmt == NULL)
    return NULL;
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      gint64 id = sqlite3_column_int64 (stmt, 0);

      g_array_append_val (ids, id);
    }
  if (!pb_sqlite_check (db, rc, "listing cross-validations", error))
    return NULL;

  return g_steal_pointer (&ids);
}

static double
column_double (sqlite3_stmt *stmt,
               int           i)
{
  return sqlite3_column_type (stmt, i) == SQLITE_NULL ? NAN : sqlite3_column_double (stmt, i);
}

static gboolean
load_fold (sqlite3   *db,
           gint64     cv_id,
           PbCvFold  *fold,
           GError   **error)
{
  g_autoptr(sqlite3_stmt) epochs = NULL;
  g_autoptr(sqlite3_stmt) best = NULL;
  guint n_epochs;
  int rc;

  fold->epochs = g_array_new (FALSE, TRUE, sizeof (PbCvEpoch));
  if (!find_fold_run (db, cv_id, fold->fold, &fold->run_id, error))
    return FALSE;
  if (fold->run_id == 0)
    {
      fold->status = g_strdup ("pending");
      return TRUE;
    }
  if (!read_run_state (db, fold->run_id, &fold->status, &fold->epochs_done, &n_epochs, error))
    return FALSE;

  epochs = pb_sqlite_prepare (db, "SELECT epoch, loss_train, loss_valid, accuracy, auc, "
                                  "precision, recall, f1, n_valid FROM epoch_metrics "
                                  "WHERE run_id = ?1 ORDER BY epoch", error);
  if (epochs == NULL)
    return FALSE;
  sqlite3_bind_int64 (epochs, 1, fold->run_id);
  while ((rc = sqlite3_step (epochs)) == SQLITE_ROW)
    {
      PbCvEpoch e = { 0 };

      e.epoch = (guint) sqlite3_column_int64 (epochs, 0);
      e.loss_train = sqlite3_column_double (epochs, 1);
      e.evaluated = sqlite3_column_type (epochs, 8) != SQLITE_NULL;
      e.metrics.loss = column_double (epochs, 2);
      e.metrics.accuracy = column_double (epochs, 3);
      e.metrics.auc = column_double (epochs, 4);
      e.metrics.precision = column_double (epochs, 5);
      e.metrics.recall = column_double (epochs, 6);
      e.metrics.f1 = column_double (epochs, 7);
      e.metrics.n = e.evaluated ? (guint) sqlite3_column_int64 (epochs, 8) : 0;
      g_array_append_val (fold->epochs, e);
    }
  if (!pb_sqlite_check (db, rc, "reading a fold's metrics", error))
    return FALSE;

  /* the minimum validation loss over the checkpoints, the first on ties;
   * NaN losses are stored as NULL and skipped, as pandas idxmin skips NaN */
  best = pb_sqlite_prepare (db, "SELECT checkpoint_id, epoch FROM checkpoints "
                                "WHERE run_id = ?1 AND loss_valid IS NOT NULL "
                                "ORDER BY loss_valid, epoch LIMIT 1", error);
  if (best == NULL)
    return FALSE;
  sqlite3_bind_int64 (best, 1, fold->run_id);
  rc = sqlite3_step (best);
  if (rc == SQLITE_ROW)
    {
      guint epoch = (guint) sqlite3_column_int64 (best, 1);

      for (guint i = 0; i < fold->epochs->len; i++)
        {
          const PbCvEpoch *e = &g_array_index (fold->epochs, PbCvEpoch, i);

          if (e->epoch == epoch && e->evaluated)
            {
              fold->has_best = TRUE;
              fold->best_epoch = epoch;
              fold->best_checkpoint_id = sqlite3_column_int64 (best, 0);
              fold->best_loss_train = e->loss_train;
              fold->best = e->metrics;
              break;
            }
        }
    }
  else if (!pb_sqlite_check (db, rc, "reading a fold's checkpoints", error))
    return FALSE;

  return TRUE;
}

static PbCvStat
stat_of (const double *v,
         guint         n)
{
  PbCvStat s = { NAN, NAN };
  double sum = 0, ss = 0;

  if (n == 0)
    return s;
  for (guint i = 0; i < n; i++)
    sum += v[i];
  s.mean = sum / n;
  if (n < 2)
    return s;
  for (guint i = 0; i < n; i++)
    ss += (v[i] - s.mean) * (v[i] - s.mean);
  s.std = sqrt (ss / (n - 1));
  return s;
}

/**
 * pb_cv_summarize:
 * @folds: (array length=n_folds): the folds
 * @summary: (out): mean and sample standard deviation (ddof = 1) of each
 *   metric at each summarized fold's best checkpoint
 *
 * Summarizes the folds whose run is "finished" and that have a best
 * checkpoint, in fold order. Means are plain sums / n in double; std is
 * sqrt(Σ(x − mean)² / (n − 1)), pandas' and numpy's `std(ddof=1)`.
 */
void
pb_cv_summarize (const PbCvFold *folds,
                 guint           n_folds,
                 PbCvSummary    *summary)
{
  g_autofree double *v = g_new (double, 7 * (gsize) MAX (n_folds, 1));
  double *lt = v, *lv = v + n_folds, *auc = v + 2 * n_folds, *acc = v + 3 * n_folds;
  double *f1 = v + 4 * n_folds, *pr = v + 5 * n_folds, *re = v + 6 * n_folds;
  guint n = 0;

  g_return_if_fail (summary != NULL);
  g_return_if_fail (n_folds == 0 || folds != NULL);

  for (guint f = 0; f < n_folds; f++)
    {
      const PbCvFold *fold = &folds[f];

      if (!fold->has_best || g_strcmp0 (fold->status, "finished") != 0)
        continue;
      lt[n] = fold->best_loss_train;
      lv[n] = fold->best.loss;
      auc[n] = fold->best.auc;
      acc[n] = fold->best.accuracy;
      f1[n] = fold->best.f1;
      pr[n] = fold->best.precision;
      re[n] = fold->best.recall;
      n++;
    }

  summary->n_folds = n;
  summary->loss_train = stat_of (lt, n);
  summary->loss_valid = stat_of (lv, n);
  summary->auc = stat_of (auc, n);
  summary->accuracy = stat_of (acc, n);
  summary->f1 = stat_of (f1, n);
  summary->precision = stat_of (pr, n);
  summary->recall = stat_of (re, n);
}

/**
 * pb_cv_load:
 * @cv_id: the CV
 *
 * Reads a finished or partial CV back from the project: its settings, the
 * fold of each sequence, every fold's per-epoch metrics and best checkpoint,
 * and the summary over the finished folds. Safe on a second connection while
 * the CV runs in another.
 *
 * Returns: (transfer full): the CV, or %NULL with %PB_ENGINE_ERROR_NOT_FOUND
 *   when the project has no such CV
 */
PbCvResult *
pb_cv_load (PbProject  *project,
            gint64      cv_id,
            GError    **error)
{
  g_auto(CvRow) row = { 0 };
  g_autoptr(PbCvResult) result = NULL;
  sqlite3 *db;

  g_return_val_if_fail (PB_IS_PROJECT (project), NULL);

  db = pb_project_get_db (project);
  if (!pb_sqlite_exec (db, "BEGIN", error))
    return NULL;
  if (!read_cv_row (project, cv_id, &row, error))
    goto fail;

  result = g_new0 (PbCvResult, 1);
  result->cv_id = cv_id;
  result->dataset = g_steal_pointer (&row.dataset);
  result->source = g_steal_pointer (&row.source);
  result->created_at = g_steal_pointer (&row.created_at);
  result->status = g_steal_pointer (&row.status);
  result->config = row.config;
  result->n_samples = row.n_samples;
  result->fold_of_sample = g_steal_pointer (&row.fold_of_sample);
  result->folds = g_new0 (PbCvFold, row.config.n_folds);
  for (guint f = 0; f < row.config.n_folds; f++)
    {
      PbCvFold *fold = &result->folds[f];

      fold->fold = f;
      for (guint i = 0; i < result->n_samples; i++)
        {
          if (result->fold_of_sample[i] == f)
            fold->n_valid++;
          else
            fold->n_train++;
        }
      if (!load_fold (db, cv_id, fold, error))
        goto fail;
    }
  pb_sqlite_exec (db, "COMMIT", NULL);
  pb_cv_summarize (result->folds, row.config.n_folds, &result->summary);

  return g_steal_pointer (&result);

fail:
  pb_sqlite_exec (db, "ROLLBACK", NULL);
  return NULL;
}

void
pb_cv_result_free (PbCvResult *result)
{
  if (result == NULL)
    return;

  for (guint f = 0; result->folds != NULL && f < result->config.n_folds; f++)
    {
      g_free (result->folds[f].status);
      if (result->folds[f].epochs != NULL)
        g_array_unref (result->folds[f].epochs);
    }
  g_free (result->folds);
  g_free (result->fold_of_sample);
  g_free (result->dataset);
  g_free (result->source);
  g_free (result->created_at);
  g_free (result->status);
  g_free (result);
}

/**
 * pb_cv_load_fold_data:
 * @run_id: a training run of the project
 * @is_fold: (out): whether @run_id is a fold of a cross-validation
 * @dataset_name: (out) (optional) (transfer full): the project dataset the CV
 *   ran on
 * @valid: (out) (optional) (transfer full): the fold's held-out sequences
 * @name: (out) (optional) (transfer full): how to name @valid in results,
 *   e.g. "cv 2 fold 3 held-out"
 *
 * The data of a CV fold's model: the CV's dataset, and the fold it held out
 * of it, by the fold assignment stored with the CV. For any other run,
 * *@is_fold is %FALSE and nothing is loaded.
 *
 * Returns: %FALSE with @error set when the run is a fold but its data cannot
 *   be rebuilt (dataset gone or changed)
 */
gboolean
pb_cv_load_fold_data (PbProject  *project,
                      gint64      run_id,
                      gboolean   *is_fold,
                      char      **dataset_name,
                      PbDataset **valid,
                      char      **name,
                      GError    **error)
{
  sqlite3 *db;
  g_autoptr(sqlite3_stmt) stmt = NULL;
  g_auto(CvRow) row = { 0 };
  g_autoptr(PbDataset) dataset = NULL;
  g_autofree guint *indices = NULL;
  gint64 cv_id;
  guint fold;
  guint n_valid;
  int rc;

  g_return_val_if_fail (PB_IS_PROJECT (project), FALSE);
  g_return_val_if_fail (is_fold != NULL, FALSE);

  *is_fold = FALSE;
  db = pb_project_get_db (project);
  stmt = pb_sqlite_prepare (db, "SELECT cv_id, fold FROM cv_folds WHERE run_id = ?1", error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, run_id);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_DONE)
    return TRUE;
  if (!pb_sqlite_check (db, rc, "reading a fold", error))
    return FALSE;
  cv_id = sqlite3_column_int64 (stmt, 0);
  fold = (guint) sqlite3_column_int64 (stmt, 1);
  *is_fold = TRUE;

  if (!read_cv_row (project, cv_id, &row, error))
    return FALSE;
  if (dataset_name != NULL)
    *dataset_name = g_strdup (row.dataset);
  if (valid == NULL && name == NULL)
    return TRUE;

  dataset = pb_dataset_load (project, row.dataset, error);
  if (dataset == NULL)
    {
      g_prefix_error (error, "Cross-validation %" G_GINT64_FORMAT " ran on dataset “%s”: ",
                      cv_id, row.dataset);
      return FALSE;
    }
  if (dataset->n != row.n_samples || fold >= row.config.n_folds)
    {
      g_set_error (error, PB_ENGINE_ERROR, PB_ENGINE_ERROR_INVALID_DATA,
                   "Dataset “%s” has %u sequences now, but cross-validation %" G_GINT64_FORMAT
                   " split %u: its folds cannot be rebuilt", row.dataset, dataset->n, cv_id,
                   row.n_samples);
      return FALSE;
    }

  indices = pb_indices_where (row.fold_of_sample, dataset->n, fold, TRUE, &n_valid);
  if (valid != NULL)
    *valid = pb_dataset_subset (dataset, indices, n_valid);
  if (name != NULL)
    *name = g_strdup_printf ("cv %" G_GINT64_FORMAT " fold %u held-out", cv_id, fold);
  return TRUE;
}

static int
compare_best_loss (gconstpointer a,
                   gconstpointer b)
{
  const PbCvFold *fa = *(const PbCvFold * const *) a;
  const PbCvFold *fb = *(const PbCvFold * const *) b;

  if (fa->best.loss < fb->best.loss)
    return -1;
  if (fa->best.loss > fb->best.loss)
    return 1;
  return (int) fa->fold - (int) fb->fold;
}

/**
 * pb_cv_result_get_target_fold:
 *
 * The reference's attack target (`get_midrange_checkpoint`, SPEC §6.3): the
 * summarized folds sorted by their best validation loss, ascending, and the
 * one at index ⌊n / 2⌋ (the median fold); its best checkpoint is the model to
 * attack.
 *
 * Returns: (transfer none) (nullable): that fold, %NULL when no fold is
 *   summarized yet
 */
const PbCvFold *
pb_cv_result_get_target_fold (const PbCvResult *result)
{
  g_autofree const PbCvFold **sorted = NULL;
  guint n = 0;

  g_return_val_if_fail (result != NULL, NULL);

  sorted = g_new (const PbCvFold *, MAX (result->config.n_folds, 1));
  for (guint f = 0; f < result->config.n_folds; f++)
    if (result->folds[f].has_best && g_strcmp0 (result->folds[f].status, "finished") == 0)
      sorted[n++] = &result->folds[f];
  if (n == 0)
    return NULL;
  qsort (sorted, n, sizeof *sorted, compare_best_loss);
  return sorted[n / 2];
}
