/* pb-tune-page.c — the Tune page: the classifier's hyperparameter study
 * (SPEC §5) with an editable search space, budget, protocol preset and storage
 * (the project file or PostgreSQL); Start/Stop; a live trial table and the
 * optimisation-history and intermediate-value figures.
 *
 * The study runs in a PbJob worker through pb_study_optimize() with the
 * classifier objective (pb-tune-objective.c). The worker publishes snapshots
 * of the stored trials (read with its own storage connection after every
 * report and every finished trial) into a shared, mutex-protected box; the page
 * picks the latest one up when the job's progress is notified, so the main
 * thread never touches the database while a study runs. Stop cancels the job:
 * pb_study_optimize() records the running trial as FAIL (a later Start
 * replaces it, the budget counts only the others), so no trial is left RUNNING
 * or run twice. The objective and its settings are stored with the study
 * exactly as `perturb tune` stores them, so `perturb tune --worker` can join a
 * study started here.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "pb-tune-page.h"

#include "pb-plot-view.h"
#include "pb-figure-study.h"
#include "pb-study.h"
#include "pb-text-table.h"
#include "pb-tune-objective.h"

#include <glib/gi18n.h>
#include <json-glib/json-glib.h>
#include <math.h>
#include <string.h>

#define ATTR_OBJECTIVE "perturb:objective"
#define ATTR_OBJECTIVE_CONFIG "perturb:objective_config"
#define DEFAULT_STUDY "model"

enum {
  COL_NUMBER,
  COL_STATE,
  COL_VALUE,
  COL_REPORTS,
  COL_PARAMS,
  N_COLS
};

/* ---- what the worker shares with the page ------------------------------------ */

typedef struct
{
  GMutex         mutex;
  GPtrArray     *trials;    /* (element-type PbTrial) latest snapshot; replaced, never changed */
  PbSearchSpace *space;     /* the study's */
  gboolean       maximize;
  gint64         budget;
  char          *objective_config;  /* JSON stored with the study, if any */
  guint          serial;    /* bumped with every snapshot */
} TuneShared;

static void
tune_shared_clear (TuneShared *shared)
{
  g_clear_pointer (&shared->trials, g_ptr_array_unref);
  g_clear_pointer (&shared->space, pb_search_space_unref);
  g_clear_pointer (&shared->objective_config, g_free);
  g_mutex_clear (&shared->mutex);
}

static TuneShared *
tune_shared_new (void)
{
  TuneShared *shared = g_atomic_rc_box_new0 (TuneShared);

  g_mutex_init (&shared->mutex);
  return shared;
}

static void
tune_shared_unref (TuneShared *shared)
{
  g_atomic_rc_box_release_full (shared, (GDestroyNotify) tune_shared_clear);
}

/* ---- one editable parameter of the search space ------------------------------------ */

typedef struct
{
  char         *name;
  PbParamKind   kind;
  GtkEditable  *low;       /* numeric kinds */
  GtkEditable  *high;
  GtkEditable  *step;
  GtkCheckButton *log;
  GtkEditable  *choices;   /* categorical */
} ParamRow;

static void
param_row_free (ParamRow *row)
{
  g_free (row->name);
  g_free (row);
}

struct _PbTunePage
{
  PbPage             parent_instance;

  PbJob             *job;        /* the study (writes) */
  PbJob             *load_job;   /* reading a stored study back */
  TuneShared        *shared;     /* of the job shown */
  guint              shown_serial;
  GPtrArray         *param_rows; /* (element-type ParamRow) */
  GListStore        *trials;     /* PbTextRow */
  char              *loaded_for; /* "storage\nstudy" the load job read */
  gboolean           reload;     /* load again when the running load is over */

  AdwEntryRow       *study_row;
  AdwComboRow       *dataset_row;
  GtkStringList     *dataset_list;
  AdwComboRow       *storage_row;
  AdwEntryRow       *conninfo_row;
  GtkSpinButton     *trials_spin;
  GtkSpinButton     *epochs_spin;
  GtkSpinButton     *report_spin;
  GtkSpinButton     *folds_spin;
  AdwComboRow       *preset_row;
  GtkListBox        *space_list;
  GtkProgressBar    *progress_bar;
  GtkLabel          *status_label;
  AdwPreferencesGroup *trials_group;
  GtkColumnView     *trials_view;
  AdwPreferencesGroup *history_group;
  AdwPreferencesGroup *intermediate_group;
  PbPlotView        *history_plot;
  PbPlotView        *intermediate_plot;
};

G_DEFINE_FINAL_TYPE (PbTunePage, pb_tune_page, PB_TYPE_PAGE)

/* ---- the classifier objective's settings, as `perturb tune` stores them -------------- */

static char *
objective_config_to_json (const char                  *dataset,
                          const PbTuneObjectiveConfig *config)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();
  g_autoptr(JsonNode) root = NULL;

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "dataset");
  json_builder_add_string_value (b, dataset);
  json_builder_set_member_name (b, "folds");
  json_builder_add_int_value (b, config->n_folds);
  json_builder_set_member_name (b, "epochs");
  json_builder_add_int_value (b, config->n_epochs);
  json_builder_set_member_name (b, "epochs_per_report");
  json_builder_add_int_value (b, config->epochs_per_report);
  json_builder_set_member_name (b, "fold_seed");
  json_builder_add_int_value (b, (gint64) config->fold_seed);
  json_builder_set_member_name (b, "train_seed");
  json_builder_add_int_value (b, (gint64) config->train_seed);
  json_builder_set_member_name (b, "preset");
  json_builder_add_string_value (b, pb_protocol_get_name (config->protocol));
  json_builder_end_object (b);
  root = json_builder_get_root (b);
  return json_to_string (root, FALSE);
}

/* ---- workers ----------------------------------------------------------------------- */

typedef struct
{
  char                  *project_path;
  char                  *storage_location;   /* NULL: the project file */
  char                  *study_name;
  char                  *dataset;
  PbSearchSpace         *space;              /* NULL for a load */
  PbStudyOptions         options;
  PbTuneObjectiveConfig  config;
  TuneShared            *shared;

  /* worker only */
  PbJob                 *job;
  PbStudy               *study;
  PbTuneObjective       *objective;
  int                    running_number;
} TuneCall;

