/* pb-attack-run.c — attack runs in the project: create, execute and resume, load.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A run is created with its target model (weights + config), parameters and the
 * list of samples to attack (the correctly classified ones, SPEC.md §7.2). Each
 * finished batch is written in one transaction together with the count of
 * finished batches, so a killed run loses at most the batch in flight and
 * pb_attack_run_execute() resumes at the next unfinished batch.
 */

#include "config.h"

#include "pb-attack.h"

#include "pb-checkpoint.h"
#include "pb-error.h"
#include "pb-rng.h"

#include <json-glib/json-glib.h>
#include <math.h>
#include <string.h>

/* ---- results in memory ---------------------------------------------------- */

/**
 * pb_attack_result_new:
 * @n: attacked samples
 * @max_len: T
 * @n_features: F
 *
 * An empty result (nothing found, lengths T, labels 0) to fill by hand, e.g.
 * with pb_attack_result_set_example(); the analyses take it like a loaded one.
 *
 * Returns: (transfer full): a result
 */
PbAttackResult *
pb_attack_result_new (guint n,
                      guint max_len,
                      guint n_features)
{
  PbAttackResult *r = g_new0 (PbAttackResult, 1);

  pb_attack_params_init (&r->params);
  r->n = n;
  r->n_done = n;
  r->n_candidates = n;
  r->max_len = max_len;
  r->n_features = n_features;
  r->dataset_index = g_new0 (guint, n);
  r->sample_ids = g_new0 (gint64, n);
  r->lengths = g_new0 (guint, n);
  r->labels = g_new0 (gint, n);
  r->iterations_run = g_new0 (guint, n);
  for (guint i = 0; i < n; i++)
    {
      r->dataset_index[i] = i;
      r->sample_ids[i] = i;
      r->lengths[i] = max_len;
    }
  for (guint k = 0; k < PB_ATTACK_N_EXAMPLES; k++)
    {
      r->examples[k] = g_new0 (PbAttackExampleData, n);
      for (guint i = 0; i < n; i++)
        {
          r->examples[k][i].iteration = -1;
          r->examples[k][i].loss = INFINITY;
        }
    }
  return r;
}

void
pb_attack_result_free (PbAttackResult *result)
{
  if (result == NULL)
    return;
  for (guint k = 0; k < PB_ATTACK_N_EXAMPLES; k++)
    {
      if (result->examples[k] != NULL)
        for (guint i = 0; i < result->n; i++)
          {
            g_free (result->examples[k][i].index);
            g_free (result->examples[k][i].value);
          }
      g_free (result->examples[k]);
    }
  g_free (result->dataset_index);
  g_free (result->sample_ids);
  g_free (result->lengths);
  g_free (result->labels);
  g_free (result->iterations_run);
  g_strfreev (result->feature_names);
  g_free (result);
}

/**
 * pb_attack_result_set_example:
 * @result: a result
 * @kind: first or best
 * @i: sample
 * @iteration: −1 for none
 * @loss: its loss
 * @pert: (nullable): (T, F) the perturbation; only its non-zero entries at
 *   steps < lengths[i] are kept
 */
void
pb_attack_result_set_example (PbAttackResult  *result,
                              PbAttackExample  kind,
                              guint            i,
                              gint             iteration,
                              double           loss,
                              const float     *pert)
{
  PbAttackExampleData *e;
  gsize n_cells;
  guint n = 0;

  g_return_if_fail (result != NULL && kind < PB_ATTACK_N_EXAMPLES && i < result->n);

  e = &result->examples[kind][i];
  g_clear_pointer (&e->index, g_free);
  g_clear_pointer (&e->value, g_free);
  e->iteration = iteration;
  e->loss = iteration >= 0 ? loss : INFINITY;
  e->n_nonzero = 0;
  if (pert == NULL || iteration < 0)
    return;

  n_cells = (gsize) result->lengths[i] * result->n_features;
  for (gsize k = 0; k < n_cells; k++)
    n += pert[k] != 0.0f;
  e->index = g_new (guint, MAX (n, 1));
  e->value = g_new (float, MAX (n, 1));
  for (gsize k = 0; k < n_cells; k++)
    if (pert[k] != 0.0f)
      {
        e->index[e->n_nonzero] = k;
        e->value[e->n_nonzero++] = pert[k];
      }
}

/**
 * pb_attack_result_get_dense:
 * @result: a result
 * @kind: first or best
 * @i: sample
 * @pert: (out): (T, F) the perturbation, zeros where none
 */
