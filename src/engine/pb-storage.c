/* pb-storage.c — studies in Optuna's RDB schema (engine-notes §3), on top of
 * the SQL layer of pb-storage-private.h.
 *
 * What we write is what Optuna 4.9's RDBStorage writes: alembic head v3.2.0.a,
 * enum names in the state/type columns, internal representations in
 * `trial_params.param_value` with Optuna's `distribution_json`, ±inf and NaN as
 * NULL + a type column, naive local datetimes. Workers cooperate through the
 * database only: trial numbers are assigned under a lock on the study row
 * (BEGIN IMMEDIATE on SQLite), enqueued (WAITING) trials are claimed by a
 * compare-and-swap UPDATE, and a trial can be finished only while RUNNING, so
 * no trial is run or finished twice.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "pb-storage.h"
#include "pb-storage-private.h"

#include "pb-error.h"

#include <math.h>
#include <string.h>

struct _PbStorage
{
  PbDb *db;
  char *location;   /* may hold a password: never printed */
};

void
_pb_db_result_free (PbDbResult *result)
{
  if (result == NULL)
    return;
  for (guint i = 0; i < result->n_rows * result->n_cols; i++)
    g_free (result->cells[i].s);
  g_free (result->cells);
  g_free (result);
}

static PbDbValue *
cell (PbDbResult *result,
      guint       row,
      guint       col)
{
  g_assert (row < result->n_rows && col < result->n_cols);
  return &result->cells[row * result->n_cols + col];
}

gint64
_pb_db_result_get_int (PbDbResult *result,
                       guint       row,
                       guint       col)
{
  PbDbValue *v = cell (result, row, col);

  switch (v->type)
    {
    case PB_DB_INT:
      return v->i;

    case PB_DB_DOUBLE:
      return (gint64) v->d;

    case PB_DB_TEXT:
      return g_ascii_strtoll (v->s, NULL, 10);

    case PB_DB_NULL:
    default:
      return 0;
    }
}

double
_pb_db_result_get_double (PbDbResult *result,
                          guint       row,
                          guint       col)
{
  PbDbValue *v = cell (result, row, col);

  switch (v->type)
    {
    case PB_DB_INT:
      return (double) v->i;

    case PB_DB_DOUBLE:
      return v->d;

    case PB_DB_TEXT:
      return g_ascii_strtod (v->s, NULL);

    case PB_DB_NULL:
    default:
      return NAN;
    }
}

const char *
_pb_db_result_get_text (PbDbResult *result,
                        guint       row,
                        guint       col)
{
  PbDbValue *v = cell (result, row, col);

  return v->type == PB_DB_TEXT ? v->s : NULL;
}

gboolean
_pb_db_result_is_null (PbDbResult *result,
                       guint       row,
                       guint       col)
{
  return cell (result, row, col)->type == PB_DB_NULL;
}

static PbDbResult *
query (PbStorage        *self,
       const char       *sql,
       const PbDbValue  *params,
       guint             n_params,
       GError          **error)
{
  return self->db->vtable->query (self->db, sql, params, n_params, error);
}

static gboolean
run (PbStorage        *self,
     const char       *sql,
     const PbDbValue  *params,
     guint             n_params,
     GError          **error)
{
  g_autoptr(PbDbResult) result = query (self, sql, params, n_params, error);

  return result != NULL;
}

static gboolean
begin (PbStorage  *self,
       GError    **error)
{
  return self->db->vtable->begin (self->db, error);
}

static gboolean
commit (PbStorage  *self,
        GError    **error)
{
  return self->db->vtable->exec (self->db, "COMMIT", error);
}

static void
rollback (PbStorage *self)
{
  self->db->vtable->exec (self->db, "ROLLBACK", NULL);
}

/* Naive local time, as Optuna 4.x's datetime.now(). */
static char *
now_text (void)
{
  g_autoptr(GDateTime) now = g_date_time_new_now_local ();

  return g_date_time_format (now, "%Y-%m-%d %H:%M:%S.%f");
}

static gboolean
is_postgres_location (const char *location)
{
  return g_str_has_prefix (location, "postgresql://") ||
         g_str_has_prefix (location, "postgres://") ||
         (strchr (location, '=') != NULL && !g_file_test (location, G_FILE_TEST_EXISTS));
}

