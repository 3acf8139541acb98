/* pb-test-study.h — study tests shared by the SQLite (test-study.c) and
 * PostgreSQL (test-study-postgres.c) programs: each takes a storage location.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "pb-test-util.h"

#include "pb-error.h"
#include "pb-study.h"

#include <math.h>
#include <signal.h>
#include <string.h>
#include <sys/wait.h>

/* A space with every kind of parameter Optuna has. */
static inline PbSearchSpace *
study_test_space (void)
{
  g_autoptr(GError) error = NULL;
  PbSearchSpace *space = pb_search_space_new_from_json (
    "{\"params\": ["
    "{\"name\": \"x\", \"type\": \"float\", \"low\": -10, \"high\": 10},"
    "{\"name\": \"lr\", \"type\": \"float\", \"low\": 1e-5, \"high\": 0.1, \"log\": true},"
    "{\"name\": \"q\", \"type\": \"float\", \"low\": 0, \"high\": 1, \"step\": 0.25},"
    "{\"name\": \"h\", \"type\": \"int\", \"low\": 32, \"high\": 256, \"step\": 32},"
    "{\"name\": \"li\", \"type\": \"int\", \"low\": 1, \"high\": 100, \"log\": true},"
    "{\"name\": \"opt\", \"type\": \"categorical\", \"choices\": [\"Adam\", \"RMSprop\", \"SGD\"]}"
    "]}", &error);

  g_assert_no_error (error);
  return space;
}

/* Runs a small study through the API: 2 enqueued + 4 sampled trials, one pruned,
 * one failed, intermediate values with NaN and ±inf. Returns the study's trials. */
static inline GPtrArray *
study_test_run_small (PbStorage  *storage,
                      const char *name)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(PbSearchSpace) space = study_test_space ();
  g_autoptr(PbStudy) study = NULL;
  PbStudyOptions options;
  GPtrArray *trials;

  pb_study_options_init_default (&options);
  options.budget = 6;
  options.tpe.n_startup_trials = 3;
  options.tpe.seed = 11;
  study = pb_study_open (storage, name, space, &options, &error);
  g_assert_no_error (error);

  g_assert_true (pb_study_enqueue_trial (study, "{\"x\": 1.5, \"opt\": \"SGD\", \"h\": 64}", &error));
  g_assert_no_error (error);
  g_assert_true (pb_study_enqueue_trial (study, "{\"lr\": 0.001, \"li\": 7}", &error));
  g_assert_no_error (error);

  for (int i = 0; ; i++)
    {
      g_autoptr(PbStudyTrial) trial = NULL;
      double x;

      g_assert_true (pb_study_ask (study, &trial, &error));
      g_assert_no_error (error);
      if (trial == NULL)
        break;
      g_assert_cmpint (pb_study_trial_get_number (trial), ==, i);
      x = pb_study_trial_get_value (trial, "x");
      if (i == 0)
        {
          g_assert_cmpfloat (x, ==, 1.5);
          g_assert_cmpstr (pb_study_trial_get_choice (trial, "opt"), ==, "SGD");
          g_assert_cmpint (pb_study_trial_get_int (trial, "h"), ==, 64);
        }
      if (i == 1)
        {
          g_assert_cmpfloat (pb_study_trial_get_value (trial, "lr"), ==, 0.001);
          g_assert_cmpint (pb_study_trial_get_int (trial, "li"), ==, 7);
        }

      g_assert_true (pb_study_trial_report (trial, 0, NAN, NULL, &error));
      g_assert_true (pb_study_trial_report (trial, 1, INFINITY, NULL, &error));
      g_assert_true (pb_study_trial_report (trial, 2, -INFINITY, NULL, &error));
      g_assert_true (pb_study_trial_report (trial, 3, x * x + i, NULL, &error));
      /* a second report for a step is ignored */
      g_assert_true (pb_study_trial_report (trial, 3, 1e9, NULL, &error));
      g_assert_no_error (error);
      g_assert_true (pb_study_trial_set_user_attr (trial, "note", "\"hello\"", &error));

      if (i == 2)
        g_assert_true (pb_study_tell (study, trial, PB_TRIAL_STATE_PRUNED, 0, &error));
      else if (i == 3)
        g_assert_true (pb_study_tell (study, trial, PB_TRIAL_STATE_FAIL, 0, &error));
      else
        g_assert_true (pb_study_tell (study, trial, PB_TRIAL_STATE_COMPLETE,
                                      i == 5 ? -INFINITY : x * x + i, &error));
      g_assert_no_error (error);
    }

  trials = pb_study_load_trials (study, &error);
  g_assert_no_error (error);
  return trials;
}