void
pb_attack_result_get_dense (const PbAttackResult *result,
                            PbAttackExample       kind,
                            guint                 i,
                            float                *pert)
{
  const PbAttackExampleData *e = &result->examples[kind][i];

  memset (pert, 0, sizeof (float) * result->max_len * result->n_features);
  for (guint k = 0; k < e->n_nonzero; k++)
    pert[e->index[k]] = e->value[k];
}

/* ---- creating a run ------------------------------------------------------- */

typedef struct
{
  gint64          dataset_id;
  gint64          checkpoint_id;
  const char     *params_json;
  const char     *config_json;
  GBytes         *weights;
  const PbDataset *dataset;
  guint           n_candidates;
  GArray         *selected;
  guint           n_batches;
  gint64          run_id;
} CreateData;

static gboolean
create_in_txn (sqlite3   *db,
               gpointer   user_data,
               GError   **error)
{
  CreateData *d = user_data;
  g_autoptr(sqlite3_stmt) run = NULL;
  g_autoptr(sqlite3_stmt) sample = NULL;
  gsize size;
  gconstpointer data = g_bytes_get_data (d->weights, &size);

  run = pb_sqlite_prepare (db,
                           "INSERT INTO attack_runs (dataset_id, checkpoint_id, params, "
                           "model_config, weights, status, n_candidates, n_attacked, n_batches, "
                           "finished_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, "
                           "CASE WHEN ?9 = 0 THEN strftime('%Y-%m-%dT%H:%M:%fZ', 'now') END)",
                           error);
  if (run == NULL)
    return FALSE;
  sqlite3_bind_int64 (run, 1, d->dataset_id);
  if (d->checkpoint_id > 0)
    sqlite3_bind_int64 (run, 2, d->checkpoint_id);
  sqlite3_bind_text (run, 3, d->params_json, -1, SQLITE_STATIC);
  sqlite3_bind_text (run, 4, d->config_json, -1, SQLITE_STATIC);
  sqlite3_bind_blob64 (run, 5, data, size, SQLITE_STATIC);
  sqlite3_bind_text (run, 6, d->n_batches == 0 ? "complete" : "running", -1, SQLITE_STATIC);
  sqlite3_bind_int64 (run, 7, d->n_candidates);
  sqlite3_bind_int64 (run, 8, d->selected->len);
  sqlite3_bind_int64 (run, 9, d->n_batches);
  if (!pb_sqlite_check (db, sqlite3_step (run), "insert attack run", error))
    return FALSE;
  d->run_id = sqlite3_last_insert_rowid (db);

  sample = pb_sqlite_prepare (db,
                              "INSERT INTO attack_samples (attack_run_id, idx, dataset_index, "
                              "sample_id, length, label) VALUES (?1, ?2, ?3, ?4, ?5, ?6)", error);
  if (sample == NULL)
    return FALSE;
  for (guint i = 0; i < d->selected->len; i++)
    {
      guint row = g_array_index (d->selected, guint, i);

      sqlite3_reset (sample);
      sqlite3_bind_int64 (sample, 1, d->run_id);
      sqlite3_bind_int64 (sample, 2, i);
      sqlite3_bind_int64 (sample, 3, row);
      sqlite3_bind_int64 (sample, 4, d->dataset->sample_ids[row]);
      sqlite3_bind_int64 (sample, 5, d->dataset->lengths[row]);
      sqlite3_bind_int64 (sample, 6, d->dataset->labels[row]);
      if (!pb_sqlite_check (db, sqlite3_step (sample), "insert attack sample", error))
        return FALSE;
    }
  return TRUE;
}

static gint64
lookup_dataset_id (sqlite3     *db,
                   const char  *name,
                   GError     **error)
{
  g_autoptr(sqlite3_stmt) st = pb_sqlite_prepare (db, "SELECT dataset_id FROM datasets "
                                                  "WHERE name = ?1", error);

  if (st == NULL)
    return 0;
  sqlite3_bind_text (st, 1, name, -1, SQLITE_STATIC);
  if (sqlite3_step (st) != SQLITE_ROW)
    {
      g_set_error (error, PB_ENGINE_ERROR, PB_ENGINE_ERROR_NOT_FOUND,
                   "The project has no dataset “%s”", name);
      return 0;
    }
  return sqlite3_column_int64 (st, 0);
}

static int
compare_guint (gconstpointer a,
               gconstpointer b)
{
  guint x = *(const guint *) a, y = *(const guint *) b;

  return x < y ? -1 : x > y;
}

