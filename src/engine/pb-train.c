/* pb-train.c — the training loop (SPEC §4): class-balanced batches, the
 * optimiser, evaluation per protocol preset, checkpoints that resume exactly.
 *
 * One epoch (SPEC §4.3): a fresh weighted draw of len(train) indices with
 * replacement, consecutive chunks of batch_size (last one short), per batch
 * zero grads → forward (train mode) → loss → backward → step; the epoch loss
 * is the unweighted mean of the batch losses.
 *
 * All randomness comes from three PbRng streams derived from the seed (weight
 * init, sampler, dropout). A checkpoint holds the weights, the optimiser
 * state, both running streams and the epoch, so training 2 epochs, stopping
 * and resuming for 2 more gives bit-identical weights to 4 in one go.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "pb-json.h"
#include "pb-train-private.h"

#include "pb-checkpoint.h"
#include "pb-error.h"
#include "pb-sampler.h"

#include <json-glib/json-glib.h>
#include <math.h>
#include <string.h>

/* stream offsets: the seed itself initialises the weights */
#define SEED_SAMPLER 0x5a4d504c45520001ULL
#define SEED_DROPOUT 0x44524f504f555402ULL

/**
 * pb_train_config_init:
 *
 * The seed's final configuration (SPEC §3.1, §5.4): H 128, n_fc 16, Tanh,
 * dropout 0.029, Adam lr 2.78e-4, batch 32; 10 epochs, evaluate and checkpoint
 * every epoch, protocol `standard`, seed 12345678.
 */
void
pb_train_config_init (PbTrainConfig *config)
{
  g_return_if_fail (config != NULL);

  memset (config, 0, sizeof *config);
  pb_model_config_init (&config->model);
  config->model.n_features = 0;
  config->model.n_classes = 0;
  pb_optim_config_init (&config->optim, PB_OPTIM_KIND_ADAM);
  config->optim.lr = 2.784280532512521e-4;
  config->batch_size = 32;
  config->eval_batch_size = 128;
  config->n_epochs = 10;
  config->eval_every = 1;
  config->checkpoint_every = 1;
  config->seed = 12345678;
}

gboolean
pb_train_config_validate (const PbTrainConfig *config,
                          GError             **error)
{
  g_return_val_if_fail (config != NULL, FALSE);

  if (config->batch_size == 0 || config->eval_batch_size == 0)
    {
      g_set_error (error, PB_ENGINE_ERROR, PB_ENGINE_ERROR_INVALID_ARGUMENT,
                   "Batch sizes must be at least 1");
      return FALSE;
    }
  if (config->n_epochs == 0)
    {
      g_set_error (error, PB_ENGINE_ERROR, PB_ENGINE_ERROR_INVALID_ARGUMENT,
                   "The number of epochs must be at least 1");
      return FALSE;
    }
  if (config->seed > G_MAXINT64)
    {
      g_set_error (error, PB_ENGINE_ERROR, PB_ENGINE_ERROR_INVALID_ARGUMENT,
                   "The seed must be below 2^63");
      return FALSE;
    }

  return pb_optim_config_validate (&config->optim, error);
}

/* JSON */

char *
pb_train_config_to_json (const PbTrainConfig *config)
{
  g_autofree char *model = pb_model_config_to_json (&config->model);
  g_autofree char *optim = pb_optim_config_to_json (&config->optim);

  return g_strdup_printf ("{\"model\":%s,\"optimizer\":%s,\"batch_size\":%u,"
                          "\"eval_batch_size\":%u,\"n_epochs\":%u,\"eval_every\":%u,"
                          "\"checkpoint_every\":%u,\"seed\":%" G_GINT64_FORMAT
                          ",\"threads\":%u}",
                          model, optim, config->batch_size, config->eval_batch_size,
                          config->n_epochs, config->eval_every, config->checkpoint_every,
                          (gint64) config->seed, config->n_threads);
}

