/* pb-optim.h — SGD, RMSprop and Adam with PyTorch 1.13 semantics, over flat arrays.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

#include "pb-safetensors.h"

G_BEGIN_DECLS

/**
 * PbOptimKind:
 * @PB_OPTIM_KIND_SGD: torch.optim.SGD
 * @PB_OPTIM_KIND_RMSPROP: torch.optim.RMSprop
 * @PB_OPTIM_KIND_ADAM: torch.optim.Adam
 */
typedef enum
{
  PB_OPTIM_KIND_SGD,
  PB_OPTIM_KIND_RMSPROP,
  PB_OPTIM_KIND_ADAM,
} PbOptimKind;

/**
 * PbOptimConfig:
 * @kind: which optimiser
 * @lr: learning rate
 * @weight_decay: L2 penalty added to the gradient (all three; not decoupled)
 * @momentum: SGD and RMSprop
 * @dampening: SGD
 * @nesterov: SGD (needs @momentum > 0 and @dampening = 0)
 * @alpha: RMSprop smoothing constant
 * @centered: RMSprop
 * @eps: RMSprop and Adam, added outside the square root
 * @beta1: Adam
 * @beta2: Adam
 * @amsgrad: Adam
 * @maximize: all three: ascend instead of descend
 *
 * pb_optim_config_init() sets PyTorch 1.13's defaults for @kind; SGD has no
 * default lr in 1.13 (it is required), we use 1e-3 as later versions do.
 */
typedef struct
{
  PbOptimKind kind;
  double      lr;
  double      weight_decay;
  double      momentum;
  double      dampening;
  gboolean    nesterov;
  double      alpha;
  gboolean    centered;
  double      eps;
  double      beta1;
  double      beta2;
  gboolean    amsgrad;
  gboolean    maximize;
} PbOptimConfig;

typedef struct _PbOptim PbOptim;

const char *pb_optim_kind_get_name   (PbOptimKind          kind);
gboolean    pb_optim_kind_from_name  (const char          *name,
                                      PbOptimKind         *kind);

void        pb_optim_config_init     (PbOptimConfig       *config,
                                      PbOptimKind          kind);
gboolean    pb_optim_config_validate (const PbOptimConfig *config,
                                      GError             **error);
char       *pb_optim_config_to_json  (const PbOptimConfig *config);

PbOptim    *pb_optim_new             (const PbOptimConfig *config,
                                      gsize                n_params,
                                      GError             **error);
void        pb_optim_free            (PbOptim             *self);
const PbOptimConfig *
            pb_optim_get_config      (PbOptim             *self);
gint64      pb_optim_get_step        (PbOptim             *self);
void        pb_optim_step            (PbOptim             *self,
                                      float               *params,
                                      const float         *grads);
void        pb_optim_save_state      (PbOptim             *self,
                                      PbSafetensors       *st);
gboolean    pb_optim_load_state      (PbOptim             *self,
                                      const PbSafetensors *st,
                                      GError             **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (PbOptim, pb_optim_free)

G_END_DECLS
