/* pb-attack.c — the sparse L1 attack of SPEC.md §7 on one batch, and its settings.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Dimensions: B = batch, T = padded steps (the dataset's max_len), F = features,
 * C = classes. P, X and every gradient are (B, T, F) row-major.
 *
 * One iteration (SPEC.md §7.4): z = logits (X + P); ℓ_b = max (z_t − z_o, −κ) +
 * λ·M (P_b) with o the best other class; record first/best adversarial examples
 * from this forward pass; back-propagate the mean loss to P; optimiser step;
 * soft threshold; clamp so that X + P ∈ [0, 1]; P = 0 beyond each length.
 */

#include "config.h"

#include "pb-attack.h"

#include "pb-checkpoint.h"
#include "pb-error.h"
#include "pb-json.h"

#include <json-glib/json-glib.h>
#include <math.h>
#include <string.h>

struct _PbAttacker
{
  PbModel        *model;
  PbAttackParams  params;
  PbOptim        *optim;
  gsize           optim_n;

  /* the batch in flight */
  guint           B;
  guint           T;
  guint           F;
  guint           C;
  guint           iteration;
  gboolean        have_batch;
  float          *x;        /* (B, T, F) zero beyond each length */
  float          *xp;       /* (B, T, F) X + P */
  float          *pert;     /* (B, T, F) P */
  float          *grad;     /* (B, T, F) ∂L/∂P */
  guint          *lengths;  /* (B) */
  gint           *labels;   /* (B) */
  double         *losses;   /* (B) ℓ_b of the last forward pass */
  float          *dlogits;  /* (B, C) */
  double         *colsum;   /* (F) */
  PbAttackRecord  records[PB_ATTACK_N_EXAMPLES];
};

/* ---- parameters ----------------------------------------------------------- */

/**
 * pb_attack_params_init:
 * @params: (out): parameters to fill
 *
 * The settings of the reference's full attack (SPEC.md §7.6: the
 * sparse_small_max study's κ, λ, SGD learning rate, batch 64, 1000 iterations),
 * the `standard` preset, every sample of the dataset.
 */
void
pb_attack_params_init (PbAttackParams *params)
{
  memset (params, 0, sizeof *params);
  params->preset = PB_PROTOCOL_STANDARD;
  params->kappa = 0.11026517141527109;
  params->lambda = 1.6110442287425464e-05;
  pb_optim_config_init (&params->optim, PB_OPTIM_KIND_SGD);
  params->optim.lr = 0.014444271888351868;
  params->iterations = 1000;
  params->batch_size = 64;
  params->max_samples = 0;
  params->sample_seed = 2023;
}

/**
 * pb_attack_params_validate:
 * @params: parameters
 * @error: return location for a #GError
 *
 * Returns: %TRUE when @params can run; otherwise %FALSE with
 *   %PB_ENGINE_ERROR_INVALID_ARGUMENT naming the bad value
 */
gboolean
pb_attack_params_validate (const PbAttackParams  *params,
                           GError               **error)
{
  const char *bad = NULL;

  g_return_val_if_fail (params != NULL, FALSE);

  if (pb_protocol_get_name (params->preset) == NULL)
    bad = "preset must be “standard” or “seed”";
  else if (!isfinite (params->kappa) || params->kappa < 0.0)
    bad = "κ (kappa) must be a finite number ≥ 0";
  else if (!isfinite (params->lambda) || params->lambda < 0.0)
    bad = "λ (lambda) must be a finite number ≥ 0";
  else if (params->iterations == 0)
    bad = "iterations per batch must be at least 1";
  else if (params->batch_size == 0)
    bad = "batch size must be at least 1";

  if (bad != NULL)
    {
      g_set_error (error, PB_ENGINE_ERROR, PB_ENGINE_ERROR_INVALID_ARGUMENT,
                   "Attack parameters: %s", bad);
      return FALSE;
    }

  return pb_optim_config_validate (&params->optim, error);
}

