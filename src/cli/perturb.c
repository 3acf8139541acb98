/* perturb.c — the `perturb` command-line tool: one engine, no display needed.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "pb-cli.h"

#include <glib/gi18n.h>
#include <locale.h>
#include <stdio.h>

static const PbCliCommand commands[] = {
  { "figure", "Draw a workbench figure of a project (or demo data) into PNG, SVG or PDF", pb_cli_figure },
  { "project", "Create a project or show what it contains", pb_cli_project },
  { "synth", "Write a synthetic MIMIC-III cohort (SQLite or PostgreSQL)", pb_cli_synth },
  { "import", "Import MIMIC-III query results into a project", pb_cli_import },
  { "preprocess", "Build the 48-hour sequences dataset from the imported data", pb_cli_preprocess },
  { "train", "Train the BiLSTM classifier (project dataset or Fashion-MNIST)", pb_cli_train },
  { "evaluate", "Metrics of a trained model on a dataset", pb_cli_evaluate },
  { "export-model", "Write a run's weights as safetensors for PyTorch", pb_cli_export_model },
  { "import-model", "Import classifier weights from a safetensors file", pb_cli_import_model },
  { "tune", "Tune hyperparameters in an Optuna-compatible study (one or many workers)", pb_cli_tune },
  { "study", "List a study's trials and best trial, export them as CSV", pb_cli_study },
  { "cv", "Cross-validate hyperparameters: k folds × epochs, best checkpoint per fold (resumable)", pb_cli_cv },
  { "attribute", "Attribution maps (gradient × input, integrated gradients, occlusion)", pb_cli_attribute },
  { "fgsm", "FGSM robustness curve: accuracy and AUC against ε", pb_cli_fgsm },
  { "attack", "Sparse adversarial attack on a stored model (resumable)", pb_cli_attack },
  { "attack-tune", "Tune the attack's hyperparameters against a sparsity objective", pb_cli_attack_tune },
  { "tune-attack", "Same as attack-tune", pb_cli_attack_tune },
  { "analyze", "Success, sparsity and susceptibility of an attack run; CSV export", pb_cli_analyze },
};

int
main (int    argc,
      char **argv)
{
  setlocale (LC_ALL, "");
  bindtextdomain (GETTEXT_PACKAGE, LOCALEDIR);
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  textdomain (GETTEXT_PACKAGE);

  g_set_prgname ("perturb");

  if (argc >= 2 && (g_str_equal (argv[1], "--version") || g_str_equal (argv[1], "-V")))
    {
      printf ("perturb %s\n", PACKAGE_VERSION);
      return PB_CLI_EXIT_OK;
    }

  return pb_cli_run_subcommands ("perturb", commands, G_N_ELEMENTS (commands), argc, argv);
}
