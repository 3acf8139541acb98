/* pb-backend-cuda-private.h — the CUDA functions the cuda backend calls, loaded
 * with dlopen() (pb-backend-cuda-load.c).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

#include <cublas_v2.h>
#include <cuda_runtime.h>
#include <cudnn.h>

G_BEGIN_DECLS

/* libcudart, libcublas (with its 540 MB libcublasLt) and libcudnn are opened
 * with dlopen() when a cuda backend is first asked for, not linked: linked,
 * they cost every `perturb` process 1.6 s and 230 MB before main(), GPU or
 * not. The headers give the types; each function is called through a pointer
 * of exactly the declared type (__typeof__), under its usual name (the
 * #defines below). */

#define PB_CUDART_FUNCS(F) \
  F (cudaGetDeviceCount) F (cudaGetErrorString) F (cudaGetDevice) \
  F (cudaStreamCreateWithFlags) F (cudaStreamDestroy) F (cudaStreamSynchronize) \
  F (cudaMalloc) F (cudaFree) F (cudaMemcpyAsync) F (cudaMemsetAsync)

#define PB_CUBLAS_FUNCS(F) \
  F (cublasGetStatusString) F (cublasCreate_v2) F (cublasDestroy_v2) \
  F (cublasSetStream_v2) F (cublasSetMathMode) F (cublasSgemm_v2)

#define PB_CUDNN_FUNCS(F) \
  F (cudnnGetErrorString) F (cudnnCreate) F (cudnnDestroy) F (cudnnSetStream) \
  F (cudnnCreateDropoutDescriptor) F (cudnnDestroyDropoutDescriptor) \
  F (cudnnSetDropoutDescriptor) F (cudnnCreateRNNDescriptor) F (cudnnDestroyRNNDescriptor) \
  F (cudnnSetRNNDescriptor_v8) F (cudnnGetRNNWeightSpaceSize) F (cudnnGetRNNWeightParams) \
  F (cudnnCreateTensorDescriptor) F (cudnnDestroyTensorDescriptor) \
  F (cudnnGetTensorNdDescriptor) F (cudnnSetTensorNdDescriptor) \
  F (cudnnCreateRNNDataDescriptor) F (cudnnDestroyRNNDataDescriptor) \
  F (cudnnSetRNNDataDescriptor) F (cudnnGetRNNTempSpaceSizes) F (cudnnRNNForward) \
  F (cudnnRNNBackwardData_v8) F (cudnnRNNBackwardWeights_v8)

#define PB_CUDA_POINTER(name) __typeof__ (name) *fn_##name;

typedef struct
{
  PB_CUDART_FUNCS (PB_CUDA_POINTER)
  PB_CUBLAS_FUNCS (PB_CUDA_POINTER)
  PB_CUDNN_FUNCS (PB_CUDA_POINTER)
} PbCudaApi;

extern PbCudaApi _pb_cuda;

/* From here on every CUDA name goes through the table. */
#define cudaGetDeviceCount            (*_pb_cuda.fn_cudaGetDeviceCount)
#define cudaGetErrorString            (*_pb_cuda.fn_cudaGetErrorString)
#define cudaGetDevice                 (*_pb_cuda.fn_cudaGetDevice)
#define cudaStreamCreateWithFlags     (*_pb_cuda.fn_cudaStreamCreateWithFlags)
#define cudaStreamDestroy             (*_pb_cuda.fn_cudaStreamDestroy)
#define cudaStreamSynchronize         (*_pb_cuda.fn_cudaStreamSynchronize)
#define cudaMalloc                    (*_pb_cuda.fn_cudaMalloc)
#define cudaFree                      (*_pb_cuda.fn_cudaFree)
#define cudaMemcpyAsync               (*_pb_cuda.fn_cudaMemcpyAsync)
#define cudaMemsetAsync               (*_pb_cuda.fn_cudaMemsetAsync)
#define cublasGetStatusString         (*_pb_cuda.fn_cublasGetStatusString)
#define cublasCreate_v2               (*_pb_cuda.fn_cublasCreate_v2)
#define cublasDestroy_v2              (*_pb_cuda.fn_cublasDestroy_v2)
#define cublasSetStream_v2            (*_pb_cuda.fn_cublasSetStream_v2)
#define cublasSetMathMode             (*_pb_cuda.fn_cublasSetMathMode)
#define cublasSgemm_v2                (*_pb_cuda.fn_cublasSgemm_v2)
#define cudnnGetErrorString           (*_pb_cuda.fn_cudnnGetErrorString)
#define cudnnCreate                   (*_pb_cuda.fn_cudnnCreate)
#define cudnnDestroy                  (*_pb_cuda.fn_cudnnDestroy)
#define cudnnSetStream                (*_pb_cuda.fn_cudnnSetStream)
#define cudnnCreateDropoutDescriptor  (*_pb_cuda.fn_cudnnCreateDropoutDescriptor)
#define cudnnDestroyDropoutDescriptor (*_pb_cuda.fn_cudnnDestroyDropoutDescriptor)
#define cudnnSetDropoutDescriptor     (*_pb_cuda.fn_cudnnSetDropoutDescriptor)
#define cudnnCreateRNNDescriptor      (*_pb_cuda.fn_cudnnCreateRNNDescriptor)
#define cudnnDestroyRNNDescriptor     (*_pb_cuda.fn_cudnnDestroyRNNDescriptor)
#define cudnnSetRNNDescriptor_v8      (*_pb_cuda.fn_cudnnSetRNNDescriptor_v8)
#define cudnnGetRNNWeightSpaceSize    (*_pb_cuda.fn_cudnnGetRNNWeightSpaceSize)
#define cudnnGetRNNWeightParams       (*_pb_cuda.fn_cudnnGetRNNWeightParams)
#define cudnnCreateTensorDescriptor   (*_pb_cuda.fn_cudnnCreateTensorDescriptor)
#define cudnnDestroyTensorDescriptor  (*_pb_cuda.fn_cudnnDestroyTensorDescriptor)
#define cudnnGetTensorNdDescriptor    (*_pb_cuda.fn_cudnnGetTensorNdDescriptor)
#define cudnnSetTensorNdDescriptor    (*_pb_cuda.fn_cudnnSetTensorNdDescriptor)
#define cudnnCreateRNNDataDescriptor  (*_pb_cuda.fn_cudnnCreateRNNDataDescriptor)
#define cudnnDestroyRNNDataDescriptor (*_pb_cuda.fn_cudnnDestroyRNNDataDescriptor)
#define cudnnSetRNNDataDescriptor     (*_pb_cuda.fn_cudnnSetRNNDataDescriptor)
#define cudnnGetRNNTempSpaceSizes     (*_pb_cuda.fn_cudnnGetRNNTempSpaceSizes)
#define cudnnRNNForward               (*_pb_cuda.fn_cudnnRNNForward)
#define cudnnRNNBackwardData_v8       (*_pb_cuda.fn_cudnnRNNBackwardData_v8)
#define cudnnRNNBackwardWeights_v8    (*_pb_cuda.fn_cudnnRNNBackwardWeights_v8)

gboolean _pb_cuda_load (GError **error);

G_END_DECLS
