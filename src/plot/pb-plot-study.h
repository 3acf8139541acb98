/* pb-plot-study.h — tuning-study figures: optimisation history, intermediate
 * values, slice and parallel coordinates (after optuna.visualization).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <cairo.h>
#include <glib.h>

#include "pb-plot-style.h"

G_BEGIN_DECLS

typedef enum
{
  PB_PLOT_TRIAL_COMPLETE,
  PB_PLOT_TRIAL_PRUNED,
  PB_PLOT_TRIAL_FAIL,
  PB_PLOT_TRIAL_RUNNING,
} PbPlotTrialState;

/**
 * PbPlotParam:
 * @name: parameter name
 * @log: sampled on a log scale: slice and parallel axes are logarithmic
 * @choices: (array length=n_choices) (nullable): categorical parameter; trial
 *   values are indices into @choices
 * @n_choices: number of choices
 */
typedef struct
{
  const char         *name;
  gboolean            log;
  const char * const *choices;
  guint               n_choices;
} PbPlotParam;

/**
 * PbPlotTrial:
 * @number: trial number (0-based, as Optuna numbers them)
 * @state: its state
 * @value: objective value; NaN when none
 * @params: (array) (nullable): one value per study parameter, NaN when not set
 * @intermediate: (array length=n_intermediate) (nullable): reported values, NaN gaps
 * @intermediate_steps: (array length=n_intermediate) (nullable): their steps;
 *   %NULL means 0, 1, …
 * @n_intermediate: number of reported values
 */
typedef struct
{
  guint             number;
  PbPlotTrialState  state;
  double            value;
  const double     *params;
  const double     *intermediate;
  const double     *intermediate_steps;
  guint             n_intermediate;
} PbPlotTrial;

/**
 * PbPlotStudyData:
 * @title: (nullable): figure title
 * @objective_label: (nullable): objective axis title; %NULL is "Objective value"
 * @step_label: (nullable): x title of the intermediate plot; %NULL is "Step"
 * @maximize: the study maximises (best-so-far is the running maximum)
 * @log_objective: logarithmic objective axis
 * @params: (array length=n_params) (nullable): the search space
 * @trials: (array length=n_trials): the trials, in any order
 *
 * All arrays are borrowed.
 */
typedef struct
{
  const char        *title;
  const char        *objective_label;
  const char        *step_label;
  gboolean           maximize;
  gboolean           log_objective;
  const PbPlotParam *params;
  guint              n_params;
  const PbPlotTrial *trials;
  guint              n_trials;
} PbPlotStudyData;

const char *pb_plot_trial_state_to_string (PbPlotTrialState        state);
gboolean    pb_plot_study_check           (const PbPlotStudyData  *data,
                                           GError                **error);

gboolean    pb_plot_history_draw          (cairo_t                *cr,
                                           double                  width,
                                           double                  height,
                                           const PbPlotStudyData  *data,
                                           const PbPlotStyle      *style,
                                           GError                **error);
char       *pb_plot_history_to_csv        (const PbPlotStudyData  *data,
                                           GError                **error);

gboolean    pb_plot_intermediate_draw     (cairo_t                *cr,
                                           double                  width,
                                           double                  height,
                                           const PbPlotStudyData  *data,
                                           const PbPlotStyle      *style,
                                           GError                **error);
char       *pb_plot_intermediate_to_csv   (const PbPlotStudyData  *data,
                                           GError                **error);

gboolean    pb_plot_slice_draw            (cairo_t                *cr,
                                           double                  width,
                                           double                  height,
                                           const PbPlotStudyData  *data,
                                           const PbPlotStyle      *style,
                                           GError                **error);
gboolean    pb_plot_parallel_draw         (cairo_t                *cr,
                                           double                  width,
                                           double                  height,
                                           const PbPlotStudyData  *data,
                                           const PbPlotStyle      *style,
                                           GError                **error);
char       *pb_plot_params_to_csv         (const PbPlotStudyData  *data,
                                           GError                **error);

G_END_DECLS
