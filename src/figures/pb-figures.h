/* pb-figures.h — src/figures: every figure of the workbench from a project's
 * stored data, for the app and the command line alike.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "pb-figure.h"
#include "pb-figure-analysis.h"
#include "pb-figure-attack.h"
#include "pb-figure-dataset.h"
#include "pb-figure-load.h"
#include "pb-figure-robustness.h"
#include "pb-figure-run.h"
#include "pb-figure-study.h"
