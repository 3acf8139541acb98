/* pb-model.h — the BiLSTM mortality classifier (SPEC.md §3): forward, loss, backward.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

#include "pb-backend.h"
#include "pb-rng.h"

G_BEGIN_DECLS

/**
 * PbProtocol:
 * @PB_PROTOCOL_STANDARD: summary = [forward state after step L−1, backward state
 *   after step 0]; loss = cross-entropy on the logits
 * @PB_PROTOCOL_SEED: summary = BiLSTM output at t = L−1 (the backward half has
 *   seen one step); loss = cross-entropy on the softmax output (double softmax)
 *
 * The protocol preset of SPEC.md §0 (only the model-related rows live here).
 */
typedef enum
{
  PB_PROTOCOL_STANDARD,
  PB_PROTOCOL_SEED,
} PbProtocol;

/**
 * PbModelMode:
 * @PB_MODEL_MODE_TRAIN: dropout on; output = softmax probabilities
 * @PB_MODEL_MODE_EVAL: dropout off; output = softmax probabilities
 * @PB_MODEL_MODE_LOGITS: dropout off; output = logits (module 6 removed, for attacks)
 */
typedef enum
{
  PB_MODEL_MODE_TRAIN,
  PB_MODEL_MODE_EVAL,
  PB_MODEL_MODE_LOGITS,
} PbModelMode;

/**
 * PbModelConfig:
 * @n_features: F, input width (19 for MIMIC-III)
 * @n_hidden: H, LSTM hidden units per direction
 * @n_fc: hidden units of the fully connected layer (module 3)
 * @n_classes: C, outputs of module 5
 * @act_lstm: activation on the BiLSTM summary (module 1)
 * @act_fc: activation after module 3 (module 4)
 * @dropout: p of module 2, in [0, 1)
 * @protocol: the preset deciding the summary vector and the loss
 */
typedef struct
{
  guint        n_features;
  guint        n_hidden;
  guint        n_fc;
  guint        n_classes;
  PbActivation act_lstm;
  PbActivation act_fc;
  double       dropout;
  PbProtocol   protocol;
} PbModelConfig;

/**
 * PbModelTensor:
 * @name: the key in PyTorch's state_dict, e.g. "0.lstm.weight_ih_l0"
 * @n_dims: 1 or 2
 * @shape: (n_dims) as in PyTorch
 * @offset: first element in pb_model_get_params() / pb_model_get_grads()
 * @n: number of elements
 */
typedef struct
{
  const char *name;
  guint       n_dims;
  guint       shape[2];
  gsize       offset;
  gsize       n;
} PbModelTensor;

typedef struct _PbModel PbModel;

const char *pb_protocol_get_name     (PbProtocol           protocol);
gboolean    pb_protocol_from_name    (const char          *name,
                                      PbProtocol          *protocol);
const char *pb_activation_get_name   (PbActivation         act);
gboolean    pb_activation_from_name  (const char          *name,
                                      PbActivation        *act);

void        pb_model_config_init     (PbModelConfig       *config);
gboolean    pb_model_config_validate (const PbModelConfig *config,
                                      GError             **error);

PbModel    *pb_model_new             (const PbModelConfig *config,
                                      GError             **error);
void        pb_model_free            (PbModel             *model);
const PbModelConfig *
            pb_model_get_config      (PbModel             *model);
void        pb_model_set_n_threads   (PbModel             *model,
                                      guint                n_threads);

void        pb_model_set_backend     (PbModel             *model,
                                      PbBackend           *backend);
PbBackend  *pb_model_get_backend     (PbModel             *model);
gsize       pb_model_get_n_params    (PbModel             *model);
const PbModelTensor *
            pb_model_get_tensors     (PbModel             *model,
                                      guint               *n_tensors);
const PbModelTensor *
            pb_model_lookup_tensor   (PbModel             *model,
                                      const char          *name);
float      *pb_model_get_params      (PbModel             *model);
float      *pb_model_get_grads       (PbModel             *model);
void        pb_model_zero_grad       (PbModel             *model);
void        pb_model_init_params     (PbModel             *model,
                                      PbRng               *rng);

gboolean    pb_model_forward         (PbModel             *model,
                                      PbModelMode          mode,
                                      const float         *x,
                                      const guint         *lengths,
                                      guint                batch,
                                      guint                max_len,
                                      PbRng               *rng,
                                      GError             **error);
const float *pb_model_get_output     (PbModel             *model);
const float *pb_model_get_logits     (PbModel             *model);
gboolean    pb_model_loss            (PbModel             *model,
                                      const gint          *labels,
                                      double              *losses,
                                      double              *loss,
                                      GError             **error);
gboolean    pb_model_backward        (PbModel             *model,
                                      const gint          *labels,
                                      float               *dx,
                                      GError             **error);
gboolean    pb_model_backward_from_logits (PbModel        *model,
                                      const float         *dlogits,
                                      gboolean             param_grads,
                                      float               *dx,
                                      GError             **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (PbModel, pb_model_free)

G_END_DECLS
