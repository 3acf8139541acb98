/* pb-tpe.h — Optuna's TPE sampler (univariate, single objective) and its
 * random sampler for the startup trials.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

#include "pb-search-space.h"
#include "pb-trial.h"

G_BEGIN_DECLS

/**
 * PbTpeCompat:
 * @PB_TPE_COMPAT_OPTUNA_4_9: Optuna 4.9: bandwidths from the observations' own
 *   neighbours; log-int parameters are a discrete grid
 * @PB_TPE_COMPAT_OPTUNA_4_8: Optuna 4.0–4.8: the prior mean also counts as a
 *   neighbour when bandwidths are chosen
 * @PB_TPE_COMPAT_OPTUNA_3_1: Debian's optuna 3.1: as 4.8, plus a continuous
 *   kernel's log-density lacks the −log σ term and log-int parameters are
 *   continuous in log space
 */
typedef enum
{
  PB_TPE_COMPAT_OPTUNA_4_9,
  PB_TPE_COMPAT_OPTUNA_4_8,
  PB_TPE_COMPAT_OPTUNA_3_1,
} PbTpeCompat;

/**
 * PbTpeOptions:
 * @n_startup_trials: random trials before TPE starts (Optuna: 10)
 * @n_ei_candidates: candidates drawn from l(x) per suggestion (24)
 * @prior_weight: weight of the prior kernel (1.0)
 * @consider_magic_clip: clip bandwidths from below (TRUE)
 * @consider_endpoints: let the extreme kernels see the bounds (FALSE)
 * @compat: which Optuna's estimator to reproduce: %PB_TPE_COMPAT_OPTUNA_4_9 (the
 *   default we pin) or an older one, for comparisons with those versions
 * @seed: seeds every random draw; a trial's draws depend only on (@seed, trial
 *   number, parameter), so any worker suggests the same values for the same history
 */
typedef struct
{
  guint    n_startup_trials;
  guint    n_ei_candidates;
  double   prior_weight;
  gboolean consider_magic_clip;
  gboolean consider_endpoints;
  PbTpeCompat compat;
  guint64  seed;
} PbTpeOptions;

/**
 * PbParzenEstimator:
 * @param: (not owned) the distribution
 * @n_kernels: observations + 1 (the prior is the last kernel)
 * @weights: (n_kernels) mixture weights, sum 1
 * @mus: (n_kernels) numeric kinds: kernel centres in work space (log space for log)
 * @sigmas: (n_kernels) numeric kinds: bandwidths
 * @categorical: (n_kernels × n_choices) categorical: per-kernel choice probabilities
 * @low: work-space lower bound (low − step/2 with a step; log of it for log)
 * @high: work-space upper bound
 * @compat: the Optuna version whose densities it reproduces
 * @log_mass: (n_kernels) numeric kinds: log of each kernel's mass on [@low, @high]
 */
typedef struct
{
  const PbParam *param;
  guint          n_kernels;
  double        *weights;
  double        *mus;
  double        *sigmas;
  double        *categorical;
  double         low;
  double         high;
  PbTpeCompat    compat;
  double        *log_mass;
} PbParzenEstimator;

void               pb_tpe_options_init_default   (PbTpeOptions            *options);

PbParzenEstimator *pb_parzen_estimator_new       (const PbParam           *param,
                                                  const double            *observations,
                                                  guint                    n_observations,
                                                  const PbTpeOptions      *options);
void               pb_parzen_estimator_free      (PbParzenEstimator       *estimator);
double             pb_parzen_estimator_log_pdf   (const PbParzenEstimator *estimator,
                                                  double                   internal);
double             pb_parzen_estimator_sample    (const PbParzenEstimator *estimator,
                                                  GRand                   *rng);

double             pb_tpe_default_weight         (guint                    i,
                                                  guint                    n);
guint              pb_tpe_default_gamma          (guint                    n);
double             pb_tpe_sample_random          (const PbParam           *param,
                                                  GRand                   *rng);
double             pb_tpe_sample                 (const PbTpeOptions      *options,
                                                  PbStudyDirection         direction,
                                                  GPtrArray               *trials,
                                                  const PbTrial           *trial,
                                                  const PbParam           *param,
                                                  guint                    param_index);

/* numerics shared with the tests */
double             pb_log_ndtr                   (double                   x);
double             pb_log_gauss_mass             (double                   a,
                                                  double                   b);
double             pb_ndtri                      (double                   p);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (PbParzenEstimator, pb_parzen_estimator_free)

G_END_DECLS
