/* pb-cli-export-model.c — `perturb export-model PROJECT --run RUN -o FILE`:
 * weights as safetensors that PyTorch loads into the reference module tree.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "pb-cli-data.h"

#include <stdio.h>

int
pb_cli_export_model (int    argc,
                     char **argv)
{
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(PbProject) project = NULL;
  g_autoptr(PbModel) model = NULL;
  g_autoptr(PbSafetensors) st = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *output = NULL;
  gint64 run_id = 0;
  gint epoch = -1;
  int rc;
  const GOptionEntry entries[] = {
    { "run", 0, 0, G_OPTION_ARG_INT64, &run_id, "The run to export", "RUN" },
    { "epoch", 0, 0, G_OPTION_ARG_INT, &epoch, "The checkpoint's epoch (default: the latest)", "E" },
    { "output", 'o', 0, G_OPTION_ARG_FILENAME, &output, "The safetensors file to write", "FILE" },
    { NULL }
  };

  context = g_option_context_new ("PROJECT — write a run's weights as safetensors");
  g_option_context_set_description (context,
    "In PyTorch: model.load_state_dict(safetensors.torch.load_file(FILE)) where model is\n"
    "the reference nn.Sequential (BiLSTM wrapper with attribute 'lstm', activation,\n"
    "dropout, Linear, activation, Linear, Softmax).");
  g_option_context_add_main_entries (context, entries, NULL);
  if ((rc = pb_cli_parse_options (context, &argc, &argv)) != PB_CLI_EXIT_OK)
    return rc;
  if (argc != 2)
    return pb_cli_usage_error (context, "export-model needs exactly one PROJECT");
  if (run_id <= 0 || output == NULL)
    return pb_cli_usage_error (context, "export-model needs --run RUN and --output FILE");

  project = pb_project_open (argv[1], &error);
  if (project == NULL)
    return pb_cli_report_error (error);

  model = pb_cli_load_model (project, run_id, epoch, NULL, NULL, &error);
  if (model == NULL)
    return pb_cli_report_error (error);

  /* weights only, so load_state_dict(strict=True) finds exactly its keys */
  st = pb_safetensors_new ();
  pb_checkpoint_write_weights (model, st);
  if (!pb_safetensors_save (st, output, &error))
    return pb_cli_report_error (error);

  printf ("Wrote %s (%u tensors, %" G_GSIZE_FORMAT " parameters)\n", output,
          pb_safetensors_get_n_tensors (st), pb_model_get_n_params (model));
  return PB_CLI_EXIT_OK;
}