/**
 * pb_attack_run_create:
 * @project: a project
 * @dataset_name: the dataset to attack
 * @model: the target model; its weights and configuration are stored with the run
 * @checkpoint_id: the stored checkpoint the weights came from, or 0
 * @params: the attack's parameters
 * @cancellable: (nullable): a #GCancellable
 * @error: return location for a #GError
 *
 * Draws the candidates (params->max_samples, seeded), keeps those @model
 * classifies correctly and records them as the run's samples. Nothing is
 * attacked yet: call pb_attack_run_execute(). When no candidate is classified
 * correctly the run is created empty and complete.
 *
 * Returns: the new run's id, or 0 with @error set
 */
gint64
pb_attack_run_create (PbProject             *project,
                      const char            *dataset_name,
                      PbModel               *model,
                      gint64                 checkpoint_id,
                      const PbAttackParams  *params,
                      GCancellable          *cancellable,
                      GError               **error)
{
  g_autoptr(PbDataset) dataset = NULL;
  g_autoptr(GArray) selected = g_array_new (FALSE, FALSE, sizeof (guint));
  g_autofree guint *candidates = NULL;
  g_autofree char *params_json = NULL;
  g_autofree char *config_json = NULL;
  g_autoptr(GBytes) weights = NULL;
  CreateData d = { 0 };
  guint n_candidates;

  g_return_val_if_fail (PB_IS_PROJECT (project), 0);
  g_return_val_if_fail (dataset_name != NULL && model != NULL && params != NULL, 0);

  if (!pb_attack_params_validate (params, error))
    return 0;
  dataset = pb_dataset_load (project, dataset_name, error);
  if (dataset == NULL)
    return 0;
  if (dataset->n == 0)
    {
      g_set_error (error, PB_ENGINE_ERROR, PB_ENGINE_ERROR_INVALID_ARGUMENT,
                   "Dataset “%s” has no samples to attack", dataset_name);
      return 0;
    }

  n_candidates = params->max_samples > 0 ? MIN (params->max_samples, dataset->n) : dataset->n;
  candidates = g_new (guint, dataset->n);
  for (guint i = 0; i < dataset->n; i++)
    candidates[i] = i;
  if (n_candidates < dataset->n)
    {
      PbRng rng;

      pb_rng_init (&rng, params->sample_seed);
      for (guint i = 0; i < n_candidates; i++)
        {
          guint j = i + pb_rng_uniform_int (&rng, dataset->n - i);
          guint tmp = candidates[i];

          candidates[i] = candidates[j];
          candidates[j] = tmp;
        }
      qsort (candidates, n_candidates, sizeof (guint), compare_guint);
    }

  if (!pb_attack_select_correct (model, dataset, candidates, n_candidates, selected,
                                 cancellable, error))
    return 0;

  d.dataset_id = lookup_dataset_id (pb_project_get_db (project), dataset_name, error);
  if (d.dataset_id == 0)
    return 0;
  params_json = pb_attack_params_to_json (params);
  config_json = pb_model_config_to_json (pb_model_get_config (model));
  weights = pb_attack_model_to_bytes (model);
  d.checkpoint_id = checkpoint_id;
  d.params_json = params_json;
  d.config_json = config_json;
  d.weights = weights;
  d.dataset = dataset;
  d.n_candidates = n_candidates;
  d.selected = selected;
  d.n_batches = (selected->len + params->batch_size - 1) / params->batch_size;

  if (!pb_project_run_in_transaction (project, create_in_txn, &d, error))
    return 0;
  return d.run_id;
}

/* ---- executing a run ------------------------------------------------------ */

typedef struct
{
  gint64      run_id;
  guint       first;        /* first attacked-sample index of the batch */
  guint       batch;
  guint       iterations;
  guint       max_len;
  guint       n_features;
  const guint *lengths;
  PbAttacker *attacker;
  GBytes     *optim_state;  /* nullable */
  double      elapsed;
  gboolean    last;
} BatchData;