static void
tune_call_free (TuneCall *call)
{
  g_free (call->project_path);
  g_free (call->storage_location);
  g_free (call->study_name);
  g_free (call->dataset);
  g_clear_pointer (&call->space, pb_search_space_unref);
  g_clear_pointer (&call->shared, tune_shared_unref);
  g_free (call);
}

static guint
count_finished (GPtrArray *trials)
{
  guint n = 0;

  for (guint i = 0; i < trials->len; i++)
    {
      const PbTrial *t = g_ptr_array_index (trials, i);

      if (t->state == PB_TRIAL_STATE_COMPLETE || t->state == PB_TRIAL_STATE_PRUNED)
        n++;
    }
  return n;
}

/* Worker: reads the study's trials and hands them to the page. */
static void
publish (TuneCall   *call,
         double      trial_fraction,
         const char *message)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) trials = pb_study_load_trials (call->study, &error);
  TuneShared *shared = call->shared;
  double fraction = -1;

  if (trials == NULL)
    {
      g_debug ("reading the trials back: %s", error->message);
      return;
    }

  if (shared->budget > 0)
    fraction = MIN (1.0, (count_finished (trials) + MAX (trial_fraction, 0)) / shared->budget);

  g_mutex_lock (&shared->mutex);
  g_clear_pointer (&shared->trials, g_ptr_array_unref);
  shared->trials = g_ptr_array_ref (trials);
  shared->serial++;
  g_mutex_unlock (&shared->mutex);

  pb_job_report (fraction, message, NULL, call->job);
}

static void
on_objective_progress (double        fraction,
                       const char   *message,
                       gconstpointer details,
                       gpointer      user_data)
{
  TuneCall *call = user_data;
  g_autofree char *text = g_strdup_printf (_("Trial %d: %s"), call->running_number,
                                           message != NULL ? message : "");

  publish (call, fraction, text);
}

static void
on_trial_done (double        fraction,
               const char   *message,
               gconstpointer details,
               gpointer      user_data)
{
  TuneCall *call = user_data;
  const PbTrial *t = details;
  g_autofree char *text = NULL;

  if (t != NULL && t->has_value)
    text = g_strdup_printf (_("Trial %d %s with value %.6g"), t->number,
                            pb_trial_state_to_string (t->state), t->value);
  else if (t != NULL)
    text = g_strdup_printf (_("Trial %d %s"), t->number, pb_trial_state_to_string (t->state));
  publish (call, 0, text);
}

static gboolean
run_trial (PbStudyTrial  *trial,
           double        *value,
           gpointer       user_data,
           GCancellable  *cancellable,
           GError       **error)
{
  TuneCall *call = user_data;
  g_autofree char *text = NULL;

  call->running_number = pb_study_trial_get_number (trial);
  text = g_strdup_printf (_("Trial %d is running"), call->running_number);
  publish (call, 0, text);

  return pb_tune_objective_run (trial, value, call->objective, cancellable, error);
}

/* The stored objective must be the one this page runs, with the same settings. */
static gboolean
check_objective (TuneCall  *call,
                 GError   **error)
{
  g_autofree char *stored = NULL;
  g_autofree char *stored_config = NULL;
  g_autofree char *config = objective_config_to_json (call->dataset, &call->config);

  if (!pb_study_get_user_attr (call->study, ATTR_OBJECTIVE, &stored, error) ||
      !pb_study_get_user_attr (call->study, ATTR_OBJECTIVE_CONFIG, &stored_config, error))
    return FALSE;

  if (stored != NULL && !g_str_equal (stored, "\"classifier\""))
    {
      g_set_error (error, PB_ENGINE_ERROR, PB_ENGINE_ERROR_EXISTS,
                   _("Study “%s” tunes the objective %s, not the classifier; choose another "
                     "study name"), call->study_name, stored);
      return FALSE;
    }
  if (stored_config != NULL)
    {
      g_autoptr(JsonParser) a = json_parser_new ();
      g_autoptr(JsonParser) b = json_parser_new ();

      if (json_parser_load_from_data (a, stored_config, -1, NULL) &&
          json_parser_load_from_data (b, config, -1, NULL) &&
          !json_node_equal (json_parser_get_root (a), json_parser_get_root (b)))
        {
          g_set_error (error, PB_ENGINE_ERROR, PB_ENGINE_ERROR_EXISTS,
                       _("Study “%s” was started with other settings (%s); choose another study "
                         "name or the same dataset, folds, epochs and preset"),
                       call->study_name, stored_config);
          return FALSE;
        }
      return TRUE;
    }

  return pb_study_set_user_attr (call->study, ATTR_OBJECTIVE_CONFIG, config, error) &&
         (stored != NULL ||
          pb_study_set_user_attr (call->study, ATTR_OBJECTIVE, "\"classifier\"", error));
}

static gboolean
tune_worker (PbJob         *job,
             gpointer       data,
             GCancellable  *cancellable,
             GError       **error)
{
  TuneCall *call = data;
  g_autoptr(PbProject) project = NULL;
  g_autoptr(PbDataset) dataset = NULL;
  g_autoptr(PbStorage) storage = NULL;
  g_autoptr(PbStudy) study = NULL;
  g_autoptr(PbTuneObjective) objective = NULL;
  guint n_run = 0;
  gboolean ok;

  call->job = job;
  pb_job_report (0, _("Opening the study"), NULL, job);

  project = pb_project_open (call->project_path, error);
  if (project == NULL)
    return FALSE;
  dataset = pb_dataset_load (project, call->dataset, error);
  if (dataset == NULL)
    return FALSE;
  objective = pb_tune_objective_new (dataset, &call->config, error);
  if (objective == NULL)
    return FALSE;
  g_clear_object (&project);

  storage = pb_storage_open (call->storage_location != NULL ? call->storage_location
                                                            : call->project_path, error);
  if (storage == NULL)
    return FALSE;
  study = pb_study_open (storage, call->study_name, call->space, &call->options, error);
  if (study == NULL)
    return FALSE;
  call->study = study;
  call->objective = objective;
  if (!check_objective (call, error))
    return FALSE;

  g_mutex_lock (&call->shared->mutex);
  call->shared->space = pb_search_space_ref (pb_study_get_search_space (study));
  call->shared->maximize = pb_study_get_options (study)->direction == PB_STUDY_DIRECTION_MAXIMIZE;
  call->shared->budget = pb_study_get_options (study)->budget;
  g_mutex_unlock (&call->shared->mutex);

  pb_tune_objective_set_progress (objective, on_objective_progress, call);
  publish (call, 0, NULL);
  ok = pb_study_optimize (study, run_trial, call, -1, &n_run, on_trial_done, call,
                          cancellable, error);
  publish (call, 0, NULL);

  call->study = NULL;
  call->objective = NULL;
  return ok;
}