/**
 * pb_storage_open:
 * @location: where the studies live:
 *   - `postgresql://…`, `postgres://…` or a libpq `key=value` string: PostgreSQL;
 *   - `sqlite:///ABSOLUTE/PATH` (Optuna's URL form; created if missing) or a path
 *     to an existing SQLite file, e.g. a Perturb project.
 *
 * Creates Optuna's tables (with the v3.2.0.a / schema 12 markers) when the
 * database has none; a database Optuna created is used as it is.
 *
 * Returns: (transfer full): the storage, or %NULL with @error set
 *   (%PB_ENGINE_ERROR_CONNECTION when a server cannot be reached).
 */
PbStorage *
pb_storage_open (const char  *location,
                 GError     **error)
{
  g_autoptr(PbStorage) self = g_new0 (PbStorage, 1);

  g_return_val_if_fail (location != NULL, NULL);

  if (is_postgres_location (location))
    self->db = _pb_db_postgres_open (location, error);
  else if (g_str_has_prefix (location, "sqlite:///"))
    self->db = _pb_db_sqlite_open (location + strlen ("sqlite:///") - 1, TRUE, error);
  else
    self->db = _pb_db_sqlite_open (location, FALSE, error);

  if (self->db == NULL || !self->db->vtable->ensure_schema (self->db, error))
    return NULL;
  self->location = g_strdup (location);

  return g_steal_pointer (&self);
}

void
pb_storage_free (PbStorage *self)
{
  if (self == NULL)
    return;
  if (self->db != NULL)
    self->db->vtable->free (self->db);
  g_free (self->location);
  g_free (self);
}

/**
 * pb_storage_dup_location:
 *
 * Returns: (transfer full): what pb_storage_open() was given, to open another
 *   connection to the same storage (it may contain a password: do not print it)
 */
char *
pb_storage_dup_location (PbStorage *self)
{
  return g_strdup (self->location);
}

/* "sqlite" or "postgresql" */
const char *
pb_storage_get_kind (PbStorage *self)
{
  return self->db->kind;
}

/**
 * pb_storage_create_study:
 *
 * Returns: %FALSE with %PB_ENGINE_ERROR_EXISTS if a study of that name exists.
 */
gboolean
pb_storage_create_study (PbStorage         *self,
                         const char        *name,
                         PbStudyDirection   direction,
                         gint64            *study_id,
                         GError           **error)
{
  g_autoptr(PbDbResult) existing = NULL;
  g_autoptr(PbDbResult) inserted = NULL;

  if (!begin (self, error))
    return FALSE;
  existing = query (self, "SELECT study_id FROM studies WHERE study_name = $1",
                    (PbDbValue[]) { PB_DB_S (name) }, 1, error);
  if (existing == NULL)
    goto fail;
  if (existing->n_rows > 0)
    {
      g_set_error (error, PB_ENGINE_ERROR, PB_ENGINE_ERROR_EXISTS,
                   "A study called “%s” already exists", name);
      goto fail;
    }
  inserted = query (self, "INSERT INTO studies (study_name) VALUES ($1) RETURNING study_id",
                    (PbDbValue[]) { PB_DB_S (name) }, 1, error);
  if (inserted == NULL || inserted->n_rows != 1)
    goto fail;
  *study_id = _pb_db_result_get_int (inserted, 0, 0);
  if (!run (self, "INSERT INTO study_directions (direction, study_id, objective) "
                  "VALUES ($1, $2, 0)",
            (PbDbValue[]) { PB_DB_S (pb_study_direction_to_string (direction)),
                            PB_DB_I (*study_id) }, 2, error))
    goto fail;
  return commit (self, error);

fail:
  rollback (self);
  return FALSE;
}

/**
 * pb_storage_find_study:
 *
 * Returns: %FALSE with %PB_ENGINE_ERROR_NOT_FOUND if there is no such study.
 */
