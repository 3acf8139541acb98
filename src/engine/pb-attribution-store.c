/* pb-attribution-store.c — attributions and FGSM curves in the project store
 * (tables `attributions`, `attribution_samples`, `attribution_matrices`,
 * `fgsm_runs`, `fgsm_points`, `fgsm_perturbations`).
 *
 * Blobs are little-endian (every platform we build for): per-sample values
 * float32 (length, F) row-major; matrices float64 (T, F) row-major.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "pb-attribution.h"
#include "pb-fgsm.h"

#include "pb-error.h"

#include <math.h>
#include <string.h>

static void
bind_nullable_double (sqlite3_stmt *stmt,
                      int           col,
                      double        v)
{
  if (isnan (v))
    sqlite3_bind_null (stmt, col);
  else
    sqlite3_bind_double (stmt, col, v);
}

static void
bind_nullable_id (sqlite3_stmt *stmt,
                  int           col,
                  gint64        id)
{
  if (id > 0)
    sqlite3_bind_int64 (stmt, col, id);
  else
    sqlite3_bind_null (stmt, col);
}

static gboolean
save_matrix (sqlite3                   *db,
             gint64                     id,
             const char                *name,
             const PbFeatureHourMatrix *m,
             GError                   **error)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;

  stmt = pb_sqlite_prepare (db,
                            "INSERT INTO attribution_matrices (attribution_id, name, n_hours, "
                            "n_features, vals) VALUES (?1, ?2, ?3, ?4, ?5)", error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, id);
  sqlite3_bind_text (stmt, 2, name, -1, SQLITE_STATIC);
  sqlite3_bind_int64 (stmt, 3, m->n_hours);
  sqlite3_bind_int64 (stmt, 4, m->n_features);
  sqlite3_bind_blob64 (stmt, 5, m->values,
                       (sqlite3_uint64) m->n_hours * m->n_features * sizeof (double),
                       SQLITE_STATIC);
  return pb_sqlite_check (db, sqlite3_step (stmt), "Cannot store an attribution matrix", error);
}

typedef struct
{
  const PbAttribution *a;
  const char          *params_json;
  const char          *dataset_name;
  const char          *model_source;
  gint64               checkpoint_id;
  gint64               parent_id;
  gint                 position;
  gint64               id;
} AttributionSave;

static gboolean
attribution_save_txn (sqlite3  *db,
                      gpointer  user_data,
                      GError  **error)
{
  AttributionSave *d = user_data;
  const PbAttribution *a = d->a;
  const guint T = a->max_len;
  const guint F = a->n_features;
  g_autoptr(sqlite3_stmt) head = NULL;
  g_autoptr(sqlite3_stmt) row = NULL;

  head = pb_sqlite_prepare (db,
                            "INSERT INTO attributions (method, dataset_name, model_source, "
                            "checkpoint_id, parent_id, position, params, n_samples, max_length, "
                            "n_features) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)", error);
  if (head == NULL)
    return FALSE;
  sqlite3_bind_text (head, 1, pb_attribution_method_get_name (a->method), -1, SQLITE_STATIC);
  sqlite3_bind_text (head, 2, d->dataset_name, -1, SQLITE_STATIC);
  sqlite3_bind_text (head, 3, d->model_source != NULL ? d->model_source : "", -1, SQLITE_STATIC);
  bind_nullable_id (head, 4, d->checkpoint_id);
  bind_nullable_id (head, 5, d->parent_id);
  if (d->position >= 0)
    sqlite3_bind_int64 (head, 6, d->position);
  else
    sqlite3_bind_null (head, 6);
  sqlite3_bind_text (head, 7, d->params_json != NULL ? d->params_json : "{}", -1, SQLITE_STATIC);
  sqlite3_bind_int64 (head, 8, a->n);
  sqlite3_bind_int64 (head, 9, T);
  sqlite3_bind_int64 (head, 10, F);
  if (!pb_sqlite_check (db, sqlite3_step (head), "Cannot store the attribution", error))
    return FALSE;
  d->id = sqlite3_last_insert_rowid (db);

  row = pb_sqlite_prepare (db,
                           "INSERT INTO attribution_samples (attribution_id, idx, sample_id, "
                           "label, target, length, score, baseline_score, gap, vals) "
                           "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)", error);
  if (row == NULL)
    return FALSE;
  for (guint i = 0; i < a->n; i++)
    {
      sqlite3_reset (row);
      sqlite3_bind_int64 (row, 1, d->id);
      sqlite3_bind_int64 (row, 2, i);
      sqlite3_bind_int64 (row, 3, a->sample_ids[i]);
      sqlite3_bind_int64 (row, 4, a->labels[i]);
      sqlite3_bind_int64 (row, 5, a->targets[i]);
      sqlite3_bind_int64 (row, 6, a->lengths[i]);
      sqlite3_bind_double (row, 7, a->scores[i]);
      bind_nullable_double (row, 8, a->baseline_scores[i]);
      bind_nullable_double (row, 9, a->gaps[i]);
      sqlite3_bind_blob64 (row, 10, a->values + (gsize) i * T * F,
                           (sqlite3_uint64) a->lengths[i] * F * sizeof (float), SQLITE_STATIC);
      if (!pb_sqlite_check (db, sqlite3_step (row), "Cannot store an attributed sample", error))
        return FALSE;
    }

  return save_matrix (db, d->id, "mean_abs", a->mean_abs, error) &&
         save_matrix (db, d->id, "mean", a->mean, error);
}

/**
 * pb_attribution_save:
 * @attribution: a result of pb_attribution_compute()
 * @project: where to store it
 * @params_json: (nullable): pb_attribution_config_to_json() of its configuration
 * @dataset_name: the dataset it was computed on
 * @model_source: (nullable): where the weights came from, for people ("checkpoint 3",
 *   a file name)
 * @checkpoint_id: the stored checkpoint it used, or 0
 * @parent_id: for attribution over training: the averaged attribution this
 *   per-checkpoint one belongs to, or 0
 * @position: its place along training (epoch), or -1
 * @attribution_id: (out) (optional): the new row's id
 * @error: return location for a #GError
 *
 * Stores everything in one transaction.
 *
 * Returns: %TRUE on success
 */
