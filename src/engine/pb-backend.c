/* pb-backend.c — dispatch through the backend vtable.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "pb-backend-private.h"

#include "pb-error.h"

/**
 * pb_backend_new:
 * @kind: which implementation
 * @error: return location for a #GError
 *
 * The CPU backend runs its own worker threads (pb_backend_set_n_threads(),
 * one per processor by default) and switches OpenBLAS to one thread for the
 * whole process, so that the two never compete for the same cores.
 *
 * Returns: (transfer full): a backend for one thread, or %NULL with @error set
 *   (%PB_ENGINE_ERROR_UNSUPPORTED when @kind is not built in)
 */
PbBackend *
pb_backend_new (PbBackendKind   kind,
                GError        **error)
{
  switch (kind)
    {
    case PB_BACKEND_KIND_CPU:
      return _pb_backend_cpu_new ();

    case PB_BACKEND_KIND_CUDA:
#ifdef PB_HAVE_CUDA
      return _pb_backend_cuda_new (error);
#endif
    default:
      g_set_error (error, PB_ENGINE_ERROR, PB_ENGINE_ERROR_UNSUPPORTED,
                   "The CUDA backend is not built into this Perturb "
                   "(it was configured without nvcc and cuDNN, or with -Dcuda=disabled)");
      return NULL;
    }
}

/* The kind pb_model_new() uses; set once at start-up (the CLI's --backend). */
static gint default_kind = PB_BACKEND_KIND_CPU;

/**
 * pb_backend_set_default_kind:
 * @kind: the backend new models run on
 *
 * Call it before creating models, typically once after resolving the user's
 * choice with pb_backend_resolve_name().
 */
void
pb_backend_set_default_kind (PbBackendKind kind)
{
  g_atomic_int_set (&default_kind, (gint) kind);
}

PbBackendKind
pb_backend_get_default_kind (void)
{
  return (PbBackendKind) g_atomic_int_get (&default_kind);
}

const char *
pb_backend_kind_get_name (PbBackendKind kind)
{
  switch (kind)
    {
    case PB_BACKEND_KIND_CPU:
      return "cpu";

    case PB_BACKEND_KIND_CUDA:
      return "cuda";

    default:
      return NULL;
    }
}

gboolean
pb_backend_kind_from_name (const char    *name,
                           PbBackendKind *kind)
{
  if (g_strcmp0 (name, "cpu") == 0)
    *kind = PB_BACKEND_KIND_CPU;
  else if (g_strcmp0 (name, "cuda") == 0)
    *kind = PB_BACKEND_KIND_CUDA;
  else
    return FALSE;

  return TRUE;
}

/**
 * pb_backend_kind_is_available:
 * @kind: a backend kind
 * @error: return location for a #GError
 *
 * Whether pb_backend_new() can create @kind here: it is built in and, for
 * cuda, a device answers. Creates nothing.
 *
 * Returns: %TRUE when available; %FALSE with %PB_ENGINE_ERROR_UNSUPPORTED and
 *   the reason ("no CUDA device: …", or not built) otherwise
 */
gboolean
pb_backend_kind_is_available (PbBackendKind   kind,
                              GError        **error)
{
  switch (kind)
    {
    case PB_BACKEND_KIND_CPU:
      return TRUE;

    case PB_BACKEND_KIND_CUDA:
#ifdef PB_HAVE_CUDA
      return _pb_backend_cuda_probe (error);
#endif
    default:
      g_set_error (error, PB_ENGINE_ERROR, PB_ENGINE_ERROR_UNSUPPORTED,
                   "The CUDA backend is not built into this Perturb "
                   "(it was configured without nvcc and cuDNN, or with -Dcuda=disabled)");
      return FALSE;
    }
}

