/* bench-attack.c — sparse L1 attack throughput (samples × iterations per second)
 * against the same attack in PyTorch 1.13 CPU, in the same run.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The seed's model (F 19, H 128, n_fc 16, C 2, Tanh/Tanh) in logits mode and the
 * seed's attack (preset seed: matrix 1-norm, threshold λ; κ, λ and SGD lr of
 * SPEC.md §7.6), batches of 64 and 128 full-length (48-hour) sequences. One
 * iteration = forward, loss and first/best bookkeeping, input gradient, SGD
 * step, soft threshold and clamp (pb_attacker_step). PyTorch runs
 * bench/bench_attack_torch.py twice: packed (as the reference code) and
 * full-length (nn.LSTM's fast path).
 *
 *   bench-attack [--iterations N] [--threads N] [--torch-threads N] [--no-torch]
 *
 * Both wall-clock and per-CPU-second rates are printed: on a shared, loaded
 * machine only the CPU-second figures compare (run both sides with one thread).
 */

#include "config.h"

#include <glib.h>
#include <stdio.h>
#include <time.h>

#include "pb-attack.h"
#include "pb-rng.h"

#define T_MAX 48
#define N_FEATURES 19

typedef struct
{
  double wall;   /* samples · iterations per second */
  double cpu;    /* … per CPU-second of the process */
} Rate;

static double
cpu_seconds (void)
{
  struct timespec ts;

  clock_gettime (CLOCK_PROCESS_CPUTIME_ID, &ts);
  return ts.tv_sec + ts.tv_nsec / 1e9;
}

static Rate
bench_ours (guint batch,
            guint iterations,
            guint n_threads)
{
  Rate rate;
  double c0;
  g_autoptr(GError) error = NULL;
  g_autoptr(PbModel) model = NULL;
  g_autoptr(PbAttacker) attacker = NULL;
  g_autofree float *x = g_new (float, (gsize) batch * T_MAX * N_FEATURES);
  g_autofree guint *lengths = g_new (guint, batch);
  g_autofree gint *labels = g_new (gint, batch);
  PbModelConfig config;
  PbAttackParams params;
  const float *z;
  PbRng rng;
  gint64 t0;

  pb_model_config_init (&config);
  config.n_features = N_FEATURES;
  config.n_hidden = 128;
  config.n_fc = 16;
  config.n_classes = 2;
  config.act_lstm = PB_ACTIVATION_TANH;
  config.act_fc = PB_ACTIVATION_TANH;
  config.dropout = 0.0;
  config.protocol = PB_PROTOCOL_SEED;
  model = pb_model_new (&config, &error);
  g_assert_no_error (error);
  pb_model_set_n_threads (model, n_threads);
  pb_rng_init (&rng, 1);
  pb_model_init_params (model, &rng);

  for (gsize k = 0; k < (gsize) batch * T_MAX * N_FEATURES; k++)
    x[k] = pb_rng_uniform (&rng);
  for (guint b = 0; b < batch; b++)
    lengths[b] = T_MAX;
  pb_model_forward (model, PB_MODEL_MODE_LOGITS, x, lengths, batch, T_MAX, NULL, &error);
  g_assert_no_error (error);
  z = pb_model_get_logits (model);
  for (guint b = 0; b < batch; b++)
    labels[b] = z[2 * b + 1] > z[2 * b];

  pb_attack_params_init (&params);
  params.preset = PB_PROTOCOL_SEED;
  params.batch_size = batch;
  params.iterations = iterations + 3;
  attacker = pb_attacker_new (model, &params, &error);
  g_assert_no_error (error);
  pb_attacker_begin (attacker, x, lengths, labels, batch, T_MAX, &error);
  g_assert_no_error (error);
  for (guint i = 0; i < 3; i++)
    pb_attacker_step (attacker, &error);  /* warm-up */
  g_assert_no_error (error);

  t0 = g_get_monotonic_time ();
  c0 = cpu_seconds ();
  for (guint i = 0; i < iterations; i++)
    pb_attacker_step (attacker, &error);
  g_assert_no_error (error);
  rate.cpu = (double) batch * iterations / (cpu_seconds () - c0);
  rate.wall = (double) batch * iterations / ((g_get_monotonic_time () - t0) / 1e6);
  return rate;
}

static char *
find_script (const char *argv0)
{
  g_autofree char *exe_dir = g_path_get_dirname (argv0);
  char *candidates[] = {
    g_build_filename ("bench", "bench_attack_torch.py", NULL),
    g_build_filename (exe_dir, "..", "..", "bench", "bench_attack_torch.py", NULL),
  };
  char *found = NULL;

  for (guint i = 0; i < G_N_ELEMENTS (candidates); i++)
    {
      if (found == NULL && g_file_test (candidates[i], G_FILE_TEST_IS_REGULAR))
        found = g_strdup (candidates[i]);
      g_free (candidates[i]);
    }
  return found;
}