/* Reads a stored study (if there is one by that name) for the page to show. */
static gboolean
load_worker (PbJob         *job,
             gpointer       data,
             GCancellable  *cancellable,
             GError       **error)
{
  TuneCall *call = data;
  g_autoptr(PbStorage) storage = NULL;
  g_autoptr(PbStudy) study = NULL;
  g_autoptr(GError) local_error = NULL;
  g_autofree char *config = NULL;
  gint64 id;
  PbStudyDirection direction;

  call->job = job;
  storage = pb_storage_open (call->storage_location != NULL ? call->storage_location
                                                            : call->project_path, error);
  if (storage == NULL)
    return FALSE;
  if (!pb_storage_find_study (storage, call->study_name, &id, &direction, &local_error))
    {
      if (g_error_matches (local_error, PB_ENGINE_ERROR, PB_ENGINE_ERROR_NOT_FOUND))
        return TRUE;
      g_propagate_error (error, g_steal_pointer (&local_error));
      return FALSE;
    }
  study = pb_study_open (storage, call->study_name, NULL, NULL, error);
  if (study == NULL)
    return FALSE;

  call->study = study;
  if (!pb_study_get_user_attr (study, ATTR_OBJECTIVE_CONFIG, &config, error))
    return FALSE;
  g_mutex_lock (&call->shared->mutex);
  call->shared->objective_config = g_steal_pointer (&config);
  call->shared->space = pb_search_space_ref (pb_study_get_search_space (study));
  call->shared->maximize = direction == PB_STUDY_DIRECTION_MAXIMIZE;
  call->shared->budget = pb_study_get_options (study)->budget;
  g_mutex_unlock (&call->shared->mutex);
  publish (call, 0, NULL);
  call->study = NULL;
  return TRUE;
}

/* ---- the search-space editor ---------------------------------------------------------- */

static char *
format_number (double v)
{
  char buf[G_ASCII_DTOSTR_BUF_SIZE];

  return g_strdup (g_ascii_formatd (buf, sizeof buf, "%.10g", v));
}

static GtkEditable *
add_entry (GtkWidget  *box,
           const char *widget_name,
           const char *text,
           const char *tooltip,
           int         width)
{
  GtkWidget *entry = gtk_entry_new ();

  gtk_widget_set_name (entry, widget_name);
  gtk_editable_set_text (GTK_EDITABLE (entry), text);
  gtk_editable_set_width_chars (GTK_EDITABLE (entry), width);
  gtk_widget_set_tooltip_text (entry, tooltip);
  gtk_widget_set_valign (entry, GTK_ALIGN_CENTER);
  gtk_box_append (GTK_BOX (box), entry);
  return GTK_EDITABLE (entry);
}

static void
show_space (PbTunePage    *self,
            PbSearchSpace *space)
{
  GtkWidget *child;

  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self->space_list))) != NULL)
    gtk_list_box_remove (self->space_list, child);
  g_ptr_array_set_size (self->param_rows, 0);

  for (guint i = 0; space != NULL && i < pb_search_space_get_n_params (space); i++)
    {
      const PbParam *p = pb_search_space_get_param (space, i);
      ParamRow *row = g_new0 (ParamRow, 1);
      GtkWidget *action_row = adw_action_row_new ();
      GtkWidget *box = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 6);
      g_autofree char *low_name = g_strconcat ("low:", p->name, NULL);
      g_autofree char *high_name = g_strconcat ("high:", p->name, NULL);
      g_autofree char *step_name = g_strconcat ("step:", p->name, NULL);
      g_autofree char *log_name = g_strconcat ("log:", p->name, NULL);
      g_autofree char *choices_name = g_strconcat ("choices:", p->name, NULL);

      row->name = g_strdup (p->name);
      row->kind = p->kind;
      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (action_row), p->name);

      switch (p->kind)
        {
        case PB_PARAM_KIND_FLOAT:
        case PB_PARAM_KIND_INT:
          {
            g_autofree char *low = format_number (p->low);
            g_autofree char *high = format_number (p->high);
            g_autofree char *step = format_number (p->step);
            GtkWidget *log = gtk_check_button_new_with_label (_("log"));

            adw_action_row_set_subtitle (ADW_ACTION_ROW (action_row),
                                         p->kind == PB_PARAM_KIND_FLOAT ? _("float")
                                                                        : _("integer"));
            row->low = add_entry (box, low_name, low, _("Lowest value"), 8);
            row->high = add_entry (box, high_name, high, _("Highest value"), 8);
            row->step = add_entry (box, step_name, step, _("Step (0: none)"), 5);
            gtk_widget_set_name (log, log_name);
            gtk_check_button_set_active (GTK_CHECK_BUTTON (log), p->log);
            gtk_widget_set_valign (log, GTK_ALIGN_CENTER);
            gtk_box_append (GTK_BOX (box), log);
            row->log = GTK_CHECK_BUTTON (log);
            break;
          }

        case PB_PARAM_KIND_CATEGORICAL:
        default:
          {
            g_autofree char *choices = g_strjoinv (", ", p->choices);

            adw_action_row_set_subtitle (ADW_ACTION_ROW (action_row), _("choice"));
            row->choices = add_entry (box, choices_name, choices, _("Choices, separated by commas"),
                                      26);
            break;
          }
        }

      adw_action_row_add_suffix (ADW_ACTION_ROW (action_row), box);
      gtk_list_box_append (self->space_list, action_row);
      g_ptr_array_add (self->param_rows, row);
    }
}

