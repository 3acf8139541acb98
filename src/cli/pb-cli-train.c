/* pb-cli-train.c — `perturb train PROJECT`: train the BiLSTM classifier on a
 * project dataset or Fashion-MNIST, storing runs, metrics and checkpoints.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "pb-cli-data.h"

#include <math.h>
#include <stdio.h>

typedef struct
{
  PbMetrics metrics;
  gboolean  have_metrics;
  gint64    run_id;
  guint     epoch;
} TrainReport;

static void
train_progress_cb (double        fraction,
                   const char   *message,
                   gconstpointer details,
                   gpointer      user_data)
{
  const PbTrainProgress *p = details;
  TrainReport *r = user_data;

  if (p != NULL)
    {
      if (p->metrics != NULL)
        {
          r->metrics = *p->metrics;
          r->have_metrics = TRUE;
        }
      if (p->run_id > 0)
        r->run_id = p->run_id;
      if (p->step == 0)
        r->epoch = p->epoch;
    }
  pb_cli_progress (fraction, message, details, NULL);
}

int
pb_cli_train (int    argc,
              char **argv)
{
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(PbProject) project = NULL;
  g_autoptr(PbDataset) train = NULL;
  g_autoptr(PbDataset) valid = NULL;
  g_autoptr(GError) error = NULL;
  g_auto(PbCliDataSpec) spec = { 0 };
  g_autofree char *dataset = NULL;
  g_autofree char *valid_dataset = NULL;
  g_autofree char *fashion_dir = NULL;
  g_autofree char *act_lstm = NULL;
  g_autofree char *act_fc = NULL;
  g_autofree char *optimizer = NULL;
  g_autofree char *protocol = NULL;
  g_autofree char *spec_json = NULL;
  gboolean fashion = FALSE;
  gboolean json = FALSE;
  gint limit = 0, valid_limit = 0;
  gint hidden = -1, fc = -1, batch = -1, eval_batch = -1, epochs = -1;
  gint eval_every = -1, checkpoint_every = -1, threads = -1;
  gint64 seed = -1, resume = 0;
  double dropout = NAN, lr = NAN, weight_decay = NAN, momentum = NAN;
  double valid_fraction = 0.2;
  TrainReport report = { 0 };
  PbTrainConfig config;
  int rc;
  const GOptionEntry entries[] = {
    { "dataset", 0, 0, G_OPTION_ARG_STRING, &dataset, "Dataset in the project to train on", "NAME" },
    { "valid-dataset", 0, 0, G_OPTION_ARG_STRING, &valid_dataset, "Held-out dataset (default: a stratified share of --dataset)", "NAME" },
    { "valid-fraction", 0, 0, G_OPTION_ARG_DOUBLE, &valid_fraction, "Share of --dataset held out (default 0.2)", "F" },
    { "fashion-mnist", 0, 0, G_OPTION_ARG_NONE, &fashion, "Train on Fashion-MNIST (train split; test split held out)", NULL },
    { "fashion-mnist-dir", 0, 0, G_OPTION_ARG_FILENAME, &fashion_dir, "Where the Fashion-MNIST files are", "DIR" },
    { "limit", 0, 0, G_OPTION_ARG_INT, &limit, "Fashion-MNIST: first N training images", "N" },
    { "valid-limit", 0, 0, G_OPTION_ARG_INT, &valid_limit, "Fashion-MNIST: first N test images", "N" },
    { "hidden", 0, 0, G_OPTION_ARG_INT, &hidden, "LSTM hidden units per direction (128)", "H" },
    { "fc", 0, 0, G_OPTION_ARG_INT, &fc, "Units of the fully connected layer (16)", "N" },
    { "act-lstm", 0, 0, G_OPTION_ARG_STRING, &act_lstm, "Activation after the LSTM: relu or tanh", "ACT" },
    { "act-fc", 0, 0, G_OPTION_ARG_STRING, &act_fc, "Activation after the FC layer: relu or tanh", "ACT" },
    { "dropout", 0, 0, G_OPTION_ARG_DOUBLE, &dropout, "Dropout probability (0.029)", "P" },
    { "optimizer", 0, 0, G_OPTION_ARG_STRING, &optimizer, "Adam, RMSprop or SGD (Adam)", "NAME" },
    { "lr", 0, 0, G_OPTION_ARG_DOUBLE, &lr, "Learning rate (2.78e-4)", "LR" },
    { "weight-decay", 0, 0, G_OPTION_ARG_DOUBLE, &weight_decay, "L2 weight decay (0)", "WD" },
    { "momentum", 0, 0, G_OPTION_ARG_DOUBLE, &momentum, "SGD/RMSprop momentum (0)", "M" },
    { "batch-size", 0, 0, G_OPTION_ARG_INT, &batch, "Training batch size (32)", "B" },
    { "eval-batch-size", 0, 0, G_OPTION_ARG_INT, &eval_batch, "Evaluation batch size (128)", "B" },
    { "epochs", 0, 0, G_OPTION_ARG_INT, &epochs, "Epochs in total (10)", "N" },
    { "eval-every", 0, 0, G_OPTION_ARG_INT, &eval_every, "Evaluate every N epochs (1)", "N" },
    { "checkpoint-every", 0, 0, G_OPTION_ARG_INT, &checkpoint_every, "Checkpoint every N epochs (1)", "N" },
    { "seed", 0, 0, G_OPTION_ARG_INT64, &seed, "Seed of weights, sampler, dropout, split (12345678)", "S" },
    { "threads", 0, 0, G_OPTION_ARG_INT, &threads, "Threads per forward/backward (0: one per processor)", "N" },
    { "protocol", 0, 0, G_OPTION_ARG_STRING, &protocol, "Protocol preset: standard or seed", "PRESET" },
    { "resume", 0, 0, G_OPTION_ARG_INT64, &resume, "Continue run RUN from its last checkpoint", "RUN" },
    { "json", 0, 0, G_OPTION_ARG_NONE, &json, "Print the final metrics as JSON", NULL },
    { NULL }
  };

  context = g_option_context_new ("PROJECT — train the BiLSTM classifier");
  g_option_context_add_main_entries (context, entries, NULL);
  pb_cli_add_backend_option (context);
  if ((rc = pb_cli_parse_options (context, &argc, &argv)) != PB_CLI_EXIT_OK)
    return rc;
  if (argc != 2)
    return pb_cli_usage_error (context, "train needs exactly one PROJECT");
  if (resume < 0)
    return pb_cli_usage_error (context, "--resume needs a run id");
  if (resume == 0 && (dataset == NULL) == !fashion)
    return pb_cli_usage_error (context, "give either --dataset NAME or --fashion-mnist");
  if (resume > 0 && (dataset != NULL || fashion))
    return pb_cli_usage_error (context, "--resume uses the run's own data; drop --dataset/--fashion-mnist");
  if (limit < 0 || valid_limit < 0 || (epochs != -1 && epochs <= 0) ||
      (batch != -1 && batch <= 0) || (eval_batch != -1 && eval_batch <= 0) ||
      (hidden != -1 && hidden <= 0) || (fc != -1 && fc <= 0) ||
      (eval_every != -1 && eval_every < 0) || (checkpoint_every != -1 && checkpoint_every < 0) ||
      (seed != -1 && seed < 0) || (threads != -1 && threads < 0))
    return pb_cli_usage_error (context, "counts, sizes and the seed must be positive");
  if (!(valid_fraction > 0 && valid_fraction < 1))
    return pb_cli_usage_error (context, "--valid-fraction must be in (0, 1)");

  project = pb_project_open (argv[1], &error);
  if (project == NULL)
    return pb_cli_report_error (error);

  if (resume > 0)
    {
      g_autofree char *stored = NULL;

      if (!pb_train_load_run_config (project, resume, &config, &stored, &error) ||
          !pb_cli_data_spec_from_json (&spec, stored, &error) ||
          !pb_cli_data_spec_load (&spec, project, config.seed, &train, &valid, &error))
        return pb_cli_report_error (error);

      report.run_id = resume;
      if (!pb_train_resume (project, resume, epochs > 0 ? (guint) epochs : 0, train, valid,
                            train_progress_cb, &report, NULL, &error))
        return pb_cli_report_error (error);
    }
  else
    {
      PbOptimKind kind = PB_OPTIM_KIND_ADAM;
      PbModelConfig check;

      pb_train_config_init (&config);
      if (optimizer != NULL)
        {
          if (!pb_optim_kind_from_name (optimizer, &kind))
            return pb_cli_usage_error (context, "unknown optimizer “%s” (Adam, RMSprop, SGD)",
                                       optimizer);
          if (kind != PB_OPTIM_KIND_ADAM)
            {
              double keep_lr = config.optim.lr;

              pb_optim_config_init (&config.optim, kind);
              config.optim.lr = keep_lr;
            }
        }
      if (!pb_cli_parse_model_overrides (&config.model, act_lstm, act_fc, protocol, &error))
        return pb_cli_report_error (error);
      if (hidden > 0)
        config.model.n_hidden = hidden;
      if (fc > 0)
        config.model.n_fc = fc;
      if (!isnan (dropout))
        config.model.dropout = dropout;
      if (!isnan (lr))
        config.optim.lr = lr;
      if (!isnan (weight_decay))
        config.optim.weight_decay = weight_decay;
      if (!isnan (momentum))
        config.optim.momentum = momentum;
      if (batch > 0)
        config.batch_size = batch;
      if (eval_batch > 0)
        config.eval_batch_size = eval_batch;
      if (epochs > 0)
        config.n_epochs = epochs;
      if (eval_every >= 0)
        config.eval_every = eval_every;
      if (checkpoint_every >= 0)
        config.checkpoint_every = checkpoint_every;
      if (seed >= 0)
        config.seed = (guint64) seed;
      if (threads >= 0)
        config.n_threads = (guint) threads;
      /* sizes of the data are filled in later: check the rest now */
      check = config.model;
      check.n_features = 1;
      check.n_classes = 2;
      if (!pb_model_config_validate (&check, &error) ||
          !pb_train_config_validate (&config, &error))
        return pb_cli_report_error (error);

      spec.dataset = g_steal_pointer (&dataset);
      spec.valid_dataset = g_steal_pointer (&valid_dataset);
      spec.valid_fraction = valid_fraction;
      spec.fashion_mnist = fashion;
      spec.fashion_dir = g_steal_pointer (&fashion_dir);
      spec.limit = (guint) limit;
      spec.valid_limit = (guint) valid_limit;
      spec_json = pb_cli_data_spec_to_json (&spec);

      if (!pb_cli_data_spec_load (&spec, project, config.seed, &train, &valid, &error))
        return pb_cli_report_error (error);

      if (!pb_train_run (project, &config, spec_json, train, valid, &report.run_id,
                         train_progress_cb, &report, NULL, &error))
        {
          rc = pb_cli_report_error (error);
          if (report.run_id > 0)
            g_printerr ("perturb: run %" G_GINT64_FORMAT " keeps its checkpoints; continue it "
                        "with --resume %" G_GINT64_FORMAT "\n", report.run_id, report.run_id);
          return rc;
        }
    }

  pb_cli_progress_end ();
  if (json)
    {
      g_autofree char *m = report.have_metrics ? pb_metrics_to_json (&report.metrics)
                                               : g_strdup ("null");

      printf ("{\"run\":%" G_GINT64_FORMAT ",\"epochs\":%u,\"protocol\":\"%s\",\"metrics\":%s}\n",
              report.run_id, report.epoch, pb_protocol_get_name (config.model.protocol), m);
    }
  else
    {
      printf ("Run %" G_GINT64_FORMAT ": %u epochs, protocol %s, %u training / %u held-out "
              "sequences\n", report.run_id, report.epoch,
              pb_protocol_get_name (config.model.protocol), train->n,
              config.model.protocol == PB_PROTOCOL_SEED ? train->n : valid->n);
      if (report.have_metrics)
        {
          printf ("Last evaluation (%s):\n", config.model.protocol == PB_PROTOCOL_SEED
                  ? "weighted resample of the training set" : "held-out set");
          pb_cli_print_metrics (&report.metrics, FALSE);
        }
    }

  return PB_CLI_EXIT_OK;
}
