/* test-cli-attack.c — `perturb attack|attack-tune|analyze` on a synthetic cohort:
 * resume after a partial run, the planted signal, CSV export and bad input.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "pb-engine.h"

#include "pb-test-cli.h"
#include "pb-test-util.h"

#include <string.h>

static char *
read_file (const char *dir,
           const char *name)
{
  g_autofree char *path = g_build_filename (dir, name, NULL);
  g_autoptr(GError) error = NULL;
  char *contents = NULL;

  g_file_get_contents (path, &contents, NULL, &error);
  g_assert_no_error (error);
  return contents;
}

#define ATTACK_ARGS "--iterations", "60", "--samples", "120", "--batch-size", "32", \
                    "--lambda", "0.003", "--lr", "0.1", "--kappa", "0"

static void
test_cli_attack_cohort (void)
{
  g_auto(PbTestCliResult) r = { 0 };
  g_autofree char *dir = pb_test_mkdtemp ();
  g_autofree char *db = g_build_filename (dir, "cohort.db", NULL);
  g_autofree char *from = g_strconcat ("sqlite:", db, NULL);
  g_autofree char *project = g_build_filename (dir, "p.perturb", NULL);
  g_autofree char *csv1 = g_build_filename (dir, "csv1", NULL);
  g_autofree char *csv2 = g_build_filename (dir, "csv2", NULL);
  g_autofree char *best1 = NULL;
  g_autofree char *best2 = NULL;
  g_autofree char *gpp = NULL;
  g_autofree char *figs = g_build_filename (dir, "figs", NULL);
  g_autofree char *svg = NULL;
  const char *noise[] = { "potassium", "calcium", "pco2", "sodium", "glucose", "magnesium" };
  const char *rank1;

  /* a synthetic cohort, preprocessed, and a small trained model (run 1) */
  pb_test_run_cli (&r, "synth", "-n", "700", "--sqlite", db, NULL);
  g_assert_cmpint (r.status, ==, 0);
  pb_test_run_cli (&r, "project", "new", project, NULL);
  g_assert_cmpint (r.status, ==, 0);
  pb_test_run_cli (&r, "import", "-f", from, project, NULL);
  g_assert_cmpint (r.status, ==, 0);
  pb_test_run_cli (&r, "preprocess", project, NULL);
  g_assert_cmpint (r.status, ==, 0);
  pb_test_run_cli (&r, "train", project, "--dataset", "default", "--hidden", "16", "--fc", "8",
                   "--epochs", "12", "--lr", "0.005", "--batch-size", "32", NULL);
  g_assert_cmpint (r.status, ==, 0);

  /* run 1: two batches now, the rest after a resume */
  pb_test_run_cli (&r, "attack", project, "--run", "1", ATTACK_ARGS, "--max-batches", "2", NULL);
  g_assert_cmpint (r.status, ==, 0);
  g_assert_nonnull (strstr (r.out, "attack run 1:"));
  g_assert_nonnull (strstr (r.out, "(unfinished)"));
  g_assert_nonnull (strstr (r.err, "--resume 1"));
  pb_test_run_cli (&r, "attack", project, "--resume", "1", NULL);
  g_assert_cmpint (r.status, ==, 0);
  g_assert_null (strstr (r.out, "(unfinished)"));

  /* run 2: the same attack in one go */
  pb_test_run_cli (&r, "attack", project, "--run", "1", ATTACK_ARGS, NULL);
  g_assert_cmpint (r.status, ==, 0);
  g_assert_nonnull (strstr (r.out, "attack run 2:"));

  pb_test_run_cli (&r, "analyze", project, NULL);
  g_assert_cmpint (r.status, ==, 0);
  g_assert_true (g_str_has_prefix (r.out, "run "));
  g_assert_nonnull (strstr (r.out, "\n2 "));

  pb_test_run_cli (&r, "analyze", project, "--attack", "1", "--csv", csv1, NULL);
  g_assert_cmpint (r.status, ==, 0);
  g_assert_nonnull (strstr (r.err, "wrote 29 CSV files"));
  g_test_message ("%s", r.out);

  /* the planted signal: the most susceptible feature is one that carries it */
  rank1 = strstr (r.out, "\n1    ");
  g_assert_nonnull (rank1);
  for (guint i = 0; i < G_N_ELEMENTS (noise); i++)
    g_assert_false (g_str_has_prefix (rank1 + 6, noise[i]));

  pb_test_run_cli (&r, "analyze", project, "--attack", "2", "--csv", csv2, "--figures", figs,
                   "--format", "svg", NULL);
  g_assert_cmpint (r.status, ==, 0);
  g_assert_nonnull (strstr (r.err, "drew"));
  svg = read_file (figs, "gpp_best_0to1.svg");
  g_assert_nonnull (strstr (svg, "<svg"));

  /* resumed = uninterrupted, down to the last digit of every perturbation summary */
  best1 = read_file (csv1, "summary_best.csv");
  best2 = read_file (csv2, "summary_best.csv");
  g_assert_cmpstr (best1, ==, best2);
  g_assert_true (g_str_has_prefix (best1, "dataset_index,attacked_samples_index,orig_label,"));
  gpp = read_file (csv1, "gpp_first_0to1.csv");
  g_assert_true (g_str_has_prefix (gpp, "hour,potassium,calcium,"));

  /* tuning: two trials, each a stored attack run */
  pb_test_run_cli (&r, "attack-tune", project, "--run", "1", "--objective", "sparsity", "--trials",
                   "2", "--iterations", "10", "--samples", "40", "--seed", "3", NULL);
  g_assert_cmpint (r.status, ==, 0);
  g_assert_nonnull (strstr (r.out, "2 trial(s) run"));
  g_assert_nonnull (strstr (r.out, "best: trial"));
  g_assert_nonnull (strstr (r.out, "lambda_1 = "));
  pb_test_run_cli (&r, "analyze", project, NULL);
  g_assert_nonnull (strstr (r.out, "\n4 "));

  /* bad input */
  pb_test_run_cli (&r, "attack", project, "--run", "1", "--lambda", "-1", NULL);
  g_assert_cmpint (r.status, ==, 2);
  g_assert_nonnull (strstr (r.err, "lambda"));
  pb_test_run_cli (&r, "attack", project, "--run", "1", "--iterations", "0", NULL);
  g_assert_cmpint (r.status, ==, 2);
  g_assert_nonnull (strstr (r.err, "iterations"));
  pb_test_run_cli (&r, "attack", project, "--run", "1", "--kappa", "-0.5", NULL);
  g_assert_cmpint (r.status, ==, 2);
  pb_test_run_cli (&r, "attack", project, "--checkpoint", "999", NULL);
  g_assert_cmpint (r.status, ==, 2);
  g_assert_nonnull (strstr (r.err, "999"));
  pb_test_run_cli (&r, "attack", project, "--run", "1", "--dataset", "nope", NULL);
  g_assert_cmpint (r.status, ==, 2);
  g_assert_nonnull (strstr (r.err, "nope"));
  pb_test_run_cli (&r, "attack", project, "--resume", "1", "--lambda", "0.1", NULL);
  g_assert_cmpint (r.status, ==, 2);
  pb_test_run_cli (&r, "analyze", project, "--attack", "99", NULL);
  g_assert_cmpint (r.status, ==, 2);
  g_assert_nonnull (strstr (r.err, "99"));
  pb_test_run_cli (&r, "attack-tune", project, "--run", "1", "--objective", "sparsest", NULL);
  g_assert_cmpint (r.status, ==, 2);
  g_assert_nonnull (strstr (r.err, "sparsest"));

  pb_test_rmdir (dir);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/pb/cli/attack/synthetic-cohort", test_cli_attack_cohort);

  return g_test_run ();
}
