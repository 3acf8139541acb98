/* pb-dataset.c — variable-length labelled sequences, in memory and in a project.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "pb-json.h"
#include "pb-dataset.h"

#include "pb-error.h"

#include <json-glib/json-glib.h>
#include <math.h>
#include <string.h>

/**
 * pb_dataset_new:
 * @n: number of sequences
 * @max_len: T
 * @n_features: F
 * @n_classes: C
 *
 * Returns: (transfer full): a zero-filled dataset; lengths are set to T.
 */
PbDataset *
pb_dataset_new (guint n,
                guint max_len,
                guint n_features,
                guint n_classes)
{
  PbDataset *dataset = g_new0 (PbDataset, 1);

  dataset->n = n;
  dataset->max_len = max_len;
  dataset->n_features = n_features;
  dataset->n_classes = n_classes;
  dataset->x = g_new0 (float, MAX ((gsize) n * max_len * n_features, 1));
  dataset->lengths = g_new0 (guint, MAX (n, 1));
  dataset->labels = g_new0 (gint, MAX (n, 1));
  dataset->sample_ids = g_new0 (gint64, MAX (n, 1));
  for (guint i = 0; i < n; i++)
    {
      dataset->lengths[i] = max_len;
      dataset->sample_ids[i] = i;
    }

  return dataset;
}

void
pb_dataset_free (PbDataset *dataset)
{
  if (dataset == NULL)
    return;

  g_free (dataset->x);
  g_free (dataset->lengths);
  g_free (dataset->labels);
  g_free (dataset->sample_ids);
  g_strfreev (dataset->feature_names);
  g_free (dataset->name);
  g_free (dataset);
}

/**
 * pb_dataset_validate:
 * @dataset: a dataset
 * @error: return location for an error
 *
 * Checks what training relies on: at least one sequence, lengths in 1…T, labels
 * in 0…C−1, finite values, zero padding.
 *
 * Returns: %TRUE if @dataset is usable.
 */
gboolean
pb_dataset_validate (const PbDataset  *dataset,
                     GError          **error)
{
  if (dataset->n == 0)
    {
      g_set_error_literal (error, PB_ENGINE_ERROR, PB_ENGINE_ERROR_INVALID_DATA,
                           "The dataset is empty");
      return FALSE;
    }

  if (dataset->max_len == 0 || dataset->n_features == 0 || dataset->n_classes < 2)
    {
      g_set_error (error, PB_ENGINE_ERROR, PB_ENGINE_ERROR_INVALID_DATA,
                   "The dataset has an impossible shape (T %u, F %u, %u classes)",
                   dataset->max_len, dataset->n_features, dataset->n_classes);
      return FALSE;
    }

  for (guint i = 0; i < dataset->n; i++)
    {
      const float *seq = pb_dataset_get_sequence (dataset, i);
      guint len = dataset->lengths[i];

      if (len == 0 || len > dataset->max_len)
        {
          g_set_error (error, PB_ENGINE_ERROR, PB_ENGINE_ERROR_INVALID_DATA,
                       "Sequence %u (id %" G_GINT64_FORMAT ") has length %u; "
                       "lengths must be 1…%u", i, dataset->sample_ids[i], len,
                       dataset->max_len);
          return FALSE;
        }

      if (dataset->labels[i] < 0 || dataset->labels[i] >= (gint) dataset->n_classes)
        {
          g_set_error (error, PB_ENGINE_ERROR, PB_ENGINE_ERROR_INVALID_DATA,
                       "Sequence %u (id %" G_GINT64_FORMAT ") has label %d; "
                       "labels must be 0…%u", i, dataset->sample_ids[i], dataset->labels[i],
                       dataset->n_classes - 1);
          return FALSE;
        }

      for (gsize k = 0; k < (gsize) len * dataset->n_features; k++)
        {
          if (!isfinite (seq[k]))
            {
              g_set_error (error, PB_ENGINE_ERROR, PB_ENGINE_ERROR_INVALID_DATA,
                           "Sequence %u (id %" G_GINT64_FORMAT ") has a non-finite value "
                           "at step %u, feature %u", i, dataset->sample_ids[i],
                           (guint) (k / dataset->n_features), (guint) (k % dataset->n_features));
              return FALSE;
            }
        }
    }

  return TRUE;
}

