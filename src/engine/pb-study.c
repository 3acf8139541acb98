/* pb-study.c — an Optuna-compatible study: ask/tell over a storage, with the
 * TPE sampler and the median pruner.
 *
 * A study is its storage rows plus a few user attributes that every worker
 * reads: `perturb:search_space` (the space as JSON) and `perturb:options`
 * (budget, seed, sampler, pruner and heartbeat settings). Asking claims an
 * enqueued trial if there is one, otherwise creates a trial while the study is
 * under its budget, then samples every parameter with TPE from the study's
 * history as stored — so workers anywhere share one history and one budget.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "pb-json.h"
#include "pb-study.h"

#include "pb-error.h"

#include <json-glib/json-glib.h>
#include <math.h>
#include <string.h>

#define PB_STUDY_ATTR_SPACE   "perturb:search_space"
#define PB_STUDY_ATTR_OPTIONS "perturb:options"

struct _PbStudy
{
  PbStorage      *storage;  /* borrowed */
  char           *name;
  gint64          study_id;
  PbSearchSpace  *space;
  PbStudyOptions  options;
};

typedef struct
{
  GThread *thread;
  GMutex   mutex;
  GCond    cond;
  gboolean stop;
  char    *location;
  gint64   trial_id;
  double   interval_s;
} Heartbeat;

struct _PbStudyTrial
{
  PbStudy   *study;     /* borrowed */
  PbTrial   *trial;
  gboolean   pruned;
  gboolean   told;
  Heartbeat *heartbeat;
};

void
pb_study_options_init_default (PbStudyOptions *options)
{
  memset (options, 0, sizeof *options);
  options->direction = PB_STUDY_DIRECTION_MINIMIZE;
  options->budget = -1;
  pb_tpe_options_init_default (&options->tpe);
  pb_pruner_options_init_median (&options->pruner);
  options->heartbeat_interval_s = 0;
  options->grace_period_s = 0;
}

static char *
options_to_json (const PbStudyOptions *o)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();
  g_autoptr(JsonNode) root = NULL;

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "budget");
  json_builder_add_int_value (b, o->budget);
  json_builder_set_member_name (b, "seed");
  json_builder_add_int_value (b, (gint64) o->tpe.seed);
  json_builder_set_member_name (b, "n_startup_trials");
  json_builder_add_int_value (b, o->tpe.n_startup_trials);
  json_builder_set_member_name (b, "n_ei_candidates");
  json_builder_add_int_value (b, o->tpe.n_ei_candidates);
  json_builder_set_member_name (b, "tpe_compat");
  json_builder_add_string_value (b, "optuna-4.9");
  json_builder_set_member_name (b, "pruner");
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "enabled");
  json_builder_add_boolean_value (b, o->pruner.enabled);
  json_builder_set_member_name (b, "n_startup_trials");
  json_builder_add_int_value (b, o->pruner.n_startup_trials);
  json_builder_set_member_name (b, "n_warmup_steps");
  json_builder_add_int_value (b, o->pruner.n_warmup_steps);
  json_builder_set_member_name (b, "interval_steps");
  json_builder_add_int_value (b, o->pruner.interval_steps);
  json_builder_set_member_name (b, "n_min_trials");
  json_builder_add_int_value (b, o->pruner.n_min_trials);
  json_builder_end_object (b);
  json_builder_set_member_name (b, "heartbeat_interval_s");
  json_builder_add_double_value (b, o->heartbeat_interval_s);
  json_builder_set_member_name (b, "grace_period_s");
  json_builder_add_double_value (b, o->grace_period_s);
  json_builder_end_object (b);

  root = json_builder_get_root (b);
  return pb_json_to_string (root, FALSE);
}

