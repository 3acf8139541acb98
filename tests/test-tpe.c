/* test-tpe.c — the TPE sampler: engine-notes §2.5's deterministic vector
 * (Optuna 4.9), Debian optuna 3.1's own estimator numbers
 * (tests/tools/make-tpe-reference.py), numerics, determinism, and TPE beating
 * random search on a quadratic.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "pb-tpe.h"

#include "pb-test-reference.h"

#include <json-glib/json-glib.h>
#include <math.h>

static PbParam *
param_from_json (const char *json)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *space_json = g_strdup_printf ("{\"params\": [%s]}", json);
  g_autoptr(PbSearchSpace) space = pb_search_space_new_from_json (space_json, &error);

  g_assert_no_error (error);
  return pb_param_copy (pb_search_space_get_param (space, 0));
}

/* engine-notes §2.5 [run, v4.9]: x ~ Float(−10, 10), lr ~ Float(1e-4, 1e-1, log),
 * h ~ Int(32, 256, step 32), c ~ Categorical(a, b, c); 3 observations. The notes
 * print 6–7 significant digits, hence the tolerance. */
static void
test_tpe_vector_4_9 (void)
{
  g_autoptr(PbParam) x = param_from_json ("{\"name\": \"x\", \"type\": \"float\", \"low\": -10, \"high\": 10}");
  g_autoptr(PbParam) lr = param_from_json ("{\"name\": \"lr\", \"type\": \"float\", \"low\": 1e-4, \"high\": 0.1, \"log\": true}");
  g_autoptr(PbParam) h = param_from_json ("{\"name\": \"h\", \"type\": \"int\", \"low\": 32, \"high\": 256, \"step\": 32}");
  g_autoptr(PbParam) c = param_from_json ("{\"name\": \"c\", \"type\": \"categorical\", \"choices\": [\"a\", \"b\", \"c\"]}");
  const double x_obs[] = { 1, -3, 4 }, lr_obs[] = { 1e-3, 3e-2, 2e-4 };
  const double h_obs[] = { 64, 256, 32 }, c_obs[] = { 0, 2, 0 };
  const double lr_mus[] = { -6.907755, -3.506558, -8.517193, -5.756463 };
  const double lr_sigmas[] = { 3.401197, 3.401197, 1.609438, 6.907755 };
  const double h_sigmas[] = { 192, 192, 51.2, 256 };
  g_autoptr(PbParzenEstimator) ex = pb_parzen_estimator_new (x, x_obs, 3, NULL);
  g_autoptr(PbParzenEstimator) elr = pb_parzen_estimator_new (lr, lr_obs, 3, NULL);
  g_autoptr(PbParzenEstimator) eh = pb_parzen_estimator_new (h, h_obs, 3, NULL);
  g_autoptr(PbParzenEstimator) ec = pb_parzen_estimator_new (c, c_obs, 3, NULL);

  for (guint k = 0; k < 4; k++)
    {
      g_assert_cmpfloat_with_epsilon (ex->weights[k], 0.25, 1e-15);
      g_assert_cmpfloat_with_epsilon (ex->sigmas[k], k < 3 ? 4.0 : 20.0, 1e-12);
      g_assert_cmpfloat_with_epsilon (elr->mus[k], lr_mus[k], 1e-6);
      g_assert_cmpfloat_with_epsilon (elr->sigmas[k], lr_sigmas[k], 1e-6);
      g_assert_cmpfloat_with_epsilon (eh->sigmas[k], h_sigmas[k], 1e-9);
    }
  g_assert_cmpfloat_with_epsilon (ex->mus[3], 0.0, 1e-15);
  g_assert_cmpfloat_with_epsilon (eh->mus[3], 144.0, 1e-12);

  g_assert_cmpfloat_with_epsilon (pb_parzen_estimator_log_pdf (ex, 0), -2.611955, 1e-6);
  g_assert_cmpfloat_with_epsilon (pb_parzen_estimator_log_pdf (ex, 5), -2.857719, 1e-6);
  g_assert_cmpfloat_with_epsilon (pb_parzen_estimator_log_pdf (elr, 1e-3), -1.784562, 1e-6);
  g_assert_cmpfloat_with_epsilon (pb_parzen_estimator_log_pdf (elr, 5e-2), -2.235740, 1e-6);
  g_assert_cmpfloat_with_epsilon (pb_parzen_estimator_log_pdf (eh, 64), -1.758823, 1e-6);
  g_assert_cmpfloat_with_epsilon (pb_parzen_estimator_log_pdf (eh, 128), -2.156426, 1e-6);
  g_assert_cmpfloat_with_epsilon (pb_parzen_estimator_log_pdf (ec, 0), -0.741937, 1e-6);
  g_assert_cmpfloat_with_epsilon (pb_parzen_estimator_log_pdf (ec, 1), -1.658228, 1e-6);

  /* categorical rows a: [.714286 .142857 .142857], c: [.142857 .142857 .714286] */
  g_assert_cmpfloat_with_epsilon (ec->categorical[0], 0.714286, 1e-6);
  g_assert_cmpfloat_with_epsilon (ec->categorical[1], 0.142857, 1e-6);
  g_assert_cmpfloat_with_epsilon (ec->categorical[5], 0.714286, 1e-6);
  g_assert_cmpfloat_with_epsilon (ec->categorical[9], 1.0 / 3, 1e-12);
}

