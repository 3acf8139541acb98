/* test-cli-train.c — `perturb train|evaluate|export-model|import-model`: exit
 * codes, outputs and bad input.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "pb-engine.h"
#include "pb-rng.h"
#include "pb-safetensors.h"

#include "pb-test-cli.h"
#include "pb-test-util.h"

#include <string.h>
#include <zlib.h>

#define T 5
#define F 3

static void
save_dataset (const char *path,
              const char *name,
              guint       n,
              gboolean    one_class)
{
  g_autoptr(PbProject) project = NULL;
  g_autoptr(PbDataset) ds = pb_dataset_new (n, T, F, 2);
  g_autoptr(GError) error = NULL;
  PbRng rng;

  pb_rng_init (&rng, n);
  for (guint i = 0; i < n; i++)
    {
      float *seq = pb_dataset_get_sequence (ds, i);
      gboolean pos = !one_class && i % 3 == 0;

      ds->lengths[i] = 1 + (guint) pb_rng_uniform_int (&rng, T);
      ds->labels[i] = pos;
      ds->sample_ids[i] = 1000 + i;
      for (guint t = 0; t < ds->lengths[i]; t++)
        for (guint j = 0; j < F; j++)
          seq[t * F + j] = (float) (pos ? 0.6 + 0.3 * pb_rng_uniform (&rng)
                                        : 0.4 * pb_rng_uniform (&rng));
    }

  project = pb_project_open (path, &error);
  g_assert_no_error (error);
  g_assert_true (pb_dataset_save (ds, project, name, "{}", &error));
  g_assert_no_error (error);
}

static void
test_train_evaluate_export_import (void)
{
  g_autofree char *dir = pb_test_mkdtemp ();
  g_autofree char *project = g_build_filename (dir, "p.perturb", NULL);
  g_autofree char *weights = g_build_filename (dir, "run1.safetensors", NULL);
  g_autoptr(PbSafetensors) st = NULL;
  g_autoptr(GError) error = NULL;
  g_auto(PbTestCliResult) r = { 0 };
  g_autofree char *metrics_run1 = NULL;

  pb_test_run_cli (&r, "project", "new", project, NULL);
  g_assert_cmpint (r.status, ==, 0);
  save_dataset (project, "syn", 60, FALSE);

  pb_test_run_cli (&r, "train", project, "--dataset", "syn", "--hidden", "6", "--fc", "4",
                   "--epochs", "2", "--batch-size", "8", "--lr", "0.01", "--seed", "5", "--json",
                   NULL);
  g_assert_cmpint (r.status, ==, 0);
  g_assert_true (g_str_has_prefix (r.out, "{\"run\":1,\"epochs\":2,\"protocol\":\"standard\","
                                          "\"metrics\":{\"n\":12,"));

  /* extend the run to 3 epochs */
  pb_test_run_cli (&r, "train", project, "--resume", "1", "--epochs", "3", NULL);
  g_assert_cmpint (r.status, ==, 0);
  g_assert_nonnull (strstr (r.out, "Run 1: 3 epochs, protocol standard, 48 training / 12 held-out"));
  g_assert_nonnull (strstr (r.out, "auc"));

  pb_test_run_cli (&r, "evaluate", project, "--run", "1", "--dataset", "syn", "--json", NULL);
  g_assert_cmpint (r.status, ==, 0);
  g_assert_true (g_str_has_prefix (r.out, "{\"n\":60,"));
  metrics_run1 = g_strdup (r.out);

  pb_test_run_cli (&r, "export-model", project, "--run", "1", "-o", weights, NULL);
  g_assert_cmpint (r.status, ==, 0);
  g_assert_nonnull (strstr (r.out, "12 tensors"));
  st = pb_safetensors_load (weights, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (pb_safetensors_get_n_tensors (st), ==, 12);
  g_assert_cmpstr (pb_safetensors_get_nth (st, 0)->name, ==, "0.lstm.weight_ih_l0");
  g_assert_nonnull (pb_safetensors_lookup (st, "0.lstm.bias_hh_l0_reverse"));
  g_assert_cmpuint (pb_safetensors_lookup (st, "3.weight")->shape[1], ==, 12);
  g_assert_cmpuint (pb_safetensors_lookup (st, "5.bias")->shape[0], ==, 2);
  g_assert_null (pb_safetensors_lookup (st, "optimizer.exp_avg"));
  g_assert_cmpstr (pb_safetensors_get_metadata (st, "format"), ==, "pt");

  /* the exported weights come back as run 2 and evaluate identically */
  pb_test_run_cli (&r, "import-model", project, weights, NULL);
  g_assert_cmpint (r.status, ==, 0);
  g_assert_nonnull (strstr (r.out, "as run 2 (F 3, H 6, FC 4, C 2"));
  pb_test_run_cli (&r, "evaluate", project, "--run", "2", "--dataset", "syn", "--json", NULL);
  g_assert_cmpint (r.status, ==, 0);
  g_assert_cmpstr (r.out, ==, metrics_run1);
  pb_test_run_cli (&r, "evaluate", project, "--model", weights, "--dataset", "syn", "--json", NULL);
  g_assert_cmpint (r.status, ==, 0);
  g_assert_cmpstr (r.out, ==, metrics_run1);

  /* the seed preset: evaluation on a weighted resample of the training set */
  pb_test_run_cli (&r, "train", project, "--dataset", "syn", "--hidden", "4", "--fc", "4",
                   "--epochs", "1", "--protocol", "seed", "--optimizer", "sgd", "--momentum", "0.9",
                   "--lr", "0.05", "--json", NULL);
  g_assert_cmpint (r.status, ==, 0);
  g_assert_true (g_str_has_prefix (r.out, "{\"run\":3,\"epochs\":1,\"protocol\":\"seed\","
                                          "\"metrics\":{\"n\":48,"));

  pb_test_rmdir (dir);
}

