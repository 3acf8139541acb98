/* pb-backend-cpu.c — the CPU backend: OpenBLAS sgemm for the products, fused
 * loops for the gates. The reference every other backend is tested against.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "pb-backend-private.h"

#include <cblas.h>
#include <math.h>
#include <string.h>

/* S = steps, N = packed rows, I = input features, H = hidden units (pb-backend.h).
 * Gate order i, f, g, o. */

#define PB_CPU_MAX_DIRS 2

typedef struct
{
  float *data;
  gsize  n;
} Scratch;

typedef struct
{
  PbBackend parent;
  Scratch   scratch[PB_CPU_MAX_DIRS];
} PbBackendCpu;

static float *
scratch_ensure (Scratch *scratch,
                gsize    n)
{
  if (scratch->n < n)
    {
      g_free (scratch->data);
      scratch->data = g_new (float, n);
      scratch->n = n;
    }

  return scratch->data;
}

static inline float
sigmoidf (float x)
{
  return 1.0f / (1.0f + expf (-x));
}

static void
gemm (gboolean     trans_a,
      gboolean     trans_b,
      guint        m,
      guint        n,
      guint        k,
      float        alpha,
      const float *a,
      guint        lda,
      const float *b,
      guint        ldb,
      float        beta,
      float       *c,
      guint        ldc)
{
  if (m == 0 || n == 0)
    return;

  if (k == 0)
    {
      for (guint i = 0; i < m; i++)
        for (guint j = 0; j < n; j++)
          c[(gsize) i * ldc + j] = beta == 0.0f ? 0.0f : beta * c[(gsize) i * ldc + j];
      return;
    }

  cblas_sgemm (CblasRowMajor,
               trans_a ? CblasTrans : CblasNoTrans,
               trans_b ? CblasTrans : CblasNoTrans,
               (int) m, (int) n, (int) k,
               alpha, a, (int) lda, b, (int) ldb,
               beta, c, (int) ldc);
}

/* One direction forward.
 *   gates (N, 4H) = x (N, I) · w_ihᵀ + b_ih + b_hh        one GEMM over all steps
 *   per step s:   gates[s] += h[s−1] (bs, H) · w_hhᵀ       bs = batch_sizes[s]
 *                 i, f, g, o, c, h                        fused loop */
static void
lstm_forward_dir (const PbLstmArgs *a)
{
  const guint H = a->n_hidden;
  const guint G = 4 * H;

  for (guint r = 0; r < a->n_rows; r++)
    {
      float *g = a->gates + (gsize) r * G;

      for (guint k = 0; k < G; k++)
        g[k] = a->b_ih[k] + a->b_hh[k];
    }

  gemm (FALSE, TRUE, a->n_rows, G, a->n_input,
        1.0f, a->x, a->n_input, a->w_ih, a->n_input,
        1.0f, a->gates, G);

  for (guint s = 0; s < a->n_steps; s++)
    {
      const guint bs = a->batch_sizes[s];
      const gsize off = a->offsets[s];
      const float *c_prev = s > 0 ? a->c + (gsize) a->offsets[s - 1] * H : NULL;

      if (s > 0)
        gemm (FALSE, TRUE, bs, G, H,
              1.0f, a->h + (gsize) a->offsets[s - 1] * H, H, a->w_hh, H,
              1.0f, a->gates + off * G, G);

      for (guint j = 0; j < bs; j++)
        {
          float *gi = a->gates + (off + j) * G;
          float *gf = gi + H;
          float *gg = gi + 2 * H;
          float *go = gi + 3 * H;
          float *c = a->c + (off + j) * H;
          float *h = a->h + (off + j) * H;
          const float *cp = c_prev != NULL ? c_prev + (gsize) j * H : NULL;

          for (guint k = 0; k < H; k++)
            {
              float i = sigmoidf (gi[k]);
              float f = sigmoidf (gf[k]);
              float g = tanhf (gg[k]);
              float o = sigmoidf (go[k]);
              float cn = i * g;

              if (cp != NULL)
                cn += f * cp[k];

              gi[k] = i;
              gf[k] = f;
              gg[k] = g;
              go[k] = o;
              c[k] = cn;
              h[k] = o * tanhf (cn);
            }
        }
    }
}

/* One direction, backward through time (engine-notes §4.1).
 *   dc (bs0, H) scratch; per step s from the last:
 *     dgates[s] from dh[s], dc, gates, c      fused loop
 *     dh[s−1] += dgates[s] (bs, 4H) · w_hh (4H, H)
 *   dx (N, I) = dgates (N, 4H) · w_ih (4H, I) one GEMM */
