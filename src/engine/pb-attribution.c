/* pb-attribution.c — gradient × input, integrated gradients and occlusion on the
 * BiLSTM classifier's input gradients (SPEC-robustness.md §4.2, §4.4, §4.5).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "pb-json.h"
#include "pb-attribution.h"

#include "pb-error.h"

#include <json-glib/json-glib.h>
#include <math.h>
#include <string.h>

/* Dimensions: N = samples, B = batch, T = dataset max_len, F = features,
 * C = classes. Every buffer of sequences is (B, T, F) with the dataset's stride. */

/* ---- feature × hour matrices --------------------------------------------- */

/**
 * pb_feature_hour_matrix_new:
 * @n_hours: T
 * @n_features: F
 *
 * Returns: (transfer full): a zero matrix
 */
PbFeatureHourMatrix *
pb_feature_hour_matrix_new (guint n_hours,
                            guint n_features)
{
  PbFeatureHourMatrix *m = g_new0 (PbFeatureHourMatrix, 1);

  m->n_hours = n_hours;
  m->n_features = n_features;
  m->values = g_new0 (double, (gsize) n_hours * n_features);
  return m;
}

void
pb_feature_hour_matrix_free (PbFeatureHourMatrix *matrix)
{
  if (matrix == NULL)
    return;

  g_free (matrix->values);
  g_free (matrix);
}

/**
 * pb_feature_hour_matrix_argmax_abs:
 * @matrix: a matrix
 *
 * Returns: the index t · F + f of the largest |value| (the first on ties)
 */
guint
pb_feature_hour_matrix_argmax_abs (const PbFeatureHourMatrix *matrix)
{
  const gsize n = (gsize) matrix->n_hours * matrix->n_features;
  guint best = 0;

  for (gsize k = 1; k < n; k++)
    if (fabs (matrix->values[k]) > fabs (matrix->values[best]))
      best = (guint) k;

  return best;
}

/* ---- names and configuration --------------------------------------------- */

const char *
pb_attribution_method_get_name (PbAttributionMethod method)
{
  switch (method)
    {
    case PB_ATTRIBUTION_METHOD_GRAD_INPUT:
      return "grad-input";

    case PB_ATTRIBUTION_METHOD_INTEGRATED_GRADIENTS:
      return "ig";

    case PB_ATTRIBUTION_METHOD_OCCLUSION:
      return "occlusion";

    default:
      return NULL;
    }
}

gboolean
pb_attribution_method_from_name (const char          *name,
                                 PbAttributionMethod *method)
{
  if (g_strcmp0 (name, "grad-input") == 0)
    *method = PB_ATTRIBUTION_METHOD_GRAD_INPUT;
  else if (g_strcmp0 (name, "ig") == 0)
    *method = PB_ATTRIBUTION_METHOD_INTEGRATED_GRADIENTS;
  else if (g_strcmp0 (name, "occlusion") == 0)
    *method = PB_ATTRIBUTION_METHOD_OCCLUSION;
  else
    return FALSE;

  return TRUE;
}

/**
 * pb_attribution_config_init:
 * @config: (out): the configuration to fill
 * @method: the method
 *
 * Defaults: logit of the predicted class, batches of 64, normalised
 * gradient × input, 50 IG steps from a zero baseline, 1 × 1 occlusion
 * windows with stride 1 filled with 0.
 */
void
pb_attribution_config_init (PbAttributionConfig *config,
                            PbAttributionMethod  method)
{
  *config = (PbAttributionConfig) {
    .method = method,
    .score = PB_ATTRIBUTION_SCORE_LOGIT,
    .target = PB_ATTRIBUTION_TARGET_PREDICTED,
    .batch_size = 64,
    .normalize = TRUE,
    .n_steps = 50,
    .window_hours = 1,
    .window_features = 1,
    .stride_hours = 1,
    .stride_features = 1,
    .fill = 0.0f,
  };
}

/**
 * pb_attribution_config_validate:
 * @config: a configuration
 * @max_len: T of the data it will run on
 * @n_features: F
 * @n_classes: C
 * @error: return location for a #GError
 *
 * Returns: %TRUE when @config can run; otherwise %FALSE with
 *   %PB_ENGINE_ERROR_INVALID_ARGUMENT naming the bad parameter
 */
