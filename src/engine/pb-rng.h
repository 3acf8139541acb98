/* pb-rng.h — a small seeded random number generator (xoshiro256**).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

/**
 * PbRng:
 * @s: the whole generator state; copy the struct (or these four words) to save
 *   it in a checkpoint and copy it back to resume the same stream
 *
 * xoshiro256** (Blackman & Vigna), seeded through splitmix64. It does not
 * reproduce torch's generator: parity tests load weights rather than re-seed
 * (engine-notes §4.2). Plain struct, no allocation, not thread-safe: use one per
 * thread.
 */
typedef struct
{
  guint64 s[4];
} PbRng;

void     pb_rng_init        (PbRng  *rng,
                             guint64 seed);
guint64  pb_rng_next_u64    (PbRng  *rng);
double   pb_rng_uniform     (PbRng  *rng);
double   pb_rng_uniform_range (PbRng *rng,
                               double lo,
                               double hi);
guint64  pb_rng_uniform_int (PbRng  *rng,
                             guint64 n);
double   pb_rng_normal      (PbRng  *rng);
gboolean pb_rng_bernoulli   (PbRng  *rng,
                             double  p);

G_END_DECLS