/**
 * pb_dataset_subset:
 * @dataset: a dataset
 * @indices: (array length=n_indices): rows to take, in order (repeats allowed)
 * @n_indices: how many
 *
 * Returns: (transfer full): a new dataset with copies of the chosen rows.
 */
PbDataset *
pb_dataset_subset (const PbDataset *dataset,
                   const guint     *indices,
                   guint            n_indices)
{
  gsize stride = (gsize) dataset->max_len * dataset->n_features;
  PbDataset *subset = pb_dataset_new (n_indices, dataset->max_len, dataset->n_features,
                                      dataset->n_classes);

  for (guint k = 0; k < n_indices; k++)
    {
      guint i = indices[k];

      g_return_val_if_fail (i < dataset->n, subset);
      memcpy (subset->x + k * stride, pb_dataset_get_sequence (dataset, i),
              stride * sizeof (float));
      subset->lengths[k] = dataset->lengths[i];
      subset->labels[k] = dataset->labels[i];
      subset->sample_ids[k] = dataset->sample_ids[i];
    }
  subset->feature_names = g_strdupv (dataset->feature_names);

  return subset;
}

/**
 * pb_dataset_count_classes:
 * @dataset: a dataset
 * @counts: (out caller-allocates) (array): n_classes counters
 */
void
pb_dataset_count_classes (const PbDataset *dataset,
                          guint           *counts)
{
  memset (counts, 0, dataset->n_classes * sizeof (guint));
  for (guint i = 0; i < dataset->n; i++)
    if (dataset->labels[i] >= 0 && dataset->labels[i] < (gint) dataset->n_classes)
      counts[dataset->labels[i]]++;
}

static char *
feature_names_to_json (const PbDataset *dataset)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonNode) root = NULL;

  json_builder_begin_array (builder);
  for (guint j = 0; dataset->feature_names != NULL && dataset->feature_names[j] != NULL; j++)
    json_builder_add_string_value (builder, dataset->feature_names[j]);
  json_builder_end_array (builder);
  root = json_builder_get_root (builder);

  return pb_json_to_string (root, FALSE);
}

typedef struct
{
  const PbDataset *dataset;
  const char      *name;
  const char      *params_json;
} SaveData;