/* "<mode> <batch>" → Rate */
static GHashTable *
bench_torch (const char  *script,
             const guint *batches,
             guint        n_batches,
             guint        iterations,
             guint        torch_threads)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) argv = g_ptr_array_new_with_free_func (g_free);
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_autofree char *omp = g_strdup_printf ("%u", torch_threads);
  g_auto(GStrv) envp = g_get_environ ();
  g_auto(GStrv) lines = NULL;
  GHashTable *results = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  int status = 0;

  g_ptr_array_add (argv, g_strdup ("/usr/bin/python3"));
  g_ptr_array_add (argv, g_strdup (script));
  g_ptr_array_add (argv, g_strdup_printf ("--iterations=%u", iterations));
  g_ptr_array_add (argv, g_strdup_printf ("--threads=%u", torch_threads));
  for (guint i = 0; i < n_batches; i++)
    g_ptr_array_add (argv, g_strdup_printf ("%u", batches[i]));
  g_ptr_array_add (argv, NULL);

  /* torch's own threads over a single-threaded OpenBLAS, as the issue measured */
  envp = g_environ_setenv (envp, "OPENBLAS_NUM_THREADS", "1", TRUE);
  envp = g_environ_setenv (envp, "OMP_NUM_THREADS", omp, TRUE);
  if (!g_spawn_sync (NULL, (char **) argv->pdata, envp, G_SPAWN_DEFAULT, NULL, NULL,
                     &out, &err, &status, &error) ||
      !g_spawn_check_wait_status (status, &error))
    {
      g_printerr ("PyTorch reference failed: %s\n%s", error->message, err != NULL ? err : "");
      return results;
    }

  lines = g_strsplit (out, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    {
      g_auto(GStrv) f = g_strsplit (lines[i], " ", 4);

      if (g_strv_length (f) == 4)
        {
          Rate *v = g_new (Rate, 1);

          v->wall = g_ascii_strtod (f[2], NULL);
          v->cpu = g_ascii_strtod (f[3], NULL);
          g_hash_table_insert (results, g_strdup_printf ("%s %s", f[0], f[1]), v);
        }
    }
  return results;
}

int
main (int   argc,
      char *argv[])
{
  static const guint batches[] = { 64, 128 };
  gboolean no_torch = FALSE;
  int iterations = 30, n_threads = 0, torch_threads = 2;
  GOptionEntry entries[] = {
    { "iterations", 0, 0, G_OPTION_ARG_INT, &iterations, "Timed iterations per batch size (30)", "N" },
    { "threads", 0, 0, G_OPTION_ARG_INT, &n_threads, "Engine threads (0: one per processor)", "N" },
    { "torch-threads", 0, 0, G_OPTION_ARG_INT, &torch_threads, "PyTorch threads (2)", "N" },
    { "no-torch", 0, 0, G_OPTION_ARG_NONE, &no_torch, "Skip the PyTorch reference", NULL },
    { NULL }
  };
  g_autoptr(GOptionContext) context = g_option_context_new ("— attack throughput vs PyTorch");
  g_autoptr(GError) error = NULL;
  g_autoptr(GHashTable) torch = NULL;
  g_autofree char *script = NULL;
  Rate ours[G_N_ELEMENTS (batches)];

  g_option_context_add_main_entries (context, entries, NULL);
  if (!g_option_context_parse (context, &argc, &argv, &error) || iterations < 1)
    {
      g_printerr ("%s\n", error != NULL ? error->message : "--iterations must be positive");
      return 2;
    }

  g_print ("Sparse L1 attack, seed preset, F 19, H 128, n_fc 16, T 48 (full length), "
           "SGD, %d iterations; figures in samples × iterations / s\n", iterations);
  for (guint i = 0; i < G_N_ELEMENTS (batches); i++)
    {
      ours[i] = bench_ours (batches[i], iterations, (guint) MAX (n_threads, 0));
      g_print ("perturb  batch %3u: %8.1f per s, %8.1f per CPU-s\n", batches[i], ours[i].wall,
               ours[i].cpu);
    }

  if (no_torch)
    return 0;
  script = find_script (argv[0]);
  if (script == NULL)
    {
      g_printerr ("bench_attack_torch.py not found: run from the source root\n");
      return 1;
    }
  torch = bench_torch (script, batches, G_N_ELEMENTS (batches), iterations, torch_threads);
  for (guint i = 0; i < G_N_ELEMENTS (batches); i++)
    {
      g_autofree char *kp = g_strdup_printf ("packed %u", batches[i]);
      g_autofree char *kf = g_strdup_printf ("full %u", batches[i]);
      const Rate *packed = g_hash_table_lookup (torch, kp);
      const Rate *full = g_hash_table_lookup (torch, kf);

      if (packed == NULL || full == NULL)
        continue;
      g_print ("torch    batch %3u: packed %8.1f per s, %8.1f per CPU-s; full-length %8.1f per s, "
               "%8.1f per CPU-s\n", batches[i], packed->wall, packed->cpu, full->wall, full->cpu);
      g_print ("ratio    batch %3u: perturb / torch packed %.2f (wall) %.2f (CPU); "
               "/ torch full-length %.2f (wall) %.2f (CPU)\n", batches[i],
               ours[i].wall / packed->wall, ours[i].cpu / packed->cpu,
               ours[i].wall / full->wall, ours[i].cpu / full->cpu);
    }
  return 0;
}
