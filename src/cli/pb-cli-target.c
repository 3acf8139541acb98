/* pb-cli-target.c — model and data selection for the analysis commands.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "pb-cli-target.h"

#include "pb-cli.h"

#include "pb-error.h"

/**
 * pb_cli_target_get_group:
 * @target: where the parsed options land (zero it first)
 *
 * Returns: (transfer full): the "model and data" option group
 */
GOptionGroup *
pb_cli_target_get_group (PbCliTarget *target)
{
  const GOptionEntry entries[] = {
    { "checkpoint", 0, 0, G_OPTION_ARG_INT64, &target->checkpoint_id, "A stored checkpoint", "ID" },
    { "run", 0, 0, G_OPTION_ARG_INT64, &target->run_id, "A checkpoint of run RUN", "RUN" },
    { "epoch", 0, 0, G_OPTION_ARG_INT, &target->epoch, "With --run: the checkpoint's epoch (default: the latest)", "E" },
    { "weights", 0, 0, G_OPTION_ARG_FILENAME, &target->weights, "Weights from a safetensors file", "FILE" },
    { "model", 0, 0, G_OPTION_ARG_FILENAME, &target->weights, "Same as --weights", "FILE" },
    { "config", 0, 0, G_OPTION_ARG_STRING, &target->config, "With --weights: model configuration (JSON text or file)", "JSON" },
    { "act-lstm", 0, 0, G_OPTION_ARG_STRING, &target->act_lstm, "For files without a model config: relu or tanh", "ACT" },
    { "act-fc", 0, 0, G_OPTION_ARG_STRING, &target->act_fc, "For files without a model config: relu or tanh", "ACT" },
    { "protocol", 0, 0, G_OPTION_ARG_STRING, &target->protocol, "For files without a model config: standard or seed", "PRESET" },
    { "dataset", 0, 0, G_OPTION_ARG_STRING, &target->dataset, "Dataset in the project (default: the run's held-out set; for a cross-validation fold, the fold it held out)", "NAME" },
    { "fashion-mnist", 0, 0, G_OPTION_ARG_NONE, &target->fashion, "Fashion-MNIST test split", NULL },
    { "fashion-mnist-dir", 0, 0, G_OPTION_ARG_FILENAME, &target->fashion_dir, "Where the Fashion-MNIST files are", "DIR" },
    { "train-split", 0, 0, G_OPTION_ARG_NONE, &target->train_split, "Fashion-MNIST: the train split instead", NULL },
    { "limit", 0, 0, G_OPTION_ARG_INT, &target->limit, "Only the first N sequences", "N" },
    { NULL }
  };
  GOptionGroup *group;

  target->epoch = -1;
  group = g_option_group_new ("model", "Model and data:", "Show model and data options",
                              NULL, NULL);
  g_option_group_add_entries (group, entries);
  return group;
}

void
pb_cli_target_clear (PbCliTarget *target)
{
  g_clear_pointer (&target->weights, g_free);
  g_clear_pointer (&target->config, g_free);
  g_clear_pointer (&target->act_lstm, g_free);
  g_clear_pointer (&target->act_fc, g_free);
  g_clear_pointer (&target->protocol, g_free);
  g_clear_pointer (&target->dataset, g_free);
  g_clear_pointer (&target->fashion_dir, g_free);
}

/**
 * pb_cli_target_parse:
 * @target: the target options, filled in
 * @context: the command's options, its own entries added
 * @command: the command's name, for the usage message
 * @argc: the command line's length
 * @argv: the command line
 *
 * Adds --backend and the target options to @context, parses the command line
 * and checks that it names one PROJECT and a model and data that fit together.
 *
 * Returns: %PB_CLI_EXIT_OK, or the exit status of the problem it reported
 */
int
pb_cli_target_parse (PbCliTarget     *target,
                     GOptionContext  *context,
                     const char      *command,
                     int             *argc,
                     char          ***argv)
{
  const char *problem;
  int rc;

  pb_cli_add_backend_option (context);
  g_option_context_add_group (context, pb_cli_target_get_group (target));
  if ((rc = pb_cli_parse_options (context, argc, argv)) != PB_CLI_EXIT_OK)
    return rc;
  if (*argc != 2)
    return pb_cli_usage_error (context, "%s needs exactly one PROJECT", command);
  if ((problem = pb_cli_target_check (target)) != NULL)
    return pb_cli_usage_error (context, "%s", problem);
  return PB_CLI_EXIT_OK;
}

/**
 * pb_cli_target_open:
 * @target: the parsed target options
 * @path: the project file
 * @project: (out): the opened project
 * @model: (out): the model @target names
 * @source: (out): where the model came from, for messages
 * @dataset: (out): the data @target names
 * @data_name: (out): its name
 * @error: return location for an error
 *
 * Opens the project and loads the model and the data of @target from it. On
 * failure the outputs hold what was loaded before it, for the caller to free.
 *
 * Returns: %TRUE when all three are there; otherwise %FALSE with @error set
 */
