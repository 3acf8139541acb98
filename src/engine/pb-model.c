/* pb-model.c — the BiLSTM classifier of SPEC.md §3 on a compute backend.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "pb-model-private.h"

#include "pb-error.h"

#include <math.h>
#include <string.h>

/* Dimensions: B = batch, T = padded length of the caller's x, S = longest length
 * in the batch, N = Σ lengths (packed rows), F = input features, H = hidden
 * units, K = n_fc, C = classes.
 *
 * Module tree (SPEC.md §3.1): 0 BiLSTM → summary (B, 2H) → 1 act_lstm → 2 dropout
 * → 3 Linear (2H → K) → 4 act_fc → 5 Linear (K → C) = logits → 6 softmax. */

enum
{
  T_W_IH,
  T_W_HH,
  T_B_IH,
  T_B_HH,
  T_W_IH_REV,
  T_W_HH_REV,
  T_B_IH_REV,
  T_B_HH_REV,
  T_FC_W,
  T_FC_B,
  T_OUT_W,
  T_OUT_B,
  N_TENSORS
};

static const char *tensor_names[N_TENSORS] = {
  "0.lstm.weight_ih_l0",
  "0.lstm.weight_hh_l0",
  "0.lstm.bias_ih_l0",
  "0.lstm.bias_hh_l0",
  "0.lstm.weight_ih_l0_reverse",
  "0.lstm.weight_hh_l0_reverse",
  "0.lstm.bias_ih_l0_reverse",
  "0.lstm.bias_hh_l0_reverse",
  "3.weight",
  "3.bias",
  "5.weight",
  "5.bias",
};

struct _PbModel
{
  PbModelConfig  config;
  PbBackend     *backend;

  PbModelTensor  tensors[N_TENSORS];
  gsize          n_params;
  float         *params;
  float         *grads;

  /* The last forward. */
  gboolean       have_forward;
  PbModelMode    mode;
  guint          batch;        /* B */
  guint          max_len;      /* T */
  guint          n_steps;      /* S */
  guint          n_rows;       /* N */
  PbLstmArgs     dirs[2];      /* forward and reverse direction */

  /* Workspace, grown on demand. */
  guint          cap_batch;
  guint          cap_steps;
  gsize          cap_rows;
  guint         *order;        /* (B) sorted position → batch index, longest first */
  guint         *lengths;      /* (B) by sorted position */
  guint         *batch_sizes;  /* (S) */
  guint         *offsets;      /* (S) */
  float         *xp[2];        /* (N, F) packed inputs per direction */
  float         *h[2];         /* (N, H) */
  float         *c[2];         /* (N, H) */
  float         *gates[2];     /* (N, 4H) */
  float         *dh[2];        /* (N, H) */
  float         *dgates[2];    /* (N, 4H) */
  float         *dxp[2];       /* (N, F) */
  float         *a1;           /* (B, 2H) act_lstm (summary) */
  float         *mask;         /* (B, 2H) dropout scale: 0 or 1/(1−p) */
  float         *a2;           /* (B, 2H) after dropout */
  float         *a3;           /* (B, K)  act_fc (a2 · W3ᵀ + b3) */
  float         *logits;       /* (B, C) */
  float         *output;       /* (B, C) softmax or logits, per mode */
  float         *dlogits;      /* (B, C) */
  float         *da3;          /* (B, K) */
  float         *da2;          /* (B, 2H) */
  double        *loss_work;    /* (2C) */
};

/* ---- names ---------------------------------------------------------------- */

const char *
pb_protocol_get_name (PbProtocol protocol)
{
  switch (protocol)
    {
    case PB_PROTOCOL_STANDARD:
      return "standard";

    case PB_PROTOCOL_SEED:
      return "seed";

    default:
      return NULL;
    }
}

gboolean
pb_protocol_from_name (const char *name,
                       PbProtocol *protocol)
{
  if (g_strcmp0 (name, "standard") == 0)
    *protocol = PB_PROTOCOL_STANDARD;
  else if (g_strcmp0 (name, "seed") == 0)
    *protocol = PB_PROTOCOL_SEED;
  else
    return FALSE;

  return TRUE;
}

const char *
pb_activation_get_name (PbActivation act)
{
  switch (act)
    {
    case PB_ACTIVATION_RELU:
      return "relu";

    case PB_ACTIVATION_TANH:
      return "tanh";

    default:
      return NULL;
    }
}

gboolean
pb_activation_from_name (const char   *name,
                         PbActivation *act)
{
  if (g_ascii_strcasecmp (name != NULL ? name : "", "relu") == 0)
    *act = PB_ACTIVATION_RELU;
  else if (g_ascii_strcasecmp (name != NULL ? name : "", "tanh") == 0)
    *act = PB_ACTIVATION_TANH;
  else
    return FALSE;

  return TRUE;
}

/* ---- config --------------------------------------------------------------- */