static gboolean
options_from_json (const char      *json,
                   PbStudyOptions  *o,
                   GError         **error)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  JsonObject *root, *pruner;

  if (!json_parser_load_from_data (parser, json, -1, NULL) ||
      !JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)))
    {
      g_set_error (error, PB_ENGINE_ERROR, PB_ENGINE_ERROR_CORRUPT,
                   "The study's " PB_STUDY_ATTR_OPTIONS " attribute is not a JSON object");
      return FALSE;
    }
  root = json_node_get_object (json_parser_get_root (parser));
  o->budget = json_object_get_int_member_with_default (root, "budget", o->budget);
  o->tpe.seed = (guint64) json_object_get_int_member_with_default (root, "seed", 0);
  o->tpe.n_startup_trials = json_object_get_int_member_with_default (root, "n_startup_trials",
                                                                    o->tpe.n_startup_trials);
  o->tpe.n_ei_candidates = json_object_get_int_member_with_default (root, "n_ei_candidates",
                                                                   o->tpe.n_ei_candidates);
  o->heartbeat_interval_s = json_object_get_double_member_with_default (root,
                                                                        "heartbeat_interval_s",
                                                                        0);
  o->grace_period_s = json_object_get_double_member_with_default (root, "grace_period_s", 0);
  if (json_object_has_member (root, "pruner") &&
      JSON_NODE_HOLDS_OBJECT (json_object_get_member (root, "pruner")))
    {
      pruner = json_object_get_object_member (root, "pruner");
      o->pruner.enabled = json_object_get_boolean_member_with_default (pruner, "enabled", TRUE);
      o->pruner.n_startup_trials =
        json_object_get_int_member_with_default (pruner, "n_startup_trials", 5);
      o->pruner.n_warmup_steps = json_object_get_int_member_with_default (pruner,
                                                                          "n_warmup_steps", 0);
      o->pruner.interval_steps = json_object_get_int_member_with_default (pruner,
                                                                          "interval_steps", 1);
      o->pruner.n_min_trials = json_object_get_int_member_with_default (pruner, "n_min_trials", 1);
    }
  return TRUE;
}

/* The space is stored as a JSON object value (Optuna's json.dumps of a dict). */
static char *
space_to_attr (PbSearchSpace *space)
{
  g_autofree char *json = pb_search_space_to_json (space);

  return g_strdup (g_strstrip (json));
}

/**
 * pb_study_open:
 * @storage: (transfer none): must outlive the study
 * @space: (nullable): the search space; %NULL to use the stored one (joining a study)
 * @options: (nullable): settings for a new study; for an existing one only the
 *   budget is taken from here (to extend a study), the rest is the stored settings
 *
 * Creates the study if it does not exist (which needs @space), or loads it. An
 * existing study with a different search space is refused.
 *
 * Returns: (transfer full): the study, or %NULL with @error set
 */