/* What study_test_run_small() must have stored. */
static inline void
study_test_check_small (GPtrArray *trials)
{
  g_autoptr(PbSearchSpace) space = study_test_space ();

  /* the FAILed trial does not count against the budget of 6 → 7 trials */
  g_assert_cmpuint (trials->len, ==, 7);
  for (guint i = 0; i < trials->len; i++)
    {
      const PbTrial *t = g_ptr_array_index (trials, i);
      double v;

      g_assert_cmpint (t->number, ==, (int) i);
      g_assert_cmpuint (t->params->len, ==, 6);
      for (guint p = 0; p < 6; p++)
        {
          const PbTrialParam *tp = g_ptr_array_index (t->params, p);
          const PbParam *want = pb_search_space_get_param (space, p);

          g_assert_cmpstr (tp->name, ==, want->name);
          g_assert_true (pb_param_equal (tp->distribution, want));
          g_assert_true (pb_param_contains (want, tp->internal));
        }
      g_assert_cmpuint (t->intermediate_values->len, ==, 4);
      g_assert_true (pb_trial_get_intermediate_value (t, 0, &v) && isnan (v));
      g_assert_true (pb_trial_get_intermediate_value (t, 1, &v) && v == INFINITY);
      g_assert_true (pb_trial_get_intermediate_value (t, 2, &v) && v == -INFINITY);
      g_assert_true (pb_trial_get_intermediate_value (t, 3, &v) && v < 1e9);
      g_assert_nonnull (t->datetime_start);
      g_assert_nonnull (t->datetime_complete);

      switch (i)
        {
        case 2:
          g_assert_cmpint (t->state, ==, PB_TRIAL_STATE_PRUNED);
          g_assert_true (t->has_value);   /* the last intermediate value */
          g_assert_true (pb_trial_get_intermediate_value (t, 3, &v) && v == t->value);
          break;

        case 3:
          g_assert_cmpint (t->state, ==, PB_TRIAL_STATE_FAIL);
          g_assert_false (t->has_value);
          break;

        case 5:
          g_assert_cmpint (t->state, ==, PB_TRIAL_STATE_COMPLETE);
          g_assert_true (t->has_value && t->value == -INFINITY);
          break;

        default:
          g_assert_cmpint (t->state, ==, PB_TRIAL_STATE_COMPLETE);
          g_assert_true (t->has_value);
          g_assert_true (pb_trial_get_intermediate_value (t, 3, &v) && v == t->value);
          break;
        }
    }
}

typedef struct
{
  GPid  pid;
  int   out_fd;
} Worker;

static inline GPid
study_test_spawn_cli (const char * const *args,
                      int                *out_fd)
{
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  g_autoptr(GError) error = NULL;
  GPid pid;

  g_ptr_array_add (argv, (gpointer) g_getenv ("PERTURB_CLI"));
  for (guint i = 0; args[i] != NULL; i++)
    g_ptr_array_add (argv, (gpointer) args[i]);
  g_ptr_array_add (argv, NULL);
  g_spawn_async_with_pipes (NULL, (char **) argv->pdata, NULL, G_SPAWN_DO_NOT_REAP_CHILD, NULL,
                            NULL, &pid, NULL, out_fd, NULL, &error);
  g_assert_no_error (error);
  return pid;
}

static inline char *
study_test_read_all (int fd)
{
  GString *out = g_string_new (NULL);
  char buf[4096];
  ssize_t n;

  while ((n = read (fd, buf, sizeof buf)) > 0)
    g_string_append_len (out, buf, n);
  close (fd);
  return g_string_free (out, FALSE);
}

static inline int
study_test_wait (GPid pid)
{
  int status = 0;

  g_assert_cmpint (waitpid (pid, &status, 0), ==, pid);
  g_spawn_close_pid (pid);
  return WIFEXITED (status) ? WEXITSTATUS (status) : 128 + WTERMSIG (status);
}

/* @n_workers `perturb tune --worker` processes on one study of @n_trials
 * enqueued trials: every trial runs exactly once, none is lost. */