static gboolean
save_in_transaction (sqlite3  *db,
                     gpointer  user_data,
                     GError  **error)
{
  SaveData *data = user_data;
  const PbDataset *ds = data->dataset;
  g_autoptr(sqlite3_stmt) del = NULL;
  g_autoptr(sqlite3_stmt) head = NULL;
  g_autoptr(sqlite3_stmt) row = NULL;
  g_autofree char *names = feature_names_to_json (ds);
  gint64 dataset_id;

  del = pb_sqlite_prepare (db, "DELETE FROM datasets WHERE name = ?1", error);
  if (del == NULL)
    return FALSE;
  sqlite3_bind_text (del, 1, data->name, -1, SQLITE_STATIC);
  if (!pb_sqlite_check (db, sqlite3_step (del), "Cannot replace dataset", error))
    return FALSE;

  head = pb_sqlite_prepare (db,
                            "INSERT INTO datasets (name, n_sequences, max_length, n_features, "
                            "n_classes, feature_names, params) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
                            error);
  if (head == NULL)
    return FALSE;
  sqlite3_bind_text (head, 1, data->name, -1, SQLITE_STATIC);
  sqlite3_bind_int64 (head, 2, ds->n);
  sqlite3_bind_int64 (head, 3, ds->max_len);
  sqlite3_bind_int64 (head, 4, ds->n_features);
  sqlite3_bind_int64 (head, 5, ds->n_classes);
  sqlite3_bind_text (head, 6, names, -1, SQLITE_STATIC);
  sqlite3_bind_text (head, 7, data->params_json != NULL ? data->params_json : "{}", -1,
                     SQLITE_STATIC);
  if (!pb_sqlite_check (db, sqlite3_step (head), "Cannot store dataset", error))
    return FALSE;
  dataset_id = sqlite3_last_insert_rowid (db);

  row = pb_sqlite_prepare (db,
                           "INSERT INTO dataset_sequences (dataset_id, idx, sample_id, length, "
                           "label, x) VALUES (?1, ?2, ?3, ?4, ?5, ?6)", error);
  if (row == NULL)
    return FALSE;

  for (guint i = 0; i < ds->n; i++)
    {
      sqlite3_reset (row);
      sqlite3_bind_int64 (row, 1, dataset_id);
      sqlite3_bind_int64 (row, 2, i);
      sqlite3_bind_int64 (row, 3, ds->sample_ids[i]);
      sqlite3_bind_int64 (row, 4, ds->lengths[i]);
      sqlite3_bind_int64 (row, 5, ds->labels[i]);
      /* float32 little-endian on every platform we build for (x86-64, aarch64) */
      sqlite3_bind_blob64 (row, 6, pb_dataset_get_sequence (ds, i),
                           (sqlite3_uint64) ds->lengths[i] * ds->n_features * sizeof (float),
                           SQLITE_STATIC);
      if (!pb_sqlite_check (db, sqlite3_step (row), "Cannot store sequence", error))
        return FALSE;
    }

  return TRUE;
}

/**
 * pb_dataset_save:
 * @dataset: a valid dataset
 * @project: where to store it
 * @name: its name in the project; a dataset of that name is replaced
 * @params_json: (nullable): a JSON object saying how it was made
 * @error: return location for an error
 *
 * Stores @dataset in one transaction: either all of it is written or nothing is.
 *
 * Returns: %TRUE on success.
 */
gboolean
pb_dataset_save (const PbDataset  *dataset,
                 PbProject        *project,
                 const char       *name,
                 const char       *params_json,
                 GError          **error)
{
  SaveData data = { dataset, name, params_json };

  g_return_val_if_fail (dataset != NULL, FALSE);
  g_return_val_if_fail (PB_IS_PROJECT (project), FALSE);
  g_return_val_if_fail (name != NULL, FALSE);

  if (!pb_dataset_validate (dataset, error))
    return FALSE;

  return pb_project_run_in_transaction (project, save_in_transaction, &data, error);
}

static char **
feature_names_from_json (const char *text)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GPtrArray) names = g_ptr_array_new ();
  JsonArray *array;

  if (text == NULL || !json_parser_load_from_data (parser, text, -1, NULL) ||
      !JSON_NODE_HOLDS_ARRAY (json_parser_get_root (parser)))
    return NULL;

  array = json_node_get_array (json_parser_get_root (parser));
  if (json_array_get_length (array) == 0)
    return NULL;
  for (guint j = 0; j < json_array_get_length (array); j++)
    g_ptr_array_add (names, g_strdup (json_array_get_string_element (array, j)));
  g_ptr_array_add (names, NULL);

  return (char **) g_ptr_array_free (g_steal_pointer (&names), FALSE);
}

/**
 * pb_dataset_load:
 * @project: a project
 * @name: the dataset's name
 * @error: return location for an error
 *
 * Returns: (transfer full) (nullable): the dataset, or %NULL with @error set.
 */
