/* pb-dataset.h — variable-length labelled sequences, in memory and in a project.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

#include "pb-project.h"

G_BEGIN_DECLS

/**
 * PbDataset:
 * @n: number of sequences
 * @max_len: T, the longest allowed sequence (rows of @x per sequence)
 * @n_features: F, columns per time step
 * @n_classes: C, labels are 0…C−1
 * @x: (n, T, F) float32, row-major; steps t ≥ lengths[i] are zero
 * @lengths: (n) 1…T
 * @labels: (n) 0…C−1
 * @sample_ids: (n) stable ids (hadm_id for MIMIC-III, row number otherwise)
 * @feature_names: (F) (nullable) names of the columns, %NULL-terminated
 * @name: (nullable) name under which the dataset is stored in a project
 *
 * A plain struct: fields are read directly. Build one with pb_dataset_new() and
 * fill @x, @lengths, @labels, @sample_ids.
 */
typedef struct
{
  guint    n;
  guint    max_len;
  guint    n_features;
  guint    n_classes;
  float   *x;
  guint   *lengths;
  gint    *labels;
  gint64  *sample_ids;
  char   **feature_names;
  char    *name;
} PbDataset;

PbDataset *pb_dataset_new             (guint              n,
                                       guint              max_len,
                                       guint              n_features,
                                       guint              n_classes);
void       pb_dataset_free            (PbDataset         *dataset);
gboolean   pb_dataset_validate        (const PbDataset   *dataset,
                                       GError           **error);
PbDataset *pb_dataset_subset          (const PbDataset   *dataset,
                                       const guint       *indices,
                                       guint              n_indices);
void       pb_dataset_count_classes   (const PbDataset   *dataset,
                                       guint             *counts);
gboolean   pb_dataset_save            (const PbDataset   *dataset,
                                       PbProject         *project,
                                       const char        *name,
                                       const char        *params_json,
                                       GError           **error);
PbDataset *pb_dataset_load            (PbProject         *project,
                                       const char        *name,
                                       GError           **error);
char     **pb_dataset_list_names      (PbProject         *project,
                                       GError           **error);

static inline float *
pb_dataset_get_sequence (const PbDataset *dataset,
                         guint            i)
{
  return dataset->x + (gsize) i * dataset->max_len * dataset->n_features;
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (PbDataset, pb_dataset_free)

G_END_DECLS
