/* pb-backend-cuda.c — the cuda backend: cuDNN 9 RNN (v8 API) LSTM and cuBLAS GEMM.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

/* The backend table works on one LSTM direction at a time, on host buffers in
 * PyTorch's packed layout (see pb-backend.h). That layout is exactly cuDNN's
 * CUDNN_RNN_DATA_LAYOUT_SEQ_MAJOR_PACKED (time-major, no padding, sequences
 * sorted longest first), so each direction runs as one *unidirectional*
 * single-layer cuDNN LSTM on the rows the model packed for it: the reverse
 * direction's rows are already in its processing order (t = L − 1 − s), and
 * each sequence's length is the number of steps in which it still runs. This
 * gives PyTorch's pack_padded_sequence semantics (the reverse direction starts
 * at t = L − 1) without any padding, and lets the two directions run different
 * numbers of steps (the seed preset reads one reverse step only).
 *
 * What stays on the device, per direction: the weight space W and its gradient
 * dW (one allocation each, carved by cudnnGetRNNWeightParams), x, y, dy, dx and
 * the reserve space that links the TRAINING forward to both backward calls.
 * Host buffers are copied in and out around each call (one copy per tensor).
 *
 * Differences from the cpu backend's contract, all invisible to pb-model.c:
 *  - c and gates are not written (cuDNN keeps its intermediates in the reserve
 *    space); dh is read but the recurrent gradient is not added back into it;
 *    dgates is not used (backward-weights works from the reserve space).
 *  - cuDNN's weight gradient only ADDs (CUDNN_WGRAD_MODE_ADD): dW is zeroed
 *    on the device before each backward-weights, then added to the host
 *    gradients, so the host side keeps the "accumulate" contract.
 *  - Math is CUDNN_FMA_MATH (no TF32) and cuBLAS runs in its default FP32 mode,
 *    for parity with the cpu backend. Element-wise operations, which work on
 *    host buffers, run on an internal cpu backend.
 *
 * Order of calls per direction (engine-notes.md §1.10): forward (TRAINING) →
 * backward-data (it mutates the reserve space) → backward-weights. */

#include "config.h"

#include "pb-backend-private.h"
#include "pb-backend-cuda-private.h"

#include "pb-error.h"

#include <string.h>

/* Weight-space pieces of one direction: linLayerID 0 … 3 multiply x (gates
 * i, f, g, o: rows k·H … (k+1)·H − 1 of weight_ih), 4 … 7 multiply h(t−1)
 * (rows of weight_hh); each has a matrix and a bias (bias_ih, bias_hh). */
#define N_LIN_LAYERS 8

typedef struct
{
  /* Built for (n_input, n_hidden); rebuilt when they change. */
  guint                     n_input;
  guint                     n_hidden;
  cudnnRNNDescriptor_t      rnn;
  gsize                     weight_bytes;
  float                    *w;                       /* device weight space */
  float                    *dw;                      /* device, same layout */
  float                    *w_host;                  /* host image of w or dw */
  gsize                     m_offset[N_LIN_LAYERS];  /* floats from the start */
  gsize                     b_offset[N_LIN_LAYERS];

  /* The last forward. */
  gboolean                  have_forward;
  gboolean                  have_backward_data;
  cudnnRNNDataDescriptor_t  x_desc;
  cudnnRNNDataDescriptor_t  y_desc;
  cudnnTensorDescriptor_t   h_desc;                  /* (1, B, H) */
  int                      *seq_lengths;             /* (B) host */
  guint                     cap_batch;
  guint                     batch;
  gsize                     n_rows;

  float                    *x;                       /* (N, I) device */
  float                    *y;                       /* (N, H) */
  float                    *dy;                      /* (N, H) */
  float                    *dx;                      /* (N, I) */
  gsize                     cap_rows;
  void                     *reserve;
  gsize                     reserve_bytes;
  gsize                     cap_reserve;
} PbCudaDirection;

typedef struct
{
  PbBackend                 parent;

  PbBackend                *cpu;          /* element-wise ops on host buffers */
  int                       device;
  cudaStream_t              stream;
  cudnnHandle_t             cudnn;
  cublasHandle_t            cublas;
  cudnnDropoutDescriptor_t  dropout;      /* p = 0: required by the descriptor */

  void                     *work;
  gsize                     cap_work;
  float                    *zeros;        /* (cap_zeros) dhy = dcy = 0 */
  gsize                     cap_zeros;

  PbCudaDirection          *dirs;
  guint                     n_dirs;

  /* GEMM staging. */
  float                    *gemm_buf;
  gsize                     cap_gemm;
} PbBackendCuda;

