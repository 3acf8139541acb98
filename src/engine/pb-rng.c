/* pb-rng.c — xoshiro256** seeded by splitmix64.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "pb-rng.h"

#include <math.h>

static guint64
splitmix64 (guint64 *x)
{
  guint64 z = (*x += G_GUINT64_CONSTANT (0x9e3779b97f4a7c15));

  z = (z ^ (z >> 30)) * G_GUINT64_CONSTANT (0xbf58476d1ce4e5b9);
  z = (z ^ (z >> 27)) * G_GUINT64_CONSTANT (0x94d049bb133111eb);
  return z ^ (z >> 31);
}

static inline guint64
rotl (guint64 x,
      int     k)
{
  return (x << k) | (x >> (64 - k));
}

/**
 * pb_rng_init:
 * @rng: the generator
 * @seed: any value; equal seeds give equal streams
 */
void
pb_rng_init (PbRng  *rng,
             guint64 seed)
{
  guint64 x = seed;

  g_return_if_fail (rng != NULL);

  for (guint i = 0; i < 4; i++)
    rng->s[i] = splitmix64 (&x);
}

/**
 * pb_rng_next_u64:
 * @rng: the generator
 *
 * Returns: the next 64 random bits
 */
guint64
pb_rng_next_u64 (PbRng *rng)
{
  guint64 *s = rng->s;
  guint64 result = rotl (s[1] * 5, 7) * 9;
  guint64 t = s[1] << 17;

  s[2] ^= s[0];
  s[3] ^= s[1];
  s[1] ^= s[2];
  s[0] ^= s[3];
  s[2] ^= t;
  s[3] = rotl (s[3], 45);

  return result;
}

/**
 * pb_rng_uniform:
 * @rng: the generator
 *
 * Returns: a double uniform on [0, 1) with 53 random bits
 */
double
pb_rng_uniform (PbRng *rng)
{
  return (double) (pb_rng_next_u64 (rng) >> 11) * 0x1.0p-53;
}

/**
 * pb_rng_uniform_range:
 * @rng: the generator
 * @lo: lower bound
 * @hi: upper bound
 *
 * Returns: a double uniform on [@lo, @hi)
 */
double
pb_rng_uniform_range (PbRng *rng,
                      double lo,
                      double hi)
{
  return lo + (hi - lo) * pb_rng_uniform (rng);
}

/**
 * pb_rng_uniform_int:
 * @rng: the generator
 * @n: number of outcomes, > 0
 *
 * Unbiased: draws below 2^64 mod @n are rejected before reducing.
 *
 * Returns: an integer uniform on 0 … @n − 1
 */
guint64
pb_rng_uniform_int (PbRng  *rng,
                    guint64 n)
{
  guint64 threshold;
  guint64 x;

  g_return_val_if_fail (n > 0, 0);

  threshold = -n % n;
  do
    x = pb_rng_next_u64 (rng);
  while (x < threshold);

  return x % n;
}

/**
 * pb_rng_normal:
 * @rng: the generator
 *
 * Standard normal by Box–Muller; draws two uniforms per call and keeps no
 * cached second value, so the whole state stays in #PbRng.s.
 *
 * Returns: a sample of N(0, 1)
 */
double
pb_rng_normal (PbRng *rng)
{
  double u1 = 1.0 - pb_rng_uniform (rng);   /* (0, 1] */
  double u2 = pb_rng_uniform (rng);

  return sqrt (-2.0 * log (u1)) * cos (2.0 * G_PI * u2);
}

/**
 * pb_rng_bernoulli:
 * @rng: the generator
 * @p: probability of %TRUE
 *
 * Returns: %TRUE with probability @p
 */
gboolean
pb_rng_bernoulli (PbRng *rng,
                  double p)
{
  return pb_rng_uniform (rng) < p;
}
