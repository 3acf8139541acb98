/* bench-tpe.c — time to suggest one trial of SPEC §5.1's 8-parameter space with
 * N completed trials (default 1,000): our TPE in memory, our full ask from an
 * SQLite study (load every trial + sample + write the params), and Optuna's
 * TPESampler in memory (bench_tpe_optuna.py, same run), with the ratio.
 *
 *   bench-tpe [--trials N] [--repeats R] [--no-optuna]
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "pb-study.h"

#include <glib/gstdio.h>
#include <math.h>
#include <stdio.h>

static int
compare_double (gconstpointer a,
                gconstpointer b)
{
  double x = *(const double *) a, y = *(const double *) b;

  return x < y ? -1 : x > y;
}

static double
median (double *v,
        guint   n)
{
  qsort (v, n, sizeof (double), compare_double);
  return n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}

static double
synthetic_value (PbSearchSpace *space,
                 const double  *internal,
                 GRand         *rng)
{
  guint lr, dropout;

  pb_search_space_lookup (space, "learning_rate", &lr);
  pb_search_space_lookup (space, "dropout", &dropout);
  return pow (log10 (internal[lr]) + 3.5, 2) + internal[dropout] +
         0.1 * (g_rand_double (rng) - 0.5);
}

/* bench/bench_tpe_optuna.py from the source tree: PB_BENCH_DIR, ./bench, or
 * next to the build directory's bench/ */
static char *
find_script (const char *argv0)
{
  g_autofree char *exe_dir = g_path_get_dirname (argv0);
  const char *dir = g_getenv ("PB_BENCH_DIR");
  char *candidates[] = {
    dir != NULL ? g_build_filename (dir, "bench_tpe_optuna.py", NULL) : NULL,
    g_build_filename ("bench", "bench_tpe_optuna.py", NULL),
    g_build_filename (exe_dir, "..", "..", "bench", "bench_tpe_optuna.py", NULL),
  };
  char *found = NULL;

  for (guint i = 0; i < G_N_ELEMENTS (candidates); i++)
    {
      if (found == NULL && candidates[i] != NULL &&
          g_file_test (candidates[i], G_FILE_TEST_IS_REGULAR))
        found = g_strdup (candidates[i]);
      g_free (candidates[i]);
    }
  return found;
}

static double
optuna_ms (const char *script,
           guint       n_trials,
           guint       repeats,
           char      **version)
{
  g_autofree char *trials = g_strdup_printf ("--trials=%u", n_trials);
  g_autofree char *reps = g_strdup_printf ("--repeats=%u", repeats);
  const char *argv[] = { "/usr/bin/python3", script, trials, reps, NULL };
  g_autofree char *out = NULL;
  g_autoptr(GError) error = NULL;
  char name[32], ver[32];
  double ms = NAN;
  int status;

  if (!g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_STDERR_TO_DEV_NULL, NULL, NULL, &out,
                     NULL, &status, &error) || !g_spawn_check_wait_status (status, &error))
    {
      g_printerr ("Optuna reference failed: %s\n", error->message);
      return NAN;
    }
  if (sscanf (out, "%31s %31s %lf", name, ver, &ms) == 3)
    *version = g_strdup (ver);
  return ms;
}

