/* test-attribution.c — gradient × input, integrated gradients, occlusion and FGSM
 * against PyTorch 1.13, plus their properties, storage and bad input.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Fixtures come from tests/tools/make-attribution-reference.py (its header
 * documents the format). Tolerance: max |ours − torch| ≤ 1e-5 per element (the
 * issue's bound). Both sides are float32 models whose logits agree to a few ulps
 * (test-model-parity); normalised gradient × input is in [−1, 1] and the IG sums
 * accumulate ≤ 33 float gradients in double, so 1e-5 leaves ≥ 10× margin. FGSM
 * perturbations are ±ε or clipped values: they agree exactly unless a sign
 * flips, which the generator rules out (min |∂loss/∂x| ≥ 1e-9).
 */

#include "config.h"

#include <glib.h>
#include <glib/gstdio.h>
#include <json-glib/json-glib.h>
#include <math.h>
#include <string.h>

#include "pb-attribution.h"
#include "pb-checkpoint.h"
#include "pb-error.h"
#include "pb-fgsm.h"
#include "pb-test-cli.h"
#include "pb-test-reference.h"
#include "pb-test-util.h"

#define REF_MAGIC   0x31414250
#define REF_VERSION 1
#define REGENERATE  "regenerate with: /usr/bin/python3 tests/tools/make-attribution-reference.py tests/data"
#define TOL 1e-5

typedef struct
{
  PbModelConfig config;
  guint    B;
  guint    T;
  gsize    n_params;
  gint     score;
  gint     target;
  guint    ig_steps;
  gboolean has_baseline;
  guint    n_eps;
  float   *params;
  guint   *lengths;
  gint    *labels;
  float   *x;
  float   *baseline;
  gint32  *targets;
  double  *scores;
  float   *gi;
  float   *ig;
  double  *ig_base;
  double  *ig_gap;
  double  *eps;
  float   *fgsm;
  gint32  *preds;
  gchar   *contents;
} Reference;

static void
reference_free (Reference *ref)
{
  g_free (ref->lengths);
  g_free (ref->labels);
  g_free (ref->contents);
  g_free (ref);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Reference, reference_free)

static Reference *
reference_load (const char *name)
{
  g_autofree char *path = NULL;
  Reference *ref = g_new0 (Reference, 1);
  PbTestReader r = { 0 };
  gint32 h[24];
  gsize n_x;

  ref->contents = pb_test_reader_open (&r, name, &path);
  memcpy (h, pb_test_reader_take (&r, sizeof h), sizeof h);
  if (h[0] != REF_MAGIC || h[1] != REF_VERSION || h[12] != 12)
    g_error ("%s: header (magic %#x, version %d) is not what this test reads; " REGENERATE,
             path, h[0], h[1]);

  pb_test_reference_model_config (&ref->config, h, 0.25);
  ref->B = h[9];
  ref->T = h[10];
  ref->n_params = h[11];
  ref->score = h[13];
  ref->target = h[14];
  ref->ig_steps = h[15];
  ref->has_baseline = h[16] != 0;
  ref->n_eps = h[17];
  n_x = (gsize) ref->B * ref->T * ref->config.n_features;

  pb_test_reader_take (&r, sizeof (gint32) * 12);
  ref->params = pb_test_reader_take (&r, sizeof (float) * ref->n_params);
  ref->lengths = pb_test_reader_take_lengths (&r, ref->B);
  ref->labels = pb_test_reader_take_labels (&r, ref->B);
  ref->x = pb_test_reader_take (&r, sizeof (float) * n_x);
  ref->baseline = pb_test_reader_take (&r, sizeof (float) * ref->T * ref->config.n_features);
  ref->targets = pb_test_reader_take (&r, sizeof (gint32) * ref->B);
  ref->scores = pb_test_reader_take (&r, sizeof (double) * ref->B);
  ref->gi = pb_test_reader_take (&r, sizeof (float) * n_x);
  ref->ig = pb_test_reader_take (&r, sizeof (float) * n_x);
  ref->ig_base = pb_test_reader_take (&r, sizeof (double) * ref->B);
  ref->ig_gap = pb_test_reader_take (&r, sizeof (double) * ref->B);
  ref->eps = pb_test_reader_take (&r, sizeof (double) * ref->n_eps);
  ref->fgsm = pb_test_reader_take (&r, sizeof (float) * ref->n_eps * n_x);
  ref->preds = pb_test_reader_take (&r, sizeof (gint32) * ref->n_eps * ref->B);
  g_assert_cmpuint (r.pos, ==, r.len);

  return ref;
}

static PbModel *
reference_model (const Reference *ref)
{
  return pb_test_reference_model (&ref->config, ref->params, ref->n_params);
}

static PbDataset *
reference_dataset (const Reference *ref)
{
  const guint F = ref->config.n_features;
  PbDataset *ds = pb_dataset_new (ref->B, ref->T, F, ref->config.n_classes);

  memcpy (ds->x, ref->x, sizeof (float) * ref->B * ref->T * F);
  memcpy (ds->lengths, ref->lengths, sizeof (guint) * ref->B);
  memcpy (ds->labels, ref->labels, sizeof (gint) * ref->B);
  return ds;
}

static void
reference_config (const Reference     *ref,
                  PbAttributionConfig *config,
                  PbAttributionMethod  method)
{
  pb_attribution_config_init (config, method);
  config->score = ref->score == 0 ? PB_ATTRIBUTION_SCORE_LOGIT : PB_ATTRIBUTION_SCORE_PROBABILITY;
  config->target = ref->target == 0 ? PB_ATTRIBUTION_TARGET_PREDICTED : PB_ATTRIBUTION_TARGET_LABEL;
  config->batch_size = 4;   /* < B: exercises more than one batch */
  config->n_steps = ref->ig_steps;
  if (ref->has_baseline)
    {
      config->baseline = ref->baseline;
      config->baseline_len = ref->T;
    }
}

