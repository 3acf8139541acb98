/* pb-train-private.h — the trainer's state, shared by pb-train.c (the loop)
 * and pb-train-store.c (runs, metrics and checkpoints in a project).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "pb-train.h"

#include "pb-sampler.h"

G_BEGIN_DECLS

struct _PbTrainer
{
  PbTrainConfig    config;
  const PbDataset *train;
  const PbDataset *valid;
  PbModel         *model;
  PbOptim         *optim;
  PbSampler       *sampler;
  PbRng            rng_sampler;
  PbRng            rng_dropout;
  guint            epoch;       /* completed epochs */
  guint           *order;       /* (n_train) this epoch's draw */
  float           *bx;          /* (B, T, F) batch inputs */
  guint           *blen;        /* (B) */
  gint            *blab;        /* (B) */
  PbMetrics        latest;      /* the last evaluation */
  gboolean         have_latest;
};

G_END_DECLS
