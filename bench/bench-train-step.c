/* bench-train-step.c — training-step throughput of the BiLSTM classifier against
 * PyTorch 1.13 CPU in the same run.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The seed's best configuration (F 19, H 128, n_fc 16, C 2, Tanh/Tanh, dropout
 * 0.029), lengths drawn from the reference dataset's histogram (SPEC.md §2.6:
 * 90 % of length 48, the rest 6 … 47), one step = zero_grad, train-mode forward,
 * loss, backward (all parameter gradients) and a plain SGD update. PyTorch runs
 * the same model through bench/bench_train_step_torch.py twice: packed (as the
 * reference code runs) and full-length (nn.LSTM's fast path, no packing).
 *
 *   bench-train-step [--steps N] [--threads N] [--torch-threads N] [--no-torch] [--seed]
 *
 * Run it on a quiet machine: under load, PyTorch's two OpenMP threads spin at
 * their barriers and its figures collapse far more than ours.
 *
 * PB_CPU_KERNELS=0 runs the backend's OpenBLAS path instead of its AVX-512 step
 * kernels (the before/after comparison of bench/README.md).
 */

#include "config.h"

#include <glib.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include <cblas.h>

#include "pb-backend-cpu-private.h"
#include "pb-model.h"
#include "pb-rng.h"

#define T_MAX 48
#define N_FEATURES 19

/* SPEC.md §2.6: length → count in the reference dataset */
static const guint length_hist[][2] = {
  { 6, 1 }, { 13, 1 }, { 14, 1 }, { 16, 2 }, { 17, 4 }, { 18, 3 }, { 19, 8 }, { 20, 12 },
  { 21, 25 }, { 22, 49 }, { 23, 84 }, { 24, 144 }, { 25, 126 }, { 26, 110 }, { 27, 93 },
  { 28, 95 }, { 29, 84 }, { 30, 90 }, { 31, 75 }, { 32, 99 }, { 33, 98 }, { 34, 113 },
  { 35, 148 }, { 36, 152 }, { 37, 189 }, { 38, 199 }, { 39, 220 }, { 40, 178 }, { 41, 231 },
  { 42, 203 }, { 43, 211 }, { 44, 191 }, { 45, 185 }, { 46, 221 }, { 47, 474 }, { 48, 37832 },
};

static guint
draw_length (PbRng *rng)
{
  guint total = 0;
  guint r;

  for (guint i = 0; i < G_N_ELEMENTS (length_hist); i++)
    total += length_hist[i][1];
  r = (guint) pb_rng_uniform_int (rng, total);
  for (guint i = 0; i < G_N_ELEMENTS (length_hist); i++)
    {
      if (r < length_hist[i][1])
        return length_hist[i][0];
      r -= length_hist[i][1];
    }
  return T_MAX;
}

/* FLOP of one training step per sequence of length L: forward 2·4H·(F+H) per
 * step and direction, backward twice that (data + weights), plus the FC head.
 * Under the seed preset the reverse direction runs one step. */
static double
step_flop (guint    L,
           gboolean seed_preset)
{
  const double H = 128, F = N_FEATURES;
  const double steps = L + (seed_preset ? 1 : L);

  return 3.0 * 2 * steps * 4 * H * (F + H) + 3.0 * 2 * (2 * H * 16 + 16 * 2);
}

static double
measure_sgemm_peak (void)
{
  const int n = 1024;
  g_autofree float *a = g_new (float, n * n);
  g_autofree float *b = g_new (float, n * n);
  g_autofree float *c = g_new0 (float, n * n);
  double best = 0.0;

  for (int i = 0; i < n * n; i++)
    {
      a[i] = (float) (i % 7) * 0.1f;
      b[i] = (float) (i % 5) * 0.1f;
    }
  for (int rep = 0; rep < 4; rep++)
    {
      gint64 t0 = g_get_monotonic_time ();
      double s;

      cblas_sgemm (CblasRowMajor, CblasNoTrans, CblasNoTrans, n, n, n,
                   1.0f, a, n, b, n, 0.0f, c, n);
      s = (g_get_monotonic_time () - t0) / 1e6;
      if (rep > 0)
        best = MAX (best, 2.0 * n * n * n / s / 1e9);
    }

  return best;
}