/**
 * pb_attack_params_to_json:
 * @params: parameters
 *
 * Returns: (transfer full): e.g. `{"preset":"seed","kappa":0.11,…,"optimizer":{…}}`
 */
char *
pb_attack_params_to_json (const PbAttackParams *params)
{
  g_autofree char *optim = pb_optim_config_to_json (&params->optim);
  char kappa[G_ASCII_DTOSTR_BUF_SIZE], lambda[G_ASCII_DTOSTR_BUF_SIZE];

  /* by hand: json-glib 1.6's generator writes 1e-05 as "1e-05.0" */
  return g_strdup_printf ("{\"preset\":\"%s\",\"kappa\":%s,\"lambda\":%s,\"iterations\":%u,"
                          "\"batch_size\":%u,\"max_samples\":%u,\"sample_seed\":%" G_GUINT64_FORMAT
                          ",\"optimizer\":%s}",
                          pb_protocol_get_name (params->preset),
                          pb_json_format_double (kappa, sizeof kappa, params->kappa),
                          pb_json_format_double (lambda, sizeof lambda, params->lambda),
                          params->iterations, params->batch_size, params->max_samples,
                          params->sample_seed, optim);
}

static double
member_double (JsonObject *o,
               const char *name,
               double      fallback)
{
  JsonNode *n = json_object_get_member (o, name);

  if (n == NULL || json_node_get_value_type (n) == G_TYPE_INVALID ||
      JSON_NODE_HOLDS_NULL (n))
    return fallback;
  return json_node_get_double (n);
}

static gboolean
member_bool (JsonObject *o,
             const char *name,
             gboolean    fallback)
{
  return json_object_has_member (o, name) ? json_object_get_boolean_member (o, name) : fallback;
}

/**
 * pb_attack_params_from_json:
 * @json: what pb_attack_params_to_json() wrote
 * @params: (out): the parameters
 * @error: return location for a #GError
 *
 * Returns: %TRUE on success
 */
gboolean
pb_attack_params_from_json (const char      *json,
                            PbAttackParams  *params,
                            GError         **error)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  JsonObject *o, *opt;
  PbOptimKind kind;

  pb_attack_params_init (params);
  if (!json_parser_load_from_data (parser, json, -1, error))
    return FALSE;
  if (!JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)))
    goto bad;

  o = json_node_get_object (json_parser_get_root (parser));
  if (!pb_protocol_from_name (json_object_get_string_member_with_default (o, "preset", ""),
                              &params->preset))
    goto bad;
  params->kappa = member_double (o, "kappa", params->kappa);
  params->lambda = member_double (o, "lambda", params->lambda);
  params->iterations = json_object_get_int_member_with_default (o, "iterations", 0);
  params->batch_size = json_object_get_int_member_with_default (o, "batch_size", 0);
  params->max_samples = json_object_get_int_member_with_default (o, "max_samples", 0);
  params->sample_seed = json_object_get_int_member_with_default (o, "sample_seed", 0);

  if (!json_object_has_member (o, "optimizer") ||
      !JSON_NODE_HOLDS_OBJECT (json_object_get_member (o, "optimizer")))
    goto bad;
  opt = json_object_get_object_member (o, "optimizer");
  if (!pb_optim_kind_from_name (json_object_get_string_member_with_default (opt, "optimizer", ""),
                                &kind))
    goto bad;
  pb_optim_config_init (&params->optim, kind);
  params->optim.lr = member_double (opt, "lr", params->optim.lr);
  params->optim.weight_decay = member_double (opt, "weight_decay", 0.0);
  params->optim.momentum = member_double (opt, "momentum", params->optim.momentum);
  params->optim.dampening = member_double (opt, "dampening", params->optim.dampening);
  params->optim.nesterov = member_bool (opt, "nesterov", params->optim.nesterov);
  params->optim.alpha = member_double (opt, "alpha", params->optim.alpha);
  params->optim.centered = member_bool (opt, "centered", params->optim.centered);
  params->optim.eps = member_double (opt, "eps", params->optim.eps);
  params->optim.amsgrad = member_bool (opt, "amsgrad", params->optim.amsgrad);
  params->optim.maximize = member_bool (opt, "maximize", FALSE);
  if (json_object_has_member (opt, "betas"))
    {
      JsonArray *betas = json_object_get_array_member (opt, "betas");

      if (betas == NULL || json_array_get_length (betas) != 2)
        goto bad;
      params->optim.beta1 = json_array_get_double_element (betas, 0);
      params->optim.beta2 = json_array_get_double_element (betas, 1);
    }

  return pb_attack_params_validate (params, error);

