/* bench-backend.c — one training epoch and attack-style iterations on each
 * backend (cpu, and cuda when a device answers), in the same run.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

/* The seed's best configuration (pb_model_config_init(): F 19, H 128, n_fc 16,
 * C 2, Tanh/Tanh, dropout 0.029, standard preset), batch 32, Adam (PyTorch
 * defaults, lr 2.78e-4), synthetic sequences with lengths 6 … 48 (90 % at 48,
 * as the reference dataset). An epoch = ⌈n / batch⌉ steps of zero_grad,
 * train-mode forward, loss, backward, Adam step. An attack-style iteration =
 * logits-mode forward + input gradient (no parameter gradients), the inner
 * loop of every attack, on batches of 64. */

#include "config.h"

#include <glib.h>
#include <stdio.h>

#include "pb-backend.h"
#include "pb-model.h"
#include "pb-optim.h"
#include "pb-rng.h"

#define T_MAX 48

typedef struct
{
  guint    n;
  guint    n_features;
  float   *x;        /* (n, T_MAX, F) */
  guint   *lengths;  /* (n) */
  gint    *labels;   /* (n) */
} Data;

static void
data_init (Data  *data,
           guint  n,
           guint  n_features)
{
  PbRng rng;

  pb_rng_init (&rng, 2023);
  data->n = n;
  data->n_features = n_features;
  data->x = g_new0 (float, (gsize) n * T_MAX * n_features);
  data->lengths = g_new (guint, n);
  data->labels = g_new (gint, n);
  for (guint i = 0; i < n; i++)
    {
      data->lengths[i] = pb_rng_bernoulli (&rng, 0.9) ? T_MAX : 6 + (guint) pb_rng_uniform_int (&rng, T_MAX - 6);
      data->labels[i] = pb_rng_bernoulli (&rng, 0.11);
      for (guint t = 0; t < data->lengths[i]; t++)
        for (guint f = 0; f < n_features; f++)
          data->x[((gsize) i * T_MAX + t) * n_features + f] = (float) pb_rng_normal (&rng);
    }
}

static void
data_clear (Data *data)
{
  g_free (data->x);
  g_free (data->lengths);
  g_free (data->labels);
}

static PbModel *
model_new (PbBackendKind kind)
{
  g_autoptr(GError) error = NULL;
  PbModelConfig config;
  PbModel *model;
  PbBackend *backend;
  PbRng rng;

  pb_model_config_init (&config);
  model = pb_model_new (&config, &error);
  g_assert_no_error (error);
  backend = pb_backend_new (kind, &error);
  g_assert_no_error (error);
  pb_model_set_backend (model, backend);
  pb_rng_init (&rng, 1);
  pb_model_init_params (model, &rng);

  return model;
}

/* Seconds for one epoch over @data. */
static double
bench_epoch (PbBackendKind  kind,
             const Data    *data,
             guint          batch)
{
  g_autoptr(PbModel) model = model_new (kind);
  g_autoptr(PbOptim) optim = NULL;
  g_autoptr(GError) error = NULL;
  PbOptimConfig oc;
  const gsize row = (gsize) T_MAX * data->n_features;
  gint64 t0;
  PbRng rng;

  pb_optim_config_init (&oc, PB_OPTIM_KIND_ADAM);
  oc.lr = 2.784280532512521e-4;
  optim = pb_optim_new (&oc, pb_model_get_n_params (model), &error);
  g_assert_no_error (error);
  pb_rng_init (&rng, 3);

  t0 = g_get_monotonic_time ();
  for (guint start = 0; start < data->n; start += batch)
    {
      const guint b = MIN (batch, data->n - start);
      double loss;

      pb_model_zero_grad (model);
      if (!pb_model_forward (model, PB_MODEL_MODE_TRAIN, data->x + start * row,
                             data->lengths + start, b, T_MAX, &rng, &error) ||
          !pb_model_loss (model, data->labels + start, NULL, &loss, &error) ||
          !pb_model_backward (model, data->labels + start, NULL, &error))
        g_error ("%s", error->message);
      pb_optim_step (optim, pb_model_get_params (model), pb_model_get_grads (model));
    }

  return (g_get_monotonic_time () - t0) / 1e6;
}