PbStudy *
pb_study_open (PbStorage             *storage,
               const char            *name,
               PbSearchSpace         *space,
               const PbStudyOptions  *options,
               GError               **error)
{
  g_autoptr(PbStudy) self = g_new0 (PbStudy, 1);
  g_autoptr(GError) local_error = NULL;
  g_autofree char *space_json = NULL;
  g_autofree char *options_json = NULL;
  PbStudyDirection direction;

  g_return_val_if_fail (storage != NULL && name != NULL, NULL);

  self->storage = storage;
  self->name = g_strdup (name);
  pb_study_options_init_default (&self->options);

  if (!pb_storage_find_study (storage, name, &self->study_id, &direction, &local_error))
    {
      if (!g_error_matches (local_error, PB_ENGINE_ERROR, PB_ENGINE_ERROR_NOT_FOUND) ||
          space == NULL)
        {
          g_propagate_error (error, g_steal_pointer (&local_error));
          return NULL;
        }
      g_clear_error (&local_error);

      /* a new study */
      if (options != NULL)
        self->options = *options;
      self->space = pb_search_space_ref (space);
      space_json = space_to_attr (space);
      options_json = options_to_json (&self->options);
      if (!pb_storage_create_study (storage, name, self->options.direction, &self->study_id,
                                    error) ||
          !pb_storage_set_study_user_attr (storage, self->study_id, PB_STUDY_ATTR_SPACE,
                                           space_json, error) ||
          !pb_storage_set_study_user_attr (storage, self->study_id, PB_STUDY_ATTR_OPTIONS,
                                           options_json, error))
        return NULL;
      return g_steal_pointer (&self);
    }

  /* an existing study */
  self->options.direction = direction;
  if (!pb_storage_get_study_user_attr (storage, self->study_id, PB_STUDY_ATTR_SPACE,
                                       &space_json, error) ||
      !pb_storage_get_study_user_attr (storage, self->study_id, PB_STUDY_ATTR_OPTIONS,
                                       &options_json, error))
    return NULL;
  if (options_json != NULL && !options_from_json (options_json, &self->options, error))
    return NULL;

  if (space_json != NULL)
    {
      self->space = pb_search_space_new_from_json (space_json, error);
      if (self->space == NULL)
        {
          g_prefix_error (error, "Study %s: ", name);
          return NULL;
        }
      if (space != NULL && !pb_search_space_equal (space, self->space))
        {
          g_set_error (error, PB_ENGINE_ERROR, PB_ENGINE_ERROR_EXISTS,
                       "A study called “%s” already exists with a different search space; "
                       "choose another study name", name);
          return NULL;
        }
    }
  else if (space != NULL)
    self->space = pb_search_space_ref (space);   /* a study Optuna made: run it with ours */
  else
    {
      g_set_error (error, PB_ENGINE_ERROR, PB_ENGINE_ERROR_NOT_FOUND,
                   "Study %s has no stored search space: give one to run it", name);
      return NULL;
    }

  if (options != NULL)
    {
      if (options->direction != direction)
        {
          g_set_error (error, PB_ENGINE_ERROR, PB_ENGINE_ERROR_EXISTS,
                       "Study %s exists and %ss its objective", name,
                       direction == PB_STUDY_DIRECTION_MINIMIZE ? "minimize" : "maximize");
          return NULL;
        }
      if (options->budget != self->options.budget)
        {
          g_autofree char *updated = NULL;

          self->options.budget = options->budget;
          updated = options_to_json (&self->options);
          if (!pb_storage_set_study_user_attr (storage, self->study_id, PB_STUDY_ATTR_OPTIONS,
                                               updated, error))
            return NULL;
        }
    }

  return g_steal_pointer (&self);
}

void
pb_study_free (PbStudy *self)
{
  if (self == NULL)
    return;
  g_free (self->name);
  g_clear_pointer (&self->space, pb_search_space_unref);
  g_free (self);
}

const char *
pb_study_get_name (PbStudy *self)
{
  return self->name;
}

gint64
pb_study_get_id (PbStudy *self)
{
  return self->study_id;
}

PbSearchSpace *
pb_study_get_search_space (PbStudy *self)
{
  return self->space;
}

const PbStudyOptions *
pb_study_get_options (PbStudy *self)
{
  return &self->options;
}

PbStorage *
pb_study_get_storage (PbStudy *self)
{
  return self->storage;
}

gboolean
pb_study_set_user_attr (PbStudy     *self,
                        const char  *key,
                        const char  *value_json,
                        GError     **error)
{
  return pb_storage_set_study_user_attr (self->storage, self->study_id, key, value_json, error);
}

/**
 * pb_study_get_user_attr:
 * @value_json: (out) (transfer full) (nullable): the value, %NULL when absent
 */
gboolean
pb_study_get_user_attr (PbStudy     *self,
                        const char  *key,
                        char       **value_json,
                        GError     **error)
{
  return pb_storage_get_study_user_attr (self->storage, self->study_id, key, value_json, error);
}

/**
 * pb_study_load_trials:
 *
 * Returns: (transfer full) (element-type PbTrial): the study's trials
 */
