/* test-data-reference.c — preprocessing against the seed's pandas pipeline
 * (tests/tools/preprocess_reference.py) on a synthetic cohort: every sample,
 * length, label and value must agree to 1e-6.
 *
 * Skipped (exit 77) when /usr/bin/python3 has no pandas.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "pb-engine.h"

#include "pb-test-util.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PYTHON "/usr/bin/python3"

static gboolean
have_pandas (void)
{
  const char *argv[] = { PYTHON, "-c", "import pandas, numpy", NULL };
  int status = -1;

  if (!g_file_test (PYTHON, G_FILE_TEST_IS_EXECUTABLE))
    return FALSE;
  if (!g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_STDOUT_TO_DEV_NULL | G_SPAWN_STDERR_TO_DEV_NULL,
                     NULL, NULL, NULL, NULL, &status, NULL))
    return FALSE;
  return g_spawn_check_wait_status (status, NULL);
}

static void
compare_with_reference (guint   n_stays,
                        guint64 seed)
{
  g_autofree char *dir = pb_test_mkdtemp ();
  g_autofree char *mimic = g_build_filename (dir, "mimic.sqlite", NULL);
  g_autofree char *path = g_build_filename (dir, "p.perturb", NULL);
  g_autofree char *out = g_build_filename (dir, "reference.csv", NULL);
  g_autofree char *script = g_test_build_filename (G_TEST_DIST, "tools", "preprocess_reference.py", NULL);
  g_autofree char *contents = NULL;
  g_autofree char *py_err = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(PbProject) project = NULL;
  g_autoptr(PbDataset) ds = NULL;
  g_autoptr(GHashTable) index = g_hash_table_new (g_int64_hash, g_int64_equal);
  g_auto(GStrv) lines = NULL;
  PbSynthParams params;
  const char *argv[] = { PYTHON, script, dir, out, NULL };
  int status;
  double maxdiff = 0;
  guint n_rows = 0, n_samples = 0;

  pb_synth_params_init (&params);
  params.n_stays = n_stays;
  params.seed = seed;
  g_assert_true (pb_synth_write_sqlite (&params, mimic, NULL, NULL, NULL, NULL, &error));
  g_assert_no_error (error);
  project = pb_project_create (path, &error);
  g_assert_no_error (error);
  g_assert_true (pb_source_import_sqlite (project, mimic, NULL, NULL, NULL, NULL, &error));
  g_assert_no_error (error);
  g_assert_true (pb_preprocess_export_csv (project, dir, &error));
  g_assert_no_error (error);

  ds = pb_preprocess_run (project, NULL, NULL, NULL, NULL, NULL, &error);
  g_assert_no_error (error);
  for (guint i = 0; i < ds->n; i++)
    g_hash_table_insert (index, &ds->sample_ids[i], GUINT_TO_POINTER (i + 1));

  g_assert_true (g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_STDOUT_TO_DEV_NULL, NULL, NULL,
                               NULL, &py_err, &status, &error));
  g_assert_no_error (error);
  if (!g_spawn_check_wait_status (status, NULL))
    g_error ("%s failed: %s", script, py_err);

  g_assert_true (g_file_get_contents (out, &contents, NULL, &error));
  lines = g_strsplit (contents, "\n", -1);
  for (guint k = 0; lines[k] != NULL; k++)
    {
      g_auto(GStrv) p = NULL;
      gint64 hadm;
      guint i, length, t;
      int label;
      const float *x;

      if (*lines[k] == '\0')
        continue;
      p = g_strsplit (lines[k], ",", -1);
      g_assert_cmpuint (g_strv_length (p), ==, 4 + 19);
      hadm = g_ascii_strtoll (p[0], NULL, 10);
      label = (int) g_ascii_strtoll (p[1], NULL, 10);
      length = (guint) g_ascii_strtoull (p[2], NULL, 10);
      t = (guint) g_ascii_strtoull (p[3], NULL, 10);

      i = GPOINTER_TO_UINT (g_hash_table_lookup (index, &hadm));
      if (i == 0)
        g_error ("hadm %" G_GINT64_FORMAT " is a sample of the reference, not of ours", hadm);
      i--;
      g_assert_cmpuint (ds->lengths[i], ==, length);
      g_assert_cmpint (ds->labels[i], ==, label);
      n_samples += t == 0;
      x = pb_dataset_get_sequence (ds, i) + (gsize) t * 19;
      for (guint f = 0; f < 19; f++)
        {
          double ref = g_ascii_strtod (p[4 + f], NULL);
          double d = fabs (ref - x[f]);

          if (d > 1e-6)
            g_error ("hadm %" G_GINT64_FORMAT " hour %u %s: ours %.9g, pandas %.9g", hadm, t,
                     pb_preprocess_feature_names[f], x[f], ref);
          maxdiff = MAX (maxdiff, d);
        }
      n_rows++;
    }

  g_assert_cmpuint (n_samples, ==, ds->n);
  g_test_message ("%u samples, %u hourly rows, max |ours − pandas| = %.3g", n_samples, n_rows, maxdiff);

  g_clear_object (&project);
  pb_test_rmdir (dir);
}

static void
test_reference_default (void)
{
  compare_with_reference (200, 20230617);
}

static void
test_reference_other_seed (void)
{
  compare_with_reference (80, 7);
}

int
main (int    argc,
      char **argv)
{
  if (!have_pandas ())
    {
      printf ("1..0 # SKIP %s has no pandas (apt-get install python3-pandas)\n", PYTHON);
      return 77;
    }

  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/pb/data/reference/pandas", test_reference_default);
  g_test_add_func ("/pb/data/reference/pandas-other-seed", test_reference_other_seed);

  return g_test_run ();
}