gboolean
pb_storage_find_study (PbStorage         *self,
                       const char        *name,
                       gint64            *study_id,
                       PbStudyDirection  *direction,
                       GError           **error)
{
  g_autoptr(PbDbResult) result = NULL;
  const char *dir;

  result = query (self, "SELECT s.study_id, d.direction FROM studies s "
                        "LEFT JOIN study_directions d ON d.study_id = s.study_id "
                        "AND d.objective = 0 WHERE s.study_name = $1",
                  (PbDbValue[]) { PB_DB_S (name) }, 1, error);
  if (result == NULL)
    return FALSE;
  if (result->n_rows == 0)
    {
      g_set_error (error, PB_ENGINE_ERROR, PB_ENGINE_ERROR_NOT_FOUND,
                   "No study called “%s” in this storage", name);
      return FALSE;
    }
  *study_id = _pb_db_result_get_int (result, 0, 0);
  dir = _pb_db_result_get_text (result, 0, 1);
  if (direction != NULL)
    *direction = g_strcmp0 (dir, "MAXIMIZE") == 0 ? PB_STUDY_DIRECTION_MAXIMIZE
                                                  : PB_STUDY_DIRECTION_MINIMIZE;
  return TRUE;
}

/**
 * pb_storage_list_studies:
 *
 * Returns: (transfer full): study names in creation order, or %NULL on error
 */
char **
pb_storage_list_studies (PbStorage  *self,
                         GError    **error)
{
  g_autoptr(PbDbResult) result = NULL;
  g_autoptr(GStrvBuilder) names = g_strv_builder_new ();

  result = query (self, "SELECT study_name FROM studies ORDER BY study_id", NULL, 0, error);
  if (result == NULL)
    return NULL;
  for (guint i = 0; i < result->n_rows; i++)
    g_strv_builder_add (names, _pb_db_result_get_text (result, i, 0));
  return g_strv_builder_end (names);
}

static gboolean
set_attr (PbStorage   *self,
          const char  *table,
          const char  *id_column,
          gint64       id,
          const char  *key,
          const char  *value_json,
          GError     **error)
{
  g_autofree char *sql = g_strdup_printf ("INSERT INTO %s (%s, \"key\", value_json) "
                                          "VALUES ($1, $2, $3) ON CONFLICT (%s, \"key\") "
                                          "DO UPDATE SET value_json = excluded.value_json",
                                          table, id_column, id_column);

  return run (self, sql, (PbDbValue[]) { PB_DB_I (id), PB_DB_S (key), PB_DB_S (value_json) },
              3, error);
}

gboolean
pb_storage_set_study_user_attr (PbStorage   *self,
                                gint64       study_id,
                                const char  *key,
                                const char  *value_json,
                                GError     **error)
{
  return set_attr (self, "study_user_attributes", "study_id", study_id, key, value_json, error);
}

/**
 * pb_storage_get_study_user_attr:
 * @value_json: (out) (transfer full): the JSON value, %NULL when the key is absent
 */
gboolean
pb_storage_get_study_user_attr (PbStorage   *self,
                                gint64       study_id,
                                const char  *key,
                                char       **value_json,
                                GError     **error)
{
  g_autoptr(PbDbResult) result = NULL;

  result = query (self, "SELECT value_json FROM study_user_attributes "
                        "WHERE study_id = $1 AND \"key\" = $2",
                  (PbDbValue[]) { PB_DB_I (study_id), PB_DB_S (key) }, 2, error);
  if (result == NULL)
    return FALSE;
  *value_json = result->n_rows > 0 ? g_strdup (_pb_db_result_get_text (result, 0, 0)) : NULL;
  return TRUE;
}

gboolean
pb_storage_set_trial_user_attr (PbStorage   *self,
                                gint64       trial_id,
                                const char  *key,
                                const char  *value_json,
                                GError     **error)
{
  return set_attr (self, "trial_user_attributes", "trial_id", trial_id, key, value_json, error);
}

/* Inside a transaction that holds the study lock: a new trial row numbered by
 * Optuna's rule (count of the study's trials with a smaller id). */
