/* pb-sampler.c — weighted sampling with replacement and stratified folds.
 *
 * pb_sampler_draw() is torch's WeightedRandomSampler(weights, num_samples,
 * replacement=True) in distribution: num_samples independent draws with
 * P(i) = w_i / Σw (engine-notes §4.5, SPEC §4.2), from our own generator (so
 * the indices differ from torch's for the same seed, the statistics do not).
 *
 * pb_stratified_kfold() is sklearn's StratifiedKFold(n_splits, shuffle,
 * random_state) (scikit-learn 1.2 `_make_test_folds`): identical folds when
 * @shuffle is %FALSE; with @shuffle, the same per-class fold counts with our
 * generator doing the shuffling.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "pb-sampler.h"

#include "pb-error.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

struct _PbSampler
{
  gsize   n;
  gsize   num_samples;
  double *cdf;           /* (n) cumulative weights */
};

/**
 * pb_sampler_new_weighted:
 * @weights: (array length=n): non-negative, finite, not all zero; need not sum to 1
 * @num_samples: draws per pb_sampler_draw()
 *
 * Returns: (transfer full) (nullable): the sampler, or %NULL with
 *   %PB_ENGINE_ERROR_INVALID_DATA for unusable weights
 */
PbSampler *
pb_sampler_new_weighted (const double  *weights,
                         gsize          n,
                         gsize          num_samples,
                         GError       **error)
{
  g_autoptr(PbSampler) self = NULL;
  double total = 0;

  g_return_val_if_fail (n == 0 || weights != NULL, NULL);

  if (n == 0)
    {
      g_set_error (error, PB_ENGINE_ERROR, PB_ENGINE_ERROR_INVALID_DATA,
                   "Cannot sample from an empty set");
      return NULL;
    }

  self = g_new0 (PbSampler, 1);
  self->n = n;
  self->num_samples = num_samples;
  self->cdf = g_new (double, n);
  for (gsize i = 0; i < n; i++)
    {
      if (!isfinite (weights[i]) || weights[i] < 0)
        {
          g_set_error (error, PB_ENGINE_ERROR, PB_ENGINE_ERROR_INVALID_DATA,
                       "Sampling weight %" G_GSIZE_FORMAT " is %g; weights must be finite "
                       "and ≥ 0", i, weights[i]);
          return NULL;
        }
      total += weights[i];
      self->cdf[i] = total;
    }
  if (!(total > 0))
    {
      g_set_error (error, PB_ENGINE_ERROR, PB_ENGINE_ERROR_INVALID_DATA,
                   "All sampling weights are zero");
      return NULL;
    }

  return g_steal_pointer (&self);
}

/**
 * pb_sampler_new_class_balanced:
 * @labels: (array length=n): class of each sample (any non-negative integers)
 *
 * The reference's training sampler (SPEC §4.2): w_i = 1 / count(class of i),
 * num_samples = @n, so each draw picks every present class with equal
 * probability and a sample uniformly within it.
 *
 * Returns: (transfer full) (nullable): the sampler
 */
PbSampler *
pb_sampler_new_class_balanced (const gint  *labels,
                               gsize        n,
                               GError     **error)
{
  g_autoptr(GHashTable) counts = g_hash_table_new (g_direct_hash, g_direct_equal);
  g_autofree double *weights = g_new (double, MAX (n, 1));

  g_return_val_if_fail (n == 0 || labels != NULL, NULL);

  for (gsize i = 0; i < n; i++)
    {
      gpointer key = GINT_TO_POINTER (labels[i]);
      guint c = GPOINTER_TO_UINT (g_hash_table_lookup (counts, key));

      if (labels[i] < 0)
        {
          g_set_error (error, PB_ENGINE_ERROR, PB_ENGINE_ERROR_INVALID_DATA,
                       "Label %d of sample %" G_GSIZE_FORMAT " is negative", labels[i], i);
          return NULL;
        }
      g_hash_table_insert (counts, key, GUINT_TO_POINTER (c + 1));
    }
  for (gsize i = 0; i < n; i++)
    weights[i] = 1.0 / GPOINTER_TO_UINT (g_hash_table_lookup (counts,
                                                               GINT_TO_POINTER (labels[i])));

  return pb_sampler_new_weighted (weights, n, n, error);
}

void
pb_sampler_free (PbSampler *self)
{
  if (self == NULL)
    return;

  g_free (self->cdf);
  g_free (self);
}

gsize
pb_sampler_get_num_samples (PbSampler *self)
{
  g_return_val_if_fail (self != NULL, 0);

  return self->num_samples;
}

/**
 * pb_sampler_draw:
 * @rng: the generator (advanced by one uniform per draw)
 * @indices: (out) (array): num_samples indices into the weighted set
 *
 * One epoch's worth of draws: inverse-CDF sampling, so a zero-weight sample is
 * never drawn.
 */
