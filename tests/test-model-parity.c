/* test-model-parity.c — the CPU model against PyTorch 1.13 dumps, tensor by tensor.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Fixtures come from tests/tools/make-model-reference.py (its header documents the
 * format). Tolerance: |ours − torch| ≤ 1e-6 + 1e-5·|torch| per element. Both sides
 * are float32 with the same operation order up to GEMM blocking and libm, so the
 * difference is a few ulps per step (≈1e-7 relative) compounded over ≤ 8 steps;
 * 1e-5 relative leaves two orders of margin while still catching any wrong gate,
 * step or index, and the 1e-6 floor covers gradients that cancel to near zero.
 */

#include "config.h"

#include <glib.h>
#include <math.h>
#include <string.h>

#include "pb-error.h"
#include "pb-model.h"

#include "pb-test-reference.h"

#define REF_MAGIC   0x314d4250
#define REF_VERSION 1
#define REGENERATE  "regenerate with: /usr/bin/python3 tests/tools/make-model-reference.py tests/data"

typedef struct
{
  PbModelConfig config;
  guint   B;
  guint   T;
  gsize   n_params;
  guint   n_tensors;
  gint32  sizes[16];
  float  *params;
  guint  *lengths;
  gint   *labels;
  float  *x;
  float  *logits;
  float  *probs;
  double  loss;
  float  *grads;
  float  *dx;
  float  *up;
  float  *dx_up;
  float  *grads_up;
  gchar  *contents;
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
  gint32 header[16];

  ref->contents = pb_test_reader_open (&r, name, &path);
  memcpy (header, pb_test_reader_take (&r, sizeof header), sizeof header);
  if (header[0] != REF_MAGIC || header[1] != REF_VERSION || header[12] != 12)
    g_error ("%s: header (magic %#x, version %d, %d tensors) is not what this test reads; "
             REGENERATE, path, header[0], header[1], header[12]);

  pb_test_reference_model_config (&ref->config, header, 0.25);
  ref->B = header[9];
  ref->T = header[10];
  ref->n_params = header[11];
  ref->n_tensors = header[12];
  memcpy (ref->sizes, pb_test_reader_take (&r, sizeof (gint32) * ref->n_tensors),
          sizeof (gint32) * ref->n_tensors);

  /* the data is 4-byte aligned after the header: point into the contents */
  ref->params = pb_test_reader_take (&r, sizeof (float) * ref->n_params);
  ref->lengths = pb_test_reader_take_lengths (&r, ref->B);
  ref->labels = pb_test_reader_take_labels (&r, ref->B);
  ref->x = pb_test_reader_take (&r, sizeof (float) * ref->B * ref->T * ref->config.n_features);
  ref->logits = pb_test_reader_take (&r, sizeof (float) * ref->B * ref->config.n_classes);
  ref->probs = pb_test_reader_take (&r, sizeof (float) * ref->B * ref->config.n_classes);
  memcpy (&ref->loss, pb_test_reader_take (&r, sizeof (double)), sizeof (double));
  ref->grads = pb_test_reader_take (&r, sizeof (float) * ref->n_params);
  ref->dx = pb_test_reader_take (&r, sizeof (float) * ref->B * ref->T * ref->config.n_features);
  ref->up = pb_test_reader_take (&r, sizeof (float) * ref->B * ref->config.n_classes);
  ref->dx_up = pb_test_reader_take (&r, sizeof (float) * ref->B * ref->T * ref->config.n_features);
  ref->grads_up = pb_test_reader_take (&r, sizeof (float) * ref->n_params);
  g_assert_cmpuint (r.pos, ==, r.len);

  return ref;
}

/* Prints the first pairs and maxdiff; returns whether every element is within
 * 1e-6 + 1e-5·|ref|. */
static gboolean
check_tensor (const char  *label,
              const float *ours,
              const float *ref,
              gsize        n)
{
  double maxdiff = 0.0;
  double worst = 0.0;
  gboolean ok = TRUE;

  for (gsize i = 0; i < n; i++)
    {
      double diff = fabs ((double) ours[i] - ref[i]);
      double allowed = 1e-6 + 1e-5 * fabs (ref[i]);

      maxdiff = MAX (maxdiff, diff);
      worst = MAX (worst, diff / allowed);
      if (!(diff <= allowed))
        ok = FALSE;
    }

  g_test_message ("%-30s n=%-5" G_GSIZE_FORMAT " maxdiff %.3e (%.2f of allowed) %s"
                  "  [%.7g vs %.7g]", label, n, maxdiff, worst, ok ? "ok" : "MISMATCH",
                  n > 0 ? ours[0] : 0.0, n > 0 ? ref[0] : 0.0);
  return ok;
}