gboolean
pb_attribution_config_validate (const PbAttributionConfig  *config,
                                guint                       max_len,
                                guint                       n_features,
                                guint                       n_classes,
                                GError                    **error)
{
  g_return_val_if_fail (config != NULL, FALSE);

  if (pb_attribution_method_get_name (config->method) == NULL)
    {
      g_set_error (error, PB_ENGINE_ERROR, PB_ENGINE_ERROR_INVALID_ARGUMENT,
                   "Unknown attribution method %d", (int) config->method);
      return FALSE;
    }

  if (config->batch_size == 0)
    {
      g_set_error (error, PB_ENGINE_ERROR, PB_ENGINE_ERROR_INVALID_ARGUMENT,
                   "The batch size must be at least 1");
      return FALSE;
    }

  if (config->target == PB_ATTRIBUTION_TARGET_CLASS && config->target_class >= n_classes)
    {
      g_set_error (error, PB_ENGINE_ERROR, PB_ENGINE_ERROR_INVALID_ARGUMENT,
                   "Target class %u does not exist: the model has classes 0 … %u",
                   config->target_class, n_classes - 1);
      return FALSE;
    }

  if (config->method == PB_ATTRIBUTION_METHOD_INTEGRATED_GRADIENTS)
    {
      if (config->n_steps == 0)
        {
          g_set_error (error, PB_ENGINE_ERROR, PB_ENGINE_ERROR_INVALID_ARGUMENT,
                       "Integrated gradients need at least 1 step (got 0)");
          return FALSE;
        }

      if (config->baseline != NULL)
        {
          if (config->baseline_len < max_len)
            {
              g_set_error (error, PB_ENGINE_ERROR, PB_ENGINE_ERROR_INVALID_ARGUMENT,
                           "The baseline sequence has %u steps; the data needs %u",
                           config->baseline_len, max_len);
              return FALSE;
            }
          for (gsize k = 0; k < (gsize) max_len * n_features; k++)
            if (!isfinite (config->baseline[k]))
              {
                g_set_error (error, PB_ENGINE_ERROR, PB_ENGINE_ERROR_INVALID_ARGUMENT,
                             "The baseline sequence has a non-finite value at step %u, "
                             "feature %u", (guint) (k / n_features), (guint) (k % n_features));
                return FALSE;
              }
        }
    }

  if (config->method == PB_ATTRIBUTION_METHOD_OCCLUSION)
    {
      if (config->window_hours == 0 || config->window_features == 0 ||
          config->stride_hours == 0 || config->stride_features == 0)
        {
          g_set_error (error, PB_ENGINE_ERROR, PB_ENGINE_ERROR_INVALID_ARGUMENT,
                       "Occlusion windows and strides must be at least 1 × 1");
          return FALSE;
        }

      if (config->window_hours > max_len)
        {
          g_set_error (error, PB_ENGINE_ERROR, PB_ENGINE_ERROR_INVALID_ARGUMENT,
                       "The occlusion window (%u hours) is longer than the sequences "
                       "(%u steps)", config->window_hours, max_len);
          return FALSE;
        }

      if (config->window_features > n_features)
        {
          g_set_error (error, PB_ENGINE_ERROR, PB_ENGINE_ERROR_INVALID_ARGUMENT,
                       "The occlusion window (%u features) is wider than the data "
                       "(%u features)", config->window_features, n_features);
          return FALSE;
        }

      if (!isfinite (config->fill))
        {
          g_set_error (error, PB_ENGINE_ERROR, PB_ENGINE_ERROR_INVALID_ARGUMENT,
                       "The occlusion fill value must be finite");
          return FALSE;
        }
    }

  return TRUE;
}

/**
 * pb_attribution_config_to_json:
 * @config: a configuration
 *
 * Returns: (transfer full): the parameters that decide the result, as a JSON
 *   object (the baseline is recorded as "zeros" or "custom")
 */