/**
 * pb_model_config_init:
 * @config: (out caller-allocates): the config to fill
 *
 * Fills @config with the reference study's tuned model (SPEC.md §3.1, trial 20):
 * F 19, H 128, n_fc 16, C 2, Tanh and Tanh, p 0.029018875280141854, standard preset.
 */
void
pb_model_config_init (PbModelConfig *config)
{
  g_return_if_fail (config != NULL);

  config->n_features = 19;
  config->n_hidden = 128;
  config->n_fc = 16;
  config->n_classes = 2;
  config->act_lstm = PB_ACTIVATION_TANH;
  config->act_fc = PB_ACTIVATION_TANH;
  config->dropout = 0.029018875280141854;
  config->protocol = PB_PROTOCOL_STANDARD;
}

/**
 * pb_model_config_validate:
 * @config: a config
 * @error: return location for a #GError
 *
 * Returns: %TRUE when every field is in range; otherwise %FALSE with
 *   %PB_ENGINE_ERROR_INVALID_ARGUMENT naming the field
 */
gboolean
pb_model_config_validate (const PbModelConfig  *config,
                          GError              **error)
{
  const char *bad = NULL;

  g_return_val_if_fail (config != NULL, FALSE);

  if (config->n_features < 1 || config->n_features > 1 << 16)
    bad = "n_features must be 1 … 65536";
  else if (config->n_hidden < 1 || config->n_hidden > 1 << 14)
    bad = "n_hidden must be 1 … 16384";
  else if (config->n_fc < 1 || config->n_fc > 1 << 16)
    bad = "n_fc must be 1 … 65536";
  else if (config->n_classes < 2 || config->n_classes > 1 << 16)
    bad = "n_classes must be 2 … 65536";
  else if (pb_activation_get_name (config->act_lstm) == NULL)
    bad = "act_lstm is not an activation";
  else if (pb_activation_get_name (config->act_fc) == NULL)
    bad = "act_fc is not an activation";
  else if (!(config->dropout >= 0.0 && config->dropout < 1.0))
    bad = "dropout must be in [0, 1)";
  else if (pb_protocol_get_name (config->protocol) == NULL)
    bad = "protocol is not a preset";

  if (bad != NULL)
    {
      g_set_error (error, PB_ENGINE_ERROR, PB_ENGINE_ERROR_INVALID_ARGUMENT,
                   "Invalid model configuration: %s", bad);
      return FALSE;
    }

  return TRUE;
}

/* ---- construction --------------------------------------------------------- */

static void
set_tensor (PbModel *self,
            guint    id,
            guint    n_dims,
            guint    d0,
            guint    d1,
            gsize   *offset)
{
  PbModelTensor *t = &self->tensors[id];

  t->name = tensor_names[id];
  t->n_dims = n_dims;
  t->shape[0] = d0;
  t->shape[1] = n_dims > 1 ? d1 : 0;
  t->offset = *offset;
  t->n = (gsize) d0 * (n_dims > 1 ? d1 : 1);
  *offset += t->n;
}

static void
workspace_clear (PbModel *self)
{
  g_clear_pointer (&self->order, g_free);
  g_clear_pointer (&self->lengths, g_free);
  g_clear_pointer (&self->batch_sizes, g_free);
  g_clear_pointer (&self->offsets, g_free);
  for (guint d = 0; d < 2; d++)
    {
      g_clear_pointer (&self->xp[d], g_free);
      g_clear_pointer (&self->h[d], g_free);
      g_clear_pointer (&self->c[d], g_free);
      g_clear_pointer (&self->gates[d], g_free);
      g_clear_pointer (&self->dh[d], g_free);
      g_clear_pointer (&self->dgates[d], g_free);
      g_clear_pointer (&self->dxp[d], g_free);
    }
  g_clear_pointer (&self->a1, g_free);
  g_clear_pointer (&self->mask, g_free);
  g_clear_pointer (&self->a2, g_free);
  g_clear_pointer (&self->a3, g_free);
  g_clear_pointer (&self->logits, g_free);
  g_clear_pointer (&self->output, g_free);
  g_clear_pointer (&self->dlogits, g_free);
  g_clear_pointer (&self->da3, g_free);
  g_clear_pointer (&self->da2, g_free);
}

