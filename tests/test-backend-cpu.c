/* test-backend-cpu.c — the CPU backend's AVX-512 step kernels against its sgemm
 * path (itself checked against PyTorch by test-model-parity) on odd shapes:
 * hidden sizes that are not a multiple of the 16-unit register width, row
 * counts that are not a multiple of the 6-row tile, ragged lengths, 1 and 2
 * threads, both presets.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib.h>
#include <math.h>
#include <string.h>

#include "pb-backend-cpu-private.h"
#include "pb-model.h"
#include "pb-rng.h"

typedef struct
{
  guint      n_features;
  guint      n_hidden;
  guint      batch;
  guint      max_len;
  PbProtocol protocol;
} Shape;

typedef struct
{
  float *logits;
  float *grads;
  float *dx;
  gsize  n_params;
} Result;

static void
result_clear (Result *r)
{
  g_free (r->logits);
  g_free (r->grads);
  g_free (r->dx);
}

static void
run_model (const Shape *shape,
           gboolean     use_kernels,
           guint        n_threads,
           Result      *result)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(PbModel) model = NULL;
  PbModelConfig config;
  const guint B = shape->batch;
  const guint T = shape->max_len;
  const guint F = shape->n_features;
  g_autofree float *x = g_new0 (float, (gsize) B * T * F);
  g_autofree guint *lengths = g_new (guint, B);
  g_autofree gint *labels = g_new (gint, B);
  PbRng rng;

  pb_model_config_init (&config);
  config.n_features = F;
  config.n_hidden = shape->n_hidden;
  config.n_fc = 5;
  config.n_classes = 3;
  config.protocol = shape->protocol;
  model = pb_model_new (&config, &error);
  g_assert_no_error (error);
  _pb_backend_cpu_set_use_kernels (pb_model_get_backend (model), use_kernels);
  g_assert_cmpint (_pb_backend_cpu_get_use_kernels (pb_model_get_backend (model)), ==,
                   use_kernels);
  pb_model_set_n_threads (model, n_threads);

  pb_rng_init (&rng, 7);
  pb_model_init_params (model, &rng);
  /* larger weights than the default init: saturating and negative gates too */
  for (gsize i = 0; i < pb_model_get_n_params (model); i++)
    pb_model_get_params (model)[i] *= 3.0f;
  for (guint b = 0; b < B; b++)
    {
      lengths[b] = b == 0 ? T : 1 + (guint) pb_rng_uniform_int (&rng, T);
      labels[b] = (gint) pb_rng_uniform_int (&rng, 3);
      for (guint k = 0; k < lengths[b] * F; k++)
        x[(gsize) b * T * F + k] = (float) pb_rng_uniform_range (&rng, -2.0, 2.0);
    }

  result->dx = g_new (float, (gsize) B * T * F);
  g_assert_true (pb_model_forward (model, PB_MODEL_MODE_EVAL, x, lengths, B, T, NULL, &error));
  pb_model_zero_grad (model);
  g_assert_true (pb_model_backward (model, labels, result->dx, &error));
  g_assert_no_error (error);

  result->logits = g_memdup2 (pb_model_get_logits (model), sizeof (float) * B * 3);
  result->n_params = pb_model_get_n_params (model);
  result->grads = g_memdup2 (pb_model_get_grads (model), sizeof (float) * result->n_params);
}

static void
assert_close (const char  *what,
              const float *want,
              const float *have,
              gsize        n)
{
  double scale = 0.0;

  /* relative to the largest value of the array: gradients that cancel to
   * ~0 carry the float32 summation error of both paths */
  for (gsize i = 0; i < n; i++)
    scale = MAX (scale, fabs (want[i]));
  for (gsize i = 0; i < n; i++)
    if (fabs ((double) want[i] - have[i]) > 1e-5 * fabs (want[i]) + 1e-6 * scale)
      g_error ("%s[%" G_GSIZE_FORMAT "]: kernels %.9g, sgemm %.9g", what, i, have[i], want[i]);
}

