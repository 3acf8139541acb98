/* pb-optim.c — SGD, RMSprop, Adam exactly as torch 1.13's single-tensor code
 * paths (torch/optim/{sgd,rmsprop,adam}.py), engine-notes §4.3.
 *
 * Element-wise and in float32 in the same operation order as PyTorch's tensor
 * ops (each `mul_`, `add_`, `addcmul_`, `sqrt`, `addcdiv_` rounds to float),
 * with the Python-side scalars (bias corrections, step size) in double as
 * Python computes them, then rounded to float where the tensor op would.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "pb-optim.h"

#include "pb-error.h"
#include "pb-json.h"

#include <math.h>
#include <string.h>

struct _PbOptim
{
  PbOptimConfig config;
  gsize         n;
  gint64        step;
  gboolean      buf_init;   /* SGD: momentum buffer exists (torch: not None) */
  float        *buf;        /* (n) momentum buffer: SGD and RMSprop */
  float        *sq;         /* (n) RMSprop square_avg, Adam exp_avg_sq */
  float        *avg;        /* (n) RMSprop grad_avg (centered), Adam exp_avg */
  float        *max_sq;     /* (n) Adam max_exp_avg_sq (amsgrad) */
};

const char *
pb_optim_kind_get_name (PbOptimKind kind)
{
  switch (kind)
    {
    case PB_OPTIM_KIND_SGD:
      return "SGD";

    case PB_OPTIM_KIND_RMSPROP:
      return "RMSprop";

    case PB_OPTIM_KIND_ADAM:
      return "Adam";

    default:
      g_return_val_if_reached (NULL);
    }
}

/**
 * pb_optim_kind_from_name:
 * @name: "SGD", "RMSprop" or "Adam" (torch.optim class names, as the
 *   reference's `optimizer_name`); case-insensitive
 */
gboolean
pb_optim_kind_from_name (const char  *name,
                         PbOptimKind *kind)
{
  for (PbOptimKind k = PB_OPTIM_KIND_SGD; k <= PB_OPTIM_KIND_ADAM; k++)
    {
      if (g_ascii_strcasecmp (name, pb_optim_kind_get_name (k)) == 0)
        {
          *kind = k;
          return TRUE;
        }
    }

  return FALSE;
}

/**
 * pb_optim_config_init:
 *
 * PyTorch 1.13 defaults: SGD (lr 1e-3 — required in 1.13, momentum 0,
 * dampening 0, no Nesterov); RMSprop (lr 1e-2, alpha 0.99, eps 1e-8, momentum
 * 0, not centered); Adam (lr 1e-3, betas 0.9/0.999, eps 1e-8, no amsgrad);
 * weight decay 0 everywhere.
 */
void
pb_optim_config_init (PbOptimConfig *config,
                      PbOptimKind    kind)
{
  g_return_if_fail (config != NULL);

  memset (config, 0, sizeof *config);
  config->kind = kind;
  config->lr = kind == PB_OPTIM_KIND_RMSPROP ? 1e-2 : 1e-3;
  config->alpha = 0.99;
  config->eps = 1e-8;
  config->beta1 = 0.9;
  config->beta2 = 0.999;
}

static gboolean
check (gboolean    ok,
       GError    **error,
       const char *what,
       double      value)
{
  if (!ok)
    g_set_error (error, PB_ENGINE_ERROR, PB_ENGINE_ERROR_INVALID_ARGUMENT,
                 "Invalid optimiser setting: %s (got %g)", what, value);
  return ok;
}

gboolean
pb_optim_config_validate (const PbOptimConfig *config,
                          GError             **error)
{
  g_return_val_if_fail (config != NULL, FALSE);

  if ((guint) config->kind > PB_OPTIM_KIND_ADAM)
    {
      g_set_error (error, PB_ENGINE_ERROR, PB_ENGINE_ERROR_INVALID_ARGUMENT,
                   "Unknown optimiser kind %d", (int) config->kind);
      return FALSE;
    }

  return check (isfinite (config->lr) && config->lr >= 0, error,
                "learning rate must be ≥ 0", config->lr) &&
         check (isfinite (config->weight_decay) && config->weight_decay >= 0, error,
                "weight decay must be ≥ 0", config->weight_decay) &&
         check (isfinite (config->momentum) && config->momentum >= 0, error,
                "momentum must be ≥ 0", config->momentum) &&
         check (isfinite (config->dampening), error,
                "dampening must be finite", config->dampening) &&
         check (!config->nesterov || config->kind != PB_OPTIM_KIND_SGD ||
                (config->momentum > 0 && config->dampening == 0), error,
                "Nesterov momentum needs momentum > 0 and dampening 0", config->momentum) &&
         check (isfinite (config->alpha) && config->alpha >= 0, error,
                "alpha must be ≥ 0", config->alpha) &&
         check (isfinite (config->eps) && config->eps >= 0, error,
                "eps must be ≥ 0", config->eps) &&
         check (config->beta1 >= 0 && config->beta1 < 1, error,
                "beta1 must be in [0, 1)", config->beta1) &&
         check (config->beta2 >= 0 && config->beta2 < 1, error,
                "beta2 must be in [0, 1)", config->beta2);
}

