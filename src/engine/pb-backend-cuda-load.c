/* pb-backend-cuda-load.c — opens libcudart, libcublas and libcudnn on first use.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "pb-backend-cuda-private.h"

#include "pb-error.h"

#include <dlfcn.h>
#include <string.h>

PbCudaApi _pb_cuda;

/* Opens lib<name>.so.<major> (the library path, then the toolkit's lib dir). */
static void *
open_library (const char  *name,
              int          major,
              GError     **error)
{
  g_autofree char *soname = g_strdup_printf ("lib%s.so.%d", name, major);
  g_autofree char *path = g_build_filename (PB_CUDA_LIBDIR, soname, NULL);
  void *handle;

  handle = dlopen (soname, RTLD_NOW | RTLD_LOCAL);
  if (handle == NULL)
    handle = dlopen (path, RTLD_NOW | RTLD_LOCAL);
  if (handle == NULL)
    g_set_error (error, PB_ENGINE_ERROR, PB_ENGINE_ERROR_UNSUPPORTED,
                 "no CUDA device: cannot load %s: %s", soname, dlerror ());

  return handle;
}

static gboolean
load_symbol (void        *library,
             const char  *library_name,
             const char  *name,
             void        *fn,          /* a function pointer's address */
             GError     **error)
{
  void *symbol = dlsym (library, name);

  if (symbol == NULL)
    {
      g_set_error (error, PB_ENGINE_ERROR, PB_ENGINE_ERROR_UNSUPPORTED,
                   "no CUDA device: %s has no %s (version mismatch?)", library_name, name);
      return FALSE;
    }

  /* POSIX guarantees a function pointer survives this round trip. */
  memcpy (fn, &symbol, sizeof symbol);
  return TRUE;
}

static gboolean
load_libraries_once (GError **error)
{
  void *cudart, *cublas, *cudnn;

#define PB_CUDA_LOAD(name) \
  if (!load_symbol (library, library_name, #name, &_pb_cuda.fn_##name, error)) \
    return FALSE;

  if ((cudart = open_library ("cudart", CUDART_VERSION / 1000, error)) == NULL ||
      (cublas = open_library ("cublas", CUBLAS_VER_MAJOR, error)) == NULL ||
      (cudnn = open_library ("cudnn", CUDNN_MAJOR, error)) == NULL)
    return FALSE;

  {
    void *library = cudart;
    const char *library_name = "libcudart";

    PB_CUDART_FUNCS (PB_CUDA_LOAD)
  }
  {
    void *library = cublas;
    const char *library_name = "libcublas";

    PB_CUBLAS_FUNCS (PB_CUDA_LOAD)
  }
  {
    void *library = cudnn;
    const char *library_name = "libcudnn";

    PB_CUDNN_FUNCS (PB_CUDA_LOAD)
  }

#undef PB_CUDA_LOAD

  /* The libraries stay loaded for the life of the process. */
  return TRUE;
}

/**
 * _pb_cuda_load:
 * @error: return location for a #GError
 *
 * Loads the libraries on the first call; later calls repeat its outcome.
 *
 * Returns: %TRUE when every function of the table is set; %FALSE with
 *   %PB_ENGINE_ERROR_UNSUPPORTED ("no CUDA device: cannot load …") otherwise
 */
gboolean
_pb_cuda_load (GError **error)
{
  static gsize once = 0;
  static gboolean loaded = FALSE;
  static char *load_error = NULL;

  if (g_once_init_enter (&once))
    {
      g_autoptr(GError) local_error = NULL;

      loaded = load_libraries_once (&local_error);
      if (!loaded)
        load_error = g_strdup (local_error->message);
      g_once_init_leave (&once, 1);
    }

  if (!loaded)
    g_set_error_literal (error, PB_ENGINE_ERROR, PB_ENGINE_ERROR_UNSUPPORTED, load_error);

  return loaded;
}