char *
pb_attribution_config_to_json (const PbAttributionConfig *config)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();
  g_autoptr(JsonNode) root = NULL;
  static const char *targets[] = { "predicted", "label", "class" };

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "method");
  json_builder_add_string_value (b, pb_attribution_method_get_name (config->method));
  json_builder_set_member_name (b, "score");
  json_builder_add_string_value (b, config->score == PB_ATTRIBUTION_SCORE_LOGIT
                                    ? "logit" : "probability");
  json_builder_set_member_name (b, "target");
  json_builder_add_string_value (b, targets[CLAMP ((int) config->target, 0, 2)]);
  if (config->target == PB_ATTRIBUTION_TARGET_CLASS)
    {
      json_builder_set_member_name (b, "target_class");
      json_builder_add_int_value (b, config->target_class);
    }
  json_builder_set_member_name (b, "batch_size");
  json_builder_add_int_value (b, config->batch_size);

  switch (config->method)
    {
    case PB_ATTRIBUTION_METHOD_GRAD_INPUT:
      json_builder_set_member_name (b, "normalize");
      json_builder_add_boolean_value (b, config->normalize);
      break;

    case PB_ATTRIBUTION_METHOD_INTEGRATED_GRADIENTS:
      json_builder_set_member_name (b, "n_steps");
      json_builder_add_int_value (b, config->n_steps);
      json_builder_set_member_name (b, "rule");
      json_builder_add_string_value (b, "trapezoid");
      json_builder_set_member_name (b, "baseline");
      json_builder_add_string_value (b, config->baseline != NULL ? "custom" : "zeros");
      break;

    case PB_ATTRIBUTION_METHOD_OCCLUSION:
      json_builder_set_member_name (b, "window");
      json_builder_begin_array (b);
      json_builder_add_int_value (b, config->window_hours);
      json_builder_add_int_value (b, config->window_features);
      json_builder_end_array (b);
      json_builder_set_member_name (b, "stride");
      json_builder_begin_array (b);
      json_builder_add_int_value (b, config->stride_hours);
      json_builder_add_int_value (b, config->stride_features);
      json_builder_end_array (b);
      json_builder_set_member_name (b, "fill");
      json_builder_add_double_value (b, config->fill);
      break;

    default:
      break;
    }
  json_builder_end_object (b);

  root = json_builder_get_root (b);
  return pb_json_to_string (root, FALSE);
}

/* ---- results ------------------------------------------------------------- */

static PbAttribution *
attribution_new (PbAttributionMethod  method,
                 const PbDataset     *dataset)
{
  PbAttribution *a = g_new0 (PbAttribution, 1);
  const gsize n = dataset->n;

  a->method = method;
  a->n = dataset->n;
  a->max_len = dataset->max_len;
  a->n_features = dataset->n_features;
  a->values = g_new0 (float, n * dataset->max_len * dataset->n_features);
  a->lengths = g_memdup2 (dataset->lengths, sizeof (guint) * n);
  a->labels = g_memdup2 (dataset->labels, sizeof (gint) * n);
  a->sample_ids = g_new0 (gint64, n);
  if (dataset->sample_ids != NULL)
    memcpy (a->sample_ids, dataset->sample_ids, sizeof (gint64) * n);
  a->targets = g_new0 (guint, n);
  a->scores = g_new0 (double, n);
  a->baseline_scores = g_new (double, n);
  a->gaps = g_new (double, n);
  for (gsize i = 0; i < n; i++)
    a->baseline_scores[i] = a->gaps[i] = NAN;

  return a;
}

void
pb_attribution_free (PbAttribution *attribution)
{
  if (attribution == NULL)
    return;

  g_free (attribution->values);
  g_free (attribution->lengths);
  g_free (attribution->labels);
  g_free (attribution->sample_ids);
  g_free (attribution->targets);
  g_free (attribution->scores);
  g_free (attribution->baseline_scores);
  g_free (attribution->gaps);
  pb_feature_hour_matrix_free (attribution->mean_abs);
  pb_feature_hour_matrix_free (attribution->mean);
  g_free (attribution);
}

/* mean_abs and mean over the samples whose valid steps include hour t. */
static void
attribution_summarise (PbAttribution *a)
{
  const guint T = a->max_len;
  const guint F = a->n_features;
  g_autofree guint *count = g_new0 (guint, T);

  pb_feature_hour_matrix_free (a->mean_abs);
  pb_feature_hour_matrix_free (a->mean);
  a->mean_abs = pb_feature_hour_matrix_new (T, F);
  a->mean = pb_feature_hour_matrix_new (T, F);

  for (guint i = 0; i < a->n; i++)
    {
      const float *v = a->values + (gsize) i * T * F;

      for (guint t = 0; t < a->lengths[i]; t++)
        {
          count[t]++;
          for (guint f = 0; f < F; f++)
            {
              a->mean_abs->values[t * F + f] += fabs (v[t * F + f]);
              a->mean->values[t * F + f] += v[t * F + f];
            }
        }
    }

  for (guint t = 0; t < T; t++)
    for (guint f = 0; f < F && count[t] > 0; f++)
      {
        a->mean_abs->values[t * F + f] /= count[t];
        a->mean->values[t * F + f] /= count[t];
      }
}

