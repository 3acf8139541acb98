/* pb-checkpoint.c — model weights ↔ safetensors (state_dict names and shapes,
 * SPEC §3.1), model configurations ↔ JSON.
 *
 * A file written here loads into the reference module tree with
 * `model.load_state_dict (tensors, strict=True)`; a state_dict saved from that
 * tree loads here, with the layer sizes read from the tensor shapes.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "pb-json.h"
#include "pb-checkpoint.h"

#include "pb-error.h"

#include <json-glib/json-glib.h>
#include <math.h>

/**
 * pb_checkpoint_write_weights:
 * @st: where to add one F32 tensor per parameter, in state_dict order
 *
 * Also sets the metadata `format` = `pt` and `model_config` (JSON).
 */
void
pb_checkpoint_write_weights (PbModel       *model,
                             PbSafetensors *st)
{
  const PbModelTensor *tensors;
  const float *params;
  g_autofree char *config = NULL;
  guint n_tensors;

  g_return_if_fail (model != NULL);
  g_return_if_fail (st != NULL);

  tensors = pb_model_get_tensors (model, &n_tensors);
  params = pb_model_get_params (model);
  for (guint i = 0; i < n_tensors; i++)
    {
      gsize shape[2] = { tensors[i].shape[0], tensors[i].shape[1] };

      pb_safetensors_add (st, tensors[i].name, tensors[i].n_dims, shape,
                          params + tensors[i].offset);
    }

  config = pb_model_config_to_json (pb_model_get_config (model));
  pb_safetensors_set_metadata (st, "format", "pt");
  pb_safetensors_set_metadata (st, "model_config", config);
}

/**
 * pb_checkpoint_read_weights:
 *
 * Copies every parameter of @model from the tensor of the same name, which
 * must exist with the same shape. Extra tensors (optimiser state) are ignored.
 */
gboolean
pb_checkpoint_read_weights (PbModel             *model,
                            const PbSafetensors *st,
                            GError             **error)
{
  const PbModelTensor *tensors;
  float *params;
  guint n_tensors;

  g_return_val_if_fail (model != NULL, FALSE);
  g_return_val_if_fail (st != NULL, FALSE);

  tensors = pb_model_get_tensors (model, &n_tensors);
  params = pb_model_get_params (model);
  for (guint i = 0; i < n_tensors; i++)
    {
      gsize shape[2] = { tensors[i].shape[0], tensors[i].shape[1] };
      const PbTensor *t = pb_safetensors_lookup (st, tensors[i].name);

      if (!pb_safetensors_get_checked (st, tensors[i].name, tensors[i].n_dims, shape,
                                       params + tensors[i].offset, error))
        return FALSE;
      for (gsize k = 0; k < t->n_elements; k++)
        {
          if (!isfinite (t->data[k]))
            {
              g_set_error (error, PB_ENGINE_ERROR, PB_ENGINE_ERROR_INVALID_DATA,
                           "Tensor “%s” holds a non-finite value", tensors[i].name);
              return FALSE;
            }
        }
    }

  return TRUE;
}

static gboolean
dim_of (const PbSafetensors *st,
        const char          *name,
        guint                n_dims,
        guint                d,
        guint               *out,
        GError             **error)
{
  const PbTensor *t = pb_safetensors_lookup (st, name);

  if (t == NULL || t->n_dims != n_dims || t->shape[d] == 0 || t->shape[d] > G_MAXUINT)
    {
      g_set_error (error, PB_ENGINE_ERROR, PB_ENGINE_ERROR_INVALID_DATA,
                   "Not a BiLSTM classifier state_dict: tensor “%s” is missing or has "
                   "the wrong rank", name);
      return FALSE;
    }
  *out = (guint) t->shape[d];
  return TRUE;
}

/**
 * pb_checkpoint_infer_model_config:
 * @config: (inout): activations, dropout and protocol are kept; F, H, n_fc
 *   and C are read from the shapes of `0.lstm.weight_ih_l0` (4H, F),
 *   `3.weight` (n_fc, 2H) and `5.weight` (C, n_fc)
 */
gboolean
pb_checkpoint_infer_model_config (const PbSafetensors *st,
                                  PbModelConfig       *config,
                                  GError             **error)
{
  guint four_h, two_h, n_fc_in;
  PbModelConfig c = *config;

  g_return_val_if_fail (st != NULL, FALSE);
  g_return_val_if_fail (config != NULL, FALSE);

  if (!dim_of (st, "0.lstm.weight_ih_l0", 2, 0, &four_h, error) ||
      !dim_of (st, "0.lstm.weight_ih_l0", 2, 1, &c.n_features, error) ||
      !dim_of (st, "3.weight", 2, 0, &c.n_fc, error) ||
      !dim_of (st, "3.weight", 2, 1, &two_h, error) ||
      !dim_of (st, "5.weight", 2, 0, &c.n_classes, error) ||
      !dim_of (st, "5.weight", 2, 1, &n_fc_in, error))
    return FALSE;

  if (four_h % 4 != 0 || two_h != four_h / 2 || n_fc_in != c.n_fc)
    {
      g_set_error (error, PB_ENGINE_ERROR, PB_ENGINE_ERROR_INVALID_DATA,
                   "Inconsistent layer sizes: 0.lstm.weight_ih_l0 has %u rows, 3.weight "
                   "%u columns, 5.weight %u columns for %u FC units",
                   four_h, two_h, n_fc_in, c.n_fc);
      return FALSE;
    }
  c.n_hidden = four_h / 4;

  *config = c;
  return TRUE;
}

