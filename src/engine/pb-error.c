/* pb-error.c — the engine's GError domain.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "pb-error.h"

G_DEFINE_QUARK (pb-engine-error-quark, pb_engine_error)
