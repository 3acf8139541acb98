/* pb-fgsm.c — x′ = clip(x + ε · sign(∇ₓ ℓ)) for a list of ε, and the
 * robustness curve (accuracy and AUC against ε).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "pb-json.h"
#include "pb-fgsm.h"

#include "pb-error.h"
#include "pb-model-private.h"

#include <errno.h>
#include <json-glib/json-glib.h>
#include <math.h>
#include <string.h>

/**
 * pb_fgsm_config_init:
 * @config: (out): the configuration to fill
 *
 * No ε (set them), batches of 64, clip to [0, 1], perturbations not kept.
 */
void
pb_fgsm_config_init (PbFgsmConfig *config)
{
  *config = (PbFgsmConfig) {
    .batch_size = 64,
    .clip_min = 0.0f,
    .clip_max = 1.0f,
  };
}

/**
 * pb_fgsm_config_validate:
 * @config: a configuration
 * @error: return location for a #GError
 *
 * Returns: %TRUE when @config can run; otherwise %FALSE with
 *   %PB_ENGINE_ERROR_INVALID_ARGUMENT (an ε < 0, no ε, an empty clip range…)
 */
gboolean
pb_fgsm_config_validate (const PbFgsmConfig  *config,
                         GError             **error)
{
  g_return_val_if_fail (config != NULL, FALSE);

  if (config->n_epsilons == 0 || config->epsilons == NULL)
    {
      g_set_error (error, PB_ENGINE_ERROR, PB_ENGINE_ERROR_INVALID_ARGUMENT,
                   "FGSM needs at least one ε");
      return FALSE;
    }

  for (guint i = 0; i < config->n_epsilons; i++)
    if (!(config->epsilons[i] >= 0.0) || !isfinite (config->epsilons[i]))
      {
        g_set_error (error, PB_ENGINE_ERROR, PB_ENGINE_ERROR_INVALID_ARGUMENT,
                     "FGSM ε must be a finite number ≥ 0 (got %g)", config->epsilons[i]);
        return FALSE;
      }

  if (config->batch_size == 0)
    {
      g_set_error (error, PB_ENGINE_ERROR, PB_ENGINE_ERROR_INVALID_ARGUMENT,
                   "The batch size must be at least 1");
      return FALSE;
    }

  if (!(config->clip_min < config->clip_max) || !isfinite (config->clip_min) ||
      !isfinite (config->clip_max))
    {
      g_set_error (error, PB_ENGINE_ERROR, PB_ENGINE_ERROR_INVALID_ARGUMENT,
                   "The clip range [%g, %g] is empty", (double) config->clip_min,
                   (double) config->clip_max);
      return FALSE;
    }

  return TRUE;
}

/**
 * pb_fgsm_config_to_json:
 * @config: a configuration
 *
 * Returns: (transfer full): the parameters as a JSON object
 */
char *
pb_fgsm_config_to_json (const PbFgsmConfig *config)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();
  g_autoptr(JsonNode) root = NULL;

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "method");
  json_builder_add_string_value (b, "fgsm");
  json_builder_set_member_name (b, "epsilons");
  json_builder_begin_array (b);
  for (guint i = 0; i < config->n_epsilons; i++)
    json_builder_add_double_value (b, config->epsilons[i]);
  json_builder_end_array (b);
  json_builder_set_member_name (b, "clip");
  json_builder_begin_array (b);
  json_builder_add_double_value (b, config->clip_min);
  json_builder_add_double_value (b, config->clip_max);
  json_builder_end_array (b);
  json_builder_set_member_name (b, "batch_size");
  json_builder_add_int_value (b, config->batch_size);
  json_builder_end_object (b);

  root = json_builder_get_root (b);
  return pb_json_to_string (root, FALSE);
}

/**
 * pb_fgsm_parse_epsilons:
 * @list: comma-separated numbers, e.g. "0,0.01,0.05"
 * @epsilons: (out) (transfer full) (array length=n_epsilons): the values
 * @n_epsilons: (out): how many
 * @error: return location for a #GError
 *
 * Returns: %TRUE on success; %FALSE with %PB_ENGINE_ERROR_INVALID_ARGUMENT for
 *   an empty list, a non-number or a negative value
 */
