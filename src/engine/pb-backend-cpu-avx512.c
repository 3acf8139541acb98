/* pb-backend-cpu-avx512.c — register-blocked AVX-512 kernels for one LSTM step:
 * the recurrent product with the gate non-linearities fused onto it (forward),
 * and the gate gradients followed by dh_prev += dgates · w_hh (backward).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Why not sgemm: a step's product is small (m ≤ batch rows, 4H × H weights), and
 * OpenBLAS re-packs the whole weight matrix for every call, 48 times per
 * direction and pass. Here the weights are packed once per backend call
 * (pb-backend-cpu-private.h gives the layouts), a tile of up to 6 rows × 64
 * outputs lives in 24 zmm registers for the whole K loop, and the forward tile
 * holds i, f, g, o of the same 16 units, so the cell update runs on the
 * accumulators directly and the pre-activations never reach memory.
 *
 * Compiled for AVX-512F whatever the build's baseline; the backend only calls
 * these after _pb_cpu_avx512_is_supported().
 */

#include "config.h"

#include "pb-backend-cpu-private.h"

#define PB_TILE_ROWS 6          /* rows per register tile */
#define PB_UNITS 16             /* hidden units per zmm */

/* GCC's target pragma; elsewhere (other architectures, clang) the backend
 * reports no support and keeps its sgemm path */
#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__)
#define PB_HAVE_AVX512_KERNELS 1
#endif

gboolean
_pb_cpu_avx512_is_supported (void)
{
#ifdef PB_HAVE_AVX512_KERNELS
  __builtin_cpu_init ();
  return __builtin_cpu_supports ("avx512f") && __builtin_cpu_supports ("fma");
#else
  return FALSE;
#endif
}

static guint
n_groups (guint n_hidden)
{
  return (n_hidden + PB_UNITS - 1) / PB_UNITS;
}

/* floats per forward group: the bias row, then I + H weight rows, 64 each */
static gsize
forward_group_size (guint n_input,
                    guint n_hidden)
{
  return (gsize) 4 * PB_UNITS * (1 + n_input + n_hidden);
}

gsize
_pb_cpu_avx512_forward_packed_size (guint n_input,
                                    guint n_hidden)
{
  return n_groups (n_hidden) * forward_group_size (n_input, n_hidden);
}

gsize
_pb_cpu_avx512_backward_packed_size (guint n_hidden)
{
  return (gsize) n_groups (n_hidden) * 4 * n_hidden * PB_UNITS;
}

/* Plain C (the callers check support first, but packing needs no AVX-512). */
void
_pb_cpu_avx512_pack_forward (float       *packed,
                             const float *w_ih,
                             const float *w_hh,
                             const float *b_ih,
                             const float *b_hh,
                             guint        n_input,
                             guint        n_hidden)
{
  const guint I = n_input;
  const guint H = n_hidden;
  const gsize stride = forward_group_size (I, H);

  for (guint g = 0; g < n_groups (H); g++)
    {
      float *dst = packed + g * stride;

      for (guint q = 0; q < 4; q++)
        for (guint u = 0; u < PB_UNITS; u++)
          {
            const guint unit = g * PB_UNITS + u;
            const gsize gate = (gsize) q * H + unit;
            const gboolean live = unit < H;

            dst[q * PB_UNITS + u] = live ? b_ih[gate] + b_hh[gate] : 0.0f;
            for (guint k = 0; k < I; k++)
              dst[(gsize) (1 + k) * 64 + q * PB_UNITS + u] = live ? w_ih[gate * I + k] : 0.0f;
            for (guint k = 0; k < H; k++)
              dst[(gsize) (1 + I + k) * 64 + q * PB_UNITS + u] = live ? w_hh[gate * H + k] : 0.0f;
          }
    }
}

void
_pb_cpu_avx512_pack_backward (float       *packed,
                              const float *w_hh,
                              guint        n_hidden)
{
  const guint H = n_hidden;
  const guint G = 4 * H;

  for (guint p = 0; p < n_groups (H); p++)
    for (guint k = 0; k < G; k++)
      for (guint u = 0; u < PB_UNITS; u++)
        {
          const guint unit = p * PB_UNITS + u;

          packed[((gsize) p * G + k) * PB_UNITS + u] = unit < H ? w_hh[(gsize) k * H + unit] : 0.0f;
        }
}