/* ---- scores and their gradients ------------------------------------------ */

typedef struct
{
  PbModel                   *model;
  const PbAttributionConfig *config;
  guint                      T;
  guint                      F;
  guint                      C;
  float                     *dlogits;   /* (B, C) */
  double                    *work;      /* (C) */
} Scorer;

/* Runs the model on @x (B, T, F) and writes S for each row's target. When
 * @resolve is set, targets of the predicted kind are read off these logits. */
static gboolean
scorer_forward (Scorer       *s,
                const float  *x,
                const guint  *lengths,
                const gint   *labels,
                guint         B,
                gboolean      resolve,
                guint        *targets,
                double       *scores,
                GError      **error)
{
  const float *z;

  if (!pb_model_forward (s->model, PB_MODEL_MODE_LOGITS, x, lengths, B, s->T, NULL, error))
    return FALSE;
  z = pb_model_get_logits (s->model);

  for (guint b = 0; b < B; b++)
    {
      const float *zb = z + (gsize) b * s->C;

      if (resolve)
        {
          switch (s->config->target)
            {
            case PB_ATTRIBUTION_TARGET_PREDICTED:
              targets[b] = 0;
              for (guint k = 1; k < s->C; k++)
                if (zb[k] > zb[targets[b]])
                  targets[b] = k;
              break;

            case PB_ATTRIBUTION_TARGET_LABEL:
              targets[b] = (guint) labels[b];
              break;

            case PB_ATTRIBUTION_TARGET_CLASS:
              targets[b] = s->config->target_class;
              break;

            default:
              g_assert_not_reached ();
            }
        }

      if (s->config->score == PB_ATTRIBUTION_SCORE_LOGIT)
        scores[b] = zb[targets[b]];
      else
        {
          double m = zb[0];
          double sum = 0.0;

          for (guint k = 1; k < s->C; k++)
            m = MAX (m, zb[k]);
          for (guint k = 0; k < s->C; k++)
            sum += exp (zb[k] - m);
          scores[b] = exp (zb[targets[b]] - m) / sum;
        }
    }

  return TRUE;
}

/* After scorer_forward(): @dx (B, T, F) = ∂S/∂x, zero on padding. */
static gboolean
scorer_backward (Scorer       *s,
                 guint         B,
                 const guint  *targets,
                 float        *dx,
                 GError      **error)
{
  const float *z = pb_model_get_logits (s->model);

  for (guint b = 0; b < B; b++)
    {
      const float *zb = z + (gsize) b * s->C;
      float *db = s->dlogits + (gsize) b * s->C;
      const guint c = targets[b];

      if (s->config->score == PB_ATTRIBUTION_SCORE_LOGIT)
        {
          for (guint k = 0; k < s->C; k++)
            db[k] = k == c ? 1.0f : 0.0f;
        }
      else
        {
          /* ∂p_c/∂z_k = p_c (δ_ck − p_k) */
          double m = zb[0];
          double sum = 0.0;

          for (guint k = 1; k < s->C; k++)
            m = MAX (m, zb[k]);
          for (guint k = 0; k < s->C; k++)
            sum += (s->work[k] = exp (zb[k] - m));
          for (guint k = 0; k < s->C; k++)
            s->work[k] /= sum;
          for (guint k = 0; k < s->C; k++)
            db[k] = (float) (s->work[c] * ((k == c ? 1.0 : 0.0) - s->work[k]));
        }
    }

  return pb_model_backward_from_logits (s->model, s->dlogits, FALSE, dx, error);
}

/* ---- the three methods, one batch of samples each ------------------------- */

typedef struct
{
  Scorer           s;
  const PbDataset *ds;
  PbAttribution   *out;
  float           *xb;       /* (B, T, F) work inputs */
  float           *dx;       /* (B, T, F) */
  double          *acc;      /* (B, T, F) */
  guint           *lengths;  /* (B) */
  guint           *targets;  /* (B) */
  double          *scores;   /* (B) */
  GCancellable    *cancellable;
} Job;

