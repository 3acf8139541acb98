/* test-pruner.c — Optuna's MedianPruner rules, case by case (engine-notes §2.7).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "pb-pruner.h"

#include <math.h>

typedef struct
{
  GPtrArray       *trials;
  PbPrunerOptions  options;
} Fixture;

/* Five COMPLETE trials; trial k reported k + s·0.1 at steps s = 0…4, so the
 * median at step s is 2 + s·0.1. */
static void
fixture_setup (Fixture       *f,
               gconstpointer  data)
{
  f->trials = g_ptr_array_new_with_free_func ((GDestroyNotify) pb_trial_free);
  pb_pruner_options_init_median (&f->options);
  for (int k = 0; k < 5; k++)
    {
      PbTrial *t = pb_trial_new ();

      t->number = k;
      t->trial_id = k + 1;
      t->state = PB_TRIAL_STATE_COMPLETE;
      t->has_value = TRUE;
      t->value = k;
      for (int s = 0; s < 5; s++)
        pb_trial_set_intermediate_value (t, s, k + s * 0.1);
      g_ptr_array_add (f->trials, t);
    }
}

static void
fixture_tear (Fixture       *f,
              gconstpointer  data)
{
  g_ptr_array_unref (f->trials);
}

static PbTrial *
running (Fixture *f)
{
  PbTrial *t = pb_trial_new ();

  t->number = f->trials->len;
  t->trial_id = t->number + 1;
  t->state = PB_TRIAL_STATE_RUNNING;
  g_ptr_array_add (f->trials, t);
  return t;
}

static gboolean
prune (Fixture *f,
       PbTrial *t)
{
  return pb_pruner_should_prune (&f->options, PB_STUDY_DIRECTION_MINIMIZE, f->trials, t);
}

static void
test_percentile (void)
{
  const double a[] = { 4, 1, 3, 2 };
  const double b[] = { NAN, 5, NAN };
  const double c[] = { NAN, NAN };
  const double d[] = { 1, 2, 10 };

  g_assert_cmpfloat (pb_nanpercentile (a, 4, 50), ==, 2.5);
  g_assert_cmpfloat (pb_nanpercentile (a, 4, 0), ==, 1);
  g_assert_cmpfloat (pb_nanpercentile (a, 4, 100), ==, 4);
  g_assert_cmpfloat_with_epsilon (pb_nanpercentile (a, 4, 25), 1.75, 1e-15);
  g_assert_cmpfloat (pb_nanpercentile (b, 3, 50), ==, 5);
  g_assert_true (isnan (pb_nanpercentile (c, 2, 50)));
  g_assert_cmpfloat (pb_nanpercentile (d, 3, 50), ==, 2);
  g_assert_cmpfloat_with_epsilon (pb_nanpercentile (d, 3, 75), 6, 1e-15);
}

/* best so far above the median of COMPLETE trials at the same step → prune */
static void
test_prunes_worse_than_median (Fixture       *f,
                               gconstpointer  data)
{
  PbTrial *t = running (f);

  pb_trial_set_intermediate_value (t, 0, 2.05);   /* median at 0: 2.0 */
  g_assert_true (prune (f, t));
  pb_trial_set_intermediate_value (t, 1, 1.5);    /* best 1.5 < median 2.1 */
  g_assert_false (prune (f, t));
}

/* the trial's best value so far, not its latest, is compared */
static void
test_uses_best_so_far (Fixture       *f,
                       gconstpointer  data)
{
  PbTrial *t = running (f);

  pb_trial_set_intermediate_value (t, 0, 0.5);
  pb_trial_set_intermediate_value (t, 1, 9.0);
  g_assert_false (prune (f, t));
}

static void
test_startup_trials (Fixture       *f,
                     gconstpointer  data)
{
  PbTrial *t;

  /* 4 COMPLETE + 1 PRUNED: PRUNED trials do not count */
  ((PbTrial *) g_ptr_array_index (f->trials, 4))->state = PB_TRIAL_STATE_PRUNED;
  t = running (f);
  pb_trial_set_intermediate_value (t, 0, 100);
  g_assert_false (prune (f, t));

  f->options.n_startup_trials = 4;
  g_assert_true (prune (f, t));

  /* no COMPLETE trial at all: never, even with n_startup_trials 0 */
  f->options.n_startup_trials = 0;
  for (guint i = 0; i < 5; i++)
    ((PbTrial *) g_ptr_array_index (f->trials, i))->state = PB_TRIAL_STATE_FAIL;
  g_assert_false (prune (f, t));
}