static gboolean
insert_trial (PbStorage     *self,
              gint64         study_id,
              PbTrialState   state,
              gint64        *trial_id,
              int           *number,
              GError       **error)
{
  g_autoptr(PbDbResult) inserted = NULL;
  g_autoptr(PbDbResult) counted = NULL;
  g_autofree char *now = state == PB_TRIAL_STATE_RUNNING ? now_text () : NULL;

  inserted = query (self, "INSERT INTO trials (number, study_id, state, datetime_start) "
                          "VALUES (NULL, $1, $2, $3) RETURNING trial_id",
                    (PbDbValue[]) { PB_DB_I (study_id),
                                    PB_DB_S (pb_trial_state_to_string (state)),
                                    PB_DB_S (now) }, 3, error);
  if (inserted == NULL || inserted->n_rows != 1)
    return FALSE;
  *trial_id = _pb_db_result_get_int (inserted, 0, 0);

  counted = query (self, "SELECT count(*) FROM trials WHERE study_id = $1 AND trial_id < $2",
                   (PbDbValue[]) { PB_DB_I (study_id), PB_DB_I (*trial_id) }, 2, error);
  if (counted == NULL)
    return FALSE;
  *number = (int) _pb_db_result_get_int (counted, 0, 0);
  return run (self, "UPDATE trials SET number = $1 WHERE trial_id = $2",
              (PbDbValue[]) { PB_DB_I (*number), PB_DB_I (*trial_id) }, 2, error);
}

static gboolean
lock_study (PbStorage  *self,
            gint64      study_id,
            GError    **error)
{
  g_autofree char *sql = g_strconcat ("SELECT study_id FROM studies WHERE study_id = $1",
                                      self->db->lock_suffix, NULL);
  g_autoptr(PbDbResult) result = query (self, sql, (PbDbValue[]) { PB_DB_I (study_id) }, 1,
                                        error);

  if (result == NULL)
    return FALSE;
  if (result->n_rows == 0)
    {
      g_set_error (error, PB_ENGINE_ERROR, PB_ENGINE_ERROR_NOT_FOUND,
                   "Study %" G_GINT64_FORMAT " does not exist", study_id);
      return FALSE;
    }
  return TRUE;
}

/**
 * pb_storage_enqueue_trial:
 * @fixed_params_json: JSON object of external values, e.g. `{"x": 1.5, "opt": "sgd"}`
 *
 * Adds a WAITING trial (Optuna's `study.enqueue_trial`).
 */
gboolean
pb_storage_enqueue_trial (PbStorage   *self,
                          gint64       study_id,
                          const char  *fixed_params_json,
                          gint64      *trial_id,
                          GError     **error)
{
  int number;

  if (!begin (self, error))
    return FALSE;
  if (!lock_study (self, study_id, error) ||
      !insert_trial (self, study_id, PB_TRIAL_STATE_WAITING, trial_id, &number, error) ||
      !set_attr (self, "trial_system_attributes", "trial_id", *trial_id, "fixed_params",
                 fixed_params_json != NULL ? fixed_params_json : "{}", error))
    {
      rollback (self);
      return FALSE;
    }
  return commit (self, error);
}

/**
 * pb_storage_create_trial:
 * @budget: the study's trial budget, or -1 for none: no trial is created when the
 *   study already has @budget trials that did not fail
 * @created: (out): whether a trial was created
 *
 * Creates a RUNNING trial with the next number; the check against @budget and
 * the insert happen under one lock, so workers never overshoot it.
 */
gboolean
pb_storage_create_trial (PbStorage  *self,
                         gint64      study_id,
                         gint64      budget,
                         gint64     *trial_id,
                         int        *number,
                         gboolean   *created,
                         GError    **error)
{
  *created = FALSE;
  if (!begin (self, error))
    return FALSE;
  if (!lock_study (self, study_id, error))
    goto fail;

  if (budget >= 0)
    {
      g_autoptr(PbDbResult) counted = NULL;

      counted = query (self, "SELECT count(*) FROM trials WHERE study_id = $1 "
                             "AND state <> 'FAIL'",
                       (PbDbValue[]) { PB_DB_I (study_id) }, 1, error);
      if (counted == NULL)
        goto fail;
      if (_pb_db_result_get_int (counted, 0, 0) >= budget)
        {
          rollback (self);
          return TRUE;
        }
    }

  if (!insert_trial (self, study_id, PB_TRIAL_STATE_RUNNING, trial_id, number, error))
    goto fail;
  if (!commit (self, error))
    return FALSE;
  *created = TRUE;
  return TRUE;

fail:
  rollback (self);
  return FALSE;
}

/**
 * pb_storage_claim_waiting_trial:
 * @fixed_params_json: (out) (transfer full) (nullable): the enqueued parameters
 * @claimed: (out): whether a WAITING trial was claimed
 *
 * Claims the oldest WAITING trial by compare-and-swap (WAITING → RUNNING), so
 * that two workers never get the same trial.
 */
