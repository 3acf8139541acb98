/* pb-progress.h — how long engine operations report progress.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

/**
 * PbProgressFunc:
 * @fraction: 0…1, or a negative value when the total is unknown
 * @message: (nullable): a short human-readable status line
 * @details: (nullable): operation-specific data (e.g. the latest training metrics);
 *   borrowed, valid only during the call
 * @user_data: the data given with the callback
 *
 * Called from the thread running the operation. Long operations take a
 * #GCancellable and a #PbProgressFunc and write results to the project as they
 * go, so a cancel or a kill loses at most the step in flight.
 */
typedef void (*PbProgressFunc) (double        fraction,
                                const char   *message,
                                gconstpointer details,
                                gpointer      user_data);

G_END_DECLS