/* ---- errors --------------------------------------------------------------- */

static gboolean
check_cuda (cudaError_t   status,
            const char   *what,
            GError      **error)
{
  if (status == cudaSuccess)
    return TRUE;

  g_set_error (error, PB_ENGINE_ERROR, PB_ENGINE_ERROR_FAILED,
               "CUDA: %s failed: %s (%d)", what, cudaGetErrorString (status), (int) status);
  return FALSE;
}

static gboolean
check_cudnn (cudnnStatus_t   status,
             const char     *what,
             GError        **error)
{
  if (status == CUDNN_STATUS_SUCCESS)
    return TRUE;

  g_set_error (error, PB_ENGINE_ERROR, PB_ENGINE_ERROR_FAILED,
               "cuDNN: %s failed: %s (%d)", what, cudnnGetErrorString (status), (int) status);
  return FALSE;
}

static gboolean
check_cublas (cublasStatus_t   status,
              const char      *what,
              GError         **error)
{
  if (status == CUBLAS_STATUS_SUCCESS)
    return TRUE;

  g_set_error (error, PB_ENGINE_ERROR, PB_ENGINE_ERROR_FAILED,
               "cuBLAS: %s failed: %s (%d)", what, cublasGetStatusString (status), (int) status);
  return FALSE;
}

#define CUDA_TRY(call)   G_STMT_START { if (!check_cuda ((call), #call, error)) return FALSE; } G_STMT_END
#define CUDNN_TRY(call)  G_STMT_START { if (!check_cudnn ((call), #call, error)) return FALSE; } G_STMT_END
#define CUBLAS_TRY(call) G_STMT_START { if (!check_cublas ((call), #call, error)) return FALSE; } G_STMT_END

/* ---- device memory -------------------------------------------------------- */

static gboolean
device_ensure (void    **ptr,
               gsize    *cap,
               gsize     bytes,
               GError  **error)
{
  if (bytes <= *cap && *ptr != NULL)
    return TRUE;

  if (*ptr != NULL)
    cudaFree (*ptr);
  *ptr = NULL;
  *cap = 0;

  /* Grow by half again, so that slowly growing batches do not reallocate. */
  bytes = MAX (bytes + bytes / 2, (gsize) 256);
  CUDA_TRY (cudaMalloc (ptr, bytes));
  *cap = bytes;

  return TRUE;
}

static void
device_clear (void **ptr)
{
  if (*ptr != NULL)
    cudaFree (*ptr);
  *ptr = NULL;
}

/* ---- one direction -------------------------------------------------------- */

static void
direction_clear (PbCudaDirection *dir)
{
  if (dir->rnn != NULL)
    cudnnDestroyRNNDescriptor (dir->rnn);
  if (dir->x_desc != NULL)
    cudnnDestroyRNNDataDescriptor (dir->x_desc);
  if (dir->y_desc != NULL)
    cudnnDestroyRNNDataDescriptor (dir->y_desc);
  if (dir->h_desc != NULL)
    cudnnDestroyTensorDescriptor (dir->h_desc);
  device_clear ((void **) &dir->w);
  device_clear ((void **) &dir->dw);
  device_clear ((void **) &dir->x);
  device_clear ((void **) &dir->y);
  device_clear ((void **) &dir->dy);
  device_clear ((void **) &dir->dx);
  device_clear (&dir->reserve);
  g_free (dir->w_host);
  g_free (dir->seq_lengths);
  memset (dir, 0, sizeof *dir);
}

/* The RNN descriptor and weight space for (I, H), with the offset of every
 * gate matrix and bias (engine-notes.md §1.4). */