gboolean
pb_attribution_save (const PbAttribution  *attribution,
                     PbProject            *project,
                     const char           *params_json,
                     const char           *dataset_name,
                     const char           *model_source,
                     gint64                checkpoint_id,
                     gint64                parent_id,
                     gint                  position,
                     gint64               *attribution_id,
                     GError              **error)
{
  AttributionSave d = { attribution, params_json, dataset_name, model_source, checkpoint_id,
                        parent_id, position, 0 };

  g_return_val_if_fail (attribution != NULL, FALSE);
  g_return_val_if_fail (PB_IS_PROJECT (project), FALSE);
  g_return_val_if_fail (dataset_name != NULL, FALSE);

  if (!pb_project_run_in_transaction (project, attribution_save_txn, &d, error))
    return FALSE;

  if (attribution_id != NULL)
    *attribution_id = d.id;
  return TRUE;
}

/**
 * pb_attribution_list_children:
 * @project: a project
 * @parent_id: an attribution over training (its averaged row), or 0 for the
 *   attributions that have no parent
 * @error: return location for a #GError
 *
 * Returns: (transfer full) (element-type gint64): the attribution ids, in
 *   training order (position, then id) for children, by id otherwise
 */
GArray *
pb_attribution_list_children (PbProject  *project,
                              gint64      parent_id,
                              GError    **error)
{
  sqlite3 *db;
  g_autoptr(sqlite3_stmt) stmt = NULL;
  g_autoptr(GArray) ids = g_array_new (FALSE, FALSE, sizeof (gint64));
  int rc;

  g_return_val_if_fail (PB_IS_PROJECT (project), NULL);

  db = pb_project_get_db (project);
  stmt = pb_sqlite_prepare (db,
                            parent_id > 0
                            ? "SELECT attribution_id FROM attributions WHERE parent_id = ?1 "
                              "ORDER BY position, attribution_id"
                            : "SELECT attribution_id FROM attributions WHERE parent_id IS NULL "
                              "ORDER BY attribution_id", error);
  if (stmt == NULL)
    return NULL;
  if (parent_id > 0)
    sqlite3_bind_int64 (stmt, 1, parent_id);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      gint64 id = sqlite3_column_int64 (stmt, 0);

      g_array_append_val (ids, id);
    }
  if (!pb_sqlite_check (db, rc, "Cannot list attributions", error))
    return NULL;

  return g_steal_pointer (&ids);
}