GPtrArray *
pb_study_load_trials (PbStudy  *self,
                      GError  **error)
{
  return pb_storage_load_trials (self->storage, self->study_id, error);
}

gboolean
pb_study_enqueue_trial (PbStudy     *self,
                        const char  *fixed_params_json,
                        GError     **error)
{
  gint64 trial_id;

  return pb_storage_enqueue_trial (self->storage, self->study_id, fixed_params_json, &trial_id,
                                   error);
}

static gpointer
heartbeat_thread (gpointer data)
{
  Heartbeat *hb = data;
  g_autoptr(GError) error = NULL;
  g_autoptr(PbStorage) storage = pb_storage_open (hb->location, &error);

  if (storage == NULL)
    {
      g_debug ("heartbeat: %s", error->message);
      return NULL;
    }

  g_mutex_lock (&hb->mutex);
  while (!hb->stop)
    {
      gint64 until = g_get_monotonic_time () + (gint64) (hb->interval_s * G_USEC_PER_SEC);

      g_mutex_unlock (&hb->mutex);
      if (!pb_storage_record_heartbeat (storage, hb->trial_id, &error))
        {
          g_debug ("heartbeat: %s", error->message);
          g_clear_error (&error);
        }
      g_mutex_lock (&hb->mutex);
      while (!hb->stop && g_cond_wait_until (&hb->cond, &hb->mutex, until))
        ;
    }
  g_mutex_unlock (&hb->mutex);
  return NULL;
}

static Heartbeat *
heartbeat_start (PbStorage *storage,
                 gint64     trial_id,
                 double     interval_s)
{
  Heartbeat *hb = g_new0 (Heartbeat, 1);

  g_mutex_init (&hb->mutex);
  g_cond_init (&hb->cond);
  hb->location = pb_storage_dup_location (storage);
  hb->trial_id = trial_id;
  hb->interval_s = interval_s;
  hb->thread = g_thread_new ("pb-heartbeat", heartbeat_thread, hb);
  return hb;
}

static void
heartbeat_stop (Heartbeat *hb)
{
  if (hb == NULL)
    return;
  g_mutex_lock (&hb->mutex);
  hb->stop = TRUE;
  g_cond_signal (&hb->cond);
  g_mutex_unlock (&hb->mutex);
  g_thread_join (hb->thread);
  g_mutex_clear (&hb->mutex);
  g_cond_clear (&hb->cond);
  g_free (hb->location);
  g_free (hb);
}

static double
grace_period (PbStudy *self)
{
  return self->options.grace_period_s > 0 ? self->options.grace_period_s
                                          : 2 * self->options.heartbeat_interval_s;
}

/* External value from an enqueued trial's fixed_params → internal, or NAN. */
static double
fixed_param_internal (JsonObject    *fixed,
                      const PbParam *param)
{
  JsonNode *node;

  if (fixed == NULL || (node = json_object_get_member (fixed, param->name)) == NULL ||
      !JSON_NODE_HOLDS_VALUE (node))
    return NAN;

  if (param->kind == PB_PARAM_KIND_CATEGORICAL)
    {
      const char *s = json_node_get_value_type (node) == G_TYPE_STRING
                      ? json_node_get_string (node) : NULL;

      for (guint c = 0; s != NULL && c < param->n_choices; c++)
        if (g_str_equal (param->choices[c], s))
          return c;
      return NAN;
    }
  if (json_node_get_value_type (node) == G_TYPE_INT64)
    return (double) json_node_get_int (node);
  if (json_node_get_value_type (node) == G_TYPE_DOUBLE)
    return json_node_get_double (node);
  return NAN;
}

/**
 * pb_study_ask:
 * @trial: (out) (transfer full) (nullable): the trial to run, or %NULL when the
 *   study's budget is used up
 *
 * Fails stale trials (when heartbeats are on), claims an enqueued trial or
 * creates one under the budget, and suggests every parameter of the space
 * (enqueued values first, then TPE over the stored history).
 */