static gboolean
grad_input_batch (Job      *job,
                  guint     first,
                  guint     B,
                  GError  **error)
{
  const guint T = job->s.T;
  const guint F = job->s.F;
  const float *x = pb_dataset_get_sequence (job->ds, first);
  const guint *lengths = job->ds->lengths + first;
  PbAttribution *out = job->out;

  if (!scorer_forward (&job->s, x, lengths, job->ds->labels + first, B, TRUE,
                       out->targets + first, out->scores + first, error) ||
      !scorer_backward (&job->s, B, out->targets + first, job->dx, error))
    return FALSE;

  for (guint b = 0; b < B; b++)
    {
      const gsize base = (gsize) b * T * F;
      float *a = out->values + (gsize) (first + b) * T * F;
      const gsize n_valid = (gsize) lengths[b] * F;
      double max_abs = 0.0;

      for (gsize k = 0; k < n_valid; k++)
        {
          a[k] = job->dx[base + k] * x[base + k];
          max_abs = MAX (max_abs, fabs (a[k]));
        }

      if (job->s.config->normalize && max_abs > 0.0)
        for (gsize k = 0; k < n_valid; k++)
          a[k] = (float) (a[k] / max_abs);
    }

  return TRUE;
}

static gboolean
integrated_gradients_batch (Job      *job,
                            guint     first,
                            guint     B,
                            GError  **error)
{
  const PbAttributionConfig *config = job->s.config;
  const guint T = job->s.T;
  const guint F = job->s.F;
  const guint m = config->n_steps;
  const float *x = pb_dataset_get_sequence (job->ds, first);
  const guint *lengths = job->ds->lengths + first;
  const gint *labels = job->ds->labels + first;
  PbAttribution *out = job->out;

  if (!scorer_forward (&job->s, x, lengths, labels, B, TRUE, out->targets + first,
                       out->scores + first, error))
    return FALSE;

  memset (job->acc, 0, sizeof (double) * B * T * F);
  for (guint k = 0; k <= m; k++)
    {
      /* α = k/m; x_α = b + α (x − b) on the valid steps */
      const float alpha = (float) k / (float) m;
      const double w = (k == 0 || k == m) ? 0.5 / m : 1.0 / m;

      if (g_cancellable_set_error_if_cancelled (job->cancellable, error))
        return FALSE;

      memset (job->xb, 0, sizeof (float) * B * T * F);
      for (guint b = 0; b < B; b++)
        for (gsize e = 0; e < (gsize) lengths[b] * F; e++)
          {
            const gsize i = (gsize) b * T * F + e;
            const float base = config->baseline != NULL ? config->baseline[e] : 0.0f;

            job->xb[i] = base + alpha * (x[i] - base);
          }

      if (!scorer_forward (&job->s, job->xb, lengths, labels, B, FALSE, out->targets + first,
                           job->scores, error))
        return FALSE;
      if (k == 0)
        memcpy (out->baseline_scores + first, job->scores, sizeof (double) * B);
      if (!scorer_backward (&job->s, B, out->targets + first, job->dx, error))
        return FALSE;

      for (gsize i = 0; i < (gsize) B * T * F; i++)
        job->acc[i] += w * job->dx[i];
    }

  for (guint b = 0; b < B; b++)
    {
      float *a = out->values + (gsize) (first + b) * T * F;
      double total = 0.0;

      for (gsize e = 0; e < (gsize) lengths[b] * F; e++)
        {
          const gsize i = (gsize) b * T * F + e;
          const float base = config->baseline != NULL ? config->baseline[e] : 0.0f;
          const double v = ((double) x[i] - base) * job->acc[i];

          a[e] = (float) v;
          total += v;
        }

      out->gaps[first + b] = fabs (total - (out->scores[first + b] -
                                            out->baseline_scores[first + b]));
    }

  return TRUE;
}

static guint
n_window_starts (guint length,
                 guint window,
                 guint stride)
{
  if (window >= length)
    return 1;

  return (length - window) / stride + 1;
}