/**
 * pb_attribution_load_matrix:
 * @project: a project
 * @attribution_id: a stored attribution
 * @name: "mean_abs" or "mean"
 * @error: return location for a #GError
 *
 * Returns: (transfer full): the matrix, or %NULL with %PB_ENGINE_ERROR_NOT_FOUND
 */
PbFeatureHourMatrix *
pb_attribution_load_matrix (PbProject   *project,
                            gint64       attribution_id,
                            const char  *name,
                            GError     **error)
{
  sqlite3 *db = pb_project_get_db (project);
  g_autoptr(sqlite3_stmt) stmt = NULL;
  g_autoptr(PbFeatureHourMatrix) m = NULL;
  int rc;

  stmt = pb_sqlite_prepare (db,
                            "SELECT n_hours, n_features, vals FROM attribution_matrices "
                            "WHERE attribution_id = ?1 AND name = ?2", error);
  if (stmt == NULL)
    return NULL;
  sqlite3_bind_int64 (stmt, 1, attribution_id);
  sqlite3_bind_text (stmt, 2, name, -1, SQLITE_STATIC);
  rc = sqlite3_step (stmt);
  if (rc != SQLITE_ROW)
    {
      if (pb_sqlite_check (db, rc, "Cannot read an attribution matrix", error))
        g_set_error (error, PB_ENGINE_ERROR, PB_ENGINE_ERROR_NOT_FOUND,
                     "Attribution %" G_GINT64_FORMAT " has no matrix “%s”", attribution_id, name);
      return NULL;
    }

  m = pb_feature_hour_matrix_new (sqlite3_column_int (stmt, 0), sqlite3_column_int (stmt, 1));
  if ((gsize) sqlite3_column_bytes (stmt, 2) != (gsize) m->n_hours * m->n_features * sizeof (double))
    {
      g_set_error (error, PB_ENGINE_ERROR, PB_ENGINE_ERROR_CORRUPT,
                   "Attribution matrix “%s” of %" G_GINT64_FORMAT " has the wrong size",
                   name, attribution_id);
      return NULL;
    }
  memcpy (m->values, sqlite3_column_blob (stmt, 2), sqlite3_column_bytes (stmt, 2));
  return g_steal_pointer (&m);
}

static double
column_nullable_double (sqlite3_stmt *stmt,
                        int           col)
{
  return sqlite3_column_type (stmt, col) == SQLITE_NULL ? NAN : sqlite3_column_double (stmt, col);
}

/**
 * pb_attribution_load:
 * @project: a project
 * @attribution_id: a stored attribution
 * @error: return location for a #GError
 *
 * Returns: (transfer full): the attribution as it was saved, or %NULL with
 *   %PB_ENGINE_ERROR_NOT_FOUND / %PB_ENGINE_ERROR_CORRUPT
 */