static gboolean
optim_from_json (JsonObject     *o,
                 PbOptimConfig  *c,
                 GError        **error)
{
  PbOptimKind kind;

  if (!pb_optim_kind_from_name (json_object_get_string_member_with_default (o, "optimizer", ""),
                                &kind))
    {
      g_set_error (error, PB_ENGINE_ERROR, PB_ENGINE_ERROR_CORRUPT,
                   "Run configuration: unknown optimiser");
      return FALSE;
    }
  pb_optim_config_init (c, kind);
  c->lr = json_object_get_double_member_with_default (o, "lr", c->lr);
  c->weight_decay = json_object_get_double_member_with_default (o, "weight_decay", 0);
  c->momentum = json_object_get_double_member_with_default (o, "momentum", 0);
  c->dampening = json_object_get_double_member_with_default (o, "dampening", 0);
  c->nesterov = json_object_get_boolean_member_with_default (o, "nesterov", FALSE);
  c->alpha = json_object_get_double_member_with_default (o, "alpha", c->alpha);
  c->centered = json_object_get_boolean_member_with_default (o, "centered", FALSE);
  c->eps = json_object_get_double_member_with_default (o, "eps", c->eps);
  c->amsgrad = json_object_get_boolean_member_with_default (o, "amsgrad", FALSE);
  c->maximize = json_object_get_boolean_member_with_default (o, "maximize", FALSE);
  if (json_object_has_member (o, "betas"))
    {
      JsonArray *b = json_object_get_array_member (o, "betas");

      if (b == NULL || json_array_get_length (b) != 2)
        {
          g_set_error (error, PB_ENGINE_ERROR, PB_ENGINE_ERROR_CORRUPT,
                       "Run configuration: betas must be two numbers");
          return FALSE;
        }
      c->beta1 = json_array_get_double_element (b, 0);
      c->beta2 = json_array_get_double_element (b, 1);
    }

  return pb_optim_config_validate (c, error);
}

gboolean
pb_train_config_from_json (const char     *json,
                           PbTrainConfig  *config,
                           GError        **error)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autofree char *model = NULL;
  JsonObject *o;
  JsonNode *model_node;
  JsonNode *optim_node;
  PbTrainConfig c;

  pb_train_config_init (&c);
  if (!json_parser_load_from_data (parser, json, -1, NULL) ||
      !JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)))
    {
      g_set_error (error, PB_ENGINE_ERROR, PB_ENGINE_ERROR_CORRUPT,
                   "Run configuration is not a JSON object");
      return FALSE;
    }
  o = json_node_get_object (json_parser_get_root (parser));
  model_node = json_object_get_member (o, "model");
  optim_node = json_object_get_member (o, "optimizer");
  if (model_node == NULL || !JSON_NODE_HOLDS_OBJECT (model_node) ||
      optim_node == NULL || !JSON_NODE_HOLDS_OBJECT (optim_node))
    {
      g_set_error (error, PB_ENGINE_ERROR, PB_ENGINE_ERROR_CORRUPT,
                   "Run configuration lacks the model or the optimiser");
      return FALSE;
    }
  model = pb_json_to_string (model_node, FALSE);
  if (!pb_model_config_from_json (model, &c.model, error) ||
      !optim_from_json (json_node_get_object (optim_node), &c.optim, error))
    return FALSE;

  c.batch_size = json_object_get_int_member_with_default (o, "batch_size", 0);
  c.eval_batch_size = json_object_get_int_member_with_default (o, "eval_batch_size", 0);
  c.n_epochs = json_object_get_int_member_with_default (o, "n_epochs", 0);
  c.eval_every = json_object_get_int_member_with_default (o, "eval_every", 1);
  c.checkpoint_every = json_object_get_int_member_with_default (o, "checkpoint_every", 1);
  c.seed = (guint64) json_object_get_int_member_with_default (o, "seed", 0);
  c.n_threads = json_object_get_int_member_with_default (o, "threads", 0);
  if (!pb_train_config_validate (&c, error))
    return FALSE;

  *config = c;
  return TRUE;
}

/* Datasets */

static gboolean
check_classes_present (const PbDataset *ds,
                       const char      *what,
                       GError         **error)
{
  g_autofree guint *counts = g_new0 (guint, ds->n_classes);

  pb_dataset_count_classes (ds, counts);
  for (guint c = 0; c < ds->n_classes; c++)
    {
      if (counts[c] == 0)
        {
          g_set_error (error, PB_ENGINE_ERROR, PB_ENGINE_ERROR_INVALID_DATA,
                       "The %s has no sample of class %u (of %u): its ROC AUC would be "
                       "undefined", what, c, ds->n_classes);
          return FALSE;
        }
    }

  return TRUE;
}