#ifdef PB_HAVE_AVX512_KERNELS

#pragma GCC push_options
#pragma GCC target ("avx512f,fma")

#include <immintrin.h>

#define PB_INLINE static inline __attribute__((always_inline))

/* The same Cephes expf/tanhf as the scalar gate loops in pb-backend-cpu.c,
 * 16 lanes at a time (≤ 1.5e-7 relative error). */
PB_INLINE __m512
exp16 (__m512 x)
{
  __m512 n, r, p;

  x = _mm512_max_ps (x, _mm512_set1_ps (-87.3f));
  x = _mm512_min_ps (x, _mm512_set1_ps (88.3f));
  n = _mm512_roundscale_ps (_mm512_mul_ps (x, _mm512_set1_ps (1.44269504088896341f)),
                            _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
  r = _mm512_fnmadd_ps (n, _mm512_set1_ps (0.693359375f), x);
  r = _mm512_fnmadd_ps (n, _mm512_set1_ps (-2.12194440e-4f), r);
  p = _mm512_set1_ps (1.9875691500e-4f);
  p = _mm512_fmadd_ps (p, r, _mm512_set1_ps (1.3981999507e-3f));
  p = _mm512_fmadd_ps (p, r, _mm512_set1_ps (8.3334519073e-3f));
  p = _mm512_fmadd_ps (p, r, _mm512_set1_ps (4.1665795894e-2f));
  p = _mm512_fmadd_ps (p, r, _mm512_set1_ps (1.6666665459e-1f));
  p = _mm512_fmadd_ps (p, r, _mm512_set1_ps (5.0000001201e-1f));
  p = _mm512_fmadd_ps (p, _mm512_mul_ps (r, r), _mm512_add_ps (r, _mm512_set1_ps (1.0f)));

  return _mm512_scalef_ps (p, n);
}

/* 1 / d for d ≥ 1: the 14-bit estimate and one Newton step (≤ 1 ulp from the
 * division, at a fraction of its cost) */
PB_INLINE __m512
recip16 (__m512 d)
{
  const __m512 y = _mm512_rcp14_ps (d);

  return _mm512_mul_ps (y, _mm512_fnmadd_ps (d, y, _mm512_set1_ps (2.0f)));
}

PB_INLINE __m512
sigmoid16 (__m512 x)
{
  const __m512 one = _mm512_set1_ps (1.0f);

  return recip16 (_mm512_add_ps (one, exp16 (_mm512_sub_ps (_mm512_setzero_ps (), x))));
}

PB_INLINE __m512
tanh16 (__m512 x)
{
  const __m512i sign_mask = _mm512_set1_epi32 ((int) 0x80000000u);
  const __m512i xi = _mm512_castps_si512 (x);
  const __m512 a = _mm512_castsi512_ps (_mm512_andnot_si512 (sign_mask, xi));
  const __m512 s = _mm512_mul_ps (x, x);
  __m512 small, large;
  __mmask16 is_small;

  small = _mm512_set1_ps (-5.70498872745e-3f);
  small = _mm512_fmadd_ps (small, s, _mm512_set1_ps (2.06390887954e-2f));
  small = _mm512_fmadd_ps (small, s, _mm512_set1_ps (-5.37397155531e-2f));
  small = _mm512_fmadd_ps (small, s, _mm512_set1_ps (1.33314422036e-1f));
  small = _mm512_fmadd_ps (small, s, _mm512_set1_ps (-3.33332819422e-1f));
  small = _mm512_fmadd_ps (_mm512_mul_ps (small, s), x, x);

  large = _mm512_add_ps (exp16 (_mm512_add_ps (a, a)), _mm512_set1_ps (1.0f));
  large = _mm512_fnmadd_ps (_mm512_set1_ps (2.0f), recip16 (large), _mm512_set1_ps (1.0f));
  large = _mm512_castsi512_ps (_mm512_or_si512 (_mm512_castps_si512 (large),
                                                _mm512_and_si512 (sign_mask, xi)));

  is_small = _mm512_cmp_ps_mask (a, _mm512_set1_ps (0.625f), _CMP_LT_OQ);
  return _mm512_mask_blend_ps (is_small, large, small);
}

static inline __mmask16
unit_mask (guint n_hidden,
           guint u0)
{
  const guint n = n_hidden - u0;

  return n >= PB_UNITS ? (__mmask16) 0xffff : (__mmask16) ((1u << n) - 1);
}

/* ---- forward ---------------------------------------------------------------- */

/* i, f, g, o, c, h of one row and 16 units from the pre-activations */
PB_INLINE void
forward_epilogue (const float *restrict pre,
                  guint                 H,
                  guint                 u0,
                  __mmask16             mk,
                  const float *restrict c_prev,
                  float       *restrict gates,
                  float       *restrict c,
                  float       *restrict h)
{
  const __m512 i = sigmoid16 (_mm512_load_ps (pre));
  const __m512 f = sigmoid16 (_mm512_load_ps (pre + 16));
  const __m512 g = tanh16 (_mm512_load_ps (pre + 32));
  const __m512 o = sigmoid16 (_mm512_load_ps (pre + 48));
  __m512 cn = _mm512_mul_ps (i, g);

  if (c_prev != NULL)
    cn = _mm512_fmadd_ps (f, _mm512_maskz_loadu_ps (mk, c_prev + u0), cn);

  _mm512_mask_storeu_ps (gates + u0, mk, i);
  _mm512_mask_storeu_ps (gates + H + u0, mk, f);
  _mm512_mask_storeu_ps (gates + 2 * H + u0, mk, g);
  _mm512_mask_storeu_ps (gates + 3 * H + u0, mk, o);
  _mm512_mask_storeu_ps (c + u0, mk, cn);
  _mm512_mask_storeu_ps (h + u0, mk, _mm512_mul_ps (o, tanh16 (cn)));
}

/* R rows × the 4 gates of one group of 16 units: acc = bias + x · w_ihᵀ (+ h_prev ·
 * w_hhᵀ), then i, f, g, o, c, h. Rows are consecutive: x (R, I), h_prev, c_prev,
 * c, h (R, H), gates (R, 4H). */
PB_INLINE void
forward_tile (const float *restrict wg,
              guint                 I,
              guint                 H,
              const int             R,
              const float *restrict x,
              const float *restrict h_prev,
              const float *restrict c_prev,
              float       *restrict gates,
              float       *restrict c,
              float       *restrict h,
              guint                 u0,
              __mmask16             mk)
{
  __m512 acc[PB_TILE_ROWS][4];
  float buf[PB_TILE_ROWS * 64] __attribute__((aligned (64)));
  const float *w = wg + 64;

#pragma GCC unroll 8
  for (int r = 0; r < R; r++)
#pragma GCC unroll 4
    for (int q = 0; q < 4; q++)
      acc[r][q] = _mm512_loadu_ps (wg + 16 * q);

  for (guint k = 0; k < I; k++, w += 64)
    {
      const __m512 w0 = _mm512_loadu_ps (w);
      const __m512 w1 = _mm512_loadu_ps (w + 16);
      const __m512 w2 = _mm512_loadu_ps (w + 32);
      const __m512 w3 = _mm512_loadu_ps (w + 48);

#pragma GCC unroll 8
      for (int r = 0; r < R; r++)
        {
          const __m512 a = _mm512_set1_ps (x[(gsize) r * I + k]);

          acc[r][0] = _mm512_fmadd_ps (a, w0, acc[r][0]);
          acc[r][1] = _mm512_fmadd_ps (a, w1, acc[r][1]);
          acc[r][2] = _mm512_fmadd_ps (a, w2, acc[r][2]);
          acc[r][3] = _mm512_fmadd_ps (a, w3, acc[r][3]);
        }
    }

  if (h_prev != NULL)
    for (guint k = 0; k < H; k++, w += 64)
      {
        const __m512 w0 = _mm512_loadu_ps (w);
        const __m512 w1 = _mm512_loadu_ps (w + 16);
        const __m512 w2 = _mm512_loadu_ps (w + 32);
        const __m512 w3 = _mm512_loadu_ps (w + 48);

#pragma GCC unroll 8
        for (int r = 0; r < R; r++)
          {
            const __m512 a = _mm512_set1_ps (h_prev[(gsize) r * H + k]);

            acc[r][0] = _mm512_fmadd_ps (a, w0, acc[r][0]);
            acc[r][1] = _mm512_fmadd_ps (a, w1, acc[r][1]);
            acc[r][2] = _mm512_fmadd_ps (a, w2, acc[r][2]);
            acc[r][3] = _mm512_fmadd_ps (a, w3, acc[r][3]);
          }
      }

  /* the epilogue from memory, one row at a time: unrolled over the tile it
   * would need more registers than there are */
#pragma GCC unroll 8
  for (int r = 0; r < R; r++)
#pragma GCC unroll 4
    for (int q = 0; q < 4; q++)
      _mm512_store_ps (buf + r * 64 + q * 16, acc[r][q]);

#pragma GCC unroll 1
  for (int r = 0; r < R; r++)
    forward_epilogue (buf + r * 64, H, u0, mk,
                      c_prev != NULL ? c_prev + (gsize) r * H : NULL,
                      gates + (gsize) r * 4 * H, c + (gsize) r * H, h + (gsize) r * H);
}

void
_pb_cpu_avx512_forward_step (const float *packed,
                             guint        n_input,
                             guint        n_hidden,
                             guint        m,
                             const float *x,
                             const float *h_prev,
                             const float *c_prev,
                             float       *gates,
                             float       *c,
                             float       *h)
{
  const guint I = n_input;
  const guint H = n_hidden;
  const gsize stride = forward_group_size (I, H);
  const guint n_tiles = (m + PB_TILE_ROWS - 1) / PB_TILE_ROWS;

  /* group outer: its weights (4·16·(I + H) floats, 37 KB for H 128) stay in L1
   * while every row tile streams through them */
  for (guint g = 0; g < n_groups (H); g++)
    {
      const float *wg = packed + g * stride;
      const guint u0 = g * PB_UNITS;
      const __mmask16 mk = unit_mask (H, u0);

      for (guint t = 0; t < n_tiles; t++)
        {
          const guint r0 = m * t / n_tiles;
          const guint R = m * (t + 1) / n_tiles - r0;
          const float *xr = x + (gsize) r0 * I;
          const float *hr = h_prev != NULL ? h_prev + (gsize) r0 * H : NULL;
          const float *cr = c_prev != NULL ? c_prev + (gsize) r0 * H : NULL;
          float *gr = gates + (gsize) r0 * 4 * H;
          float *c_out = c + (gsize) r0 * H;
          float *h_out = h + (gsize) r0 * H;

          switch (R)
            {
#define PB_FORWARD_CASE(n) \
            case n: forward_tile (wg, I, H, n, xr, hr, cr, gr, c_out, h_out, u0, mk); break;
            PB_FORWARD_CASE (1)
            PB_FORWARD_CASE (2)
            PB_FORWARD_CASE (3)
            PB_FORWARD_CASE (4)
            PB_FORWARD_CASE (5)
            PB_FORWARD_CASE (6)
#undef PB_FORWARD_CASE
            default:
              g_assert_not_reached ();
            }
        }
    }
}

/* ---- backward --------------------------------------------------------------- */

/* engine-notes §4.1 for one row: dc += dh ⊙ o ⊙ (1 − tanh² c); do = dh ⊙ tanh c ⊙
 * o(1 − o); di = dc ⊙ g ⊙ i(1 − i); dg = dc ⊙ i ⊙ (1 − g²); df = dc ⊙ c_prev ⊙
 * f(1 − f); dc_prev = dc ⊙ f */
PB_INLINE void
backward_row (guint                 H,
              const float *restrict gates,
              const float *restrict c,
              const float *restrict c_prev,
              const float *restrict dh,
              float       *restrict dc,
              float       *restrict dgates)
{
  const __m512 one = _mm512_set1_ps (1.0f);

  for (guint u0 = 0; u0 < H; u0 += PB_UNITS)
    {
      const __mmask16 mk = unit_mask (H, u0);
      const __m512 i = _mm512_maskz_loadu_ps (mk, gates + u0);
      const __m512 f = _mm512_maskz_loadu_ps (mk, gates + H + u0);
      const __m512 g = _mm512_maskz_loadu_ps (mk, gates + 2 * H + u0);
      const __m512 o = _mm512_maskz_loadu_ps (mk, gates + 3 * H + u0);
      const __m512 tc = tanh16 (_mm512_maskz_loadu_ps (mk, c + u0));
      const __m512 dhk = _mm512_maskz_loadu_ps (mk, dh + u0);
      const __m512 dho = _mm512_mul_ps (dhk, o);
      const __m512 dck = _mm512_fmadd_ps (dho, _mm512_fnmadd_ps (tc, tc, one),
                                          _mm512_maskz_loadu_ps (mk, dc + u0));
      const __m512 di = _mm512_mul_ps (_mm512_mul_ps (dck, g),
                                       _mm512_mul_ps (i, _mm512_sub_ps (one, i)));
      const __m512 dg = _mm512_mul_ps (_mm512_mul_ps (dck, i), _mm512_fnmadd_ps (g, g, one));
      const __m512 dov = _mm512_mul_ps (_mm512_mul_ps (dho, tc), _mm512_sub_ps (one, o));
      __m512 df = _mm512_setzero_ps ();

      if (c_prev != NULL)
        df = _mm512_mul_ps (_mm512_mul_ps (dck, _mm512_maskz_loadu_ps (mk, c_prev + u0)),
                            _mm512_mul_ps (f, _mm512_sub_ps (one, f)));

      _mm512_mask_storeu_ps (dgates + u0, mk, di);
      _mm512_mask_storeu_ps (dgates + H + u0, mk, df);
      _mm512_mask_storeu_ps (dgates + 2 * H + u0, mk, dg);
      _mm512_mask_storeu_ps (dgates + 3 * H + u0, mk, dov);
      _mm512_mask_storeu_ps (dc + u0, mk, _mm512_mul_ps (dck, f));
    }
}

/* dh_prev (R, 16 P units from p0) += dgates (R, 4H) · w_hh (4H, those units) */
PB_INLINE void
backward_tile (const float *restrict packed,
               guint                 H,
               const int             R,
               const int             P,
               guint                 p0,
               const float *restrict dgates,
               float       *restrict dh_prev)
{
  const guint G = 4 * H;
  __m512 acc[PB_TILE_ROWS][4];
  __mmask16 mk[4];
  const float *w[4];

#pragma GCC unroll 4
  for (int p = 0; p < P; p++)
    {
      mk[p] = unit_mask (H, (p0 + p) * PB_UNITS);
      w[p] = packed + (gsize) (p0 + p) * G * PB_UNITS;
    }

#pragma GCC unroll 8
  for (int r = 0; r < R; r++)
#pragma GCC unroll 4
    for (int p = 0; p < P; p++)
      acc[r][p] = _mm512_maskz_loadu_ps (mk[p], dh_prev + (gsize) r * H + (p0 + p) * PB_UNITS);

  for (guint k = 0; k < G; k++)
    {
      __m512 wk[4];

#pragma GCC unroll 4
      for (int p = 0; p < P; p++)
        wk[p] = _mm512_loadu_ps (w[p] + (gsize) k * PB_UNITS);

#pragma GCC unroll 8
      for (int r = 0; r < R; r++)
        {
          const __m512 a = _mm512_set1_ps (dgates[(gsize) r * G + k]);

#pragma GCC unroll 4
          for (int p = 0; p < P; p++)
            acc[r][p] = _mm512_fmadd_ps (a, wk[p], acc[r][p]);
        }
    }

#pragma GCC unroll 8
  for (int r = 0; r < R; r++)
#pragma GCC unroll 4
    for (int p = 0; p < P; p++)
      _mm512_mask_storeu_ps (dh_prev + (gsize) r * H + (p0 + p) * PB_UNITS, mk[p], acc[r][p]);
}

void
_pb_cpu_avx512_backward_step (const float *packed,
                              guint        n_hidden,
                              guint        m,
                              const float *gates,
                              const float *c,
                              const float *c_prev,
                              const float *dh,
                              float       *dc,
                              float       *dgates,
                              float       *dh_prev)
{
  const guint H = n_hidden;
  const guint G = 4 * H;
  const guint n_panels = n_groups (H);
  const guint n_tiles = (m + PB_TILE_ROWS - 1) / PB_TILE_ROWS;

  /* row tile outer: its dgates are computed, then multiplied while in L1 */
  for (guint t = 0; t < n_tiles; t++)
    {
      const guint r0 = m * t / n_tiles;
      const guint R = m * (t + 1) / n_tiles - r0;
      const float *dgr = dgates + (gsize) r0 * G;
      float *dhr = dh_prev != NULL ? dh_prev + (gsize) r0 * H : NULL;

      for (guint r = r0; r < r0 + R; r++)
        backward_row (H, gates + (gsize) r * G, c + (gsize) r * H,
                      c_prev != NULL ? c_prev + (gsize) r * H : NULL,
                      dh + (gsize) r * H, dc + (gsize) r * H, dgates + (gsize) r * G);

      if (dhr == NULL)
        continue;

      for (guint p0 = 0; p0 < n_panels; p0 += 4)
        {
          const guint P = MIN (4, n_panels - p0);

          switch (R * 8 + P)
            {
#define PB_BACKWARD_CASE(r, p) \
            case r * 8 + p: backward_tile (packed, H, r, p, p0, dgr, dhr); break;
#define PB_BACKWARD_CASES(r) \
            PB_BACKWARD_CASE (r, 1) PB_BACKWARD_CASE (r, 2) \
            PB_BACKWARD_CASE (r, 3) PB_BACKWARD_CASE (r, 4)
            PB_BACKWARD_CASES (1)
            PB_BACKWARD_CASES (2)
            PB_BACKWARD_CASES (3)
            PB_BACKWARD_CASES (4)
            PB_BACKWARD_CASES (5)
            PB_BACKWARD_CASES (6)
#undef PB_BACKWARD_CASES
#undef PB_BACKWARD_CASE
            default:
              g_assert_not_reached ();
            }
        }
    }
}

/* ---- weight gradients --------------------------------------------------------- */

/* acc_t (R source units, P·16 gates from gb) += Σ rows srcᵀ ⊗ dgates, summed over
 * the m rows in registers first (two-level summation: a step's rows, then the
 * steps). src is a row-major (m, stride) block starting at the tile's first unit. */
PB_INLINE void
weights_tile (guint                 G,
              guint                 m,
              const int             R,
              const int             P,
              guint                 gb,
              const __mmask16      *mk,
              const float *restrict dgates,
              const float *restrict src,
              guint                 stride,
              float       *restrict acc_t)
{
  __m512 acc[PB_TILE_ROWS][4];

#pragma GCC unroll 8
  for (int r = 0; r < R; r++)
#pragma GCC unroll 4
    for (int p = 0; p < P; p++)
      acc[r][p] = _mm512_setzero_ps ();

  for (guint j = 0; j < m; j++)
    {
      const float *dg = dgates + (gsize) j * G + gb;
      const float *sr = src + (gsize) j * stride;
      __m512 d[4];

#pragma GCC unroll 4
      for (int p = 0; p < P; p++)
        d[p] = _mm512_maskz_loadu_ps (mk[p], dg + 16 * p);

#pragma GCC unroll 8
      for (int r = 0; r < R; r++)
        {
          const __m512 a = _mm512_set1_ps (sr[r]);

#pragma GCC unroll 4
          for (int p = 0; p < P; p++)
            acc[r][p] = _mm512_fmadd_ps (a, d[p], acc[r][p]);
        }
    }

#pragma GCC unroll 8
  for (int r = 0; r < R; r++)
#pragma GCC unroll 4
    for (int p = 0; p < P; p++)
      {
        float *t = acc_t + (gsize) r * G + gb + 16 * p;

        _mm512_mask_storeu_ps (t, mk[p], _mm512_add_ps (_mm512_maskz_loadu_ps (mk[p], t),
                                                        acc[r][p]));
      }
}

/* all units of one source (x or h_prev) for one gate block, in tiles of ≤ 6 */
static void
weights_source (guint            G,
                guint            m,
                guint            P,
                guint            gb,
                const __mmask16 *mk,
                const float     *dgates,
                const float     *src,
                guint            n_units,
                float           *acc_t)
{
  const guint n_tiles = (n_units + PB_TILE_ROWS - 1) / PB_TILE_ROWS;

  for (guint t = 0; t < n_tiles; t++)
    {
      const guint u0 = n_units * t / n_tiles;
      const guint R = n_units * (t + 1) / n_tiles - u0;
      const float *sr = src + u0;
      float *at = acc_t + (gsize) u0 * G;

      switch (R * 8 + P)
        {
#define PB_WEIGHTS_CASE(r, p) \
        case r * 8 + p: weights_tile (G, m, r, p, gb, mk, dgates, sr, n_units, at); break;
#define PB_WEIGHTS_CASES(r) \
        PB_WEIGHTS_CASE (r, 1) PB_WEIGHTS_CASE (r, 2) \
        PB_WEIGHTS_CASE (r, 3) PB_WEIGHTS_CASE (r, 4)
        PB_WEIGHTS_CASES (1)
        PB_WEIGHTS_CASES (2)
        PB_WEIGHTS_CASES (3)
        PB_WEIGHTS_CASES (4)
        PB_WEIGHTS_CASES (5)
        PB_WEIGHTS_CASES (6)
#undef PB_WEIGHTS_CASES
#undef PB_WEIGHTS_CASE
        default:
          g_assert_not_reached ();
        }
    }
}

#define PB_WEIGHTS_ROW_CHUNK 48

/* _pb_cpu_avx512_weights_step() for one gate block of ≤ 64 and ≤ 48 rows */
static void
weights_chunk (guint        I,
               guint        H,
               guint        m,
               guint        gb,
               guint        g1,
               const float *dgates,
               const float *x,
               const float *h_prev,
               float       *acc_t)
{
  const guint G = 4 * H;
  const guint P = MIN (4, (g1 - gb + 15) / 16);
  float *bias_t = acc_t + (gsize) (I + H) * G;
  __mmask16 mk[4] = { 0 };
  __m512 db[4];

  for (guint p = 0; p < P; p++)
    mk[p] = unit_mask (g1, gb + 16 * p);

  weights_source (G, m, P, gb, mk, dgates, x, I, acc_t);
  if (h_prev != NULL)
    weights_source (G, m, P, gb, mk, dgates, h_prev, H, acc_t + (gsize) I * G);

  for (guint p = 0; p < P; p++)
    db[p] = _mm512_setzero_ps ();
  for (guint j = 0; j < m; j++)
    for (guint p = 0; p < P; p++)
      db[p] = _mm512_add_ps (db[p], _mm512_maskz_loadu_ps (mk[p], dgates + (gsize) j * G + gb + 16 * p));
  for (guint p = 0; p < P; p++)
    {
      float *t = bias_t + gb + 16 * p;

      _mm512_mask_storeu_ps (t, mk[p], _mm512_add_ps (_mm512_maskz_loadu_ps (mk[p], t), db[p]));
    }
}

void
_pb_cpu_avx512_weights_step (guint        n_input,
                             guint        n_hidden,
                             guint        m,
                             guint        g0,
                             guint        g1,
                             const float *dgates,
                             const float *x,
                             const float *h_prev,
                             float       *acc_t)
{
  const guint I = n_input;
  const guint H = n_hidden;
  const guint G = 4 * H;

  /* rows in chunks, gate block outer: a chunk's 64 columns of dgates and its rows
   * of x and h_prev stay in L1 while every unit tile streams through them */
  for (guint j0 = 0; j0 < m; j0 += PB_WEIGHTS_ROW_CHUNK)
    for (guint gb = g0; gb < g1; gb += 64)
      weights_chunk (I, H, MIN (PB_WEIGHTS_ROW_CHUNK, m - j0), gb, g1,
                     dgates + (gsize) j0 * G, x + (gsize) j0 * I,
                     h_prev != NULL ? h_prev + (gsize) j0 * H : NULL, acc_t);
}

#pragma GCC pop_options

#else /* !PB_HAVE_AVX512_KERNELS */

void
_pb_cpu_avx512_forward_step (const float *packed,
                             guint        n_input,
                             guint        n_hidden,
                             guint        m,
                             const float *x,
                             const float *h_prev,
                             const float *c_prev,
                             float       *gates,
                             float       *c,
                             float       *h)
{
  g_assert_not_reached ();
}

void
_pb_cpu_avx512_backward_step (const float *packed,
                              guint        n_hidden,
                              guint        m,
                              const float *gates,
                              const float *c,
                              const float *c_prev,
                              const float *dh,
                              float       *dc,
                              float       *dgates,
                              float       *dh_prev)
{
  g_assert_not_reached ();
}

void
_pb_cpu_avx512_weights_step (guint        n_input,
                             guint        n_hidden,
                             guint        m,
                             guint        g0,
                             guint        g1,
                             const float *dgates,
                             const float *x,
                             const float *h_prev,
                             float       *acc_t)
{
  g_assert_not_reached ();
}

#endif