gboolean
pb_study_ask (PbStudy       *self,
              PbStudyTrial **trial,
              GError       **error)
{
  g_autoptr(PbStudyTrial) st = NULL;
  g_autoptr(PbTrial) current = pb_trial_new ();
  g_autoptr(GPtrArray) history = NULL;
  g_autofree char *fixed_json = NULL;
  g_autoptr(JsonParser) parser = NULL;
  JsonObject *fixed = NULL;
  gboolean claimed = FALSE, created = FALSE;

  *trial = NULL;

  if (self->options.heartbeat_interval_s > 0 &&
      !pb_storage_fail_stale_trials (self->storage, self->study_id, grace_period (self), NULL,
                                     error))
    return FALSE;

  if (!pb_storage_claim_waiting_trial (self->storage, self->study_id, &current->trial_id,
                                       &current->number, &fixed_json, &claimed, error))
    return FALSE;
  if (!claimed)
    {
      if (!pb_storage_create_trial (self->storage, self->study_id, self->options.budget,
                                    &current->trial_id, &current->number, &created, error))
        return FALSE;
      if (!created)
        return TRUE;
    }
  current->state = PB_TRIAL_STATE_RUNNING;

  st = g_new0 (PbStudyTrial, 1);
  st->study = self;
  if (self->options.heartbeat_interval_s > 0)
    {
      if (!pb_storage_record_heartbeat (self->storage, current->trial_id, error))
        return FALSE;
      st->heartbeat = heartbeat_start (self->storage, current->trial_id,
                                       self->options.heartbeat_interval_s);
    }
  st->trial = g_steal_pointer (&current);

  if (fixed_json != NULL)
    {
      parser = json_parser_new ();
      if (json_parser_load_from_data (parser, fixed_json, -1, NULL) &&
          JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)))
        fixed = json_node_get_object (json_parser_get_root (parser));
    }

  history = pb_storage_load_trials (self->storage, self->study_id, error);
  if (history == NULL)
    goto fail;

  for (guint i = 0; i < pb_search_space_get_n_params (self->space); i++)
    {
      const PbParam *param = pb_search_space_get_param (self->space, i);
      double internal = fixed_param_internal (fixed, param);

      if (!pb_param_contains (param, internal))
        internal = pb_tpe_sample (&self->options.tpe, self->options.direction, history,
                                  st->trial, param, i);
      if (!pb_storage_set_trial_param (self->storage, self->study_id, st->trial->trial_id,
                                       param, internal, error))
        goto fail;
      pb_trial_add_param (st->trial, param->name, internal, param);
    }

  *trial = g_steal_pointer (&st);
  return TRUE;

fail:
  /* do not leave a RUNNING trial behind that nobody runs */
  pb_storage_finish_trial (self->storage, st->trial->trial_id, PB_TRIAL_STATE_FAIL, FALSE, 0,
                           NULL);
  st->told = TRUE;
  return FALSE;
}

/**
 * pb_study_tell:
 * @state: COMPLETE (with @value), PRUNED (the last intermediate value is stored
 *   as its value when finite, as Optuna) or FAIL
 *
 * A COMPLETE trial whose value is NaN is stored as FAIL, as Optuna does.
 */
gboolean
pb_study_tell (PbStudy       *self,
               PbStudyTrial  *trial,
               PbTrialState   state,
               double         value,
               GError       **error)
{
  gboolean has_value = FALSE;
  gint64 last_step;

  g_return_val_if_fail (trial != NULL && !trial->told, FALSE);

  g_clear_pointer (&trial->heartbeat, heartbeat_stop);
  trial->told = TRUE;

  if (state == PB_TRIAL_STATE_COMPLETE)
    {
      if (isnan (value))
        state = PB_TRIAL_STATE_FAIL;
      else
        has_value = TRUE;
    }
  else if (state == PB_TRIAL_STATE_PRUNED)
    {
      value = NAN;
      if (pb_trial_get_last_step (trial->trial, &last_step))
        pb_trial_get_intermediate_value (trial->trial, last_step, &value);
      has_value = isfinite (value);
    }

  trial->trial->state = state;
  trial->trial->has_value = has_value;
  trial->trial->value = value;
  return pb_storage_finish_trial (self->storage, trial->trial->trial_id, state, has_value, value,
                                  error);
}

