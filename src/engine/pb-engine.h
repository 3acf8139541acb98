/* pb-engine.h — everything libperturb offers, in one include.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "pb-attack-objective.h"
#include "pb-attack-tune.h"
#include "pb-attack.h"
#include "pb-attribution.h"
#include "pb-backend.h"
#include "pb-checkpoint.h"
#include "pb-cv.h"
#include "pb-dataset.h"
#include "pb-error.h"
#include "pb-fashion-mnist.h"
#include "pb-fgsm.h"
#include "pb-metrics.h"
#include "pb-model.h"
#include "pb-optim.h"
#include "pb-preprocess.h"
#include "pb-progress.h"
#include "pb-project.h"
#include "pb-pruner.h"
#include "pb-rng.h"
#include "pb-safetensors.h"
#include "pb-sampler.h"
#include "pb-search-space.h"
#include "pb-source-connect.h"
#include "pb-source.h"
#include "pb-storage.h"
#include "pb-study.h"
#include "pb-susceptibility.h"
#include "pb-synth.h"
#include "pb-tpe.h"
#include "pb-train.h"
#include "pb-trial.h"
#include "pb-tune-objective.h"