static gboolean
check_dataset (const PbDataset     *ds,
               const PbTrainConfig *config,
               const char          *what,
               GError             **error)
{
  if (!pb_dataset_validate (ds, error))
    {
      g_prefix_error (error, "The %s: ", what);
      return FALSE;
    }
  if (ds->n_features != config->model.n_features || ds->n_classes != config->model.n_classes)
    {
      g_set_error (error, PB_ENGINE_ERROR, PB_ENGINE_ERROR_INVALID_DATA,
                   "The %s has %u features and %u classes; the model expects %u and %u",
                   what, ds->n_features, ds->n_classes, config->model.n_features,
                   config->model.n_classes);
      return FALSE;
    }

  return TRUE;
}

static void
gather (const PbDataset *ds,
        const guint     *indices,
        guint            count,
        float           *x,
        guint           *lengths,
        gint            *labels)
{
  gsize stride = (gsize) ds->max_len * ds->n_features;

  for (guint j = 0; j < count; j++)
    {
      memcpy (x + j * stride, pb_dataset_get_sequence (ds, indices[j]), stride * sizeof (float));
      lengths[j] = ds->lengths[indices[j]];
      labels[j] = ds->labels[indices[j]];
    }
}

/**
 * pb_trainer_new:
 * @train: the training set; borrowed, must outlive the trainer
 * @valid: (nullable): the held-out set (required by the `standard` preset;
 *   ignored by `seed`, which evaluates on resamples of @train)
 *
 * Builds the model (weights drawn from the seed), the optimiser and the
 * sampler; nothing is trained yet.
 *
 * Returns: (transfer full) (nullable): the trainer, or %NULL with
 *   %PB_ENGINE_ERROR_INVALID_DATA for an empty set, non-finite values, a
 *   length out of range, mismatched shapes or a class missing from the
 *   evaluation set
 */
PbTrainer *
pb_trainer_new (const PbTrainConfig *config,
                const PbDataset     *train,
                const PbDataset     *valid,
                GError             **error)
{
  g_autoptr(PbTrainer) self = NULL;
  PbTrainConfig c;
  PbRng rng_init;
  guint max_batch;

  g_return_val_if_fail (config != NULL, NULL);
  g_return_val_if_fail (train != NULL, NULL);

  c = *config;
  if (c.model.n_features == 0)
    c.model.n_features = train->n_features;
  if (c.model.n_classes == 0)
    c.model.n_classes = train->n_classes;

  if (!pb_train_config_validate (&c, error) ||
      !check_dataset (train, &c, "training set", error))
    return NULL;

  if (c.model.protocol == PB_PROTOCOL_STANDARD)
    {
      if (valid == NULL)
        {
          g_set_error (error, PB_ENGINE_ERROR, PB_ENGINE_ERROR_INVALID_ARGUMENT,
                       "The standard protocol evaluates on a held-out set; none was given");
          return NULL;
        }
      if (!check_dataset (valid, &c, "validation set", error) ||
          !check_classes_present (valid, "validation set", error))
        return NULL;
      if (valid->max_len != train->max_len)
        {
          g_set_error (error, PB_ENGINE_ERROR, PB_ENGINE_ERROR_INVALID_DATA,
                       "Training and validation sets have different lengths (%u, %u)",
                       train->max_len, valid->max_len);
          return NULL;
        }
    }
  else
    {
      valid = NULL;
      if (!check_classes_present (train, "training set (the seed preset evaluates on it)",
                                  error))
        return NULL;
    }

  self = g_new0 (PbTrainer, 1);
  self->config = c;
  self->train = train;
  self->valid = valid;

  self->model = pb_model_new (&c.model, error);
  if (self->model == NULL)
    return NULL;
  pb_model_set_n_threads (self->model, c.n_threads);
  pb_rng_init (&rng_init, c.seed);
  pb_model_init_params (self->model, &rng_init);

  self->optim = pb_optim_new (&c.optim, pb_model_get_n_params (self->model), error);
  if (self->optim == NULL)
    return NULL;

  self->sampler = pb_sampler_new_class_balanced (train->labels, train->n, error);
  if (self->sampler == NULL)
    return NULL;
  pb_rng_init (&self->rng_sampler, c.seed ^ SEED_SAMPLER);
  pb_rng_init (&self->rng_dropout, c.seed ^ SEED_DROPOUT);

  max_batch = MAX (c.batch_size, c.eval_batch_size);
  self->order = g_new (guint, train->n);
  self->bx = g_new (float, (gsize) max_batch * train->max_len * train->n_features);
  self->blen = g_new (guint, max_batch);
  self->blab = g_new (gint, max_batch);

  return g_steal_pointer (&self);
}