static double
max_abs_diff_d (const double *a,
                const double *b,
                gsize         n)
{
  double m = 0.0;

  for (gsize i = 0; i < n; i++)
    m = MAX (m, fabs (a[i] - b[i]));
  return m;
}

static void
check_close (const char *what,
             double      maxdiff)
{
  g_test_message ("%-28s maxdiff %.3e", what, maxdiff);
  if (!(maxdiff <= TOL))
    g_test_fail_printf ("%s differs from PyTorch by %.3e (> %g)", what, maxdiff, TOL);
}

/* ---- parity --------------------------------------------------------------- */

static void
test_parity (gconstpointer data)
{
  const char *name = data;
  g_autoptr(Reference) ref = reference_load (name);
  g_autoptr(PbModel) model = reference_model (ref);
  g_autoptr(PbDataset) ds = reference_dataset (ref);
  g_autoptr(PbAttribution) gi = NULL;
  g_autoptr(PbAttribution) ig = NULL;
  g_autoptr(PbFgsmResult) fgsm = NULL;
  g_autoptr(GError) error = NULL;
  PbAttributionConfig config;
  PbFgsmConfig fconfig;
  const gsize n_x = (gsize) ref->B * ref->T * ref->config.n_features;

  reference_config (ref, &config, PB_ATTRIBUTION_METHOD_GRAD_INPUT);
  gi = pb_attribution_compute (model, ds, &config, NULL, NULL, NULL, &error);
  g_assert_no_error (error);
  for (guint b = 0; b < ref->B; b++)
    g_assert_cmpuint (gi->targets[b], ==, (guint) ref->targets[b]);
  check_close ("S(x)", max_abs_diff_d (gi->scores, ref->scores, ref->B));
  check_close ("gradient x input", pb_test_max_abs_diff_f (gi->values, ref->gi, n_x));

  reference_config (ref, &config, PB_ATTRIBUTION_METHOD_INTEGRATED_GRADIENTS);
  ig = pb_attribution_compute (model, ds, &config, NULL, NULL, NULL, &error);
  g_assert_no_error (error);
  check_close ("integrated gradients", pb_test_max_abs_diff_f (ig->values, ref->ig, n_x));
  check_close ("S(baseline)", max_abs_diff_d (ig->baseline_scores, ref->ig_base, ref->B));
  check_close ("completeness gap", max_abs_diff_d (ig->gaps, ref->ig_gap, ref->B));

  pb_fgsm_config_init (&fconfig);
  fconfig.epsilons = ref->eps;
  fconfig.n_epsilons = ref->n_eps;
  fconfig.batch_size = 4;
  fconfig.keep_perturbations = TRUE;
  fgsm = pb_fgsm_run (model, ds, &fconfig, NULL, NULL, NULL, &error);
  g_assert_no_error (error);
  check_close ("FGSM x' - x",
               pb_test_max_abs_diff_f (fgsm->perturbations, ref->fgsm, ref->n_eps * n_x));
  for (guint k = 0; k < ref->n_eps * ref->B; k++)
    g_assert_cmpint (fgsm->predictions[k], ==, ref->preds[k]);
}

/* ---- properties ----------------------------------------------------------- */

static void
test_ig_completeness (void)
{
  g_autoptr(Reference) ref = reference_load ("attribution-tanh-c2-standard.bin");
  g_autoptr(PbModel) model = reference_model (ref);
  g_autoptr(PbDataset) ds = reference_dataset (ref);
  static const guint steps[] = { 2, 8, 32, 256 };
  double prev = INFINITY;

  for (guint s = 0; s < G_N_ELEMENTS (steps); s++)
    {
      g_autoptr(PbAttribution) ig = NULL;
      g_autoptr(GError) error = NULL;
      PbAttributionConfig config;
      double total = 0.0;
      double worst = 0.0;

      reference_config (ref, &config, PB_ATTRIBUTION_METHOD_INTEGRATED_GRADIENTS);
      config.n_steps = steps[s];
      ig = pb_attribution_compute (model, ds, &config, NULL, NULL, NULL, &error);
      g_assert_no_error (error);

      for (guint b = 0; b < ref->B; b++)
        {
          const double delta = fabs (ig->scores[b] - ig->baseline_scores[b]);

          total += ig->gaps[b];
          worst = MAX (worst, ig->gaps[b] / delta);
        }
      g_test_message ("m = %3u: summed gap %.3e, worst gap / |S(x) − S(b)| %.3e",
                      steps[s], total, worst);
      g_assert_cmpfloat (total, <, prev);
      prev = total;

      if (steps[s] == 256)
        g_assert_cmpfloat (worst, <, 0.01);
    }
}

/* A BiLSTM whose logit 0 depends on x[L − 1, feature 1] only: the forward
 * direction forgets (forget bias −30), lets the input through (input and output
 * biases +30) and has no recurrence; the reverse direction is all zeros (h = 0).
 * Summary = [forward state after L − 1, 0] → tanh → 3.weight [1, 0] → tanh →
 * logits [a, −a]. */
#define HOT_FEATURE 1

static PbModel *
one_element_model (void)
{
  g_autoptr(GError) error = NULL;
  PbModelConfig config;
  PbModel *model;
  float *p;

  pb_model_config_init (&config);
  config.n_features = 3;
  config.n_hidden = 1;
  config.n_fc = 1;
  config.n_classes = 2;
  config.act_lstm = PB_ACTIVATION_TANH;
  config.act_fc = PB_ACTIVATION_TANH;
  config.dropout = 0.0;
  config.protocol = PB_PROTOCOL_STANDARD;
  model = pb_model_new (&config, &error);
  g_assert_no_error (error);

  p = pb_model_get_params (model);
  memset (p, 0, sizeof (float) * pb_model_get_n_params (model));
  /* gate rows: i, f, g, o */
  p[pb_model_lookup_tensor (model, "0.lstm.weight_ih_l0")->offset + 2 * 3 + HOT_FEATURE] = 2.0f;
  p[pb_model_lookup_tensor (model, "0.lstm.bias_ih_l0")->offset + 0] = 30.0f;
  p[pb_model_lookup_tensor (model, "0.lstm.bias_ih_l0")->offset + 1] = -30.0f;
  p[pb_model_lookup_tensor (model, "0.lstm.bias_ih_l0")->offset + 3] = 30.0f;
  p[pb_model_lookup_tensor (model, "3.weight")->offset + 0] = 1.0f;
  p[pb_model_lookup_tensor (model, "5.weight")->offset + 0] = 1.0f;
  p[pb_model_lookup_tensor (model, "5.weight")->offset + 1] = -1.0f;

  return model;
}