gboolean
pb_storage_claim_waiting_trial (PbStorage  *self,
                                gint64      study_id,
                                gint64     *trial_id,
                                int        *number,
                                char      **fixed_params_json,
                                gboolean   *claimed,
                                GError    **error)
{
  g_autoptr(PbDbResult) waiting = NULL;

  *claimed = FALSE;
  *fixed_params_json = NULL;
  waiting = query (self, "SELECT trial_id, number FROM trials WHERE study_id = $1 "
                         "AND state = 'WAITING' ORDER BY trial_id",
                   (PbDbValue[]) { PB_DB_I (study_id) }, 1, error);
  if (waiting == NULL)
    return FALSE;

  for (guint i = 0; i < waiting->n_rows; i++)
    {
      g_autoptr(PbDbResult) swapped = NULL;
      g_autoptr(PbDbResult) attr = NULL;
      g_autofree char *now = now_text ();
      gint64 id = _pb_db_result_get_int (waiting, i, 0);

      swapped = query (self, "UPDATE trials SET state = 'RUNNING', datetime_start = $1 "
                             "WHERE trial_id = $2 AND state = 'WAITING' RETURNING trial_id",
                       (PbDbValue[]) { PB_DB_S (now), PB_DB_I (id) }, 2, error);
      if (swapped == NULL)
        return FALSE;
      if (swapped->n_rows != 1)
        continue;   /* another worker won it */

      attr = query (self, "SELECT value_json FROM trial_system_attributes "
                          "WHERE trial_id = $1 AND \"key\" = 'fixed_params'",
                    (PbDbValue[]) { PB_DB_I (id) }, 1, error);
      if (attr == NULL)
        return FALSE;
      if (attr->n_rows > 0)
        *fixed_params_json = g_strdup (_pb_db_result_get_text (attr, 0, 0));
      *trial_id = id;
      *number = (int) _pb_db_result_get_int (waiting, i, 1);
      *claimed = TRUE;
      return TRUE;
    }
  return TRUE;
}

static gboolean
check_trial_updatable (PbStorage  *self,
                       gint64      trial_id,
                       GError    **error)
{
  g_autoptr(PbDbResult) result = NULL;
  const char *state;

  result = query (self, "SELECT state, number FROM trials WHERE trial_id = $1",
                  (PbDbValue[]) { PB_DB_I (trial_id) }, 1, error);
  if (result == NULL)
    return FALSE;
  if (result->n_rows == 0)
    {
      g_set_error (error, PB_ENGINE_ERROR, PB_ENGINE_ERROR_NOT_FOUND,
                   "Trial %" G_GINT64_FORMAT " does not exist", trial_id);
      return FALSE;
    }
  state = _pb_db_result_get_text (result, 0, 0);
  if (g_strcmp0 (state, "RUNNING") != 0 && g_strcmp0 (state, "WAITING") != 0)
    {
      g_set_error (error, PB_ENGINE_ERROR, PB_ENGINE_ERROR_INVALID_ARGUMENT,
                   "Trial %" G_GINT64_FORMAT " is already finished (%s) and cannot change",
                   _pb_db_result_get_int (result, 0, 1), state);
      return FALSE;
    }
  return TRUE;
}

/**
 * pb_storage_set_trial_param:
 * @internal: the internal representation (choice index for categorical)
 *
 * Writes one `trial_params` row. Fails if the trial is finished or if the study
 * already used @distribution's name with an incompatible distribution.
 */