static void
test_warmup_steps (Fixture       *f,
                   gconstpointer  data)
{
  PbTrial *t = running (f);

  f->options.n_warmup_steps = 3;
  for (int s = 0; s < 3; s++)
    {
      pb_trial_set_intermediate_value (t, s, 100);
      g_assert_false (prune (f, t));
    }
  pb_trial_set_intermediate_value (t, 3, 100);
  g_assert_true (prune (f, t));
}

/* interval 2, warm-up 1: checkpoints at steps 1, 3, 5…; only the first report
 * at or after a checkpoint is checked */
static void
test_interval_steps (Fixture       *f,
                     gconstpointer  data)
{
  PbTrial *t = running (f);

  f->options.n_warmup_steps = 1;
  f->options.interval_steps = 2;
  pb_trial_set_intermediate_value (t, 0, 100);
  g_assert_false (prune (f, t));          /* warm-up */
  pb_trial_set_intermediate_value (t, 1, 100);
  g_assert_true (prune (f, t));           /* checkpoint 1 */
  pb_trial_set_intermediate_value (t, 2, 100);
  g_assert_false (prune (f, t));          /* between checkpoints */
  pb_trial_set_intermediate_value (t, 4, 100);
  g_assert_true (prune (f, t));           /* first report after checkpoint 3 */
}

static void
test_nan_and_missing_steps (Fixture       *f,
                            gconstpointer  data)
{
  PbTrial *t = running (f);

  /* only NaN reported: best is NaN → prune */
  pb_trial_set_intermediate_value (t, 0, NAN);
  g_assert_true (prune (f, t));

  /* a step no COMPLETE trial reported: fewer than n_min_trials values → keep */
  t = running (f);
  pb_trial_set_intermediate_value (t, 7, 100);
  g_assert_false (prune (f, t));

  /* NaNs of others are ignored by nanpercentile */
  t = running (f);
  for (guint i = 0; i < 4; i++)
    pb_trial_set_intermediate_value (g_ptr_array_index (f->trials, i), 9, NAN);
  pb_trial_set_intermediate_value (g_ptr_array_index (f->trials, 4), 9, 1.0);
  pb_trial_set_intermediate_value (t, 9, 1.5);
  g_assert_true (prune (f, t));
  f->options.n_min_trials = 6;
  g_assert_false (prune (f, t));

  /* disabled pruner never prunes */
  f->options.n_min_trials = 1;
  f->options.enabled = FALSE;
  g_assert_false (prune (f, t));
}

static void
test_maximize (Fixture       *f,
               gconstpointer  data)
{
  PbTrial *t = running (f);

  pb_trial_set_intermediate_value (t, 0, 1.0);   /* median 2.0; best (max) 1.0 < 2.0 */
  g_assert_true (pb_pruner_should_prune (&f->options, PB_STUDY_DIRECTION_MAXIMIZE, f->trials, t));
  pb_trial_set_intermediate_value (t, 1, 3.0);   /* best 3.0 > 2.1 */
  g_assert_false (pb_pruner_should_prune (&f->options, PB_STUDY_DIRECTION_MAXIMIZE, f->trials, t));
}

/* the reference's settings (SPEC §5.3): 5 startup trials, 3 warm-up steps → the
 * earliest prune is at cv_epoch 3 */
static void
test_reference_settings (Fixture       *f,
                         gconstpointer  data)
{
  PbTrial *t = running (f);

  f->options.n_warmup_steps = 3;
  for (int s = 0; s <= 3; s++)
    {
      pb_trial_set_intermediate_value (t, s, 50);
      g_assert_cmpint (prune (f, t), ==, s == 3);
    }
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/pb/pruner/nanpercentile-matches-numpy", test_percentile);
#define ADD(path, func) g_test_add ("/pb/pruner/" path, Fixture, NULL, fixture_setup, func, fixture_tear)
  ADD ("prunes-worse-than-median", test_prunes_worse_than_median);
  ADD ("uses-best-value-so-far", test_uses_best_so_far);
  ADD ("waits-for-startup-trials", test_startup_trials);
  ADD ("waits-for-warmup-steps", test_warmup_steps);
  ADD ("checks-once-per-interval", test_interval_steps);
  ADD ("nan-and-missing-steps", test_nan_and_missing_steps);
  ADD ("maximize", test_maximize);
  ADD ("reference-settings", test_reference_settings);
#undef ADD

  return g_test_run ();
}
