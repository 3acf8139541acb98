/* pb-backend-cpu.c — the CPU backend: on AVX-512 CPUs the LSTM runs on the step
 * kernels of pb-backend-cpu-avx512.c; otherwise (or with PB_CPU_KERNELS=0)
 * OpenBLAS sgemm for the products and fused loops for the gates. The reference
 * every other backend is tested against.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "pb-backend-cpu-private.h"

#include <cblas.h>
#include <math.h>
#include <string.h>

/* The gate loops must vectorise: GCC does so at -O3 once comparisons may not
 * trap (the clamps in fast_expf) and libm calls need not set errno. Nothing here
 * relies on either. The row kernels are also cloned for AVX2 and AVX-512 and
 * picked at load time, since the build targets baseline x86-64. */
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC optimize ("O3", "no-math-errno", "no-trapping-math")
#endif
#if defined(__GNUC__) && !defined(__clang__) && defined(__x86_64__) && !defined(__SANITIZE_ADDRESS__)
#define PB_CPU_CLONES __attribute__((target_clones ("avx512f", "avx2", "default")))
#else
#define PB_CPU_CLONES
#endif

/* S = steps, N = packed rows, I = input features, H = hidden units (pb-backend.h).
 * Gate order i, f, g, o.
 *
 * Threads: every call runs in phases, and each phase splits its work into parts
 * that run concurrently on the backend's persistent workers, one part each:
 *   rows      (input projection, dx): contiguous ranges of packed rows;
 *   sequences (the recurrences): contiguous ranges of the length-sorted
 *             sequences, which are contiguous rows at every step, so parts never
 *             share a row and need no synchronisation between steps;
 *   gates     (weight gradients): ranges of the 4H gate rows of dW and db, so no
 *             part reduces into another's output (with the kernels and one
 *             direction per part, each part takes its direction's gates).
 * The split depends only on the shapes and the thread count, never on timing:
 * results are deterministic. OpenBLAS runs single-threaded inside the parts. */

#define PB_CPU_MAX_DIRS 2
#define PB_CPU_MAX_THREADS 64
#define PB_CPU_MIN_ROWS_PER_PART 256   /* below this a part costs more than it saves */

typedef struct
{
  float *data;
  gsize  n;
} Scratch;

typedef struct
{
  PbBackend    parent;
  guint        n_threads;
  GThreadPool *pool;                         /* n_threads − 1 workers, or NULL */
  GMutex       mutex;
  GCond        done;
  guint        pending;                      /* parts still running on workers */
  Scratch      dc[PB_CPU_MAX_THREADS];       /* backward-data, per part */
  Scratch      bias[PB_CPU_MAX_DIRS];        /* (4H) b_ih + b_hh, per direction */
  Scratch      w_ih_t[PB_CPU_MAX_DIRS];      /* (I, 4H) w_ihᵀ: NN products pack faster */
  Scratch      w_hh_t[PB_CPU_MAX_DIRS];      /* (H, 4H) w_hhᵀ */
  gboolean     use_kernels;                  /* the AVX-512 step kernels */
  Scratch      packed_fwd[PB_CPU_MAX_DIRS];  /* their packed weights */
  Scratch      packed_bwd[PB_CPU_MAX_DIRS];
  Scratch      wgrad[PB_CPU_MAX_DIRS];       /* (I + H + 1, 4H) their transposed dW, db */
} PbBackendCpu;

static float *
scratch_ensure (Scratch *scratch,
                gsize    n)
{
  /* cache-line aligned: the kernels stream 64-byte rows of packed weights */
  if (scratch->n < n)
    {
      g_aligned_free (scratch->data);
      scratch->data = g_aligned_alloc (n, sizeof (float), 64);
      scratch->n = n;
    }

  return scratch->data;
}

/* ---- element-wise functions ------------------------------------------------
 * Cephes' single-precision expf and tanhf, written without calls or branches
 * so that the gate loops vectorise: ≤ 1.5e-7 relative error against the exact
 * functions over the whole float range (checked against float64 numpy on 2·10⁶
 * points), the same class as libm and torch's Sleef kernels. */