/**
 * pb_backend_resolve_name:
 * @name: "cpu", "cuda" or "auto" (%NULL means "cpu")
 * @kind: (out): the backend to use
 * @note: (out) (optional) (nullable) (transfer full): for "auto" falling back
 *   to cpu, why; %NULL otherwise
 * @error: return location for a #GError
 *
 * "auto" is cuda when available, else cpu (never an error). "cuda" without a
 * device is %PB_ENGINE_ERROR_UNSUPPORTED with the reason; an unknown name is
 * %PB_ENGINE_ERROR_INVALID_ARGUMENT.
 *
 * Returns: %TRUE when @kind is set
 */
gboolean
pb_backend_resolve_name (const char     *name,
                         PbBackendKind  *kind,
                         char          **note,
                         GError        **error)
{
  g_autoptr(GError) local_error = NULL;

  g_return_val_if_fail (kind != NULL, FALSE);

  if (note != NULL)
    *note = NULL;

  if (name == NULL)
    name = "cpu";

  if (g_strcmp0 (name, "auto") == 0)
    {
      if (pb_backend_kind_is_available (PB_BACKEND_KIND_CUDA, &local_error))
        *kind = PB_BACKEND_KIND_CUDA;
      else
        {
          *kind = PB_BACKEND_KIND_CPU;
          if (note != NULL)
            *note = g_strdup_printf ("Backend auto: using cpu (%s)", local_error->message);
        }
      return TRUE;
    }

  if (!pb_backend_kind_from_name (name, kind))
    {
      g_set_error (error, PB_ENGINE_ERROR, PB_ENGINE_ERROR_INVALID_ARGUMENT,
                   "Unknown backend “%s” (expected cpu, cuda or auto)", name);
      return FALSE;
    }

  if (!pb_backend_kind_is_available (*kind, &local_error))
    {
      g_set_error (error, PB_ENGINE_ERROR, PB_ENGINE_ERROR_UNSUPPORTED,
                   "Backend %s is unavailable: %s", name, local_error->message);
      return FALSE;
    }

  return TRUE;
}

/**
 * pb_backend_new_by_name:
 * @name: "cpu", "cuda" or "auto" (see pb_backend_resolve_name())
 * @note: (out) (optional) (nullable) (transfer full): why "auto" fell back to cpu
 * @error: return location for a #GError
 *
 * Returns: (transfer full): a backend, or %NULL with @error set
 */
PbBackend *
pb_backend_new_by_name (const char  *name,
                        char       **note,
                        GError     **error)
{
  g_autoptr(GError) local_error = NULL;
  PbBackendKind kind;
  PbBackend *backend;

  if (!pb_backend_resolve_name (name, &kind, note, error))
    return NULL;

  if (g_strcmp0 (name, "auto") != 0 || kind == PB_BACKEND_KIND_CPU)
    return pb_backend_new (kind, error);

  /* auto: a device that answers the probe may still fail to set up. */
  backend = pb_backend_new (kind, &local_error);
  if (backend != NULL)
    return backend;
  if (note != NULL)
    *note = g_strdup_printf ("Backend auto: using cpu (%s)", local_error->message);

  return pb_backend_new (PB_BACKEND_KIND_CPU, error);
}

void
pb_backend_free (PbBackend *backend)
{
  if (backend != NULL)
    backend->vtable->free (backend);
}

PbBackendKind
pb_backend_get_kind (PbBackend *backend)
{
  g_return_val_if_fail (backend != NULL, PB_BACKEND_KIND_CPU);

  return backend->kind;
}

const char *
pb_backend_get_name (PbBackend *backend)
{
  g_return_val_if_fail (backend != NULL, NULL);

  return backend->vtable->get_name (backend);
}

/**
 * pb_backend_set_n_threads:
 * @backend: a backend
 * @n_threads: worker threads for one call, or 0 for one per processor
 *
 * Backends without host threads ignore it.
 */
void
pb_backend_set_n_threads (PbBackend *backend,
                          guint      n_threads)
{
  g_return_if_fail (backend != NULL);

  if (backend->vtable->set_n_threads != NULL)
    backend->vtable->set_n_threads (backend, n_threads);
}