static void
lstm_backward_data_dir (const PbLstmArgs *a,
                        Scratch          *scratch)
{
  const guint H = a->n_hidden;
  const guint G = 4 * H;
  float *dc;

  if (a->n_steps == 0)
    return;

  dc = scratch_ensure (scratch, (gsize) a->batch_sizes[0] * H);

  for (guint s = a->n_steps; s-- > 0;)
    {
      const guint bs = a->batch_sizes[s];
      const guint bs_next = s + 1 < a->n_steps ? a->batch_sizes[s + 1] : 0;
      const gsize off = a->offsets[s];
      const float *c_prev = s > 0 ? a->c + (gsize) a->offsets[s - 1] * H : NULL;

      /* sequences whose last step is s start with no cell gradient */
      memset (dc + (gsize) bs_next * H, 0, sizeof (float) * (gsize) (bs - bs_next) * H);

      for (guint j = 0; j < bs; j++)
        {
          const float *gi = a->gates + (off + j) * G;
          const float *gf = gi + H;
          const float *gg = gi + 2 * H;
          const float *go = gi + 3 * H;
          const float *c = a->c + (off + j) * H;
          const float *dh = a->dh + (off + j) * H;
          const float *cp = c_prev != NULL ? c_prev + (gsize) j * H : NULL;
          float *dgi = a->dgates + (off + j) * G;
          float *dgf = dgi + H;
          float *dgg = dgi + 2 * H;
          float *dgo = dgi + 3 * H;
          float *dcj = dc + (gsize) j * H;

          for (guint k = 0; k < H; k++)
            {
              float i = gi[k];
              float f = gf[k];
              float g = gg[k];
              float o = go[k];
              float tc = tanhf (c[k]);
              float dck = dcj[k] + dh[k] * o * (1.0f - tc * tc);

              dgo[k] = dh[k] * tc * o * (1.0f - o);
              dgi[k] = dck * g * i * (1.0f - i);
              dgg[k] = dck * i * (1.0f - g * g);
              dgf[k] = cp != NULL ? dck * cp[k] * f * (1.0f - f) : 0.0f;
              dcj[k] = dck * f;
            }
        }

      if (s > 0)
        gemm (FALSE, FALSE, bs, H, G,
              1.0f, a->dgates + off * G, G, a->w_hh, H,
              1.0f, a->dh + (gsize) a->offsets[s - 1] * H, H);
    }

  if (a->dx != NULL)
    gemm (FALSE, FALSE, a->n_rows, a->n_input, G,
          1.0f, a->dgates, G, a->w_ih, a->n_input,
          0.0f, a->dx, a->n_input);
}

/*   dw_ih (4H, I) += dgatesᵀ (4H, N) · x (N, I)
 *   dw_hh (4H, H) += dgates[1:]ᵀ · h_prev, h_prev = each row's state one step earlier
 *   db_ih, db_hh  += Σ rows of dgates */
static void
lstm_backward_weights_dir (const PbLstmArgs *a,
                           Scratch          *scratch)
{
  const guint H = a->n_hidden;
  const guint G = 4 * H;

  if (a->n_steps == 0)
    return;

  gemm (TRUE, FALSE, G, a->n_input, a->n_rows,
        1.0f, a->dgates, G, a->x, a->n_input,
        1.0f, a->dw_ih, a->n_input);

  if (a->n_steps > 1)
    {
      const gsize first = a->offsets[1];
      const gsize n_prev = a->n_rows - first;
      float *h_prev = scratch_ensure (scratch, n_prev * H);

      for (guint s = 1; s < a->n_steps; s++)
        memcpy (h_prev + (a->offsets[s] - first) * H,
                a->h + (gsize) a->offsets[s - 1] * H,
                sizeof (float) * (gsize) a->batch_sizes[s] * H);

      gemm (TRUE, FALSE, G, H, (guint) n_prev,
            1.0f, a->dgates + first * G, G, h_prev, H,
            1.0f, a->dw_hh, H);
    }

  for (guint r = 0; r < a->n_rows; r++)
    {
      const float *dg = a->dgates + (gsize) r * G;

      for (guint k = 0; k < G; k++)
        {
          a->db_ih[k] += dg[k];
          a->db_hh[k] += dg[k];
        }
    }
}

static const char *
pb_backend_cpu_get_name (PbBackend *backend)
{
  return "cpu";
}

static gboolean
pb_backend_cpu_lstm_forward (PbBackend        *backend,
                             const PbLstmArgs *args,
                             guint             n_dirs,
                             GError          **error)
{
  for (guint d = 0; d < n_dirs; d++)
    lstm_forward_dir (&args[d]);

  return TRUE;
}