void
pb_sampler_draw (PbSampler *self,
                 PbRng     *rng,
                 guint     *indices)
{
  double total;

  g_return_if_fail (self != NULL);
  g_return_if_fail (rng != NULL);

  total = self->cdf[self->n - 1];
  for (gsize k = 0; k < self->num_samples; k++)
    {
      double u = pb_rng_uniform (rng) * total;
      gsize lo = 0, hi = self->n - 1;

      /* first i with cdf[i] > u */
      while (lo < hi)
        {
          gsize mid = lo + (hi - lo) / 2;

          if (self->cdf[mid] > u)
            hi = mid;
          else
            lo = mid + 1;
        }
      indices[k] = (guint) lo;
    }
}

static void
shuffle_guints (guint *v,
                gsize  n,
                PbRng *rng)
{
  for (gsize i = n; i > 1; i--)
    {
      gsize j = (gsize) pb_rng_uniform_int (rng, i);
      guint tmp = v[i - 1];

      v[i - 1] = v[j];
      v[j] = tmp;
    }
}

static int
compare_ints (const void *a,
              const void *b)
{
  gint x = *(const gint *) a;
  gint y = *(const gint *) b;

  return (x > y) - (x < y);
}

/* sorted distinct labels and each sample's class index (np.unique return_inverse) */
static gint *
encode_labels (const gint *labels,
               gsize       n,
               guint      *encoded,
               guint      *n_classes)
{
  gint *classes = g_memdup2 (labels, MAX (n, 1) * sizeof (gint));
  guint k = 0;

  qsort (classes, n, sizeof (gint), compare_ints);
  for (gsize i = 0; i < n; i++)
    if (i == 0 || classes[i] != classes[k - 1])
      classes[k++] = classes[i];

  for (gsize i = 0; i < n; i++)
    {
      gint *hit = bsearch (&labels[i], classes, k, sizeof (gint), compare_ints);

      encoded[i] = (guint) (hit - classes);
    }

  *n_classes = k;
  return classes;
}

/* sklearn >= 0.24 numbers the classes of StratifiedKFold in the order they
 * first appear in y (not by value): that order decides which class leads the
 * round-robin allocation and the order in which classes draw their shuffles. */
static void
renumber_by_first_appearance (guint *encoded,
                              gsize  n,
                              guint  n_classes)
{
  g_autofree guint *order = g_new (guint, MAX (n_classes, 1));
  guint next = 0;

  for (guint c = 0; c < n_classes; c++)
    order[c] = G_MAXUINT;
  for (gsize i = 0; i < n; i++)
    if (order[encoded[i]] == G_MAXUINT)
      order[encoded[i]] = next++;
  for (gsize i = 0; i < n; i++)
    encoded[i] = order[encoded[i]];
}

/**
 * pb_stratified_kfold:
 * @labels: (array length=n): class of each sample
 * @n_splits: k ≥ 2
 * @shuffle: shuffle each class's fold assignment (sklearn `shuffle=True`)
 * @rng: (nullable): the generator for @shuffle
 * @fold_of_sample: (out) (array length=n): the test fold 0…k−1 of each sample
 *
 * sklearn StratifiedKFold (≥ 0.24): the classes numbered by first appearance,
 * the labels sorted by that number and dealt round-robin to the folds fix how
 * many samples of each class each fold gets; each class's
 * samples, in dataset order, then take their fold ids from the sorted list of
 * those ids — shuffled when @shuffle. Fold f's training set is every sample
 * whose fold is not f.
 *
 * Returns: %FALSE (%PB_ENGINE_ERROR_INVALID_ARGUMENT) when k < 2, k > n, or
 *   every class has fewer than k members (sklearn raises in the same cases)
 */
