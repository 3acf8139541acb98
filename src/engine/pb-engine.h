/* pb-engine.h — everything libperturb offers, in one include.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "pb-dataset.h"
#include "pb-error.h"
#include "pb-preprocess.h"
#include "pb-progress.h"
#include "pb-project.h"
#include "pb-source.h"
#include "pb-synth.h"