void
pb_trainer_free (PbTrainer *self)
{
  if (self == NULL)
    return;

  pb_model_free (self->model);
  pb_optim_free (self->optim);
  pb_sampler_free (self->sampler);
  g_free (self->order);
  g_free (self->bx);
  g_free (self->blen);
  g_free (self->blab);
  g_free (self);
}

/**
 * pb_trainer_get_model:
 *
 * Returns: (transfer none): the model being trained
 */
PbModel *
pb_trainer_get_model (PbTrainer *self)
{
  g_return_val_if_fail (self != NULL, NULL);

  return self->model;
}

guint
pb_trainer_get_epoch (PbTrainer *self)
{
  g_return_val_if_fail (self != NULL, 0);

  return self->epoch;
}

/**
 * pb_trainer_train_epoch:
 * @loss_train: (out) (optional): mean of the batch losses
 *
 * Trains one epoch (SPEC §4.3). On failure or cancellation the trainer is
 * left mid-epoch: reload a checkpoint before going on.
 */
gboolean
pb_trainer_train_epoch (PbTrainer      *self,
                        double         *loss_train,
                        PbProgressFunc  progress,
                        gpointer        progress_data,
                        GCancellable   *cancellable,
                        GError        **error)
{
  const PbDataset *ds;
  const guint B = self->config.batch_size;
  guint n_steps;
  double sum = 0;
  float *params;
  const float *grads;

  g_return_val_if_fail (self != NULL, FALSE);

  ds = self->train;
  n_steps = (ds->n + B - 1) / B;
  params = pb_model_get_params (self->model);
  grads = pb_model_get_grads (self->model);
  pb_sampler_draw (self->sampler, &self->rng_sampler, self->order);

  for (guint s = 0; s < n_steps; s++)
    {
      guint count = MIN (B, ds->n - s * B);
      double loss;

      if (g_cancellable_set_error_if_cancelled (cancellable, error))
        return FALSE;

      gather (ds, self->order + (gsize) s * B, count, self->bx, self->blen, self->blab);
      pb_model_zero_grad (self->model);
      if (!pb_model_forward (self->model, PB_MODEL_MODE_TRAIN, self->bx, self->blen, count,
                             ds->max_len, &self->rng_dropout, error) ||
          !pb_model_loss (self->model, self->blab, NULL, &loss, error) ||
          !pb_model_backward (self->model, self->blab, NULL, error))
        return FALSE;
      if (!isfinite (loss))
        {
          g_set_error (error, PB_ENGINE_ERROR, PB_ENGINE_ERROR_FAILED,
                       "Training diverged: the loss of epoch %u, batch %u is %g "
                       "(try a smaller learning rate)", self->epoch + 1, s + 1, loss);
          return FALSE;
        }
      pb_optim_step (self->optim, params, grads);
      sum += loss;

      if (progress != NULL)
        {
          PbTrainProgress p = {
            .epoch = self->epoch + 1, .n_epochs = self->config.n_epochs,
            .step = s + 1, .n_steps = n_steps, .loss_train = sum / (s + 1),
            .metrics = self->have_latest ? &self->latest : NULL,
          };
          g_autofree char *msg = g_strdup_printf ("epoch %u/%u, loss %.4f", p.epoch,
                                                  p.n_epochs, p.loss_train);

          progress (MIN (1.0, (self->epoch + (double) (s + 1) / n_steps) / self->config.n_epochs),
                    msg, &p, progress_data);
        }
    }

  self->epoch++;
  if (loss_train != NULL)
    *loss_train = sum / n_steps;

  return TRUE;
}