static void
test_bad_input (void)
{
  g_autofree char *dir = pb_test_mkdtemp ();
  g_autofree char *project = g_build_filename (dir, "p.perturb", NULL);
  g_autofree char *junk = g_build_filename (dir, "junk.safetensors", NULL);
  g_autofree char *empty_dir = g_build_filename (dir, "nothing", NULL);
  g_auto(PbTestCliResult) r = { 0 };

  pb_test_run_cli (&r, "project", "new", project, NULL);
  g_assert_cmpint (r.status, ==, 0);
  save_dataset (project, "syn", 30, FALSE);
  save_dataset (project, "one-class", 20, TRUE);

  pb_test_run_cli (&r, "train", NULL);
  g_assert_cmpint (r.status, ==, 2);
  pb_test_run_cli (&r, "train", "/nonexistent/p.perturb", "--dataset", "syn", NULL);
  g_assert_cmpint (r.status, ==, 2);
  pb_test_run_cli (&r, "train", project, NULL);
  g_assert_cmpint (r.status, ==, 2);
  g_assert_nonnull (strstr (r.err, "--dataset NAME or --fashion-mnist"));
  pb_test_run_cli (&r, "train", project, "--dataset", "missing", NULL);
  g_assert_cmpint (r.status, ==, 2);
  pb_test_run_cli (&r, "train", project, "--dataset", "syn", "--optimizer", "Adagrad", NULL);
  g_assert_cmpint (r.status, ==, 2);
  g_assert_nonnull (strstr (r.err, "Adagrad"));
  pb_test_run_cli (&r, "train", project, "--dataset", "syn", "--protocol", "bogus", NULL);
  g_assert_cmpint (r.status, ==, 2);
  pb_test_run_cli (&r, "train", project, "--dataset", "syn", "--epochs", "0", NULL);
  g_assert_cmpint (r.status, ==, 2);
  pb_test_run_cli (&r, "train", project, "--dataset", "syn", "--valid-fraction", "1.5", NULL);
  g_assert_cmpint (r.status, ==, 2);
  pb_test_run_cli (&r, "train", project, "--dataset", "syn", "--dropout", "1.0", NULL);
  g_assert_cmpint (r.status, ==, 2);
  pb_test_run_cli (&r, "train", project, "--dataset", "syn", "--lr", "-1", NULL);
  g_assert_cmpint (r.status, ==, 2);
  pb_test_run_cli (&r, "train", project, "--dataset", "syn", "--epochs", "x", NULL);
  g_assert_cmpint (r.status, ==, 2);
  /* one class: the stratified split, or the AUC, is undefined — a message, not a crash */
  pb_test_run_cli (&r, "train", project, "--dataset", "one-class", "--epochs", "1", NULL);
  g_assert_cmpint (r.status, ==, 2);
  g_assert_nonnull (strstr (r.err, "class 1"));
  pb_test_run_cli (&r, "train", project, "--dataset", "syn", "--valid-dataset", "one-class",
                   "--epochs", "1", NULL);
  g_assert_cmpint (r.status, ==, 2);
  g_assert_nonnull (strstr (r.err, "AUC"));
  pb_test_run_cli (&r, "train", project, "--resume", "99", NULL);
  g_assert_cmpint (r.status, ==, 2);
  g_assert_nonnull (strstr (r.err, "no training run 99"));
  pb_test_run_cli (&r, "train", project, "--fashion-mnist", "--fashion-mnist-dir", empty_dir, NULL);
  g_assert_cmpint (r.status, ==, 2);
  g_assert_nonnull (strstr (r.err, "no such file"));

  pb_test_run_cli (&r, "evaluate", project, "--dataset", "syn", NULL);
  g_assert_cmpint (r.status, ==, 2);
  pb_test_run_cli (&r, "evaluate", project, "--run", "1", "--model", junk, "--dataset", "syn",
                   NULL);
  g_assert_cmpint (r.status, ==, 2);
  pb_test_run_cli (&r, "evaluate", project, "--run", "7", "--dataset", "syn", NULL);
  g_assert_cmpint (r.status, ==, 2);
  g_assert_nonnull (strstr (r.err, "no checkpoint"));

  pb_test_run_cli (&r, "export-model", project, "--run", "1", NULL);
  g_assert_cmpint (r.status, ==, 2);

  g_assert_true (g_file_set_contents (junk, "\x10\0\0\0\0\0\0\0{\"a\":", 13, NULL));
  pb_test_run_cli (&r, "import-model", project, junk, NULL);
  g_assert_cmpint (r.status, ==, 2);
  g_assert_nonnull (strstr (r.err, "junk.safetensors"));
  pb_test_run_cli (&r, "import-model", project, "/nonexistent.safetensors", NULL);
  g_assert_cmpint (r.status, ==, 2);
  pb_test_run_cli (&r, "import-model", project, junk, "--act-lstm", "sigmoid", NULL);
  g_assert_cmpint (r.status, ==, 2);

  pb_test_rmdir (dir);
}

