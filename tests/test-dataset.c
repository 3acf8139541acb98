/* test-dataset.c — PbDataset: validation, subsets, storage round trip.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "pb-engine.h"

#include "pb-test-util.h"

#include <math.h>
#include <string.h>

static PbDataset *
make_dataset (void)
{
  PbDataset *ds = pb_dataset_new (3, 4, 2, 2);
  const char *names[] = { "heart rate", "lactate", NULL };

  for (guint i = 0; i < ds->n; i++)
    {
      float *seq = pb_dataset_get_sequence (ds, i);

      ds->lengths[i] = i + 2;
      ds->labels[i] = i % 2;
      ds->sample_ids[i] = 100 + i;
      for (guint t = 0; t < ds->lengths[i]; t++)
        for (guint j = 0; j < ds->n_features; j++)
          seq[t * ds->n_features + j] = 0.1f * i + 0.01f * t + 0.001f * j;
    }
  ds->feature_names = g_strdupv ((char **) names);
  return ds;
}

static void
test_validate (void)
{
  g_autoptr(PbDataset) ds = make_dataset ();
  g_autoptr(PbDataset) empty = pb_dataset_new (0, 4, 2, 2);
  g_autoptr(GError) error = NULL;

  g_assert_true (pb_dataset_validate (ds, &error));
  g_assert_no_error (error);

  g_assert_false (pb_dataset_validate (empty, &error));
  g_assert_error (error, PB_ENGINE_ERROR, PB_ENGINE_ERROR_INVALID_DATA);
  g_clear_error (&error);

  ds->lengths[1] = 0;
  g_assert_false (pb_dataset_validate (ds, &error));
  g_assert_error (error, PB_ENGINE_ERROR, PB_ENGINE_ERROR_INVALID_DATA);
  g_assert_nonnull (strstr (error->message, "length 0"));
  g_clear_error (&error);

  ds->lengths[1] = 5;
  g_assert_false (pb_dataset_validate (ds, &error));
  g_assert_nonnull (strstr (error->message, "length 5"));
  g_clear_error (&error);
  ds->lengths[1] = 3;

  ds->labels[2] = 2;
  g_assert_false (pb_dataset_validate (ds, &error));
  g_assert_nonnull (strstr (error->message, "label 2"));
  g_clear_error (&error);
  ds->labels[2] = 0;

  pb_dataset_get_sequence (ds, 0)[3] = NAN;
  g_assert_false (pb_dataset_validate (ds, &error));
  g_assert_nonnull (strstr (error->message, "step 1, feature 1"));
  g_clear_error (&error);
  pb_dataset_get_sequence (ds, 0)[3] = INFINITY;
  g_assert_false (pb_dataset_validate (ds, &error));
}

static void
test_subset_and_counts (void)
{
  g_autoptr(PbDataset) ds = make_dataset ();
  const guint rows[] = { 2, 0, 2 };
  g_autoptr(PbDataset) sub = pb_dataset_subset (ds, rows, 3);
  guint counts[2];

  g_assert_cmpuint (sub->n, ==, 3);
  g_assert_cmpuint (sub->lengths[0], ==, 4);
  g_assert_cmpint (sub->sample_ids[1], ==, 100);
  g_assert_cmpfloat (pb_dataset_get_sequence (sub, 2)[1], ==, pb_dataset_get_sequence (ds, 2)[1]);
  pb_dataset_count_classes (sub, counts);
  g_assert_cmpuint (counts[0], ==, 3);
  g_assert_cmpuint (counts[1], ==, 0);
}

static void
test_save_load (void)
{
  g_autofree char *dir = pb_test_mkdtemp ();
  g_autofree char *path = g_build_filename (dir, "d.perturb", NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(PbProject) project = pb_project_create (path, &error);
  g_autoptr(PbDataset) ds = make_dataset ();
  g_autoptr(PbDataset) back = NULL;
  g_auto(GStrv) names = NULL;

  g_assert_no_error (error);
  g_assert_true (pb_dataset_save (ds, project, "train", "{\"source\":\"test\"}", &error));
  g_assert_no_error (error);
  /* saving again under the same name replaces it */
  g_assert_true (pb_dataset_save (ds, project, "train", NULL, &error));

  back = pb_dataset_load (project, "train", &error);
  g_assert_no_error (error);
  g_assert_cmpuint (back->n, ==, 3);
  g_assert_cmpuint (back->max_len, ==, 4);
  g_assert_cmpuint (back->n_features, ==, 2);
  g_assert_cmpstr (back->feature_names[1], ==, "lactate");
  g_assert_cmpmem (back->x, sizeof (float) * 3 * 4 * 2, ds->x, sizeof (float) * 3 * 4 * 2);
  g_assert_cmpmem (back->lengths, sizeof (guint) * 3, ds->lengths, sizeof (guint) * 3);
  g_assert_cmpint (back->sample_ids[2], ==, 102);

  names = pb_dataset_list_names (project, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (g_strv_length (names), ==, 1);

  g_assert_null (pb_dataset_load (project, "nope", &error));
  g_assert_error (error, PB_ENGINE_ERROR, PB_ENGINE_ERROR_NOT_FOUND);
  g_clear_error (&error);

  /* an invalid dataset is refused and nothing is written */
  ds->labels[0] = 7;
  g_assert_false (pb_dataset_save (ds, project, "bad", NULL, &error));
  g_assert_error (error, PB_ENGINE_ERROR, PB_ENGINE_ERROR_INVALID_DATA);
  g_clear_error (&error);
  g_assert_null (pb_dataset_load (project, "bad", &error));

  g_clear_object (&project);
  pb_test_rmdir (dir);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/pb/dataset/validate", test_validate);
  g_test_add_func ("/pb/dataset/subset-and-counts", test_subset_and_counts);
  g_test_add_func ("/pb/dataset/save-load", test_save_load);

  return g_test_run ();
}
