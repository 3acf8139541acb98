/* test-backend-cuda.c — the cuda backend against the cpu oracle (logits, loss,
 * every gradient, input gradients, three optimiser steps, GEMM), and backend
 * selection when no GPU is present.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib.h>
#include <glib/gstdio.h>
#include <math.h>
#include <sys/wait.h>
#include <string.h>

#include "pb-backend.h"
#include "pb-error.h"
#include "pb-model.h"
#include "pb-optim.h"
#include "pb-rng.h"

/* Parity tolerance: the largest |cuda − cpu| of a tensor, relative to the
 * largest |cpu| value of that tensor. Both sides are float32 with FMA math
 * (no TF32); the only differences are summation orders inside cuDNN's and
 * OpenBLAS's products, a few ulps per operation over ≤ 7 recurrent steps. */
#define MAX_REL_ERR 1e-4

/* Odd sizes so that no dimension is a multiple of a vector width. */
#define TB 5
#define TT 7
#define TF 3

static const guint lengths[TB] = { 7, 2, 5, 1, 7 };
static const gint labels[TB] = { 1, 0, 1, 1, 0 };

/* PB_TEST_PARITY_SELF=1 runs the parity cases with a second cpu backend in
 * place of cuda: a check of this harness on a machine without a GPU. */
static gboolean
parity_self_check (void)
{
  return g_strcmp0 (g_getenv ("PB_TEST_PARITY_SELF"), "1") == 0;
}

static PbBackend *
new_device_backend (void)
{
  g_autoptr(GError) error = NULL;
  PbBackend *backend;

  backend = pb_backend_new (parity_self_check () ? PB_BACKEND_KIND_CPU : PB_BACKEND_KIND_CUDA,
                            &error);
  g_assert_no_error (error);

  return backend;
}

/* Skips the current test unless a CUDA device answers. */
static gboolean
require_cuda (void)
{
  g_autoptr(GError) error = NULL;

  if (parity_self_check ())
    return TRUE;
  if (pb_backend_kind_is_available (PB_BACKEND_KIND_CUDA, &error))
    return TRUE;

  if (g_str_has_prefix (error->message, "no CUDA device"))
    g_test_skip (error->message);
  else
    {
      g_autofree char *msg = g_strdup_printf ("no CUDA device: %s", error->message);

      g_test_skip (msg);
    }
  return FALSE;
}

static double
max_rel_err (const float *a,
             const float *ref,
             gsize        n)
{
  double scale = 0.0;
  double diff = 0.0;

  for (gsize i = 0; i < n; i++)
    {
      g_assert_true (isfinite (a[i]));
      scale = MAX (scale, fabs (ref[i]));
      diff = MAX (diff, fabs ((double) a[i] - ref[i]));
    }

  return scale > 0.0 ? diff / scale : diff;
}

static void
assert_close (const char  *what,
              const float *a,
              const float *ref,
              gsize        n)
{
  const double err = max_rel_err (a, ref, n);

  g_test_message ("%-32s n %6" G_GSIZE_FORMAT "  cuda %+.6e cpu %+.6e  max rel err %.2e",
                  what, n, n > 0 ? a[0] : 0.0f, n > 0 ? ref[0] : 0.0f, err);
  if (!(err <= MAX_REL_ERR))
    g_error ("%s: cuda and cpu differ by %.3e relative (> %.0e)", what, err, MAX_REL_ERR);
}

/* ---- without a GPU -------------------------------------------------------- */

