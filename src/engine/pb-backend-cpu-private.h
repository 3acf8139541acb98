/* pb-backend-cpu-private.h — the CPU backend's own micro-kernels.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "pb-backend-private.h"

G_BEGIN_DECLS

/* AVX-512 kernels for one LSTM step (pb-backend-cpu-avx512.c). The weights are
 * packed once per call of the backend (they change with every optimiser step),
 * never per time step, in the layouts the kernels stream:
 *
 *   forward:  per group of 16 hidden units, the bias then (I + H) rows of 64
 *             floats [i₁₆ f₁₆ g₁₆ o₁₆] of [w_ih | w_hh]ᵀ, so that one register
 *             tile holds all four gates of 16 units and the cell update runs
 *             on the product while it is still in registers;
 *   backward: w_hh (4H, H) in panels of 16 units, each 4H rows of 16 floats.
 *
 * Units past H in the last group are zero weights and are never stored: any
 * H and I work. Every row is computed in the same order whatever the number of
 * rows or threads, so results do not depend on the split. */

gboolean _pb_cpu_avx512_is_supported        (void);
gsize    _pb_cpu_avx512_forward_packed_size  (guint        n_input,
                                              guint        n_hidden);
gsize    _pb_cpu_avx512_backward_packed_size (guint        n_hidden);
void     _pb_cpu_avx512_pack_forward         (float       *packed,
                                              const float *w_ih,
                                              const float *w_hh,
                                              const float *b_ih,
                                              const float *b_hh,
                                              guint        n_input,
                                              guint        n_hidden);
void     _pb_cpu_avx512_pack_backward        (float       *packed,
                                              const float *w_hh,
                                              guint        n_hidden);

/* One step of m rows (consecutive packed rows of the step and of the step
 * before): gates, c, h from x and, after the first step, h_prev and c_prev
 * (NULL at the first step: zero state). */
void     _pb_cpu_avx512_forward_step         (const float *packed,
                                              guint        n_input,
                                              guint        n_hidden,
                                              guint        m,
                                              const float *x,
                                              const float *h_prev,
                                              const float *c_prev,
                                              float       *gates,
                                              float       *c,
                                              float       *h);

/* One step of m rows backwards: dgates from dh, dc (in: from the step after,
 * out: to the step before), gates, c, c_prev (NULL at the first step); then,
 * when dh_prev is not NULL, dh_prev += dgates · w_hh. */
void     _pb_cpu_avx512_backward_step        (const float *packed,
                                              guint        n_hidden,
                                              guint        m,
                                              const float *gates,
                                              const float *c,
                                              const float *c_prev,
                                              const float *dh,
                                              float       *dc,
                                              float       *dgates,
                                              float       *dh_prev);

/* Weight gradients of one step for gates [g0, g1) (g0 a multiple of 16): acc_t is
 * the transposed gradient, (I + H + 1) rows of 4H: rows 0 … I−1 take
 * Σ x ⊗ dgates, rows I … I+H−1 Σ h_prev ⊗ dgates (h_prev NULL at the first step:
 * nothing), row I+H Σ dgates (the bias). Each step's rows are summed first. */
void     _pb_cpu_avx512_weights_step         (guint        n_input,
                                              guint        n_hidden,
                                              guint        m,
                                              guint        g0,
                                              guint        g1,
                                              const float *dgates,
                                              const float *x,
                                              const float *h_prev,
                                              float       *acc_t);

/* Tests: whether the backend uses these kernels (when the CPU has them). */
void     _pb_backend_cpu_set_use_kernels     (PbBackend   *backend,
                                              gboolean     use_kernels);
gboolean _pb_backend_cpu_get_use_kernels     (PbBackend   *backend);

G_END_DECLS