static gboolean
occlusion_batch (Job      *job,
                 guint     first,
                 guint     B,
                 GError  **error)
{
  const PbAttributionConfig *config = job->s.config;
  const guint T = job->s.T;
  const guint F = job->s.F;
  const guint cap = config->batch_size;
  const float *x = pb_dataset_get_sequence (job->ds, first);
  const guint *lengths = job->ds->lengths + first;
  const gint *labels = job->ds->labels + first;
  const guint nf = n_window_starts (F, config->window_features, config->stride_features);
  PbAttribution *out = job->out;
  double *count = job->acc;           /* (B, T, F) windows covering each element */
  g_autofree guint *slot_sample = g_new (guint, cap);
  g_autofree guint *slot_t0 = g_new (guint, cap);
  g_autofree guint *slot_f0 = g_new (guint, cap);
  g_autofree gint *slot_labels = g_new0 (gint, cap);
  guint n_slots = 0;

  if (!scorer_forward (&job->s, x, lengths, labels, B, TRUE, out->targets + first,
                       out->scores + first, error))
    return FALSE;
  memset (count, 0, sizeof (double) * B * T * F);

  /* Walk (sample, window) pairs; run a batch of occluded copies whenever it is
   * full or the walk ends. */
  for (guint b = 0; b <= B; b++)
    {
      const guint nt = b < B ? n_window_starts (lengths[b], config->window_hours,
                                                config->stride_hours) : 1;

      for (guint w = 0; w < nt * nf; w++)
        {
          if (b < B)
            {
              const guint t0 = (w / nf) * config->stride_hours;
              const guint f0 = (w % nf) * config->stride_features;
              const guint t1 = MIN (t0 + config->window_hours, lengths[b]);
              const guint f1 = f0 + config->window_features;
              float *dst = job->xb + (gsize) n_slots * T * F;

              memcpy (dst, x + (gsize) b * T * F, sizeof (float) * T * F);
              for (guint t = t0; t < t1; t++)
                for (guint f = f0; f < f1; f++)
                  dst[t * F + f] = config->fill;
              slot_sample[n_slots] = b;
              slot_t0[n_slots] = t0;
              slot_f0[n_slots] = f0;
              job->lengths[n_slots] = lengths[b];
              job->targets[n_slots] = out->targets[first + b];
              n_slots++;
            }

          if (n_slots > 0 && (n_slots == cap || b == B))
            {
              if (g_cancellable_set_error_if_cancelled (job->cancellable, error))
                return FALSE;
              if (!scorer_forward (&job->s, job->xb, job->lengths, slot_labels, n_slots, FALSE,
                                   job->targets, job->scores, error))
                return FALSE;

              for (guint j = 0; j < n_slots; j++)
                {
                  const guint sb = slot_sample[j];
                  const double delta = out->scores[first + sb] - job->scores[j];
                  const guint t1 = MIN (slot_t0[j] + config->window_hours, lengths[sb]);
                  const guint f1 = slot_f0[j] + config->window_features;
                  float *a = out->values + (gsize) (first + sb) * T * F;

                  for (guint t = slot_t0[j]; t < t1; t++)
                    for (guint f = slot_f0[j]; f < f1; f++)
                      {
                        a[t * F + f] += (float) delta;
                        count[(gsize) sb * T * F + t * F + f] += 1.0;
                      }
                }
              n_slots = 0;
            }

          if (b == B)
            break;
        }
    }

  for (gsize i = 0; i < (gsize) B * T * F; i++)
    if (count[i] > 0.0)
      out->values[(gsize) first * T * F + i] =
        (float) (out->values[(gsize) first * T * F + i] / count[i]);

  return TRUE;
}

/* ---- public entry points -------------------------------------------------- */

static gboolean
check_model_and_data (PbModel          *model,
                      const PbDataset  *dataset,
                      GError          **error)
{
  const PbModelConfig *mc = pb_model_get_config (model);

  if (!pb_dataset_validate (dataset, error))
    return FALSE;

  if (dataset->n == 0)
    {
      g_set_error (error, PB_ENGINE_ERROR, PB_ENGINE_ERROR_INVALID_DATA,
                   "The dataset has no sequences to attribute");
      return FALSE;
    }

  if (mc->n_features != dataset->n_features || mc->n_classes != dataset->n_classes)
    {
      g_set_error (error, PB_ENGINE_ERROR, PB_ENGINE_ERROR_INVALID_DATA,
                   "The model expects %u features and %u classes; the dataset has %u and %u",
                   mc->n_features, mc->n_classes, dataset->n_features, dataset->n_classes);
      return FALSE;
    }

  return TRUE;
}