static gboolean
parse_number (const char  *param,
              const char  *what,
              GtkEditable *editable,
              double      *out,
              GError     **error)
{
  g_autofree char *text = g_strstrip (g_strdup (gtk_editable_get_text (editable)));
  char *end = NULL;

  *out = g_ascii_strtod (text, &end);
  if (text[0] == '\0' || end == NULL || *end != '\0' || !isfinite (*out))
    {
      g_set_error (error, PB_ENGINE_ERROR, PB_ENGINE_ERROR_INVALID_ARGUMENT,
                   _("Search space: the %s of %s, “%s”, is not a number"), what, param, text);
      return FALSE;
    }
  return TRUE;
}

static gboolean
parse_integer (const char  *param,
               const char  *what,
               GtkEditable *editable,
               gint64      *out,
               GError     **error)
{
  double v;

  if (!parse_number (param, what, editable, &v, error))
    return FALSE;
  if (v != floor (v) || fabs (v) > 1e15)
    {
      g_set_error (error, PB_ENGINE_ERROR, PB_ENGINE_ERROR_INVALID_ARGUMENT,
                   _("Search space: the %s of %s must be a whole number"), what, param);
      return FALSE;
    }
  *out = (gint64) v;
  return TRUE;
}

/* The editor's rows as a search space; errors name the parameter. */
static PbSearchSpace *
read_space (PbTunePage  *self,
            GError     **error)
{
  g_autoptr(PbSearchSpace) space = pb_search_space_new ();

  if (self->param_rows->len == 0)
    {
      g_set_error_literal (error, PB_ENGINE_ERROR, PB_ENGINE_ERROR_INVALID_ARGUMENT,
                           _("The search space is empty: press Reset"));
      return NULL;
    }

  for (guint i = 0; i < self->param_rows->len; i++)
    {
      ParamRow *row = g_ptr_array_index (self->param_rows, i);
      g_autoptr(PbParam) param = NULL;
      g_autoptr(GError) local_error = NULL;

      switch (row->kind)
        {
        case PB_PARAM_KIND_FLOAT:
          {
            double low, high, step;

            if (!parse_number (row->name, _("low bound"), row->low, &low, error) ||
                !parse_number (row->name, _("high bound"), row->high, &high, error) ||
                !parse_number (row->name, _("step"), row->step, &step, error))
              return NULL;
            param = pb_param_new_float (row->name, low, high, step,
                                        gtk_check_button_get_active (row->log), &local_error);
            break;
          }

        case PB_PARAM_KIND_INT:
          {
            gint64 low, high, step;

            if (!parse_integer (row->name, _("low bound"), row->low, &low, error) ||
                !parse_integer (row->name, _("high bound"), row->high, &high, error) ||
                !parse_integer (row->name, _("step"), row->step, &step, error))
              return NULL;
            param = pb_param_new_int (row->name, low, high, step,
                                      gtk_check_button_get_active (row->log), &local_error);
            break;
          }

        case PB_PARAM_KIND_CATEGORICAL:
        default:
          {
            g_auto(GStrv) parts = g_strsplit (gtk_editable_get_text (row->choices), ",", -1);
            g_autoptr(GPtrArray) choices = g_ptr_array_new ();

            for (guint k = 0; parts[k] != NULL; k++)
              if (*g_strstrip (parts[k]) != '\0')
                g_ptr_array_add (choices, parts[k]);
            g_ptr_array_add (choices, NULL);
            param = pb_param_new_categorical (row->name, (const char * const *) choices->pdata,
                                              &local_error);
            break;
          }
        }

      if (param == NULL || !pb_search_space_add (space, g_steal_pointer (&param), &local_error))
        {
          g_set_error (error, PB_ENGINE_ERROR, PB_ENGINE_ERROR_INVALID_ARGUMENT,
                       _("Search space: %s"), local_error->message);
          return NULL;
        }
    }

  return g_steal_pointer (&space);
}

static void
clear_figures (PbTunePage *self)
{
  pb_plot_view_clear (self->history_plot);
  pb_plot_view_clear (self->intermediate_plot);
  gtk_widget_set_visible (GTK_WIDGET (self->history_group), FALSE);
  gtk_widget_set_visible (GTK_WIDGET (self->intermediate_group), FALSE);
}

/* ---- showing trials ---------------------------------------------------------------------- */

static PbTextRow *
trial_row_new (const PbTrial *t)
{
  char **texts = g_new0 (char *, N_COLS + 1);
  GString *params = g_string_new (NULL);

  texts[COL_NUMBER] = g_strdup_printf ("%d", t->number);
  texts[COL_STATE] = g_strdup (pb_trial_state_to_string (t->state));
  texts[COL_VALUE] = t->has_value ? g_strdup_printf ("%.6g", t->value) : g_strdup ("—");
  texts[COL_REPORTS] = g_strdup_printf ("%u", t->intermediate_values != NULL
                                              ? t->intermediate_values->len : 0);
  for (guint i = 0; i < t->params->len; i++)
    {
      const PbTrialParam *p = g_ptr_array_index (t->params, i);
      g_autofree char *v = pb_param_format_value (p->distribution, p->internal);

      g_string_append_printf (params, "%s%s = %s", i > 0 ? ", " : "", p->name, v);
    }
  texts[COL_PARAMS] = g_string_free (params, FALSE);
  return pb_text_row_new_take (texts);
}

