/* pb-cli-data.c — training/held-out data for the CLI, described so a run can
 * rebuild them on --resume.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "pb-json.h"
#include "pb-cli-data.h"

#include "pb-sampler.h"

#include <json-glib/json-glib.h>
#include <stdio.h>

/* the hold-out split's stream, apart from the trainer's three */
#define SEED_SPLIT 0x53504c4954000003ULL

void
pb_cli_data_spec_clear (PbCliDataSpec *spec)
{
  g_clear_pointer (&spec->dataset, g_free);
  g_clear_pointer (&spec->valid_dataset, g_free);
  g_clear_pointer (&spec->fashion_dir, g_free);
}

char *
pb_cli_data_spec_to_json (const PbCliDataSpec *spec)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();
  g_autoptr(JsonNode) root = NULL;

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "source");
  json_builder_add_string_value (b, spec->fashion_mnist ? "fashion-mnist" : "project");
  if (spec->fashion_mnist)
    {
      if (spec->fashion_dir != NULL)
        {
          json_builder_set_member_name (b, "dir");
          json_builder_add_string_value (b, spec->fashion_dir);
        }
      json_builder_set_member_name (b, "limit");
      json_builder_add_int_value (b, spec->limit);
      json_builder_set_member_name (b, "valid_limit");
      json_builder_add_int_value (b, spec->valid_limit);
    }
  else
    {
      json_builder_set_member_name (b, "dataset");
      json_builder_add_string_value (b, spec->dataset);
      if (spec->valid_dataset != NULL)
        {
          json_builder_set_member_name (b, "valid_dataset");
          json_builder_add_string_value (b, spec->valid_dataset);
        }
      else
        {
          json_builder_set_member_name (b, "valid_fraction");
          json_builder_add_double_value (b, spec->valid_fraction);
        }
    }
  json_builder_end_object (b);

  root = json_builder_get_root (b);
  return pb_json_to_string (root, FALSE);
}

gboolean
pb_cli_data_spec_from_json (PbCliDataSpec  *spec,
                            const char     *json,
                            GError        **error)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  JsonObject *o;

  if (json == NULL || !json_parser_load_from_data (parser, json, -1, NULL) ||
      !JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)))
    {
      g_set_error (error, PB_ENGINE_ERROR, PB_ENGINE_ERROR_CORRUPT,
                   "The run does not record which data it was trained on");
      return FALSE;
    }
  o = json_node_get_object (json_parser_get_root (parser));

  pb_cli_data_spec_clear (spec);
  spec->fashion_mnist = g_strcmp0 (json_object_get_string_member_with_default (o, "source", ""),
                                   "fashion-mnist") == 0;
  spec->fashion_dir = g_strdup (json_object_get_string_member_with_default (o, "dir", NULL));
  spec->limit = json_object_get_int_member_with_default (o, "limit", 0);
  spec->valid_limit = json_object_get_int_member_with_default (o, "valid_limit", 0);
  spec->dataset = g_strdup (json_object_get_string_member_with_default (o, "dataset", NULL));
  spec->valid_dataset = g_strdup (json_object_get_string_member_with_default (o, "valid_dataset",
                                                                              NULL));
  spec->valid_fraction = json_object_get_double_member_with_default (o, "valid_fraction", 0.2);
  if (!spec->fashion_mnist && spec->dataset == NULL)
    {
      g_set_error (error, PB_ENGINE_ERROR, PB_ENGINE_ERROR_CORRUPT,
                   "The run does not record which data it was trained on");
      return FALSE;
    }

  return TRUE;
}

static gboolean
split_dataset (PbDataset   *all,
               double       fraction,
               guint64      seed,
               PbDataset  **train,
               PbDataset  **valid,
               GError     **error)
{
  g_autofree gboolean *is_test = g_new (gboolean, MAX (all->n, 1));
  g_autofree guint *tr = g_new (guint, MAX (all->n, 1));
  g_autofree guint *va = g_new (guint, MAX (all->n, 1));
  guint n_tr = 0, n_va = 0;
  PbRng rng;

  pb_rng_init (&rng, seed ^ SEED_SPLIT);
  if (!pb_stratified_split (all->labels, all->n, fraction, &rng, is_test, error))
    {
      g_prefix_error (error, "Dataset “%s”: ", all->name != NULL ? all->name : "");
      return FALSE;
    }
  for (guint i = 0; i < all->n; i++)
    {
      if (is_test[i])
        va[n_va++] = i;
      else
        tr[n_tr++] = i;
    }
  *train = pb_dataset_subset (all, tr, n_tr);
  *valid = pb_dataset_subset (all, va, n_va);
  return TRUE;
}