typedef struct
{
  double seq_per_s;
  double gflops;
  double ms_per_step;
  double cpu_ms_per_step;
} Result;

static double
cpu_seconds (void)
{
  struct timespec ts;

  clock_gettime (CLOCK_PROCESS_CPUTIME_ID, &ts);
  return ts.tv_sec + ts.tv_nsec / 1e9;
}

static Result
bench_ours (PbProtocol protocol,
            guint      batch,
            guint      n_steps,
            guint      n_threads)
{
  g_autoptr(PbModel) model = NULL;
  g_autoptr(GError) error = NULL;
  PbModelConfig config;
  const guint n_batches = 8;
  g_autofree float *x = g_new (float, (gsize) n_batches * batch * T_MAX * N_FEATURES);
  g_autofree guint *lengths = g_new (guint, (gsize) n_batches * batch);
  g_autofree gint *labels = g_new (gint, (gsize) n_batches * batch);
  double flop = 0.0;
  gint64 t0 = 0;
  double cpu0 = 0.0;
  Result result;
  PbRng rng;

  pb_model_config_init (&config);
  config.protocol = protocol;
  model = pb_model_new (&config, &error);
  g_assert_no_error (error);
  pb_model_set_n_threads (model, n_threads);
  pb_rng_init (&rng, 2023);
  pb_model_init_params (model, &rng);

  for (gsize i = 0; i < (gsize) n_batches * batch; i++)
    {
      lengths[i] = draw_length (&rng);
      labels[i] = pb_rng_bernoulli (&rng, 0.11);
      for (guint t = 0; t < T_MAX; t++)
        for (guint f = 0; f < N_FEATURES; f++)
          x[(i * T_MAX + t) * N_FEATURES + f] = t < lengths[i] ? (float) pb_rng_uniform (&rng) : 0.0f;
    }

  for (guint step = 0; step < n_steps + 2; step++)
    {
      const gsize k = step % n_batches;
      const guint *len = lengths + k * batch;
      float *params = pb_model_get_params (model);
      const float *grads = pb_model_get_grads (model);
      double loss;

      if (step == 2)           /* two warm-up steps */
        {
          t0 = g_get_monotonic_time ();
          cpu0 = cpu_seconds ();
        }
      if (step >= 2)
        for (guint b = 0; b < batch; b++)
          flop += step_flop (len[b], protocol == PB_PROTOCOL_SEED);

      pb_model_zero_grad (model);
      if (!pb_model_forward (model, PB_MODEL_MODE_TRAIN, x + k * batch * T_MAX * N_FEATURES,
                             len, batch, T_MAX, &rng, &error) ||
          !pb_model_loss (model, labels + k * batch, NULL, &loss, &error) ||
          !pb_model_backward (model, labels + k * batch, NULL, &error))
        g_error ("%s", error->message);
      for (gsize i = 0; i < pb_model_get_n_params (model); i++)
        params[i] -= 1e-3f * grads[i];
    }

  {
    double s = (g_get_monotonic_time () - t0) / 1e6;

    result.seq_per_s = (double) n_steps * batch / s;
    result.gflops = flop / s / 1e9;
    result.ms_per_step = 1e3 * s / n_steps;
    result.cpu_ms_per_step = 1e3 * (cpu_seconds () - cpu0) / n_steps;
  }

  return result;
}

