/* pb-preprocess.h — raw MIMIC-III query results → 48-hour sequences (SPEC §2).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

#include "pb-dataset.h"
#include "pb-progress.h"
#include "pb-project.h"

G_BEGIN_DECLS

#define PB_PREPROCESS_N_FEATURES 19
/* the dataset `perturb preprocess` writes unless told otherwise */
#define PB_PREPROCESS_DEFAULT_DATASET "default"

typedef enum
{
  PB_PREPROCESS_WINDOW_START_INTIME,     /* earliest ICU intime of the admission (seed) */
  PB_PREPROCESS_WINDOW_START_ADMITTIME,  /* hospital admission time */
} PbPreprocessWindowStart;

/**
 * PbPreprocessParams:
 * @min_age: keep ICU stays with admission_age ≥ this (years; 18)
 * @min_los_hospital: … and los_hospital ≥ this (whole days; 1)
 * @min_los_icu: … and los_icu ≥ this (whole days; 1)
 * @min_raw_rows: keep admissions whose merged raw time series has at least this
 *   many rows (3: the seed keeps `shape[0] > 2`)
 * @winsorize_low: lower clip percentile of the global statistics (0.05)
 * @winsorize_high: upper clip percentile (0.95); scaling maps [low, high] to [0, 1]
 * @window_hours: observation window length in hours (48), strict bounds
 * @min_observation_hours: drop admissions with fewer hourly rows in the window (1)
 * @window_start: where the window starts (earliest ICU intime)
 *
 * pb_preprocess_params_init() sets the seed's values.
 */
typedef struct
{
  double                   min_age;
  double                   min_los_hospital;
  double                   min_los_icu;
  guint                    min_raw_rows;
  double                   winsorize_low;
  double                   winsorize_high;
  guint                    window_hours;
  guint                    min_observation_hours;
  PbPreprocessWindowStart  window_start;
} PbPreprocessParams;

/**
 * PbPreprocessStage:
 * @name: the stage (SPEC §2 module)
 * @unit: what is counted ("ICU stays", "rows", "admissions")
 * @n_in: how many came in
 * @n_out: how many went on
 * @detail: why the others were dropped, or what was changed
 */
typedef struct
{
  char   *name;
  char   *unit;
  gint64  n_in;
  gint64  n_out;
  char   *detail;
} PbPreprocessStage;

/**
 * PbPreprocessReport:
 * @stages: (element-type PbPreprocessStage): in pipeline order
 * @count: non-missing raw values per feature in the merged frame
 * @p5: global 5th percentile (or @winsorize_low) per feature
 * @p50: global median per feature
 * @p95: global 95th percentile (or @winsorize_high) per feature
 * @seconds: time per step: prefilter+statistics, features, total
 */
typedef struct
{
  GPtrArray *stages;
  gint64     count[PB_PREPROCESS_N_FEATURES];
  double     p5[PB_PREPROCESS_N_FEATURES];
  double     p50[PB_PREPROCESS_N_FEATURES];
  double     p95[PB_PREPROCESS_N_FEATURES];
  double     seconds_statistics;
  double     seconds_features;
  double     seconds_total;
} PbPreprocessReport;

extern const char * const pb_preprocess_feature_names[PB_PREPROCESS_N_FEATURES + 1];

void        pb_preprocess_params_init   (PbPreprocessParams        *params);
char       *pb_preprocess_params_to_json (const PbPreprocessParams *params);

PbDataset  *pb_preprocess_run           (PbProject                 *project,
                                         const PbPreprocessParams  *params,
                                         PbPreprocessReport       **report,
                                         PbProgressFunc             progress,
                                         gpointer                   progress_data,
                                         GCancellable              *cancellable,
                                         GError                   **error);

void        pb_preprocess_report_free   (PbPreprocessReport        *report);

gboolean    pb_preprocess_export_csv    (PbProject                 *project,
                                         const char                *directory,
                                         GError                   **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (PbPreprocessReport, pb_preprocess_report_free)

G_END_DECLS