static gboolean
direction_ensure_rnn (PbBackendCuda    *self,
                      PbCudaDirection  *dir,
                      guint             n_input,
                      guint             n_hidden,
                      GError          **error)
{
  cudnnTensorDescriptor_t m_desc = NULL;
  cudnnTensorDescriptor_t b_desc = NULL;
  size_t bytes = 0;
  gboolean ok = FALSE;

  if (dir->rnn != NULL && dir->n_input == n_input && dir->n_hidden == n_hidden)
    return TRUE;

  if (dir->rnn != NULL)
    cudnnDestroyRNNDescriptor (dir->rnn);
  dir->rnn = NULL;
  device_clear ((void **) &dir->w);
  device_clear ((void **) &dir->dw);
  g_clear_pointer (&dir->w_host, g_free);
  dir->have_forward = FALSE;
  dir->n_input = 0;
  dir->n_hidden = 0;

  CUDNN_TRY (cudnnCreateRNNDescriptor (&dir->rnn));
  CUDNN_TRY (cudnnSetRNNDescriptor_v8 (dir->rnn,
                                       CUDNN_RNN_ALGO_STANDARD,
                                       CUDNN_LSTM,
                                       CUDNN_RNN_DOUBLE_BIAS,     /* b_ih and b_hh */
                                       CUDNN_UNIDIRECTIONAL,      /* one direction per call */
                                       CUDNN_LINEAR_INPUT,
                                       CUDNN_DATA_FLOAT,
                                       CUDNN_DATA_FLOAT,
                                       CUDNN_FMA_MATH,            /* no TF32: parity with cpu */
                                       (int32_t) n_input,
                                       (int32_t) n_hidden,
                                       (int32_t) n_hidden,        /* projSize = H: no projection */
                                       1,
                                       self->dropout,
                                       CUDNN_RNN_PADDED_IO_DISABLED));
  CUDNN_TRY (cudnnGetRNNWeightSpaceSize (self->cudnn, dir->rnn, &bytes));
  CUDA_TRY (cudaMalloc ((void **) &dir->w, bytes));
  CUDA_TRY (cudaMalloc ((void **) &dir->dw, bytes));
  dir->weight_bytes = bytes;
  dir->w_host = g_malloc0 (bytes);
  dir->n_input = n_input;
  dir->n_hidden = n_hidden;

  if (!check_cudnn (cudnnCreateTensorDescriptor (&m_desc), "cudnnCreateTensorDescriptor", error) ||
      !check_cudnn (cudnnCreateTensorDescriptor (&b_desc), "cudnnCreateTensorDescriptor", error))
    goto out;

  for (int id = 0; id < N_LIN_LAYERS; id++)
    {
      const gsize cols = id < 4 ? n_input : n_hidden;
      void *m_addr = NULL;
      void *b_addr = NULL;
      cudnnDataType_t type;
      int dims[3] = { 0, 0, 0 };
      int strides[3] = { 0, 0, 0 };
      int n_dims = 0;
      gsize m_elems = 1;
      gsize b_elems = 1;

      if (!check_cudnn (cudnnGetRNNWeightParams (self->cudnn, dir->rnn, 0, bytes, dir->w, id,
                                                 m_desc, &m_addr, b_desc, &b_addr),
                        "cudnnGetRNNWeightParams", error))
        goto out;

      /* A gate matrix is H × cols row-major, a bias H values: check, as
       * PyTorch does, by the product of the dimensions. */
      if (!check_cudnn (cudnnGetTensorNdDescriptor (m_desc, 3, &type, &n_dims, dims, strides),
                        "cudnnGetTensorNdDescriptor", error))
        goto out;
      for (int k = 0; k < MIN (n_dims, 3); k++)
        m_elems *= (gsize) dims[k];
      if (!check_cudnn (cudnnGetTensorNdDescriptor (b_desc, 3, &type, &n_dims, dims, strides),
                        "cudnnGetTensorNdDescriptor", error))
        goto out;
      for (int k = 0; k < MIN (n_dims, 3); k++)
        b_elems *= (gsize) dims[k];

      if (m_addr == NULL || b_addr == NULL ||
          m_elems != (gsize) n_hidden * cols || b_elems != n_hidden)
        {
          g_set_error (error, PB_ENGINE_ERROR, PB_ENGINE_ERROR_FAILED,
                       "cuDNN: unexpected weight layout for linear layer %d "
                       "(%" G_GSIZE_FORMAT " and %" G_GSIZE_FORMAT " values, expected %"
                       G_GSIZE_FORMAT " and %u)",
                       id, m_elems, b_elems, (gsize) n_hidden * cols, n_hidden);
          goto out;
        }

      dir->m_offset[id] = (gsize) ((char *) m_addr - (char *) dir->w) / sizeof (float);
      dir->b_offset[id] = (gsize) ((char *) b_addr - (char *) dir->w) / sizeof (float);
    }

  ok = TRUE;

out:
  if (m_desc != NULL)
    cudnnDestroyTensorDescriptor (m_desc);
  if (b_desc != NULL)
    cudnnDestroyTensorDescriptor (b_desc);
  if (!ok)
    {
      cudnnDestroyRNNDescriptor (dir->rnn);
      dir->rnn = NULL;
    }

  return ok;
}

