/* pb-pruner.c — Optuna's MedianPruner, rule for rule (engine-notes §2.7,
 * optuna/pruners/_percentile.py; unchanged from 3.x to 4.9).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "pb-pruner.h"

#include <math.h>
#include <string.h>

void
pb_pruner_options_init_median (PbPrunerOptions *options)
{
  memset (options, 0, sizeof *options);
  options->n_startup_trials = 5;
  options->n_warmup_steps = 0;
  options->interval_steps = 1;
  options->n_min_trials = 1;
  options->percentile = 50.0;
  options->enabled = TRUE;
}

static int
compare_double (gconstpointer pa,
                gconstpointer pb)
{
  double a = *(const double *) pa, b = *(const double *) pb;

  return a < b ? -1 : a > b;
}

/**
 * pb_nanpercentile:
 * @q: percentile in [0, 100]
 *
 * numpy's `nanpercentile(values, q)` with linear interpolation: NaNs are
 * ignored; NaN when nothing is left.
 */
double
pb_nanpercentile (const double *values,
                  guint         n,
                  double        q)
{
  g_autofree double *sorted = g_new (double, MAX (n, 1));
  guint m = 0;
  double pos, frac;
  guint lo;

  for (guint i = 0; i < n; i++)
    if (!isnan (values[i]))
      sorted[m++] = values[i];
  if (m == 0)
    return NAN;
  qsort (sorted, m, sizeof (double), compare_double);

  pos = q / 100.0 * (m - 1);
  lo = (guint) floor (pos);
  if (lo >= m - 1)
    return sorted[m - 1];
  frac = pos - lo;
  if (frac == 0)
    return sorted[lo];
  /* numpy's _lerp: a + (b − a)·t, or b − (b − a)·(1 − t) for t ≥ 0.5 */
  if (frac >= 0.5)
    return sorted[lo + 1] - (sorted[lo + 1] - sorted[lo]) * (1 - frac);
  return sorted[lo] + (sorted[lo + 1] - sorted[lo]) * frac;
}

/**
 * pb_pruner_should_prune:
 * @trials: (element-type PbTrial): the study's trials
 * @trial: the running trial, with its intermediate values so far
 *
 * Optuna's `PercentilePruner.prune`: the trial's best value so far is compared
 * with the percentile of the values COMPLETE trials reported at the same step.
 */
gboolean
pb_pruner_should_prune (const PbPrunerOptions *options,
                        PbStudyDirection       direction,
                        GPtrArray             *trials,
                        const PbTrial         *trial)
{
  g_autofree double *values = NULL;
  gboolean maximize = direction == PB_STUDY_DIRECTION_MAXIMIZE;
  gint64 step, nearest, second_last = -1, interval = MAX (options->interval_steps, 1);
  guint n_completed = 0, n_values = 0;
  double best = NAN, p;

  if (!options->enabled)
    return FALSE;

  for (guint i = 0; i < trials->len; i++)
    if (((PbTrial *) g_ptr_array_index (trials, i))->state == PB_TRIAL_STATE_COMPLETE)
      n_completed++;
  if (n_completed == 0 || n_completed < options->n_startup_trials)
    return FALSE;

  if (!pb_trial_get_last_step (trial, &step))
    return FALSE;
  if (step < options->n_warmup_steps)
    return FALSE;

  /* only the first report at or after each pruning checkpoint is checked */
  nearest = ((step - options->n_warmup_steps) / interval) * interval + options->n_warmup_steps;
  for (guint i = 0; i < trial->intermediate_values->len; i++)
    {
      const PbIntermediateValue *v = &g_array_index (trial->intermediate_values,
                                                     PbIntermediateValue, i);
      if (v->step != step)
        second_last = MAX (second_last, v->step);
      if (!isnan (v->value))
        best = isnan (best) ? v->value : maximize ? MAX (best, v->value) : MIN (best, v->value);
    }
  if (!(second_last < nearest))
    return FALSE;
  if (isnan (best))
    return TRUE;

  values = g_new (double, MAX (trials->len, 1));
  for (guint i = 0; i < trials->len; i++)
    {
      const PbTrial *t = g_ptr_array_index (trials, i);
      double v;

      if (t->state == PB_TRIAL_STATE_COMPLETE && pb_trial_get_intermediate_value (t, step, &v))
        values[n_values++] = v;
    }
  if (n_values < options->n_min_trials)
    return FALSE;

  p = pb_nanpercentile (values, n_values, maximize ? 100.0 - options->percentile
                                                   : options->percentile);
  if (isnan (p))
    return FALSE;
  return maximize ? best < p : best > p;
}