PbAttribution *
pb_attribution_load (PbProject  *project,
                     gint64      attribution_id,
                     GError    **error)
{
  sqlite3 *db;
  g_autoptr(sqlite3_stmt) head = NULL;
  g_autoptr(sqlite3_stmt) rows = NULL;
  g_autoptr(PbAttribution) a = NULL;
  guint T, F;
  int rc;

  g_return_val_if_fail (PB_IS_PROJECT (project), NULL);

  db = pb_project_get_db (project);
  head = pb_sqlite_prepare (db,
                            "SELECT method, n_samples, max_length, n_features FROM attributions "
                            "WHERE attribution_id = ?1", error);
  if (head == NULL)
    return NULL;
  sqlite3_bind_int64 (head, 1, attribution_id);
  rc = sqlite3_step (head);
  if (rc != SQLITE_ROW)
    {
      if (pb_sqlite_check (db, rc, "Cannot read the attribution", error))
        g_set_error (error, PB_ENGINE_ERROR, PB_ENGINE_ERROR_NOT_FOUND,
                     "No attribution %" G_GINT64_FORMAT " in this project", attribution_id);
      return NULL;
    }

  a = g_new0 (PbAttribution, 1);
  if (!pb_attribution_method_from_name ((const char *) sqlite3_column_text (head, 0), &a->method))
    {
      g_set_error (error, PB_ENGINE_ERROR, PB_ENGINE_ERROR_CORRUPT,
                   "Attribution %" G_GINT64_FORMAT " has an unknown method", attribution_id);
      return NULL;
    }
  a->n = sqlite3_column_int (head, 1);
  a->max_len = T = sqlite3_column_int (head, 2);
  a->n_features = F = sqlite3_column_int (head, 3);
  a->values = g_new0 (float, (gsize) a->n * T * F);
  a->lengths = g_new0 (guint, a->n);
  a->labels = g_new0 (gint, a->n);
  a->sample_ids = g_new0 (gint64, a->n);
  a->targets = g_new0 (guint, a->n);
  a->scores = g_new0 (double, a->n);
  a->baseline_scores = g_new0 (double, a->n);
  a->gaps = g_new0 (double, a->n);

  rows = pb_sqlite_prepare (db,
                            "SELECT idx, sample_id, label, target, length, score, baseline_score, "
                            "gap, vals FROM attribution_samples WHERE attribution_id = ?1 "
                            "ORDER BY idx", error);
  if (rows == NULL)
    return NULL;
  sqlite3_bind_int64 (rows, 1, attribution_id);
  for (guint i = 0; i < a->n; i++)
    {
      rc = sqlite3_step (rows);
      if (rc != SQLITE_ROW)
        {
          if (pb_sqlite_check (db, rc, "Cannot read attributed samples", error))
            g_set_error (error, PB_ENGINE_ERROR, PB_ENGINE_ERROR_CORRUPT,
                         "Attribution %" G_GINT64_FORMAT " lacks sample %u", attribution_id, i);
          return NULL;
        }
      a->sample_ids[i] = sqlite3_column_int64 (rows, 1);
      a->labels[i] = sqlite3_column_int (rows, 2);
      a->targets[i] = sqlite3_column_int (rows, 3);
      a->lengths[i] = sqlite3_column_int (rows, 4);
      a->scores[i] = sqlite3_column_double (rows, 5);
      a->baseline_scores[i] = column_nullable_double (rows, 6);
      a->gaps[i] = column_nullable_double (rows, 7);
      if (sqlite3_column_int (rows, 0) != (int) i || a->lengths[i] > T ||
          (gsize) sqlite3_column_bytes (rows, 8) != (gsize) a->lengths[i] * F * sizeof (float))
        {
          g_set_error (error, PB_ENGINE_ERROR, PB_ENGINE_ERROR_CORRUPT,
                       "Attributed sample %u of %" G_GINT64_FORMAT " is malformed", i,
                       attribution_id);
          return NULL;
        }
      memcpy (a->values + (gsize) i * T * F, sqlite3_column_blob (rows, 8),
              sqlite3_column_bytes (rows, 8));
    }

  a->mean_abs = pb_attribution_load_matrix (project, attribution_id, "mean_abs", error);
  if (a->mean_abs == NULL)
    return NULL;
  a->mean = pb_attribution_load_matrix (project, attribution_id, "mean", error);
  if (a->mean == NULL)
    return NULL;

  return g_steal_pointer (&a);
}

/* ---- FGSM ----------------------------------------------------------------- */

typedef struct
{
  const PbFgsmResult *r;
  const char         *params_json;
  const char         *dataset_name;
  const char         *model_source;
  gint64              checkpoint_id;
  gint64              id;
} FgsmSave;