static double
member_double_at (JsonArray *array,
                  guint      i)
{
  return json_node_get_double (json_array_get_element (array, i));
}

static int
compare_pairs (gconstpointer pa,
               gconstpointer pb)
{
  const double *a = pa, *b = pb;

  if (a[0] != b[0])
    return a[0] < b[0] ? -1 : 1;
  return a[1] < b[1] ? -1 : a[1] > b[1];
}

/* Every estimator number from Debian's optuna 3.1 (within rounding). */
static void
test_tpe_matches_optuna_3_1 (void)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  PbTpeOptions options;
  JsonArray *cases;
  guint n_checked = 0;

  cases = json_object_get_array_member (pb_test_load_json (parser, "tpe-reference.json"),
                                        "cases");
  g_assert_cmpuint (json_array_get_length (cases), >=, 10);

  pb_tpe_options_init_default (&options);
  options.compat = PB_TPE_COMPAT_OPTUNA_3_1;

  for (guint i = 0; i < json_array_get_length (cases); i++)
    {
      JsonObject *c = json_array_get_object_element (cases, i);
      g_autoptr(JsonGenerator) gen = json_generator_new ();
      g_autofree char *param_json = NULL;
      g_autoptr(PbParam) param = NULL;
      g_autoptr(PbParzenEstimator) est = NULL;
      g_autofree double *obs = NULL;
      JsonArray *o = json_object_get_array_member (c, "observations");
      JsonArray *w = json_object_get_array_member (c, "weights");
      JsonArray *pts = json_object_get_array_member (c, "points");
      JsonArray *lp = json_object_get_array_member (c, "log_pdf");
      guint n = json_array_get_length (o);

      json_generator_set_root (gen, json_object_get_member (c, "param"));
      param_json = json_generator_to_data (gen, NULL);
      param = param_from_json (param_json);

      obs = g_new0 (double, MAX (n, 1));
      for (guint k = 0; k < n; k++)
        obs[k] = member_double_at (o, k);
      est = pb_parzen_estimator_new (param, obs, n, &options);

      g_test_message ("case %s: %u observations", param->name, n);
      g_assert_cmpuint (est->n_kernels, ==, json_array_get_length (w));
      for (guint k = 0; k < est->n_kernels; k++)
        g_assert_cmpfloat_with_epsilon (est->weights[k], member_double_at (w, k), 1e-12);

      if (json_object_has_member (c, "mus"))
        {
          JsonArray *mus = json_object_get_array_member (c, "mus");
          JsonArray *sigmas = json_object_get_array_member (c, "sigmas");

          g_autofree double *got = g_new (double, 2 * est->n_kernels);
          g_autofree double *want = g_new (double, 2 * est->n_kernels);

          /* as (μ, σ) pairs in μ order: tied centres share their bandwidths in an
           * order numpy's unstable argsort picks, the mixture is the same */
          for (guint k = 0; k < est->n_kernels; k++)
            {
              got[2 * k] = est->mus[k];
              got[2 * k + 1] = est->sigmas[k];
              want[2 * k] = member_double_at (mus, k);
              want[2 * k + 1] = member_double_at (sigmas, k);
            }
          qsort (got, est->n_kernels, 2 * sizeof (double), compare_pairs);
          qsort (want, est->n_kernels, 2 * sizeof (double), compare_pairs);
          for (guint k = 0; k < 2 * est->n_kernels; k++)
            g_assert_cmpfloat_with_epsilon (got[k], want[k], 1e-12);
        }
      else
        {
          JsonArray *rows = json_object_get_array_member (c, "categorical");

          for (guint k = 0; k < est->n_kernels; k++)
            for (guint j = 0; j < param->n_choices; j++)
              g_assert_cmpfloat_with_epsilon (est->categorical[k * param->n_choices + j],
                                              member_double_at (json_array_get_array_element (rows, k), j),
                                              1e-12);
        }

      /* log densities: sums of erfc-based terms; 1e-9 covers libm vs numpy/erf */
      for (guint k = 0; k < json_array_get_length (pts); k++)
        {
          double got = pb_parzen_estimator_log_pdf (est, member_double_at (pts, k));
          double want = member_double_at (lp, k);

          g_assert_cmpfloat_with_epsilon (got, want, 1e-9 * MAX (1.0, fabs (want)));
          n_checked++;
        }
    }
  g_assert_cmpuint (n_checked, >=, 30);
}

