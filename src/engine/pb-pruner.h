/* pb-pruner.h — Optuna's MedianPruner (PercentilePruner at 50 %).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

#include "pb-trial.h"

G_BEGIN_DECLS

/**
 * PbPrunerOptions:
 * @n_startup_trials: no pruning until this many trials are COMPLETE (Optuna: 5)
 * @n_warmup_steps: no pruning at steps below this (0; the reference uses 3)
 * @interval_steps: check only the first report at/after every n-th step (1)
 * @n_min_trials: COMPLETE trials that must have reported the step (1)
 * @percentile: 50 for the median pruner
 * @enabled: %FALSE = never prune (NopPruner)
 */
typedef struct
{
  guint    n_startup_trials;
  gint64   n_warmup_steps;
  gint64   interval_steps;
  guint    n_min_trials;
  double   percentile;
  gboolean enabled;
} PbPrunerOptions;

void     pb_pruner_options_init_median (PbPrunerOptions       *options);
double   pb_nanpercentile              (const double          *values,
                                        guint                  n,
                                        double                 q);
gboolean pb_pruner_should_prune        (const PbPrunerOptions *options,
                                        PbStudyDirection       direction,
                                        GPtrArray             *trials,
                                        const PbTrial         *trial);

G_END_DECLS
