/* pb-backend.h — compute backends: the operations the model is built from.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

/**
 * PbBackendKind:
 * @PB_BACKEND_KIND_CPU: OpenBLAS sgemm + fused loops; always built, the reference
 * @PB_BACKEND_KIND_CUDA: cuDNN + cuBLAS; built when meson finds nvcc and cuDNN
 *   (%PB_ENGINE_ERROR_UNSUPPORTED when not built or when no device answers)
 */
typedef enum
{
  PB_BACKEND_KIND_CPU,
  PB_BACKEND_KIND_CUDA,
} PbBackendKind;

/**
 * PbActivation:
 * @PB_ACTIVATION_RELU: max (0, x)
 * @PB_ACTIVATION_TANH: tanh (x)
 */
typedef enum
{
  PB_ACTIVATION_RELU,
  PB_ACTIVATION_TANH,
} PbActivation;

typedef struct _PbBackend PbBackend;

/* Dimensions used in the shape comments below:
 *   S = steps of one direction (the longest length in the batch),
 *   N = rows of a packed buffer = Σ over sequences of their length,
 *   I = input features, H = hidden units.
 * Gate order i, f, g, o (torch.nn.LSTM).
 *
 * Packed layout (PyTorch's PackedSequence): sequences are sorted by length,
 * longest first; step s holds the first batch_sizes[s] sequences in rows
 * offsets[s] … offsets[s] + batch_sizes[s] − 1, so the sequences still running
 * at step s are always a prefix and the step before holds at least as many.
 * A direction is described in its own processing order: the reverse direction
 * of a bidirectional LSTM sees step s = time L − 1 − s of each sequence, so both
 * directions share batch_sizes and offsets and only differ in which input rows
 * the caller packs. Padding never enters a packed buffer. */

/**
 * PbLstmArgs:
 * @n_steps: S, number of steps to run (≤ the number the packing holds: a
 *   caller that only needs the first outputs may stop early)
 * @batch_sizes: (S) sequences still running at each step, non-increasing
 * @offsets: (S) first packed row of each step
 * @n_rows: N, total packed rows of the first @n_steps steps
 * @n_input: I
 * @n_hidden: H
 * @w_ih: (4H, I)
 * @w_hh: (4H, H)
 * @b_ih: (4H)
 * @b_hh: (4H)
 * @x: (N, I) packed inputs
 * @h: (N, H) out of forward: hidden state after each step
 * @c: (N, H) out of forward: cell state after each step
 * @gates: (N, 4H) out of forward: activated gates i, f, g, o (kept for backward)
 * @dh: (N, H) in/out of backward-data: upstream gradient on each step's h;
 *   the recurrent gradient is added in place
 * @dgates: (N, 4H) out of backward-data, in of backward-weights
 * @dx: (N, I) (nullable) out of backward-data: written, not accumulated
 * @dw_ih: (4H, I) accumulated (+=) by backward-weights
 * @dw_hh: (4H, H) accumulated
 * @db_ih: (4H) accumulated
 * @db_hh: (4H) accumulated
 *
 * One direction of one LSTM layer. Initial h and c are zero, as in torch.
 */
typedef struct
{
  guint        n_steps;
  const guint *batch_sizes;
  const guint *offsets;
  guint        n_rows;
  guint        n_input;
  guint        n_hidden;

  const float *w_ih;
  const float *w_hh;
  const float *b_ih;
  const float *b_hh;

  const float *x;
  float       *h;
  float       *c;
  float       *gates;

  float       *dh;
  float       *dgates;
  float       *dx;
  float       *dw_ih;
  float       *dw_hh;
  float       *db_ih;
  float       *db_hh;
} PbLstmArgs;

PbBackend    *pb_backend_new                   (PbBackendKind       kind,
                                                GError            **error);
PbBackend    *pb_backend_new_by_name           (const char         *name,
                                                char              **note,
                                                GError            **error);
gboolean      pb_backend_kind_from_name        (const char         *name,
                                                PbBackendKind      *kind);
const char   *pb_backend_kind_get_name         (PbBackendKind       kind);
gboolean      pb_backend_kind_is_available     (PbBackendKind       kind,
                                                GError            **error);
gboolean      pb_backend_resolve_name          (const char         *name,
                                                PbBackendKind      *kind,
                                                char              **note,
                                                GError            **error);
void          pb_backend_set_default_kind      (PbBackendKind       kind);
PbBackendKind pb_backend_get_default_kind      (void);
void          pb_backend_free                  (PbBackend          *backend);
PbBackendKind pb_backend_get_kind              (PbBackend          *backend);
const char   *pb_backend_get_name              (PbBackend          *backend);
void          pb_backend_set_n_threads         (PbBackend          *backend,
                                                guint               n_threads);

/* @args is an array of @n_dirs independent directions; a backend may run them
 * concurrently. Backward-data must follow the forward of the same args and come
 * before backward-weights. */
gboolean      pb_backend_lstm_forward          (PbBackend          *backend,
                                                const PbLstmArgs   *args,
                                                guint               n_dirs,
                                                GError            **error);
gboolean      pb_backend_lstm_backward_data    (PbBackend          *backend,
                                                const PbLstmArgs   *args,
                                                guint               n_dirs,
                                                GError            **error);
gboolean      pb_backend_lstm_backward_weights (PbBackend          *backend,
                                                const PbLstmArgs   *args,
                                                guint               n_dirs,
                                                GError            **error);

/* c (m, n) = alpha · op(a) · op(b) + beta · c, row-major; op(a) is (m, k). */
void          pb_backend_gemm                  (PbBackend          *backend,
                                                gboolean            trans_a,
                                                gboolean            trans_b,
                                                guint               m,
                                                guint               n,
                                                guint               k,
                                                float               alpha,
                                                const float        *a,
                                                guint               lda,
                                                const float        *b,
                                                guint               ldb,
                                                float               beta,
                                                float              *c,
                                                guint               ldc);
/* y (rows, n) = x + bias broadcast over rows (y may be x). */
void          pb_backend_add_bias              (PbBackend          *backend,
                                                float              *y,
                                                const float        *x,
                                                const float        *bias,
                                                guint               rows,
                                                guint               n);
/* dbias (n) += Σ over rows of dy (rows, n). */
void          pb_backend_sum_rows              (PbBackend          *backend,
                                                float              *dbias,
                                                const float        *dy,
                                                guint               rows,
                                                guint               n);
/* y = act (x), element-wise over n values (y may be x). */
void          pb_backend_activation_forward    (PbBackend          *backend,
                                                PbActivation        act,
                                                float              *y,
                                                const float        *x,
                                                gsize               n);
/* dx = dy · act'(x), computed from the output y = act (x) (dx may be dy). */
void          pb_backend_activation_backward   (PbBackend          *backend,
                                                PbActivation        act,
                                                float              *dx,
                                                const float        *dy,
                                                const float        *y,
                                                gsize               n);
void          pb_backend_synchronize           (PbBackend          *backend);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (PbBackend, pb_backend_free)

G_END_DECLS