bad:
  g_set_error (error, PB_ENGINE_ERROR, PB_ENGINE_ERROR_CORRUPT,
               "Stored attack parameters are not readable: %s", json);
  return FALSE;
}

/* ---- the target model ----------------------------------------------------- */

/**
 * pb_attack_model_to_bytes:
 * @model: a model
 *
 * Returns: (transfer full): its state_dict as safetensors, with the
 *   configuration in the `model_config` metadata key (pb_checkpoint_write_weights())
 */
GBytes *
pb_attack_model_to_bytes (PbModel *model)
{
  g_autoptr(PbSafetensors) st = pb_safetensors_new ();

  pb_checkpoint_write_weights (model, st);
  return pb_safetensors_to_bytes (st);
}

/**
 * pb_attack_load_checkpoint:
 * @project: a project
 * @checkpoint_id: a row of the training runs' `checkpoints` table
 * @error: return location for a #GError
 *
 * Returns: (transfer full): the checkpoint's model, or %NULL with
 *   %PB_ENGINE_ERROR_NOT_FOUND when there is no such checkpoint
 */
PbModel *
pb_attack_load_checkpoint (PbProject  *project,
                           gint64      checkpoint_id,
                           GError    **error)
{
  g_autoptr(sqlite3_stmt) st = NULL;
  g_autoptr(PbSafetensors) weights = NULL;
  int rc;

  st = pb_sqlite_prepare (pb_project_get_db (project),
                          "SELECT state FROM checkpoints WHERE checkpoint_id = ?1", error);
  if (st == NULL)
    return NULL;
  sqlite3_bind_int64 (st, 1, checkpoint_id);
  rc = sqlite3_step (st);
  if (rc == SQLITE_DONE)
    {
      g_set_error (error, PB_ENGINE_ERROR, PB_ENGINE_ERROR_NOT_FOUND,
                   "The project has no checkpoint %" G_GINT64_FORMAT, checkpoint_id);
      return NULL;
    }
  if (!pb_sqlite_check (pb_project_get_db (project), rc, "reading a checkpoint", error))
    return NULL;

  weights = pb_safetensors_new_from_data (sqlite3_column_blob (st, 0),
                                          (gsize) sqlite3_column_bytes (st, 0), error);
  if (weights == NULL)
    {
      g_prefix_error (error, "Checkpoint %" G_GINT64_FORMAT ": ", checkpoint_id);
      return NULL;
    }
  return pb_checkpoint_new_model (weights, NULL, error);
}

/* ---- the attacker --------------------------------------------------------- */

static void
free_batch (PbAttacker *self)
{
  g_clear_pointer (&self->x, g_free);
  g_clear_pointer (&self->xp, g_free);
  g_clear_pointer (&self->pert, g_free);
  g_clear_pointer (&self->grad, g_free);
  g_clear_pointer (&self->lengths, g_free);
  g_clear_pointer (&self->labels, g_free);
  g_clear_pointer (&self->losses, g_free);
  g_clear_pointer (&self->dlogits, g_free);
  for (guint k = 0; k < PB_ATTACK_N_EXAMPLES; k++)
    {
      g_clear_pointer (&self->records[k].iteration, g_free);
      g_clear_pointer (&self->records[k].loss, g_free);
      g_clear_pointer (&self->records[k].pert, g_free);
    }
  self->have_batch = FALSE;
}