/* Runs @model in eval mode over @count samples of @ds picked by @order (NULL:
 * 0 … count−1) in batches, and computes the metrics. The loss is the mean of
 * the batch losses (SPEC §4.4). */
static gboolean
evaluate_indices (PbModel         *model,
                  const PbDataset *ds,
                  const guint     *order,
                  guint            count,
                  guint            batch_size,
                  float           *bx,
                  guint           *blen,
                  gint            *blab,
                  PbMetrics       *metrics,
                  GCancellable    *cancellable,
                  GError         **error)
{
  const guint C = ds->n_classes;
  g_autofree float *probs = g_new (float, (gsize) count * C);
  g_autofree gint *labels = g_new (gint, MAX (count, 1));
  g_autofree guint *seq = NULL;
  guint n_steps = (count + batch_size - 1) / batch_size;
  double sum = 0;

  if (order == NULL)
    {
      seq = g_new (guint, MAX (count, 1));
      for (guint i = 0; i < count; i++)
        seq[i] = i;
      order = seq;
    }

  for (guint s = 0; s < n_steps; s++)
    {
      guint m = MIN (batch_size, count - s * batch_size);
      double loss;

      if (g_cancellable_set_error_if_cancelled (cancellable, error))
        return FALSE;

      gather (ds, order + (gsize) s * batch_size, m, bx, blen, blab);
      if (!pb_model_forward (model, PB_MODEL_MODE_EVAL, bx, blen, m, ds->max_len, NULL, error) ||
          !pb_model_loss (model, blab, NULL, &loss, error))
        return FALSE;
      memcpy (probs + (gsize) s * batch_size * C, pb_model_get_output (model),
              (gsize) m * C * sizeof (float));
      memcpy (labels + (gsize) s * batch_size, blab, m * sizeof (gint));
      sum += loss;
    }

  return pb_metrics_compute (metrics, probs, labels, count, C,
                             n_steps > 0 ? sum / n_steps : NAN, error);
}

/**
 * pb_trainer_evaluate:
 *
 * One evaluation per the preset: `standard` — the held-out set in order,
 * batches of eval_batch_size; `seed` — a fresh class-balanced draw of the
 * training set (advancing the sampler stream), batches of batch_size.
 */
gboolean
pb_trainer_evaluate (PbTrainer     *self,
                     PbMetrics     *metrics,
                     GCancellable  *cancellable,
                     GError       **error)
{
  g_return_val_if_fail (self != NULL, FALSE);
  g_return_val_if_fail (metrics != NULL, FALSE);

  if (self->config.model.protocol == PB_PROTOCOL_SEED)
    {
      pb_sampler_draw (self->sampler, &self->rng_sampler, self->order);
      if (!evaluate_indices (self->model, self->train, self->order, self->train->n,
                             self->config.batch_size, self->bx, self->blen, self->blab,
                             metrics, cancellable, error))
        return FALSE;
    }
  else if (!evaluate_indices (self->model, self->valid, NULL, self->valid->n,
                              self->config.eval_batch_size, self->bx, self->blen, self->blab,
                              metrics, cancellable, error))
    return FALSE;

  self->latest = *metrics;
  self->have_latest = TRUE;
  return TRUE;
}

/**
 * pb_evaluate_model:
 * @batch_size: samples per forward pass (does not change the metrics except
 *   the loss, a mean of batch means)
 *
 * Metrics of @model (eval mode) on every sample of @dataset, once, in order.
 */
