/* test-lstm.c — the model's gradients by finite differences, packed semantics,
 * bad input, the tensor table and the RNG.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib.h>
#include <math.h>
#include <string.h>

#include "pb-error.h"
#include "pb-model.h"
#include "pb-rng.h"

/* A tiny model: F 3, H 4, K 3, C 3; three sequences of lengths 5, 2, 4 in T = 6. */
#define TB 3
#define TT 6
#define TF 3

static const guint tiny_lengths[TB] = { 5, 2, 4 };
static const gint tiny_labels[TB] = { 2, 0, 1 };

typedef struct
{
  PbModelConfig config;
  PbModel      *model;
  float         x[TB * TT * TF];
} Fixture;

static void
fixture_setup (Fixture       *fixture,
               gconstpointer  data)
{
  const PbModelConfig *config = data;
  g_autoptr(GError) error = NULL;
  PbRng rng;

  fixture->config = *config;
  fixture->model = pb_model_new (config, &error);
  g_assert_no_error (error);

  pb_rng_init (&rng, 42);
  pb_model_init_params (fixture->model, &rng);
  /* larger weights than the default init, so that every path carries signal */
  for (gsize i = 0; i < pb_model_get_n_params (fixture->model); i++)
    pb_model_get_params (fixture->model)[i] *= 2.0f;

  for (guint i = 0; i < TB * TT * TF; i++)
    fixture->x[i] = (float) pb_rng_uniform_range (&rng, -1.0, 1.0);
  for (guint b = 0; b < TB; b++)
    for (guint k = tiny_lengths[b] * TF; k < TT * TF; k++)
      fixture->x[b * TT * TF + k] = 0.0f;
}

static void
fixture_tear (Fixture       *fixture,
              gconstpointer  data)
{
  g_clear_pointer (&fixture->model, pb_model_free);
}

static PbModelConfig config_tanh_standard = {
  .n_features = TF, .n_hidden = 4, .n_fc = 3, .n_classes = 3,
  .act_lstm = PB_ACTIVATION_TANH, .act_fc = PB_ACTIVATION_TANH,
  .dropout = 0.3, .protocol = PB_PROTOCOL_STANDARD,
};

static PbModelConfig config_tanh_seed = {
  .n_features = TF, .n_hidden = 4, .n_fc = 3, .n_classes = 3,
  .act_lstm = PB_ACTIVATION_TANH, .act_fc = PB_ACTIVATION_TANH,
  .dropout = 0.3, .protocol = PB_PROTOCOL_SEED,
};

static PbModelConfig config_relu_standard = {
  .n_features = TF, .n_hidden = 4, .n_fc = 3, .n_classes = 3,
  .act_lstm = PB_ACTIVATION_RELU, .act_fc = PB_ACTIVATION_RELU,
  .dropout = 0.0, .protocol = PB_PROTOCOL_STANDARD,
};

/* Mean loss of one forward; in train mode the dropout stream restarts from the
 * same seed, so every evaluation sees the same mask. */
static double
eval_loss (PbModel     *model,
           PbModelMode  mode,
           const float *x)
{
  g_autoptr(GError) error = NULL;
  double loss = 0.0;
  PbRng rng;

  pb_rng_init (&rng, 7);
  g_assert_true (pb_model_forward (model, mode, x, tiny_lengths, TB, TT, &rng, &error));
  g_assert_no_error (error);
  g_assert_true (pb_model_loss (model, tiny_labels, NULL, &loss, &error));
  g_assert_no_error (error);

  return loss;
}

/* Central differences D(ε) = (f(v+ε) − f(v−ε)) / 2ε, Richardson-extrapolated:
 * (4·D(ε/2) − D(ε)) / 3 cancels the ε² term, leaving O(ε⁴).
 *
 * The model computes in float32, so the loss carries ≈1e-7 relative rounding:
 * with ε = 2e-2 that is ≈2e-5 absolute noise on the extrapolated quotient, and
 * the truncation error is ≈1e-7 for these tanh nets. Each element must agree
 * within 1e-4 + 2e-3·|analytic|: a gradient off by 1 % anywhere in the
 * recurrence fails it. As in ggml's eval_grad, the mean of |a − b| / (|a| + |b|)
 * over the tensor must also stay below 1e-3 (elements with |a| + |b| < 1e-3 are
 * noise and left out of the mean). */