gboolean
pb_fgsm_parse_epsilons (const char  *list,
                        double     **epsilons,
                        guint       *n_epsilons,
                        GError     **error)
{
  g_auto(GStrv) parts = NULL;
  g_autoptr(GArray) values = g_array_new (FALSE, FALSE, sizeof (double));

  g_return_val_if_fail (epsilons != NULL && n_epsilons != NULL, FALSE);

  parts = g_strsplit (list != NULL ? list : "", ",", -1);
  for (guint i = 0; parts[i] != NULL; i++)
    {
      const char *s = g_strstrip (parts[i]);
      char *end = NULL;
      double v;

      errno = 0;
      v = g_ascii_strtod (s, &end);
      if (*s == '\0' || end == NULL || *end != '\0' || errno != 0 || !isfinite (v))
        {
          g_set_error (error, PB_ENGINE_ERROR, PB_ENGINE_ERROR_INVALID_ARGUMENT,
                       "“%s” is not a number in the ε list “%s”", s, list);
          return FALSE;
        }
      if (v < 0.0)
        {
          g_set_error (error, PB_ENGINE_ERROR, PB_ENGINE_ERROR_INVALID_ARGUMENT,
                       "FGSM ε must be ≥ 0 (got %g)", v);
          return FALSE;
        }
      g_array_append_val (values, v);
    }

  if (values->len == 0)
    {
      g_set_error (error, PB_ENGINE_ERROR, PB_ENGINE_ERROR_INVALID_ARGUMENT,
                   "The ε list is empty");
      return FALSE;
    }

  *n_epsilons = values->len;
  *epsilons = (double *) (void *) g_array_free (g_steal_pointer (&values), FALSE);
  return TRUE;
}

void
pb_fgsm_result_free (PbFgsmResult *result)
{
  if (result == NULL)
    return;

  g_free (result->points);
  g_free (result->predictions);
  g_free (result->clean_predictions);
  g_free (result->perturbations);
  g_free (result->lengths);
  g_free (result->labels);
  g_free (result->sample_ids);
  g_free (result);
}

static gint
argmax_row (const float *p,
            guint        C)
{
  guint best = 0;

  for (guint k = 1; k < C; k++)
    if (p[k] > p[best])
      best = k;

  return (gint) best;
}

/**
 * pb_fgsm_run:
 * @model: the classifier (eval mode; its parameter gradients are untouched)
 * @dataset: labelled sequences
 * @config: the ε list and options
 * @progress: (nullable): called after each batch
 * @progress_data: data for @progress
 * @cancellable: (nullable): checked once per batch
 * @error: return location for a #GError
 *
 * Returns: (transfer full): the robustness curve, or %NULL with @error set
 */
