/* pb-engine.h — everything libperturb offers, in one include.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "pb-cv.h"
#include "pb-dataset.h"
#include "pb-error.h"
#include "pb-preprocess.h"
#include "pb-progress.h"
#include "pb-project.h"
#include "pb-pruner.h"
#include "pb-search-space.h"
#include "pb-source.h"
#include "pb-storage.h"
#include "pb-study.h"
#include "pb-synth.h"
#include "pb-tpe.h"
#include "pb-trial.h"
#include "pb-tune-objective.h"