gboolean
pb_storage_set_trial_param (PbStorage      *self,
                            gint64          study_id,
                            gint64          trial_id,
                            const PbParam  *distribution,
                            double          internal,
                            GError        **error)
{
  g_autoptr(PbDbResult) earlier = NULL;
  g_autofree char *json = pb_param_to_distribution_json (distribution);

  if (!pb_param_contains (distribution, internal))
    {
      g_autofree char *text = pb_param_format_value (distribution, internal);

      g_set_error (error, PB_ENGINE_ERROR, PB_ENGINE_ERROR_INVALID_ARGUMENT,
                   "Value %s is outside the range of parameter %s", text, distribution->name);
      return FALSE;
    }

  if (!begin (self, error))
    return FALSE;
  if (!check_trial_updatable (self, trial_id, error))
    goto fail;
  earlier = query (self, "SELECT p.distribution_json FROM trial_params p "
                         "JOIN trials t ON t.trial_id = p.trial_id "
                         "WHERE t.study_id = $1 AND p.param_name = $2 LIMIT 1",
                   (PbDbValue[]) { PB_DB_I (study_id), PB_DB_S (distribution->name) }, 2, error);
  if (earlier == NULL)
    goto fail;
  if (earlier->n_rows > 0)
    {
      g_autoptr(PbParam) other = NULL;

      other = pb_param_new_from_distribution_json (distribution->name,
                                                   _pb_db_result_get_text (earlier, 0, 0),
                                                   error);
      if (other == NULL)
        goto fail;
      if (!pb_param_is_compatible (other, distribution))
        {
          g_set_error (error, PB_ENGINE_ERROR, PB_ENGINE_ERROR_INVALID_ARGUMENT,
                       "Parameter %s was used in this study with a different distribution",
                       distribution->name);
          goto fail;
        }
    }
  if (!run (self, "INSERT INTO trial_params (trial_id, param_name, param_value, "
                  "distribution_json) VALUES ($1, $2, $3, $4)",
            (PbDbValue[]) { PB_DB_I (trial_id), PB_DB_S (distribution->name),
                            PB_DB_D (internal), PB_DB_S (json) }, 4, error))
    goto fail;
  return commit (self, error);

fail:
  rollback (self);
  return FALSE;
}

/* Optuna's value encodings (§3.3): finite → value; ±inf, NaN → NULL + type. */
static const char *
value_type (double value)
{
  if (isnan (value))
    return "NAN";
  if (isinf (value))
    return value > 0 ? "INF_POS" : "INF_NEG";
  return "FINITE";
}

static double
decode_value (PbDbResult *result,
              guint       row,
              guint       value_col,
              guint       type_col)
{
  const char *type = _pb_db_result_get_text (result, row, type_col);

  if (g_strcmp0 (type, "INF_POS") == 0)
    return INFINITY;
  if (g_strcmp0 (type, "INF_NEG") == 0)
    return -INFINITY;
  if (g_strcmp0 (type, "NAN") == 0 || _pb_db_result_is_null (result, row, value_col))
    return NAN;
  return _pb_db_result_get_double (result, row, value_col);
}

static PbDbValue
encode_value (double value)
{
  return isfinite (value) ? PB_DB_D (value) : PB_DB_NULL_VALUE;
}

/**
 * pb_storage_report:
 *
 * Stores an intermediate value; a second report for the same step is ignored,
 * as Optuna's `trial.report` does.
 */
gboolean
pb_storage_report (PbStorage  *self,
                   gint64      trial_id,
                   gint64      step,
                   double      value,
                   GError    **error)
{
  return run (self, "INSERT INTO trial_intermediate_values (trial_id, step, intermediate_value, "
                    "intermediate_value_type) VALUES ($1, $2, $3, $4) "
                    "ON CONFLICT (trial_id, step) DO NOTHING",
              (PbDbValue[]) { PB_DB_I (trial_id), PB_DB_I (step), encode_value (value),
                              PB_DB_S (value_type (value)) }, 4, error);
}

/**
 * pb_storage_finish_trial:
 * @state: COMPLETE, PRUNED or FAIL
 * @has_value: write @value as the objective (never for FAIL; a NaN value is
 *   not written)
 *
 * Finishes a RUNNING trial. Fails with %PB_ENGINE_ERROR_INVALID_ARGUMENT if the
 * trial is not RUNNING any more (for instance failed as stale by another worker).
 */