static inline float
fast_expf (float x)
{
  const float shifter = 12582912.0f;  /* 1.5·2²³: adding it rounds to an integer */
  float n, r, p;
  gint32 bits;
  float scale;

  x = x < -87.3f ? -87.3f : x > 88.3f ? 88.3f : x;
  n = (x * 1.44269504088896341f + shifter) - shifter;
  r = x - n * 0.693359375f;
  r = r - n * -2.12194440e-4f;
  p = 1.9875691500e-4f;
  p = p * r + 1.3981999507e-3f;
  p = p * r + 8.3334519073e-3f;
  p = p * r + 4.1665795894e-2f;
  p = p * r + 1.6666665459e-1f;
  p = p * r + 5.0000001201e-1f;
  p = p * (r * r) + r + 1.0f;
  bits = ((gint32) n + 127) << 23;
  memcpy (&scale, &bits, sizeof scale);

  return p * scale;
}

static inline float
fast_sigmoidf (float x)
{
  return 1.0f / (1.0f + fast_expf (-x));
}

static inline float
fast_tanhf (float x)
{
  float a = fabsf (x);
  float s = x * x;
  float small, large;

  /* |x| < 0.625: odd polynomial (no cancellation near 0); else 1 − 2/(e^2|x| + 1) */
  small = -5.70498872745e-3f;
  small = small * s + 2.06390887954e-2f;
  small = small * s - 5.37397155531e-2f;
  small = small * s + 1.33314422036e-1f;
  small = small * s - 3.33332819422e-1f;
  small = small * s * x + x;
  large = 1.0f - 2.0f / (fast_expf (2.0f * a) + 1.0f);
  large = copysignf (large, x);

  return a < 0.625f ? small : large;
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

/* ---- fused gate loops (one packed row, H units) ---------------------------- */

/* pre-activations in gates (+ bias) → activations; c = f ⊙ c_prev + i ⊙ g;
 * h = o ⊙ tanh (c) */
PB_CPU_CLONES static void
gates_forward_row (float       *restrict gates,   /* (4H) in/out */
                   float       *restrict c,       /* (H) out */
                   float       *restrict h,       /* (H) out */
                   const float *restrict c_prev,  /* (H) nullable: zeros */
                   const float *restrict bias,    /* (4H) b_ih + b_hh */
                   guint                 H)
{
  float *restrict gi = gates;
  float *restrict gf = gates + H;
  float *restrict gg = gates + 2 * H;
  float *restrict go = gates + 3 * H;

  for (guint k = 0; k < H; k++)
    {
      gi[k] = fast_sigmoidf (gi[k] + bias[k]);
      gf[k] = fast_sigmoidf (gf[k] + bias[H + k]);
      gg[k] = fast_tanhf (gg[k] + bias[2 * H + k]);
      go[k] = fast_sigmoidf (go[k] + bias[3 * H + k]);
    }

  if (c_prev != NULL)
    for (guint k = 0; k < H; k++)
      c[k] = gf[k] * c_prev[k] + gi[k] * gg[k];
  else
    for (guint k = 0; k < H; k++)
      c[k] = gi[k] * gg[k];

  for (guint k = 0; k < H; k++)
    h[k] = go[k] * fast_tanhf (c[k]);
}

/* engine-notes §4.1: dc += dh ⊙ o ⊙ (1 − tanh² c); do = dh ⊙ tanh c ⊙ o(1 − o);
 * di = dc ⊙ g ⊙ i(1 − i); dg = dc ⊙ i ⊙ (1 − g²); df = dc ⊙ c_prev ⊙ f(1 − f);
 * dc_prev = dc ⊙ f */
PB_CPU_CLONES static void
gates_backward_row (float       *restrict dgates, /* (4H) out */
                    float       *restrict dc,     /* (H) in: from step s+1, out: to step s−1 */
                    const float *restrict gates,  /* (4H) activations */
                    const float *restrict c,      /* (H) */
                    const float *restrict c_prev, /* (H) nullable: zeros */
                    const float *restrict dh,     /* (H) */
                    guint                 H)
{
  const float *restrict gi = gates;
  const float *restrict gf = gates + H;
  const float *restrict gg = gates + 2 * H;
  const float *restrict go = gates + 3 * H;
  float *restrict dgi = dgates;
  float *restrict dgf = dgates + H;
  float *restrict dgg = dgates + 2 * H;
  float *restrict dgo = dgates + 3 * H;

  for (guint k = 0; k < H; k++)
    {
      float i = gi[k];
      float f = gf[k];
      float g = gg[k];
      float o = go[k];
      float tc = fast_tanhf (c[k]);
      float dck = dc[k] + dh[k] * o * (1.0f - tc * tc);

      dgo[k] = dh[k] * tc * o * (1.0f - o);
      dgi[k] = dck * g * i * (1.0f - i);
      dgg[k] = dck * i * (1.0f - g * g);
      dgf[k] = dck * f * (1.0f - f);
      dc[k] = dck * f;
    }

  if (c_prev != NULL)
    for (guint k = 0; k < H; k++)
      dgf[k] *= c_prev[k];
  else
    for (guint k = 0; k < H; k++)
      dgf[k] = 0.0f;
}

/* ---- phases ------------------------------------------------------------------ */

typedef enum
{
  PHASE_INPUT_PROJECTION,   /* rows */
  PHASE_FORWARD,            /* sequences */
  PHASE_BACKWARD_DATA,      /* sequences */
  PHASE_BACKWARD_DX,        /* rows */
  PHASE_BACKWARD_WEIGHTS,   /* gates */
} Phase;

typedef struct
{
  PbBackendCpu     *self;
  const PbLstmArgs *args;
  guint             d0;        /* directions [d0, d1) */
  guint             d1;
  Phase             phase;
  guint             part;
  guint             n_parts;
  guint             j0;        /* sequences [j0, j1) of the phases that split them */
  guint             j1;
  gboolean          whole;     /* the part is a whole direction: it also runs the
                                * row phase next to it (input projection, dx) */
} Job;

/* rows of sequences [j0, j1) at step s */
static inline guint
part_rows (const PbLstmArgs *a,
           guint             s,
           guint             j0,
           guint             j1)
{
  guint bs = MIN (a->batch_sizes[s], j1);

  return bs > j0 ? bs - j0 : 0;
}

/* gates[r0:r1] (m, 4H) = x[r0:r1] (m, I) · w_ihᵀ     (the bias is added by the gate loop) */
static void
input_projection_part (const PbLstmArgs *a,
                       const float      *w_ih_t,
                       gsize             r0,
                       gsize             r1)
{
  const guint G = 4 * a->n_hidden;

  gemm (FALSE, FALSE, (guint) (r1 - r0), G, a->n_input,
        1.0f, a->x + r0 * a->n_input, a->n_input, w_ih_t, G,
        0.0f, a->gates + r0 * G, G);
}

/* One direction forward on sequences [j0, j1), after the input projection:
 *   per step s: gates[s] += h[s−1] (m, H) · w_hhᵀ;  i, f, g, o, c, h  fused loop */
static void
forward_part (const PbLstmArgs *a,
              const float      *bias,
              const float      *w_hh_t,
              guint             j0,
              guint             j1)
{
  const guint H = a->n_hidden;
  const guint G = 4 * H;

  for (guint s = 0; s < a->n_steps; s++)
    {
      const guint m = part_rows (a, s, j0, j1);
      const gsize row = (gsize) a->offsets[s] + j0;
      const gsize row_prev = s > 0 ? (gsize) a->offsets[s - 1] + j0 : 0;
      float *g = a->gates + row * G;

      if (m == 0)
        break;

      if (s > 0)
        gemm (FALSE, FALSE, m, G, H,
              1.0f, a->h + row_prev * H, H, w_hh_t, G,
              1.0f, g, G);

      for (guint j = 0; j < m; j++)
        gates_forward_row (g + (gsize) j * G,
                           a->c + (row + j) * H,
                           a->h + (row + j) * H,
                           s > 0 ? a->c + (row_prev + j) * H : NULL,
                           bias,
                           H);
    }
}

/* forward_part() on the AVX-512 step kernels: the input projection, bias,
 * recurrent product and gate loop of a step in one pass */
static void
forward_part_kernels (const PbLstmArgs *a,
                      const float      *packed,
                      guint             j0,
                      guint             j1)
{
  const guint F = a->n_input;     /* not I: cblas.h brings in <complex.h> */
  const guint H = a->n_hidden;
  const guint G = 4 * H;

  for (guint s = 0; s < a->n_steps; s++)
    {
      const guint m = part_rows (a, s, j0, j1);
      const gsize row = (gsize) a->offsets[s] + j0;
      const gsize row_prev = s > 0 ? (gsize) a->offsets[s - 1] + j0 : 0;

      if (m == 0)
        break;

      _pb_cpu_avx512_forward_step (packed, F, H, m, a->x + row * F,
                                   s > 0 ? a->h + row_prev * H : NULL,
                                   s > 0 ? a->c + row_prev * H : NULL,
                                   a->gates + row * G, a->c + row * H, a->h + row * H);
    }
}

/* One direction, backward through time on sequences [j0, j1):
 *   per step s from the last: dgates[s] from dh[s], dc, gates, c   fused loop
 *                             dh[s−1] += dgates[s] (m, 4H) · w_hh (4H, H) */
static void
backward_data_part (const PbLstmArgs *a,
                    guint             j0,
                    guint             j1,
                    Scratch          *scratch)
{
  const guint H = a->n_hidden;
  const guint G = 4 * H;
  float *dc;

  if (a->n_steps == 0 || j1 <= j0)
    return;

  dc = scratch_ensure (scratch, (gsize) (j1 - j0) * H);

  for (guint s = a->n_steps; s-- > 0;)
    {
      const guint m = part_rows (a, s, j0, j1);
      const guint m_next = s + 1 < a->n_steps ? part_rows (a, s + 1, j0, j1) : 0;
      const gsize row = (gsize) a->offsets[s] + j0;
      const gsize row_prev = s > 0 ? (gsize) a->offsets[s - 1] + j0 : 0;

      if (m == 0)
        continue;

      /* sequences whose last step is s start with no cell gradient */
      memset (dc + (gsize) m_next * H, 0, sizeof (float) * (gsize) (m - m_next) * H);

      for (guint j = 0; j < m; j++)
        gates_backward_row (a->dgates + (row + j) * G,
                            dc + (gsize) j * H,
                            a->gates + (row + j) * G,
                            a->c + (row + j) * H,
                            s > 0 ? a->c + (row_prev + j) * H : NULL,
                            a->dh + (row + j) * H,
                            H);

      if (s > 0)
        gemm (FALSE, FALSE, m, H, G,
              1.0f, a->dgates + row * G, G, a->w_hh, H,
              1.0f, a->dh + row_prev * H, H);
    }
}

/* backward_data_part() on the AVX-512 step kernels */
static void
backward_data_part_kernels (const PbLstmArgs *a,
                            const float      *packed,
                            guint             j0,
                            guint             j1,
                            Scratch          *scratch)
{
  const guint H = a->n_hidden;
  const guint G = 4 * H;
  float *dc;

  if (a->n_steps == 0 || j1 <= j0)
    return;

  dc = scratch_ensure (scratch, (gsize) (j1 - j0) * H);

  for (guint s = a->n_steps; s-- > 0;)
    {
      const guint m = part_rows (a, s, j0, j1);
      const guint m_next = s + 1 < a->n_steps ? part_rows (a, s + 1, j0, j1) : 0;
      const gsize row = (gsize) a->offsets[s] + j0;
      const gsize row_prev = s > 0 ? (gsize) a->offsets[s - 1] + j0 : 0;

      if (m == 0)
        continue;

      /* sequences whose last step is s start with no cell gradient */
      memset (dc + (gsize) m_next * H, 0, sizeof (float) * (gsize) (m - m_next) * H);

      _pb_cpu_avx512_backward_step (packed, H, m, a->gates + row * G, a->c + row * H,
                                    s > 0 ? a->c + row_prev * H : NULL,
                                    a->dh + row * H, dc, a->dgates + row * G,
                                    s > 0 ? a->dh + row_prev * H : NULL);
    }
}

/* dx[r0:r1] (m, I) = dgates[r0:r1] (m, 4H) · w_ih (4H, I) */
static void
backward_dx_part (const PbLstmArgs *a,
                  gsize             r0,
                  gsize             r1)
{
  const guint G = 4 * a->n_hidden;

  gemm (FALSE, FALSE, (guint) (r1 - r0), a->n_input, G,
        1.0f, a->dgates + r0 * G, G, a->w_ih, a->n_input,
        0.0f, a->dx + r0 * a->n_input, a->n_input);
}

/* Gate rows [g0, g1) of one direction's weight gradients:
 *   dw_ih (4H, I) += dgatesᵀ (4H, N) · x (N, I)
 *   dw_hh (4H, H) += Σ_s dgates[s]ᵀ (4H, bs) · h[s−1] (bs, H)   (no copy of h)
 *   db_ih, db_hh  += Σ rows of dgates */
static void
backward_weights_part (const PbLstmArgs *a,
                       guint             g0,
                       guint             g1)
{
  const guint H = a->n_hidden;
  const guint G = 4 * H;
  float db[64];

  if (a->n_steps == 0 || g1 <= g0)
    return;

  gemm (TRUE, FALSE, g1 - g0, a->n_input, a->n_rows,
        1.0f, a->dgates + g0, G, a->x, a->n_input,
        1.0f, a->dw_ih + (gsize) g0 * a->n_input, a->n_input);

  for (guint s = 1; s < a->n_steps; s++)
    gemm (TRUE, FALSE, g1 - g0, H, a->batch_sizes[s],
          1.0f, a->dgates + (gsize) a->offsets[s] * G + g0, G,
          a->h + (gsize) a->offsets[s - 1] * H, H,
          1.0f, a->dw_hh + (gsize) g0 * H, H);

  /* column sums, 64 gates at a time */
  for (guint k0 = g0; k0 < g1; k0 += G_N_ELEMENTS (db))
    {
      const guint n = MIN (g1 - k0, G_N_ELEMENTS (db));

      memset (db, 0, sizeof db);
      for (guint r = 0; r < a->n_rows; r++)
        {
          const float *dg = a->dgates + (gsize) r * G + k0;

          for (guint k = 0; k < n; k++)
            db[k] += dg[k];
        }
      for (guint k = 0; k < n; k++)
        {
          a->db_ih[k0 + k] += db[k];
          a->db_hh[k0 + k] += db[k];
        }
    }
}

/* backward_weights_part() on the AVX-512 kernel: one pass over the rows per
 * step for dw_ih, dw_hh and the biases, into the transposed acc_t, added to
 * the gradients at the end */
static void
backward_weights_part_kernels (const PbLstmArgs *a,
                               float            *acc_t,
                               guint             g0,
                               guint             g1)
{
  const guint F = a->n_input;
  const guint H = a->n_hidden;
  const guint G = 4 * H;

  if (a->n_steps == 0 || g1 <= g0)
    return;

  for (guint k = 0; k < F + H + 1; k++)
    memset (acc_t + (gsize) k * G + g0, 0, sizeof (float) * (g1 - g0));

  for (guint s = 0; s < a->n_steps; s++)
    {
      const gsize row = a->offsets[s];

      _pb_cpu_avx512_weights_step (F, H, a->batch_sizes[s], g0, g1,
                                   a->dgates + row * G, a->x + row * F,
                                   s > 0 ? a->h + (gsize) a->offsets[s - 1] * H : NULL,
                                   acc_t);
    }

  for (guint g = g0; g < g1; g++)
    {
      for (guint k = 0; k < F; k++)
        a->dw_ih[(gsize) g * F + k] += acc_t[(gsize) k * G + g];
      for (guint u = 0; u < H; u++)
        a->dw_hh[(gsize) g * H + u] += acc_t[(gsize) (F + u) * G + g];
      a->db_ih[g] += acc_t[(gsize) (F + H) * G + g];
      a->db_hh[g] += acc_t[(gsize) (F + H) * G + g];
    }
}

static void
run_job (Job *job)
{
  const guint p = job->part;
  const guint P = job->n_parts;

  for (guint d = job->d0; d < job->d1; d++)
    {
      const PbLstmArgs *a = &job->args[d];
      const gsize r0 = a->n_rows * (gsize) p / P;
      const gsize r1 = a->n_rows * (gsize) (p + 1) / P;
      const guint n_blocks = (4 * a->n_hidden + 15) / 16;   /* gates in blocks of 16 */
      const guint g0 = MIN (16 * (n_blocks * p / P), 4 * a->n_hidden);
      const guint g1 = MIN (16 * (n_blocks * (p + 1) / P), 4 * a->n_hidden);

      switch (job->phase)
        {
        case PHASE_INPUT_PROJECTION:
          input_projection_part (a, job->self->w_ih_t[d].data, r0, r1);
          break;

        case PHASE_FORWARD:
          if (job->self->use_kernels)
            {
              forward_part_kernels (a, job->self->packed_fwd[d].data, job->j0, job->j1);
              break;
            }
          if (job->whole)
            input_projection_part (a, job->self->w_ih_t[d].data, 0, a->n_rows);
          forward_part (a, job->self->bias[d].data, job->self->w_hh_t[d].data, job->j0, job->j1);
          break;

        case PHASE_BACKWARD_DATA:
          if (job->self->use_kernels)
            backward_data_part_kernels (a, job->self->packed_bwd[d].data, job->j0, job->j1,
                                        &job->self->dc[p]);
          else
            backward_data_part (a, job->j0, job->j1, &job->self->dc[p]);
          if (job->whole && a->dx != NULL)
            backward_dx_part (a, 0, a->n_rows);
          break;

        case PHASE_BACKWARD_DX:
          if (a->dx != NULL)
            backward_dx_part (a, r0, r1);
          break;

        case PHASE_BACKWARD_WEIGHTS:
          if (job->self->use_kernels)
            backward_weights_part_kernels (a, job->self->wgrad[d].data,
                                           job->whole ? 0 : g0,
                                           job->whole ? 4 * a->n_hidden : g1);
          else
            backward_weights_part (a, g0, g1);
          break;

        default:
          g_assert_not_reached ();
        }
    }
}

static void
worker_func (gpointer data,
             gpointer user_data)
{
  PbBackendCpu *self = user_data;

  run_job (data);

  g_mutex_lock (&self->mutex);
  if (--self->pending == 0)
    g_cond_signal (&self->done);
  g_mutex_unlock (&self->mutex);
}

/* Fills jobs[0 … n − 1] with ranges of the sequences of @a of about equal row
 * counts (sequence j has as many rows as steps it runs: walk the lengths down). */
static void
split_sequences (Job              *jobs,
                 guint             n,
                 const PbLstmArgs *a)
{
  const guint batch = a->n_steps > 0 ? a->batch_sizes[0] : 0;
  guint j = 0;
  guint s_end = a->n_steps;
  gsize acc = 0;

  for (guint p = 0; p < n; p++)
    {
      const gsize target = (gsize) a->n_rows * (p + 1) / n;

      jobs[p].j0 = j;
      while (j < batch && (acc < target || p + 1 == n))
        {
          while (s_end > 0 && a->batch_sizes[s_end - 1] <= j)
            s_end--;
          acc += s_end;
          j++;
        }
      jobs[p].j1 = j;
    }
}

/* How many parts a phase gets, and for the phases that split sequences, how
 * many of them go to direction 0 when the directions are split (0: they are
 * not, every part runs its sequences in every direction). */
static guint
plan_parts (PbBackendCpu     *self,
            const PbLstmArgs *args,
            guint             n_dirs,
            Phase             phase,
            guint            *n_parts_dir0)
{
  const gboolean by_sequence = phase == PHASE_FORWARD || phase == PHASE_BACKWARD_DATA;
  const PbLstmArgs *a0 = &args[0];
  const gsize rows0 = args[0].n_rows;
  gsize total_rows = 0;
  guint n_parts;

  /* the direction with the most steps */
  for (guint d = 1; d < n_dirs; d++)
    if (args[d].n_rows > a0->n_rows)
      a0 = &args[d];
  for (guint d = 0; d < n_dirs; d++)
    total_rows += args[d].n_rows;

  n_parts = self->pool != NULL ? self->n_threads : 1;
  n_parts = MIN (n_parts, MAX (total_rows / PB_CPU_MIN_ROWS_PER_PART, 1));
  if (by_sequence)
    n_parts = MIN (n_parts, MAX (a0->n_steps > 0 ? a0->batch_sizes[0] : 0, 1) * n_dirs);
  if (phase == PHASE_BACKWARD_WEIGHTS)
    n_parts = MIN (n_parts, (4 * a0->n_hidden + 15) / 16);

  *n_parts_dir0 = 0;
  if (by_sequence && n_dirs == 2 && n_parts >= 2 &&
      4 * MIN (rows0, total_rows - rows0) >= total_rows)
    {
      /* two directions of similar work (standard preset): give each its share
       * of the parts, so that a part's GEMMs keep as many rows as possible */
      guint n0 = (guint) ((n_parts * rows0 + total_rows / 2) / total_rows);

      *n_parts_dir0 = CLAMP (n0, 1, n_parts - 1);
    }

  return n_parts;
}

/* Whether each direction is one part of the sequence phases: then those parts
 * also run the row phases beside them, saving a synchronisation each. */
static gboolean
one_part_per_direction (PbBackendCpu     *self,
                        const PbLstmArgs *args,
                        guint             n_dirs)
{
  guint n0;
  guint n_parts = plan_parts (self, args, n_dirs, PHASE_FORWARD, &n0);

  return n_parts == 2 && n0 == 1;
}

/* Runs @phase in parts: part 0 on the calling thread, the others on workers. */
static void
run_phase (PbBackendCpu     *self,
           const PbLstmArgs *args,
           guint             n_dirs,
           Phase             phase)
{
  Job jobs[PB_CPU_MAX_THREADS];
  const gboolean by_sequence = phase == PHASE_FORWARD || phase == PHASE_BACKWARD_DATA;
  const PbLstmArgs *a0 = &args[0];
  guint n_parts;
  guint n0;

  if (n_dirs == 0)
    return;

  for (guint d = 1; d < n_dirs; d++)
    if (args[d].n_rows > a0->n_rows)
      a0 = &args[d];

  n_parts = plan_parts (self, args, n_dirs, phase, &n0);
  for (guint p = 0; p < n_parts; p++)
    jobs[p] = (Job) { self, args, 0, n_dirs, phase, p, n_parts, 0, 0, FALSE };

  if (by_sequence && n0 > 0)
    {
      for (guint p = 0; p < n_parts; p++)
        {
          jobs[p].d0 = p < n0 ? 0 : 1;
          jobs[p].d1 = jobs[p].d0 + 1;
          jobs[p].whole = n_parts == 2;
        }
      split_sequences (jobs, n0, &args[0]);
      split_sequences (jobs + n0, n_parts - n0, &args[1]);
    }
  else if (by_sequence)
    split_sequences (jobs, n_parts, a0);
  else if (phase == PHASE_BACKWARD_WEIGHTS && self->use_kernels && n_parts == 2 &&
           one_part_per_direction (self, args, n_dirs))
    {
      /* the weight gradients of a direction on the thread that just ran its
       * backward-data: its latest dgates are in that core's cache, and each
       * thread reads its own x and h once instead of both threads all of them
       * (results do not change: the kernel sums in the same order either way) */
      for (guint p = 0; p < n_parts; p++)
        {
          jobs[p].d0 = p;
          jobs[p].d1 = p + 1;
          jobs[p].whole = TRUE;
        }
    }

  if (n_parts > 1)
    {
      g_mutex_lock (&self->mutex);
      self->pending = n_parts - 1;
      g_mutex_unlock (&self->mutex);
      for (guint p = 1; p < n_parts; p++)
        g_thread_pool_push (self->pool, &jobs[p], NULL);
    }

  run_job (&jobs[0]);

  if (n_parts > 1)
    {
      g_mutex_lock (&self->mutex);
      while (self->pending > 0)
        g_cond_wait (&self->done, &self->mutex);
      g_mutex_unlock (&self->mutex);
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
  PbBackendCpu *self = (PbBackendCpu *) backend;

  g_return_val_if_fail (n_dirs <= PB_CPU_MAX_DIRS, FALSE);

  for (guint d = 0; d < n_dirs && self->use_kernels; d++)
    {
      const PbLstmArgs *a = &args[d];
      float *packed = scratch_ensure (&self->packed_fwd[d],
                                      _pb_cpu_avx512_forward_packed_size (a->n_input, a->n_hidden));

      _pb_cpu_avx512_pack_forward (packed, a->w_ih, a->w_hh, a->b_ih, a->b_hh,
                                   a->n_input, a->n_hidden);
    }

  for (guint d = 0; d < n_dirs && !self->use_kernels; d++)
    {
      const PbLstmArgs *a = &args[d];
      const guint G = 4 * a->n_hidden;
      float *bias = scratch_ensure (&self->bias[d], G);
      float *w_ih_t = scratch_ensure (&self->w_ih_t[d], (gsize) a->n_input * G);
      float *w_hh_t = scratch_ensure (&self->w_hh_t[d], (gsize) a->n_hidden * G);

      for (guint k = 0; k < G; k++)
        bias[k] = a->b_ih[k] + a->b_hh[k];
      for (guint k = 0; k < G; k++)
        for (guint i = 0; i < a->n_input; i++)
          w_ih_t[(gsize) i * G + k] = a->w_ih[(gsize) k * a->n_input + i];
      for (guint k = 0; k < G; k++)
        for (guint i = 0; i < a->n_hidden; i++)
          w_hh_t[(gsize) i * G + k] = a->w_hh[(gsize) k * a->n_hidden + i];
    }

  /* the kernels do the input projection inside the forward phase */
  if (!self->use_kernels && !one_part_per_direction (self, args, n_dirs))
    run_phase (self, args, n_dirs, PHASE_INPUT_PROJECTION);
  run_phase (self, args, n_dirs, PHASE_FORWARD);
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

  for (guint d = 0; d < n_dirs && self->use_kernels; d++)
    {
      const PbLstmArgs *a = &args[d];
      float *packed = scratch_ensure (&self->packed_bwd[d],
                                      _pb_cpu_avx512_backward_packed_size (a->n_hidden));

      _pb_cpu_avx512_pack_backward (packed, a->w_hh, a->n_hidden);
    }

  run_phase (self, args, n_dirs, PHASE_BACKWARD_DATA);
  if (!one_part_per_direction (self, args, n_dirs))
    run_phase (self, args, n_dirs, PHASE_BACKWARD_DX);
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

  for (guint d = 0; d < n_dirs && self->use_kernels; d++)
    scratch_ensure (&self->wgrad[d], (gsize) (args[d].n_input + args[d].n_hidden + 1) *
                                     4 * args[d].n_hidden);

  run_phase (self, args, n_dirs, PHASE_BACKWARD_WEIGHTS);
  return TRUE;
}

static void
pb_backend_cpu_set_n_threads (PbBackend *backend,
                              guint      n_threads)
{
  PbBackendCpu *self = (PbBackendCpu *) backend;

  if (n_threads == 0)
    n_threads = g_get_num_processors ();
  n_threads = CLAMP (n_threads, 1, PB_CPU_MAX_THREADS);
  if (n_threads == self->n_threads)
    return;

  if (self->pool != NULL)
    g_thread_pool_free (g_steal_pointer (&self->pool), FALSE, TRUE);
  self->n_threads = n_threads;
  if (n_threads > 1)
    self->pool = g_thread_pool_new (worker_func, self, n_threads - 1, TRUE, NULL);
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

  if (self->pool != NULL)
    g_thread_pool_free (g_steal_pointer (&self->pool), FALSE, TRUE);
  g_mutex_clear (&self->mutex);
  g_cond_clear (&self->done);
  for (guint p = 0; p < PB_CPU_MAX_THREADS; p++)
    g_aligned_free (self->dc[p].data);
  for (guint d = 0; d < PB_CPU_MAX_DIRS; d++)
    {
      g_aligned_free (self->bias[d].data);
      g_aligned_free (self->w_ih_t[d].data);
      g_aligned_free (self->w_hh_t[d].data);
      g_aligned_free (self->packed_fwd[d].data);
      g_aligned_free (self->packed_bwd[d].data);
      g_aligned_free (self->wgrad[d].data);
    }
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
  .set_n_threads         = pb_backend_cpu_set_n_threads,
  .free                  = pb_backend_cpu_free,
};

static gsize blas_single_threaded = 0;

PbBackend *
_pb_backend_cpu_new (void)
{
  PbBackendCpu *self = g_new0 (PbBackendCpu, 1);

  self->parent.vtable = &pb_backend_cpu_vtable;
  self->parent.kind = PB_BACKEND_KIND_CPU;
  g_mutex_init (&self->mutex);
  g_cond_init (&self->done);
  pb_backend_cpu_set_n_threads (&self->parent, 0);
  /* PB_CPU_KERNELS=0 keeps the sgemm path (benchmarks compare the two) */
  self->use_kernels = _pb_cpu_avx512_is_supported () &&
                      g_strcmp0 (g_getenv ("PB_CPU_KERNELS"), "0") != 0;

  /* the parts are the parallelism: OpenBLAS threads inside them would only
   * compete for the same cores (this is process-wide, and this backend is
   * the engine's only OpenBLAS caller) */
  if (g_once_init_enter (&blas_single_threaded))
    {
      openblas_set_num_threads (1);
      g_once_init_leave (&blas_single_threaded, 1);
    }

  return &self->parent;
}

void
_pb_backend_cpu_set_use_kernels (PbBackend *backend,
                                 gboolean   use_kernels)
{
  PbBackendCpu *self = (PbBackendCpu *) backend;

  g_return_if_fail (backend != NULL && backend->kind == PB_BACKEND_KIND_CPU);

  self->use_kernels = use_kernels && _pb_cpu_avx512_is_supported ();
}

gboolean
_pb_backend_cpu_get_use_kernels (PbBackend *backend)
{
  PbBackendCpu *self = (PbBackendCpu *) backend;

  g_return_val_if_fail (backend != NULL && backend->kind == PB_BACKEND_KIND_CPU, FALSE);

  return self->use_kernels;
}