static void
workspace_ensure (PbModel *self,
                  guint    batch,
                  guint    n_steps,
                  gsize    n_rows)
{
  const gsize F = self->config.n_features;
  const gsize H = self->config.n_hidden;
  const gsize K = self->config.n_fc;
  const gsize C = self->config.n_classes;

  if (batch > self->cap_batch)
    {
      const gsize B = batch;

      g_free (self->order);
      g_free (self->lengths);
      g_free (self->a1);
      g_free (self->mask);
      g_free (self->a2);
      g_free (self->a3);
      g_free (self->logits);
      g_free (self->output);
      g_free (self->dlogits);
      g_free (self->da3);
      g_free (self->da2);
      self->order = g_new (guint, B);
      self->lengths = g_new (guint, B);
      self->a1 = g_new (float, B * 2 * H);
      self->mask = g_new (float, B * 2 * H);
      self->a2 = g_new (float, B * 2 * H);
      self->a3 = g_new (float, B * K);
      self->logits = g_new (float, B * C);
      self->output = g_new (float, B * C);
      self->dlogits = g_new (float, B * C);
      self->da3 = g_new (float, B * K);
      self->da2 = g_new (float, B * 2 * H);
      self->cap_batch = batch;
    }

  if (n_steps > self->cap_steps)
    {
      g_free (self->batch_sizes);
      g_free (self->offsets);
      self->batch_sizes = g_new (guint, n_steps);
      self->offsets = g_new (guint, n_steps);
      self->cap_steps = n_steps;
    }

  if (n_rows > self->cap_rows)
    {
      for (guint d = 0; d < 2; d++)
        {
          g_free (self->xp[d]);
          g_free (self->h[d]);
          g_free (self->c[d]);
          g_free (self->gates[d]);
          g_free (self->dh[d]);
          g_free (self->dgates[d]);
          g_free (self->dxp[d]);
          self->xp[d] = g_new (float, n_rows * F);
          self->h[d] = g_new (float, n_rows * H);
          self->c[d] = g_new (float, n_rows * H);
          self->gates[d] = g_new (float, n_rows * 4 * H);
          self->dh[d] = g_new (float, n_rows * H);
          self->dgates[d] = g_new (float, n_rows * 4 * H);
          self->dxp[d] = g_new (float, n_rows * F);
        }
      self->cap_rows = n_rows;
    }
}

/**
 * pb_model_new:
 * @config: the architecture
 * @error: return location for a #GError
 *
 * Creates a model on the default backend (pb_backend_get_default_kind(), cpu
 * unless set) with parameters and gradients zeroed; call
 * pb_model_init_params() or copy weights into pb_model_get_params(). A model and
 * its workspace belong to one thread at a time.
 *
 * Returns: (transfer full): a new model, or %NULL with @error set
 */
PbModel *
pb_model_new (const PbModelConfig  *config,
              GError              **error)
{
  g_autoptr(PbModel) self = NULL;
  const guint F = config != NULL ? config->n_features : 0;
  const guint H = config != NULL ? config->n_hidden : 0;
  gsize offset = 0;

  g_return_val_if_fail (config != NULL, NULL);

  if (!pb_model_config_validate (config, error))
    return NULL;

  self = g_new0 (PbModel, 1);
  self->config = *config;
  self->backend = pb_backend_new (pb_backend_get_default_kind (), error);
  if (self->backend == NULL)
    return NULL;

  for (guint d = 0; d < 2; d++)
    {
      set_tensor (self, T_W_IH + 4 * d, 2, 4 * H, F, &offset);
      set_tensor (self, T_W_HH + 4 * d, 2, 4 * H, H, &offset);
      set_tensor (self, T_B_IH + 4 * d, 1, 4 * H, 0, &offset);
      set_tensor (self, T_B_HH + 4 * d, 1, 4 * H, 0, &offset);
    }
  set_tensor (self, T_FC_W, 2, config->n_fc, 2 * H, &offset);
  set_tensor (self, T_FC_B, 1, config->n_fc, 0, &offset);
  set_tensor (self, T_OUT_W, 2, config->n_classes, config->n_fc, &offset);
  set_tensor (self, T_OUT_B, 1, config->n_classes, 0, &offset);

  self->n_params = offset;
  self->params = g_new0 (float, offset);
  self->grads = g_new0 (float, offset);
  self->loss_work = g_new (double, 2 * config->n_classes);

  return g_steal_pointer (&self);
}

void
pb_model_free (PbModel *model)
{
  if (model == NULL)
    return;

  workspace_clear (model);
  g_clear_pointer (&model->backend, pb_backend_free);
  g_free (model->params);
  g_free (model->grads);
  g_free (model->loss_work);
  g_free (model);
}

const PbModelConfig *
pb_model_get_config (PbModel *model)
{
  g_return_val_if_fail (model != NULL, NULL);

  return &model->config;
}

/**
 * pb_model_set_n_threads:
 * @model: a model
 * @n_threads: threads one forward or backward may use, 0 (the default) for one
 *   per processor
 *
 * Results do not depend on timing, but may differ in the last bits between
 * thread counts (the work is split differently). Run several models in parallel
 * (cross-validation folds, tuning trials) with 1 each.
 */
void
pb_model_set_n_threads (PbModel *model,
                        guint    n_threads)
{
  g_return_if_fail (model != NULL);

  pb_backend_set_n_threads (model->backend, n_threads);
}

/**
 * pb_model_set_backend:
 * @model: a model
 * @backend: (transfer full): the backend its forward and backward run on
 *
 * Replaces the model's backend (parameters stay where they are); the next
 * backward needs a new forward.
 */
void
pb_model_set_backend (PbModel   *model,
                      PbBackend *backend)
{
  g_return_if_fail (model != NULL);
  g_return_if_fail (backend != NULL);

  pb_backend_free (model->backend);
  model->backend = backend;
  model->have_forward = FALSE;
}