static inline void
study_test_workers (const char *project,
                    const char *storage_location,
                    guint       n_workers,
                    guint       n_trials)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(PbStorage) storage = NULL;
  g_autoptr(PbStudy) study = NULL;
  g_autoptr(PbSearchSpace) space = pb_search_space_new_builtin (PB_SEARCH_SPACE_QUADRATIC, NULL);
  g_autoptr(GPtrArray) trials = NULL;
  g_autofree guint *runs = g_new0 (guint, n_trials);
  g_autofree Worker *workers = g_new0 (Worker, n_workers);
  PbStudyOptions options;
  guint total = 0;

  storage = pb_storage_open (storage_location, &error);
  g_assert_no_error (error);
  pb_study_options_init_default (&options);
  options.budget = n_trials;
  options.heartbeat_interval_s = 5;
  options.pruner.enabled = FALSE;
  study = pb_study_open (storage, "workers", space, &options, &error);
  g_assert_no_error (error);
  g_assert_true (pb_study_set_user_attr (study, "perturb:objective", "\"quadratic\"", &error));
  for (guint i = 0; i < n_trials; i++)
    {
      g_autofree char *fixed = g_strdup_printf ("{\"x\": %u, \"y\": -1}", i % 10);

      g_assert_true (pb_study_enqueue_trial (study, fixed, &error));
      g_assert_no_error (error);
    }

  for (guint w = 0; w < n_workers; w++)
    {
      const char *args[] = { "tune", project, "--storage", storage_location, "--study", "workers",
                             "--worker", "--steps", "3", "--step-ms", "2", NULL };

      workers[w].pid = study_test_spawn_cli (args, &workers[w].out_fd);
    }
  for (guint w = 0; w < n_workers; w++)
    {
      g_autofree char *out = study_test_read_all (workers[w].out_fd);
      g_auto(GStrv) lines = g_strsplit (out, "\n", -1);
      guint mine = 0;

      g_assert_cmpint (study_test_wait (workers[w].pid), ==, 0);
      for (guint l = 0; lines[l] != NULL; l++)
        {
          int number;

          if (sscanf (lines[l], "trial %d", &number) == 1)
            {
              g_assert_cmpint (number, >=, 0);
              g_assert_cmpint (number, <, (int) n_trials);
              runs[number]++;
              mine++;
            }
        }
      g_test_message ("worker %u ran %u trials", w, mine);
      total += mine;
    }

  g_assert_cmpuint (total, ==, n_trials);
  for (guint i = 0; i < n_trials; i++)
    g_assert_cmpuint (runs[i], ==, 1);

  trials = pb_study_load_trials (study, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (trials->len, ==, n_trials);
  for (guint i = 0; i < n_trials; i++)
    {
      const PbTrial *t = g_ptr_array_index (trials, i);

      g_assert_cmpint (t->number, ==, (int) i);
      g_assert_cmpint (t->state, ==, PB_TRIAL_STATE_COMPLETE);
      /* the enqueued x was used: value = (x − 2)² + 0 */
      g_assert_cmpfloat_with_epsilon (t->value, ((i % 10) - 2.0) * ((i % 10) - 2.0), 1e-12);
    }
}

/* Heartbeats: a RUNNING trial whose heartbeat is older than the grace period is
 * failed; a fresh one and one without heartbeats are not; the failed trial can
 * no longer be finished. @age_heartbeat makes a heartbeat old (by SQL). */
