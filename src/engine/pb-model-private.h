/* pb-model-private.h — the per-row cross-entropy of pb-model.c, shared with
 * pb-fgsm.c (which needs d ℓ / d z per row, unscaled).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "pb-model.h"

G_BEGIN_DECLS

double _pb_model_loss_row (PbProtocol   protocol,
                           const float *z,
                           guint        C,
                           gint         y,
                           double       scale,
                           float       *dz,
                           double      *work);

G_END_DECLS