PbBackend *
pb_model_get_backend (PbModel *model)
{
  g_return_val_if_fail (model != NULL, NULL);

  return model->backend;
}

/**
 * pb_model_get_n_params:
 * @model: a model
 *
 * Returns: the number of floats in pb_model_get_params() and pb_model_get_grads()
 */
gsize
pb_model_get_n_params (PbModel *model)
{
  g_return_val_if_fail (model != NULL, 0);

  return model->n_params;
}

/**
 * pb_model_get_tensors:
 * @model: a model
 * @n_tensors: (out): number of entries
 *
 * The named tensors carving the parameter (and gradient) array, in PyTorch's
 * state_dict order; offsets are contiguous, so the array is their concatenation.
 *
 * Returns: (transfer none) (array length=n_tensors): the table
 */
const PbModelTensor *
pb_model_get_tensors (PbModel *model,
                      guint   *n_tensors)
{
  g_return_val_if_fail (model != NULL, NULL);

  if (n_tensors != NULL)
    *n_tensors = N_TENSORS;

  return model->tensors;
}

/**
 * pb_model_lookup_tensor:
 * @model: a model
 * @name: a state_dict key such as "3.weight"
 *
 * Returns: (transfer none) (nullable): the tensor, or %NULL when no tensor has @name
 */
const PbModelTensor *
pb_model_lookup_tensor (PbModel    *model,
                        const char *name)
{
  g_return_val_if_fail (model != NULL, NULL);

  for (guint i = 0; i < N_TENSORS; i++)
    if (g_strcmp0 (model->tensors[i].name, name) == 0)
      return &model->tensors[i];

  return NULL;
}

/**
 * pb_model_get_params:
 * @model: a model
 *
 * Returns: (transfer none): the n_params parameters, writable
 */
float *
pb_model_get_params (PbModel *model)
{
  g_return_val_if_fail (model != NULL, NULL);

  return model->params;
}

/**
 * pb_model_get_grads:
 * @model: a model
 *
 * Returns: (transfer none): the n_params gradients, laid out like the parameters;
 *   backward adds to them, pb_model_zero_grad() clears them
 */
float *
pb_model_get_grads (PbModel *model)
{
  g_return_val_if_fail (model != NULL, NULL);

  return model->grads;
}

void
pb_model_zero_grad (PbModel *model)
{
  g_return_if_fail (model != NULL);

  memset (model->grads, 0, sizeof (float) * model->n_params);
}

/**
 * pb_model_init_params:
 * @model: a model
 * @rng: the generator to draw from
 *
 * PyTorch's default distributions (engine-notes §4.2), drawn tensor by tensor in
 * state_dict order, row-major: every LSTM weight and bias ~ U(−1/√H, 1/√H);
 * each Linear weight and bias ~ U(−1/√in, 1/√in).
 */
void
pb_model_init_params (PbModel *model,
                      PbRng   *rng)
{
  g_return_if_fail (model != NULL);
  g_return_if_fail (rng != NULL);

  for (guint i = 0; i < N_TENSORS; i++)
    {
      const PbModelTensor *t = &model->tensors[i];
      double fan_in;
      double bound;

      if (i < T_FC_W)
        fan_in = model->config.n_hidden;
      else if (i == T_FC_W || i == T_FC_B)
        fan_in = 2.0 * model->config.n_hidden;
      else
        fan_in = model->config.n_fc;

      bound = 1.0 / sqrt (fan_in);
      for (gsize k = 0; k < t->n; k++)
        model->params[t->offset + k] = (float) pb_rng_uniform_range (rng, -bound, bound);
    }
}

/* ---- forward -------------------------------------------------------------- */

static gboolean
check_batch (PbModel      *self,
             const float  *x,
             const guint  *lengths,
             guint         batch,
             guint         max_len,
             GError      **error)
{
  const guint F = self->config.n_features;

  if (batch == 0)
    {
      g_set_error (error, PB_ENGINE_ERROR, PB_ENGINE_ERROR_INVALID_DATA,
                   "Empty batch: no sequences to run the model on");
      return FALSE;
    }

  if (max_len == 0)
    {
      g_set_error (error, PB_ENGINE_ERROR, PB_ENGINE_ERROR_INVALID_ARGUMENT,
                   "Sequences of length 0 (T = 0) cannot be run");
      return FALSE;
    }

  for (guint b = 0; b < batch; b++)
    {
      const float *xb = x + (gsize) b * max_len * F;

      if (lengths[b] < 1 || lengths[b] > max_len)
        {
          g_set_error (error, PB_ENGINE_ERROR, PB_ENGINE_ERROR_INVALID_DATA,
                       "Sequence %u has length %u; lengths must be 1 … %u",
                       b, lengths[b], max_len);
          return FALSE;
        }

      for (gsize k = 0; k < (gsize) lengths[b] * F; k++)
        if (!isfinite (xb[k]))
          {
            g_set_error (error, PB_ENGINE_ERROR, PB_ENGINE_ERROR_INVALID_DATA,
                         "Sequence %u has a non-finite value (%g) at step %u, feature %u",
                         b, (double) xb[k], (guint) (k / F), (guint) (k % F));
            return FALSE;
          }
    }

  return TRUE;
}