/* A discrete estimator is a probability mass function over its grid. */
static void
test_tpe_discrete_mass_sums_to_one (void)
{
  g_autoptr(PbParam) li = NULL;
  g_autoptr(PbParam) h = NULL;
  g_autoptr(PbParzenEstimator) eli = NULL;
  g_autoptr(PbParzenEstimator) eh = NULL;
  const double li_obs[] = { 10, 3, 77, 10 };
  const double h_obs[] = { 64, 256, 32 };
  double sum = 0;

  li = pb_param_new_int ("li", 1, 100, 1, TRUE, NULL);
  h = pb_param_new_int ("h", 32, 256, 32, FALSE, NULL);
  eli = pb_parzen_estimator_new (li, li_obs, 4, NULL);
  eh = pb_parzen_estimator_new (h, h_obs, 3, NULL);

  for (int v = 1; v <= 100; v++)
    sum += exp (pb_parzen_estimator_log_pdf (eli, v));
  g_assert_cmpfloat_with_epsilon (sum, 1.0, 1e-12);

  /* log-int bounds are log(low − ½), log(high + ½) */
  g_assert_cmpfloat_with_epsilon (eli->low, log (0.5), 1e-15);
  g_assert_cmpfloat_with_epsilon (eli->high, log (100.5), 1e-15);
  /* obs log 3, log 10, log 10, log 77: σ(log 3) = gap to log 10 (endpoint rule) */
  g_assert_cmpfloat_with_epsilon (eli->sigmas[1], log (10.0 / 3.0), 1e-12);
  /* σ(log 77) = left gap log 7.7; clip floor = range / 6 = 0.8839 */
  g_assert_cmpfloat_with_epsilon (eli->sigmas[2], log (7.7), 1e-12);

  sum = 0;
  for (int v = 32; v <= 256; v += 32)
    sum += exp (pb_parzen_estimator_log_pdf (eh, v));
  g_assert_cmpfloat_with_epsilon (sum, 1.0, 1e-12);
}

static void
test_tpe_numerics (void)
{
  /* log Φ(x) against closed values: Φ(0) = ½, Φ(−1) = 0.15865525393145707,
   * Φ(−30) = 4.906713927148187e-198 (mpmath) */
  g_assert_cmpfloat_with_epsilon (pb_log_ndtr (0), log (0.5), 1e-15);
  g_assert_cmpfloat_with_epsilon (pb_log_ndtr (-1), log (0.15865525393145707), 1e-14);
  g_assert_cmpfloat_with_epsilon (pb_log_ndtr (-30), log (4.906713927148187e-198), 1e-9);
  g_assert_cmpfloat_with_epsilon (pb_log_ndtr (8), -6.22096057427174e-16, 1e-20);

  /* far-tail mass stays finite: log(Φ(−30) − Φ(−31)) ≈ log Φ(−30) */
  g_assert_true (isfinite (pb_log_gauss_mass (-31, -30)));
  g_assert_cmpfloat_with_epsilon (pb_log_gauss_mass (30, 31), pb_log_gauss_mass (-31, -30), 1e-9);
  g_assert_cmpfloat_with_epsilon (pb_log_gauss_mass (-1, 1), log (0.6826894921370859), 1e-14);

  for (double x = -12; x <= 5; x += 0.37)   /* p near 1 holds no more digits */
    g_assert_cmpfloat_with_epsilon (pb_ndtri (0.5 * erfc (-x * M_SQRT1_2)), x, 1e-9 * MAX (1, fabs (x)));

  /* engine-notes §2.2: gamma(n) for n = 1, 9, 10, 11, 100, 250, 300 */
  g_assert_cmpuint (pb_tpe_default_gamma (1), ==, 1);
  g_assert_cmpuint (pb_tpe_default_gamma (9), ==, 1);
  g_assert_cmpuint (pb_tpe_default_gamma (10), ==, 1);
  g_assert_cmpuint (pb_tpe_default_gamma (11), ==, 2);
  g_assert_cmpuint (pb_tpe_default_gamma (100), ==, 10);
  g_assert_cmpuint (pb_tpe_default_gamma (250), ==, 25);
  g_assert_cmpuint (pb_tpe_default_gamma (300), ==, 25);

  /* default_weights(30) = concat(linspace(1/30, 1, 5), ones(25)) */
  g_assert_cmpfloat_with_epsilon (pb_tpe_default_weight (0, 30), 1.0 / 30, 1e-15);
  g_assert_cmpfloat_with_epsilon (pb_tpe_default_weight (2, 30), (1.0 / 30 + 1) / 2, 1e-15);
  g_assert_cmpfloat_with_epsilon (pb_tpe_default_weight (4, 30), 1.0, 1e-15);
  g_assert_cmpfloat_with_epsilon (pb_tpe_default_weight (29, 30), 1.0, 1e-15);
  g_assert_cmpfloat_with_epsilon (pb_tpe_default_weight (3, 24), 1.0, 1e-15);
}