/* Host image of the weight space from PyTorch's four tensors, then one copy. */
static gboolean
direction_upload_weights (PbBackendCuda    *self,
                          PbCudaDirection  *dir,
                          const PbLstmArgs *a,
                          GError          **error)
{
  const gsize H = a->n_hidden;

  memset (dir->w_host, 0, dir->weight_bytes);
  for (guint id = 0; id < N_LIN_LAYERS; id++)
    {
      const guint k = id % 4;
      const gsize cols = id < 4 ? a->n_input : H;
      const float *m = id < 4 ? a->w_ih : a->w_hh;
      const float *b = id < 4 ? a->b_ih : a->b_hh;

      memcpy (dir->w_host + dir->m_offset[id], m + k * H * cols, sizeof (float) * H * cols);
      memcpy (dir->w_host + dir->b_offset[id], b + k * H, sizeof (float) * H);
    }

  CUDA_TRY (cudaMemcpyAsync (dir->w, dir->w_host, dir->weight_bytes, cudaMemcpyHostToDevice,
                             self->stream));
  /* w_host is reused by the next direction: wait for the copy. */
  CUDA_TRY (cudaStreamSynchronize (self->stream));

  return TRUE;
}

/* Data descriptors for the packed batch: B = batch_sizes[0] sequences, each as
 * long as the number of steps in which it still runs. */
static gboolean
direction_set_batch (PbBackendCuda    *self,
                     PbCudaDirection  *dir,
                     const PbLstmArgs *a,
                     GError          **error)
{
  const guint B = a->batch_sizes[0];
  const guint H = a->n_hidden;
  const int h_dims[3] = { 1, (int) B, (int) H };
  const int h_strides[3] = { (int) (B * H), (int) H, 1 };
  float fill = 0.0f;
  gsize rows = 0;

  for (guint s = 0; s < a->n_steps; s++)
    {
      if (a->offsets[s] != rows || a->batch_sizes[s] == 0 ||
          (s > 0 && a->batch_sizes[s] > a->batch_sizes[s - 1]))
        {
          g_set_error (error, PB_ENGINE_ERROR, PB_ENGINE_ERROR_INVALID_ARGUMENT,
                       "CUDA backend: step %u of the packed batch is not contiguous or not "
                       "sorted longest first", s);
          return FALSE;
        }
      rows += a->batch_sizes[s];
    }
  if (rows != a->n_rows)
    {
      g_set_error (error, PB_ENGINE_ERROR, PB_ENGINE_ERROR_INVALID_ARGUMENT,
                   "CUDA backend: %u packed rows given, the steps hold %" G_GSIZE_FORMAT,
                   a->n_rows, rows);
      return FALSE;
    }

  if (B > dir->cap_batch)
    {
      g_free (dir->seq_lengths);
      dir->seq_lengths = g_new (int, B);
      dir->cap_batch = B;
    }
  for (guint j = 0; j < B; j++)
    {
      int len = 0;

      while ((guint) len < a->n_steps && a->batch_sizes[len] > j)
        len++;
      dir->seq_lengths[j] = len;
    }

  if (dir->x_desc == NULL)
    {
      CUDNN_TRY (cudnnCreateRNNDataDescriptor (&dir->x_desc));
      CUDNN_TRY (cudnnCreateRNNDataDescriptor (&dir->y_desc));
      CUDNN_TRY (cudnnCreateTensorDescriptor (&dir->h_desc));
    }
  CUDNN_TRY (cudnnSetRNNDataDescriptor (dir->x_desc, CUDNN_DATA_FLOAT,
                                        CUDNN_RNN_DATA_LAYOUT_SEQ_MAJOR_PACKED,
                                        (int) a->n_steps, (int) B, (int) a->n_input,
                                        dir->seq_lengths, &fill));
  CUDNN_TRY (cudnnSetRNNDataDescriptor (dir->y_desc, CUDNN_DATA_FLOAT,
                                        CUDNN_RNN_DATA_LAYOUT_SEQ_MAJOR_PACKED,
                                        (int) a->n_steps, (int) B, (int) H,
                                        dir->seq_lengths, &fill));
  CUDNN_TRY (cudnnSetTensorNdDescriptor (dir->h_desc, CUDNN_DATA_FLOAT, 3, h_dims, h_strides));

  dir->batch = B;
  dir->n_rows = rows;

  /* Device tensors for N rows. */
  if (rows > dir->cap_rows)
    {
      const gsize cap = rows + rows / 2;

      device_clear ((void **) &dir->x);
      device_clear ((void **) &dir->y);
      device_clear ((void **) &dir->dy);
      device_clear ((void **) &dir->dx);
      dir->cap_rows = 0;
      CUDA_TRY (cudaMalloc ((void **) &dir->x, sizeof (float) * cap * a->n_input));
      CUDA_TRY (cudaMalloc ((void **) &dir->dx, sizeof (float) * cap * a->n_input));
      CUDA_TRY (cudaMalloc ((void **) &dir->y, sizeof (float) * cap * H));
      CUDA_TRY (cudaMalloc ((void **) &dir->dy, sizeof (float) * cap * H));
      dir->cap_rows = cap;
    }

  return TRUE;
}

