/* pb-cli-evaluate.c — `perturb evaluate PROJECT`: metrics of a stored
 * checkpoint or a safetensors file on a dataset.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "pb-cli-data.h"

#include <stdio.h>

int
pb_cli_evaluate (int    argc,
                 char **argv)
{
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(PbProject) project = NULL;
  g_autoptr(PbDataset) dataset = NULL;
  g_autoptr(PbModel) model = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *dataset_name = NULL;
  g_autofree char *model_path = NULL;
  g_autofree char *fashion_dir = NULL;
  g_autofree char *act_lstm = NULL;
  g_autofree char *act_fc = NULL;
  g_autofree char *protocol = NULL;
  gboolean fashion = FALSE;
  gboolean train_split = FALSE;
  gboolean json = FALSE;
  gint64 run_id = 0;
  gint epoch = -1;
  gint limit = 0;
  gint batch = 128;
  PbModelConfig fallback;
  PbMetrics metrics;
  int rc;
  const GOptionEntry entries[] = {
    { "run", 0, 0, G_OPTION_ARG_INT64, &run_id, "Evaluate a checkpoint of run RUN", "RUN" },
    { "epoch", 0, 0, G_OPTION_ARG_INT, &epoch, "The checkpoint's epoch (default: the latest)", "E" },
    { "model", 0, 0, G_OPTION_ARG_FILENAME, &model_path, "Evaluate weights from a safetensors file", "FILE" },
    { "dataset", 0, 0, G_OPTION_ARG_STRING, &dataset_name, "Dataset in the project", "NAME" },
    { "fashion-mnist", 0, 0, G_OPTION_ARG_NONE, &fashion, "Fashion-MNIST test split", NULL },
    { "fashion-mnist-dir", 0, 0, G_OPTION_ARG_FILENAME, &fashion_dir, "Where the Fashion-MNIST files are", "DIR" },
    { "train-split", 0, 0, G_OPTION_ARG_NONE, &train_split, "Fashion-MNIST: the train split instead", NULL },
    { "limit", 0, 0, G_OPTION_ARG_INT, &limit, "Fashion-MNIST: first N images", "N" },
    { "batch-size", 0, 0, G_OPTION_ARG_INT, &batch, "Sequences per forward pass (128)", "B" },
    { "act-lstm", 0, 0, G_OPTION_ARG_STRING, &act_lstm, "For files without a model config: relu or tanh", "ACT" },
    { "act-fc", 0, 0, G_OPTION_ARG_STRING, &act_fc, "For files without a model config: relu or tanh", "ACT" },
    { "protocol", 0, 0, G_OPTION_ARG_STRING, &protocol, "For files without a model config: standard or seed", "PRESET" },
    { "json", 0, 0, G_OPTION_ARG_NONE, &json, "Print the metrics as JSON", NULL },
    { NULL }
  };

  context = g_option_context_new ("PROJECT — metrics of a trained model on a dataset");
  g_option_context_add_main_entries (context, entries, NULL);
  pb_cli_add_backend_option (context);
  if ((rc = pb_cli_parse_options (context, &argc, &argv)) != PB_CLI_EXIT_OK)
    return rc;
  if (argc != 2)
    return pb_cli_usage_error (context, "evaluate needs exactly one PROJECT");
  if ((run_id > 0) == (model_path != NULL))
    return pb_cli_usage_error (context, "give either --run RUN or --model FILE");
  if ((dataset_name == NULL) == !fashion)
    return pb_cli_usage_error (context, "give either --dataset NAME or --fashion-mnist");
  if (batch <= 0 || limit < 0)
    return pb_cli_usage_error (context, "--batch-size and --limit must be positive");

  project = pb_project_open (argv[1], &error);
  if (project == NULL)
    return pb_cli_report_error (error);

  pb_model_config_init (&fallback);
  if (!pb_cli_parse_model_overrides (&fallback, act_lstm, act_fc, protocol, &error))
    return pb_cli_report_error (error);
  model = pb_cli_load_model (project, run_id, epoch, model_path, &fallback, &error);
  if (model == NULL)
    return pb_cli_report_error (error);

  if (fashion)
    dataset = pb_fashion_mnist_load (fashion_dir, train_split ? PB_FASHION_MNIST_SPLIT_TRAIN
                                                              : PB_FASHION_MNIST_SPLIT_TEST,
                                     (guint) limit, &error);
  else
    dataset = pb_dataset_load (project, dataset_name, &error);
  if (dataset == NULL)
    return pb_cli_report_error (error);

  if (!pb_evaluate_model (model, dataset, (guint) batch, &metrics, NULL, &error))
    return pb_cli_report_error (error);

  if (!json)
    printf ("Protocol %s, %s\n", pb_protocol_get_name (pb_model_get_config (model)->protocol),
            fashion ? "Fashion-MNIST" : dataset_name);
  pb_cli_print_metrics (&metrics, json);
  return PB_CLI_EXIT_OK;
}