/**
 * pb_attacker_new:
 * @model: (transfer none): the target model; must outlive the attacker. It runs
 *   in %PB_MODEL_MODE_LOGITS: no dropout, no softmax
 * @params: the attack's parameters
 * @error: return location for a #GError
 *
 * Returns: (transfer full): an attacker, or %NULL if @params are invalid
 */
PbAttacker *
pb_attacker_new (PbModel               *model,
                 const PbAttackParams  *params,
                 GError               **error)
{
  PbAttacker *self;

  g_return_val_if_fail (model != NULL, NULL);
  g_return_val_if_fail (params != NULL, NULL);

  if (!pb_attack_params_validate (params, error))
    return NULL;

  self = g_new0 (PbAttacker, 1);
  self->model = model;
  self->params = *params;
  self->F = pb_model_get_config (model)->n_features;
  self->C = pb_model_get_config (model)->n_classes;
  self->colsum = g_new0 (double, self->F);
  return self;
}

void
pb_attacker_free (PbAttacker *self)
{
  if (self == NULL)
    return;
  free_batch (self);
  g_clear_pointer (&self->optim, pb_optim_free);
  g_free (self->colsum);
  g_free (self);
}

/**
 * pb_attacker_begin:
 * @self: an attacker
 * @x: (B, T, F) original inputs; steps t ≥ lengths[b] are treated as 0
 * @lengths: (B) 1 … T
 * @labels: (B) the original (correctly predicted) class of each sample
 * @batch: B
 * @max_len: T
 * @error: return location for a #GError
 *
 * Starts a batch: P = 0, no examples recorded, iteration 0. The optimiser state
 * is reset, except under the seed preset when the previous batch had the same
 * size (the reference reuses its optimiser then).
 *
 * Returns: %TRUE on success
 */
gboolean
pb_attacker_begin (PbAttacker   *self,
                   const float  *x,
                   const guint  *lengths,
                   const gint   *labels,
                   guint         batch,
                   guint         max_len,
                   GError      **error)
{
  const guint F = self->F;
  gsize n;

  g_return_val_if_fail (self != NULL, FALSE);
  g_return_val_if_fail (x != NULL && lengths != NULL && labels != NULL, FALSE);

  free_batch (self);
  if (batch == 0 || max_len == 0)
    {
      g_set_error (error, PB_ENGINE_ERROR, PB_ENGINE_ERROR_INVALID_ARGUMENT,
                   "Attack: empty batch (%u samples of %u steps)", batch, max_len);
      return FALSE;
    }
  for (guint b = 0; b < batch; b++)
    {
      if (lengths[b] < 1 || lengths[b] > max_len)
        {
          g_set_error (error, PB_ENGINE_ERROR, PB_ENGINE_ERROR_INVALID_DATA,
                       "Attack: sample %u has length %u; lengths must be 1 … %u",
                       b, lengths[b], max_len);
          return FALSE;
        }
      if (labels[b] < 0 || (guint) labels[b] >= self->C)
        {
          g_set_error (error, PB_ENGINE_ERROR, PB_ENGINE_ERROR_INVALID_DATA,
                       "Attack: sample %u has label %d; the model has %u classes",
                       b, labels[b], self->C);
          return FALSE;
        }
    }

  self->B = batch;
  self->T = max_len;
  n = (gsize) batch * max_len * F;

  self->x = g_new0 (float, n);
  for (guint b = 0; b < batch; b++)
    memcpy (self->x + (gsize) b * max_len * F, x + (gsize) b * max_len * F,
            sizeof (float) * lengths[b] * F);
  self->xp = g_new0 (float, n);
  self->pert = g_new0 (float, n);
  self->grad = g_new0 (float, n);
  self->lengths = g_memdup2 (lengths, sizeof (guint) * batch);
  self->labels = g_memdup2 (labels, sizeof (gint) * batch);
  self->losses = g_new0 (double, batch);
  self->dlogits = g_new0 (float, (gsize) batch * self->C);
  for (guint k = 0; k < PB_ATTACK_N_EXAMPLES; k++)
    {
      self->records[k].iteration = g_new (gint, batch);
      self->records[k].loss = g_new (double, batch);
      self->records[k].pert = g_new0 (float, n);
      for (guint b = 0; b < batch; b++)
        {
          self->records[k].iteration[b] = -1;
          self->records[k].loss[b] = INFINITY;
        }
    }

  if (self->optim == NULL || self->optim_n != n || self->params.preset != PB_PROTOCOL_SEED)
    {
      g_clear_pointer (&self->optim, pb_optim_free);
      self->optim = pb_optim_new (&self->params.optim, n, error);
      if (self->optim == NULL)
        return FALSE;
      self->optim_n = n;
    }

  self->iteration = 0;
  self->have_batch = TRUE;
  return TRUE;
}