static gboolean
check_args (const PbLstmArgs  *a,
            GError           **error)
{
  if (a->n_steps == 0 || a->n_hidden == 0 || a->n_input == 0 ||
      a->batch_sizes == NULL || a->offsets == NULL)
    {
      g_set_error (error, PB_ENGINE_ERROR, PB_ENGINE_ERROR_INVALID_ARGUMENT,
                   "CUDA backend: an LSTM direction needs at least one step, input and hidden unit");
      return FALSE;
    }

  return TRUE;
}

static gboolean
ensure_directions (PbBackendCuda  *self,
                   guint           n_dirs)
{
  if (n_dirs <= self->n_dirs)
    return TRUE;

  self->dirs = g_renew (PbCudaDirection, self->dirs, n_dirs);
  memset (self->dirs + self->n_dirs, 0, sizeof (PbCudaDirection) * (n_dirs - self->n_dirs));
  self->n_dirs = n_dirs;

  return TRUE;
}

/* ---- vtable --------------------------------------------------------------- */

static const char *
pb_backend_cuda_get_name (PbBackend *backend)
{
  return "cuda";
}

static gboolean
pb_backend_cuda_lstm_forward (PbBackend         *backend,
                              const PbLstmArgs  *args,
                              guint              n_dirs,
                              GError           **error)
{
  PbBackendCuda *self = (PbBackendCuda *) backend;

  ensure_directions (self, n_dirs);

  for (guint d = 0; d < n_dirs; d++)
    {
      const PbLstmArgs *a = &args[d];
      PbCudaDirection *dir = &self->dirs[d];
      size_t work_bytes = 0;
      size_t reserve_bytes = 0;

      dir->have_forward = FALSE;
      dir->have_backward_data = FALSE;
      if (!check_args (a, error) ||
          !direction_ensure_rnn (self, dir, a->n_input, a->n_hidden, error) ||
          !direction_upload_weights (self, dir, a, error) ||
          !direction_set_batch (self, dir, a, error))
        return FALSE;

      /* Always TRAINING: the table does not say whether a backward follows. */
      CUDNN_TRY (cudnnGetRNNTempSpaceSizes (self->cudnn, dir->rnn, CUDNN_FWD_MODE_TRAINING,
                                            dir->x_desc, &work_bytes, &reserve_bytes));
      if (!device_ensure (&self->work, &self->cap_work, work_bytes, error) ||
          !device_ensure (&dir->reserve, &dir->cap_reserve, reserve_bytes, error))
        return FALSE;
      dir->reserve_bytes = reserve_bytes;

      CUDA_TRY (cudaMemcpyAsync (dir->x, a->x, sizeof (float) * a->n_rows * a->n_input,
                                 cudaMemcpyHostToDevice, self->stream));
      CUDNN_TRY (cudnnRNNForward (self->cudnn, dir->rnn, CUDNN_FWD_MODE_TRAINING,
                                  NULL,                         /* devSeqLengths: not needed on cuDNN 9 */
                                  dir->x_desc, dir->x,
                                  dir->y_desc, dir->y,
                                  dir->h_desc, NULL, NULL,      /* hx = 0 (as torch), hy unused */
                                  dir->h_desc, NULL, NULL,      /* cx = 0, cy unused */
                                  dir->weight_bytes, dir->w,
                                  work_bytes, self->work,
                                  reserve_bytes, dir->reserve));
      CUDA_TRY (cudaMemcpyAsync (a->h, dir->y, sizeof (float) * a->n_rows * a->n_hidden,
                                 cudaMemcpyDeviceToHost, self->stream));
      dir->have_forward = TRUE;
    }

  CUDA_TRY (cudaStreamSynchronize (self->stream));

  return TRUE;
}