/* Fashion-MNIST-shaped files: 20 train and 20 test images, labels i % 10 */
static void
write_fake_fashion (const char *dir,
                    const char *prefix)
{
  guint8 labels[8 + 20];
  g_autofree guint8 *images = g_malloc0 (16 + 20 * 784);
  guint32 v;
  g_autofree char *lpath = g_strdup_printf ("%s/%s-labels-idx1-ubyte.gz", dir, prefix);
  g_autofree char *ipath = g_strdup_printf ("%s/%s-images-idx3-ubyte.gz", dir, prefix);
  gzFile gz;

  v = GUINT32_TO_BE (0x801); memcpy (labels, &v, 4);
  v = GUINT32_TO_BE (20); memcpy (labels + 4, &v, 4);
  for (guint i = 0; i < 20; i++)
    labels[8 + i] = i % 10;
  v = GUINT32_TO_BE (0x803); memcpy (images, &v, 4);
  v = GUINT32_TO_BE (20); memcpy (images + 4, &v, 4);
  v = GUINT32_TO_BE (28); memcpy (images + 8, &v, 4); memcpy (images + 12, &v, 4);
  for (guint i = 0; i < 20; i++)
    for (guint k = 0; k < 28; k++)
      images[16 + i * 784 + (i % 10) * 28 + k] = 200;

  gz = gzopen (lpath, "wb");
  gzwrite (gz, labels, sizeof labels);
  gzclose (gz);
  gz = gzopen (ipath, "wb");
  gzwrite (gz, images, 16 + 20 * 784);
  gzclose (gz);
}

static void
test_fashion_mnist (void)
{
  g_autofree char *dir = pb_test_mkdtemp ();
  g_autofree char *project = g_build_filename (dir, "p.perturb", NULL);
  g_auto(PbTestCliResult) r = { 0 };

  write_fake_fashion (dir, "train");
  write_fake_fashion (dir, "t10k");
  pb_test_run_cli (&r, "project", "new", project, NULL);
  pb_test_run_cli (&r, "train", project, "--fashion-mnist", "--fashion-mnist-dir", dir, "--hidden",
                   "4", "--fc", "4", "--epochs", "1", "--batch-size", "10", "--json", NULL);
  g_assert_cmpint (r.status, ==, 0);
  g_assert_true (g_str_has_prefix (r.out, "{\"run\":1,\"epochs\":1,\"protocol\":\"standard\","
                                          "\"metrics\":{\"n\":20,"));
  pb_test_run_cli (&r, "evaluate", project, "--run", "1", "--fashion-mnist", "--fashion-mnist-dir",
                   dir, "--limit", "10", "--json", NULL);
  g_assert_cmpint (r.status, ==, 0);
  g_assert_true (g_str_has_prefix (r.out, "{\"n\":10,"));

  pb_test_rmdir (dir);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/pb/cli/train/evaluate-export-import", test_train_evaluate_export_import);
  g_test_add_func ("/pb/cli/train/bad-input", test_bad_input);
  g_test_add_func ("/pb/cli/train/fashion-mnist", test_fashion_mnist);

  return g_test_run ();
}