/**
 * pb_cli_data_spec_load:
 * @train: (out) (transfer full): the training set
 * @valid: (out) (transfer full): the held-out set
 */
gboolean
pb_cli_data_spec_load (const PbCliDataSpec  *spec,
                       PbProject            *project,
                       guint64               seed,
                       PbDataset           **train,
                       PbDataset           **valid,
                       GError              **error)
{
  g_autoptr(PbDataset) all = NULL;

  if (spec->fashion_mnist)
    {
      g_autoptr(PbDataset) tr = NULL;

      tr = pb_fashion_mnist_load (spec->fashion_dir, PB_FASHION_MNIST_SPLIT_TRAIN, spec->limit,
                                  error);
      if (tr == NULL)
        return FALSE;
      *valid = pb_fashion_mnist_load (spec->fashion_dir, PB_FASHION_MNIST_SPLIT_TEST,
                                      spec->valid_limit, error);
      if (*valid == NULL)
        return FALSE;
      *train = g_steal_pointer (&tr);
      return TRUE;
    }

  all = pb_dataset_load (project, spec->dataset, error);
  if (all == NULL)
    return FALSE;

  if (spec->valid_dataset != NULL)
    {
      *valid = pb_dataset_load (project, spec->valid_dataset, error);
      if (*valid == NULL)
        return FALSE;
      *train = g_steal_pointer (&all);
      return TRUE;
    }

  return split_dataset (all, spec->valid_fraction, seed, train, valid, error);
}

void
pb_cli_print_metrics (const PbMetrics *m,
                      gboolean         json)
{
  if (json)
    {
      g_autofree char *text = pb_metrics_to_json (m);

      printf ("%s\n", text);
      return;
    }

  printf ("samples    %u\n", m->n);
  printf ("loss       %.6f\n", m->loss);
  printf ("accuracy   %.6f\n", m->accuracy);
  printf ("auc        %.6f\n", m->auc);
  printf ("precision  %.6f\n", m->precision);
  printf ("recall     %.6f\n", m->recall);
  printf ("f1         %.6f\n", m->f1);
}

/**
 * pb_cli_load_model:
 * @project: (nullable): needed with @run_id
 * @run_id: a run in @project (> 0), or 0 to read @path
 * @epoch: the run's checkpoint epoch, −1 for the latest
 * @path: (nullable): a safetensors file (ours, or a PyTorch state_dict)
 * @fallback: activations, dropout and protocol for files that do not say
 *
 * Returns: (transfer full) (nullable): the model
 */
PbModel *
pb_cli_load_model (PbProject            *project,
                   gint64                run_id,
                   gint                  epoch,
                   const char           *path,
                   const PbModelConfig  *fallback,
                   GError              **error)
{
  g_autoptr(PbSafetensors) st = NULL;

  if (run_id > 0)
    st = pb_train_load_checkpoint (project, run_id, epoch, error);
  else
    st = pb_safetensors_load (path, error);
  if (st == NULL)
    return NULL;

  return pb_checkpoint_new_model (st, fallback, error);
}

/**
 * pb_cli_parse_model_overrides:
 *
 * Reads --act-lstm/--act-fc/--protocol strings (each nullable) into @config.
 */
gboolean
pb_cli_parse_model_overrides (PbModelConfig  *config,
                              const char     *act_lstm,
                              const char     *act_fc,
                              const char     *protocol,
                              GError        **error)
{
  if (act_lstm != NULL && !pb_activation_from_name (act_lstm, &config->act_lstm))
    {
      g_set_error (error, PB_ENGINE_ERROR, PB_ENGINE_ERROR_INVALID_ARGUMENT,
                   "Unknown activation “%s” (relu or tanh)", act_lstm);
      return FALSE;
    }
  if (act_fc != NULL && !pb_activation_from_name (act_fc, &config->act_fc))
    {
      g_set_error (error, PB_ENGINE_ERROR, PB_ENGINE_ERROR_INVALID_ARGUMENT,
                   "Unknown activation “%s” (relu or tanh)", act_fc);
      return FALSE;
    }
  if (protocol != NULL && !pb_protocol_from_name (protocol, &config->protocol))
    {
      g_set_error (error, PB_ENGINE_ERROR, PB_ENGINE_ERROR_INVALID_ARGUMENT,
                   "Unknown protocol preset “%s” (standard or seed)", protocol);
      return FALSE;
    }

  return TRUE;
}