static gboolean
pb_backend_cuda_lstm_backward_data (PbBackend         *backend,
                                    const PbLstmArgs  *args,
                                    guint              n_dirs,
                                    GError           **error)
{
  PbBackendCuda *self = (PbBackendCuda *) backend;

  if (n_dirs > self->n_dirs)
    goto no_forward;

  for (guint d = 0; d < n_dirs; d++)
    {
      const PbLstmArgs *a = &args[d];
      PbCudaDirection *dir = &self->dirs[d];
      const gsize state = (gsize) dir->batch * a->n_hidden;
      size_t work_bytes = 0;

      if (!dir->have_forward || dir->n_rows != a->n_rows)
        goto no_forward;

      if (!device_ensure ((void **) &self->zeros, &self->cap_zeros, sizeof (float) * state, error))
        return FALSE;
      CUDA_TRY (cudaMemsetAsync (self->zeros, 0, self->cap_zeros, self->stream));

      CUDNN_TRY (cudnnGetRNNTempSpaceSizes (self->cudnn, dir->rnn, CUDNN_FWD_MODE_TRAINING,
                                            dir->x_desc, &work_bytes, NULL));
      if (!device_ensure (&self->work, &self->cap_work, work_bytes, error))
        return FALSE;

      /* dh holds the upstream gradient of every step's output, including the
       * summary rows: that is dy; the final-state gradients dhy, dcy are 0. */
      CUDA_TRY (cudaMemcpyAsync (dir->dy, a->dh, sizeof (float) * a->n_rows * a->n_hidden,
                                 cudaMemcpyHostToDevice, self->stream));
      CUDNN_TRY (cudnnRNNBackwardData_v8 (self->cudnn, dir->rnn, NULL,
                                          dir->y_desc, dir->y, dir->dy,
                                          dir->x_desc, dir->dx,
                                          dir->h_desc, NULL, self->zeros, NULL,  /* hx, dhy, dhx */
                                          dir->h_desc, NULL, self->zeros, NULL,  /* cx, dcy, dcx */
                                          dir->weight_bytes, dir->w,
                                          work_bytes, self->work,
                                          dir->reserve_bytes, dir->reserve));
      if (a->dx != NULL)
        CUDA_TRY (cudaMemcpyAsync (a->dx, dir->dx, sizeof (float) * a->n_rows * a->n_input,
                                   cudaMemcpyDeviceToHost, self->stream));
      dir->have_backward_data = TRUE;
    }

  CUDA_TRY (cudaStreamSynchronize (self->stream));

  return TRUE;

no_forward:
  g_set_error (error, PB_ENGINE_ERROR, PB_ENGINE_ERROR_INVALID_ARGUMENT,
               "CUDA backend: backward-data must follow the forward of the same batch");
  return FALSE;
}

static gboolean
pb_backend_cuda_lstm_backward_weights (PbBackend         *backend,
                                       const PbLstmArgs  *args,
                                       guint              n_dirs,
                                       GError           **error)
{
  PbBackendCuda *self = (PbBackendCuda *) backend;

  if (n_dirs > self->n_dirs)
    goto no_backward_data;

  for (guint d = 0; d < n_dirs; d++)
    {
      const PbLstmArgs *a = &args[d];
      PbCudaDirection *dir = &self->dirs[d];
      const gsize H = a->n_hidden;
      size_t work_bytes = 0;

      if (!dir->have_backward_data || dir->n_rows != a->n_rows)
        goto no_backward_data;

      CUDNN_TRY (cudnnGetRNNTempSpaceSizes (self->cudnn, dir->rnn, CUDNN_FWD_MODE_TRAINING,
                                            dir->x_desc, &work_bytes, NULL));
      if (!device_ensure (&self->work, &self->cap_work, work_bytes, error))
        return FALSE;

      /* cuDNN only adds (CUDNN_WGRAD_MODE_ADD): start from zero every time. */
      CUDA_TRY (cudaMemsetAsync (dir->dw, 0, dir->weight_bytes, self->stream));
      CUDNN_TRY (cudnnRNNBackwardWeights_v8 (self->cudnn, dir->rnn, CUDNN_WGRAD_MODE_ADD, NULL,
                                             dir->x_desc, dir->x,
                                             dir->h_desc, NULL,
                                             dir->y_desc, dir->y,
                                             dir->weight_bytes, dir->dw,
                                             work_bytes, self->work,
                                             dir->reserve_bytes, dir->reserve));
      CUDA_TRY (cudaMemcpyAsync (dir->w_host, dir->dw, dir->weight_bytes, cudaMemcpyDeviceToHost,
                                 self->stream));
      CUDA_TRY (cudaStreamSynchronize (self->stream));

      /* Accumulate into the host gradients, in PyTorch's layout. */
      for (guint id = 0; id < N_LIN_LAYERS; id++)
        {
          const guint k = id % 4;
          const gsize cols = id < 4 ? a->n_input : H;
          float *dm = (id < 4 ? a->dw_ih : a->dw_hh) + k * H * cols;
          float *db = (id < 4 ? a->db_ih : a->db_hh) + k * H;
          const float *src_m = dir->w_host + dir->m_offset[id];
          const float *src_b = dir->w_host + dir->b_offset[id];

          for (gsize i = 0; i < H * cols; i++)
            dm[i] += src_m[i];
          for (gsize i = 0; i < H; i++)
            db[i] += src_b[i];
        }
    }

  return TRUE;

no_backward_data:
  g_set_error (error, PB_ENGINE_ERROR, PB_ENGINE_ERROR_INVALID_ARGUMENT,
               "CUDA backend: backward-weights must follow backward-data of the same batch");
  return FALSE;
}