int
main (int    argc,
      char **argv)
{
  g_autoptr(GOptionContext) context = g_option_context_new ("— TPE suggestion time vs Optuna");
  g_autoptr(GError) error = NULL;
  g_autoptr(PbSearchSpace) space = pb_search_space_new_builtin (PB_SEARCH_SPACE_MODEL, NULL);
  g_autoptr(GPtrArray) trials = g_ptr_array_new_with_free_func ((GDestroyNotify) pb_trial_free);
  g_autoptr(GRand) rng = g_rand_new_with_seed (0);
  g_autoptr(PbStorage) storage = NULL;
  g_autoptr(PbStudy) study = NULL;
  g_autofree char *dir = NULL;
  g_autofree char *url = NULL;
  g_autofree char *version = NULL;
  g_autofree char *script = NULL;
  g_autofree double *mem = NULL;
  g_autofree double *ask = NULL;
  gboolean no_optuna = FALSE;
  int n_trials = 1000, repeats = 10;
  guint n = pb_search_space_get_n_params (space);
  PbStudyOptions options;
  double ours_mem, ours_ask, theirs;
  const GOptionEntry entries[] = {
    { "trials", 0, 0, G_OPTION_ARG_INT, &n_trials, "Completed trials in the history (1000)", "N" },
    { "repeats", 0, 0, G_OPTION_ARG_INT, &repeats, "Timed suggestions (10)", "R" },
    { "no-optuna", 0, 0, G_OPTION_ARG_NONE, &no_optuna, "Skip the Optuna reference", NULL },
    { NULL }
  };

  g_option_context_add_main_entries (context, entries, NULL);
  if (!g_option_context_parse (context, &argc, &argv, &error) || n_trials < 1 || repeats < 1)
    {
      g_printerr ("%s\n", error != NULL ? error->message : "--trials and --repeats must be ≥ 1");
      return 2;
    }

  /* the same history in memory and in an SQLite study */
  dir = g_dir_make_tmp ("perturb-bench-tpe-XXXXXX", &error);
  url = g_strconcat ("sqlite:///", dir, "/study.db", NULL);
  storage = pb_storage_open (url, &error);
  pb_study_options_init_default (&options);
  study = storage != NULL ? pb_study_open (storage, "bench", space, &options, &error) : NULL;
  if (study == NULL)
    {
      g_printerr ("%s\n", error->message);
      return 1;
    }
  g_printerr ("writing %d completed trials…\n", n_trials);
  for (int i = 0; i < n_trials; i++)
    {
      g_autoptr(PbStudyTrial) st = NULL;
      PbTrial *t = pb_trial_new ();
      g_autofree double *x = g_new (double, n);

      t->trial_id = i + 1;
      t->number = i;
      t->state = PB_TRIAL_STATE_COMPLETE;
      for (guint p = 0; p < n; p++)
        {
          const PbParam *param = pb_search_space_get_param (space, p);

          x[p] = pb_tpe_sample_random (param, rng);
          pb_trial_add_param (t, param->name, x[p], param);
        }
      t->has_value = TRUE;
      t->value = synthetic_value (space, x, rng);
      g_ptr_array_add (trials, t);

      /* in the study: enqueue the same values, then run them */
      {
        g_autoptr(GString) fixed = g_string_new ("{");

        for (guint p = 0; p < n; p++)
          {
            const PbParam *param = pb_search_space_get_param (space, p);
            g_autofree char *v = pb_param_format_value (param, x[p]);

            g_string_append_printf (fixed, "%s\"%s\": ", p > 0 ? ", " : "", param->name);
            if (param->kind == PB_PARAM_KIND_CATEGORICAL)
              g_string_append_printf (fixed, "\"%s\"", v);
            else
              g_string_append (fixed, v);
          }
        g_string_append (fixed, "}");
        if (!pb_study_enqueue_trial (study, fixed->str, &error) ||
            !pb_study_ask (study, &st, &error) ||
            !pb_study_tell (study, st, PB_TRIAL_STATE_COMPLETE, t->value, &error))
          {
            g_printerr ("%s\n", error->message);
            return 1;
          }
      }
    }

  mem = g_new (double, repeats);
  ask = g_new (double, repeats);
  for (int r = 0; r < repeats; r++)
    {
      g_autoptr(PbTrial) current = pb_trial_new ();
      g_autoptr(PbStudyTrial) st = NULL;
      gint64 t0;

      current->trial_id = -1;
      current->number = n_trials + r;
      t0 = g_get_monotonic_time ();
      for (guint p = 0; p < n; p++)
        pb_tpe_sample (&options.tpe, PB_STUDY_DIRECTION_MINIMIZE, trials, current,
                       pb_search_space_get_param (space, p), p);
      mem[r] = (g_get_monotonic_time () - t0) / 1000.0;

      t0 = g_get_monotonic_time ();
      if (!pb_study_ask (study, &st, &error))
        {
          g_printerr ("%s\n", error->message);
          return 1;
        }
      ask[r] = (g_get_monotonic_time () - t0) / 1000.0;
      pb_study_tell (study, st, PB_TRIAL_STATE_FAIL, NAN, NULL);
    }
  ours_mem = median (mem, repeats);
  ours_ask = median (ask, repeats);
  script = find_script (argv[0]);
  if (!no_optuna && script == NULL)
    g_printerr ("bench_tpe_optuna.py not found (set PB_BENCH_DIR to the source bench/)\n");
  theirs = no_optuna || script == NULL ? NAN : optuna_ms (script, n_trials, repeats, &version);

  printf ("TPE suggestion, 8 parameters, %d completed trials (median of %d):\n", n_trials, repeats);
  printf ("  perturb, in memory:          %9.3f ms\n", ours_mem);
  printf ("  perturb, ask from SQLite:    %9.3f ms (load %d trials + sample + write)\n",
          ours_ask, n_trials);
  if (!isnan (theirs))
    {
      printf ("  optuna %s, in memory:    %9.3f ms\n", version != NULL ? version : "?", theirs);
      printf ("  ratio optuna / perturb (memory): %.1f×, (perturb from SQLite): %.1f×\n",
              theirs / ours_mem, theirs / ours_ask);
    }

  g_clear_pointer (&study, pb_study_free);
  g_clear_pointer (&storage, pb_storage_free);
  {
    g_autofree char *db = g_build_filename (dir, "study.db", NULL);
    g_autofree char *wal = g_strconcat (db, "-wal", NULL);
    g_autofree char *shm = g_strconcat (db, "-shm", NULL);

    g_unlink (db);
    g_unlink (wal);
    g_unlink (shm);
    g_rmdir (dir);
  }
  return 0;
}