/**
 * pb_backend_lstm_forward:
 * @backend: a backend
 * @args: (array length=n_dirs): directions to run; reads x and weights, writes h, c, gates
 * @n_dirs: number of directions
 * @error: return location for a #GError
 *
 * Returns: %TRUE on success
 */
gboolean
pb_backend_lstm_forward (PbBackend        *backend,
                         const PbLstmArgs *args,
                         guint             n_dirs,
                         GError          **error)
{
  g_return_val_if_fail (backend != NULL, FALSE);
  g_return_val_if_fail (args != NULL || n_dirs == 0, FALSE);

  return backend->vtable->lstm_forward (backend, args, n_dirs, error);
}

/**
 * pb_backend_lstm_backward_data:
 * @backend: a backend
 * @args: (array length=n_dirs): directions after their forward; reads dh (and
 *   adds the recurrent gradient to it), writes dgates and dx when set
 * @n_dirs: number of directions
 * @error: return location for a #GError
 *
 * Returns: %TRUE on success
 */
gboolean
pb_backend_lstm_backward_data (PbBackend        *backend,
                               const PbLstmArgs *args,
                               guint             n_dirs,
                               GError          **error)
{
  g_return_val_if_fail (backend != NULL, FALSE);
  g_return_val_if_fail (args != NULL || n_dirs == 0, FALSE);

  return backend->vtable->lstm_backward_data (backend, args, n_dirs, error);
}

/**
 * pb_backend_lstm_backward_weights:
 * @backend: a backend
 * @args: (array length=n_dirs): directions after their backward-data; adds to
 *   dw_ih, dw_hh, db_ih and db_hh
 * @n_dirs: number of directions
 * @error: return location for a #GError
 *
 * Returns: %TRUE on success
 */
gboolean
pb_backend_lstm_backward_weights (PbBackend        *backend,
                                  const PbLstmArgs *args,
                                  guint             n_dirs,
                                  GError          **error)
{
  g_return_val_if_fail (backend != NULL, FALSE);
  g_return_val_if_fail (args != NULL || n_dirs == 0, FALSE);

  if (backend->vtable->lstm_backward_weights == NULL)
    {
      g_set_error (error, PB_ENGINE_ERROR, PB_ENGINE_ERROR_UNSUPPORTED,
                   "Backend %s cannot compute weight gradients",
                   pb_backend_get_name (backend));
      return FALSE;
    }

  return backend->vtable->lstm_backward_weights (backend, args, n_dirs, error);
}

void
pb_backend_gemm (PbBackend   *backend,
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
  backend->vtable->gemm (backend, trans_a, trans_b, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
}

void
pb_backend_add_bias (PbBackend   *backend,
                     float       *y,
                     const float *x,
                     const float *bias,
                     guint        rows,
                     guint        n)
{
  backend->vtable->add_bias (backend, y, x, bias, rows, n);
}

void
pb_backend_sum_rows (PbBackend   *backend,
                     float       *dbias,
                     const float *dy,
                     guint        rows,
                     guint        n)
{
  backend->vtable->sum_rows (backend, dbias, dy, rows, n);
}

void
pb_backend_activation_forward (PbBackend    *backend,
                               PbActivation  act,
                               float        *y,
                               const float  *x,
                               gsize         n)
{
  backend->vtable->activation_forward (backend, act, y, x, n);
}

void
pb_backend_activation_backward (PbBackend    *backend,
                                PbActivation  act,
                                float        *dx,
                                const float  *dy,
                                const float  *y,
                                gsize         n)
{
  backend->vtable->activation_backward (backend, act, dx, dy, y, n);
}

void
pb_backend_synchronize (PbBackend *backend)
{
  g_return_if_fail (backend != NULL);

  if (backend->vtable->synchronize != NULL)
    backend->vtable->synchronize (backend);
}