static gboolean
pb_backend_cpu_lstm_backward_data (PbBackend        *backend,
                                   const PbLstmArgs *args,
                                   guint             n_dirs,
                                   GError          **error)
{
  PbBackendCpu *self = (PbBackendCpu *) backend;

  g_return_val_if_fail (n_dirs <= PB_CPU_MAX_DIRS, FALSE);

  for (guint d = 0; d < n_dirs; d++)
    lstm_backward_data_dir (&args[d], &self->scratch[d]);

  return TRUE;
}

static gboolean
pb_backend_cpu_lstm_backward_weights (PbBackend        *backend,
                                      const PbLstmArgs *args,
                                      guint             n_dirs,
                                      GError          **error)
{
  PbBackendCpu *self = (PbBackendCpu *) backend;

  g_return_val_if_fail (n_dirs <= PB_CPU_MAX_DIRS, FALSE);

  for (guint d = 0; d < n_dirs; d++)
    lstm_backward_weights_dir (&args[d], &self->scratch[d]);

  return TRUE;
}

static void
pb_backend_cpu_gemm (PbBackend   *backend,
                     gboolean     trans_a,
                     gboolean     trans_b,
                     guint        m,
                     guint        n,
                     guint        k,
                     float        alpha,
                     const float *a,
                     guint        lda,
                     const float *b,
                     guint        ldb,
                     float        beta,
                     float       *c,
                     guint        ldc)
{
  gemm (trans_a, trans_b, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
}

static void
pb_backend_cpu_add_bias (PbBackend   *backend,
                         float       *y,
                         const float *x,
                         const float *bias,
                         guint        rows,
                         guint        n)
{
  for (guint r = 0; r < rows; r++)
    for (guint k = 0; k < n; k++)
      y[(gsize) r * n + k] = x[(gsize) r * n + k] + bias[k];
}

static void
pb_backend_cpu_sum_rows (PbBackend   *backend,
                         float       *dbias,
                         const float *dy,
                         guint        rows,
                         guint        n)
{
  for (guint r = 0; r < rows; r++)
    for (guint k = 0; k < n; k++)
      dbias[k] += dy[(gsize) r * n + k];
}

static void
pb_backend_cpu_activation_forward (PbBackend    *backend,
                                   PbActivation  act,
                                   float        *y,
                                   const float  *x,
                                   gsize         n)
{
  switch (act)
    {
    case PB_ACTIVATION_RELU:
      for (gsize i = 0; i < n; i++)
        y[i] = x[i] > 0.0f ? x[i] : 0.0f;
      break;

    case PB_ACTIVATION_TANH:
      for (gsize i = 0; i < n; i++)
        y[i] = tanhf (x[i]);
      break;

    default:
      g_assert_not_reached ();
    }
}

static void
pb_backend_cpu_activation_backward (PbBackend    *backend,
                                    PbActivation  act,
                                    float        *dx,
                                    const float  *dy,
                                    const float  *y,
                                    gsize         n)
{
  switch (act)
    {
    case PB_ACTIVATION_RELU:
      for (gsize i = 0; i < n; i++)
        dx[i] = y[i] > 0.0f ? dy[i] : 0.0f;
      break;

    case PB_ACTIVATION_TANH:
      for (gsize i = 0; i < n; i++)
        dx[i] = dy[i] * (1.0f - y[i] * y[i]);
      break;

    default:
      g_assert_not_reached ();
    }
}

static void
pb_backend_cpu_free (PbBackend *backend)
{
  PbBackendCpu *self = (PbBackendCpu *) backend;

  for (guint d = 0; d < PB_CPU_MAX_DIRS; d++)
    g_free (self->scratch[d].data);
  g_free (self);
}

static const PbBackendVTable pb_backend_cpu_vtable = {
  .get_name              = pb_backend_cpu_get_name,
  .lstm_forward          = pb_backend_cpu_lstm_forward,
  .lstm_backward_data    = pb_backend_cpu_lstm_backward_data,
  .lstm_backward_weights = pb_backend_cpu_lstm_backward_weights,
  .gemm                  = pb_backend_cpu_gemm,
  .add_bias              = pb_backend_cpu_add_bias,
  .sum_rows              = pb_backend_cpu_sum_rows,
  .activation_forward    = pb_backend_cpu_activation_forward,
  .activation_backward   = pb_backend_cpu_activation_backward,
  .free                  = pb_backend_cpu_free,
};

PbBackend *
_pb_backend_cpu_new (void)
{
  PbBackendCpu *self = g_new0 (PbBackendCpu, 1);

  self->parent.vtable = &pb_backend_cpu_vtable;
  self->parent.kind = PB_BACKEND_KIND_CPU;

  return &self->parent;
}