static inline void
study_test_stale_heartbeat (PbStorage *storage,
                            void     (*age_heartbeat) (gint64 trial_id, gpointer data),
                            gpointer   data)
{
  g_autoptr(GError) error = NULL;
  gint64 study_id, stale, fresh, silent;
  int number;
  gboolean created;
  guint n_failed = 99;

  g_assert_true (pb_storage_create_study (storage, "hb", PB_STUDY_DIRECTION_MINIMIZE, &study_id,
                                          &error));
  g_assert_true (pb_storage_create_trial (storage, study_id, -1, &stale, &number, &created, &error));
  g_assert_true (pb_storage_create_trial (storage, study_id, -1, &fresh, &number, &created, &error));
  g_assert_true (pb_storage_create_trial (storage, study_id, -1, &silent, &number, &created,
                                          &error));
  g_assert_cmpint (number, ==, 2);
  g_assert_true (pb_storage_record_heartbeat (storage, stale, &error));
  g_assert_true (pb_storage_record_heartbeat (storage, fresh, &error));
  g_assert_true (pb_storage_record_heartbeat (storage, fresh, &error));   /* upsert */
  g_assert_no_error (error);

  g_assert_true (pb_storage_fail_stale_trials (storage, study_id, 30, &n_failed, &error));
  g_assert_cmpuint (n_failed, ==, 0);

  age_heartbeat (stale, data);
  g_assert_true (pb_storage_fail_stale_trials (storage, study_id, 30, &n_failed, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (n_failed, ==, 1);

  g_assert_false (pb_storage_finish_trial (storage, stale, PB_TRIAL_STATE_COMPLETE, TRUE, 1.0,
                                           &error));
  g_assert_error (error, PB_ENGINE_ERROR, PB_ENGINE_ERROR_INVALID_ARGUMENT);
  g_clear_error (&error);
  g_assert_true (pb_storage_finish_trial (storage, fresh, PB_TRIAL_STATE_COMPLETE, TRUE, 1.0,
                                          &error));
  g_assert_no_error (error);

  {
    g_autoptr(GPtrArray) trials = pb_storage_load_trials (storage, study_id, &error);

    g_assert_no_error (error);
    g_assert_cmpint (((PbTrial *) g_ptr_array_index (trials, 0))->state, ==, PB_TRIAL_STATE_FAIL);
    g_assert_cmpint (((PbTrial *) g_ptr_array_index (trials, 1))->state, ==,
                     PB_TRIAL_STATE_COMPLETE);
    g_assert_cmpint (((PbTrial *) g_ptr_array_index (trials, 2))->state, ==,
                     PB_TRIAL_STATE_RUNNING);
  }
}

/* Enqueued trials are claimed by compare-and-swap: two connections alternate,
 * each trial goes to exactly one. The budget counts every trial but FAIL ones. */
static inline void
study_test_claim_and_budget (const char *location)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(PbStorage) a = pb_storage_open (location, &error);
  g_autoptr(PbStorage) b = pb_storage_open (location, &error);
  gint64 study_id, id, seen[3] = { 0 };
  int number;
  gboolean claimed, created;

  g_assert_no_error (error);
  g_assert_true (pb_storage_create_study (a, "claims", PB_STUDY_DIRECTION_MAXIMIZE, &study_id,
                                          &error));
  g_assert_false (pb_storage_create_study (b, "claims", PB_STUDY_DIRECTION_MAXIMIZE, &id, &error));
  g_assert_error (error, PB_ENGINE_ERROR, PB_ENGINE_ERROR_EXISTS);
  g_clear_error (&error);

  for (int i = 0; i < 3; i++)
    g_assert_true (pb_storage_enqueue_trial (i % 2 ? a : b, study_id, "{\"x\": 1}", &id, &error));
  for (int i = 0; i < 3; i++)
    {
      g_autofree char *fixed = NULL;

      g_assert_true (pb_storage_claim_waiting_trial (i % 2 ? b : a, study_id, &id, &number,
                                                     &fixed, &claimed, &error));
      g_assert_no_error (error);
      g_assert_true (claimed);
      g_assert_cmpint (number, ==, i);
      g_assert_cmpstr (fixed, ==, "{\"x\": 1}");
      for (int j = 0; j < i; j++)
        g_assert_cmpint (seen[j], !=, id);
      seen[i] = id;
    }
  {
    g_autofree char *fixed = NULL;

    g_assert_true (pb_storage_claim_waiting_trial (a, study_id, &id, &number, &fixed, &claimed,
                                                   &error));
    g_assert_false (claimed);
  }

  /* budget 4: 3 trials exist, one more may be created */
  g_assert_true (pb_storage_create_trial (a, study_id, 4, &id, &number, &created, &error));
  g_assert_true (created);
  g_assert_cmpint (number, ==, 3);
  g_assert_true (pb_storage_create_trial (b, study_id, 4, &id, &number, &created, &error));
  g_assert_false (created);
  /* a failed trial frees its place */
  g_assert_true (pb_storage_finish_trial (a, seen[0], PB_TRIAL_STATE_FAIL, FALSE, 0, &error));
  g_assert_true (pb_storage_create_trial (b, study_id, 4, &id, &number, &created, &error));
  g_assert_true (created);
  g_assert_cmpint (number, ==, 4);
  g_assert_no_error (error);
}