static void
show_trials (PbTunePage *self)
{
  g_autoptr(GPtrArray) trials = NULL;
  g_autoptr(PbSearchSpace) space = NULL;
  g_autoptr(GPtrArray) rows = g_ptr_array_new_with_free_func (g_object_unref);
  gboolean maximize;
  const PbTrial *best;

  if (self->shared == NULL)
    return;

  g_mutex_lock (&self->shared->mutex);
  if (self->shared->serial == self->shown_serial)
    {
      g_mutex_unlock (&self->shared->mutex);
      return;
    }
  self->shown_serial = self->shared->serial;
  trials = self->shared->trials != NULL ? g_ptr_array_ref (self->shared->trials) : NULL;
  space = self->shared->space != NULL ? pb_search_space_ref (self->shared->space) : NULL;
  maximize = self->shared->maximize;
  g_mutex_unlock (&self->shared->mutex);

  if (trials == NULL)
    return;

  for (guint i = 0; i < trials->len; i++)
    g_ptr_array_add (rows, trial_row_new (g_ptr_array_index (trials, i)));
  g_list_store_splice (self->trials, 0, g_list_model_get_n_items (G_LIST_MODEL (self->trials)),
                       rows->pdata, rows->len);

  best = pb_trials_find_best (trials, maximize ? PB_STUDY_DIRECTION_MAXIMIZE
                                               : PB_STUDY_DIRECTION_MINIMIZE);
  if (trials->len == 0)
    adw_preferences_group_set_description (self->trials_group, _("No trials yet."));
  else if (best != NULL)
    {
      g_autofree char *text = g_strdup_printf (_("%u trials; the best is trial %d with %.6g"),
                                               trials->len, best->number, best->value);

      adw_preferences_group_set_description (self->trials_group, text);
    }
  else
    {
      g_autofree char *text = g_strdup_printf (_("%u trials; none complete yet"), trials->len);

      adw_preferences_group_set_description (self->trials_group, text);
    }

  if (trials->len == 0)
    {
      clear_figures (self);
      return;
    }
  gtk_widget_set_visible (GTK_WIDGET (self->history_group), TRUE);
  gtk_widget_set_visible (GTK_WIDGET (self->intermediate_group), TRUE);
  pb_plot_view_set_figure (self->history_plot, PB_PLOT_KIND_HISTORY,
                           pb_figure_new_study (PB_PLOT_KIND_HISTORY, space, trials, maximize,
                                                NULL, _("Mean validation loss"), NULL),
                           (GDestroyNotify) pb_figure_free);
  pb_plot_view_set_figure (self->intermediate_plot, PB_PLOT_KIND_INTERMEDIATE,
                           pb_figure_new_study (PB_PLOT_KIND_INTERMEDIATE, space, trials,
                                                maximize, NULL, _("Mean validation loss"),
                                                _("Report")),
                           (GDestroyNotify) pb_figure_free);
}

/* ---- state -------------------------------------------------------------------------- */

static void
set_status (PbTunePage *self,
            const char *message,
            gboolean    is_error)
{
  gtk_label_set_text (self->status_label, message != NULL ? message : "");
  gtk_widget_set_visible (GTK_WIDGET (self->status_label), message != NULL);
  if (is_error)
    gtk_widget_add_css_class (GTK_WIDGET (self->status_label), "error");
  else
    gtk_widget_remove_css_class (GTK_WIDGET (self->status_label), "error");
}

static void
update_actions (PbTunePage *self)
{
  gboolean running = pb_job_get_running (self->job);
  gboolean have_project = pb_page_get_project (PB_PAGE (self)) != NULL;
  gboolean have_dataset = g_list_model_get_n_items (G_LIST_MODEL (self->dataset_list)) > 0;

  gtk_widget_action_set_enabled (GTK_WIDGET (self), "tune.start",
                                 have_project && have_dataset && !running);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "tune.stop", running);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "tune.reset-space", !running);
}

static char *
dup_storage_location (PbTunePage  *self,
                      GError     **error)
{
  g_autofree char *conninfo = NULL;

  if (adw_combo_row_get_selected (self->storage_row) != 1)
    return NULL;
  conninfo = g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (self->conninfo_row))));
  if (conninfo[0] == '\0')
    {
      g_set_error_literal (error, PB_ENGINE_ERROR, PB_ENGINE_ERROR_INVALID_ARGUMENT,
                           _("Enter the PostgreSQL connection (for example host=localhost "
                             "dbname=optuna user=me)"));
      return NULL;
    }
  return g_steal_pointer (&conninfo);
}

static char *
dup_study_name (PbTunePage *self)
{
  g_autofree char *name = g_strdup (gtk_editable_get_text (GTK_EDITABLE (self->study_row)));

  g_strstrip (name);
  return name[0] != '\0' ? g_steal_pointer (&name) : g_strdup (DEFAULT_STUDY);
}

static void
start_load (PbTunePage *self)
{
  PbProject *project = pb_page_get_project (PB_PAGE (self));
  g_autoptr(GError) error = NULL;
  g_autofree char *key = NULL;
  TuneCall *call;

  if (project == NULL || pb_job_get_running (self->job) || pb_job_get_running (self->load_job))
    return;

  call = g_new0 (TuneCall, 1);
  call->storage_location = dup_storage_location (self, &error);
  if (error != NULL)
    {
      tune_call_free (call);
      return;
    }
  call->project_path = g_strdup (pb_project_get_path (project));
  call->study_name = dup_study_name (self);
  key = g_strdup_printf ("%s\n%s\n%s", call->project_path,
                         call->storage_location != NULL ? call->storage_location : "",
                         call->study_name);
  if (g_strcmp0 (key, self->loaded_for) == 0)
    {
      tune_call_free (call);
      return;
    }
  g_free (self->loaded_for);
  self->loaded_for = g_steal_pointer (&key);

  call->shared = tune_shared_new ();
  g_clear_pointer (&self->shared, tune_shared_unref);
  self->shared = g_atomic_rc_box_acquire (call->shared);
  self->shown_serial = 0;
  g_list_store_remove_all (self->trials);
  clear_figures (self);
  adw_preferences_group_set_description (self->trials_group, _("No trials yet."));
  pb_job_start (self->load_job, load_worker, call, (GDestroyNotify) tune_call_free);
}