gboolean
pb_evaluate_model (PbModel          *model,
                   const PbDataset  *dataset,
                   guint             batch_size,
                   PbMetrics        *metrics,
                   GCancellable     *cancellable,
                   GError          **error)
{
  const PbModelConfig *mc;
  g_autofree float *bx = NULL;
  g_autofree guint *blen = NULL;
  g_autofree gint *blab = NULL;

  g_return_val_if_fail (model != NULL, FALSE);
  g_return_val_if_fail (dataset != NULL, FALSE);
  g_return_val_if_fail (batch_size > 0, FALSE);

  mc = pb_model_get_config (model);
  if (!pb_dataset_validate (dataset, error))
    return FALSE;
  if (dataset->n_features != mc->n_features || dataset->n_classes != mc->n_classes)
    {
      g_set_error (error, PB_ENGINE_ERROR, PB_ENGINE_ERROR_INVALID_DATA,
                   "The dataset has %u features and %u classes; the model expects %u and %u",
                   dataset->n_features, dataset->n_classes, mc->n_features, mc->n_classes);
      return FALSE;
    }

  bx = g_new (float, (gsize) batch_size * dataset->max_len * dataset->n_features);
  blen = g_new (guint, batch_size);
  blab = g_new (gint, batch_size);

  return evaluate_indices (model, dataset, NULL, dataset->n, batch_size, bx, blen, blab,
                           metrics, cancellable, error);
}

/* Checkpoints */

static char *
rng_to_string (const PbRng *rng)
{
  return g_strdup_printf ("%016" G_GINT64_MODIFIER "x:%016" G_GINT64_MODIFIER "x:%016"
                          G_GINT64_MODIFIER "x:%016" G_GINT64_MODIFIER "x",
                          rng->s[0], rng->s[1], rng->s[2], rng->s[3]);
}

static gboolean
rng_from_string (const char *s,
                 PbRng      *rng)
{
  g_auto(GStrv) parts = NULL;

  if (s == NULL)
    return FALSE;
  parts = g_strsplit (s, ":", -1);
  if (g_strv_length (parts) != 4)
    return FALSE;
  for (guint i = 0; i < 4; i++)
    if (!g_ascii_string_to_unsigned (parts[i], 16, 0, G_MAXUINT64, &rng->s[i], NULL))
      return FALSE;

  return TRUE;
}

/**
 * pb_trainer_save_checkpoint:
 *
 * Returns: (transfer full): the weights (state_dict names), the optimiser
 *   state (`optimizer.*`) and, as metadata, the epoch, both random streams,
 *   the model and run configurations
 */
PbSafetensors *
pb_trainer_save_checkpoint (PbTrainer *self)
{
  PbSafetensors *st = pb_safetensors_new ();
  g_autofree char *epoch = g_strdup_printf ("%u", self->epoch);
  g_autofree char *rs = rng_to_string (&self->rng_sampler);
  g_autofree char *rd = rng_to_string (&self->rng_dropout);
  g_autofree char *config = pb_train_config_to_json (&self->config);

  pb_checkpoint_write_weights (self->model, st);
  pb_optim_save_state (self->optim, st);
  pb_safetensors_set_metadata (st, "epoch", epoch);
  pb_safetensors_set_metadata (st, "rng.sampler", rs);
  pb_safetensors_set_metadata (st, "rng.dropout", rd);
  pb_safetensors_set_metadata (st, "train_config", config);

  return st;
}

/**
 * pb_trainer_load_checkpoint:
 *
 * Restores everything pb_trainer_save_checkpoint() saved, for a trainer built
 * with the same configuration.
 */
gboolean
pb_trainer_load_checkpoint (PbTrainer           *self,
                            const PbSafetensors *st,
                            GError             **error)
{
  guint64 epoch;
  PbRng rs, rd;

  g_return_val_if_fail (self != NULL, FALSE);
  g_return_val_if_fail (st != NULL, FALSE);

  if (!g_ascii_string_to_unsigned (pb_safetensors_get_metadata (st, "epoch") != NULL
                                   ? pb_safetensors_get_metadata (st, "epoch") : "",
                                   10, 0, G_MAXUINT, &epoch, NULL) ||
      !rng_from_string (pb_safetensors_get_metadata (st, "rng.sampler"), &rs) ||
      !rng_from_string (pb_safetensors_get_metadata (st, "rng.dropout"), &rd))
    {
      g_set_error (error, PB_ENGINE_ERROR, PB_ENGINE_ERROR_CORRUPT,
                   "Checkpoint lacks its epoch or random generator state");
      return FALSE;
    }

  if (!pb_checkpoint_read_weights (self->model, st, error) ||
      !pb_optim_load_state (self->optim, st, error))
    return FALSE;

  self->rng_sampler = rs;
  self->rng_dropout = rd;
  self->epoch = (guint) epoch;

  return TRUE;
}