gboolean
pb_stratified_kfold (const gint  *labels,
                     gsize        n,
                     guint        n_splits,
                     gboolean     shuffle,
                     PbRng       *rng,
                     guint       *fold_of_sample,
                     GError     **error)
{
  g_autofree guint *encoded = NULL;
  g_autofree gint *classes = NULL;
  g_autofree guint *counts = NULL;
  g_autofree guint *allocation = NULL;   /* (n_splits, n_classes) */
  g_autofree guint *folds = NULL;
  guint n_classes;
  guint max_count = 0;
  gsize pos;

  g_return_val_if_fail (n == 0 || (labels != NULL && fold_of_sample != NULL), FALSE);
  g_return_val_if_fail (!shuffle || rng != NULL, FALSE);

  if (n_splits < 2 || n_splits > n)
    {
      g_set_error (error, PB_ENGINE_ERROR, PB_ENGINE_ERROR_INVALID_ARGUMENT,
                   "Cannot split %" G_GSIZE_FORMAT " samples into %u folds "
                   "(need 2 ≤ folds ≤ samples)", n, n_splits);
      return FALSE;
    }

  encoded = g_new (guint, n);
  classes = encode_labels (labels, n, encoded, &n_classes);
  renumber_by_first_appearance (encoded, n, n_classes);
  counts = g_new0 (guint, n_classes);
  for (gsize i = 0; i < n; i++)
    counts[encoded[i]]++;
  for (guint c = 0; c < n_classes; c++)
    max_count = MAX (max_count, counts[c]);
  if (n_splits > max_count)
    {
      g_set_error (error, PB_ENGINE_ERROR, PB_ENGINE_ERROR_INVALID_ARGUMENT,
                   "Cannot make %u stratified folds: no class has that many members",
                   n_splits);
      return FALSE;
    }

  /* y_order = sorted encoded labels; allocation[f][c] = #c in y_order[f::k] */
  allocation = g_new0 (guint, (gsize) n_splits * n_classes);
  pos = 0;
  for (guint c = 0; c < n_classes; c++)
    for (guint j = 0; j < counts[c]; j++, pos++)
      allocation[(pos % n_splits) * n_classes + c]++;

  folds = g_new (guint, n);
  for (guint c = 0; c < n_classes; c++)
    {
      gsize m = 0;
      gsize next = 0;

      for (guint f = 0; f < n_splits; f++)
        for (guint j = 0; j < allocation[f * n_classes + c]; j++)
          folds[m++] = f;
      g_assert (m == counts[c]);
      if (shuffle)
        shuffle_guints (folds, m, rng);

      for (gsize i = 0; i < n; i++)
        if (encoded[i] == c)
          fold_of_sample[i] = folds[next++];
    }

  return TRUE;
}

/**
 * pb_stratified_split:
 * @test_fraction: in (0, 1)
 * @rng: the generator
 * @is_test: (out) (array length=n): %TRUE for the held-out samples
 *
 * A seeded stratified hold-out: within each class, a shuffled
 * round(@test_fraction · count) samples (at least one, and at least one left
 * for training) are held out.
 *
 * Returns: %FALSE when a class has fewer than two members or the fraction is
 *   out of range
 */
gboolean
pb_stratified_split (const gint  *labels,
                     gsize        n,
                     double       test_fraction,
                     PbRng       *rng,
                     gboolean    *is_test,
                     GError     **error)
{
  g_autofree guint *encoded = NULL;
  g_autofree gint *classes = NULL;
  g_autofree guint *members = NULL;
  guint n_classes;

  g_return_val_if_fail (n == 0 || (labels != NULL && is_test != NULL), FALSE);
  g_return_val_if_fail (rng != NULL, FALSE);

  if (!(test_fraction > 0 && test_fraction < 1))
    {
      g_set_error (error, PB_ENGINE_ERROR, PB_ENGINE_ERROR_INVALID_ARGUMENT,
                   "Held-out fraction %g is not in (0, 1)", test_fraction);
      return FALSE;
    }
  if (n == 0)
    {
      g_set_error (error, PB_ENGINE_ERROR, PB_ENGINE_ERROR_INVALID_DATA,
                   "Cannot split an empty dataset");
      return FALSE;
    }

  encoded = g_new (guint, n);
  classes = encode_labels (labels, n, encoded, &n_classes);
  members = g_new (guint, n);

  for (guint c = 0; c < n_classes; c++)
    {
      gsize m = 0;
      gsize n_test;

      for (gsize i = 0; i < n; i++)
        if (encoded[i] == c)
          members[m++] = (guint) i;
      if (m < 2)
        {
          g_set_error (error, PB_ENGINE_ERROR, PB_ENGINE_ERROR_INVALID_DATA,
                       "Class %d has %" G_GSIZE_FORMAT " sample; a stratified split "
                       "needs at least 2 per class", classes[c], m);
          return FALSE;
        }
      n_test = (gsize) CLAMP (round (test_fraction * (double) m), 1.0, (double) (m - 1));
      shuffle_guints (members, m, rng);
      for (gsize j = 0; j < m; j++)
        is_test[members[j]] = j < n_test;
    }

  return TRUE;
}

/**
 * pb_indices_where:
 * @values: (array length=n)
 * @equal: select entries equal to @value (%TRUE) or different (%FALSE)
 * @n_out: (out): number of indices returned
 *
 * E.g. the test (equal) or training (not equal) indices of fold @value.
 *
 * Returns: (transfer full): the ascending indices
 */
guint *
pb_indices_where (const guint *values,
                  gsize        n,
                  guint        value,
                  gboolean     equal,
                  guint       *n_out)
{
  guint *out = g_new (guint, MAX (n, 1));
  guint m = 0;

  for (gsize i = 0; i < n; i++)
    if ((values[i] == value) == !!equal)
      out[m++] = (guint) i;

  *n_out = m;
  return out;
}