static void
load_datasets (PbTunePage *self)
{
  PbProject *project = pb_page_get_project (PB_PAGE (self));
  g_auto(GStrv) names = NULL;
  guint n_old = g_list_model_get_n_items (G_LIST_MODEL (self->dataset_list));

  names = project != NULL ? pb_dataset_list_names (project, NULL) : NULL;
  gtk_string_list_splice (self->dataset_list, 0, n_old, (const char * const *) names);
  gtk_widget_set_sensitive (GTK_WIDGET (self->dataset_row), names != NULL && names[0] != NULL);
  if (names == NULL || names[0] == NULL)
    {
      adw_combo_row_set_model (self->dataset_row, G_LIST_MODEL (self->dataset_list));
      set_status (self, project != NULL ? _("The project has no dataset yet: preprocess one "
                                            "on the Preprocess page first.") : NULL, FALSE);
    }
  else if (!pb_job_get_running (self->job))
    set_status (self, NULL, FALSE);
  update_actions (self);
}

/* ---- callbacks ------------------------------------------------------------------------- */

static void
on_storage_selected_cb (PbTunePage *self)
{
  gtk_widget_set_visible (GTK_WIDGET (self->conninfo_row),
                          adw_combo_row_get_selected (self->storage_row) == 1);
}

/* Another study name: show that study (if it exists). */
static void
on_study_apply_cb (PbTunePage *self)
{
  g_clear_pointer (&self->loaded_for, g_free);
  if (pb_job_get_running (self->load_job))
    {
      self->reload = TRUE;
      pb_job_cancel (self->load_job);
      return;
    }
  start_load (self);
}

static void
on_map_cb (PbTunePage *self)
{
  load_datasets (self);
  start_load (self);
}

static void
on_job_running_cb (PbTunePage *self)
{
  update_actions (self);
}

static void
on_job_progress_cb (PbTunePage *self)
{
  if (pb_page_show_job_progress (PB_PAGE (self), self->job, self->progress_bar))
    show_trials (self);
}

static void
on_load_progress_cb (PbTunePage *self)
{
  g_autoptr(PbSearchSpace) space = NULL;

  show_trials (self);
  if (self->shared == NULL)
    return;
  g_mutex_lock (&self->shared->mutex);
  if (self->shared->space != NULL)
    space = pb_search_space_ref (self->shared->space);
  g_mutex_unlock (&self->shared->mutex);
  /* an existing study runs with its own space: show that one */
  if (space != NULL)
    show_space (self, space);
}

/* A stored study runs with the settings it was started with: show those. */
static void
show_stored_settings (PbTunePage *self)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autofree char *config = NULL;
  gint64 budget = 0;
  JsonObject *o;
  guint n;

  if (self->shared == NULL)
    return;
  g_mutex_lock (&self->shared->mutex);
  config = g_strdup (self->shared->objective_config);
  budget = self->shared->budget;
  g_mutex_unlock (&self->shared->mutex);

  if (budget > 0)
    gtk_spin_button_set_value (self->trials_spin, (double) budget);
  if (config == NULL || !json_parser_load_from_data (parser, config, -1, NULL) ||
      !JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)))
    return;
  o = json_node_get_object (json_parser_get_root (parser));
  gtk_spin_button_set_value (self->folds_spin,
                             json_object_get_int_member_with_default (o, "folds", 5));
  gtk_spin_button_set_value (self->epochs_spin,
                             json_object_get_int_member_with_default (o, "epochs", 100));
  gtk_spin_button_set_value (self->report_spin,
                             json_object_get_int_member_with_default (o, "epochs_per_report", 5));
  adw_combo_row_set_selected (self->preset_row,
                              g_strcmp0 (json_object_get_string_member_with_default (o, "preset",
                                                                                     ""),
                                         "seed") == 0 ? 1 : 0);
  n = g_list_model_get_n_items (G_LIST_MODEL (self->dataset_list));
  for (guint i = 0; i < n; i++)
    if (g_strcmp0 (gtk_string_list_get_string (self->dataset_list, i),
                   json_object_get_string_member_with_default (o, "dataset", "")) == 0)
      adw_combo_row_set_selected (self->dataset_row, i);
}

static void
on_load_finished_cb (PbTunePage *self,
                     gboolean    success)
{
  const GError *error = pb_job_get_error (self->load_job);

  if (self->reload)
    {
      self->reload = FALSE;
      start_load (self);
      return;
    }
  on_load_progress_cb (self);
  if (success)
    show_stored_settings (self);
  if (error != NULL)
    {
      g_autofree char *text = g_strdup_printf (_("Could not read the study: %s"), error->message);

      set_status (self, text, TRUE);
      pb_page_toast (PB_PAGE (self), text);
      g_clear_pointer (&self->loaded_for, g_free);
    }
}

static void
on_job_finished_cb (PbTunePage *self,
                    gboolean    success)
{
  const GError *error = pb_job_get_error (self->job);

  show_trials (self);
  if (success)
    {
      g_autofree char *text = g_strdup_printf (_("Study “%s” is at its budget"),
                                               gtk_editable_get_text (GTK_EDITABLE (self->study_row)));

      gtk_progress_bar_set_fraction (self->progress_bar, 1.0);
      gtk_progress_bar_set_text (self->progress_bar, text);
      set_status (self, NULL, FALSE);
    }
  else if (error != NULL)
    {
      g_autofree char *text = g_strdup_printf (_("Tuning failed: %s"), error->message);

      gtk_progress_bar_set_text (self->progress_bar, _("Failed"));
      set_status (self, text, TRUE);
      pb_page_toast (PB_PAGE (self), text);
    }
  else
    {
      gtk_progress_bar_set_text (self->progress_bar,
                                 _("Stopped; the interrupted trial is recorded as failed"));
      set_status (self, NULL, FALSE);
    }
}

/* ---- actions ---------------------------------------------------------------------------- */

static void
fail_start (PbTunePage   *self,
            const GError *error)
{
  set_status (self, error->message, TRUE);
  pb_page_toast (PB_PAGE (self), error->message);
}