/* Row-major c (m, n) = alpha · op(a) · op(b) + beta · c through column-major
 * cuBLAS: cᵀ = op(b)ᵀ · op(a)ᵀ, i.e. swap the operands and m, n. */
static gboolean
cuda_gemm (PbBackendCuda  *self,
           gboolean        trans_a,
           gboolean        trans_b,
           guint           m,
           guint           n,
           guint           k,
           float           alpha,
           const float    *a,
           guint           lda,
           const float    *b,
           guint           ldb,
           float           beta,
           float          *c,
           guint           ldc,
           GError        **error)
{
  const gsize a_len = (gsize) (trans_a ? k : m) * lda;
  const gsize b_len = (gsize) (trans_b ? n : k) * ldb;
  const gsize c_len = (gsize) m * ldc;
  float *da, *db, *dc;

  if (m == 0 || n == 0)
    return TRUE;

  if (!device_ensure ((void **) &self->gemm_buf, &self->cap_gemm,
                      sizeof (float) * (a_len + b_len + c_len), error))
    return FALSE;
  da = self->gemm_buf;
  db = da + a_len;
  dc = db + b_len;

  CUDA_TRY (cudaMemcpyAsync (da, a, sizeof (float) * a_len, cudaMemcpyHostToDevice, self->stream));
  CUDA_TRY (cudaMemcpyAsync (db, b, sizeof (float) * b_len, cudaMemcpyHostToDevice, self->stream));
  if (beta != 0.0f)
    CUDA_TRY (cudaMemcpyAsync (dc, c, sizeof (float) * c_len, cudaMemcpyHostToDevice, self->stream));
  CUBLAS_TRY (cublasSgemm (self->cublas,
                           trans_b ? CUBLAS_OP_T : CUBLAS_OP_N,
                           trans_a ? CUBLAS_OP_T : CUBLAS_OP_N,
                           (int) n, (int) m, (int) k,
                           &alpha, db, (int) ldb, da, (int) lda,
                           &beta, dc, (int) ldc));
  CUDA_TRY (cudaMemcpyAsync (c, dc, sizeof (float) * c_len, cudaMemcpyDeviceToHost, self->stream));
  CUDA_TRY (cudaStreamSynchronize (self->stream));

  return TRUE;
}

static void
pb_backend_cuda_gemm (PbBackend   *backend,
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
  PbBackendCuda *self = (PbBackendCuda *) backend;
  g_autoptr(GError) error = NULL;

  /* The table's GEMM cannot fail; a device error here is fatal, as a failed
   * allocation is on the host. */
  if (!cuda_gemm (self, trans_a, trans_b, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc, &error))
    g_error ("%s", error->message);
}

static void
pb_backend_cuda_add_bias (PbBackend   *backend,
                          float       *y,
                          const float *x,
                          const float *bias,
                          guint        rows,
                          guint        n)
{
  pb_backend_add_bias (((PbBackendCuda *) backend)->cpu, y, x, bias, rows, n);
}

static void
pb_backend_cuda_sum_rows (PbBackend   *backend,
                          float       *dbias,
                          const float *dy,
                          guint        rows,
                          guint        n)
{
  pb_backend_sum_rows (((PbBackendCuda *) backend)->cpu, dbias, dy, rows, n);
}

static void
pb_backend_cuda_activation_forward (PbBackend    *backend,
                                    PbActivation  act,
                                    float        *y,
                                    const float  *x,
                                    gsize         n)
{
  pb_backend_activation_forward (((PbBackendCuda *) backend)->cpu, act, y, x, n);
}

static void
pb_backend_cuda_activation_backward (PbBackend    *backend,
                                     PbActivation  act,
                                     float        *dx,
                                     const float  *dy,
                                     const float  *y,
                                     gsize         n)
{
  pb_backend_activation_backward (((PbBackendCuda *) backend)->cpu, act, dx, dy, y, n);
}

static void
pb_backend_cuda_set_n_threads (PbBackend *backend,
                               guint      n_threads)
{
  pb_backend_set_n_threads (((PbBackendCuda *) backend)->cpu, n_threads);
}

static void
pb_backend_cuda_synchronize (PbBackend *backend)
{
  cudaStreamSynchronize (((PbBackendCuda *) backend)->stream);
}