/* Sort by length, longest first, ties in batch order (a stable insertion sort
 * on indices), and build PackedSequence batch sizes and offsets. */
static void
pack_batch (PbModel     *self,
            const guint *lengths,
            guint        batch)
{
  guint n_steps = 0;
  guint n_rows = 0;

  for (guint b = 0; b < batch; b++)
    {
      guint j = b;

      while (j > 0 && lengths[self->order[j - 1]] < lengths[b])
        {
          self->order[j] = self->order[j - 1];
          j--;
        }
      self->order[j] = b;
    }

  for (guint j = 0; j < batch; j++)
    self->lengths[j] = lengths[self->order[j]];
  n_steps = self->lengths[0];

  for (guint s = 0, bs = batch; s < n_steps; s++)
    {
      while (bs > 0 && self->lengths[bs - 1] <= s)
        bs--;
      self->batch_sizes[s] = bs;
      self->offsets[s] = n_rows;
      n_rows += bs;
    }

  self->n_steps = n_steps;
  self->n_rows = n_rows;
}

static void
softmax_row (float       *y,
             const float *z,
             guint        n)
{
  double m = z[0];
  double sum = 0.0;

  for (guint k = 1; k < n; k++)
    m = MAX (m, z[k]);
  for (guint k = 0; k < n; k++)
    sum += exp (z[k] - m);
  for (guint k = 0; k < n; k++)
    y[k] = (float) (exp (z[k] - m) / sum);
}

/* The packed row holding the summary of sorted sequence j in direction d. */
static gsize
summary_row (PbModel *self,
             guint    d,
             guint    j)
{
  const guint L = self->lengths[j];

  if (d == 1 && self->config.protocol == PB_PROTOCOL_SEED)
    return j;                       /* reverse direction after its first step (t = L−1) */

  return self->offsets[L - 1] + j;  /* after step L−1: forward at t = L−1, reverse at t = 0 */
}

/**
 * pb_model_forward:
 * @model: a model
 * @mode: train (dropout on), eval, or logits
 * @x: (B, T, F) inputs, row-major; steps t ≥ lengths[b] are never read
 * @lengths: (B) 1 … T
 * @batch: B
 * @max_len: T, the row stride of @x in steps
 * @rng: (nullable): dropout draws; needed in train mode when dropout > 0
 * @error: return location for a #GError
 *
 * Runs the model and keeps what backward needs. Read the result with
 * pb_model_get_output() or pb_model_get_logits().
 *
 * Returns: %TRUE on success; %FALSE with %PB_ENGINE_ERROR_INVALID_DATA for a
 *   length outside 1 … T or a non-finite input value
 */
