/* pb-trial.h — one trial of a study as Optuna's storage records it.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

#include "pb-search-space.h"

G_BEGIN_DECLS

/* Optuna's TrialState; the names are what the `trials.state` column holds. */
typedef enum
{
  PB_TRIAL_STATE_RUNNING,
  PB_TRIAL_STATE_COMPLETE,
  PB_TRIAL_STATE_PRUNED,
  PB_TRIAL_STATE_FAIL,
  PB_TRIAL_STATE_WAITING,
} PbTrialState;

typedef enum
{
  PB_STUDY_DIRECTION_MINIMIZE,
  PB_STUDY_DIRECTION_MAXIMIZE,
} PbStudyDirection;

/**
 * PbTrialParam:
 * @name: parameter name
 * @internal: Optuna's internal representation (value, or choice index)
 * @distribution: the distribution it was sampled from
 */
typedef struct
{
  char    *name;
  double   internal;
  PbParam *distribution;
} PbTrialParam;

typedef struct
{
  gint64 step;
  double value;   /* may be NaN or ±inf */
} PbIntermediateValue;

/**
 * PbTrial:
 * @trial_id: storage id (`trials.trial_id`)
 * @number: 0-based number within the study
 * @state: the state
 * @has_value: whether @value holds the (single) objective value
 * @value: objective value (may be ±inf)
 * @params: (element-type PbTrialParam) in storage order
 * @intermediate_values: (element-type PbIntermediateValue) sorted by step
 * @datetime_start: (nullable) as stored, `YYYY-MM-DD HH:MM:SS.ffffff`
 * @datetime_complete: (nullable) as stored
 * @fixed_params_json: (nullable) the `fixed_params` system attribute of an
 *   enqueued trial: JSON object of external values
 */
typedef struct
{
  gint64        trial_id;
  int           number;
  PbTrialState  state;
  gboolean      has_value;
  double        value;
  GPtrArray    *params;
  GArray       *intermediate_values;
  char         *datetime_start;
  char         *datetime_complete;
  char         *fixed_params_json;
} PbTrial;

const char         *pb_trial_state_to_string        (PbTrialState        state);
gboolean            pb_trial_state_from_string      (const char         *text,
                                                     PbTrialState       *state);
const char         *pb_study_direction_to_string    (PbStudyDirection    direction);

PbTrial            *pb_trial_new                    (void);
void                pb_trial_free                   (PbTrial            *trial);
void                pb_trial_add_param              (PbTrial            *trial,
                                                     const char         *name,
                                                     double              internal,
                                                     const PbParam      *distribution);
const PbTrialParam *pb_trial_lookup_param           (const PbTrial      *trial,
                                                     const char         *name);
void                pb_trial_set_intermediate_value (PbTrial            *trial,
                                                     gint64              step,
                                                     double              value);
gboolean            pb_trial_get_intermediate_value (const PbTrial      *trial,
                                                     gint64              step,
                                                     double             *value);
gboolean            pb_trial_get_last_step          (const PbTrial      *trial,
                                                     gint64             *step);
gboolean            pb_trial_is_finished            (const PbTrial      *trial);
const PbTrial      *pb_trials_find_best             (GPtrArray          *trials,
                                                     PbStudyDirection    direction);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (PbTrial, pb_trial_free)

G_END_DECLS
