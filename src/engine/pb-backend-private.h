/* pb-backend-private.h — the backend vtable that implementations fill in.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "pb-backend.h"

G_BEGIN_DECLS

typedef struct _PbBackendVTable PbBackendVTable;

struct _PbBackendVTable
{
  const char *(*get_name)              (PbBackend *backend);
  gboolean    (*lstm_forward)          (PbBackend *backend, const PbLstmArgs *args, guint n_dirs, GError **error);
  gboolean    (*lstm_backward_data)    (PbBackend *backend, const PbLstmArgs *args, guint n_dirs, GError **error);
  gboolean    (*lstm_backward_weights) (PbBackend *backend, const PbLstmArgs *args, guint n_dirs, GError **error); /* (optional): attacks skip it */
  void        (*gemm)                  (PbBackend *backend, gboolean trans_a, gboolean trans_b,
                                        guint m, guint n, guint k, float alpha,
                                        const float *a, guint lda, const float *b, guint ldb,
                                        float beta, float *c, guint ldc);
  void        (*add_bias)              (PbBackend *backend, float *y, const float *x, const float *bias, guint rows, guint n);
  void        (*sum_rows)              (PbBackend *backend, float *dbias, const float *dy, guint rows, guint n);
  void        (*activation_forward)    (PbBackend *backend, PbActivation act, float *y, const float *x, gsize n);
  void        (*activation_backward)   (PbBackend *backend, PbActivation act, float *dx, const float *dy, const float *y, gsize n);
  void        (*set_n_threads)         (PbBackend *backend, guint n_threads);                                     /* (optional) */
  void        (*synchronize)           (PbBackend *backend);                                                      /* (optional) */
  void        (*free)                  (PbBackend *backend);
};

/* Every backend struct starts with this. */
struct _PbBackend
{
  const PbBackendVTable *vtable;
  PbBackendKind          kind;
};

PbBackend *_pb_backend_cpu_new   (void);

/* Only built with the cuda backend (PB_HAVE_CUDA). */
PbBackend *_pb_backend_cuda_new  (GError **error);
gboolean   _pb_backend_cuda_probe (GError **error);

G_END_DECLS