gboolean
pb_model_forward (PbModel      *model,
                  PbModelMode   mode,
                  const float  *x,
                  const guint  *lengths,
                  guint         batch,
                  guint         max_len,
                  PbRng        *rng,
                  GError      **error)
{
  const guint F = model != NULL ? model->config.n_features : 0;
  const guint H = model != NULL ? model->config.n_hidden : 0;
  const guint K = model != NULL ? model->config.n_fc : 0;
  const guint C = model != NULL ? model->config.n_classes : 0;
  const gboolean dropout = mode == PB_MODEL_MODE_TRAIN && model != NULL && model->config.dropout > 0.0;
  PbBackend *be;
  const float *p;

  g_return_val_if_fail (model != NULL, FALSE);
  g_return_val_if_fail (x != NULL, FALSE);
  g_return_val_if_fail (lengths != NULL, FALSE);
  g_return_val_if_fail (mode == PB_MODEL_MODE_TRAIN || mode == PB_MODEL_MODE_EVAL ||
                        mode == PB_MODEL_MODE_LOGITS, FALSE);
  g_return_val_if_fail (!dropout || rng != NULL, FALSE);

  model->have_forward = FALSE;
  if (!check_batch (model, x, lengths, batch, max_len, error))
    return FALSE;

  be = model->backend;
  p = model->params;
  workspace_ensure (model, batch, max_len, (gsize) batch * max_len);
  pack_batch (model, lengths, batch);
  model->mode = mode;
  model->batch = batch;
  model->max_len = max_len;

  /* Pack the inputs: forward direction reads t = s, reverse t = L − 1 − s. */
  for (guint s = 0; s < model->n_steps; s++)
    for (guint j = 0; j < model->batch_sizes[s]; j++)
      {
        const float *xb = x + (gsize) model->order[j] * max_len * F;
        const gsize row = model->offsets[s] + j;

        memcpy (model->xp[0] + row * F, xb + (gsize) s * F, sizeof (float) * F);
        memcpy (model->xp[1] + row * F, xb + (gsize) (model->lengths[j] - 1 - s) * F,
                sizeof (float) * F);
      }

  for (guint d = 0; d < 2; d++)
    {
      PbLstmArgs *a = &model->dirs[d];
      const guint base = 4 * d;

      *a = (PbLstmArgs) {
        .n_steps = model->n_steps,
        .batch_sizes = model->batch_sizes,
        .offsets = model->offsets,
        .n_rows = model->n_rows,
        .n_input = F,
        .n_hidden = H,
        .w_ih = p + model->tensors[T_W_IH + base].offset,
        .w_hh = p + model->tensors[T_W_HH + base].offset,
        .b_ih = p + model->tensors[T_B_IH + base].offset,
        .b_hh = p + model->tensors[T_B_HH + base].offset,
        .x = model->xp[d],
        .h = model->h[d],
        .c = model->c[d],
        .gates = model->gates[d],
        .dh = model->dh[d],
        .dgates = model->dgates[d],
        .dx = model->dxp[d],
        .dw_ih = model->grads + model->tensors[T_W_IH + base].offset,
        .dw_hh = model->grads + model->tensors[T_W_HH + base].offset,
        .db_ih = model->grads + model->tensors[T_B_IH + base].offset,
        .db_hh = model->grads + model->tensors[T_B_HH + base].offset,
      };
    }

  /* Under the seed preset only the reverse direction's first step is read. */
  if (model->config.protocol == PB_PROTOCOL_SEED)
    {
      model->dirs[1].n_steps = 1;
      model->dirs[1].n_rows = model->batch_sizes[0];
    }

  if (!pb_backend_lstm_forward (be, model->dirs, 2, error))
    return FALSE;

  /* Summary (B, 2H) in batch order, then act_lstm. */
  for (guint j = 0; j < batch; j++)
    {
      float *row = model->a1 + (gsize) model->order[j] * 2 * H;

      for (guint d = 0; d < 2; d++)
        memcpy (row + d * H, model->h[d] + summary_row (model, d, j) * H, sizeof (float) * H);
    }
  pb_backend_activation_forward (be, model->config.act_lstm, model->a1, model->a1,
                                 (gsize) batch * 2 * H);

  /* Dropout (inverted): keep with 1 − p, scale by 1/(1 − p). */
  if (dropout)
    {
      const double keep = 1.0 - model->config.dropout;
      const float scale = (float) (1.0 / keep);

      for (gsize k = 0; k < (gsize) batch * 2 * H; k++)
        {
          model->mask[k] = pb_rng_bernoulli (rng, keep) ? scale : 0.0f;
          model->a2[k] = model->a1[k] * model->mask[k];
        }
    }
  else
    memcpy (model->a2, model->a1, sizeof (float) * batch * 2 * H);

  /* a3 (B, K) = act_fc (a2 · W3ᵀ + b3); logits (B, C) = a3 · W5ᵀ + b5. */
  pb_backend_gemm (be, FALSE, TRUE, batch, K, 2 * H,
                   1.0f, model->a2, 2 * H, p + model->tensors[T_FC_W].offset, 2 * H,
                   0.0f, model->a3, K);
  pb_backend_add_bias (be, model->a3, model->a3, p + model->tensors[T_FC_B].offset, batch, K);
  pb_backend_activation_forward (be, model->config.act_fc, model->a3, model->a3, (gsize) batch * K);

  pb_backend_gemm (be, FALSE, TRUE, batch, C, K,
                   1.0f, model->a3, K, p + model->tensors[T_OUT_W].offset, K,
                   0.0f, model->logits, C);
  pb_backend_add_bias (be, model->logits, model->logits, p + model->tensors[T_OUT_B].offset,
                       batch, C);

  for (guint b = 0; b < batch; b++)
    {
      if (mode == PB_MODEL_MODE_LOGITS)
        memcpy (model->output + (gsize) b * C, model->logits + (gsize) b * C, sizeof (float) * C);
      else
        softmax_row (model->output + (gsize) b * C, model->logits + (gsize) b * C, C);
    }

  model->have_forward = TRUE;
  return TRUE;
}

/**
 * pb_model_get_output:
 * @model: a model after pb_model_forward()
 *
 * Returns: (transfer none): (B, C) class probabilities (train, eval) or logits
 *   (logits mode); valid until the next forward
 */
const float *
pb_model_get_output (PbModel *model)
{
  g_return_val_if_fail (model != NULL && model->have_forward, NULL);

  return model->output;
}

/**
 * pb_model_get_logits:
 * @model: a model after pb_model_forward()
 *
 * Returns: (transfer none): (B, C) the output of module 5, in every mode
 */
const float *
pb_model_get_logits (PbModel *model)
{
  g_return_val_if_fail (model != NULL && model->have_forward, NULL);

  return model->logits;
}

/* ---- loss ----------------------------------------------------------------- */