static gboolean
check_grads (PbModel     *model,
             const char  *what,
             const float *ref)
{
  const PbModelTensor *tensors;
  const float *grads = pb_model_get_grads (model);
  guint n_tensors;
  gboolean ok = TRUE;

  tensors = pb_model_get_tensors (model, &n_tensors);
  for (guint i = 0; i < n_tensors; i++)
    {
      g_autofree char *label = g_strdup_printf ("%s %s", what, tensors[i].name);

      ok &= check_tensor (label, grads + tensors[i].offset, ref + tensors[i].offset, tensors[i].n);
    }

  return ok;
}

static void
test_parity (gconstpointer data)
{
  const char *name = data;
  g_autoptr(Reference) ref = reference_load (name);
  g_autoptr(PbModel) model = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree float *dx = NULL;
  const PbModelTensor *tensors;
  const guint C = ref->config.n_classes;
  const gsize n_x = (gsize) ref->B * ref->T * ref->config.n_features;
  guint n_tensors;
  double loss = 0.0;
  gboolean ok = TRUE;

  model = pb_model_new (&ref->config, &error);
  g_assert_no_error (error);

  /* the tensor table must carve the array exactly as torch's state_dict does */
  g_assert_cmpuint (pb_model_get_n_params (model), ==, ref->n_params);
  tensors = pb_model_get_tensors (model, &n_tensors);
  g_assert_cmpuint (n_tensors, ==, ref->n_tensors);
  for (guint i = 0; i < n_tensors; i++)
    g_assert_cmpuint (tensors[i].n, ==, (gsize) ref->sizes[i]);
  memcpy (pb_model_get_params (model), ref->params, sizeof (float) * ref->n_params);

  /* loss and its gradients (eval mode: dropout off on both sides) */
  g_assert_true (pb_model_forward (model, PB_MODEL_MODE_EVAL, ref->x, ref->lengths,
                                   ref->B, ref->T, NULL, &error));
  g_assert_no_error (error);
  ok &= check_tensor ("logits", pb_model_get_logits (model), ref->logits, ref->B * C);
  ok &= check_tensor ("probs", pb_model_get_output (model), ref->probs, ref->B * C);
  g_assert_true (pb_model_loss (model, ref->labels, NULL, &loss, &error));
  g_assert_no_error (error);
  g_test_message ("loss %.9f vs %.9f", loss, ref->loss);
  g_assert_cmpfloat_with_epsilon (loss, ref->loss, 1e-6 + 1e-5 * fabs (ref->loss));

  dx = g_new (float, n_x);
  pb_model_zero_grad (model);
  g_assert_true (pb_model_backward (model, ref->labels, dx, &error));
  g_assert_no_error (error);
  ok &= check_grads (model, "dloss/d", ref->grads);
  ok &= check_tensor ("dloss/dx", dx, ref->dx, n_x);

  /* an arbitrary upstream gradient on the logits (what attacks do) */
  g_assert_true (pb_model_forward (model, PB_MODEL_MODE_LOGITS, ref->x, ref->lengths,
                                   ref->B, ref->T, NULL, &error));
  g_assert_no_error (error);
  ok &= check_tensor ("logits-mode output", pb_model_get_output (model), ref->logits, ref->B * C);
  pb_model_zero_grad (model);
  g_assert_true (pb_model_backward_from_logits (model, ref->up, TRUE, dx, &error));
  g_assert_no_error (error);
  ok &= check_grads (model, "d(up*z)/d", ref->grads_up);
  ok &= check_tensor ("d(up*z)/dx", dx, ref->dx_up, n_x);

  if (!ok)
    g_test_fail_printf ("%s: some tensors differ from PyTorch beyond 1e-6 + 1e-5*|ref| "
                        "(see the messages above)", name);
}

int
main (int   argc,
      char *argv[])
{
  static const char *cases[] = {
    "model-relu-c2-standard.bin",
    "model-tanh-c2-seed.bin",
    "model-tanh-relu-c10-standard.bin",
    "model-relu-tanh-c10-seed.bin",
  };

  g_test_init (&argc, &argv, NULL);

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *path = g_strdup_printf ("/pb/model/parity/%s", cases[i]);

      g_test_add_data_func (path, cases[i], test_parity);
    }

  return g_test_run ();
}