static void
pb_backend_cuda_free (PbBackend *backend)
{
  PbBackendCuda *self = (PbBackendCuda *) backend;

  if (self->stream != NULL)
    cudaStreamSynchronize (self->stream);
  for (guint d = 0; d < self->n_dirs; d++)
    direction_clear (&self->dirs[d]);
  g_free (self->dirs);
  device_clear (&self->work);
  device_clear ((void **) &self->zeros);
  device_clear ((void **) &self->gemm_buf);
  if (self->dropout != NULL)
    cudnnDestroyDropoutDescriptor (self->dropout);
  if (self->cublas != NULL)
    cublasDestroy (self->cublas);
  if (self->cudnn != NULL)
    cudnnDestroy (self->cudnn);
  if (self->stream != NULL)
    cudaStreamDestroy (self->stream);
  g_clear_pointer (&self->cpu, pb_backend_free);
  g_free (self);
}

static const PbBackendVTable pb_backend_cuda_vtable = {
  .get_name              = pb_backend_cuda_get_name,
  .lstm_forward          = pb_backend_cuda_lstm_forward,
  .lstm_backward_data    = pb_backend_cuda_lstm_backward_data,
  .lstm_backward_weights = pb_backend_cuda_lstm_backward_weights,
  .gemm                  = pb_backend_cuda_gemm,
  .add_bias              = pb_backend_cuda_add_bias,
  .sum_rows              = pb_backend_cuda_sum_rows,
  .activation_forward    = pb_backend_cuda_activation_forward,
  .activation_backward   = pb_backend_cuda_activation_backward,
  .set_n_threads         = pb_backend_cuda_set_n_threads,
  .synchronize           = pb_backend_cuda_synchronize,
  .free                  = pb_backend_cuda_free,
};

static gboolean
cuda_setup (PbBackendCuda  *self,
            GError        **error)
{
  CUDA_TRY (cudaGetDevice (&self->device));
  CUDA_TRY (cudaStreamCreateWithFlags (&self->stream, cudaStreamNonBlocking));
  CUDNN_TRY (cudnnCreate (&self->cudnn));
  CUDNN_TRY (cudnnSetStream (self->cudnn, self->stream));
  CUBLAS_TRY (cublasCreate (&self->cublas));
  CUBLAS_TRY (cublasSetStream (self->cublas, self->stream));
  CUBLAS_TRY (cublasSetMathMode (self->cublas, CUBLAS_DEFAULT_MATH));   /* FP32, no TF32 */
  CUDNN_TRY (cudnnCreateDropoutDescriptor (&self->dropout));
  CUDNN_TRY (cudnnSetDropoutDescriptor (self->dropout, self->cudnn, 0.0f, NULL, 0, 0));

  return TRUE;
}

/**
 * _pb_backend_cuda_probe:
 * @error: return location for a #GError
 *
 * Whether a CUDA device can be used, without creating anything on it.
 *
 * Returns: %TRUE when at least one device answers; %FALSE with
 *   %PB_ENGINE_ERROR_UNSUPPORTED and "no CUDA device: <reason>" otherwise
 */
gboolean
_pb_backend_cuda_probe (GError **error)
{
  int count = 0;
  cudaError_t status;

  if (!_pb_cuda_load (error))
    return FALSE;

  status = cudaGetDeviceCount (&count);
  if (status != cudaSuccess)
    {
      g_set_error (error, PB_ENGINE_ERROR, PB_ENGINE_ERROR_UNSUPPORTED,
                   "no CUDA device: %s", cudaGetErrorString (status));
      return FALSE;
    }
  if (count < 1)
    {
      g_set_error (error, PB_ENGINE_ERROR, PB_ENGINE_ERROR_UNSUPPORTED,
                   "no CUDA device: the driver reports none");
      return FALSE;
    }

  return TRUE;
}

PbBackend *
_pb_backend_cuda_new (GError **error)
{
  PbBackendCuda *self;

  if (!_pb_backend_cuda_probe (error))
    return NULL;

  self = g_new0 (PbBackendCuda, 1);
  self->parent.vtable = &pb_backend_cuda_vtable;
  self->parent.kind = PB_BACKEND_KIND_CUDA;
  self->cpu = _pb_backend_cpu_new ();

  if (!cuda_setup (self, error))
    {
      g_prefix_error (error, "CUDA backend unavailable: ");
      if (error != NULL && *error != NULL)
        (*error)->code = PB_ENGINE_ERROR_UNSUPPORTED;
      pb_backend_cuda_free (&self->parent);
      return NULL;
    }

  return &self->parent;
}