static gboolean
check_labels (PbModel     *self,
              const gint  *labels,
              GError     **error)
{
  for (guint b = 0; b < self->batch; b++)
    if (labels[b] < 0 || (guint) labels[b] >= self->config.n_classes)
      {
        g_set_error (error, PB_ENGINE_ERROR, PB_ENGINE_ERROR_INVALID_DATA,
                     "Sequence %u has label %d; labels must be 0 … %u",
                     b, labels[b], self->config.n_classes - 1);
        return FALSE;
      }

  return TRUE;
}

/* Per-sample loss of one row, and optionally d(loss)/d(logits) scaled by @scale.
 *   standard: ℓ = logsumexp (z) − z_y
 *   seed:     p = softmax (z); ℓ = logsumexp (p) − p_y (double softmax, SPEC §3.4)
 * @y must be a class of the row (0 … C − 1); @work holds 2C doubles. */
double
_pb_model_loss_row (PbProtocol   protocol,
                    const float *z,
                    guint        C,
                    gint         y,
                    double       scale,
                    float       *dz,
                    double      *work)
{
  double *v = work;
  double *q = work + C;
  double m;
  double sum = 0.0;
  double loss;

  for (guint k = 0; k < C; k++)
    v[k] = z[k];

  if (protocol == PB_PROTOCOL_SEED)
    {
      m = v[0];
      for (guint k = 1; k < C; k++)
        m = MAX (m, v[k]);
      for (guint k = 0; k < C; k++)
        sum += (v[k] = exp (v[k] - m));
      for (guint k = 0; k < C; k++)
        v[k] /= sum;
      sum = 0.0;
    }

  m = v[0];
  for (guint k = 1; k < C; k++)
    m = MAX (m, v[k]);
  for (guint k = 0; k < C; k++)
    sum += (q[k] = exp (v[k] - m));
  loss = m + log (sum) - v[y];

  if (dz != NULL)
    {
      /* dℓ/dv = softmax (v) − onehot (y) */
      for (guint k = 0; k < C; k++)
        q[k] = q[k] / sum - (k == (guint) y ? 1.0 : 0.0);

      if (protocol == PB_PROTOCOL_SEED)
        {
          /* back through p = softmax (z): dz = p ⊙ (dp − Σ dp ⊙ p) */
          double dot = 0.0;

          for (guint k = 0; k < C; k++)
            dot += q[k] * v[k];
          for (guint k = 0; k < C; k++)
            q[k] = v[k] * (q[k] - dot);
        }

      for (guint k = 0; k < C; k++)
        dz[k] = (float) (scale * q[k]);
    }

  return loss;
}

/**
 * pb_model_loss:
 * @model: a model after pb_model_forward()
 * @labels: (B) classes 0 … C − 1
 * @losses: (out) (optional) (array): per-sequence losses, B values
 * @loss: (out) (optional): their mean, as CrossEntropyLoss reports it
 * @error: return location for a #GError
 *
 * Cross-entropy per the preset: on the logits (standard) or on the softmax
 * output (seed). Accumulated in double.
 *
 * Returns: %TRUE on success; %FALSE for a label out of range
 */
gboolean
pb_model_loss (PbModel     *model,
               const gint  *labels,
               double      *losses,
               double      *loss,
               GError     **error)
{
  const guint C = model != NULL ? model->config.n_classes : 0;
  double total = 0.0;

  g_return_val_if_fail (model != NULL && model->have_forward, FALSE);
  g_return_val_if_fail (labels != NULL, FALSE);

  if (!check_labels (model, labels, error))
    return FALSE;

  for (guint b = 0; b < model->batch; b++)
    {
      double l = _pb_model_loss_row (model->config.protocol, model->logits + (gsize) b * C, C,
                                     labels[b], 0.0, NULL, model->loss_work);

      if (losses != NULL)
        losses[b] = l;
      total += l;
    }

  if (loss != NULL)
    *loss = total / model->batch;

  return TRUE;
}

/* ---- backward ------------------------------------------------------------- */