static void
pb_tune_page_start_action (GtkWidget  *widget,
                           const char *action_name,
                           GVariant   *parameter)
{
  PbTunePage *self = PB_TUNE_PAGE (widget);
  PbProject *project = pb_page_get_project (PB_PAGE (self));
  g_autoptr(GError) error = NULL;
  g_autoptr(PbSearchSpace) space = NULL;
  g_autofree char *storage = NULL;
  GtkStringObject *dataset;
  TuneCall *call;
  int n_trials;

  if (project == NULL || pb_job_get_running (self->job))
    return;
  if (!pb_page_check_project_free (PB_PAGE (self)))
    return;

  dataset = adw_combo_row_get_selected_item (self->dataset_row);
  n_trials = gtk_spin_button_get_value_as_int (self->trials_spin);
  if (dataset == NULL)
    {
      g_set_error_literal (&error, PB_ENGINE_ERROR, PB_ENGINE_ERROR_INVALID_ARGUMENT,
                           _("The project has no dataset to tune on: preprocess one first"));
      fail_start (self, error);
      return;
    }
  if (n_trials < 1)
    {
      g_set_error_literal (&error, PB_ENGINE_ERROR, PB_ENGINE_ERROR_INVALID_ARGUMENT,
                           _("The study needs at least one trial"));
      fail_start (self, error);
      return;
    }
  space = read_space (self, &error);
  if (space == NULL)
    {
      fail_start (self, error);
      return;
    }
  storage = dup_storage_location (self, &error);
  if (error != NULL)
    {
      fail_start (self, error);
      return;
    }

  pb_job_cancel (self->load_job);

  call = g_new0 (TuneCall, 1);
  call->project_path = g_strdup (pb_project_get_path (project));
  call->storage_location = g_steal_pointer (&storage);
  call->study_name = dup_study_name (self);
  call->dataset = g_strdup (gtk_string_object_get_string (dataset));
  call->space = g_steal_pointer (&space);
  pb_study_options_init_default (&call->options);
  call->options.direction = PB_STUDY_DIRECTION_MINIMIZE;
  call->options.budget = n_trials;
  call->options.heartbeat_interval_s = 60;
  pb_tune_objective_config_init (&call->config);
  call->config.n_folds = (guint) gtk_spin_button_get_value_as_int (self->folds_spin);
  call->config.n_epochs = (guint) gtk_spin_button_get_value_as_int (self->epochs_spin);
  call->config.epochs_per_report = (guint) gtk_spin_button_get_value_as_int (self->report_spin);
  call->config.protocol = adw_combo_row_get_selected (self->preset_row) == 1 ? PB_PROTOCOL_SEED
                                                                            : PB_PROTOCOL_STANDARD;
  call->shared = tune_shared_new ();

  g_clear_pointer (&self->shared, tune_shared_unref);
  self->shared = g_atomic_rc_box_acquire (call->shared);
  self->shown_serial = 0;
  g_free (self->loaded_for);
  self->loaded_for = g_strdup_printf ("%s\n%s\n%s", call->project_path,
                                      call->storage_location != NULL ? call->storage_location : "",
                                      call->study_name);

  set_status (self, NULL, FALSE);
  gtk_progress_bar_set_fraction (self->progress_bar, 0);
  gtk_progress_bar_set_text (self->progress_bar, _("Starting"));
  pb_page_start_writer (PB_PAGE (self), self->job, tune_worker, call,
                        (GDestroyNotify) tune_call_free);
}

static void
pb_tune_page_stop_action (GtkWidget  *widget,
                          const char *action_name,
                          GVariant   *parameter)
{
  PbTunePage *self = PB_TUNE_PAGE (widget);

  if (pb_job_get_running (self->job))
    {
      gtk_progress_bar_set_text (self->progress_bar, _("Stopping…"));
      pb_job_cancel (self->job);
    }
}

static void
pb_tune_page_reset_space_action (GtkWidget  *widget,
                                 const char *action_name,
                                 GVariant   *parameter)
{
  PbTunePage *self = PB_TUNE_PAGE (widget);
  g_autoptr(PbSearchSpace) space = pb_search_space_new_builtin (PB_SEARCH_SPACE_MODEL, NULL);

  show_space (self, space);
}

static void
export_plot (PbPlotView *view,
             GVariant   *parameter)
{
  if (pb_plot_view_has_figure (view))
    gtk_widget_activate_action_variant (GTK_WIDGET (view), "plot.export", parameter);
}

static void
pb_tune_page_export_history_action (GtkWidget  *widget,
                                    const char *action_name,
                                    GVariant   *parameter)
{
  export_plot (PB_TUNE_PAGE (widget)->history_plot, parameter);
}

static void
pb_tune_page_export_intermediate_action (GtkWidget  *widget,
                                         const char *action_name,
                                         GVariant   *parameter)
{
  export_plot (PB_TUNE_PAGE (widget)->intermediate_plot, parameter);
}

/* ---- object ------------------------------------------------------------------------------ */

static void
pb_tune_page_project_changed (PbPage    *page,
                              PbProject *project)
{
  PbTunePage *self = PB_TUNE_PAGE (page);

  pb_job_cancel (self->load_job);
  g_clear_pointer (&self->loaded_for, g_free);
  load_datasets (self);
  start_load (self);
}

static void
pb_tune_page_dispose (GObject *object)
{
  PbTunePage *self = (PbTunePage *)object;

  if (self->job != NULL)
    pb_job_cancel (self->job);
  if (self->load_job != NULL)
    pb_job_cancel (self->load_job);

  gtk_widget_dispose_template (GTK_WIDGET (self), PB_TYPE_TUNE_PAGE);

  g_clear_object (&self->job);
  g_clear_object (&self->load_job);
  g_clear_object (&self->trials);
  g_clear_pointer (&self->shared, tune_shared_unref);
  g_clear_pointer (&self->param_rows, g_ptr_array_unref);
  g_clear_pointer (&self->loaded_for, g_free);

  G_OBJECT_CLASS (pb_tune_page_parent_class)->dispose (object);
}