gboolean
pb_cli_target_open (PbCliTarget  *target,
                    const char   *path,
                    PbProject   **project,
                    PbModel     **model,
                    char        **source,
                    PbDataset   **dataset,
                    char        **data_name,
                    GError      **error)
{
  *project = pb_project_open (path, error);
  if (*project == NULL)
    return FALSE;
  *model = pb_cli_target_load_model (target, *project, source, error);
  if (*model == NULL)
    return FALSE;
  *dataset = pb_cli_target_load_data (target, *project, data_name, error);
  return *dataset != NULL;
}

/**
 * pb_cli_target_check:
 *
 * Returns: (nullable): a usage problem, or %NULL when the options fit together
 */
const char *
pb_cli_target_check (PbCliTarget *target)
{
  guint sources = (target->checkpoint_id != 0) + (target->run_id != 0) + (target->weights != NULL);

  if (sources != 1)
    return "give one of --checkpoint ID, --run RUN or --weights FILE";
  if (target->checkpoint_id < 0 || target->run_id < 0)
    return "checkpoint and run ids are positive";
  if (target->dataset != NULL && target->fashion)
    return "give --dataset NAME or --fashion-mnist, not both";
  if (target->weights != NULL && target->dataset == NULL && !target->fashion)
    return "with --weights, give --dataset NAME or --fashion-mnist";
  if (target->limit < 0)
    return "--limit must be positive";

  return NULL;
}

static gboolean
checkpoint_lookup (PbProject  *project,
                   gint64      checkpoint_id,
                   gint64     *run_id,
                   gint       *epoch,
                   GError    **error)
{
  sqlite3 *db = pb_project_get_db (project);
  g_autoptr(sqlite3_stmt) stmt = NULL;
  int rc;

  stmt = pb_sqlite_prepare (db, "SELECT run_id, epoch FROM checkpoints WHERE checkpoint_id = ?1",
                            error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, checkpoint_id);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_DONE)
    {
      g_set_error (error, PB_ENGINE_ERROR, PB_ENGINE_ERROR_NOT_FOUND,
                   "No checkpoint %" G_GINT64_FORMAT " in this project", checkpoint_id);
      return FALSE;
    }
  if (!pb_sqlite_check (db, rc, "Cannot read the checkpoint", error))
    return FALSE;

  *run_id = sqlite3_column_int64 (stmt, 0);
  *epoch = sqlite3_column_int (stmt, 1);
  return TRUE;
}

/**
 * pb_cli_target_list_checkpoints:
 *
 * Returns: (transfer full) (element-type PbCliCheckpoint): the run's
 *   checkpoints, oldest first; %NOT_FOUND when it has none
 */
GArray *
pb_cli_target_list_checkpoints (PbProject  *project,
                                gint64      run_id,
                                GError    **error)
{
  sqlite3 *db = pb_project_get_db (project);
  g_autoptr(sqlite3_stmt) stmt = NULL;
  g_autoptr(GArray) list = g_array_new (FALSE, FALSE, sizeof (PbCliCheckpoint));
  int rc;

  stmt = pb_sqlite_prepare (db, "SELECT checkpoint_id, epoch FROM checkpoints WHERE run_id = ?1 "
                                "ORDER BY epoch", error);
  if (stmt == NULL)
    return NULL;
  sqlite3_bind_int64 (stmt, 1, run_id);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      PbCliCheckpoint c = { sqlite3_column_int64 (stmt, 0), sqlite3_column_int (stmt, 1) };

      g_array_append_val (list, c);
    }
  if (!pb_sqlite_check (db, rc, "Cannot list checkpoints", error))
    return NULL;
  if (list->len == 0)
    {
      g_set_error (error, PB_ENGINE_ERROR, PB_ENGINE_ERROR_NOT_FOUND,
                   "Run %" G_GINT64_FORMAT " has no checkpoint", run_id);
      return NULL;
    }

  return g_steal_pointer (&list);
}

static PbModel *
load_weights_file (PbCliTarget  *target,
                   GError      **error)
{
  g_autoptr(PbSafetensors) st = NULL;
  g_autoptr(PbModel) model = NULL;
  PbModelConfig config;

  st = pb_safetensors_load (target->weights, error);
  if (st == NULL)
    return NULL;

  pb_model_config_init (&config);
  if (target->config == NULL)
    {
      if (!pb_cli_parse_model_overrides (&config, target->act_lstm, target->act_fc,
                                         target->protocol, error))
        return NULL;
      return pb_checkpoint_new_model (st, &config, error);
    }

  if (g_file_test (target->config, G_FILE_TEST_IS_REGULAR))
    {
      g_autofree char *text = NULL;

      if (!g_file_get_contents (target->config, &text, NULL, error) ||
          !pb_model_config_from_json (text, &config, error))
        return NULL;
    }
  else if (!pb_model_config_from_json (target->config, &config, error))
    return NULL;

  model = pb_model_new (&config, error);
  if (model == NULL || !pb_checkpoint_read_weights (model, st, error))
    return NULL;

  return g_steal_pointer (&model);
}