static void
test_kernels_match_sgemm (gconstpointer data)
{
  const Shape *shape = data;
  g_autoptr(GError) error = NULL;
  g_autoptr(PbModel) probe = NULL;
  PbModelConfig config;
  Result ref = { 0 };
  gsize n_params;

  if (!_pb_cpu_avx512_is_supported ())
    {
      g_test_skip ("this CPU has no AVX-512: the backend uses sgemm only");
      return;
    }

  pb_model_config_init (&config);
  config.n_features = shape->n_features;
  config.n_hidden = shape->n_hidden;
  config.n_fc = 5;
  config.n_classes = 3;
  probe = pb_model_new (&config, &error);
  g_assert_no_error (error);
  n_params = pb_model_get_n_params (probe);

  run_model (shape, FALSE, 1, &ref);
  for (guint n_threads = 1; n_threads <= 2; n_threads++)
    {
      Result r = { 0 };

      run_model (shape, TRUE, n_threads, &r);
      assert_close ("logits", ref.logits, r.logits, (gsize) shape->batch * 3);
      assert_close ("grads", ref.grads, r.grads, n_params);
      assert_close ("dx", ref.dx, r.dx, (gsize) shape->batch * shape->max_len * shape->n_features);
      result_clear (&r);
    }
  result_clear (&ref);
}

/* The kernels give every row and every weight the same operations whatever
 * the split: 1 and 2 threads agree bit for bit. */
static void
test_kernels_deterministic (gconstpointer data)
{
  const Shape *shape = data;
  const gsize n_dx = (gsize) shape->batch * shape->max_len * shape->n_features;
  Result r1 = { 0 }, r2 = { 0 };

  if (!_pb_cpu_avx512_is_supported ())
    {
      g_test_skip ("this CPU has no AVX-512");
      return;
    }

  run_model (shape, TRUE, 1, &r1);
  run_model (shape, TRUE, 2, &r2);
  g_assert_cmpmem (r1.logits, sizeof (float) * shape->batch * 3,
                   r2.logits, sizeof (float) * shape->batch * 3);
  g_assert_cmpmem (r1.grads, sizeof (float) * r1.n_params, r2.grads, sizeof (float) * r2.n_params);
  g_assert_cmpmem (r1.dx, sizeof (float) * n_dx, r2.dx, sizeof (float) * n_dx);
  result_clear (&r1);
  result_clear (&r2);
}

int
main (int   argc,
      char *argv[])
{
  static const Shape shapes[] = {
    { 7, 20, 13, 9, PB_PROTOCOL_STANDARD },    /* one full and one 4-unit group */
    { 3, 33, 8, 7, PB_PROTOCOL_SEED },         /* 2 full groups + 1 unit */
    { 19, 128, 37, 12, PB_PROTOCOL_STANDARD }, /* the seed's best model */
    { 19, 128, 40, 10, PB_PROTOCOL_SEED },     /* seed preset: sequence split */
    { 1, 5, 1, 4, PB_PROTOCOL_STANDARD },      /* one row, one partial group */
    { 2, 80, 6, 3, PB_PROTOCOL_STANDARD },     /* 5 backward panels: 4 + 1 */
  };

  g_test_init (&argc, &argv, NULL);

  for (guint i = 0; i < G_N_ELEMENTS (shapes); i++)
    {
      g_autofree char *path = g_strdup_printf ("/pb/backend-cpu/kernels-match-sgemm/F%u-H%u-B%u-T%u-%s",
                                               shapes[i].n_features, shapes[i].n_hidden,
                                               shapes[i].batch, shapes[i].max_len,
                                               pb_protocol_get_name (shapes[i].protocol));

      g_test_add_data_func (path, &shapes[i], test_kernels_match_sgemm);
    }
  /* one direction per thread, and sequences split between threads */
  g_test_add_data_func ("/pb/backend-cpu/kernels-deterministic/standard", &shapes[2],
                        test_kernels_deterministic);
  g_test_add_data_func ("/pb/backend-cpu/kernels-deterministic/seed", &shapes[3],
                        test_kernels_deterministic);

  return g_test_run ();
}