static void
pb_tune_page_class_init (PbTunePageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  PbPageClass *page_class = PB_PAGE_CLASS (klass);

  object_class->dispose = pb_tune_page_dispose;
  page_class->project_changed = pb_tune_page_project_changed;

  g_type_ensure (PB_TYPE_PLOT_VIEW);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               RESOURCE_PREFIX "/ui/pb-tune-page.ui");
  gtk_widget_class_bind_template_child (widget_class, PbTunePage, study_row);
  gtk_widget_class_bind_template_child (widget_class, PbTunePage, dataset_row);
  gtk_widget_class_bind_template_child (widget_class, PbTunePage, dataset_list);
  gtk_widget_class_bind_template_child (widget_class, PbTunePage, storage_row);
  gtk_widget_class_bind_template_child (widget_class, PbTunePage, conninfo_row);
  gtk_widget_class_bind_template_child (widget_class, PbTunePage, trials_spin);
  gtk_widget_class_bind_template_child (widget_class, PbTunePage, epochs_spin);
  gtk_widget_class_bind_template_child (widget_class, PbTunePage, report_spin);
  gtk_widget_class_bind_template_child (widget_class, PbTunePage, folds_spin);
  gtk_widget_class_bind_template_child (widget_class, PbTunePage, preset_row);
  gtk_widget_class_bind_template_child (widget_class, PbTunePage, space_list);
  gtk_widget_class_bind_template_child (widget_class, PbTunePage, progress_bar);
  gtk_widget_class_bind_template_child (widget_class, PbTunePage, status_label);
  gtk_widget_class_bind_template_child (widget_class, PbTunePage, trials_group);
  gtk_widget_class_bind_template_child (widget_class, PbTunePage, trials_view);
  gtk_widget_class_bind_template_child (widget_class, PbTunePage, history_group);
  gtk_widget_class_bind_template_child (widget_class, PbTunePage, intermediate_group);
  gtk_widget_class_bind_template_child (widget_class, PbTunePage, history_plot);
  gtk_widget_class_bind_template_child (widget_class, PbTunePage, intermediate_plot);
  gtk_widget_class_bind_template_callback (widget_class, on_storage_selected_cb);
  gtk_widget_class_bind_template_callback (widget_class, on_study_apply_cb);

  gtk_widget_class_install_action (widget_class, "tune.start", NULL, pb_tune_page_start_action);
  gtk_widget_class_install_action (widget_class, "tune.stop", NULL, pb_tune_page_stop_action);
  gtk_widget_class_install_action (widget_class, "tune.reset-space", NULL,
                                   pb_tune_page_reset_space_action);
  gtk_widget_class_install_action (widget_class, "tune.export-history", "s",
                                   pb_tune_page_export_history_action);
  gtk_widget_class_install_action (widget_class, "tune.export-intermediate", "s",
                                   pb_tune_page_export_intermediate_action);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "tune.stop", NULL);
}

static void
pb_tune_page_init (PbTunePage *self)
{
  g_autoptr(GtkNoSelection) selection = NULL;
  g_autoptr(PbSearchSpace) space = pb_search_space_new_builtin (PB_SEARCH_SPACE_MODEL, NULL);

  gtk_widget_init_template (GTK_WIDGET (self));

  self->param_rows = g_ptr_array_new_with_free_func ((GDestroyNotify) param_row_free);
  self->trials = g_list_store_new (PB_TYPE_TEXT_ROW);
  selection = gtk_no_selection_new (G_LIST_MODEL (g_object_ref (self->trials)));
  gtk_column_view_set_model (self->trials_view, GTK_SELECTION_MODEL (selection));
  pb_text_table_add_column (self->trials_view, _("Trial"), COL_NUMBER, TRUE, FALSE);
  pb_text_table_add_column (self->trials_view, _("State"), COL_STATE, FALSE, FALSE);
  pb_text_table_add_column (self->trials_view, _("Value"), COL_VALUE, TRUE, FALSE);
  pb_text_table_add_column (self->trials_view, _("Reports"), COL_REPORTS, TRUE, FALSE);
  pb_text_table_add_column (self->trials_view, _("Parameters"), COL_PARAMS, FALSE, TRUE);

  pb_plot_view_set_export_name (self->history_plot, "optimisation-history");
  pb_plot_view_set_export_name (self->intermediate_plot, "intermediate-values");
  gtk_widget_set_name (GTK_WIDGET (self->history_plot), "history_plot");
  gtk_widget_set_name (GTK_WIDGET (self->intermediate_plot), "intermediate_plot");
  show_space (self, space);

  self->job = pb_job_new ();
  pb_job_set_title (self->job, _("Tune"));
  self->load_job = pb_job_new ();
  g_signal_connect_object (self->job, "notify::running", G_CALLBACK (on_job_running_cb), self,
                           G_CONNECT_SWAPPED);
  g_signal_connect_object (self->job, "notify::fraction", G_CALLBACK (on_job_progress_cb), self,
                           G_CONNECT_SWAPPED);
  g_signal_connect_object (self->job, "finished", G_CALLBACK (on_job_finished_cb), self,
                           G_CONNECT_SWAPPED);
  g_signal_connect_object (self->load_job, "notify::fraction", G_CALLBACK (on_load_progress_cb),
                           self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->load_job, "finished", G_CALLBACK (on_load_finished_cb), self,
                           G_CONNECT_SWAPPED);
  g_signal_connect (self, "map", G_CALLBACK (on_map_cb), NULL);
  update_actions (self);
}

PbPage *
pb_tune_page_new (void)
{
  return g_object_new (PB_TYPE_TUNE_PAGE, NULL);
}

PbJob *
pb_tune_page_get_job (PbTunePage *self)
{
  g_return_val_if_fail (PB_IS_TUNE_PAGE (self), NULL);

  return self->job;
}

/**
 * pb_tune_page_get_trials:
 *
 * Returns: (transfer none): the trial table's rows (#PbTextRow: number, state,
 *   value, reports, parameters)
 */
GListModel *
pb_tune_page_get_trials (PbTunePage *self)
{
  g_return_val_if_fail (PB_IS_TUNE_PAGE (self), NULL);

  return G_LIST_MODEL (self->trials);
}