/**
 * pb_study_optimize:
 * @max_trials: trials this call runs at most, -1 = until the study's budget is used
 * @n_run: (out) (optional): trials this call ran
 *
 * Asks, evaluates with @objective and tells, until the budget is used up (by
 * this and every other worker), @max_trials is reached, @cancellable fires or
 * the objective fails. A failing objective fails its trial and stops the loop.
 */
gboolean
pb_study_optimize (PbStudy         *self,
                   PbObjectiveFunc  objective,
                   gpointer         user_data,
                   gint64           max_trials,
                   guint           *n_run,
                   PbProgressFunc   progress,
                   gpointer         progress_data,
                   GCancellable    *cancellable,
                   GError         **error)
{
  guint done = 0;

  if (n_run != NULL)
    *n_run = 0;

  while (max_trials < 0 || done < max_trials)
    {
      g_autoptr(PbStudyTrial) trial = NULL;
      g_autoptr(GError) local_error = NULL;
      g_autofree char *message = NULL;
      double value = NAN;
      PbTrialState state;

      if (g_cancellable_set_error_if_cancelled (cancellable, error))
        return FALSE;
      if (!pb_study_ask (self, &trial, error))
        return FALSE;
      if (trial == NULL)
        break;

      if (!objective (trial, &value, user_data, cancellable, &local_error))
        {
          pb_study_tell (self, trial, PB_TRIAL_STATE_FAIL, NAN, NULL);
          g_prefix_error (&local_error, "Trial %d: ", trial->trial->number);
          g_propagate_error (error, g_steal_pointer (&local_error));
          return FALSE;
        }
      state = trial->pruned ? PB_TRIAL_STATE_PRUNED : PB_TRIAL_STATE_COMPLETE;
      if (!pb_study_tell (self, trial, state, value, &local_error))
        {
          /* failed as stale meanwhile: the study goes on without it */
          if (!g_error_matches (local_error, PB_ENGINE_ERROR, PB_ENGINE_ERROR_INVALID_ARGUMENT))
            {
              g_propagate_error (error, g_steal_pointer (&local_error));
              return FALSE;
            }
          g_debug ("%s", local_error->message);
        }
      done++;
      if (n_run != NULL)
        *n_run = done;

      if (progress != NULL)
        {
          message = g_strdup_printf ("Trial %d %s", trial->trial->number,
                                     state == PB_TRIAL_STATE_PRUNED ? "pruned" : "complete");
          progress (self->options.budget > 0 ? MIN (1.0, (double) (trial->trial->number + 1) /
                                                          self->options.budget) : -1,
                    message, trial->trial, progress_data);
        }
    }
  return TRUE;
}

int
pb_study_trial_get_number (PbStudyTrial *trial)
{
  return trial->trial->number;
}

const PbTrial *
pb_study_trial_get_trial (PbStudyTrial *trial)
{
  return trial->trial;
}

/**
 * pb_study_trial_get_value:
 *
 * Returns: the value of a float or int parameter (the choice index of a
 *   categorical); NaN if the trial has no such parameter
 */
double
pb_study_trial_get_value (PbStudyTrial *trial,
                          const char   *name)
{
  const PbTrialParam *p = pb_trial_lookup_param (trial->trial, name);

  g_return_val_if_fail (p != NULL, NAN);
  return p->internal;
}

gint64
pb_study_trial_get_int (PbStudyTrial *trial,
                        const char   *name)
{
  return (gint64) llround (pb_study_trial_get_value (trial, name));
}

