/* pb-storage.h — studies in Optuna's RDB schema, in SQLite or PostgreSQL.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

#include "pb-search-space.h"
#include "pb-trial.h"

G_BEGIN_DECLS

typedef struct _PbStorage PbStorage;

PbStorage  *pb_storage_open                 (const char         *location,
                                             GError            **error);
void        pb_storage_free                 (PbStorage          *self);
const char *pb_storage_get_kind             (PbStorage          *self);
char       *pb_storage_dup_location         (PbStorage          *self);

gboolean    pb_storage_create_study         (PbStorage          *self,
                                             const char         *name,
                                             PbStudyDirection    direction,
                                             gint64             *study_id,
                                             GError            **error);
gboolean    pb_storage_find_study           (PbStorage          *self,
                                             const char         *name,
                                             gint64             *study_id,
                                             PbStudyDirection   *direction,
                                             GError            **error);
char      **pb_storage_list_studies         (PbStorage          *self,
                                             GError            **error);
gboolean    pb_storage_set_study_user_attr  (PbStorage          *self,
                                             gint64              study_id,
                                             const char         *key,
                                             const char         *value_json,
                                             GError            **error);
gboolean    pb_storage_get_study_user_attr  (PbStorage          *self,
                                             gint64              study_id,
                                             const char         *key,
                                             char              **value_json,
                                             GError            **error);

gboolean    pb_storage_enqueue_trial        (PbStorage          *self,
                                             gint64              study_id,
                                             const char         *fixed_params_json,
                                             gint64             *trial_id,
                                             GError            **error);
gboolean    pb_storage_create_trial         (PbStorage          *self,
                                             gint64              study_id,
                                             gint64              budget,
                                             gint64             *trial_id,
                                             int                *number,
                                             gboolean           *created,
                                             GError            **error);
gboolean    pb_storage_claim_waiting_trial  (PbStorage          *self,
                                             gint64              study_id,
                                             gint64             *trial_id,
                                             int                *number,
                                             char              **fixed_params_json,
                                             gboolean           *claimed,
                                             GError            **error);
gboolean    pb_storage_set_trial_param      (PbStorage          *self,
                                             gint64              study_id,
                                             gint64              trial_id,
                                             const PbParam      *distribution,
                                             double              internal,
                                             GError            **error);
gboolean    pb_storage_report               (PbStorage          *self,
                                             gint64              trial_id,
                                             gint64              step,
                                             double              value,
                                             GError            **error);
gboolean    pb_storage_finish_trial         (PbStorage          *self,
                                             gint64              trial_id,
                                             PbTrialState        state,
                                             gboolean            has_value,
                                             double              value,
                                             GError            **error);
gboolean    pb_storage_set_trial_user_attr  (PbStorage          *self,
                                             gint64              trial_id,
                                             const char         *key,
                                             const char         *value_json,
                                             GError            **error);
gboolean    pb_storage_record_heartbeat     (PbStorage          *self,
                                             gint64              trial_id,
                                             GError            **error);
gboolean    pb_storage_fail_stale_trials    (PbStorage          *self,
                                             gint64              study_id,
                                             double              grace_period_s,
                                             guint              *n_failed,
                                             GError            **error);
GPtrArray  *pb_storage_load_trials          (PbStorage          *self,
                                             gint64              study_id,
                                             GError            **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (PbStorage, pb_storage_free)

G_END_DECLS