static gboolean
backward_from_dlogits (PbModel  *self,
                       gboolean  param_grads,
                       float    *dx,
                       GError  **error)
{
  const guint F = self->config.n_features;
  const guint H = self->config.n_hidden;
  const guint K = self->config.n_fc;
  const guint C = self->config.n_classes;
  const guint B = self->batch;
  PbBackend *be = self->backend;
  const float *p = self->params;
  float *g = self->grads;

  /* Module 5: dW5 += dlogitsᵀ · a3; db5 += Σ dlogits; da3 = dlogits · W5. */
  if (param_grads)
    {
      pb_backend_gemm (be, TRUE, FALSE, C, K, B,
                       1.0f, self->dlogits, C, self->a3, K,
                       1.0f, g + self->tensors[T_OUT_W].offset, K);
      pb_backend_sum_rows (be, g + self->tensors[T_OUT_B].offset, self->dlogits, B, C);
    }
  pb_backend_gemm (be, FALSE, FALSE, B, K, C,
                   1.0f, self->dlogits, C, p + self->tensors[T_OUT_W].offset, K,
                   0.0f, self->da3, K);

  /* Modules 4 and 3. */
  pb_backend_activation_backward (be, self->config.act_fc, self->da3, self->da3, self->a3,
                                  (gsize) B * K);
  if (param_grads)
    {
      pb_backend_gemm (be, TRUE, FALSE, K, 2 * H, B,
                       1.0f, self->da3, K, self->a2, 2 * H,
                       1.0f, g + self->tensors[T_FC_W].offset, 2 * H);
      pb_backend_sum_rows (be, g + self->tensors[T_FC_B].offset, self->da3, B, K);
    }
  pb_backend_gemm (be, FALSE, FALSE, B, 2 * H, K,
                   1.0f, self->da3, K, p + self->tensors[T_FC_W].offset, 2 * H,
                   0.0f, self->da2, 2 * H);

  /* Modules 2 and 1. */
  if (self->mode == PB_MODEL_MODE_TRAIN && self->config.dropout > 0.0)
    for (gsize k = 0; k < (gsize) B * 2 * H; k++)
      self->da2[k] *= self->mask[k];
  pb_backend_activation_backward (be, self->config.act_lstm, self->da2, self->da2, self->a1,
                                  (gsize) B * 2 * H);

  /* Module 0: the summary gradient lands on one packed row per sequence and
   * direction; every other step only gets the recurrent gradient. */
  for (guint d = 0; d < 2; d++)
    memset (self->dh[d], 0, sizeof (float) * self->dirs[d].n_rows * H);
  for (guint j = 0; j < B; j++)
    {
      const float *row = self->da2 + (gsize) self->order[j] * 2 * H;

      for (guint d = 0; d < 2; d++)
        memcpy (self->dh[d] + summary_row (self, d, j) * H, row + d * H, sizeof (float) * H);
    }

  for (guint d = 0; d < 2; d++)
    self->dirs[d].dx = dx != NULL ? self->dxp[d] : NULL;

  if (!pb_backend_lstm_backward_data (be, self->dirs, 2, error))
    return FALSE;
  if (param_grads && !pb_backend_lstm_backward_weights (be, self->dirs, 2, error))
    return FALSE;

  if (dx != NULL)
    {
      const guint T = self->max_len;

      memset (dx, 0, sizeof (float) * B * T * F);
      for (guint d = 0; d < 2; d++)
        {
          const PbLstmArgs *a = &self->dirs[d];

          for (guint s = 0; s < a->n_steps; s++)
            for (guint j = 0; j < a->batch_sizes[s]; j++)
              {
                const guint t = d == 0 ? s : self->lengths[j] - 1 - s;
                float *dst = dx + ((gsize) self->order[j] * T + t) * F;
                const float *src = self->dxp[d] + ((gsize) a->offsets[s] + j) * F;

                for (guint k = 0; k < F; k++)
                  dst[k] += src[k];
              }
        }
    }

  return TRUE;
}

/**
 * pb_model_backward:
 * @model: a model after pb_model_forward()
 * @labels: (B) classes 0 … C − 1
 * @dx: (out) (optional): (B, T, F) ∂loss/∂x, written (zero on padding)
 * @error: return location for a #GError
 *
 * Back-propagates the mean loss of pb_model_loss() and **adds** the gradient of
 * every parameter to pb_model_get_grads() (zero them once per step).
 *
 * Returns: %TRUE on success
 */
gboolean
pb_model_backward (PbModel     *model,
                   const gint  *labels,
                   float       *dx,
                   GError     **error)
{
  const guint C = model != NULL ? model->config.n_classes : 0;

  g_return_val_if_fail (model != NULL && model->have_forward, FALSE);
  g_return_val_if_fail (labels != NULL, FALSE);

  if (!check_labels (model, labels, error))
    return FALSE;

  for (guint b = 0; b < model->batch; b++)
    _pb_model_loss_row (model->config.protocol, model->logits + (gsize) b * C, C, labels[b],
                        1.0 / model->batch, model->dlogits + (gsize) b * C, model->loss_work);

  return backward_from_dlogits (model, TRUE, dx, error);
}

/**
 * pb_model_backward_from_logits:
 * @model: a model after pb_model_forward()
 * @dlogits: (B, C) upstream gradient on the logits (the output of module 5)
 * @param_grads: whether to add parameter gradients too (attacks need only @dx)
 * @dx: (out) (optional): (B, T, F) gradient on the inputs, written (zero on padding)
 * @error: return location for a #GError
 *
 * Back-propagates an arbitrary loss defined on the logits.
 *
 * Returns: %TRUE on success
 */
gboolean
pb_model_backward_from_logits (PbModel      *model,
                               const float  *dlogits,
                               gboolean      param_grads,
                               float        *dx,
                               GError      **error)
{
  g_return_val_if_fail (model != NULL && model->have_forward, FALSE);
  g_return_val_if_fail (dlogits != NULL, FALSE);

  memcpy (model->dlogits, dlogits, sizeof (float) * model->batch * model->config.n_classes);

  return backward_from_dlogits (model, param_grads, dx, error);
}