/**
 * pb_study_trial_get_choice:
 *
 * Returns: (transfer none) (nullable): the chosen value of a categorical parameter
 */
const char *
pb_study_trial_get_choice (PbStudyTrial *trial,
                           const char   *name)
{
  const PbTrialParam *p = pb_trial_lookup_param (trial->trial, name);

  g_return_val_if_fail (p != NULL && p->distribution->kind == PB_PARAM_KIND_CATEGORICAL, NULL);
  return p->distribution->choices[(guint) p->internal];
}

/**
 * pb_study_trial_dup_params_json:
 *
 * Returns: (transfer full): the trial's parameters as a JSON object of external
 *   values (Optuna's `trial.params`)
 */
char *
pb_study_trial_dup_params_json (PbStudyTrial *trial)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();
  g_autoptr(JsonNode) root = NULL;

  json_builder_begin_object (b);
  for (guint i = 0; i < trial->trial->params->len; i++)
    {
      const PbTrialParam *p = g_ptr_array_index (trial->trial->params, i);

      json_builder_set_member_name (b, p->name);
      switch (p->distribution->kind)
        {
        case PB_PARAM_KIND_CATEGORICAL:
          json_builder_add_string_value (b, p->distribution->choices[(guint) p->internal]);
          break;

        case PB_PARAM_KIND_INT:
          json_builder_add_int_value (b, (gint64) llround (p->internal));
          break;

        case PB_PARAM_KIND_FLOAT:
        default:
          json_builder_add_double_value (b, p->internal);
          break;
        }
    }
  json_builder_end_object (b);
  root = json_builder_get_root (b);
  return pb_json_to_string (root, FALSE);
}

/**
 * pb_study_trial_report:
 * @step: ≥ 0; a second report for a step is ignored (as Optuna)
 * @should_prune: (out) (optional): whether the median pruner says to stop now
 *
 * Stores an intermediate value and, when @should_prune is given, asks the
 * pruner about this trial against the study's COMPLETE trials.
 */
gboolean
pb_study_trial_report (PbStudyTrial  *trial,
                       gint64         step,
                       double         value,
                       gboolean      *should_prune,
                       GError       **error)
{
  PbStudy *self = trial->study;
  g_autoptr(GPtrArray) trials = NULL;

  g_return_val_if_fail (step >= 0, FALSE);

  if (should_prune != NULL)
    *should_prune = FALSE;
  if (!pb_storage_report (self->storage, trial->trial->trial_id, step, value, error))
    return FALSE;
  pb_trial_set_intermediate_value (trial->trial, step, value);

  if (should_prune == NULL || !self->options.pruner.enabled)
    return TRUE;
  trials = pb_storage_load_trials (self->storage, self->study_id, error);
  if (trials == NULL)
    return FALSE;
  trial->pruned = pb_pruner_should_prune (&self->options.pruner, self->options.direction,
                                          trials, trial->trial);
  *should_prune = trial->pruned;
  return TRUE;
}

gboolean
pb_study_trial_is_pruned (PbStudyTrial *trial)
{
  return trial->pruned;
}

gboolean
pb_study_trial_set_user_attr (PbStudyTrial  *trial,
                              const char    *key,
                              const char    *value_json,
                              GError       **error)
{
  return pb_storage_set_trial_user_attr (trial->study->storage, trial->trial->trial_id, key,
                                         value_json, error);
}

/**
 * pb_study_trial_free:
 *
 * Frees the handle; a trial that was never told is failed first, so that it
 * does not stay RUNNING.
 */
void
pb_study_trial_free (PbStudyTrial *trial)
{
  if (trial == NULL)
    return;
  if (!trial->told)
    pb_study_tell (trial->study, trial, PB_TRIAL_STATE_FAIL, NAN, NULL);
  g_clear_pointer (&trial->heartbeat, heartbeat_stop);
  pb_trial_free (trial->trial);
  g_free (trial);
}