/* M (P_b) and, when @grad is given, adds scale·∂M/∂P_b to it. */
static double
sparsity_term (PbAttacker  *self,
               const float *p,       /* (T, F) */
               guint        length,
               float       *grad,    /* (T, F) nullable */
               double       scale)
{
  const guint F = self->F;
  double m = 0.0;

  if (self->params.preset == PB_PROTOCOL_STANDARD)
    {
      /* element-wise ‖P‖₁; its gradient is left to the proximal step */
      for (gsize k = 0; k < (gsize) length * F; k++)
        m += fabs ((double) p[k]);
      return m;
    }

  /* matrix 1-norm: max over features of Σₜ |P|; torch's amax backward splits the
   * gradient equally among tied maxima, and abs backward gives sign (0) = 0. */
  memset (self->colsum, 0, sizeof (double) * F);
  for (guint t = 0; t < length; t++)
    for (guint j = 0; j < F; j++)
      self->colsum[j] += fabs ((double) p[(gsize) t * F + j]);
  for (guint j = 0; j < F; j++)
    m = MAX (m, self->colsum[j]);

  if (grad != NULL && m > 0.0)
    {
      guint n_ties = 0;

      for (guint j = 0; j < F; j++)
        n_ties += self->colsum[j] == m;
      for (guint j = 0; j < F; j++)
        if (self->colsum[j] == m)
          for (guint t = 0; t < length; t++)
            {
              float v = p[(gsize) t * F + j];

              if (v != 0.0f)
                grad[(gsize) t * F + j] += (float) (scale / n_ties) * (v > 0.0f ? 1.0f : -1.0f);
            }
    }

  return m;
}

/**
 * pb_attack_soft_threshold:
 * @pert: (n) P, changed in place
 * @x: (n) the original inputs
 * @n: elements
 * @threshold: the ISTA threshold (λ or lr·λ, by preset)
 *
 * The bounded soft threshold of SPEC.md §7.4 g: |P| ≤ threshold → 0, otherwise
 * shrink towards 0 by the threshold; then clamp to [−x, 1 − x] so that x + P
 * stays in [0, 1]. Comparisons run in float32, as torch does with a Python
 * scalar.
 */
void
pb_attack_soft_threshold (float       *pert,
                          const float *x,
                          gsize        n,
                          double       threshold)
{
  const float thr = (float) threshold;

  for (gsize k = 0; k < n; k++)
    {
      float p = pert[k];
      float lo = -x[k];
      float hi = 1.0f - x[k];

      if (fabsf (p) <= thr)
        p = 0.0f;
      else if (p > thr)
        p = p - thr;
      else
        p = p + thr;

      pert[k] = p < lo ? lo : p > hi ? hi : p;
    }
}

/**
 * pb_attacker_step:
 * @self: an attacker after pb_attacker_begin()
 * @error: return location for a #GError
 *
 * One iteration of SPEC.md §7.4: forward, loss and bookkeeping of the
 * adversarial examples on the current P, then the update of P.
 *
 * Returns: %TRUE on success
 */