static gboolean
store_batch_in_txn (sqlite3   *db,
                    gpointer   user_data,
                    GError   **error)
{
  BatchData *d = user_data;
  const guint T = d->max_len, F = d->n_features;
  g_autoptr(sqlite3_stmt) upd = NULL;
  g_autoptr(sqlite3_stmt) ins = NULL;
  g_autoptr(sqlite3_stmt) run = NULL;
  g_autofree guint32 *idx = g_new (guint32, (gsize) T * F);
  g_autofree float *val = g_new (float, (gsize) T * F);

  upd = pb_sqlite_prepare (db,
                           "UPDATE attack_samples SET iterations = ?3, first_iteration = ?4, "
                           "first_loss = ?5, best_iteration = ?6, best_loss = ?7 "
                           "WHERE attack_run_id = ?1 AND idx = ?2", error);
  ins = pb_sqlite_prepare (db,
                           "INSERT OR REPLACE INTO attack_perturbations (attack_run_id, idx, "
                           "kind, n_nonzero, indices, vals) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                           error);
  run = pb_sqlite_prepare (db,
                           "UPDATE attack_runs SET n_batches_done = n_batches_done + 1, "
                           "optim_state = ?2, elapsed_s = elapsed_s + ?3, "
                           "status = CASE WHEN ?4 THEN 'complete' ELSE status END, "
                           "finished_at = CASE WHEN ?4 THEN "
                           "strftime('%Y-%m-%dT%H:%M:%fZ', 'now') END "
                           "WHERE attack_run_id = ?1", error);
  if (upd == NULL || ins == NULL || run == NULL)
    return FALSE;

  for (guint b = 0; b < d->batch; b++)
    {
      sqlite3_reset (upd);
      sqlite3_bind_int64 (upd, 1, d->run_id);
      sqlite3_bind_int64 (upd, 2, d->first + b);
      sqlite3_bind_int64 (upd, 3, d->iterations);
      for (guint k = 0; k < PB_ATTACK_N_EXAMPLES; k++)
        {
          const PbAttackRecord *rec = pb_attacker_get_record (d->attacker, k);
          const float *p = rec->pert + (gsize) b * T * F;
          guint n = 0;

          if (rec->iteration[b] < 0)
            {
              sqlite3_bind_null (upd, 4 + 2 * k);
              sqlite3_bind_null (upd, 5 + 2 * k);
              continue;
            }
          sqlite3_bind_int64 (upd, 4 + 2 * k, rec->iteration[b]);
          sqlite3_bind_double (upd, 5 + 2 * k, rec->loss[b]);

          for (gsize c = 0; c < (gsize) d->lengths[b] * F; c++)
            if (p[c] != 0.0f)
              {
                idx[n] = GUINT32_TO_LE ((guint32) c);
                val[n] = p[c];
                n++;
              }
#if G_BYTE_ORDER == G_BIG_ENDIAN
          for (guint c = 0; c < n; c++)
            {
              guint32 bits;

              memcpy (&bits, &val[c], 4);
              bits = GUINT32_SWAP_LE_BE (bits);
              memcpy (&val[c], &bits, 4);
            }
#endif
          sqlite3_reset (ins);
          sqlite3_bind_int64 (ins, 1, d->run_id);
          sqlite3_bind_int64 (ins, 2, d->first + b);
          sqlite3_bind_int64 (ins, 3, k);
          sqlite3_bind_int64 (ins, 4, n);
          sqlite3_bind_blob (ins, 5, idx, n * 4, SQLITE_TRANSIENT);
          sqlite3_bind_blob (ins, 6, val, n * 4, SQLITE_TRANSIENT);
          if (!pb_sqlite_check (db, sqlite3_step (ins), "insert perturbation", error))
            return FALSE;
        }
      if (!pb_sqlite_check (db, sqlite3_step (upd), "update attack sample", error))
        return FALSE;
    }

  sqlite3_bind_int64 (run, 1, d->run_id);
  if (d->optim_state != NULL)
    sqlite3_bind_blob64 (run, 2, g_bytes_get_data (d->optim_state, NULL),
                         g_bytes_get_size (d->optim_state), SQLITE_STATIC);
  sqlite3_bind_double (run, 3, d->elapsed);
  sqlite3_bind_int (run, 4, d->last);
  return pb_sqlite_check (db, sqlite3_step (run), "update attack run", error);
}

typedef struct
{
  PbAttackParams  params;
  PbModelConfig   config;
  gint64          dataset_id;
  char           *dataset_name;
  GBytes         *weights;
  GBytes         *optim_state;
  guint           n_attacked;
  guint           n_batches;
  guint           n_batches_done;
} RunRow;

static void
run_row_clear (RunRow *row)
{
  g_free (row->dataset_name);
  g_clear_pointer (&row->weights, g_bytes_unref);
  g_clear_pointer (&row->optim_state, g_bytes_unref);
}

static gboolean
load_run_row (sqlite3  *db,
              gint64    run_id,
              RunRow   *row,
              GError  **error)
{
  g_autoptr(sqlite3_stmt) st = NULL;

  st = pb_sqlite_prepare (db,
                          "SELECT r.params, r.model_config, r.dataset_id, d.name, r.weights, "
                          "r.optim_state, r.n_attacked, r.n_batches, r.n_batches_done "
                          "FROM attack_runs r JOIN datasets d USING (dataset_id) "
                          "WHERE r.attack_run_id = ?1", error);
  if (st == NULL)
    return FALSE;
  sqlite3_bind_int64 (st, 1, run_id);
  if (sqlite3_step (st) != SQLITE_ROW)
    {
      g_set_error (error, PB_ENGINE_ERROR, PB_ENGINE_ERROR_NOT_FOUND,
                   "The project has no attack run %" G_GINT64_FORMAT, run_id);
      return FALSE;
    }

  pb_model_config_init (&row->config);
  if (!pb_attack_params_from_json ((const char *) sqlite3_column_text (st, 0), &row->params,
                                   error) ||
      !pb_model_config_from_json ((const char *) sqlite3_column_text (st, 1), &row->config,
                                  error))
    return FALSE;
  row->dataset_id = sqlite3_column_int64 (st, 2);
  row->dataset_name = g_strdup ((const char *) sqlite3_column_text (st, 3));
  row->weights = g_bytes_new (sqlite3_column_blob (st, 4), sqlite3_column_bytes (st, 4));
  if (sqlite3_column_type (st, 5) == SQLITE_BLOB)
    row->optim_state = g_bytes_new (sqlite3_column_blob (st, 5), sqlite3_column_bytes (st, 5));
  row->n_attacked = sqlite3_column_int64 (st, 6);
  row->n_batches = sqlite3_column_int64 (st, 7);
  row->n_batches_done = sqlite3_column_int64 (st, 8);
  return TRUE;
}

/**
 * pb_attack_run_execute:
 * @project: a project
 * @run_id: a run made by pb_attack_run_create()
 * @progress: (nullable): called as iterations advance
 * @progress_data: its data
 * @cancellable: (nullable): checked before every iteration; finished batches stay
 * @error: return location for a #GError
 *
 * Attacks every unfinished batch of the run, storing each as it finishes. A run
 * that was killed or cancelled continues at its next unfinished batch and ends
 * with the same results as an uninterrupted one.
 *
 * Returns: %TRUE when the run is complete
 */
gboolean
pb_attack_run_execute (PbProject       *project,
                       gint64           run_id,
                       PbProgressFunc   progress,
                       gpointer         progress_data,
                       GCancellable    *cancellable,
                       GError         **error)
{
  return pb_attack_run_execute_batches (project, run_id, 0, NULL, progress, progress_data,
                                        cancellable, error);
}

/**
 * pb_attack_run_execute_batches:
 * @project: a project
 * @run_id: a run made by pb_attack_run_create()
 * @max_batches: attack at most this many batches in this call, 0 = all
 * @complete: (out) (optional): whether the run is complete afterwards
 * @progress: (nullable): called as iterations advance
 * @progress_data: its data
 * @cancellable: (nullable): checked before every iteration
 * @error: return location for a #GError
 *
 * pb_attack_run_execute() in slices.
 *
 * Returns: %TRUE on success (complete or not)
 */
gboolean
pb_attack_run_execute_batches (PbProject       *project,
                               gint64           run_id,
                               guint            max_batches,
                               gboolean        *complete,
                               PbProgressFunc   progress,
                               gpointer         progress_data,
                               GCancellable    *cancellable,
                               GError         **error)
{
  sqlite3 *db;
  RunRow row = { 0 };
  g_autoptr(PbSafetensors) st = NULL;
  g_autoptr(PbModel) model = NULL;
  g_autoptr(PbDataset) dataset = NULL;
  g_autoptr(PbAttacker) attacker = NULL;
  g_autoptr(sqlite3_stmt) q = NULL;
  g_autofree guint *rows = NULL;
  g_autofree guint *lengths = NULL;
  g_autofree gint *labels = NULL;
  g_autofree float *x = NULL;
  gboolean ok = FALSE;
  guint T, F, B;
  gsize total;

  g_return_val_if_fail (PB_IS_PROJECT (project), FALSE);

  if (complete != NULL)
    *complete = FALSE;
  db = pb_project_get_db (project);
  if (!load_run_row (db, run_id, &row, error))
    goto out;
  if (row.n_batches_done >= row.n_batches)
    {
      if (complete != NULL)
        *complete = TRUE;
      ok = TRUE;
      goto out;
    }

  st = pb_safetensors_new_from_data (g_bytes_get_data (row.weights, NULL),
                                     g_bytes_get_size (row.weights), error);
  if (st == NULL || (model = pb_checkpoint_new_model (st, &row.config, error)) == NULL)
    goto out;
  dataset = pb_dataset_load (project, row.dataset_name, error);
  if (dataset == NULL)
    goto out;
  attacker = pb_attacker_new (model, &row.params, error);
  if (attacker == NULL)
    goto out;

  rows = g_new (guint, MAX (row.n_attacked, 1));
  q = pb_sqlite_prepare (db, "SELECT idx, dataset_index FROM attack_samples "
                         "WHERE attack_run_id = ?1 ORDER BY idx", error);
  if (q == NULL)
    goto out;
  sqlite3_bind_int64 (q, 1, run_id);
  for (guint i = 0; i < row.n_attacked; i++)
    {
      if (sqlite3_step (q) != SQLITE_ROW || sqlite3_column_int64 (q, 0) != i ||
          sqlite3_column_int64 (q, 1) >= dataset->n)
        {
          g_set_error (error, PB_ENGINE_ERROR, PB_ENGINE_ERROR_CORRUPT,
                       "Attack run %" G_GINT64_FORMAT ": its sample list does not match "
                       "dataset “%s”", run_id, row.dataset_name);
          goto out;
        }
      rows[i] = sqlite3_column_int64 (q, 1);
    }

  T = dataset->max_len;
  F = dataset->n_features;
  B = row.params.batch_size;
  x = g_new (float, (gsize) B * T * F);
  lengths = g_new (guint, B);
  labels = g_new (gint, B);
  total = (gsize) row.n_attacked * row.params.iterations;

  for (guint k = row.n_batches_done;
       k < row.n_batches && (max_batches == 0 || k < row.n_batches_done + max_batches); k++)
    {
      guint first = k * B, nb = MIN (B, row.n_attacked - first);
      g_autoptr(GBytes) state = NULL;
      BatchData bd = { 0 };
      gint64 t0 = g_get_monotonic_time ();

      for (guint i = 0; i < nb; i++)
        {
          memcpy (x + (gsize) i * T * F, pb_dataset_get_sequence (dataset, rows[first + i]),
                  sizeof (float) * T * F);
          lengths[i] = dataset->lengths[rows[first + i]];
          labels[i] = dataset->labels[rows[first + i]];
        }
      if (!pb_attacker_begin (attacker, x, lengths, labels, nb, T, error))
        goto out;

      /* seed preset: the optimiser state carries over between equal-size batches;
       * on resume it comes from the store */
      if (row.params.preset == PB_PROTOCOL_SEED && k == row.n_batches_done && k > 0 &&
          nb == B && row.optim_state != NULL)
        {
          g_autoptr(PbSafetensors) os = NULL;

          os = pb_safetensors_new_from_data (g_bytes_get_data (row.optim_state, NULL),
                                             g_bytes_get_size (row.optim_state), error);
          if (os == NULL || !pb_optim_load_state (pb_attacker_get_optim (attacker), os, error))
            {
              g_prefix_error (error, "Attack run %" G_GINT64_FORMAT ": optimiser state: ",
                              run_id);
              goto out;
            }
        }

      while (pb_attacker_get_iteration (attacker) < row.params.iterations)
        {
          guint it = pb_attacker_get_iteration (attacker);

          if (g_cancellable_set_error_if_cancelled (cancellable, error))
            goto out;
          if (!pb_attacker_step (attacker, error))
            goto out;
          if (progress != NULL && (it % 10 == 0 || it + 1 == row.params.iterations))
            {
              g_autofree char *msg = g_strdup_printf ("Batch %u of %u, iteration %u of %u",
                                                      k + 1, row.n_batches, it + 1,
                                                      row.params.iterations);

              progress ((double) ((gsize) first * row.params.iterations + (gsize) nb * (it + 1))
                        / total, msg, NULL, progress_data);
            }
        }

      if (row.params.preset == PB_PROTOCOL_SEED)
        {
          g_autoptr(PbSafetensors) os = pb_safetensors_new ();

          pb_optim_save_state (pb_attacker_get_optim (attacker), os);
          state = pb_safetensors_to_bytes (os);
        }

      bd.run_id = run_id;
      bd.first = first;
      bd.batch = nb;
      bd.iterations = row.params.iterations;
      bd.max_len = T;
      bd.n_features = F;
      bd.lengths = lengths;
      bd.attacker = attacker;
      bd.optim_state = state;
      bd.elapsed = (g_get_monotonic_time () - t0) / 1e6;
      bd.last = k + 1 == row.n_batches;
      if (!pb_project_run_in_transaction (project, store_batch_in_txn, &bd, error))
        goto out;
      if (bd.last && complete != NULL)
        *complete = TRUE;
    }

  ok = TRUE;

out:
  run_row_clear (&row);
  return ok;
}

/* ---- listing and loading -------------------------------------------------- */

void
pb_attack_run_info_free (PbAttackRunInfo *info)
{
  if (info == NULL)
    return;
  g_free (info->dataset_name);
  g_free (info->params_json);
  g_free (info->created_at);
  g_free (info);
}

/**
 * pb_attack_run_list:
 * @project: a project
 * @error: return location for a #GError
 *
 * Returns: (transfer full) (element-type PbAttackRunInfo): the runs, oldest first
 */
GPtrArray *
pb_attack_run_list (PbProject  *project,
                    GError    **error)
{
  g_autoptr(GPtrArray) runs = g_ptr_array_new_with_free_func ((GDestroyNotify) pb_attack_run_info_free);
  g_autoptr(sqlite3_stmt) st = NULL;
  int rc;

  st = pb_sqlite_prepare (pb_project_get_db (project),
                          "SELECT r.attack_run_id, d.name, r.checkpoint_id, r.params, "
                          "r.status = 'complete', r.n_attacked, r.n_batches, r.n_batches_done, "
                          "r.created_at FROM attack_runs r JOIN datasets d USING (dataset_id) "
                          "ORDER BY r.attack_run_id", error);
  if (st == NULL)
    return NULL;
  while ((rc = sqlite3_step (st)) == SQLITE_ROW)
    {
      PbAttackRunInfo *info = g_new0 (PbAttackRunInfo, 1);

      info->run_id = sqlite3_column_int64 (st, 0);
      info->dataset_name = g_strdup ((const char *) sqlite3_column_text (st, 1));
      info->checkpoint_id = sqlite3_column_int64 (st, 2);
      info->params_json = g_strdup ((const char *) sqlite3_column_text (st, 3));
      info->complete = sqlite3_column_int (st, 4);
      info->n_attacked = sqlite3_column_int64 (st, 5);
      info->n_batches = sqlite3_column_int64 (st, 6);
      info->n_batches_done = sqlite3_column_int64 (st, 7);
      info->created_at = g_strdup ((const char *) sqlite3_column_text (st, 8));
      g_ptr_array_add (runs, info);
    }
  if (!pb_sqlite_check (pb_project_get_db (project), rc, "list attack runs", error))
    return NULL;
  return g_steal_pointer (&runs);
}

static char **
feature_names_from_json (const char *json,
                         guint       n)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  char **names = g_new0 (char *, n + 1);
  JsonArray *a = NULL;

  if (json != NULL && json_parser_load_from_data (parser, json, -1, NULL) &&
      JSON_NODE_HOLDS_ARRAY (json_parser_get_root (parser)))
    a = json_node_get_array (json_parser_get_root (parser));
  for (guint j = 0; j < n; j++)
    names[j] = a != NULL && j < json_array_get_length (a)
                 ? g_strdup (json_array_get_string_element (a, j))
                 : g_strdup_printf ("feature %u", j);
  return names;
}