static double
central_difference (PbModel     *model,
                    PbModelMode  mode,
                    float       *x,
                    float       *value,
                    double       eps,
                    double      *one_sided_gap)
{
  const float saved = *value;
  double plus, minus;

  *value = saved + (float) eps;
  plus = eval_loss (model, mode, x);
  *value = saved - (float) eps;
  minus = eval_loss (model, mode, x);
  *value = saved;

  if (one_sided_gap != NULL)
    {
      double mid = eval_loss (model, mode, x);

      *one_sided_gap = fabs ((plus - mid) / eps - (mid - minus) / eps);
    }

  return (plus - minus) / (2 * eps);
}

static void
check_gradients (PbModel     *model,
                 PbModelMode  mode,
                 float       *x,
                 float       *values,
                 const float *analytic,
                 gsize        n,
                 const char  *what,
                 gboolean     skip_kinks)
{
  const double eps = 2e-2;
  double asymm = 0.0;
  guint n_asymm = 0;
  guint n_checked = 0;
  guint n_bad = 0;

  for (gsize i = 0; i < n; i++)
    {
      double gap = 0.0;
      double d1 = central_difference (model, mode, x, &values[i], eps, skip_kinks ? &gap : NULL);
      double d2 = central_difference (model, mode, x, &values[i], eps / 2, NULL);
      double fd = (4 * d2 - d1) / 3;
      double a = analytic[i];

      /* with ReLU, a difference quotient across a kink is not a derivative:
       * compare only where the one-sided quotients agree */
      if (skip_kinks && gap > 1e-3)
        continue;

      n_checked++;
      if (fabs (a) + fabs (fd) > 1e-3)
        {
          asymm += fabs (a - fd) / (fabs (a) + fabs (fd));
          n_asymm++;
        }
      if (!(fabs (fd - a) <= 1e-4 + 2e-3 * fabs (a)))
        {
          if (n_bad++ < 5)
            g_test_message ("%s[%" G_GSIZE_FORMAT "]: analytic %.6g, finite difference %.6g",
                            what, i, a, fd);
        }
    }

  asymm /= MAX (n_asymm, 1);
  g_test_message ("%-8s %u of %" G_GSIZE_FORMAT " checked, mean asymmetry %.2e, %u off",
                  what, n_checked, n, asymm, n_bad);
  g_assert_cmpuint (n_checked, >, n / 2);
  g_assert_cmpuint (n_bad, ==, 0);
  g_assert_cmpfloat (asymm, <, 1e-3);
}

static void
run_gradient_check (Fixture     *fixture,
                    PbModelMode  mode,
                    gboolean     skip_kinks)
{
  PbModel *model = fixture->model;
  const gsize n_params = pb_model_get_n_params (model);
  g_autofree float *grads = g_new (float, n_params);
  g_autoptr(GError) error = NULL;
  float dx[TB * TT * TF];
  PbRng rng;

  pb_rng_init (&rng, 7);
  g_assert_true (pb_model_forward (model, mode, fixture->x, tiny_lengths, TB, TT, &rng, &error));
  g_assert_no_error (error);
  pb_model_zero_grad (model);
  g_assert_true (pb_model_backward (model, tiny_labels, dx, &error));
  g_assert_no_error (error);
  memcpy (grads, pb_model_get_grads (model), sizeof (float) * n_params);

  check_gradients (model, mode, fixture->x, pb_model_get_params (model), grads, n_params,
                   "params", skip_kinks);
  check_gradients (model, mode, fixture->x, fixture->x, dx, G_N_ELEMENTS (dx),
                   "inputs", skip_kinks);

  /* padding gets exactly zero */
  for (guint b = 0; b < TB; b++)
    for (guint k = tiny_lengths[b] * TF; k < TT * TF; k++)
      g_assert_cmpfloat (dx[b * TT * TF + k], ==, 0.0f);
}