/* Samples × iterations per second. */
static double
bench_attack (PbBackendKind  kind,
              const Data    *data,
              guint          batch,
              guint          iterations)
{
  g_autoptr(PbModel) model = model_new (kind);
  g_autoptr(GError) error = NULL;
  const guint C = pb_model_get_config (model)->n_classes;
  g_autofree float *dlogits = g_new (float, (gsize) batch * C);
  g_autofree float *dx = g_new (float, (gsize) batch * T_MAX * data->n_features);
  gint64 t0;

  batch = MIN (batch, data->n);
  for (gsize i = 0; i < (gsize) batch * C; i++)
    dlogits[i] = i % 2 == 0 ? 1.0f : -1.0f;

  t0 = g_get_monotonic_time ();
  for (guint it = 0; it < iterations; it++)
    if (!pb_model_forward (model, PB_MODEL_MODE_LOGITS, data->x, data->lengths, batch, T_MAX,
                           NULL, &error) ||
        !pb_model_backward_from_logits (model, dlogits, FALSE, dx, &error))
      g_error ("%s", error->message);

  return (double) batch * iterations / ((g_get_monotonic_time () - t0) / 1e6);
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GError) cuda_error = NULL;
  gint n = 40000, batch = 32, attack_batch = 64, iterations = 20;
  gboolean skip_cpu = FALSE;
  const GOptionEntry entries[] = {
    { "sequences", 0, 0, G_OPTION_ARG_INT, &n, "Sequences in the epoch (40000)", "N" },
    { "batch-size", 0, 0, G_OPTION_ARG_INT, &batch, "Training batch size (32)", "B" },
    { "attack-batch", 0, 0, G_OPTION_ARG_INT, &attack_batch, "Attack batch size (64)", "B" },
    { "iterations", 0, 0, G_OPTION_ARG_INT, &iterations, "Attack-style iterations (20)", "N" },
    { "no-cpu", 0, 0, G_OPTION_ARG_NONE, &skip_cpu, "Skip the cpu backend", NULL },
    { NULL }
  };
  PbModelConfig config;
  Data data;
  double epoch_cpu = 0, epoch_cuda = 0, attack_cpu = 0, attack_cuda = 0;
  gboolean have_cuda;

  context = g_option_context_new ("— training epoch and attack throughput per backend");
  g_option_context_add_main_entries (context, entries, NULL);
  if (!g_option_context_parse (context, &argc, &argv, &error))
    {
      g_printerr ("%s\n", error->message);
      return 2;
    }
  if (n <= 0 || batch <= 0 || attack_batch <= 0 || iterations <= 0)
    {
      g_printerr ("sizes must be positive\n");
      return 2;
    }

  pb_model_config_init (&config);
  data_init (&data, (guint) n, config.n_features);
  have_cuda = pb_backend_kind_is_available (PB_BACKEND_KIND_CUDA, &cuda_error);

  printf ("# %d sequences, batch %d (epoch); attack batch %d × %d iterations\n",
          n, batch, attack_batch, iterations);
  if (!have_cuda)
    printf ("# cuda: skipped (%s)\n", cuda_error->message);

  if (!skip_cpu)
    {
      epoch_cpu = bench_epoch (PB_BACKEND_KIND_CPU, &data, (guint) batch);
      attack_cpu = bench_attack (PB_BACKEND_KIND_CPU, &data, (guint) attack_batch, (guint) iterations);
      printf ("cpu   epoch %8.3f s   attack %10.1f samples·it/s\n", epoch_cpu, attack_cpu);
    }
  if (have_cuda)
    {
      epoch_cuda = bench_epoch (PB_BACKEND_KIND_CUDA, &data, (guint) batch);
      attack_cuda = bench_attack (PB_BACKEND_KIND_CUDA, &data, (guint) attack_batch, (guint) iterations);
      printf ("cuda  epoch %8.3f s   attack %10.1f samples·it/s\n", epoch_cuda, attack_cuda);
      if (!skip_cpu)
        printf ("cuda / cpu: epoch %.2f×, attack %.2f×\n",
                epoch_cpu / epoch_cuda, attack_cuda / attack_cpu);
    }

  data_clear (&data);

  return 0;
}