/* Runs the PyTorch counterpart; returns seq/s per "mode batch" key. */
static char *
find_torch_script (const char *argv0)
{
  const char *dir = g_getenv ("PB_BENCH_DIR");
  g_autofree char *exe_dir = g_path_get_dirname (argv0);
  char *candidates[] = {
    dir != NULL ? g_build_filename (dir, "bench_train_step_torch.py", NULL) : NULL,
    g_build_filename ("bench", "bench_train_step_torch.py", NULL),
    g_build_filename (exe_dir, "..", "..", "bench", "bench_train_step_torch.py", NULL),
  };
  char *found = NULL;

  for (guint i = 0; i < G_N_ELEMENTS (candidates); i++)
    {
      if (found == NULL && candidates[i] != NULL &&
          g_file_test (candidates[i], G_FILE_TEST_IS_REGULAR))
        found = g_strdup (candidates[i]);
      g_free (candidates[i]);
    }

  return found;
}

static GHashTable *
bench_torch (const char  *script,
             const guint *batches,
             guint        n_batches,
             guint        n_steps,
             gboolean     seed_preset,
             guint        torch_threads)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) argv = g_ptr_array_new_with_free_func (g_free);
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_auto(GStrv) envp = g_get_environ ();
  g_auto(GStrv) lines = NULL;
  GHashTable *results = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  int status = 0;

  g_ptr_array_add (argv, g_strdup ("/usr/bin/python3"));
  g_ptr_array_add (argv, g_strdup (script));
  g_ptr_array_add (argv, g_strdup_printf ("--steps=%u", n_steps));
  g_ptr_array_add (argv, g_strdup_printf ("--threads=%u", torch_threads));
  if (seed_preset)
    g_ptr_array_add (argv, g_strdup ("--seed-preset"));
  for (guint i = 0; i < n_batches; i++)
    g_ptr_array_add (argv, g_strdup_printf ("%u", batches[i]));
  g_ptr_array_add (argv, NULL);

  /* 2 torch threads and a single-threaded OpenBLAS underneath: otherwise the
   * two thread pools fight and torch drops several-fold (issue 4). */
  envp = g_environ_setenv (envp, "OPENBLAS_NUM_THREADS", "1", TRUE);
  {
    g_autofree char *omp = g_strdup_printf ("%u", torch_threads);

    envp = g_environ_setenv (envp, "OMP_NUM_THREADS", omp, TRUE);
  }

  if (!g_spawn_sync (NULL, (char **) argv->pdata, envp, G_SPAWN_DEFAULT, NULL, NULL,
                     &out, &err, &status, &error) ||
      !g_spawn_check_wait_status (status, &error))
    {
      g_printerr ("PyTorch reference failed: %s\n%s", error->message, err != NULL ? err : "");
      return results;
    }

  /* lines: "<mode> <batch> <seq/s> <seq per CPU-second>" */
  lines = g_strsplit (out, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    {
      g_auto(GStrv) f = g_strsplit (lines[i], " ", 4);

      if (g_strv_length (f) == 4)
        {
          double *v = g_new (double, 2);

          v[0] = g_ascii_strtod (f[2], NULL);
          v[1] = g_ascii_strtod (f[3], NULL);
          g_hash_table_insert (results, g_strdup_printf ("%s %s", f[0], f[1]), v);
        }
    }

  return results;
}