/**
 * pb_optim_config_to_json:
 *
 * Returns: (transfer full): the settings that apply to @config->kind, with
 *   torch's argument names, e.g. `{"optimizer":"Adam","lr":0.001,"betas":[0.9,0.999],…}`
 */
char *
pb_optim_config_to_json (const PbOptimConfig *config)
{
  GString *s = g_string_new (NULL);
  char a[G_ASCII_DTOSTR_BUF_SIZE], b[G_ASCII_DTOSTR_BUF_SIZE];
  char c[G_ASCII_DTOSTR_BUF_SIZE];

  g_string_append_printf (s, "{\"optimizer\":\"%s\",\"lr\":%s,\"weight_decay\":%s",
                          pb_optim_kind_get_name (config->kind),
                          pb_json_format_double (a, sizeof a, config->lr),
                          pb_json_format_double (b, sizeof b, config->weight_decay));
  switch (config->kind)
    {
    case PB_OPTIM_KIND_SGD:
      g_string_append_printf (s, ",\"momentum\":%s,\"dampening\":%s,\"nesterov\":%s",
                              pb_json_format_double (a, sizeof a, config->momentum),
                              pb_json_format_double (b, sizeof b, config->dampening),
                              config->nesterov ? "true" : "false");
      break;

    case PB_OPTIM_KIND_RMSPROP:
      g_string_append_printf (s, ",\"alpha\":%s,\"eps\":%s,\"momentum\":%s,\"centered\":%s",
                              pb_json_format_double (a, sizeof a, config->alpha),
                              pb_json_format_double (b, sizeof b, config->eps),
                              pb_json_format_double (c, sizeof c, config->momentum),
                              config->centered ? "true" : "false");
      break;

    case PB_OPTIM_KIND_ADAM:
      g_string_append_printf (s, ",\"betas\":[%s,%s],\"eps\":%s,\"amsgrad\":%s",
                              pb_json_format_double (a, sizeof a, config->beta1),
                              pb_json_format_double (b, sizeof b, config->beta2),
                              pb_json_format_double (c, sizeof c, config->eps),
                              config->amsgrad ? "true" : "false");
      break;

    default:
      g_assert_not_reached ();
    }
  if (config->maximize)
    g_string_append (s, ",\"maximize\":true");
  g_string_append_c (s, '}');

  return g_string_free (s, FALSE);
}

/**
 * pb_optim_new:
 * @n_params: length of the flat parameter and gradient arrays
 *
 * Returns: (transfer full) (nullable): a fresh optimiser (step 0, zero state),
 *   or %NULL if @config is invalid
 */
PbOptim *
pb_optim_new (const PbOptimConfig *config,
              gsize                n_params,
              GError             **error)
{
  PbOptim *self;

  g_return_val_if_fail (config != NULL, NULL);

  if (!pb_optim_config_validate (config, error))
    return NULL;

  self = g_new0 (PbOptim, 1);
  self->config = *config;
  self->n = n_params;
  self->buf = g_new0 (float, MAX (n_params, 1));
  self->sq = g_new0 (float, MAX (n_params, 1));
  self->avg = g_new0 (float, MAX (n_params, 1));
  self->max_sq = g_new0 (float, MAX (n_params, 1));

  return self;
}

void
pb_optim_free (PbOptim *self)
{
  if (self == NULL)
    return;

  g_free (self->buf);
  g_free (self->sq);
  g_free (self->avg);
  g_free (self->max_sq);
  g_free (self);
}

const PbOptimConfig *
pb_optim_get_config (PbOptim *self)
{
  g_return_val_if_fail (self != NULL, NULL);

  return &self->config;
}

/**
 * pb_optim_get_step:
 *
 * Returns: the number of steps taken (torch's `state["step"]`)
 */
gint64
pb_optim_get_step (PbOptim *self)
{
  g_return_val_if_fail (self != NULL, 0);

  return self->step;
}