gboolean
pb_attacker_step (PbAttacker  *self,
                  GError     **error)
{
  const guint B = self->B, T = self->T, F = self->F, C = self->C;
  const gsize n = (gsize) B * T * F;
  const double lambda = self->params.lambda;
  const double kappa = self->params.kappa;
  const float *z;

  g_return_val_if_fail (self != NULL && self->have_batch, FALSE);

  for (gsize k = 0; k < n; k++)
    self->xp[k] = self->x[k] + self->pert[k];

  if (!pb_model_forward (self->model, PB_MODEL_MODE_LOGITS, self->xp, self->lengths, B, T,
                         NULL, error))
    return FALSE;
  z = pb_model_get_logits (self->model);

  memset (self->grad, 0, sizeof (float) * n);
  for (guint b = 0; b < B; b++)
    {
      const float *zb = z + (gsize) b * C;
      const float *pb = self->pert + (gsize) b * T * F;
      const gint t = self->labels[b];
      guint other = t == 0 ? 1 : 0, pred = 0;
      float delta, g;
      double hinge;

      for (guint j = 0; j < C; j++)
        {
          if ((gint) j != t && zb[j] > zb[other])
            other = j;
          if (zb[j] > zb[pred])
            pred = j;
        }

      delta = zb[t] - zb[other];
      hinge = MAX ((double) delta, -kappa);
      self->losses[b] = hinge + lambda * sparsity_term (self, pb, self->lengths[b], NULL, 0.0);

      if ((gint) pred != t)
        {
          PbAttackRecord *first = &self->records[PB_ATTACK_EXAMPLE_FIRST];
          PbAttackRecord *best = &self->records[PB_ATTACK_EXAMPLE_BEST];

          if (first->iteration[b] < 0)
            {
              first->iteration[b] = self->iteration;
              first->loss[b] = self->losses[b];
              memcpy (first->pert + (gsize) b * T * F, pb, sizeof (float) * T * F);
            }
          if (best->loss[b] > self->losses[b])
            {
              best->iteration[b] = self->iteration;
              best->loss[b] = self->losses[b];
              memcpy (best->pert + (gsize) b * T * F, pb, sizeof (float) * T * F);
            }
        }

      /* torch.maximum backward: all of it above −κ, half on a tie */
      g = (double) delta > -kappa ? 1.0f : (double) delta == -kappa ? 0.5f : 0.0f;
      g /= (float) B;
      memset (self->dlogits + (gsize) b * C, 0, sizeof (float) * C);
      self->dlogits[(gsize) b * C + t] = g;
      self->dlogits[(gsize) b * C + other] = -g;
    }

  if (!pb_model_backward_from_logits (self->model, self->dlogits, FALSE, self->grad, error))
    return FALSE;

  if (self->params.preset == PB_PROTOCOL_SEED && lambda > 0.0)
    for (guint b = 0; b < B; b++)
      sparsity_term (self, self->pert + (gsize) b * T * F, self->lengths[b],
                     self->grad + (gsize) b * T * F, lambda / B);

  pb_optim_step (self->optim, self->pert, self->grad);
  pb_attack_soft_threshold (self->pert, self->x, n,
                            self->params.preset == PB_PROTOCOL_SEED
                              ? lambda : self->params.optim.lr * lambda);

  /* padding: the gradient there is 0, so this only guards against drift */
  for (guint b = 0; b < B; b++)
    memset (self->pert + ((gsize) b * T + self->lengths[b]) * F, 0,
            sizeof (float) * (T - self->lengths[b]) * F);

  self->iteration++;
  return TRUE;
}

/**
 * pb_attacker_run:
 * @self: an attacker after pb_attacker_begin()
 * @cancellable: (nullable): checked before every iteration
 * @error: return location for a #GError
 *
 * Runs the remaining iterations of the batch (params.iterations in all).
 *
 * Returns: %TRUE when the batch is finished
 */
gboolean
pb_attacker_run (PbAttacker    *self,
                 GCancellable  *cancellable,
                 GError       **error)
{
  while (self->iteration < self->params.iterations)
    {
      if (g_cancellable_set_error_if_cancelled (cancellable, error))
        return FALSE;
      if (!pb_attacker_step (self, error))
        return FALSE;
    }
  return TRUE;
}