PbDataset *
pb_dataset_load (PbProject   *project,
                 const char  *name,
                 GError     **error)
{
  sqlite3 *db = pb_project_get_db (project);
  g_autoptr(sqlite3_stmt) head = NULL;
  g_autoptr(sqlite3_stmt) rows = NULL;
  g_autoptr(PbDataset) dataset = NULL;
  gint64 dataset_id;
  guint i = 0;
  int rc;

  g_return_val_if_fail (PB_IS_PROJECT (project), NULL);
  g_return_val_if_fail (name != NULL, NULL);

  head = pb_sqlite_prepare (db,
                            "SELECT dataset_id, n_sequences, max_length, n_features, n_classes, "
                            "feature_names FROM datasets WHERE name = ?1", error);
  if (head == NULL)
    return NULL;
  sqlite3_bind_text (head, 1, name, -1, SQLITE_STATIC);
  rc = sqlite3_step (head);
  if (rc != SQLITE_ROW)
    {
      if (rc == SQLITE_DONE)
        g_set_error (error, PB_ENGINE_ERROR, PB_ENGINE_ERROR_NOT_FOUND,
                     "The project has no dataset named “%s”", name);
      else
        pb_sqlite_check (db, rc, "Cannot read dataset", error);
      return NULL;
    }

  dataset_id = sqlite3_column_int64 (head, 0);
  dataset = pb_dataset_new (sqlite3_column_int (head, 1), sqlite3_column_int (head, 2),
                            sqlite3_column_int (head, 3), sqlite3_column_int (head, 4));
  dataset->feature_names = feature_names_from_json ((const char *) sqlite3_column_text (head, 5));
  dataset->name = g_strdup (name);

  rows = pb_sqlite_prepare (db,
                            "SELECT idx, sample_id, length, label, x FROM dataset_sequences "
                            "WHERE dataset_id = ?1 ORDER BY idx", error);
  if (rows == NULL)
    return NULL;
  sqlite3_bind_int64 (rows, 1, dataset_id);

  while ((rc = sqlite3_step (rows)) == SQLITE_ROW)
    {
      gsize len = sqlite3_column_int (rows, 2);
      gsize bytes = sqlite3_column_bytes (rows, 4);

      if (i >= dataset->n || sqlite3_column_int64 (rows, 0) != i ||
          len == 0 || len > dataset->max_len ||
          bytes != len * dataset->n_features * sizeof (float))
        {
          g_set_error (error, PB_ENGINE_ERROR, PB_ENGINE_ERROR_CORRUPT,
                       "Dataset “%s” is damaged at sequence %u", name, i);
          return NULL;
        }

      dataset->sample_ids[i] = sqlite3_column_int64 (rows, 1);
      dataset->lengths[i] = len;
      dataset->labels[i] = sqlite3_column_int (rows, 3);
      memcpy (pb_dataset_get_sequence (dataset, i), sqlite3_column_blob (rows, 4), bytes);
      i++;
    }

  if (!pb_sqlite_check (db, rc, "Cannot read dataset", error))
    return NULL;

  if (i != dataset->n)
    {
      g_set_error (error, PB_ENGINE_ERROR, PB_ENGINE_ERROR_CORRUPT,
                   "Dataset “%s” is damaged: %u of %u sequences present", name, i, dataset->n);
      return NULL;
    }

  return g_steal_pointer (&dataset);
}

/**
 * pb_dataset_list_names:
 * @project: a project
 * @error: return location for an error
 *
 * Returns: (transfer full) (nullable): names of the stored datasets, oldest first.
 */
char **
pb_dataset_list_names (PbProject  *project,
                       GError    **error)
{
  sqlite3 *db = pb_project_get_db (project);
  g_autoptr(sqlite3_stmt) stmt = NULL;
  g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func (g_free);
  int rc;

  stmt = pb_sqlite_prepare (db, "SELECT name FROM datasets ORDER BY dataset_id", error);
  if (stmt == NULL)
    return NULL;

  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    g_ptr_array_add (names, g_strdup ((const char *) sqlite3_column_text (stmt, 0)));
  if (!pb_sqlite_check (db, rc, "Cannot list datasets", error))
    return NULL;

  g_ptr_array_add (names, NULL);
  g_ptr_array_set_free_func (names, NULL);
  return (char **) g_ptr_array_free (g_steal_pointer (&names), FALSE);
}