/**
 * pb_attack_result_load:
 * @project: a project
 * @run_id: an attack run
 * @error: return location for a #GError
 *
 * Loads a run's results, finished batches only (samples of unfinished batches
 * have iterations_run = 0 and no examples).
 *
 * Returns: (transfer full): the result, or %NULL
 */
PbAttackResult *
pb_attack_result_load (PbProject  *project,
                       gint64      run_id,
                       GError    **error)
{
  sqlite3 *db = pb_project_get_db (project);
  g_autoptr(PbAttackResult) r = NULL;
  g_autoptr(sqlite3_stmt) head = NULL;
  g_autoptr(sqlite3_stmt) samples = NULL;
  g_autoptr(sqlite3_stmt) perts = NULL;
  PbAttackParams params;
  guint n, T, F;
  int rc;

  head = pb_sqlite_prepare (db,
                            "SELECT r.params, r.n_attacked, r.n_candidates, d.max_length, "
                            "d.n_features, d.feature_names FROM attack_runs r "
                            "JOIN datasets d USING (dataset_id) WHERE r.attack_run_id = ?1",
                            error);
  if (head == NULL)
    return NULL;
  sqlite3_bind_int64 (head, 1, run_id);
  if (sqlite3_step (head) != SQLITE_ROW)
    {
      g_set_error (error, PB_ENGINE_ERROR, PB_ENGINE_ERROR_NOT_FOUND,
                   "The project has no attack run %" G_GINT64_FORMAT, run_id);
      return NULL;
    }
  if (!pb_attack_params_from_json ((const char *) sqlite3_column_text (head, 0), &params, error))
    return NULL;
  n = sqlite3_column_int64 (head, 1);
  T = sqlite3_column_int64 (head, 3);
  F = sqlite3_column_int64 (head, 4);

  r = pb_attack_result_new (n, T, F);
  r->run_id = run_id;
  r->params = params;
  r->n_candidates = sqlite3_column_int64 (head, 2);
  r->n_done = 0;
  r->feature_names = feature_names_from_json ((const char *) sqlite3_column_text (head, 5), F);

  samples = pb_sqlite_prepare (db,
                               "SELECT idx, dataset_index, sample_id, length, label, iterations, "
                               "first_iteration, first_loss, best_iteration, best_loss "
                               "FROM attack_samples WHERE attack_run_id = ?1 ORDER BY idx", error);
  if (samples == NULL)
    return NULL;
  sqlite3_bind_int64 (samples, 1, run_id);
  while ((rc = sqlite3_step (samples)) == SQLITE_ROW)
    {
      gint64 i = sqlite3_column_int64 (samples, 0);
      gint64 len = sqlite3_column_int64 (samples, 3);

      if (i < 0 || i >= n || len < 1 || len > T)
        {
          g_set_error (error, PB_ENGINE_ERROR, PB_ENGINE_ERROR_CORRUPT,
                       "Attack run %" G_GINT64_FORMAT ": sample row %" G_GINT64_FORMAT
                       " is out of range", run_id, i);
          return NULL;
        }
      r->dataset_index[i] = sqlite3_column_int64 (samples, 1);
      r->sample_ids[i] = sqlite3_column_int64 (samples, 2);
      r->lengths[i] = len;
      r->labels[i] = sqlite3_column_int64 (samples, 4);
      r->iterations_run[i] = sqlite3_column_int64 (samples, 5);
      r->n_done += r->iterations_run[i] > 0;
      for (guint k = 0; k < PB_ATTACK_N_EXAMPLES; k++)
        if (sqlite3_column_type (samples, 6 + 2 * k) != SQLITE_NULL)
          {
            r->examples[k][i].iteration = sqlite3_column_int64 (samples, 6 + 2 * k);
            r->examples[k][i].loss = sqlite3_column_double (samples, 7 + 2 * k);
          }
    }
  if (!pb_sqlite_check (db, rc, "load attack samples", error))
    return NULL;

  perts = pb_sqlite_prepare (db,
                             "SELECT idx, kind, n_nonzero, indices, vals "
                             "FROM attack_perturbations WHERE attack_run_id = ?1", error);
  if (perts == NULL)
    return NULL;
  sqlite3_bind_int64 (perts, 1, run_id);
  while ((rc = sqlite3_step (perts)) == SQLITE_ROW)
    {
      gint64 i = sqlite3_column_int64 (perts, 0);
      gint64 k = sqlite3_column_int64 (perts, 1);
      gint64 nz = sqlite3_column_int64 (perts, 2);
      const guint8 *ib = sqlite3_column_blob (perts, 3);
      int ilen = sqlite3_column_bytes (perts, 3);
      const guint8 *vb = sqlite3_column_blob (perts, 4);
      int vlen = sqlite3_column_bytes (perts, 4);
      PbAttackExampleData *e;

      if (i < 0 || i >= n || k < 0 || k >= PB_ATTACK_N_EXAMPLES || nz < 0 ||
          ilen != nz * 4 || vlen != nz * 4)
        {
          g_set_error (error, PB_ENGINE_ERROR, PB_ENGINE_ERROR_CORRUPT,
                       "Attack run %" G_GINT64_FORMAT ": perturbation of sample %"
                       G_GINT64_FORMAT " is damaged", run_id, i);
          return NULL;
        }
      e = &r->examples[k][i];
      g_free (e->index);
      g_free (e->value);
      e->n_nonzero = nz;
      e->index = g_new (guint, MAX (nz, 1));
      e->value = g_new (float, MAX (nz, 1));
      for (gint64 c = 0; c < nz; c++)
        {
          guint32 idx, bits;

          memcpy (&idx, ib + 4 * c, 4);
          memcpy (&bits, vb + 4 * c, 4);
          idx = GUINT32_FROM_LE (idx);
          bits = GUINT32_FROM_LE (bits);
          if (idx >= (gsize) r->lengths[i] * F)
            {
              g_set_error (error, PB_ENGINE_ERROR, PB_ENGINE_ERROR_CORRUPT,
                           "Attack run %" G_GINT64_FORMAT ": perturbation of sample %"
                           G_GINT64_FORMAT " points past its length", run_id, i);
              return NULL;
            }
          e->index[c] = idx;
          memcpy (&e->value[c], &bits, 4);
        }
    }
  if (!pb_sqlite_check (db, rc, "load attack perturbations", error))
    return NULL;

  return g_steal_pointer (&r);
}