/* Draws stay inside the range and on the grid; the random sampler covers it. */
static void
test_tpe_samples_are_valid (void)
{
  g_autoptr(PbSearchSpace) space = pb_search_space_new_builtin (PB_SEARCH_SPACE_MODEL, NULL);
  g_autoptr(GRand) rng = g_rand_new_with_seed (42);
  const double obs[] = { 0, 1, 0 };

  for (guint p = 0; p < pb_search_space_get_n_params (space); p++)
    {
      const PbParam *param = pb_search_space_get_param (space, p);
      double o[3];
      g_autoptr(PbParzenEstimator) est = NULL;
      double lo = INFINITY, hi = -INFINITY;

      for (guint k = 0; k < 3; k++)
        o[k] = param->kind == PB_PARAM_KIND_CATEGORICAL ? obs[k]
               : param->low + (param->high - param->low) * (k + 1) / 4;
      if (param->kind == PB_PARAM_KIND_INT)
        for (guint k = 0; k < 3; k++)
          o[k] = round (o[k]);
      est = pb_parzen_estimator_new (param, o, 3, NULL);
      for (guint i = 0; i < 2000; i++)
        {
          double a = pb_parzen_estimator_sample (est, rng);
          double b = pb_tpe_sample_random (param, rng);

          g_assert_true (pb_param_contains (param, a));
          g_assert_true (pb_param_contains (param, b));
          lo = MIN (lo, b);
          hi = MAX (hi, b);
        }
      /* 2000 uniform draws reach both ends of every range in this space */
      if (param->kind != PB_PARAM_KIND_FLOAT)
        {
          g_assert_cmpfloat (lo, ==, param->low);
          g_assert_cmpfloat (hi, ==, param->high);
        }
      else
        g_assert_cmpfloat (log (hi / MAX (lo, 1e-300)), >, 0);
    }
}

static PbTrial *
make_trial (int     number,
            double  value)
{
  PbTrial *t = pb_trial_new ();

  t->trial_id = number + 1;
  t->number = number;
  t->state = PB_TRIAL_STATE_COMPLETE;
  t->has_value = TRUE;
  t->value = value;
  return t;
}

static double
quadratic (double x,
           double y)
{
  return (x - 2) * (x - 2) + (y + 1) * (y + 1);
}

/* Runs @n_trials on the quadratic and returns the best value. */
static double
run_quadratic (guint64 seed,
               guint   n_trials,
               gboolean tpe)
{
  g_autoptr(PbParam) px = pb_param_new_float ("x", -10, 10, 0, FALSE, NULL);
  g_autoptr(PbParam) py = pb_param_new_float ("y", -10, 10, 0, FALSE, NULL);
  g_autoptr(GPtrArray) trials = g_ptr_array_new_with_free_func ((GDestroyNotify) pb_trial_free);
  PbTpeOptions options;
  double best = INFINITY;

  pb_tpe_options_init_default (&options);
  options.seed = seed;
  if (!tpe)
    options.n_startup_trials = G_MAXUINT;

  for (guint i = 0; i < n_trials; i++)
    {
      PbTrial *t = make_trial (i, 0);
      double x, y;

      t->state = PB_TRIAL_STATE_RUNNING;
      t->has_value = FALSE;
      g_ptr_array_add (trials, t);
      x = pb_tpe_sample (&options, PB_STUDY_DIRECTION_MINIMIZE, trials, t, px, 0);
      y = pb_tpe_sample (&options, PB_STUDY_DIRECTION_MINIMIZE, trials, t, py, 1);
      pb_trial_add_param (t, "x", x, px);
      pb_trial_add_param (t, "y", y, py);
      t->value = quadratic (x, y);
      t->has_value = TRUE;
      t->state = PB_TRIAL_STATE_COMPLETE;
      best = MIN (best, t->value);
    }
  return best;
}