guint
pb_attacker_get_iteration (PbAttacker *self)
{
  return self->iteration;
}

/**
 * pb_attacker_get_perturbation:
 *
 * Returns: (transfer none): (B, T, F) the current P
 */
const float *
pb_attacker_get_perturbation (PbAttacker *self)
{
  return self->pert;
}

/**
 * pb_attacker_get_losses:
 *
 * Returns: (transfer none): (B) ℓ_b of the last iteration's forward pass
 */
const double *
pb_attacker_get_losses (PbAttacker *self)
{
  return self->losses;
}

const PbAttackRecord *
pb_attacker_get_record (PbAttacker      *self,
                        PbAttackExample  kind)
{
  g_return_val_if_fail (kind < PB_ATTACK_N_EXAMPLES, NULL);
  return &self->records[kind];
}

/**
 * pb_attacker_get_optim:
 *
 * Returns: (transfer none) (nullable): the optimiser of the current batch, to
 *   save or restore its state
 */
PbOptim *
pb_attacker_get_optim (PbAttacker *self)
{
  return self->optim;
}

/**
 * pb_attack_select_correct:
 * @model: the target model
 * @dataset: the samples
 * @candidates: (n_candidates) dataset rows to consider, increasing
 * @n_candidates: their number
 * @selected: (element-type guint): receives the rows the model classifies
 *   correctly (logits argmax, ties to the lower class), in order
 * @cancellable: (nullable): a #GCancellable
 * @error: return location for a #GError
 *
 * The inference pass of SPEC.md §7.2 (batches of 128, logits mode).
 *
 * Returns: %TRUE on success
 */
gboolean
pb_attack_select_correct (PbModel          *model,
                          const PbDataset  *dataset,
                          const guint      *candidates,
                          guint             n_candidates,
                          GArray           *selected,
                          GCancellable     *cancellable,
                          GError          **error)
{
  const guint T = dataset->max_len, F = dataset->n_features;
  const guint C = pb_model_get_config (model)->n_classes;
  const guint chunk = 128;
  g_autofree float *x = g_new (float, (gsize) chunk * T * F);
  g_autofree guint *lengths = g_new (guint, chunk);

  if (F != pb_model_get_config (model)->n_features)
    {
      g_set_error (error, PB_ENGINE_ERROR, PB_ENGINE_ERROR_INVALID_DATA,
                   "The model takes %u features per step but the dataset has %u",
                   pb_model_get_config (model)->n_features, F);
      return FALSE;
    }
  if (C < dataset->n_classes)
    {
      g_set_error (error, PB_ENGINE_ERROR, PB_ENGINE_ERROR_INVALID_DATA,
                   "The model has %u classes but the dataset has %u", C, dataset->n_classes);
      return FALSE;
    }

  for (guint start = 0; start < n_candidates; start += chunk)
    {
      guint nb = MIN (chunk, n_candidates - start);
      const float *z;

      if (g_cancellable_set_error_if_cancelled (cancellable, error))
        return FALSE;
      for (guint i = 0; i < nb; i++)
        {
          memcpy (x + (gsize) i * T * F, pb_dataset_get_sequence (dataset, candidates[start + i]),
                  sizeof (float) * T * F);
          lengths[i] = dataset->lengths[candidates[start + i]];
        }
      if (!pb_model_forward (model, PB_MODEL_MODE_LOGITS, x, lengths, nb, T, NULL, error))
        return FALSE;
      z = pb_model_get_logits (model);
      for (guint i = 0; i < nb; i++)
        {
          guint pred = 0, row = candidates[start + i];

          for (guint j = 1; j < C; j++)
            if (z[(gsize) i * C + j] > z[(gsize) i * C + pred])
              pred = j;
          if ((gint) pred == dataset->labels[row])
            g_array_append_val (selected, row);
        }
    }

  return TRUE;
}