/**
 * pb_attribution_compute:
 * @model: the classifier (run in eval mode, its parameter gradients untouched)
 * @dataset: the sequences to attribute, all of them
 * @config: the method and its parameters
 * @progress: (nullable): called after each batch of sequences
 * @progress_data: data for @progress
 * @cancellable: (nullable): checked before every forward pass
 * @error: return location for a #GError
 *
 * Returns: (transfer full): per-sample attributions and their feature × hour
 *   summaries; %NULL with @error set on bad parameters, bad data or cancel
 */
PbAttribution *
pb_attribution_compute (PbModel                    *model,
                        const PbDataset            *dataset,
                        const PbAttributionConfig  *config,
                        PbProgressFunc              progress,
                        gpointer                    progress_data,
                        GCancellable               *cancellable,
                        GError                    **error)
{
  g_autoptr(PbAttribution) out = NULL;
  g_autofree float *xb = NULL;
  g_autofree float *dx = NULL;
  g_autofree double *acc = NULL;
  g_autofree guint *lengths = NULL;
  g_autofree guint *targets = NULL;
  g_autofree double *scores = NULL;
  g_autofree float *dlogits = NULL;
  g_autofree double *work = NULL;
  const char *name;
  gsize per_batch;
  Job job;

  g_return_val_if_fail (model != NULL, NULL);
  g_return_val_if_fail (dataset != NULL, NULL);
  g_return_val_if_fail (config != NULL, NULL);

  if (!check_model_and_data (model, dataset, error) ||
      !pb_attribution_config_validate (config, dataset->max_len, dataset->n_features,
                                       dataset->n_classes, error))
    return NULL;

  per_batch = (gsize) config->batch_size * dataset->max_len * dataset->n_features;
  out = attribution_new (config->method, dataset);
  xb = g_new0 (float, per_batch);
  dx = g_new0 (float, per_batch);
  acc = g_new0 (double, per_batch);
  lengths = g_new0 (guint, config->batch_size);
  targets = g_new0 (guint, config->batch_size);
  scores = g_new0 (double, config->batch_size);
  dlogits = g_new0 (float, (gsize) config->batch_size * dataset->n_classes);
  work = g_new0 (double, dataset->n_classes);
  job = (Job) {
    .s = { model, config, dataset->max_len, dataset->n_features, dataset->n_classes,
           dlogits, work },
    .ds = dataset, .out = out, .xb = xb, .dx = dx, .acc = acc, .lengths = lengths,
    .targets = targets, .scores = scores, .cancellable = cancellable,
  };
  name = pb_attribution_method_get_name (config->method);

  for (guint first = 0; first < dataset->n; first += config->batch_size)
    {
      const guint B = MIN (config->batch_size, dataset->n - first);
      gboolean ok = FALSE;

      if (g_cancellable_set_error_if_cancelled (cancellable, error))
        return NULL;

      switch (config->method)
        {
        case PB_ATTRIBUTION_METHOD_GRAD_INPUT:
          ok = grad_input_batch (&job, first, B, error);
          break;

        case PB_ATTRIBUTION_METHOD_INTEGRATED_GRADIENTS:
          ok = integrated_gradients_batch (&job, first, B, error);
          break;

        case PB_ATTRIBUTION_METHOD_OCCLUSION:
          ok = occlusion_batch (&job, first, B, error);
          break;

        default:
          g_assert_not_reached ();
        }
      if (!ok)
        return NULL;

      if (progress != NULL)
        {
          g_autofree char *msg = g_strdup_printf ("Attribution (%s): %u of %u sequences",
                                                  name, first + B, dataset->n);

          progress ((double) (first + B) / dataset->n, msg, NULL, progress_data);
        }
    }

  attribution_summarise (out);
  return g_steal_pointer (&out);
}

typedef struct
{
  PbProgressFunc func;
  gpointer       data;
  guint          i;
  guint          n;
} ScaledProgress;