static gboolean
fgsm_save_txn (sqlite3  *db,
               gpointer  user_data,
               GError  **error)
{
  FgsmSave *d = user_data;
  const PbFgsmResult *r = d->r;
  const guint T = r->max_len;
  const guint F = r->n_features;
  g_autoptr(sqlite3_stmt) head = NULL;
  g_autoptr(sqlite3_stmt) point = NULL;
  g_autoptr(sqlite3_stmt) pert = NULL;

  head = pb_sqlite_prepare (db,
                            "INSERT INTO fgsm_runs (dataset_name, model_source, checkpoint_id, "
                            "params, n_samples, max_length, n_features, clean_accuracy, clean_auc, "
                            "clean_loss) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)", error);
  if (head == NULL)
    return FALSE;
  sqlite3_bind_text (head, 1, d->dataset_name, -1, SQLITE_STATIC);
  sqlite3_bind_text (head, 2, d->model_source != NULL ? d->model_source : "", -1, SQLITE_STATIC);
  bind_nullable_id (head, 3, d->checkpoint_id);
  sqlite3_bind_text (head, 4, d->params_json != NULL ? d->params_json : "{}", -1, SQLITE_STATIC);
  sqlite3_bind_int64 (head, 5, r->n);
  sqlite3_bind_int64 (head, 6, T);
  sqlite3_bind_int64 (head, 7, F);
  sqlite3_bind_double (head, 8, r->clean.accuracy);
  bind_nullable_double (head, 9, r->clean.auc);
  bind_nullable_double (head, 10, r->clean.loss);
  if (!pb_sqlite_check (db, sqlite3_step (head), "Cannot store the FGSM run", error))
    return FALSE;
  d->id = sqlite3_last_insert_rowid (db);

  point = pb_sqlite_prepare (db,
                             "INSERT INTO fgsm_points (fgsm_id, eps_index, epsilon, accuracy, auc, "
                             "loss, precision, recall, f1, flip_rate) "
                             "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)", error);
  if (point == NULL)
    return FALSE;
  for (guint e = 0; e < r->n_epsilons; e++)
    {
      const PbFgsmPoint *p = &r->points[e];

      sqlite3_reset (point);
      sqlite3_bind_int64 (point, 1, d->id);
      sqlite3_bind_int64 (point, 2, e);
      sqlite3_bind_double (point, 3, p->epsilon);
      sqlite3_bind_double (point, 4, p->metrics.accuracy);
      bind_nullable_double (point, 5, p->metrics.auc);
      bind_nullable_double (point, 6, p->metrics.loss);
      sqlite3_bind_double (point, 7, p->metrics.precision);
      sqlite3_bind_double (point, 8, p->metrics.recall);
      sqlite3_bind_double (point, 9, p->metrics.f1);
      sqlite3_bind_double (point, 10, p->flip_rate);
      if (!pb_sqlite_check (db, sqlite3_step (point), "Cannot store an FGSM point", error))
        return FALSE;
    }

  pert = pb_sqlite_prepare (db,
                            "INSERT INTO fgsm_perturbations (fgsm_id, eps_index, idx, sample_id, "
                            "label, length, prediction, vals) "
                            "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)", error);
  if (pert == NULL)
    return FALSE;
  for (guint e = 0; e < r->n_epsilons; e++)
    for (guint i = 0; i < r->n; i++)
      {
        sqlite3_reset (pert);
        sqlite3_bind_int64 (pert, 1, d->id);
        sqlite3_bind_int64 (pert, 2, e);
        sqlite3_bind_int64 (pert, 3, i);
        sqlite3_bind_int64 (pert, 4, r->sample_ids[i]);
        sqlite3_bind_int64 (pert, 5, r->labels[i]);
        sqlite3_bind_int64 (pert, 6, r->lengths[i]);
        sqlite3_bind_int64 (pert, 7, r->predictions[(gsize) e * r->n + i]);
        if (r->perturbations != NULL)
          sqlite3_bind_blob64 (pert, 8, r->perturbations + ((gsize) e * r->n + i) * T * F,
                               (sqlite3_uint64) r->lengths[i] * F * sizeof (float), SQLITE_STATIC);
        else
          sqlite3_bind_null (pert, 8);
        if (!pb_sqlite_check (db, sqlite3_step (pert), "Cannot store an FGSM example", error))
          return FALSE;
      }

  return TRUE;
}

/**
 * pb_fgsm_result_save:
 * @result: a result of pb_fgsm_run()
 * @project: where to store it
 * @params_json: (nullable): pb_fgsm_config_to_json() of its configuration
 * @dataset_name: the dataset it ran on
 * @model_source: (nullable): where the weights came from, for people
 * @checkpoint_id: the stored checkpoint it used, or 0
 * @fgsm_id: (out) (optional): the new run's id
 * @error: return location for a #GError
 *
 * Stores the curve, every prediction on x′ and, when the result kept them, the
 * perturbations, in one transaction.
 *
 * Returns: %TRUE on success
 */