static void
test_gradcheck_eval (Fixture       *fixture,
                     gconstpointer  data)
{
  run_gradient_check (fixture, PB_MODEL_MODE_EVAL, fixture->config.act_fc == PB_ACTIVATION_RELU);
}

static void
test_gradcheck_train (Fixture       *fixture,
                      gconstpointer  data)
{
  run_gradient_check (fixture, PB_MODEL_MODE_TRAIN, FALSE);
}

/* Values beyond a sequence's length change nothing: not the outputs, not a
 * single gradient bit. Each sequence also gives the same logits alone as in the
 * batch (packing only groups rows). */
static void
test_padding_invariance (Fixture       *fixture,
                         gconstpointer  data)
{
  PbModel *model = fixture->model;
  const gsize n_params = pb_model_get_n_params (model);
  const guint C = fixture->config.n_classes;
  g_autofree float *grads = g_new (float, n_params);
  g_autoptr(GError) error = NULL;
  float junk[TB * TT * TF];
  float dx[TB * TT * TF];
  float dx_junk[TB * TT * TF];
  float logits[TB * 3];
  PbRng rng;

  g_assert_true (pb_model_forward (model, PB_MODEL_MODE_EVAL, fixture->x, tiny_lengths,
                                   TB, TT, NULL, &error));
  g_assert_no_error (error);
  memcpy (logits, pb_model_get_logits (model), sizeof (float) * TB * C);
  pb_model_zero_grad (model);
  g_assert_true (pb_model_backward (model, tiny_labels, dx, &error));
  g_assert_no_error (error);
  memcpy (grads, pb_model_get_grads (model), sizeof (float) * n_params);

  memcpy (junk, fixture->x, sizeof junk);
  pb_rng_init (&rng, 99);
  for (guint b = 0; b < TB; b++)
    for (guint k = tiny_lengths[b] * TF; k < TT * TF; k++)
      junk[b * TT * TF + k] = (float) pb_rng_uniform_range (&rng, -50.0, 50.0);
  junk[1 * TT * TF + 3 * TF] = NAN;     /* even NaN in padding is never read */

  g_assert_true (pb_model_forward (model, PB_MODEL_MODE_EVAL, junk, tiny_lengths,
                                   TB, TT, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpmem (pb_model_get_logits (model), sizeof (float) * TB * C, logits, sizeof (float) * TB * C);
  pb_model_zero_grad (model);
  g_assert_true (pb_model_backward (model, tiny_labels, dx_junk, &error));
  g_assert_no_error (error);
  g_assert_cmpmem (pb_model_get_grads (model), sizeof (float) * n_params, grads, sizeof (float) * n_params);
  g_assert_cmpmem (dx_junk, sizeof dx_junk, dx, sizeof dx);

  /* one sequence alone, with a shorter stride T = its length */
  for (guint b = 0; b < TB; b++)
    {
      const guint L = tiny_lengths[b];

      g_assert_true (pb_model_forward (model, PB_MODEL_MODE_EVAL, fixture->x + b * TT * TF, &L,
                                       1, TT, NULL, &error));
      g_assert_no_error (error);
      for (guint k = 0; k < C; k++)
        g_assert_cmpfloat_with_epsilon (pb_model_get_logits (model)[k], logits[b * C + k], 1e-6);
    }
}

/* Backward adds to the gradients. */
static void
test_backward_accumulates (Fixture       *fixture,
                           gconstpointer  data)
{
  PbModel *model = fixture->model;
  const gsize n = pb_model_get_n_params (model);
  g_autofree float *once = g_new (float, n);
  g_autoptr(GError) error = NULL;
  const float *grads = pb_model_get_grads (model);

  for (guint run = 0; run < 2; run++)
    {
      pb_model_zero_grad (model);
      for (guint rep = 0; rep < (run == 0 ? 1 : 2); rep++)
        {
          g_assert_true (pb_model_forward (model, PB_MODEL_MODE_EVAL, fixture->x, tiny_lengths,
                                           TB, TT, NULL, &error));
          g_assert_true (pb_model_backward (model, tiny_labels, NULL, &error));
          g_assert_no_error (error);
        }
      if (run == 0)
        memcpy (once, grads, sizeof (float) * n);
    }

  /* sgemm may fold the old value in at any point of its sum: not bit-exact */
  for (gsize i = 0; i < n; i++)
    g_assert_cmpfloat_with_epsilon (grads[i], 2.0f * once[i], 1e-7 + 1e-6 * fabs (once[i]));
}

/* Eval and train without dropout agree; logits mode returns the logits; train
 * mode with dropout differs and depends only on the RNG state. */
static void
test_modes (Fixture       *fixture,
            gconstpointer  data)
{
  PbModel *model = fixture->model;
  const guint C = fixture->config.n_classes;
  g_autoptr(GError) error = NULL;
  float probs[TB * 3];
  float dropped[TB * 3];
  PbRng rng;

  g_assert_true (pb_model_forward (model, PB_MODEL_MODE_EVAL, fixture->x, tiny_lengths,
                                   TB, TT, NULL, &error));
  g_assert_no_error (error);
  memcpy (probs, pb_model_get_output (model), sizeof probs);
  for (guint b = 0; b < TB; b++)
    {
      double sum = 0.0;

      for (guint k = 0; k < C; k++)
        sum += probs[b * C + k];
      g_assert_cmpfloat_with_epsilon (sum, 1.0, 1e-6);
    }

  g_assert_true (pb_model_forward (model, PB_MODEL_MODE_LOGITS, fixture->x, tiny_lengths,
                                   TB, TT, NULL, &error));
  g_assert_cmpmem (pb_model_get_output (model), sizeof (float) * TB * C,
                   pb_model_get_logits (model), sizeof (float) * TB * C);

  pb_rng_init (&rng, 5);
  g_assert_true (pb_model_forward (model, PB_MODEL_MODE_TRAIN, fixture->x, tiny_lengths,
                                   TB, TT, &rng, &error));
  memcpy (dropped, pb_model_get_output (model), sizeof dropped);
  g_assert_true (memcmp (dropped, probs, sizeof probs) != 0);
  pb_rng_init (&rng, 5);
  g_assert_true (pb_model_forward (model, PB_MODEL_MODE_TRAIN, fixture->x, tiny_lengths,
                                   TB, TT, &rng, &error));
  g_assert_cmpmem (pb_model_get_output (model), sizeof dropped, dropped, sizeof dropped);
  g_assert_no_error (error);
}

static void
test_bad_input (Fixture       *fixture,
                gconstpointer  data)
{
  PbModel *model = fixture->model;
  float x[TB * TT * TF];
  guint lengths[TB];
  gint labels[TB];

  memcpy (x, fixture->x, sizeof x);
  x[2 * TT * TF + 1 * TF + 2] = NAN;
  {
    g_autoptr(GError) error = NULL;

    g_assert_false (pb_model_forward (model, PB_MODEL_MODE_EVAL, x, tiny_lengths, TB, TT, NULL, &error));
    g_assert_error (error, PB_ENGINE_ERROR, PB_ENGINE_ERROR_INVALID_DATA);
    g_assert_nonnull (strstr (error->message, "Sequence 2 has a non-finite value"));
    g_assert_nonnull (strstr (error->message, "step 1, feature 2"));
  }

  x[2 * TT * TF + 1 * TF + 2] = -INFINITY;
  {
    g_autoptr(GError) error = NULL;

    g_assert_false (pb_model_forward (model, PB_MODEL_MODE_EVAL, x, tiny_lengths, TB, TT, NULL, &error));
    g_assert_error (error, PB_ENGINE_ERROR, PB_ENGINE_ERROR_INVALID_DATA);
  }

  memcpy (x, fixture->x, sizeof x);
  memcpy (lengths, tiny_lengths, sizeof lengths);
  lengths[1] = 0;
  {
    g_autoptr(GError) error = NULL;

    g_assert_false (pb_model_forward (model, PB_MODEL_MODE_EVAL, x, lengths, TB, TT, NULL, &error));
    g_assert_error (error, PB_ENGINE_ERROR, PB_ENGINE_ERROR_INVALID_DATA);
    g_assert_nonnull (strstr (error->message, "Sequence 1 has length 0"));
  }

  lengths[1] = TT + 1;
  {
    g_autoptr(GError) error = NULL;

    g_assert_false (pb_model_forward (model, PB_MODEL_MODE_EVAL, x, lengths, TB, TT, NULL, &error));
    g_assert_error (error, PB_ENGINE_ERROR, PB_ENGINE_ERROR_INVALID_DATA);
    g_assert_nonnull (strstr (error->message, "lengths must be 1"));
  }

  {
    g_autoptr(GError) error = NULL;

    g_assert_false (pb_model_forward (model, PB_MODEL_MODE_EVAL, x, lengths, 0, TT, NULL, &error));
    g_assert_error (error, PB_ENGINE_ERROR, PB_ENGINE_ERROR_INVALID_DATA);
  }

  memcpy (labels, tiny_labels, sizeof labels);
  labels[0] = 3;
  {
    g_autoptr(GError) error = NULL;

    g_assert_true (pb_model_forward (model, PB_MODEL_MODE_EVAL, x, tiny_lengths, TB, TT, NULL, &error));
    g_assert_false (pb_model_loss (model, labels, NULL, NULL, &error));
    g_assert_error (error, PB_ENGINE_ERROR, PB_ENGINE_ERROR_INVALID_DATA);
    g_assert_nonnull (strstr (error->message, "label 3"));
    g_clear_error (&error);
    g_assert_false (pb_model_backward (model, labels, NULL, &error));
    g_assert_error (error, PB_ENGINE_ERROR, PB_ENGINE_ERROR_INVALID_DATA);
  }
}

/* A batch big enough to be split between threads gives the same results as one
 * thread (within rounding: GEMMs of different shapes may sum in another order). */
static void
test_threads_agree (gconstpointer data)
{
  enum { B = 40, T = 30, N_MODELS = 3 };
  PbModelConfig config = *(const PbModelConfig *) data;
  g_autoptr(GError) error = NULL;
  PbModel *models[N_MODELS];
  float *dxs[N_MODELS];
  g_autofree float *x = g_new (float, B * T * TF);
  guint lengths[B];
  gint labels[B];
  PbRng rng;

  config.n_hidden = 8;
  pb_rng_init (&rng, 11);
  for (guint b = 0; b < B; b++)
    {
      lengths[b] = 1 + (guint) pb_rng_uniform_int (&rng, T);
      labels[b] = (gint) pb_rng_uniform_int (&rng, 3);
    }
  for (guint i = 0; i < B * T * TF; i++)
    x[i] = (float) pb_rng_uniform_range (&rng, -1.0, 1.0);

  /* 1, 2 (one direction per thread under the standard preset) and 3 threads */
  for (guint m = 0; m < N_MODELS; m++)
    {
      models[m] = pb_model_new (&config, &error);
      g_assert_no_error (error);
      if (m == 0)
        pb_model_init_params (models[0], &rng);
      else
        memcpy (pb_model_get_params (models[m]), pb_model_get_params (models[0]),
                sizeof (float) * pb_model_get_n_params (models[0]));
      pb_model_set_n_threads (models[m], m + 1);
      dxs[m] = g_new (float, B * T * TF);

      g_assert_true (pb_model_forward (models[m], PB_MODEL_MODE_EVAL, x, lengths, B, T,
                                       NULL, &error));
      pb_model_zero_grad (models[m]);
      g_assert_true (pb_model_backward (models[m], labels, dxs[m], &error));
      g_assert_no_error (error);
    }

  for (guint m = 1; m < N_MODELS; m++)
    {
      const float *g0 = pb_model_get_grads (models[0]);
      const float *gm = pb_model_get_grads (models[m]);

      for (guint i = 0; i < B * 3; i++)
        g_assert_cmpfloat_with_epsilon (pb_model_get_logits (models[0])[i],
                                        pb_model_get_logits (models[m])[i], 1e-6);
      for (gsize i = 0; i < pb_model_get_n_params (models[0]); i++)
        g_assert_cmpfloat_with_epsilon (g0[i], gm[i], 1e-7 + 1e-5 * fabs (g0[i]));
      for (guint i = 0; i < B * T * TF; i++)
        g_assert_cmpfloat_with_epsilon (dxs[0][i], dxs[m][i], 1e-7 + 1e-5 * fabs (dxs[0][i]));
    }

  for (guint m = 0; m < N_MODELS; m++)
    {
      pb_model_free (models[m]);
      g_free (dxs[m]);
    }
}

/* The workspace grows with the batch and keeps working when it shrinks again. */
static void
test_workspace_grows (Fixture       *fixture,
                      gconstpointer  data)
{
  enum { BIG = 50 };
  PbModel *model = fixture->model;
  g_autoptr(GError) error = NULL;
  g_autofree float *big = g_new0 (float, BIG * 2 * TT * TF);
  guint lengths[BIG];
  float logits[TB * 3];

  g_assert_true (pb_model_forward (model, PB_MODEL_MODE_EVAL, fixture->x, tiny_lengths,
                                   TB, TT, NULL, &error));
  memcpy (logits, pb_model_get_logits (model), sizeof logits);

  /* 50 copies of the fixture's batch at twice the stride */
  for (guint b = 0; b < BIG; b++)
    {
      lengths[b] = tiny_lengths[b % TB];
      memcpy (big + (gsize) b * 2 * TT * TF, fixture->x + (b % TB) * TT * TF,
              sizeof (float) * TT * TF);
    }
  g_assert_true (pb_model_forward (model, PB_MODEL_MODE_EVAL, big, lengths, BIG, 2 * TT,
                                   NULL, &error));
  g_assert_no_error (error);
  for (guint b = 0; b < BIG; b++)
    for (guint k = 0; k < 3; k++)
      g_assert_cmpfloat_with_epsilon (pb_model_get_logits (model)[b * 3 + k],
                                      logits[(b % TB) * 3 + k], 1e-6);

  g_assert_true (pb_model_forward (model, PB_MODEL_MODE_EVAL, fixture->x, tiny_lengths,
                                   TB, TT, NULL, &error));
  g_assert_cmpmem (pb_model_get_logits (model), sizeof logits, logits, sizeof logits);
}

static void
test_names (void)
{
  PbProtocol protocol;
  PbActivation act;

  g_assert_true (pb_protocol_from_name ("seed", &protocol));
  g_assert_cmpint (protocol, ==, PB_PROTOCOL_SEED);
  g_assert_cmpstr (pb_protocol_get_name (PB_PROTOCOL_STANDARD), ==, "standard");
  g_assert_false (pb_protocol_from_name ("paper", &protocol));
  g_assert_true (pb_activation_from_name ("ReLU", &act));
  g_assert_cmpint (act, ==, PB_ACTIVATION_RELU);
  g_assert_cmpstr (pb_activation_get_name (PB_ACTIVATION_TANH), ==, "tanh");
  g_assert_false (pb_activation_from_name ("sigmoid", &act));
}

static void
test_bad_config (void)
{
  PbModelConfig config;
  g_autoptr(GError) error = NULL;
  g_autoptr(PbModel) model = NULL;

  pb_model_config_init (&config);
  config.dropout = 1.0;
  model = pb_model_new (&config, &error);
  g_assert_null (model);
  g_assert_error (error, PB_ENGINE_ERROR, PB_ENGINE_ERROR_INVALID_ARGUMENT);
  g_assert_nonnull (strstr (error->message, "dropout"));
  g_clear_error (&error);

  pb_model_config_init (&config);
  config.n_classes = 1;
  g_assert_false (pb_model_config_validate (&config, &error));
  g_assert_error (error, PB_ENGINE_ERROR, PB_ENGINE_ERROR_INVALID_ARGUMENT);
}

/* The tensor table is PyTorch's state_dict for the reference model. */
static void
test_tensor_table (void)
{
  static const struct { const char *name; guint n_dims; guint shape[2]; } expected[] = {
    { "0.lstm.weight_ih_l0", 2, { 512, 19 } },
    { "0.lstm.weight_hh_l0", 2, { 512, 128 } },
    { "0.lstm.bias_ih_l0", 1, { 512, 0 } },
    { "0.lstm.bias_hh_l0", 1, { 512, 0 } },
    { "0.lstm.weight_ih_l0_reverse", 2, { 512, 19 } },
    { "0.lstm.weight_hh_l0_reverse", 2, { 512, 128 } },
    { "0.lstm.bias_ih_l0_reverse", 1, { 512, 0 } },
    { "0.lstm.bias_hh_l0_reverse", 1, { 512, 0 } },
    { "3.weight", 2, { 16, 256 } },
    { "3.bias", 1, { 16, 0 } },
    { "5.weight", 2, { 2, 16 } },
    { "5.bias", 1, { 2, 0 } },
  };
  g_autoptr(GError) error = NULL;
  g_autoptr(PbModel) model = NULL;
  const PbModelTensor *tensors;
  PbModelConfig config;
  guint n_tensors;
  gsize offset = 0;
  PbRng rng;

  pb_model_config_init (&config);
  model = pb_model_new (&config, &error);
  g_assert_no_error (error);

  tensors = pb_model_get_tensors (model, &n_tensors);
  g_assert_cmpuint (n_tensors, ==, G_N_ELEMENTS (expected));
  for (guint i = 0; i < n_tensors; i++)
    {
      g_assert_cmpstr (tensors[i].name, ==, expected[i].name);
      g_assert_cmpuint (tensors[i].n_dims, ==, expected[i].n_dims);
      g_assert_cmpuint (tensors[i].shape[0], ==, expected[i].shape[0]);
      g_assert_cmpuint (tensors[i].shape[1], ==, expected[i].shape[1]);
      g_assert_cmpuint (tensors[i].offset, ==, offset);
      offset += tensors[i].n;
      g_assert_true (pb_model_lookup_tensor (model, expected[i].name) == &tensors[i]);
    }
  g_assert_cmpuint (pb_model_get_n_params (model), ==, offset);
  g_assert_cmpuint (offset, ==, 2 * (512 * 19 + 512 * 128 + 1024) + 16 * 256 + 16 + 2 * 16 + 2);
  g_assert_null (pb_model_lookup_tensor (model, "lstm.weight_ih_l0"));

  /* PyTorch's default init bounds: LSTM 1/√H, Linear 1/√in */
  pb_rng_init (&rng, 1);
  pb_model_init_params (model, &rng);
  for (guint i = 0; i < n_tensors; i++)
    {
      const float *p = pb_model_get_params (model) + tensors[i].offset;
      double bound = i < 8 ? 1.0 / sqrt (128) : i < 10 ? 1.0 / sqrt (256) : 1.0 / sqrt (16);
      double max_abs = 0.0;

      for (gsize k = 0; k < tensors[i].n; k++)
        max_abs = MAX (max_abs, fabs (p[k]));
      g_assert_cmpfloat (max_abs, <=, bound);
      if (tensors[i].n >= 256)
        g_assert_cmpfloat (max_abs, >, 0.95 * bound);
    }
}

static void
test_rng (void)
{
  PbRng a, b;
  double sum = 0.0, sum2 = 0.0;
  guint counts[5] = { 0 };
  guint heads = 0;
  const guint n = 100000;

  pb_rng_init (&a, 123);
  pb_rng_init (&b, 123);
  for (guint i = 0; i < 100; i++)
    g_assert_cmpuint (pb_rng_next_u64 (&a), ==, pb_rng_next_u64 (&b));
  pb_rng_init (&b, 124);
  g_assert_cmpuint (pb_rng_next_u64 (&a), !=, pb_rng_next_u64 (&b));

  /* known first output of xoshiro256** seeded by splitmix64 (0) */
  pb_rng_init (&a, 0);
  g_assert_cmpuint (pb_rng_next_u64 (&a), ==, G_GUINT64_CONSTANT (0x99ec5f36cb75f2b4));

  for (guint i = 0; i < n; i++)
    {
      double u = pb_rng_uniform (&a);
      double z = pb_rng_normal (&a);

      g_assert_cmpfloat (u, >=, 0.0);
      g_assert_cmpfloat (u, <, 1.0);
      sum += z;
      sum2 += z * z;
      counts[pb_rng_uniform_int (&a, 5)]++;
      heads += pb_rng_bernoulli (&a, 0.3);
    }
  g_assert_cmpfloat (fabs (sum / n), <, 0.02);
  g_assert_cmpfloat (fabs (sum2 / n - 1.0), <, 0.02);
  for (guint k = 0; k < 5; k++)
    g_assert_cmpfloat (fabs (counts[k] / (double) n - 0.2), <, 0.01);
  g_assert_cmpfloat (fabs (heads / (double) n - 0.3), <, 0.01);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add ("/pb/lstm/gradcheck/tanh-standard-eval", Fixture, &config_tanh_standard,
              fixture_setup, test_gradcheck_eval, fixture_tear);
  g_test_add ("/pb/lstm/gradcheck/tanh-standard-train-dropout", Fixture, &config_tanh_standard,
              fixture_setup, test_gradcheck_train, fixture_tear);
  g_test_add ("/pb/lstm/gradcheck/tanh-seed-eval", Fixture, &config_tanh_seed,
              fixture_setup, test_gradcheck_eval, fixture_tear);
  g_test_add ("/pb/lstm/gradcheck/relu-standard-eval", Fixture, &config_relu_standard,
              fixture_setup, test_gradcheck_eval, fixture_tear);
  g_test_add ("/pb/lstm/padding/changes-nothing-standard", Fixture, &config_tanh_standard,
              fixture_setup, test_padding_invariance, fixture_tear);
  g_test_add ("/pb/lstm/padding/changes-nothing-seed", Fixture, &config_tanh_seed,
              fixture_setup, test_padding_invariance, fixture_tear);
  g_test_add ("/pb/lstm/backward/accumulates-into-grads", Fixture, &config_tanh_seed,
              fixture_setup, test_backward_accumulates, fixture_tear);
  g_test_add ("/pb/lstm/modes/eval-train-logits", Fixture, &config_tanh_standard,
              fixture_setup, test_modes, fixture_tear);
  g_test_add ("/pb/lstm/bad-input/is-a-clear-error", Fixture, &config_tanh_standard,
              fixture_setup, test_bad_input, fixture_tear);
  g_test_add_func ("/pb/lstm/bad-input/config", test_bad_config);
  g_test_add_func ("/pb/lstm/names/round-trip", test_names);
  g_test_add ("/pb/lstm/workspace/grows-and-shrinks", Fixture, &config_tanh_seed,
              fixture_setup, test_workspace_grows, fixture_tear);
  g_test_add_data_func ("/pb/lstm/threads/agree-with-one-standard", &config_tanh_standard,
                        test_threads_agree);
  g_test_add_data_func ("/pb/lstm/threads/agree-with-one-seed", &config_tanh_seed,
                        test_threads_agree);
  g_test_add_func ("/pb/lstm/tensors/match-state-dict", test_tensor_table);
  g_test_add_func ("/pb/lstm/rng/streams", test_rng);

  return g_test_run ();
}