static void
test_select_unavailable (void)
{
  g_autoptr(GError) probe_error = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(PbBackend) backend = NULL;
  g_autofree char *note = NULL;
  PbBackendKind kind = PB_BACKEND_KIND_CUDA;

  if (pb_backend_kind_is_available (PB_BACKEND_KIND_CUDA, &probe_error))
    {
      g_test_skip ("a CUDA device is present: the unavailable path cannot be tested");
      return;
    }
  g_assert_error (probe_error, PB_ENGINE_ERROR, PB_ENGINE_ERROR_UNSUPPORTED);
  g_test_message ("cuda unavailable: %s", probe_error->message);
  g_assert_true (strstr (probe_error->message, "CUDA") != NULL);

  /* cuda: a clear error, no backend. */
  backend = pb_backend_new (PB_BACKEND_KIND_CUDA, &error);
  g_assert_null (backend);
  g_assert_error (error, PB_ENGINE_ERROR, PB_ENGINE_ERROR_UNSUPPORTED);
  g_clear_error (&error);

  backend = pb_backend_new_by_name ("cuda", &note, &error);
  g_assert_null (backend);
  g_assert_null (note);
  g_assert_error (error, PB_ENGINE_ERROR, PB_ENGINE_ERROR_UNSUPPORTED);
  g_assert_true (g_str_has_prefix (error->message, "Backend cuda is unavailable: "));
  g_assert_true (strstr (error->message, probe_error->message) != NULL);
  g_clear_error (&error);

  /* auto: cpu, with a note saying why. */
  g_assert_true (pb_backend_resolve_name ("auto", &kind, &note, &error));
  g_assert_no_error (error);
  g_assert_cmpint (kind, ==, PB_BACKEND_KIND_CPU);
  g_assert_nonnull (note);
  g_assert_true (g_str_has_prefix (note, "Backend auto: using cpu ("));
  g_clear_pointer (&note, g_free);

  backend = pb_backend_new_by_name ("auto", &note, &error);
  g_assert_no_error (error);
  g_assert_nonnull (backend);
  g_assert_cmpint (pb_backend_get_kind (backend), ==, PB_BACKEND_KIND_CPU);
  g_assert_cmpstr (pb_backend_get_name (backend), ==, "cpu");
  g_assert_nonnull (note);
}

static void
test_select_names (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(PbBackend) backend = NULL;
  g_autofree char *note = NULL;
  PbBackendKind kind = PB_BACKEND_KIND_CUDA;

  backend = pb_backend_new_by_name ("cpu", &note, &error);
  g_assert_no_error (error);
  g_assert_null (note);
  g_assert_cmpstr (pb_backend_get_name (backend), ==, "cpu");

  g_assert_true (pb_backend_resolve_name (NULL, &kind, NULL, &error));
  g_assert_cmpint (kind, ==, PB_BACKEND_KIND_CPU);

  g_assert_false (pb_backend_resolve_name ("gpu", &kind, NULL, &error));
  g_assert_error (error, PB_ENGINE_ERROR, PB_ENGINE_ERROR_INVALID_ARGUMENT);
  g_assert_true (strstr (error->message, "“gpu”") != NULL);
  g_clear_error (&error);

  g_assert_cmpstr (pb_backend_kind_get_name (PB_BACKEND_KIND_CUDA), ==, "cuda");
  g_assert_true (pb_backend_kind_from_name ("cuda", &kind));
  g_assert_cmpint (kind, ==, PB_BACKEND_KIND_CUDA);
  g_assert_cmpint (pb_backend_get_default_kind (), ==, PB_BACKEND_KIND_CPU);
}

/* perturb train --backend cuda: exit 2 naming the reason; auto: a note, then
 * the command goes on on cpu (here to fail on the missing project). */
static void
test_select_cli (void)
{
  const char *cli = g_getenv ("PERTURB_CLI");
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = NULL;
  g_autofree char *project = NULL;

  if (cli == NULL)
    {
      g_test_skip ("PERTURB_CLI is not set");
      return;
    }
  if (pb_backend_kind_is_available (PB_BACKEND_KIND_CUDA, NULL))
    {
      g_test_skip ("a CUDA device is present: the unavailable path cannot be tested");
      return;
    }

  dir = g_dir_make_tmp ("pb-cuda-XXXXXX", &error);
  g_assert_no_error (error);
  project = g_build_filename (dir, "missing.perturb", NULL);

  for (guint i = 0; i < 2; i++)
    {
      const char *name = i == 0 ? "cuda" : "auto";
      const char *argv[] = { cli, "train", project, "--dataset", "d", "--backend", name, NULL };
      g_autofree char *out = NULL;
      g_autofree char *err = NULL;
      int status = 0;

      g_assert_true (g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_DEFAULT, NULL, NULL,
                                   &out, &err, &status, &error));
      g_assert_no_error (error);
      g_test_message ("--backend %s: %s", name, err);
      g_assert_true (WIFEXITED (status));
      if (i == 0)
        {
          g_assert_cmpint (WEXITSTATUS (status), ==, 2);
          g_assert_nonnull (strstr (err, "Backend cuda is unavailable: "));
        }
      else
        {
          g_assert_nonnull (strstr (err, "Backend auto: using cpu ("));
          g_assert_nonnull (strstr (err, "No project at"));
        }
    }

  g_assert_cmpint (g_rmdir (dir), ==, 0);
}

/* ---- with a GPU ----------------------------------------------------------- */

