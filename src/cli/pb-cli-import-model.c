/* pb-cli-import-model.c — `perturb import-model PROJECT FILE`: store weights
 * written elsewhere (e.g. a PyTorch state_dict saved as safetensors) as a run.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "pb-cli-data.h"

#include <math.h>
#include <stdio.h>

int
pb_cli_import_model (int    argc,
                     char **argv)
{
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(PbProject) project = NULL;
  g_autoptr(PbModel) model = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *name = NULL;
  g_autofree char *act_lstm = NULL;
  g_autofree char *act_fc = NULL;
  g_autofree char *protocol = NULL;
  double dropout = NAN;
  PbModelConfig fallback;
  gint64 run_id = 0;
  int rc;
  const GOptionEntry entries[] = {
    { "name", 0, 0, G_OPTION_ARG_STRING, &name, "A label for the imported run (default: the file name)", "NAME" },
    { "act-lstm", 0, 0, G_OPTION_ARG_STRING, &act_lstm, "Activation after the LSTM: relu or tanh (tanh)", "ACT" },
    { "act-fc", 0, 0, G_OPTION_ARG_STRING, &act_fc, "Activation after the FC layer: relu or tanh (tanh)", "ACT" },
    { "dropout", 0, 0, G_OPTION_ARG_DOUBLE, &dropout, "Dropout probability, for further training", "P" },
    { "protocol", 0, 0, G_OPTION_ARG_STRING, &protocol, "Protocol preset: standard or seed (standard)", "PRESET" },
    { NULL }
  };

  context = g_option_context_new ("PROJECT FILE — import classifier weights from safetensors");
  g_option_context_set_description (context,
    "FILE holds the reference module tree's state_dict (0.lstm.weight_ih_l0, …, 3.weight,\n"
    "5.bias) as F32/F64/F16/BF16 tensors. Layer sizes come from the shapes; activations\n"
    "and the protocol preset cannot be seen in the weights: give them if they are not tanh\n"
    "and standard.");
  g_option_context_add_main_entries (context, entries, NULL);
  if ((rc = pb_cli_parse_options (context, &argc, &argv)) != PB_CLI_EXIT_OK)
    return rc;
  if (argc != 3)
    return pb_cli_usage_error (context, "import-model needs a PROJECT and a FILE");

  pb_model_config_init (&fallback);
  if (!isnan (dropout))
    fallback.dropout = dropout;
  if (!pb_cli_parse_model_overrides (&fallback, act_lstm, act_fc, protocol, &error))
    return pb_cli_report_error (error);

  project = pb_project_open (argv[1], &error);
  if (project == NULL)
    return pb_cli_report_error (error);

  model = pb_cli_load_model (NULL, 0, -1, argv[2], &fallback, &error);
  if (model == NULL)
    return pb_cli_report_error (error);

  if (name == NULL)
    name = g_path_get_basename (argv[2]);
  if (!pb_train_import_model (project, model, name, &run_id, &error))
    return pb_cli_report_error (error);

  printf ("Imported %s as run %" G_GINT64_FORMAT " (F %u, H %u, FC %u, C %u, protocol %s)\n",
          argv[2], run_id, pb_model_get_config (model)->n_features,
          pb_model_get_config (model)->n_hidden, pb_model_get_config (model)->n_fc,
          pb_model_get_config (model)->n_classes,
          pb_protocol_get_name (pb_model_get_config (model)->protocol));
  return PB_CLI_EXIT_OK;
}