static void
step_sgd (PbOptim     *self,
          float       *p,
          const float *grads)
{
  const PbOptimConfig *c = &self->config;
  float wd = (float) c->weight_decay;
  float mu = (float) c->momentum;
  float one_minus_damp = (float) (1.0 - c->dampening);
  float neg_lr = (float) -c->lr;

  for (gsize i = 0; i < self->n; i++)
    {
      float g = c->maximize ? -grads[i] : grads[i];

      if (c->weight_decay != 0)
        g = g + wd * p[i];
      if (c->momentum != 0)
        {
          if (!self->buf_init)
            self->buf[i] = g;
          else
            self->buf[i] = self->buf[i] * mu + one_minus_damp * g;
          g = c->nesterov ? g + mu * self->buf[i] : self->buf[i];
        }
      p[i] = p[i] + neg_lr * g;
    }

  if (c->momentum != 0)
    self->buf_init = TRUE;
}

static void
step_rmsprop (PbOptim     *self,
              float       *p,
              const float *grads)
{
  const PbOptimConfig *c = &self->config;
  float wd = (float) c->weight_decay;
  float alpha = (float) c->alpha;
  float one_minus_alpha = (float) (1.0 - c->alpha);
  float eps = (float) c->eps;
  float mu = (float) c->momentum;
  float neg_lr = (float) -c->lr;

  for (gsize i = 0; i < self->n; i++)
    {
      float g = c->maximize ? -grads[i] : grads[i];
      float a;

      if (c->weight_decay != 0)
        g = g + wd * p[i];
      self->sq[i] = self->sq[i] * alpha;
      self->sq[i] = self->sq[i] + one_minus_alpha * g * g;
      if (c->centered)
        {
          self->avg[i] = self->avg[i] * alpha;
          self->avg[i] = self->avg[i] + one_minus_alpha * g;
          a = sqrtf (self->sq[i] + -1.0f * self->avg[i] * self->avg[i]);
        }
      else
        a = sqrtf (self->sq[i]);
      a = a + eps;

      if (c->momentum > 0)
        {
          self->buf[i] = self->buf[i] * mu;
          self->buf[i] = self->buf[i] + g / a;
          p[i] = p[i] + neg_lr * self->buf[i];
        }
      else
        p[i] = p[i] + neg_lr * (g / a);
    }
}

static void
step_adam (PbOptim     *self,
           float       *p,
           const float *grads)
{
  const PbOptimConfig *c = &self->config;
  float wd = (float) c->weight_decay;
  float b1 = (float) c->beta1;
  float b2 = (float) c->beta2;
  float one_minus_b1 = (float) (1.0 - c->beta1);
  float one_minus_b2 = (float) (1.0 - c->beta2);
  double step = (double) self->step;
  double bias_correction1 = 1.0 - pow (c->beta1, step);
  double bias_correction2 = 1.0 - pow (c->beta2, step);
  float neg_step_size = (float) -(c->lr / bias_correction1);
  float bc2_sqrt = (float) sqrt (bias_correction2);
  float eps = (float) c->eps;

  for (gsize i = 0; i < self->n; i++)
    {
      float g = c->maximize ? -grads[i] : grads[i];
      float v;
      float denom;

      if (c->weight_decay != 0)
        g = g + wd * p[i];
      self->avg[i] = self->avg[i] * b1;
      self->avg[i] = self->avg[i] + one_minus_b1 * g;
      self->sq[i] = self->sq[i] * b2;
      self->sq[i] = self->sq[i] + one_minus_b2 * g * g;
      v = self->sq[i];
      if (c->amsgrad)
        {
          self->max_sq[i] = MAX (self->max_sq[i], v);
          v = self->max_sq[i];
        }
      denom = sqrtf (v) / bc2_sqrt + eps;
      p[i] = p[i] + neg_step_size * (self->avg[i] / denom);
    }
}

/**
 * pb_optim_step:
 * @params: (n_params) updated in place
 * @grads: (n_params) gradients of the loss
 *
 * One `optimizer.step()`.
 */
void
pb_optim_step (PbOptim     *self,
               float       *params,
               const float *grads)
{
  g_return_if_fail (self != NULL);
  g_return_if_fail (self->n == 0 || (params != NULL && grads != NULL));

  self->step++;

  switch (self->config.kind)
    {
    case PB_OPTIM_KIND_SGD:
      step_sgd (self, params, grads);
      break;

    case PB_OPTIM_KIND_RMSPROP:
      step_rmsprop (self, params, grads);
      break;

    case PB_OPTIM_KIND_ADAM:
      step_adam (self, params, grads);
      break;

    default:
      g_assert_not_reached ();
    }
}

/* Buffers that carry state for the configured optimiser, with torch's names */
typedef struct
{
  const char *name;
  float      *data;
} StateBuffer;