static void
test_gemm_parity (void)
{
  static const guint shapes[][3] = { { 5, 7, 11 }, { 13, 1, 3 }, { 128, 2, 2 }, { 1, 17, 64 } };
  g_autoptr(PbBackend) cpu = NULL;
  g_autoptr(PbBackend) cuda = NULL;
  g_autoptr(GError) error = NULL;
  PbRng rng;

  if (!require_cuda ())
    return;

  cpu = pb_backend_new (PB_BACKEND_KIND_CPU, &error);
  g_assert_no_error (error);
  cuda = new_device_backend ();
  pb_rng_init (&rng, 7);

  for (guint s = 0; s < G_N_ELEMENTS (shapes); s++)
    for (guint t = 0; t < 4; t++)
      {
        const guint m = shapes[s][0], n = shapes[s][1], k = shapes[s][2];
        const gboolean ta = t & 1, tb = (t >> 1) & 1;
        const guint lda = (ta ? m : k) + 1, ldb = (tb ? k : n) + 2, ldc = n + 3;
        g_autofree float *a = g_new (float, (ta ? k : m) * lda);
        g_autofree float *b = g_new (float, (tb ? n : k) * ldb);
        g_autofree float *c_cpu = g_new (float, m * ldc);
        g_autofree float *c_cuda = g_new (float, m * ldc);
        g_autofree char *what = g_strdup_printf ("gemm %ux%ux%u %c%c", m, n, k,
                                                 ta ? 'T' : 'N', tb ? 'T' : 'N');

        for (guint i = 0; i < (ta ? k : m) * lda; i++)
          a[i] = (float) pb_rng_uniform_range (&rng, -1, 1);
        for (guint i = 0; i < (tb ? n : k) * ldb; i++)
          b[i] = (float) pb_rng_uniform_range (&rng, -1, 1);
        for (guint i = 0; i < m * ldc; i++)
          c_cpu[i] = c_cuda[i] = (float) pb_rng_uniform_range (&rng, -1, 1);

        pb_backend_gemm (cpu, ta, tb, m, n, k, 0.5f, a, lda, b, ldb, 0.75f, c_cpu, ldc);
        pb_backend_gemm (cuda, ta, tb, m, n, k, 0.5f, a, lda, b, ldb, 0.75f, c_cuda, ldc);
        assert_close (what, c_cuda, c_cpu, m * ldc);
      }
}

typedef struct
{
  PbModel *model;
  float    dx[TB * TT * TF];
  double   loss;
} Side;

static void
run_step (Side        *side,
          PbModelMode  mode,
          const float *x,
          guint64      dropout_seed)
{
  g_autoptr(GError) error = NULL;
  double losses[TB];
  PbRng rng;

  pb_rng_init (&rng, dropout_seed);   /* same masks on both sides */
  g_assert_true (pb_model_forward (side->model, mode, x, lengths, TB, TT, &rng, &error));
  g_assert_no_error (error);
  g_assert_true (pb_model_loss (side->model, labels, losses, &side->loss, &error));
  g_assert_no_error (error);
  pb_model_zero_grad (side->model);
  g_assert_true (pb_model_backward (side->model, labels, side->dx, &error));
  g_assert_no_error (error);
}

static void
compare_sides (const Side *cuda,
               const Side *cpu,
               const char *stage)
{
  const guint C = pb_model_get_config (cpu->model)->n_classes;
  const PbModelTensor *tensors;
  guint n_tensors = 0;
  float loss_cuda = (float) cuda->loss, loss_cpu = (float) cpu->loss;
  g_autofree char *what = NULL;

  what = g_strdup_printf ("%s logits", stage);
  assert_close (what, pb_model_get_logits (cuda->model), pb_model_get_logits (cpu->model), TB * C);
  g_free (what);
  what = g_strdup_printf ("%s loss", stage);
  assert_close (what, &loss_cuda, &loss_cpu, 1);
  g_free (what);
  what = g_strdup_printf ("%s dx", stage);
  assert_close (what, cuda->dx, cpu->dx, TB * TT * TF);

  tensors = pb_model_get_tensors (cpu->model, &n_tensors);
  for (guint i = 0; i < n_tensors; i++)
    {
      g_free (what);
      what = g_strdup_printf ("%s d %s", stage, tensors[i].name);
      assert_close (what, pb_model_get_grads (cuda->model) + tensors[i].offset,
                    pb_model_get_grads (cpu->model) + tensors[i].offset, tensors[i].n);
    }
}

