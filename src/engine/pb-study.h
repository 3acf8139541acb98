/* pb-study.h — an Optuna-compatible study: ask/tell over a storage, with the
 * TPE sampler and the median pruner.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

#include "pb-progress.h"
#include "pb-pruner.h"
#include "pb-search-space.h"
#include "pb-storage.h"
#include "pb-tpe.h"
#include "pb-trial.h"

G_BEGIN_DECLS

/**
 * PbStudyOptions:
 * @direction: minimize or maximize the objective
 * @budget: trials the study runs across all workers (COMPLETE + PRUNED +
 *   RUNNING + WAITING; failed ones are replaced), -1 for no limit
 * @tpe: sampler options (@tpe.seed is the study's seed)
 * @pruner: pruner options
 * @heartbeat_interval_s: a running trial records a heartbeat this often (from a
 *   thread with its own connection); 0 = no heartbeats
 * @grace_period_s: a RUNNING trial whose heartbeat is older than this is failed
 *   by the next worker that asks; 0 = 2 × @heartbeat_interval_s, as Optuna
 *
 * Stored with the study (user attributes `perturb:*`) when it is created, so
 * that every worker uses the same settings.
 */
typedef struct
{
  PbStudyDirection direction;
  gint64           budget;
  PbTpeOptions     tpe;
  PbPrunerOptions  pruner;
  double           heartbeat_interval_s;
  double           grace_period_s;
} PbStudyOptions;

typedef struct _PbStudy      PbStudy;
typedef struct _PbStudyTrial PbStudyTrial;

/**
 * PbObjectiveFunc:
 * @trial: the trial to evaluate: read its parameters, report intermediate values
 * @value: (out): the objective value on success
 * @user_data: the data given to pb_study_optimize()
 *
 * Evaluates one trial. When pb_study_trial_report() says the trial should be
 * pruned, return %TRUE at once: the study records it as PRUNED.
 *
 * Returns: %FALSE with @error set on failure (the trial becomes FAIL).
 */
typedef gboolean (*PbObjectiveFunc) (PbStudyTrial  *trial,
                                     double        *value,
                                     gpointer       user_data,
                                     GCancellable  *cancellable,
                                     GError       **error);

void            pb_study_options_init_default     (PbStudyOptions        *options);

PbStudy        *pb_study_open                     (PbStorage             *storage,
                                                   const char            *name,
                                                   PbSearchSpace         *space,
                                                   const PbStudyOptions  *options,
                                                   GError               **error);
void            pb_study_free                     (PbStudy               *self);
const char     *pb_study_get_name                 (PbStudy               *self);
gint64          pb_study_get_id                   (PbStudy               *self);
PbSearchSpace  *pb_study_get_search_space         (PbStudy               *self);
const PbStudyOptions *pb_study_get_options        (PbStudy               *self);
PbStorage      *pb_study_get_storage              (PbStudy               *self);
gboolean        pb_study_set_user_attr            (PbStudy               *self,
                                                   const char            *key,
                                                   const char            *value_json,
                                                   GError               **error);
gboolean        pb_study_get_user_attr            (PbStudy               *self,
                                                   const char            *key,
                                                   char                 **value_json,
                                                   GError               **error);
GPtrArray      *pb_study_load_trials              (PbStudy               *self,
                                                   GError               **error);
gboolean        pb_study_enqueue_trial            (PbStudy               *self,
                                                   const char            *fixed_params_json,
                                                   GError               **error);

gboolean        pb_study_ask                      (PbStudy               *self,
                                                   PbStudyTrial         **trial,
                                                   GError               **error);
gboolean        pb_study_tell                     (PbStudy               *self,
                                                   PbStudyTrial          *trial,
                                                   PbTrialState           state,
                                                   double                 value,
                                                   GError               **error);
gboolean        pb_study_optimize                 (PbStudy               *self,
                                                   PbObjectiveFunc        objective,
                                                   gpointer               user_data,
                                                   gint64                 max_trials,
                                                   guint                 *n_run,
                                                   PbProgressFunc         progress,
                                                   gpointer               progress_data,
                                                   GCancellable          *cancellable,
                                                   GError               **error);

int             pb_study_trial_get_number         (PbStudyTrial          *trial);
const PbTrial  *pb_study_trial_get_trial          (PbStudyTrial          *trial);
double          pb_study_trial_get_value          (PbStudyTrial          *trial,
                                                   const char            *name);
gint64          pb_study_trial_get_int            (PbStudyTrial          *trial,
                                                   const char            *name);
const char     *pb_study_trial_get_choice         (PbStudyTrial          *trial,
                                                   const char            *name);
char           *pb_study_trial_dup_params_json    (PbStudyTrial          *trial);
gboolean        pb_study_trial_report             (PbStudyTrial          *trial,
                                                   gint64                 step,
                                                   double                 value,
                                                   gboolean              *should_prune,
                                                   GError               **error);
gboolean        pb_study_trial_is_pruned          (PbStudyTrial          *trial);
gboolean        pb_study_trial_set_user_attr      (PbStudyTrial          *trial,
                                                   const char            *key,
                                                   const char            *value_json,
                                                   GError               **error);
void            pb_study_trial_free               (PbStudyTrial          *trial);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (PbStudy, pb_study_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (PbStudyTrial, pb_study_trial_free)

G_END_DECLS