static void
scaled_progress_cb (double        fraction,
                    const char   *message,
                    gconstpointer details,
                    gpointer      user_data)
{
  ScaledProgress *sp = user_data;
  g_autofree char *msg = g_strdup_printf ("Checkpoint %u of %u — %s", sp->i + 1, sp->n,
                                          message != NULL ? message : "");

  sp->func ((sp->i + fraction) / sp->n, msg, details, sp->data);
}

/**
 * pb_attribution_compute_over_training:
 * @models: (array length=n_models): the same classifier at successive
 *   checkpoints of a run, oldest first
 * @n_models: at least 1
 * @dataset: the sequences to attribute
 * @config: the method and its parameters
 * @per_model: (out) (optional) (element-type PbAttribution): one attribution per
 *   checkpoint, in order, so that it can be shown as it evolves
 * @progress: (nullable): progress over all checkpoints
 * @progress_data: data for @progress
 * @cancellable: (nullable): a #GCancellable
 * @error: return location for a #GError
 *
 * Every array and matrix of the result is the mean over checkpoints of the
 * per-checkpoint ones (values, scores, baseline scores, gaps, mean_abs, mean);
 * targets are those of the last checkpoint.
 *
 * Returns: (transfer full): the average attribution, or %NULL with @error set
 */
PbAttribution *
pb_attribution_compute_over_training (PbModel * const           *models,
                                      guint                      n_models,
                                      const PbDataset           *dataset,
                                      const PbAttributionConfig *config,
                                      GPtrArray                **per_model,
                                      PbProgressFunc             progress,
                                      gpointer                   progress_data,
                                      GCancellable              *cancellable,
                                      GError                   **error)
{
  g_autoptr(GPtrArray) all = g_ptr_array_new_with_free_func ((GDestroyNotify) pb_attribution_free);
  g_autoptr(PbAttribution) avg = NULL;
  gsize n_values;
  gsize n_cells;

  g_return_val_if_fail (models != NULL || n_models == 0, NULL);

  if (n_models == 0)
    {
      g_set_error (error, PB_ENGINE_ERROR, PB_ENGINE_ERROR_INVALID_ARGUMENT,
                   "Attribution over training needs at least one checkpoint");
      return NULL;
    }

  for (guint i = 0; i < n_models; i++)
    {
      ScaledProgress sp = { progress, progress_data, i, n_models };
      PbAttribution *a = pb_attribution_compute (models[i], dataset, config,
                                                 progress != NULL ? scaled_progress_cb : NULL,
                                                 &sp, cancellable, error);

      if (a == NULL)
        return NULL;
      g_ptr_array_add (all, a);
    }

  avg = attribution_new (config->method, dataset);
  avg->mean_abs = pb_feature_hour_matrix_new (dataset->max_len, dataset->n_features);
  avg->mean = pb_feature_hour_matrix_new (dataset->max_len, dataset->n_features);
  n_values = (gsize) dataset->n * dataset->max_len * dataset->n_features;
  n_cells = (gsize) dataset->max_len * dataset->n_features;
  memcpy (avg->targets, ((PbAttribution *) all->pdata[n_models - 1])->targets,
          sizeof (guint) * dataset->n);

  for (guint i = 0; i < dataset->n; i++)
    {
      avg->scores[i] = 0.0;
      for (guint c = 0; c < n_models; c++)
        avg->scores[i] += ((PbAttribution *) all->pdata[c])->scores[i] / n_models;
      if (config->method == PB_ATTRIBUTION_METHOD_INTEGRATED_GRADIENTS)
        {
          avg->baseline_scores[i] = avg->gaps[i] = 0.0;
          for (guint c = 0; c < n_models; c++)
            {
              const PbAttribution *a = all->pdata[c];

              avg->baseline_scores[i] += a->baseline_scores[i] / n_models;
              avg->gaps[i] += a->gaps[i] / n_models;
            }
        }
    }

  for (guint c = 0; c < n_models; c++)
    {
      const PbAttribution *a = all->pdata[c];

      for (gsize k = 0; k < n_values; k++)
        avg->values[k] += a->values[k] / n_models;
      for (gsize k = 0; k < n_cells; k++)
        {
          avg->mean_abs->values[k] += a->mean_abs->values[k] / n_models;
          avg->mean->values[k] += a->mean->values[k] / n_models;
        }
    }

  if (per_model != NULL)
    *per_model = g_steal_pointer (&all);

  return g_steal_pointer (&avg);
}