int
main (int   argc,
      char *argv[])
{
  static const guint batches[] = { 32, 256 };
  gboolean no_torch = FALSE;
  gboolean seed_preset = FALSE;
  int n_steps = 20;
  int n_threads = 0;
  int torch_threads = 2;
  GOptionEntry entries[] = {
    { "steps", 0, 0, G_OPTION_ARG_INT, &n_steps, "Timed steps per batch size (20)", "N" },
    { "no-torch", 0, 0, G_OPTION_ARG_NONE, &no_torch, "Skip the PyTorch reference", NULL },
    { "seed", 0, 0, G_OPTION_ARG_NONE, &seed_preset, "Use the seed preset (default: standard)", NULL },
    { "threads", 0, 0, G_OPTION_ARG_INT, &n_threads, "Engine threads (0: one per processor)", "N" },
    { "torch-threads", 0, 0, G_OPTION_ARG_INT, &torch_threads, "PyTorch threads (2)", "N" },
    { NULL }
  };
  g_autoptr(GOptionContext) context = g_option_context_new ("— training-step throughput vs PyTorch");
  g_autoptr(GError) error = NULL;
  g_autoptr(GHashTable) torch = NULL;
  g_autofree char *script = NULL;
  const char *blas_threads = g_getenv ("OPENBLAS_NUM_THREADS");
  Result ours[G_N_ELEMENTS (batches)];
  double peak;

  g_option_context_add_main_entries (context, entries, NULL);
  if (!g_option_context_parse (context, &argc, &argv, &error))
    {
      g_printerr ("%s\n", error->message);
      return 2;
    }

  peak = measure_sgemm_peak ();
  g_print ("BiLSTM training step, F 19, H 128, n_fc 16, C 2, reference length mix "
           "(90%% of T = 48), %s preset, %d steps\n", seed_preset ? "seed" : "standard", n_steps);
  g_print ("perturb: OPENBLAS_NUM_THREADS=%s; OpenBLAS sgemm 1024^3 peak here: "
           "%.1f GFLOP/s\n", blas_threads != NULL ? blas_threads : "(unset)", peak);
  {
    g_autoptr(PbBackend) cpu = pb_backend_new (PB_BACKEND_KIND_CPU, NULL);

    g_print ("perturb: LSTM on %s\n", _pb_backend_cpu_get_use_kernels (cpu)
             ? "the AVX-512 step kernels" : "OpenBLAS sgemm (PB_CPU_KERNELS=0 or no AVX-512)");
  }

  for (guint i = 0; i < G_N_ELEMENTS (batches); i++)
    {
      ours[i] = bench_ours (seed_preset ? PB_PROTOCOL_SEED : PB_PROTOCOL_STANDARD,
                            batches[i], n_steps, (guint) MAX (n_threads, 0));
      g_print ("perturb  batch %3u: %8.1f seq/s  %7.2f ms/step (%.2f CPU ms = %.0f seq per "
               "CPU-second)  %6.1f GFLOP/s (%.0f%% of sgemm peak)\n",
               batches[i], ours[i].seq_per_s, ours[i].ms_per_step, ours[i].cpu_ms_per_step,
               1e3 * batches[i] / ours[i].cpu_ms_per_step,
               ours[i].gflops, 100.0 * ours[i].gflops / peak);
    }

  if (no_torch)
    return 0;

  script = find_torch_script (argv[0]);
  if (script == NULL)
    {
      g_printerr ("bench_train_step_torch.py not found: run from the source tree or set PB_BENCH_DIR\n");
      return 1;
    }
  g_print ("torch: %d threads, OPENBLAS_NUM_THREADS=1\n", torch_threads);
  torch = bench_torch (script, batches, G_N_ELEMENTS (batches), (guint) MAX (n_steps / 2, 3),
                       seed_preset, (guint) MAX (torch_threads, 1));
  for (guint i = 0; i < G_N_ELEMENTS (batches); i++)
    {
      static const char *modes[] = { "packed", "full" };

      for (guint m = 0; m < G_N_ELEMENTS (modes); m++)
        {
          g_autofree char *key = g_strdup_printf ("%s %u", modes[m], batches[i]);
          const double *v = g_hash_table_lookup (torch, key);

          if (v == NULL)
            continue;
          g_print ("torch    batch %3u %-6s: %8.1f seq/s   perturb/torch = %5.2fx   "
                   "per CPU-second: %7.1f vs %7.1f seq = %5.2fx\n",
                   batches[i], modes[m], v[0], ours[i].seq_per_s / v[0],
                   1e3 * batches[i] / ours[i].cpu_ms_per_step, v[1],
                   1e3 * batches[i] / ours[i].cpu_ms_per_step / v[1]);
        }
    }

  return 0;
}