PbFgsmResult *
pb_fgsm_run (PbModel             *model,
             const PbDataset     *dataset,
             const PbFgsmConfig  *config,
             PbProgressFunc       progress,
             gpointer             progress_data,
             GCancellable        *cancellable,
             GError             **error)
{
  g_autoptr(PbFgsmResult) r = NULL;
  const PbModelConfig *mc;
  g_autofree float *probs = NULL;       /* (1 + E, n, C): clean, then each ε */
  g_autofree double *loss_sum = NULL;   /* (1 + E) */
  g_autofree float *dlogits = NULL;
  g_autofree float *dx = NULL;
  g_autofree float *xb = NULL;
  g_autofree double *losses = NULL;
  g_autofree double *work = NULL;
  guint T, F, C, E, n;

  g_return_val_if_fail (model != NULL, NULL);
  g_return_val_if_fail (dataset != NULL, NULL);
  g_return_val_if_fail (config != NULL, NULL);

  if (!pb_fgsm_config_validate (config, error) || !pb_dataset_validate (dataset, error))
    return NULL;

  mc = pb_model_get_config (model);
  if (dataset->n == 0)
    {
      g_set_error (error, PB_ENGINE_ERROR, PB_ENGINE_ERROR_INVALID_DATA,
                   "The dataset has no sequences to attack");
      return NULL;
    }
  if (mc->n_features != dataset->n_features || mc->n_classes != dataset->n_classes)
    {
      g_set_error (error, PB_ENGINE_ERROR, PB_ENGINE_ERROR_INVALID_DATA,
                   "The model expects %u features and %u classes; the dataset has %u and %u",
                   mc->n_features, mc->n_classes, dataset->n_features, dataset->n_classes);
      return NULL;
    }

  T = dataset->max_len;
  F = dataset->n_features;
  C = dataset->n_classes;
  E = config->n_epsilons;
  n = dataset->n;

  r = g_new0 (PbFgsmResult, 1);
  r->n = n;
  r->max_len = T;
  r->n_features = F;
  r->n_epsilons = E;
  r->points = g_new0 (PbFgsmPoint, E);
  r->predictions = g_new0 (gint, (gsize) E * n);
  r->clean_predictions = g_new0 (gint, n);
  r->lengths = g_memdup2 (dataset->lengths, sizeof (guint) * n);
  r->labels = g_memdup2 (dataset->labels, sizeof (gint) * n);
  r->sample_ids = g_new0 (gint64, n);
  if (dataset->sample_ids != NULL)
    memcpy (r->sample_ids, dataset->sample_ids, sizeof (gint64) * n);
  if (config->keep_perturbations)
    r->perturbations = g_new0 (float, (gsize) E * n * T * F);

  probs = g_new0 (float, (gsize) (1 + E) * n * C);
  loss_sum = g_new0 (double, 1 + E);
  dlogits = g_new0 (float, (gsize) config->batch_size * C);
  dx = g_new0 (float, (gsize) config->batch_size * T * F);
  xb = g_new0 (float, (gsize) config->batch_size * T * F);
  losses = g_new0 (double, config->batch_size);
  work = g_new0 (double, 2 * C);

  for (guint first = 0; first < n; first += config->batch_size)
    {
      const guint B = MIN (config->batch_size, n - first);
      const float *x = pb_dataset_get_sequence (dataset, first);
      const guint *lengths = dataset->lengths + first;
      const gint *labels = dataset->labels + first;
      const float *z;

      if (g_cancellable_set_error_if_cancelled (cancellable, error))
        return NULL;

      /* Clean pass: probabilities, loss and the input gradient. */
      if (!pb_model_forward (model, PB_MODEL_MODE_EVAL, x, lengths, B, T, NULL, error) ||
          !pb_model_loss (model, labels, losses, NULL, error))
        return NULL;
      memcpy (probs + (gsize) first * C, pb_model_get_output (model), sizeof (float) * B * C);
      z = pb_model_get_logits (model);
      for (guint b = 0; b < B; b++)
        {
          loss_sum[0] += losses[b];
          /* d ℓ / d z of the preset's cross-entropy (SPEC §3.4), unscaled */
          _pb_model_loss_row (mc->protocol, z + (gsize) b * C, C, labels[b], 1.0,
                              dlogits + (gsize) b * C, work);
        }
      if (!pb_model_backward_from_logits (model, dlogits, FALSE, dx, error))
        return NULL;

      for (guint e = 0; e < E; e++)
        {
          const float eps = (float) config->epsilons[e];

          memcpy (xb, x, sizeof (float) * B * T * F);
          for (guint b = 0; b < B; b++)
            for (gsize k = 0; k < (gsize) lengths[b] * F; k++)
              {
                const gsize i = (gsize) b * T * F + k;
                const float g = dx[i];
                const float s = g > 0.0f ? 1.0f : (g < 0.0f ? -1.0f : 0.0f);

                xb[i] = CLAMP (x[i] + eps * s, config->clip_min, config->clip_max);
              }

          if (r->perturbations != NULL)
            for (guint b = 0; b < B; b++)
              {
                float *dst = r->perturbations + ((gsize) e * n + first + b) * T * F;

                for (gsize k = 0; k < (gsize) lengths[b] * F; k++)
                  dst[k] = xb[(gsize) b * T * F + k] - x[(gsize) b * T * F + k];
              }

          if (!pb_model_forward (model, PB_MODEL_MODE_EVAL, xb, lengths, B, T, NULL, error) ||
              !pb_model_loss (model, labels, losses, NULL, error))
            return NULL;
          memcpy (probs + ((gsize) (1 + e) * n + first) * C, pb_model_get_output (model),
                  sizeof (float) * B * C);
          for (guint b = 0; b < B; b++)
            loss_sum[1 + e] += losses[b];
        }

      if (progress != NULL)
        {
          g_autofree char *msg = g_strdup_printf ("FGSM: %u of %u sequences, %u ε each",
                                                  first + B, n, E);

          progress ((double) (first + B) / n, msg, NULL, progress_data);
        }
    }

  if (!pb_metrics_compute (&r->clean, probs, dataset->labels, n, C, loss_sum[0] / n, error))
    return NULL;
  for (guint i = 0; i < n; i++)
    r->clean_predictions[i] = argmax_row (probs + (gsize) i * C, C);

  for (guint e = 0; e < E; e++)
    {
      const float *pe = probs + (gsize) (1 + e) * n * C;
      guint flips = 0;

      r->points[e].epsilon = config->epsilons[e];
      if (!pb_metrics_compute (&r->points[e].metrics, pe, dataset->labels, n, C,
                               loss_sum[1 + e] / n, error))
        return NULL;
      for (guint i = 0; i < n; i++)
        {
          r->predictions[(gsize) e * n + i] = argmax_row (pe + (gsize) i * C, C);
          flips += r->predictions[(gsize) e * n + i] != r->clean_predictions[i];
        }
      r->points[e].flip_rate = (double) flips / n;
    }

  return g_steal_pointer (&r);
}