gboolean
pb_storage_finish_trial (PbStorage     *self,
                         gint64         trial_id,
                         PbTrialState   state,
                         gboolean       has_value,
                         double         value,
                         GError       **error)
{
  g_autoptr(PbDbResult) swapped = NULL;
  g_autofree char *now = now_text ();

  g_return_val_if_fail (state == PB_TRIAL_STATE_COMPLETE || state == PB_TRIAL_STATE_PRUNED ||
                        state == PB_TRIAL_STATE_FAIL, FALSE);

  if (!begin (self, error))
    return FALSE;
  swapped = query (self, "UPDATE trials SET state = $1, datetime_complete = $2 "
                         "WHERE trial_id = $3 AND state = 'RUNNING' RETURNING number",
                   (PbDbValue[]) { PB_DB_S (pb_trial_state_to_string (state)), PB_DB_S (now),
                                   PB_DB_I (trial_id) }, 3, error);
  if (swapped == NULL)
    goto fail;
  if (swapped->n_rows != 1)
    {
      g_set_error (error, PB_ENGINE_ERROR, PB_ENGINE_ERROR_INVALID_ARGUMENT,
                   "Trial %" G_GINT64_FORMAT " is not running any more "
                   "(finished elsewhere, or failed after a missed heartbeat)", trial_id);
      goto fail;
    }
  if (has_value && state != PB_TRIAL_STATE_FAIL && !isnan (value) &&
      !run (self, "INSERT INTO trial_values (trial_id, objective, value, value_type) "
                  "VALUES ($1, 0, $2, $3)",
            (PbDbValue[]) { PB_DB_I (trial_id), encode_value (value),
                            PB_DB_S (value_type (value)) }, 3, error))
    goto fail;
  return commit (self, error);

fail:
  rollback (self);
  return FALSE;
}

/**
 * pb_storage_record_heartbeat:
 *
 * Upserts `trial_heartbeats` with the database's own clock (as Optuna's
 * `record_heartbeat`, so that workers with skewed clocks agree).
 */
gboolean
pb_storage_record_heartbeat (PbStorage  *self,
                             gint64      trial_id,
                             GError    **error)
{
  g_autofree char *sql = g_strdup_printf ("INSERT INTO trial_heartbeats (trial_id, heartbeat) "
                                          "VALUES ($1, %s) ON CONFLICT (trial_id) "
                                          "DO UPDATE SET heartbeat = excluded.heartbeat",
                                          self->db->now_sql);

  return run (self, sql, (PbDbValue[]) { PB_DB_I (trial_id) }, 1, error);
}

/**
 * pb_storage_fail_stale_trials:
 * @grace_period_s: a RUNNING trial whose last heartbeat is older than this fails
 * @n_failed: (out) (optional): how many trials were failed
 *
 * Optuna's `fail_stale_trials`. Trials that never recorded a heartbeat are left
 * alone (they belong to workers that do not send heartbeats).
 */
gboolean
pb_storage_fail_stale_trials (PbStorage  *self,
                              gint64      study_id,
                              double      grace_period_s,
                              guint      *n_failed,
                              GError    **error)
{
  g_autoptr(PbDbResult) failed = NULL;
  g_autofree char *now = now_text ();
  g_autofree char *sql = g_strdup_printf ("UPDATE trials SET state = 'FAIL', "
                                          "datetime_complete = $1 "
                                          "WHERE study_id = $2 AND state = 'RUNNING' "
                                          "AND trial_id IN (SELECT h.trial_id "
                                          "FROM trial_heartbeats h WHERE %s > $3) "
                                          "RETURNING trial_id", self->db->age_sql);

  failed = query (self, sql, (PbDbValue[]) { PB_DB_S (now), PB_DB_I (study_id),
                                             PB_DB_D (grace_period_s) }, 3, error);
  if (failed == NULL)
    return FALSE;
  if (n_failed != NULL)
    *n_failed = failed->n_rows;
  return TRUE;
}

/**
 * pb_storage_load_trials:
 *
 * Returns: (transfer full) (element-type PbTrial): every trial of the study in
 *   number order, with params, value, intermediate values and enqueued params;
 *   %NULL with @error set on failure.
 */
