/* pb-safetensors.h — named float32 tensors in the safetensors format.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/* safetensors has no rank limit; ours is generous for weights and states */
#define PB_TENSOR_MAX_DIMS 8

/**
 * PbTensorDtype:
 * @PB_TENSOR_DTYPE_F32: IEEE binary32 (what Perturb writes)
 * @PB_TENSOR_DTYPE_F64: IEEE binary64, read and narrowed to float32
 * @PB_TENSOR_DTYPE_F16: IEEE binary16, read and widened to float32
 * @PB_TENSOR_DTYPE_BF16: bfloat16, read and widened to float32
 *
 * The dtype a tensor had in the file it was read from. In memory every tensor
 * is float32.
 */
typedef enum
{
  PB_TENSOR_DTYPE_F32,
  PB_TENSOR_DTYPE_F64,
  PB_TENSOR_DTYPE_F16,
  PB_TENSOR_DTYPE_BF16,
} PbTensorDtype;

/**
 * PbTensor:
 * @name: the state_dict key, e.g. `0.lstm.weight_ih_l0`
 * @n_dims: rank (0 = scalar, one element)
 * @shape: (n_dims) sizes, outermost first
 * @n_elements: product of @shape
 * @data: (n_elements) float32, row-major
 * @file_dtype: the dtype in the file it was read from (F32 for tensors made here)
 */
typedef struct
{
  char          *name;
  guint          n_dims;
  gsize          shape[PB_TENSOR_MAX_DIMS];
  gsize          n_elements;
  float         *data;
  PbTensorDtype  file_dtype;
} PbTensor;

typedef struct _PbSafetensors PbSafetensors;

PbSafetensors  *pb_safetensors_new            (void);
void            pb_safetensors_free           (PbSafetensors     *self);
guint           pb_safetensors_get_n_tensors  (const PbSafetensors *self);
const PbTensor *pb_safetensors_get_nth        (const PbSafetensors *self,
                                               guint              i);
const PbTensor *pb_safetensors_lookup         (const PbSafetensors *self,
                                               const char        *name);
PbTensor       *pb_safetensors_add            (PbSafetensors     *self,
                                               const char        *name,
                                               guint              n_dims,
                                               const gsize       *shape,
                                               const float       *data);
gboolean        pb_safetensors_get_checked    (const PbSafetensors *self,
                                               const char        *name,
                                               guint              n_dims,
                                               const gsize       *shape,
                                               float             *out,
                                               GError           **error);
void            pb_safetensors_set_metadata   (PbSafetensors     *self,
                                               const char        *key,
                                               const char        *value);
const char     *pb_safetensors_get_metadata   (const PbSafetensors *self,
                                               const char        *key);
GHashTable     *pb_safetensors_get_all_metadata (const PbSafetensors *self);

GBytes         *pb_safetensors_to_bytes       (const PbSafetensors *self);
PbSafetensors  *pb_safetensors_new_from_data  (const guint8      *data,
                                               gsize              size,
                                               GError           **error);
gboolean        pb_safetensors_save           (const PbSafetensors *self,
                                               const char        *path,
                                               GError           **error);
PbSafetensors  *pb_safetensors_load           (const char        *path,
                                               GError           **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (PbSafetensors, pb_safetensors_free)

G_END_DECLS