/**
 * pb_cli_target_load_model:
 * @source: (out) (transfer full): a description for people ("checkpoint 3 (run 1,
 *   epoch 5)", a file name)
 *
 * Resolves --checkpoint into its run and epoch (kept in @target).
 */
PbModel *
pb_cli_target_load_model (PbCliTarget  *target,
                          PbProject    *project,
                          char        **source,
                          GError      **error)
{
  g_autoptr(PbSafetensors) st = NULL;
  PbModel *model;

  if (target->weights != NULL)
    {
      model = load_weights_file (target, error);
      if (model != NULL)
        *source = g_strdup (target->weights);
      return model;
    }

  if (target->checkpoint_id > 0 &&
      !checkpoint_lookup (project, target->checkpoint_id, &target->run_id, &target->epoch, error))
    return NULL;

  st = pb_train_load_checkpoint (project, target->run_id, target->epoch, error);
  if (st == NULL)
    return NULL;
  model = pb_checkpoint_new_model (st, NULL, error);
  if (model == NULL)
    return NULL;

  if (target->checkpoint_id == 0)
    {
      g_autoptr(GArray) list = pb_cli_target_list_checkpoints (project, target->run_id, NULL);

      /* --run without --epoch: the latest, which is the last listed */
      for (guint i = 0; list != NULL && i < list->len; i++)
        {
          const PbCliCheckpoint *c = &g_array_index (list, PbCliCheckpoint, i);

          if (target->epoch < 0 ? i + 1 == list->len : c->epoch == target->epoch)
            {
              target->checkpoint_id = c->checkpoint_id;
              target->epoch = c->epoch;
            }
        }
    }

  *source = g_strdup_printf ("checkpoint %" G_GINT64_FORMAT " (run %" G_GINT64_FORMAT
                             ", epoch %d)", target->checkpoint_id, target->run_id, target->epoch);
  return model;
}

static PbDataset *
take_first (PbDataset *dataset,
            guint      limit)
{
  g_autofree guint *indices = NULL;
  PbDataset *sub;

  if (dataset == NULL || limit == 0 || limit >= dataset->n)
    return dataset;

  indices = g_new (guint, limit);
  for (guint i = 0; i < limit; i++)
    indices[i] = i;
  sub = pb_dataset_subset (dataset, indices, limit);
  pb_dataset_free (dataset);
  return sub;
}

/**
 * pb_cli_target_load_data:
 * @name: (out) (transfer full): the dataset's name as stored with the results
 *
 * Call after pb_cli_target_load_model() (the default data is the run's).
 */
PbDataset *
pb_cli_target_load_data (PbCliTarget  *target,
                         PbProject    *project,
                         char        **name,
                         GError      **error)
{
  g_auto(PbCliDataSpec) spec = { 0 };
  g_autoptr(PbDataset) train = NULL;
  g_autoptr(PbDataset) valid = NULL;
  g_autofree char *stored = NULL;
  PbTrainConfig config;
  gboolean is_fold;
  PbDataset *ds = NULL;

  if (target->fashion)
    {
      ds = pb_fashion_mnist_load (target->fashion_dir,
                                  target->train_split ? PB_FASHION_MNIST_SPLIT_TRAIN
                                                      : PB_FASHION_MNIST_SPLIT_TEST,
                                  (guint) target->limit, error);
      if (ds != NULL)
        *name = g_strdup (target->train_split ? "fashion-mnist:train" : "fashion-mnist:test");
      return ds;
    }

  if (target->dataset != NULL)
    {
      ds = take_first (pb_dataset_load (project, target->dataset, error), (guint) target->limit);
      if (ds != NULL)
        *name = g_strdup (target->dataset);
      return ds;
    }

  /* a cross-validation fold: the fold it held out */
  if (!pb_cv_load_fold_data (project, target->run_id, &is_fold, NULL, &ds, name, error))
    return NULL;
  if (is_fold)
    return take_first (ds, (guint) target->limit);

  /* the run's held-out set, rebuilt exactly as training built it */
  if (!pb_train_load_run_config (project, target->run_id, &config, &stored, error) ||
      !pb_cli_data_spec_from_json (&spec, stored, error) ||
      !pb_cli_data_spec_load (&spec, project, config.seed, &train, &valid, error))
    return NULL;

  if (valid != NULL && valid->n > 0)
    {
      *name = g_strdup_printf ("run %" G_GINT64_FORMAT " held-out", target->run_id);
      return take_first (g_steal_pointer (&valid), (guint) target->limit);
    }

  *name = g_strdup_printf ("run %" G_GINT64_FORMAT " training", target->run_id);
  return take_first (g_steal_pointer (&train), (guint) target->limit);
}