GPtrArray *
pb_storage_load_trials (PbStorage  *self,
                        gint64      study_id,
                        GError    **error)
{
  g_autoptr(GPtrArray) trials = g_ptr_array_new_with_free_func ((GDestroyNotify) pb_trial_free);
  g_autoptr(GHashTable) by_id = g_hash_table_new (g_int64_hash, g_int64_equal);
  g_autoptr(GHashTable) distributions = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                                              (GDestroyNotify) pb_param_free);
  g_autoptr(PbDbResult) rows = NULL;
  g_autoptr(PbDbResult) params = NULL;
  g_autoptr(PbDbResult) values = NULL;
  g_autoptr(PbDbResult) ivs = NULL;
  g_autoptr(PbDbResult) fixed = NULL;
  PbDbValue id[] = { PB_DB_I (study_id) };

  /* one read transaction: a consistent snapshot of the study */
  if (!self->db->vtable->exec (self->db, self->db->begin_read_sql, error))
    return NULL;
  rows = query (self, "SELECT trial_id, number, state, datetime_start, datetime_complete "
                      "FROM trials WHERE study_id = $1 ORDER BY trial_id", id, 1, error);
  if (rows != NULL)
    params = query (self, "SELECT p.trial_id, p.param_name, p.param_value, p.distribution_json "
                          "FROM trial_params p JOIN trials t ON t.trial_id = p.trial_id "
                          "WHERE t.study_id = $1 ORDER BY p.param_id", id, 1, error);
  if (params != NULL)
    values = query (self, "SELECT v.trial_id, v.value, v.value_type FROM trial_values v "
                          "JOIN trials t ON t.trial_id = v.trial_id "
                          "WHERE t.study_id = $1 AND v.objective = 0", id, 1, error);
  if (values != NULL)
    ivs = query (self, "SELECT v.trial_id, v.step, v.intermediate_value, "
                       "v.intermediate_value_type FROM trial_intermediate_values v "
                       "JOIN trials t ON t.trial_id = v.trial_id "
                       "WHERE t.study_id = $1 ORDER BY v.step", id, 1, error);
  if (ivs != NULL)
    fixed = query (self, "SELECT a.trial_id, a.value_json FROM trial_system_attributes a "
                         "JOIN trials t ON t.trial_id = a.trial_id "
                         "WHERE t.study_id = $1 AND a.\"key\" = 'fixed_params'", id, 1, error);
  if (fixed == NULL)
    {
      rollback (self);
      return NULL;
    }
  rollback (self);

  for (guint r = 0; r < rows->n_rows; r++)
    {
      PbTrial *t = pb_trial_new ();

      t->trial_id = _pb_db_result_get_int (rows, r, 0);
      t->number = (int) _pb_db_result_get_int (rows, r, 1);
      if (!pb_trial_state_from_string (_pb_db_result_get_text (rows, r, 2), &t->state))
        t->state = PB_TRIAL_STATE_FAIL;
      t->datetime_start = g_strdup (_pb_db_result_get_text (rows, r, 3));
      t->datetime_complete = g_strdup (_pb_db_result_get_text (rows, r, 4));
      g_ptr_array_add (trials, t);
      g_hash_table_insert (by_id, &t->trial_id, t);
    }

  for (guint r = 0; r < params->n_rows; r++)
    {
      gint64 trial_id = _pb_db_result_get_int (params, r, 0);
      const char *name = _pb_db_result_get_text (params, r, 1);
      const char *json = _pb_db_result_get_text (params, r, 3);
      PbTrial *t = g_hash_table_lookup (by_id, &trial_id);
      PbParam *distribution;

      if (t == NULL || name == NULL || json == NULL)
        continue;
      distribution = g_hash_table_lookup (distributions, json);
      if (distribution == NULL)
        {
          distribution = pb_param_new_from_distribution_json (name, json, error);
          if (distribution == NULL)
            return NULL;
          g_hash_table_insert (distributions, g_strdup (json), distribution);
        }
      pb_trial_add_param (t, name, _pb_db_result_get_double (params, r, 2), distribution);
    }

  for (guint r = 0; r < values->n_rows; r++)
    {
      gint64 trial_id = _pb_db_result_get_int (values, r, 0);
      PbTrial *t = g_hash_table_lookup (by_id, &trial_id);

      if (t == NULL)
        continue;
      t->has_value = TRUE;
      t->value = decode_value (values, r, 1, 2);
    }

  for (guint r = 0; r < ivs->n_rows; r++)
    {
      gint64 trial_id = _pb_db_result_get_int (ivs, r, 0);
      PbTrial *t = g_hash_table_lookup (by_id, &trial_id);

      if (t != NULL)
        pb_trial_set_intermediate_value (t, _pb_db_result_get_int (ivs, r, 1),
                                         decode_value (ivs, r, 2, 3));
    }

  for (guint r = 0; r < fixed->n_rows; r++)
    {
      gint64 trial_id = _pb_db_result_get_int (fixed, r, 0);
      PbTrial *t = g_hash_table_lookup (by_id, &trial_id);

      if (t != NULL)
        t->fixed_params_json = g_strdup (_pb_db_result_get_text (fixed, r, 1));
    }

  return g_steal_pointer (&trials);
}