static PbDataset *
one_element_dataset (void)
{
  static const guint lengths[] = { 6, 6, 4, 6, 2 };
  PbDataset *ds = pb_dataset_new (G_N_ELEMENTS (lengths), 6, 3, 2);
  g_autoptr(GRand) rand = g_rand_new_with_seed (7);

  for (guint i = 0; i < ds->n; i++)
    {
      ds->lengths[i] = lengths[i];
      ds->labels[i] = i % 2;
      for (guint k = 0; k < lengths[i] * 3; k++)
        pb_dataset_get_sequence (ds, i)[k] = (float) g_rand_double_range (rand, 0.2, 1.0);
    }

  return ds;
}

static void
test_occlusion_finds_element (void)
{
  g_autoptr(PbModel) model = one_element_model ();
  g_autoptr(PbDataset) ds = one_element_dataset ();
  g_autoptr(PbAttribution) occ = NULL;
  g_autoptr(PbAttribution) gi = NULL;
  g_autoptr(GError) error = NULL;
  PbAttributionConfig config;
  const guint F = 3;

  pb_attribution_config_init (&config, PB_ATTRIBUTION_METHOD_OCCLUSION);
  config.target = PB_ATTRIBUTION_TARGET_CLASS;
  config.target_class = 0;
  config.batch_size = 3;
  occ = pb_attribution_compute (model, ds, &config, NULL, NULL, NULL, &error);
  g_assert_no_error (error);

  for (guint i = 0; i < ds->n; i++)
    {
      const float *a = occ->values + (gsize) i * ds->max_len * F;
      const guint hot = (ds->lengths[i] - 1) * F + HOT_FEATURE;
      const float *x = pb_dataset_get_sequence (ds, i);

      /* the drop is the whole score: S(x) − S(x with the element at 0) */
      g_assert_cmpfloat_with_epsilon (a[hot], tanhf (tanhf (tanhf (tanhf (2.0f * x[hot])))), 1e-5);
      for (guint k = 0; k < ds->max_len * F; k++)
        if (k != hot)
          g_assert_cmpfloat (fabsf (a[k]), <, 1e-6f);
    }
  /* hour 5 is the last step of the full-length samples */
  g_assert_cmpuint (pb_feature_hour_matrix_argmax_abs (occ->mean_abs), ==, 5 * F + HOT_FEATURE);

  /* a 2 × 3 window with stride 2 × 1 still puts the mass on the element's windows */
  config.window_hours = 2;
  config.window_features = 3;
  config.stride_hours = 2;
  g_clear_pointer (&occ, pb_attribution_free);
  occ = pb_attribution_compute (model, ds, &config, NULL, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpfloat (fabsf (occ->values[5 * F + HOT_FEATURE]), >, 0.1f);
  g_assert_cmpfloat (fabsf (occ->values[0]), <, 1e-6f);

  /* gradient × input agrees */
  pb_attribution_config_init (&config, PB_ATTRIBUTION_METHOD_GRAD_INPUT);
  config.target = PB_ATTRIBUTION_TARGET_CLASS;
  gi = pb_attribution_compute (model, ds, &config, NULL, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (pb_feature_hour_matrix_argmax_abs (gi->mean_abs), ==, 5 * F + HOT_FEATURE);
  g_assert_cmpfloat_with_epsilon (gi->values[5 * F + HOT_FEATURE], 1.0, 1e-6);
}

static void
test_padding_untouched (void)
{
  g_autoptr(Reference) ref = reference_load ("attribution-relu-c3-seed.bin");
  g_autoptr(PbModel) model = reference_model (ref);
  g_autoptr(PbDataset) ds = reference_dataset (ref);
  const guint F = ref->config.n_features;
  static const PbAttributionMethod methods[] = {
    PB_ATTRIBUTION_METHOD_GRAD_INPUT,
    PB_ATTRIBUTION_METHOD_INTEGRATED_GRADIENTS,
    PB_ATTRIBUTION_METHOD_OCCLUSION,
  };

  for (guint m = 0; m < G_N_ELEMENTS (methods); m++)
    {
      g_autoptr(PbAttribution) a = NULL;
      g_autoptr(GError) error = NULL;
      PbAttributionConfig config;

      reference_config (ref, &config, methods[m]);
      config.window_hours = 3;
      a = pb_attribution_compute (model, ds, &config, NULL, NULL, NULL, &error);
      g_assert_no_error (error);
      for (guint b = 0; b < ds->n; b++)
        for (guint t = ds->lengths[b]; t < ds->max_len; t++)
          for (guint f = 0; f < F; f++)
            g_assert_cmpfloat (a->values[((gsize) b * ds->max_len + t) * F + f], ==, 0.0f);
      /* the matrices average over the samples that reach hour t: the last
       * hour is reached by none */
      for (guint f = 0; f < F; f++)
        g_assert_cmpfloat (a->mean_abs->values[(ds->max_len - 1) * F + f], ==, 0.0);
    }

  /* the input data is not modified */
  g_assert_cmpmem (ds->x, sizeof (float) * ds->n * ds->max_len * F,
                   ref->x, sizeof (float) * ds->n * ds->max_len * F);
}

static void
test_fgsm_eps_zero (void)
{
  g_autoptr(Reference) ref = reference_load ("attribution-tanh-c2-standard.bin");
  g_autoptr(PbModel) model = reference_model (ref);
  g_autoptr(PbDataset) ds = reference_dataset (ref);
  g_autoptr(PbFgsmResult) r = NULL;
  g_autoptr(GError) error = NULL;
  static const double eps[] = { 0.0, 0.3, 1.0 };
  PbFgsmConfig config;

  pb_fgsm_config_init (&config);
  config.epsilons = eps;
  config.n_epsilons = G_N_ELEMENTS (eps);
  config.keep_perturbations = TRUE;
  r = pb_fgsm_run (model, ds, &config, NULL, NULL, NULL, &error);
  g_assert_no_error (error);

  g_test_message ("clean accuracy %.4f AUC %.4f; ε = 0.3: %.4f / %.4f; ε = 1: %.4f / %.4f",
                  r->clean.accuracy, r->clean.auc, r->points[1].metrics.accuracy,
                  r->points[1].metrics.auc, r->points[2].metrics.accuracy,
                  r->points[2].metrics.auc);
  g_assert_cmpfloat (r->points[0].metrics.accuracy, ==, r->clean.accuracy);
  g_assert_cmpfloat (r->points[0].metrics.auc, ==, r->clean.auc);
  g_assert_cmpfloat (r->points[0].metrics.loss, ==, r->clean.loss);
  g_assert_cmpfloat (r->points[0].flip_rate, ==, 0.0);
  for (gsize k = 0; k < (gsize) ds->n * ds->max_len * ds->n_features; k++)
    g_assert_cmpfloat (r->perturbations[k], ==, 0.0f);
  /* a big step raises the loss it climbs */
  g_assert_cmpfloat (r->points[2].metrics.loss, >, r->clean.loss);
}

static void
test_over_training (void)
{
  g_autoptr(Reference) ref = reference_load ("attribution-tanh-c2-standard.bin");
  g_autoptr(PbModel) m0 = reference_model (ref);
  g_autoptr(PbModel) m1 = reference_model (ref);
  g_autoptr(PbDataset) ds = reference_dataset (ref);
  g_autoptr(PbAttribution) avg = NULL;
  g_autoptr(GPtrArray) per = NULL;
  g_autoptr(GError) error = NULL;
  PbModel *models[2] = { m0, m1 };
  PbAttributionConfig config;
  const PbAttribution *a0, *a1;
  gsize n_x = (gsize) ds->n * ds->max_len * ds->n_features;

  /* a "later checkpoint": the output layer scaled */
  for (guint k = 0; k < pb_model_lookup_tensor (m1, "5.weight")->n; k++)
    pb_model_get_params (m1)[pb_model_lookup_tensor (m1, "5.weight")->offset + k] *= 3.0f;

  reference_config (ref, &config, PB_ATTRIBUTION_METHOD_INTEGRATED_GRADIENTS);
  config.n_steps = 8;
  avg = pb_attribution_compute_over_training (models, 2, ds, &config, &per, NULL, NULL, NULL,
                                              &error);
  g_assert_no_error (error);
  g_assert_cmpuint (per->len, ==, 2);
  a0 = per->pdata[0];
  a1 = per->pdata[1];
  for (gsize k = 0; k < n_x; k++)
    g_assert_cmpfloat_with_epsilon (avg->values[k], (a0->values[k] + a1->values[k]) / 2, 1e-6);
  for (gsize k = 0; k < (gsize) ds->max_len * ds->n_features; k++)
    g_assert_cmpfloat_with_epsilon (avg->mean_abs->values[k],
                                    (a0->mean_abs->values[k] + a1->mean_abs->values[k]) / 2, 1e-9);
  for (guint b = 0; b < ds->n; b++)
    g_assert_cmpfloat_with_epsilon (avg->scores[b], (a0->scores[b] + a1->scores[b]) / 2, 1e-9);
  /* scaling the last layer by 3 scales the logits' attributions by 3 */
  g_assert_cmpfloat_with_epsilon (a1->values[0], 3.0 * a0->values[0], 1e-5);

  g_clear_pointer (&avg, pb_attribution_free);
  avg = pb_attribution_compute_over_training (models, 0, ds, &config, NULL, NULL, NULL, NULL,
                                              &error);
  g_assert_error (error, PB_ENGINE_ERROR, PB_ENGINE_ERROR_INVALID_ARGUMENT);
  g_assert_null (avg);
}

static void
count_progress_cb (double        fraction,
                   const char   *message,
                   gconstpointer details,
                   gpointer      user_data)
{
  guint *count = user_data;

  g_assert_cmpfloat (fraction, >, 0.0);
  g_assert_cmpfloat (fraction, <=, 1.0);
  g_assert_nonnull (message);
  (*count)++;
}

static void
test_progress_and_cancel (void)
{
  g_autoptr(Reference) ref = reference_load ("attribution-tanh-c2-standard.bin");
  g_autoptr(PbModel) model = reference_model (ref);
  g_autoptr(PbDataset) ds = reference_dataset (ref);
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(PbAttribution) a = NULL;
  g_autoptr(PbFgsmResult) r = NULL;
  g_autoptr(GError) error = NULL;
  static const double eps[] = { 0.1 };
  PbAttributionConfig config;
  PbFgsmConfig fconfig;
  guint count = 0;

  reference_config (ref, &config, PB_ATTRIBUTION_METHOD_OCCLUSION);
  config.batch_size = 2;
  a = pb_attribution_compute (model, ds, &config, count_progress_cb, &count, cancellable, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (count, ==, 3);   /* 6 sequences in batches of 2 */

  g_cancellable_cancel (cancellable);
  g_clear_pointer (&a, pb_attribution_free);
  a = pb_attribution_compute (model, ds, &config, NULL, NULL, cancellable, &error);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_null (a);
  g_clear_error (&error);

  pb_fgsm_config_init (&fconfig);
  fconfig.epsilons = eps;
  fconfig.n_epsilons = 1;
  r = pb_fgsm_run (model, ds, &fconfig, NULL, NULL, cancellable, &error);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_null (r);
}

/* ---- bad input ------------------------------------------------------------ */

static void
test_bad_input (void)
{
  g_autoptr(Reference) ref = reference_load ("attribution-tanh-c2-standard.bin");
  g_autoptr(PbModel) model = reference_model (ref);
  g_autoptr(PbDataset) ds = reference_dataset (ref);
  g_autoptr(PbDataset) wrong = pb_dataset_new (2, 4, ref->config.n_features + 1, 2);
  PbAttributionConfig config;
  PbFgsmConfig fconfig;
  static const double bad_eps[] = { 0.1, -0.01 };
  g_autofree double *eps = NULL;
  guint n_eps = 0;
  struct
  {
    PbAttributionMethod method;
    guint               steps;
    guint               window_hours;
    guint               window_features;
    const char         *message;
  } cases[] = {
    { PB_ATTRIBUTION_METHOD_INTEGRATED_GRADIENTS, 0, 1, 1, "at least 1 step" },
    { PB_ATTRIBUTION_METHOD_OCCLUSION, 1, 9, 1, "longer than the sequences" },
    { PB_ATTRIBUTION_METHOD_OCCLUSION, 1, 1, 6, "wider than the data" },
    { PB_ATTRIBUTION_METHOD_OCCLUSION, 1, 0, 1, "at least 1" },
  };

  for (guint c = 0; c < G_N_ELEMENTS (cases); c++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(PbAttribution) a = NULL;

      pb_attribution_config_init (&config, cases[c].method);
      config.n_steps = cases[c].steps;
      config.window_hours = cases[c].window_hours;
      config.window_features = cases[c].window_features;
      a = pb_attribution_compute (model, ds, &config, NULL, NULL, NULL, &error);
      g_assert_error (error, PB_ENGINE_ERROR, PB_ENGINE_ERROR_INVALID_ARGUMENT);
      g_assert_nonnull (strstr (error->message, cases[c].message));
      g_assert_null (a);
    }

  {
    g_autoptr(GError) error = NULL;
    g_autoptr(PbAttribution) a = NULL;

    pb_attribution_config_init (&config, PB_ATTRIBUTION_METHOD_GRAD_INPUT);
    config.target = PB_ATTRIBUTION_TARGET_CLASS;
    config.target_class = 2;
    a = pb_attribution_compute (model, ds, &config, NULL, NULL, NULL, &error);
    g_assert_error (error, PB_ENGINE_ERROR, PB_ENGINE_ERROR_INVALID_ARGUMENT);
    g_clear_error (&error);

    pb_attribution_config_init (&config, PB_ATTRIBUTION_METHOD_INTEGRATED_GRADIENTS);
    config.baseline = ref->baseline;
    config.baseline_len = ref->T - 1;
    a = pb_attribution_compute (model, ds, &config, NULL, NULL, NULL, &error);
    g_assert_error (error, PB_ENGINE_ERROR, PB_ENGINE_ERROR_INVALID_ARGUMENT);
    g_assert_nonnull (strstr (error->message, "baseline"));
    g_clear_error (&error);

    pb_attribution_config_init (&config, PB_ATTRIBUTION_METHOD_GRAD_INPUT);
    a = pb_attribution_compute (model, wrong, &config, NULL, NULL, NULL, &error);
    g_assert_error (error, PB_ENGINE_ERROR, PB_ENGINE_ERROR_INVALID_DATA);
    g_assert_null (a);
  }

  /* ε < 0, from the API and from a list */
  {
    g_autoptr(GError) error = NULL;
    g_autoptr(PbFgsmResult) r = NULL;

    pb_fgsm_config_init (&fconfig);
    fconfig.epsilons = bad_eps;
    fconfig.n_epsilons = G_N_ELEMENTS (bad_eps);
    r = pb_fgsm_run (model, ds, &fconfig, NULL, NULL, NULL, &error);
    g_assert_error (error, PB_ENGINE_ERROR, PB_ENGINE_ERROR_INVALID_ARGUMENT);
    g_assert_nonnull (strstr (error->message, "-0.01"));
    g_assert_null (r);
    g_clear_error (&error);

    fconfig.n_epsilons = 0;
    g_assert_false (pb_fgsm_config_validate (&fconfig, &error));
    g_assert_error (error, PB_ENGINE_ERROR, PB_ENGINE_ERROR_INVALID_ARGUMENT);
    g_clear_error (&error);

    g_assert_false (pb_fgsm_parse_epsilons ("0,0.1,-0.2", &eps, &n_eps, &error));
    g_assert_error (error, PB_ENGINE_ERROR, PB_ENGINE_ERROR_INVALID_ARGUMENT);
    g_clear_error (&error);
    g_assert_false (pb_fgsm_parse_epsilons ("0,abc", &eps, &n_eps, &error));
    g_assert_error (error, PB_ENGINE_ERROR, PB_ENGINE_ERROR_INVALID_ARGUMENT);
    g_clear_error (&error);
    g_assert_false (pb_fgsm_parse_epsilons ("", &eps, &n_eps, &error));
    g_assert_error (error, PB_ENGINE_ERROR, PB_ENGINE_ERROR_INVALID_ARGUMENT);
    g_clear_error (&error);
    g_assert_true (pb_fgsm_parse_epsilons (" 0, 0.01 ,0.5", &eps, &n_eps, &error));
    g_assert_no_error (error);
    g_assert_cmpuint (n_eps, ==, 3);
    g_assert_cmpfloat (eps[1], ==, 0.01);
  }

  {
    PbAttributionMethod method;

    g_assert_true (pb_attribution_method_from_name ("ig", &method));
    g_assert_cmpint (method, ==, PB_ATTRIBUTION_METHOD_INTEGRATED_GRADIENTS);
    g_assert_false (pb_attribution_method_from_name ("saliency", &method));
  }
}

/* ---- the project store ---------------------------------------------------- */

static void
test_store_roundtrip (void)
{
  g_autoptr(Reference) ref = reference_load ("attribution-tanh-c2-standard.bin");
  g_autoptr(PbModel) model = reference_model (ref);
  g_autoptr(PbDataset) ds = reference_dataset (ref);
  g_autofree char *dir = pb_test_mkdtemp ();
  g_autofree char *path = g_build_filename (dir, "a.perturb", NULL);
  g_autoptr(PbProject) project = NULL;
  g_autoptr(PbAttribution) a = NULL;
  g_autoptr(PbAttribution) back = NULL;
  g_autoptr(PbFgsmResult) r = NULL;
  g_autoptr(PbFgsmResult) rback = NULL;
  g_autoptr(PbFeatureHourMatrix) m = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *params = NULL;
  g_autofree char *fparams = NULL;
  static const double eps[] = { 0.0, 0.05 };
  PbAttributionConfig config;
  PbFgsmConfig fconfig;
  gint64 id = 0;
  gint64 fid = 0;
  gsize n_x = (gsize) ds->n * ds->max_len * ds->n_features;

  project = pb_project_create (path, &error);
  g_assert_no_error (error);

  reference_config (ref, &config, PB_ATTRIBUTION_METHOD_INTEGRATED_GRADIENTS);
  config.n_steps = 4;
  a = pb_attribution_compute (model, ds, &config, NULL, NULL, NULL, &error);
  g_assert_no_error (error);
  params = pb_attribution_config_to_json (&config);
  g_assert_nonnull (strstr (params, "\"n_steps\":4"));
  g_assert_true (pb_attribution_save (a, project, params, "fixture", "test", 0, 0, -1, &id,
                                      &error));
  g_assert_no_error (error);
  g_assert_cmpint (id, >, 0);

  back = pb_attribution_load (project, id, &error);
  g_assert_no_error (error);
  g_assert_cmpint (back->method, ==, a->method);
  g_assert_cmpuint (back->n, ==, a->n);
  g_assert_cmpmem (back->values, n_x * sizeof (float), a->values, n_x * sizeof (float));
  g_assert_cmpmem (back->gaps, ds->n * sizeof (double), a->gaps, ds->n * sizeof (double));
  g_assert_cmpmem (back->targets, ds->n * sizeof (guint), a->targets, ds->n * sizeof (guint));
  g_assert_cmpmem (back->mean_abs->values, ds->max_len * ds->n_features * sizeof (double),
                   a->mean_abs->values, ds->max_len * ds->n_features * sizeof (double));

  m = pb_attribution_load_matrix (project, id, "nope", &error);
  g_assert_error (error, PB_ENGINE_ERROR, PB_ENGINE_ERROR_NOT_FOUND);
  g_assert_null (m);
  g_clear_error (&error);
  g_clear_pointer (&back, pb_attribution_free);
  back = pb_attribution_load (project, id + 100, &error);
  g_assert_error (error, PB_ENGINE_ERROR, PB_ENGINE_ERROR_NOT_FOUND);
  g_assert_null (back);
  g_clear_error (&error);

  pb_fgsm_config_init (&fconfig);
  fconfig.epsilons = eps;
  fconfig.n_epsilons = G_N_ELEMENTS (eps);
  fconfig.keep_perturbations = TRUE;
  r = pb_fgsm_run (model, ds, &fconfig, NULL, NULL, NULL, &error);
  g_assert_no_error (error);
  fparams = pb_fgsm_config_to_json (&fconfig);
  g_assert_true (pb_fgsm_result_save (r, project, fparams, "fixture", "test", 0, &fid, &error));
  g_assert_no_error (error);
  rback = pb_fgsm_result_load (project, fid, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (rback->n_epsilons, ==, 2);
  g_assert_cmpfloat (rback->points[1].epsilon, ==, 0.05);
  g_assert_cmpfloat (rback->points[1].metrics.accuracy, ==, r->points[1].metrics.accuracy);
  g_assert_cmpfloat (rback->points[1].metrics.auc, ==, r->points[1].metrics.auc);
  g_assert_cmpfloat (rback->clean.accuracy, ==, r->clean.accuracy);
  g_assert_cmpmem (rback->predictions, 2 * ds->n * sizeof (gint),
                   r->predictions, 2 * ds->n * sizeof (gint));
  g_assert_cmpmem (rback->perturbations, 2 * n_x * sizeof (float),
                   r->perturbations, 2 * n_x * sizeof (float));
  g_clear_pointer (&rback, pb_fgsm_result_free);

  /* the curve alone, without the per-stay rows */
  rback = pb_fgsm_result_load_curve (project, fid, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (rback->n, ==, ds->n);
  g_assert_cmpuint (rback->n_epsilons, ==, 2);
  g_assert_cmpfloat (rback->points[1].metrics.accuracy, ==, r->points[1].metrics.accuracy);
  g_assert_cmpfloat (rback->points[1].metrics.auc, ==, r->points[1].metrics.auc);
  g_assert_cmpfloat (rback->clean.accuracy, ==, r->clean.accuracy);
  g_assert_null (rback->perturbations);
  g_clear_pointer (&rback, pb_fgsm_result_free);

  rback = pb_fgsm_result_load (project, fid + 5, &error);
  g_assert_error (error, PB_ENGINE_ERROR, PB_ENGINE_ERROR_NOT_FOUND);
  g_clear_error (&error);
  g_assert_null (pb_fgsm_result_load_curve (project, fid + 5, &error));
  g_assert_error (error, PB_ENGINE_ERROR, PB_ENGINE_ERROR_NOT_FOUND);

  g_clear_object (&project);
  pb_test_rmdir (dir);
}

/* ---- the command line ----------------------------------------------------- */

static JsonObject *
parse_object (const char *text)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;

  json_parser_load_from_data (parser, text, -1, &error);
  g_assert_no_error (error);
  g_assert_true (JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)));
  return json_object_ref (json_node_get_object (json_parser_get_root (parser)));
}

static void
insert_checkpoint (sqlite3 *db,
                   PbModel *model,
                   gint     epoch)
{
  g_autoptr(PbSafetensors) st = pb_safetensors_new ();
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(sqlite3_stmt) stmt = NULL;
  g_autoptr(GError) error = NULL;

  pb_checkpoint_write_weights (model, st);
  bytes = pb_safetensors_to_bytes (st);
  stmt = pb_sqlite_prepare (db, "INSERT INTO checkpoints (run_id, epoch, state) VALUES (1, ?1, ?2)",
                            &error);
  g_assert_no_error (error);
  sqlite3_bind_int (stmt, 1, epoch);
  sqlite3_bind_blob64 (stmt, 2, g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes),
                       SQLITE_TRANSIENT);
  g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_DONE);
}