gboolean
pb_fgsm_result_save (const PbFgsmResult  *result,
                     PbProject           *project,
                     const char          *params_json,
                     const char          *dataset_name,
                     const char          *model_source,
                     gint64               checkpoint_id,
                     gint64              *fgsm_id,
                     GError             **error)
{
  FgsmSave d = { result, params_json, dataset_name, model_source, checkpoint_id, 0 };

  g_return_val_if_fail (result != NULL, FALSE);
  g_return_val_if_fail (PB_IS_PROJECT (project), FALSE);
  g_return_val_if_fail (dataset_name != NULL, FALSE);

  if (!pb_project_run_in_transaction (project, fgsm_save_txn, &d, error))
    return FALSE;

  if (fgsm_id != NULL)
    *fgsm_id = d.id;
  return TRUE;
}

/* The curve always; the per-stay rows (predictions, perturbations: tens of
 * MB for a few hundred stays) only when @with_examples. */
static PbFgsmResult *
load_fgsm_result (PbProject  *project,
                  gint64      fgsm_id,
                  gboolean    with_examples,
                  GError    **error)
{
  sqlite3 *db;
  g_autoptr(sqlite3_stmt) head = NULL;
  g_autoptr(sqlite3_stmt) points = NULL;
  g_autoptr(sqlite3_stmt) perts = NULL;
  g_autoptr(PbFgsmResult) r = NULL;
  guint n_rows = 0;
  int rc;

  g_return_val_if_fail (PB_IS_PROJECT (project), NULL);

  db = pb_project_get_db (project);
  head = pb_sqlite_prepare (db,
                            "SELECT n_samples, max_length, n_features, clean_accuracy, clean_auc, "
                            "clean_loss, (SELECT count(*) FROM fgsm_points p WHERE p.fgsm_id = "
                            "r.fgsm_id) FROM fgsm_runs r WHERE fgsm_id = ?1", error);
  if (head == NULL)
    return NULL;
  sqlite3_bind_int64 (head, 1, fgsm_id);
  rc = sqlite3_step (head);
  if (rc != SQLITE_ROW)
    {
      if (pb_sqlite_check (db, rc, "Cannot read the FGSM run", error))
        g_set_error (error, PB_ENGINE_ERROR, PB_ENGINE_ERROR_NOT_FOUND,
                     "No FGSM run %" G_GINT64_FORMAT " in this project", fgsm_id);
      return NULL;
    }

  r = g_new0 (PbFgsmResult, 1);
  r->n = sqlite3_column_int (head, 0);
  r->max_len = sqlite3_column_int (head, 1);
  r->n_features = sqlite3_column_int (head, 2);
  r->clean.n = r->n;
  r->clean.accuracy = sqlite3_column_double (head, 3);
  r->clean.auc = column_nullable_double (head, 4);
  r->clean.loss = column_nullable_double (head, 5);
  r->n_epsilons = sqlite3_column_int (head, 6);
  r->points = g_new0 (PbFgsmPoint, r->n_epsilons);
  r->predictions = g_new0 (gint, (gsize) r->n_epsilons * r->n);
  r->lengths = g_new0 (guint, r->n);
  r->labels = g_new0 (gint, r->n);
  r->sample_ids = g_new0 (gint64, r->n);

  points = pb_sqlite_prepare (db,
                              "SELECT eps_index, epsilon, accuracy, auc, loss, precision, recall, "
                              "f1, flip_rate FROM fgsm_points WHERE fgsm_id = ?1 ORDER BY eps_index",
                              error);
  if (points == NULL)
    return NULL;
  sqlite3_bind_int64 (points, 1, fgsm_id);
  for (guint e = 0; e < r->n_epsilons; e++)
    {
      PbFgsmPoint *p = &r->points[e];

      if (sqlite3_step (points) != SQLITE_ROW || sqlite3_column_int (points, 0) != (int) e)
        {
          g_set_error (error, PB_ENGINE_ERROR, PB_ENGINE_ERROR_CORRUPT,
                       "FGSM run %" G_GINT64_FORMAT " has a gap in its ε list", fgsm_id);
          return NULL;
        }
      p->epsilon = sqlite3_column_double (points, 1);
      p->metrics.n = r->n;
      p->metrics.accuracy = sqlite3_column_double (points, 2);
      p->metrics.auc = column_nullable_double (points, 3);
      p->metrics.loss = column_nullable_double (points, 4);
      p->metrics.precision = sqlite3_column_double (points, 5);
      p->metrics.recall = sqlite3_column_double (points, 6);
      p->metrics.f1 = sqlite3_column_double (points, 7);
      p->flip_rate = sqlite3_column_double (points, 8);
    }

  if (!with_examples)
    return g_steal_pointer (&r);

  perts = pb_sqlite_prepare (db,
                             "SELECT eps_index, idx, sample_id, label, length, prediction, vals "
                             "FROM fgsm_perturbations WHERE fgsm_id = ?1", error);
  if (perts == NULL)
    return NULL;
  sqlite3_bind_int64 (perts, 1, fgsm_id);
  while ((rc = sqlite3_step (perts)) == SQLITE_ROW)
    {
      const guint e = sqlite3_column_int (perts, 0);
      const guint i = sqlite3_column_int (perts, 1);
      const guint L = sqlite3_column_int (perts, 4);
      const gsize bytes = sqlite3_column_bytes (perts, 6);

      if (e >= r->n_epsilons || i >= r->n || L > r->max_len ||
          (bytes != 0 && bytes != (gsize) L * r->n_features * sizeof (float)))
        {
          g_set_error (error, PB_ENGINE_ERROR, PB_ENGINE_ERROR_CORRUPT,
                       "FGSM run %" G_GINT64_FORMAT " has a malformed example", fgsm_id);
          return NULL;
        }
      r->sample_ids[i] = sqlite3_column_int64 (perts, 2);
      r->labels[i] = sqlite3_column_int (perts, 3);
      r->lengths[i] = L;
      r->predictions[(gsize) e * r->n + i] = sqlite3_column_int (perts, 5);
      if (bytes > 0)
        {
          if (r->perturbations == NULL)
            r->perturbations = g_new0 (float, (gsize) r->n_epsilons * r->n * r->max_len *
                                              r->n_features);
          memcpy (r->perturbations + ((gsize) e * r->n + i) * r->max_len * r->n_features,
                  sqlite3_column_blob (perts, 6), bytes);
        }
      n_rows++;
    }
  if (!pb_sqlite_check (db, rc, "Cannot read FGSM examples", error))
    return NULL;
  if (n_rows != (gsize) r->n_epsilons * r->n)
    {
      g_set_error (error, PB_ENGINE_ERROR, PB_ENGINE_ERROR_CORRUPT,
                   "FGSM run %" G_GINT64_FORMAT " has %u of its %u examples", fgsm_id, n_rows,
                   r->n_epsilons * r->n);
      return NULL;
    }

  return g_steal_pointer (&r);
}

/**
 * pb_fgsm_result_load:
 * @project: a project
 * @fgsm_id: a stored FGSM run
 * @error: return location for a #GError
 *
 * Returns: (transfer full): the curve, predictions and (when stored)
 *   perturbations; clean metrics other than accuracy, AUC and loss are 0
 */
PbFgsmResult *
pb_fgsm_result_load (PbProject  *project,
                     gint64      fgsm_id,
                     GError    **error)
{
  return load_fgsm_result (project, fgsm_id, TRUE, error);
}

/**
 * pb_fgsm_result_load_curve:
 * @project: a project
 * @fgsm_id: a stored FGSM run
 * @error: return location for a #GError
 *
 * Like pb_fgsm_result_load() without the per-stay rows, which a robustness
 * figure does not need: @points and @clean are filled; @predictions,
 * @lengths, @labels and @sample_ids are zeros and @perturbations is %NULL.
 *
 * Returns: (transfer full): the curve
 */
PbFgsmResult *
pb_fgsm_result_load_curve (PbProject  *project,
                           gint64      fgsm_id,
                           GError    **error)
{
  return load_fgsm_result (project, fgsm_id, FALSE, error);
}