/**
 * pb_model_config_to_json:
 *
 * Returns: (transfer full): e.g. `{"n_features":19,"n_hidden":128,"n_fc":16,
 *   "n_classes":2,"act_lstm":"tanh","act_fc":"tanh","dropout":0.029…,"protocol":"standard"}`
 */
char *
pb_model_config_to_json (const PbModelConfig *config)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();
  g_autoptr(JsonNode) root = NULL;

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "n_features");
  json_builder_add_int_value (b, config->n_features);
  json_builder_set_member_name (b, "n_hidden");
  json_builder_add_int_value (b, config->n_hidden);
  json_builder_set_member_name (b, "n_fc");
  json_builder_add_int_value (b, config->n_fc);
  json_builder_set_member_name (b, "n_classes");
  json_builder_add_int_value (b, config->n_classes);
  json_builder_set_member_name (b, "act_lstm");
  json_builder_add_string_value (b, pb_activation_get_name (config->act_lstm));
  json_builder_set_member_name (b, "act_fc");
  json_builder_add_string_value (b, pb_activation_get_name (config->act_fc));
  json_builder_set_member_name (b, "dropout");
  json_builder_add_double_value (b, config->dropout);
  json_builder_set_member_name (b, "protocol");
  json_builder_add_string_value (b, pb_protocol_get_name (config->protocol));
  json_builder_end_object (b);

  root = json_builder_get_root (b);
  return pb_json_to_string (root, FALSE);
}

static gboolean
get_uint_member (JsonObject  *obj,
                 const char  *name,
                 guint       *out,
                 GError     **error)
{
  JsonNode *node = json_object_get_member (obj, name);

  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node) ||
      json_node_get_value_type (node) != G_TYPE_INT64 ||
      json_node_get_int (node) < 0 || json_node_get_int (node) > G_MAXUINT)
    {
      g_set_error (error, PB_ENGINE_ERROR, PB_ENGINE_ERROR_CORRUPT,
                   "Model configuration: “%s” is missing or not a count", name);
      return FALSE;
    }
  *out = (guint) json_node_get_int (node);
  return TRUE;
}

/**
 * pb_model_config_from_json:
 *
 * Parses what pb_model_config_to_json() wrote and validates it.
 */
gboolean
pb_model_config_from_json (const char     *json,
                           PbModelConfig  *config,
                           GError        **error)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) local_error = NULL;
  JsonObject *obj;
  PbModelConfig c;
  const char *s;

  pb_model_config_init (&c);
  if (!json_parser_load_from_data (parser, json, -1, &local_error) ||
      !JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)))
    {
      g_set_error (error, PB_ENGINE_ERROR, PB_ENGINE_ERROR_CORRUPT,
                   "Model configuration is not a JSON object%s%s",
                   local_error != NULL ? ": " : "",
                   local_error != NULL ? local_error->message : "");
      return FALSE;
    }
  obj = json_node_get_object (json_parser_get_root (parser));

  if (!get_uint_member (obj, "n_features", &c.n_features, error) ||
      !get_uint_member (obj, "n_hidden", &c.n_hidden, error) ||
      !get_uint_member (obj, "n_fc", &c.n_fc, error) ||
      !get_uint_member (obj, "n_classes", &c.n_classes, error))
    return FALSE;

  s = json_object_get_string_member_with_default (obj, "act_lstm", "");
  if (!pb_activation_from_name (s, &c.act_lstm))
    goto bad;
  s = json_object_get_string_member_with_default (obj, "act_fc", "");
  if (!pb_activation_from_name (s, &c.act_fc))
    goto bad;
  s = json_object_get_string_member_with_default (obj, "protocol", "");
  if (!pb_protocol_from_name (s, &c.protocol))
    goto bad;
  c.dropout = json_object_get_double_member_with_default (obj, "dropout", -1.0);

  if (!pb_model_config_validate (&c, error))
    return FALSE;

  *config = c;
  return TRUE;

bad:
  g_set_error (error, PB_ENGINE_ERROR, PB_ENGINE_ERROR_CORRUPT,
               "Model configuration: unknown activation or protocol “%s”", s);
  return FALSE;
}

/**
 * pb_checkpoint_new_model:
 * @fallback: (nullable): activations, dropout and protocol for files without
 *   a `model_config` (e.g. written from PyTorch); %NULL for the defaults
 *
 * Builds a model from a checkpoint or exported/imported weights file.
 *
 * Returns: (transfer full) (nullable): the model with the file's weights
 */
PbModel *
pb_checkpoint_new_model (const PbSafetensors *st,
                         const PbModelConfig *fallback,
                         GError             **error)
{
  g_autoptr(PbModel) model = NULL;
  const char *json;
  PbModelConfig config;

  g_return_val_if_fail (st != NULL, NULL);

  json = pb_safetensors_get_metadata (st, "model_config");
  if (json != NULL)
    {
      if (!pb_model_config_from_json (json, &config, error))
        return NULL;
    }
  else
    {
      if (fallback != NULL)
        config = *fallback;
      else
        pb_model_config_init (&config);
      if (!pb_checkpoint_infer_model_config (st, &config, error))
        return NULL;
    }

  model = pb_model_new (&config, error);
  if (model == NULL)
    return NULL;
  if (!pb_checkpoint_read_weights (model, st, error))
    return NULL;

  return g_steal_pointer (&model);
}