static void
test_tpe_beats_random (void)
{
  guint tpe_wins = 0;
  double tpe_sum = 0, random_sum = 0;

  for (guint64 seed = 1; seed <= 8; seed++)
    {
      double b_tpe = run_quadratic (seed, 60, TRUE);
      double b_random = run_quadratic (seed, 60, FALSE);

      g_test_message ("seed %" G_GUINT64_FORMAT ": best TPE %.4g, random %.4g", seed, b_tpe, b_random);
      /* both share the 10 random startup trials, so TPE can only tie or improve */
      g_assert_cmpfloat (b_tpe, <=, b_random);
      tpe_wins += b_tpe < b_random;
      tpe_sum += b_tpe;
      random_sum += b_random;
    }
  /* Optuna 3.1 on the same problem (TPESampler(seed=1…8), 60 trials): mean best
   * 0.165 vs 1.39 for RandomSampler, TPE strictly better in 7 of 8 seeds. Ours:
   * mean 0.197 vs 0.993, 6 of 8 (2 ties where the best point is a startup one). */
  g_assert_cmpuint (tpe_wins, >=, 5);
  g_assert_cmpfloat (tpe_sum, <, 0.4 * random_sum);
}

/* Same history, same seed, same trial number → same suggestion, in any worker. */
static void
test_tpe_is_deterministic (void)
{
  g_autoptr(PbParam) px = pb_param_new_float ("x", -10, 10, 0, FALSE, NULL);
  g_autoptr(PbParam) pc = NULL;
  g_autoptr(GPtrArray) trials = g_ptr_array_new_with_free_func ((GDestroyNotify) pb_trial_free);
  const char *choices[] = { "a", "b", "c", NULL };
  PbTpeOptions options;
  PbTrial *current;
  double a, b, c, d;

  pc = pb_param_new_categorical ("c", choices, NULL);
  pb_tpe_options_init_default (&options);
  options.seed = 7;
  for (int i = 0; i < 15; i++)
    {
      PbTrial *t = make_trial (i, fabs (i - 6.0));

      pb_trial_add_param (t, "x", i - 7.0, px);
      pb_trial_add_param (t, "c", i % 3, pc);
      g_ptr_array_add (trials, t);
    }
  current = make_trial (15, 0);
  current->state = PB_TRIAL_STATE_RUNNING;
  g_ptr_array_add (trials, current);

  a = pb_tpe_sample (&options, PB_STUDY_DIRECTION_MINIMIZE, trials, current, px, 0);
  b = pb_tpe_sample (&options, PB_STUDY_DIRECTION_MINIMIZE, trials, current, px, 0);
  g_assert_cmpfloat (a, ==, b);
  c = pb_tpe_sample (&options, PB_STUDY_DIRECTION_MINIMIZE, trials, current, pc, 1);
  d = pb_tpe_sample (&options, PB_STUDY_DIRECTION_MINIMIZE, trials, current, pc, 1);
  g_assert_cmpfloat (c, ==, d);
  g_assert_true (pb_param_contains (px, a));
  g_assert_true (pb_param_contains (pc, c));

  options.seed = 8;
  g_assert_cmpfloat (pb_tpe_sample (&options, PB_STUDY_DIRECTION_MINIMIZE, trials, current, px, 0), !=, a);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/pb/tpe/estimator/matches-notes-vector-4.9", test_tpe_vector_4_9);
  g_test_add_func ("/pb/tpe/estimator/matches-optuna-3.1", test_tpe_matches_optuna_3_1);
  g_test_add_func ("/pb/tpe/estimator/discrete-mass-sums-to-one", test_tpe_discrete_mass_sums_to_one);
  g_test_add_func ("/pb/tpe/numerics", test_tpe_numerics);
  g_test_add_func ("/pb/tpe/samples-are-valid", test_tpe_samples_are_valid);
  g_test_add_func ("/pb/tpe/beats-random-on-quadratic", test_tpe_beats_random);
  g_test_add_func ("/pb/tpe/is-deterministic", test_tpe_is_deterministic);

  return g_test_run ();
}