static void
test_model_parity (gconstpointer data)
{
  const PbModelConfig *config = data;
  g_autoptr(GError) error = NULL;
  g_autoptr(PbOptim) opt_cpu = NULL;
  g_autoptr(PbOptim) opt_cuda = NULL;
  PbOptimConfig opt_config;
  PbBackend *backend;
  Side cpu = { 0 }, cuda = { 0 };
  float x[TB * TT * TF];
  gsize n_params;
  PbRng rng;

  if (!require_cuda ())
    return;

  cpu.model = pb_model_new (config, &error);
  g_assert_no_error (error);
  cuda.model = pb_model_new (config, &error);
  g_assert_no_error (error);
  backend = new_device_backend ();
  pb_model_set_backend (cuda.model, backend);
  g_assert_cmpstr (pb_backend_get_name (pb_model_get_backend (cuda.model)), ==,
                   parity_self_check () ? "cpu" : "cuda");

  pb_rng_init (&rng, 42);
  pb_model_init_params (cpu.model, &rng);
  n_params = pb_model_get_n_params (cpu.model);
  for (gsize i = 0; i < n_params; i++)
    pb_model_get_params (cpu.model)[i] *= 2.0f;   /* every path carries signal */
  memcpy (pb_model_get_params (cuda.model), pb_model_get_params (cpu.model),
          sizeof (float) * n_params);

  for (guint i = 0; i < G_N_ELEMENTS (x); i++)
    x[i] = (float) pb_rng_uniform_range (&rng, -1.0, 1.0);
  for (guint b = 0; b < TB; b++)
    for (guint k = lengths[b] * TF; k < TT * TF; k++)
      x[b * TT * TF + k] = 0.0f;

  /* Evaluation and logits modes (attacks): forward and input gradients. */
  run_step (&cpu, PB_MODEL_MODE_LOGITS, x, 1);
  run_step (&cuda, PB_MODEL_MODE_LOGITS, x, 1);
  compare_sides (&cuda, &cpu, "logits-mode");

  /* Three training steps with Adam, each side on its own gradients. */
  pb_optim_config_init (&opt_config, PB_OPTIM_KIND_ADAM);
  opt_config.lr = 1e-2;
  opt_cpu = pb_optim_new (&opt_config, n_params, &error);
  g_assert_no_error (error);
  opt_cuda = pb_optim_new (&opt_config, n_params, &error);
  g_assert_no_error (error);

  for (guint step = 0; step < 3; step++)
    {
      g_autofree char *stage = g_strdup_printf ("train step %u", step + 1);

      run_step (&cpu, PB_MODEL_MODE_TRAIN, x, 100 + step);
      run_step (&cuda, PB_MODEL_MODE_TRAIN, x, 100 + step);
      compare_sides (&cuda, &cpu, stage);

      pb_optim_step (opt_cpu, pb_model_get_params (cpu.model), pb_model_get_grads (cpu.model));
      pb_optim_step (opt_cuda, pb_model_get_params (cuda.model), pb_model_get_grads (cuda.model));
      g_free (stage);
      stage = g_strdup_printf ("params after step %u", step + 1);
      assert_close (stage, pb_model_get_params (cuda.model), pb_model_get_params (cpu.model),
                    n_params);
    }

  pb_model_free (cpu.model);
  pb_model_free (cuda.model);
}

static PbModelConfig config_standard = {
  .n_features = TF, .n_hidden = 9, .n_fc = 5, .n_classes = 2,
  .act_lstm = PB_ACTIVATION_TANH, .act_fc = PB_ACTIVATION_RELU,
  .dropout = 0.3, .protocol = PB_PROTOCOL_STANDARD,
};

static PbModelConfig config_seed = {
  .n_features = TF, .n_hidden = 8, .n_fc = 4, .n_classes = 2,
  .act_lstm = PB_ACTIVATION_RELU, .act_fc = PB_ACTIVATION_TANH,
  .dropout = 0.0, .protocol = PB_PROTOCOL_SEED,
};

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/cuda/select/names", test_select_names);
  g_test_add_func ("/cuda/select/unavailable-falls-back-to-cpu", test_select_unavailable);
  g_test_add_func ("/cuda/select/cli", test_select_cli);
  g_test_add_func ("/cuda/parity/gemm", test_gemm_parity);
  g_test_add_data_func ("/cuda/parity/model/standard", &config_standard, test_model_parity);
  g_test_add_data_func ("/cuda/parity/model/seed", &config_seed, test_model_parity);

  return g_test_run ();
}