static guint
list_state (PbOptim     *self,
            StateBuffer *out)
{
  const PbOptimConfig *c = &self->config;
  guint n = 0;

  switch (c->kind)
    {
    case PB_OPTIM_KIND_SGD:
      if (c->momentum != 0)
        out[n++] = (StateBuffer) { "momentum_buffer", self->buf };
      break;

    case PB_OPTIM_KIND_RMSPROP:
      out[n++] = (StateBuffer) { "square_avg", self->sq };
      if (c->momentum > 0)
        out[n++] = (StateBuffer) { "momentum_buffer", self->buf };
      if (c->centered)
        out[n++] = (StateBuffer) { "grad_avg", self->avg };
      break;

    case PB_OPTIM_KIND_ADAM:
      out[n++] = (StateBuffer) { "exp_avg", self->avg };
      out[n++] = (StateBuffer) { "exp_avg_sq", self->sq };
      if (c->amsgrad)
        out[n++] = (StateBuffer) { "max_exp_avg_sq", self->max_sq };
      break;

    default:
      g_assert_not_reached ();
    }

  return n;
}

/**
 * pb_optim_save_state:
 * @st: where to add the state
 *
 * Adds the state as tensors `optimizer.<buffer>` of shape [n_params] (torch's
 * buffer names: exp_avg, exp_avg_sq, square_avg, momentum_buffer, …) and
 * metadata `optimizer.kind` and `optimizer.step`.
 */
void
pb_optim_save_state (PbOptim       *self,
                     PbSafetensors *st)
{
  StateBuffer buffers[4];
  guint n_buffers;
  gsize shape[1];
  char step[32];

  g_return_if_fail (self != NULL);
  g_return_if_fail (st != NULL);

  shape[0] = self->n;
  n_buffers = list_state (self, buffers);
  for (guint i = 0; i < n_buffers; i++)
    {
      g_autofree char *name = g_strconcat ("optimizer.", buffers[i].name, NULL);

      pb_safetensors_add (st, name, 1, shape, buffers[i].data);
    }
  g_snprintf (step, sizeof step, "%" G_GINT64_FORMAT, self->step);
  pb_safetensors_set_metadata (st, "optimizer.kind", pb_optim_kind_get_name (self->config.kind));
  pb_safetensors_set_metadata (st, "optimizer.step", step);
}

/**
 * pb_optim_load_state:
 *
 * Restores what pb_optim_save_state() wrote, for an optimiser made with the
 * same configuration and parameter count.
 */
gboolean
pb_optim_load_state (PbOptim             *self,
                     const PbSafetensors *st,
                     GError             **error)
{
  StateBuffer buffers[4];
  guint n_buffers;
  gsize shape[1];
  const char *kind;
  const char *step;
  guint64 step_value;

  g_return_val_if_fail (self != NULL, FALSE);
  g_return_val_if_fail (st != NULL, FALSE);

  kind = pb_safetensors_get_metadata (st, "optimizer.kind");
  step = pb_safetensors_get_metadata (st, "optimizer.step");
  if (kind == NULL || step == NULL)
    {
      g_set_error (error, PB_ENGINE_ERROR, PB_ENGINE_ERROR_CORRUPT,
                   "Checkpoint has no optimiser state");
      return FALSE;
    }
  if (!g_str_equal (kind, pb_optim_kind_get_name (self->config.kind)))
    {
      g_set_error (error, PB_ENGINE_ERROR, PB_ENGINE_ERROR_INVALID_DATA,
                   "Checkpoint holds %s optimiser state, the run uses %s",
                   kind, pb_optim_kind_get_name (self->config.kind));
      return FALSE;
    }
  if (!g_ascii_string_to_unsigned (step, 10, 0, G_MAXINT64, &step_value, NULL))
    {
      g_set_error (error, PB_ENGINE_ERROR, PB_ENGINE_ERROR_CORRUPT,
                   "Checkpoint has a bad optimiser step “%s”", step);
      return FALSE;
    }

  shape[0] = self->n;
  n_buffers = list_state (self, buffers);
  for (guint i = 0; i < n_buffers; i++)
    {
      g_autofree char *name = g_strconcat ("optimizer.", buffers[i].name, NULL);

      if (!pb_safetensors_get_checked (st, name, 1, shape, buffers[i].data, error))
        {
          g_prefix_error (error, "Optimiser state: ");
          return FALSE;
        }
    }

  self->step = (gint64) step_value;
  self->buf_init = self->config.kind == PB_OPTIM_KIND_SGD && self->config.momentum != 0 &&
                   step_value > 0;

  return TRUE;
}