static void
test_cli (void)
{
  g_autoptr(Reference) ref = reference_load ("attribution-tanh-c2-standard.bin");
  g_autoptr(PbModel) m1 = reference_model (ref);
  g_autoptr(PbModel) m2 = reference_model (ref);
  g_autoptr(PbDataset) ds = reference_dataset (ref);
  g_autofree char *dir = pb_test_mkdtemp ();
  g_autofree char *path = g_build_filename (dir, "cli.perturb", NULL);
  g_autofree char *weights = g_build_filename (dir, "w.safetensors", NULL);
  g_autofree char *csv = g_build_filename (dir, "curve.csv", NULL);
  g_autofree char *figure = g_build_filename (dir, "map.pdf", NULL);
  g_autoptr(PbProject) project = NULL;
  g_autoptr(PbSafetensors) st = pb_safetensors_new ();
  g_autoptr(PbAttribution) stored = NULL;
  g_autoptr(PbAttribution) direct = NULL;
  g_autoptr(PbFgsmResult) fgsm = NULL;
  g_autoptr(JsonObject) obj = NULL;
  g_autoptr(GError) error = NULL;
  g_auto(PbTestCliResult) r = { 0 };
  g_autofree char *contents = NULL;
  PbAttributionConfig config;
  gsize n_x = (gsize) ds->n * ds->max_len * ds->n_features;

  /* a project with a dataset and a run with two checkpoints (epoch 2 = output layer × 2) */
  for (guint k = 0; k < pb_model_lookup_tensor (m2, "5.weight")->n; k++)
    pb_model_get_params (m2)[pb_model_lookup_tensor (m2, "5.weight")->offset + k] *= 2.0f;
  project = pb_project_create (path, &error);
  g_assert_no_error (error);
  g_assert_true (pb_dataset_save (ds, project, "fix", NULL, &error));
  g_assert_no_error (error);
  g_assert_true (pb_project_exec (project, "INSERT INTO runs (run_id, protocol, hyperparameters, "
                                  "seed, n_epochs) VALUES (1, 'standard', '{}', 1, 2)", &error));
  g_assert_no_error (error);
  insert_checkpoint (pb_project_get_db (project), m1, 1);
  insert_checkpoint (pb_project_get_db (project), m2, 2);
  g_clear_object (&project);
  pb_checkpoint_write_weights (m1, st);
  g_assert_true (pb_safetensors_save (st, weights, &error));
  g_assert_no_error (error);

  /* integrated gradients of checkpoint 2, as the engine computes them */
  pb_test_run_cli (&r, "attribute", path, "--checkpoint", "2", "--dataset", "fix", "--method", "ig",
                   "--steps", "8", "--json", NULL);
  g_assert_cmpint (r.status, ==, 0);
  obj = parse_object (r.out);
  project = pb_project_open (path, &error);
  g_assert_no_error (error);
  stored = pb_attribution_load (project, json_object_get_int_member (obj, "attribution_id"), &error);
  g_assert_no_error (error);
  pb_attribution_config_init (&config, PB_ATTRIBUTION_METHOD_INTEGRATED_GRADIENTS);
  config.n_steps = 8;
  direct = pb_attribution_compute (m2, ds, &config, NULL, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpfloat (pb_test_max_abs_diff_f (stored->values, direct->values, n_x), <=, 1e-6);
  g_clear_object (&project);
  g_clear_pointer (&obj, json_object_unref);

  /* over training: one row per checkpoint plus their average */
  pb_test_run_cli (&r, "attribute", path, "--run", "1", "--over-training", "--dataset", "fix",
                   "--method", "occlusion", "--window", "2x2", "--stride", "1x2", "--json", NULL);
  g_assert_cmpint (r.status, ==, 0);
  obj = parse_object (r.out);
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (obj, "per_checkpoint")),
                    ==, 2);
  project = pb_project_open (path, &error);
  g_assert_no_error (error);
  {
    g_autoptr(GArray) children = pb_attribution_list_children (project,
                                                               json_object_get_int_member (obj, "attribution_id"),
                                                               &error);
    g_autoptr(GArray) roots = pb_attribution_list_children (project, 0, &error);

    g_assert_no_error (error);
    g_assert_cmpuint (children->len, ==, 2);
    g_assert_cmpint (g_array_index (children, gint64, 0), ==,
                     json_array_get_int_element (json_object_get_array_member (obj, "per_checkpoint"), 0));
    g_assert_cmpuint (roots->len, ==, 2);   /* the IG run and the average */
  }
  g_clear_object (&project);
  g_clear_pointer (&obj, json_object_unref);

  pb_test_run_cli (&r, "attribute", path, "--weights", weights, "--dataset", "fix", "--method",
                   "grad-input", "--score", "probability", "--target", "label", "--top", "3",
                   "--figure", figure, NULL);
  g_assert_cmpint (r.status, ==, 0);
  g_assert_nonnull (strstr (r.out, "Stored as attribution"));
  g_assert_true (g_file_get_contents (figure, &contents, NULL, &error));
  g_assert_true (g_str_has_prefix (contents, "%PDF"));
  g_clear_pointer (&contents, g_free);

  /* a mean baseline and a fixed target class are recorded with the result */
  pb_test_run_cli (&r, "attribute", path, "--checkpoint", "1", "--dataset", "fix", "--method", "ig",
                   "--steps", "4", "--baseline", "mean", "--target", "1", "--json", NULL);
  g_assert_cmpint (r.status, ==, 0);
  obj = parse_object (r.out);
  project = pb_project_open (path, &error);
  g_assert_no_error (error);
  {
    g_autoptr(sqlite3_stmt) stmt = pb_sqlite_prepare (pb_project_get_db (project),
                                                      "SELECT params FROM attributions "
                                                      "WHERE attribution_id = ?1", &error);
    g_autoptr(PbAttribution) a = NULL;

    g_assert_no_error (error);
    sqlite3_bind_int64 (stmt, 1, json_object_get_int_member (obj, "attribution_id"));
    g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
    g_assert_nonnull (strstr ((const char *) sqlite3_column_text (stmt, 0),
                              "\"baseline_kind\":\"mean\""));
    g_assert_nonnull (strstr ((const char *) sqlite3_column_text (stmt, 0), "\"target_class\":1"));
    a = pb_attribution_load (project, json_object_get_int_member (obj, "attribution_id"), &error);
    g_assert_no_error (error);
    for (guint b = 0; b < a->n; b++)
      g_assert_cmpuint (a->targets[b], ==, 1);
  }
  g_clear_object (&project);
  g_clear_pointer (&obj, json_object_unref);

  /* FGSM: a curve whose ε = 0 point is the clean model */
  pb_test_run_cli (&r, "fgsm", path, "--checkpoint", "1", "--dataset", "fix", "--eps", "0,0.1,0.5",
                   "--csv", csv, "--json", NULL);
  g_assert_cmpint (r.status, ==, 0);
  obj = parse_object (r.out);
  project = pb_project_open (path, &error);
  g_assert_no_error (error);
  fgsm = pb_fgsm_result_load (project, json_object_get_int_member (obj, "fgsm_id"), &error);
  g_assert_no_error (error);
  g_assert_cmpuint (fgsm->n_epsilons, ==, 3);
  g_assert_cmpfloat (fgsm->points[0].metrics.accuracy, ==, fgsm->clean.accuracy);
  g_assert_nonnull (fgsm->perturbations);
  g_clear_object (&project);
  g_assert_true (g_file_get_contents (csv, &contents, NULL, &error));
  g_assert_true (g_str_has_prefix (contents, "epsilon,accuracy,auc"));

  /* bad input: exit status 2 and a message naming the problem */
  pb_test_run_cli (&r, "attribute", path, "--checkpoint", "99", "--dataset", "fix", "--method",
                   "ig", NULL);
  g_assert_cmpint (r.status, ==, 2);
  g_assert_nonnull (strstr (r.err, "No checkpoint 99"));
  pb_test_run_cli (&r, "fgsm", path, "--checkpoint", "99", "--dataset", "fix", "--eps", "0.1",
                   NULL);
  g_assert_cmpint (r.status, ==, 2);
  g_assert_nonnull (strstr (r.err, "No checkpoint 99"));
  pb_test_run_cli (&r, "fgsm", path, "--checkpoint", "1", "--dataset", "fix", "--eps", "0,-0.1",
                   NULL);
  g_assert_cmpint (r.status, ==, 2);
  g_assert_nonnull (strstr (r.err, "-0.1"));
  pb_test_run_cli (&r, "attribute", path, "--checkpoint", "1", "--dataset", "fix", "--method", "ig",
                   "--steps", "0", NULL);
  g_assert_cmpint (r.status, ==, 2);
  g_assert_nonnull (strstr (r.err, "at least 1 step"));
  pb_test_run_cli (&r, "attribute", path, "--checkpoint", "1", "--dataset", "fix", "--method",
                   "occlusion", "--window", "9", NULL);
  g_assert_cmpint (r.status, ==, 2);
  g_assert_nonnull (strstr (r.err, "longer than the sequences"));
  pb_test_run_cli (&r, "attribute", path, "--checkpoint", "1", "--dataset", "fix", NULL);
  g_assert_cmpint (r.status, ==, 2);
  pb_test_run_cli (&r, "attribute", path, "--weights", weights, "--method", "ig", NULL);
  g_assert_cmpint (r.status, ==, 2);
  pb_test_run_cli (&r, "attribute", path, "--weights", weights, "--dataset", "fix", "--method",
                   "ig", "--over-training", NULL);
  g_assert_cmpint (r.status, ==, 2);

  pb_test_rmdir (dir);
}

int
main (int   argc,
      char *argv[])
{
  static const char *cases[] = {
    "attribution-tanh-c2-standard.bin",
    "attribution-relu-c3-seed.bin",
  };

  g_test_init (&argc, &argv, NULL);

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *path = g_strdup_printf ("/pb/attribution/parity/%s", cases[i]);

      g_test_add_data_func (path, cases[i], test_parity);
    }
  g_test_add_func ("/pb/attribution/ig/completeness-gap-shrinks", test_ig_completeness);
  g_test_add_func ("/pb/attribution/occlusion/finds-the-one-element", test_occlusion_finds_element);
  g_test_add_func ("/pb/attribution/padding-untouched", test_padding_untouched);
  g_test_add_func ("/pb/attribution/fgsm/eps-zero-is-clean", test_fgsm_eps_zero);
  g_test_add_func ("/pb/attribution/over-training/averages-checkpoints", test_over_training);
  g_test_add_func ("/pb/attribution/progress-and-cancel", test_progress_and_cancel);
  g_test_add_func ("/pb/attribution/bad-input", test_bad_input);
  g_test_add_func ("/pb/attribution/store/roundtrip", test_store_roundtrip);
  g_test_add_func ("/pb/attribution/cli", test_cli);

  return g_test_run ();
}
