/* pb-cv-page.c — the Cross-validation page (SPEC §6): one model configuration
 * (the reference's final model, the best trial of a study, or edited values)
 * trained on k stratified folds for a number of epochs, evaluated and
 * checkpointed every n epochs; live per-fold validation-loss and AUC curves; a
 * summary like the reference's results table — per fold the checkpoint with
 * the lowest validation loss, and the mean (sample std) over finished folds —
 * with the protocol preset that produced it.
 *
 * The work is pb_cv_run() (pb-cv.c) in a PbJob worker. The worker reads the
 * stored CV back with pb_cv_load() on its own connection after evaluations (at
 * most a few times a second) and at the end, and hands the result to the page
 * through a mutex-protected box, so every number shown (best epoch, means,
 * standard deviations) is the engine's and the main thread never reads the
 * database while a CV runs. On opening a project the latest CV is loaded the
 * same way.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "pb-cv-page.h"

#include "pb-format.h"

#include "pb-cv.h"
#include "pb-figure-run.h"
#include "pb-plot-line.h"
#include "pb-plot-view.h"
#include "pb-text-table.h"

#include <glib/gi18n.h>
#include <math.h>
#include <string.h>

enum {
  COL_FOLD,
  COL_EPOCH,
  COL_LOSS_TRAIN,
  COL_LOSS_VALID,
  COL_AUC,
  COL_ACCURACY,
  COL_F1,
  COL_PRECISION,
  COL_RECALL,
  N_COLS
};

/* ---- what the worker shares with the page ------------------------------------ */

typedef struct
{
  GMutex      mutex;
  PbCvResult *result;    /* latest one read back, not yet taken by the page */
  guint       serial;
} CvShared;

static void
cv_shared_clear (CvShared *shared)
{
  g_clear_pointer (&shared->result, pb_cv_result_free);
  g_mutex_clear (&shared->mutex);
}

static CvShared *
cv_shared_new (void)
{
  CvShared *shared = g_atomic_rc_box_new0 (CvShared);

  g_mutex_init (&shared->mutex);
  return shared;
}

static void
cv_shared_unref (CvShared *shared)
{
  g_atomic_rc_box_release_full (shared, (GDestroyNotify) cv_shared_clear);
}

struct _PbCvPage
{
  PbPage              parent_instance;

  PbJob              *job;        /* the cross-validation (writes) */
  PbJob              *load_job;   /* reading the latest one back */
  CvShared           *shared;
  guint               shown_serial;
  PbCvResult         *result;     /* on screen */
  GListStore         *summary;    /* PbTextRow */
  gboolean            loaded;
  char               *source;     /* "study …, trial …" of the filled-in settings */
  char               *source_config;  /* those settings, to tell whether they were edited */

  AdwPreferencesGroup *summary_group;
  GtkLabel           *headline_label;
  GtkFrame           *summary_frame;
  GtkColumnView      *summary_view;
  AdwPreferencesGroup *loss_group;
  AdwPreferencesGroup *auc_group;
  PbPlotView         *loss_plot;
  PbPlotView         *auc_plot;
  GtkProgressBar     *progress_bar;
  GtkLabel           *status_label;
  AdwEntryRow        *study_row;
  GtkSpinButton      *hidden_spin;
  AdwComboRow        *lstm_act_row;
  GtkSpinButton      *dropout_spin;
  GtkSpinButton      *fc_spin;
  AdwComboRow        *fc_act_row;
  AdwComboRow        *optimizer_row;
  AdwEntryRow        *lr_row;
  GtkSpinButton      *batch_spin;
  AdwComboRow        *dataset_row;
  GtkStringList      *dataset_list;
  GtkSpinButton      *folds_spin;
  GtkSpinButton      *epochs_spin;
  GtkSpinButton      *eval_spin;
  GtkSpinButton      *fold_seed_spin;
  GtkSpinButton      *seed_spin;
  AdwComboRow        *preset_row;
};

G_DEFINE_FINAL_TYPE (PbCvPage, pb_cv_page, PB_TYPE_PAGE)

/* ---- workers --------------------------------------------------------------------- */

#define PUBLISH_INTERVAL_US (G_USEC_PER_SEC / 4)

typedef struct
{
  char          *project_path;
  char          *dataset;
  char          *source;
  PbCvConfig     config;
  gint64         resume_id;   /* > 0: continue this CV instead */
  CvShared      *shared;

  /* worker only */
  PbJob         *job;
  PbProject     *project;
  gint64         cv_id;
  gint64         published_at;
} CvCall;

static void
cv_call_free (CvCall *call)
{
  g_free (call->project_path);
  g_free (call->dataset);
  g_free (call->source);
  g_clear_pointer (&call->shared, cv_shared_unref);
  g_free (call);
}

/* Worker: reads the CV back and hands it to the page. */
static void
publish (CvCall *call)
{
  g_autoptr(GError) error = NULL;
  PbCvResult *result;

  if (call->cv_id <= 0)
    return;
  result = pb_cv_load (call->project, call->cv_id, &error);
  if (result == NULL)
    {
      g_debug ("reading the cross-validation back: %s", error->message);
      return;
    }
  call->published_at = g_get_monotonic_time ();

  g_mutex_lock (&call->shared->mutex);
  g_clear_pointer (&call->shared->result, pb_cv_result_free);
  call->shared->result = result;
  call->shared->serial++;
  g_mutex_unlock (&call->shared->mutex);
}

static void
on_cv_progress (double        fraction,
                const char   *message,
                gconstpointer details,
                gpointer      user_data)
{
  CvCall *call = user_data;
  const PbCvProgress *p = details;
  g_autofree char *text = NULL;

  if (p == NULL)
    return;

  call->cv_id = p->cv_id;
  if (p->step == 0 &&
      ((p->evaluated && g_get_monotonic_time () - call->published_at > PUBLISH_INTERVAL_US) ||
       p->epoch == p->n_epochs))
    publish (call);

  text = g_strdup_printf (_("Fold %u of %u: %s"), p->fold + 1, p->n_folds,
                          message != NULL ? message : "");
  pb_job_report (fraction, text, NULL, call->job);
}

static gboolean
cv_worker (PbJob         *job,
           gpointer       data,
           GCancellable  *cancellable,
           GError       **error)
{
  CvCall *call = data;
  g_autoptr(PbProject) project = NULL;
  gboolean ok;

  call->job = job;
  project = pb_project_open (call->project_path, error);
  if (project == NULL)
    return FALSE;

  call->project = project;
  if (call->resume_id > 0)
    {
      call->cv_id = call->resume_id;
      ok = pb_cv_resume (project, call->resume_id, on_cv_progress, call, cancellable, error);
    }
  else
    ok = pb_cv_run (project, &call->config, call->dataset, call->source, &call->cv_id,
                    on_cv_progress, call, cancellable, error);
  publish (call);
  call->project = NULL;
  return ok;
}

/* Reads the project's latest cross-validation back. */
static gboolean
load_worker (PbJob         *job,
             gpointer       data,
             GCancellable  *cancellable,
             GError       **error)
{
  CvCall *call = data;
  g_autoptr(PbProject) project = NULL;
  g_autoptr(GArray) ids = NULL;

  project = pb_project_open_full (call->project_path, PB_PROJECT_OPEN_READ_ONLY, -1, error);
  if (project == NULL)
    return FALSE;
  ids = pb_cv_list (project, error);
  if (ids == NULL)
    return FALSE;
  if (ids->len == 0)
    return TRUE;

  call->project = project;
  call->cv_id = g_array_index (ids, gint64, ids->len - 1);
  publish (call);
  call->project = NULL;
  pb_job_report (1.0, NULL, NULL, job);
  return TRUE;
}

/* ---- figures ---------------------------------------------------------------------------- */

/* Shows @figure in @view, which keeps it; clears @view when no fold has a
 * point to draw yet. */
static void
show_curves (PbPlotView *view,
             PbFigure   *figure)
{
  const PbPlotLineData *line = pb_figure_get_data (figure);

  if (line->n_series == 0)
    {
      pb_figure_free (figure);
      pb_plot_view_clear (view);
      return;
    }
  pb_plot_view_set_figure (view, PB_PLOT_KIND_LINE, figure, (GDestroyNotify) pb_figure_free);
}

/* ---- summary ------------------------------------------------------------------------------- */

static char *
fmt (double v)
{
  return isfinite (v) ? g_strdup_printf ("%.4f", v) : g_strdup ("—");
}

static PbTextRow *
summary_row_new (char         *fold,
                 char         *epoch,
                 const double  v[N_COLS])
{
  char **texts = g_new0 (char *, N_COLS + 1);

  texts[COL_FOLD] = fold;
  texts[COL_EPOCH] = epoch;
  for (guint c = COL_LOSS_TRAIN; c < N_COLS; c++)
    texts[c] = fmt (v[c]);
  return pb_text_row_new_take (texts);
}

static PbTextRow *
stat_row_new (const char        *label,
              const PbCvSummary *s,
              gboolean           std)
{
  double v[N_COLS];

#define PICK(stat) (std ? (stat).std : (stat).mean)
  v[COL_LOSS_TRAIN] = PICK (s->loss_train);
  v[COL_LOSS_VALID] = PICK (s->loss_valid);
  v[COL_AUC] = PICK (s->auc);
  v[COL_ACCURACY] = PICK (s->accuracy);
  v[COL_F1] = PICK (s->f1);
  v[COL_PRECISION] = PICK (s->precision);
  v[COL_RECALL] = PICK (s->recall);
#undef PICK
  return summary_row_new (g_strdup (label), g_strdup (""), v);
}

static void
show_summary (PbCvPage         *self,
              const PbCvResult *r)
{
  g_autoptr(GPtrArray) rows = g_ptr_array_new_with_free_func (g_object_unref);
  const PbCvSummary *s = &r->summary;
  guint n_best = 0;

  for (guint f = 0; f < r->config.n_folds; f++)
    {
      const PbCvFold *fold = &r->folds[f];
      double v[N_COLS];

      if (!fold->has_best)
        continue;
      v[COL_LOSS_TRAIN] = fold->best_loss_train;
      v[COL_LOSS_VALID] = fold->best.loss;
      v[COL_AUC] = fold->best.auc;
      v[COL_ACCURACY] = fold->best.accuracy;
      v[COL_F1] = fold->best.f1;
      v[COL_PRECISION] = fold->best.precision;
      v[COL_RECALL] = fold->best.recall;
      g_ptr_array_add (rows, summary_row_new (g_str_equal (fold->status, "finished")
                                                ? g_strdup_printf ("%u", f)
                                                : g_strdup_printf (_("%u (%s)"), f, fold->status),
                                              g_strdup_printf ("%u", fold->best_epoch), v));
      n_best++;
    }
  if (s->n_folds > 0)
    {
      g_ptr_array_add (rows, stat_row_new (_("mean"), s, FALSE));
      g_ptr_array_add (rows, stat_row_new (_("std"), s, TRUE));
    }
  g_list_store_splice (self->summary, 0, g_list_model_get_n_items (G_LIST_MODEL (self->summary)),
                       rows->pdata, rows->len);

  gtk_widget_set_visible (GTK_WIDGET (self->summary_frame), n_best > 0);
  gtk_widget_set_visible (GTK_WIDGET (self->headline_label), s->n_folds > 0);

  {
    const char *protocol = pb_protocol_get_name (r->config.train.model.protocol);
    gboolean seed = r->config.train.model.protocol == PB_PROTOCOL_SEED;
    g_autofree char *when = pb_format_timestamp (r->created_at);
    g_autofree char *desc =
      g_strdup_printf (_("Cross-validation %s (%s, %s): %u of %u folds finished; each fold at "
                         "its checkpoint with the lowest validation loss; mean and sample std "
                         "over finished folds. Hyperparameters: %s. Protocol preset: %s — %s."),
                       when, r->dataset, r->status,
                       s->n_folds, r->config.n_folds,
                       r->source != NULL ? r->source : _("edited"), protocol,
                       seed ? _("validation metrics on a weighted resample of the training fold, "
                                "as the reference code computed them")
                            : _("validation metrics on the held-out fold"));

    adw_preferences_group_set_description (self->summary_group, desc);
  }

  if (s->n_folds > 0)
    {
      g_autofree char *headline =
        g_strdup_printf (_("AUC %.4f (%.4f) · F1 %.4f (%.4f) · precision %.4f (%.4f) · recall %.4f "
                           "(%.4f) · accuracy %.4f (%.4f)"),
                         s->auc.mean, s->auc.std, s->f1.mean, s->f1.std, s->precision.mean,
                         s->precision.std, s->recall.mean, s->recall.std, s->accuracy.mean,
                         s->accuracy.std);

      gtk_label_set_text (self->headline_label, headline);
    }
}

static void
clear_results (PbCvPage *self)
{
  g_clear_pointer (&self->result, pb_cv_result_free);
  g_list_store_remove_all (self->summary);
  pb_plot_view_clear (self->loss_plot);
  pb_plot_view_clear (self->auc_plot);
  gtk_widget_set_visible (GTK_WIDGET (self->loss_group), FALSE);
  gtk_widget_set_visible (GTK_WIDGET (self->auc_group), FALSE);
  gtk_widget_set_visible (GTK_WIDGET (self->summary_frame), FALSE);
  gtk_widget_set_visible (GTK_WIDGET (self->headline_label), FALSE);
  adw_preferences_group_set_description (self->summary_group, _("No cross-validation yet."));
}

static void update_actions (PbCvPage *self);

static void
show_results (PbCvPage *self)
{
  const PbCvResult *r;

  if (self->shared == NULL)
    return;

  g_mutex_lock (&self->shared->mutex);
  if (self->shared->serial != self->shown_serial && self->shared->result != NULL)
    {
      g_clear_pointer (&self->result, pb_cv_result_free);
      self->result = g_steal_pointer (&self->shared->result);
    }
  self->shown_serial = self->shared->serial;
  g_mutex_unlock (&self->shared->mutex);

  update_actions (self);
  if ((r = self->result) == NULL)
    return;

  show_summary (self, r);

  show_curves (self->loss_plot, pb_figure_new_cv (r, PB_FIGURE_CURVE_LOSS));
  show_curves (self->auc_plot, pb_figure_new_cv (r, PB_FIGURE_CURVE_AUC));
  gtk_widget_set_visible (GTK_WIDGET (self->loss_group), pb_plot_view_has_figure (self->loss_plot));
  gtk_widget_set_visible (GTK_WIDGET (self->auc_group), pb_plot_view_has_figure (self->auc_plot));
}

/* ---- state ----------------------------------------------------------------------------------- */

static void
set_status (PbCvPage   *self,
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
fail (PbCvPage   *self,
      const char *message)
{
  set_status (self, message, TRUE);
  pb_page_toast (PB_PAGE (self), message);
}

static void
update_actions (PbCvPage *self)
{
  gboolean running = pb_job_get_running (self->job);
  gboolean have_project = pb_page_get_project (PB_PAGE (self)) != NULL;
  gboolean have_dataset = g_list_model_get_n_items (G_LIST_MODEL (self->dataset_list)) > 0;

  gtk_widget_action_set_enabled (GTK_WIDGET (self), "cv.start",
                                 have_project && have_dataset && !running);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "cv.stop", running);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "cv.use-best", have_project && !running);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "cv.resume",
                                 have_project && !running && self->result != NULL &&
                                 !g_str_equal (self->result->status, "finished"));
}

static void
load_datasets (PbCvPage *self)
{
  PbProject *project = pb_page_get_project (PB_PAGE (self));
  g_auto(GStrv) names = NULL;
  guint n_old = g_list_model_get_n_items (G_LIST_MODEL (self->dataset_list));

  names = project != NULL ? pb_dataset_list_names (project, NULL) : NULL;
  gtk_string_list_splice (self->dataset_list, 0, n_old, (const char * const *) names);
  gtk_widget_set_sensitive (GTK_WIDGET (self->dataset_row), names != NULL && names[0] != NULL);
  if ((names == NULL || names[0] == NULL) && project != NULL)
    set_status (self, _("The project has no dataset yet: preprocess one on the Preprocess page "
                        "first."), FALSE);
  else if (!pb_job_get_running (self->job))
    set_status (self, NULL, FALSE);
  update_actions (self);
}

static void
start_load (PbCvPage *self)
{
  PbProject *project = pb_page_get_project (PB_PAGE (self));
  CvCall *call;

  if (project == NULL || self->loaded || pb_job_get_running (self->job) ||
      pb_job_get_running (self->load_job))
    return;

  self->loaded = TRUE;
  call = g_new0 (CvCall, 1);
  call->project_path = g_strdup (pb_project_get_path (project));
  call->shared = cv_shared_new ();
  g_clear_pointer (&self->shared, cv_shared_unref);
  self->shared = g_atomic_rc_box_acquire (call->shared);
  self->shown_serial = 0;
  pb_job_start (self->load_job, load_worker, call, (GDestroyNotify) cv_call_free);
}

static void
set_combo (AdwComboRow *row,
           const char  *value)
{
  GListModel *model = adw_combo_row_get_model (row);

  for (guint i = 0; i < g_list_model_get_n_items (model); i++)
    {
      g_autoptr(GtkStringObject) item = g_list_model_get_item (model, i);

      if (g_ascii_strcasecmp (gtk_string_object_get_string (item), value) == 0)
        adw_combo_row_set_selected (row, i);
    }
}

static const char *
get_combo (AdwComboRow *row)
{
  GtkStringObject *item = adw_combo_row_get_selected_item (row);

  return item != NULL ? gtk_string_object_get_string (item) : "";
}

static void
show_config (PbCvPage            *self,
             const PbTrainConfig *config)
{
  char buf[G_ASCII_DTOSTR_BUF_SIZE];

  gtk_spin_button_set_value (self->hidden_spin, config->model.n_hidden);
  gtk_spin_button_set_value (self->fc_spin, config->model.n_fc);
  gtk_spin_button_set_value (self->dropout_spin, config->model.dropout);
  set_combo (self->lstm_act_row, pb_activation_get_name (config->model.act_lstm));
  set_combo (self->fc_act_row, pb_activation_get_name (config->model.act_fc));
  set_combo (self->optimizer_row, pb_optim_kind_get_name (config->optim.kind));
  gtk_editable_set_text (GTK_EDITABLE (self->lr_row),
                         g_ascii_formatd (buf, sizeof buf, "%.10g", config->optim.lr));
  gtk_spin_button_set_value (self->batch_spin, config->batch_size);
}

/* The edited settings as a CV configuration (validated by the engine). */
static gboolean
read_config (PbCvPage    *self,
             PbCvConfig  *cv,
             GError     **error)
{
  g_autofree char *lr_text = g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (self->lr_row))));
  PbTrainConfig *config = &cv->train;
  char *end = NULL;
  double lr = g_ascii_strtod (lr_text, &end);
  PbOptimKind kind;

  if (lr_text[0] == '\0' || end == NULL || *end != '\0' || !isfinite (lr) || lr <= 0)
    {
      g_set_error (error, PB_ENGINE_ERROR, PB_ENGINE_ERROR_INVALID_ARGUMENT,
                   _("The learning rate “%s” is not a positive number"), lr_text);
      return FALSE;
    }

  pb_cv_config_init (cv);
  config->model.n_hidden = (guint) gtk_spin_button_get_value_as_int (self->hidden_spin);
  config->model.n_fc = (guint) gtk_spin_button_get_value_as_int (self->fc_spin);
  config->model.dropout = gtk_spin_button_get_value (self->dropout_spin);
  if (!pb_activation_from_name (get_combo (self->lstm_act_row), &config->model.act_lstm) ||
      !pb_activation_from_name (get_combo (self->fc_act_row), &config->model.act_fc) ||
      !pb_optim_kind_from_name (get_combo (self->optimizer_row), &kind))
    {
      g_set_error_literal (error, PB_ENGINE_ERROR, PB_ENGINE_ERROR_INVALID_ARGUMENT,
                           _("Choose the activations and the optimiser"));
      return FALSE;
    }
  config->model.protocol = adw_combo_row_get_selected (self->preset_row) == 1
                           ? PB_PROTOCOL_SEED : PB_PROTOCOL_STANDARD;
  pb_optim_config_init (&config->optim, kind);
  config->optim.lr = lr;
  config->batch_size = (guint) gtk_spin_button_get_value_as_int (self->batch_spin);
  config->n_epochs = (guint) gtk_spin_button_get_value_as_int (self->epochs_spin);
  config->eval_every = (guint) gtk_spin_button_get_value_as_int (self->eval_spin);
  config->checkpoint_every = config->eval_every;
  config->seed = (guint64) gtk_spin_button_get_value (self->seed_spin);
  cv->n_folds = (guint) gtk_spin_button_get_value_as_int (self->folds_spin);
  cv->fold_seed = (guint64) gtk_spin_button_get_value (self->fold_seed_spin);

  return pb_cv_config_validate (cv, error);
}

/* The model part of @cv as JSON: equal when the hyperparameters are. */
static char *
dup_params_key (const PbCvConfig *cv)
{
  PbCvConfig copy = *cv;

  copy.train.n_epochs = 1;
  copy.train.eval_every = copy.train.checkpoint_every = 1;
  copy.train.seed = 0;
  copy.train.model.protocol = PB_PROTOCOL_STANDARD;
  copy.n_folds = 2;
  copy.fold_seed = 0;
  return pb_cv_config_to_json (&copy);
}

/* ---- callbacks -------------------------------------------------------------------------------- */

static void
on_map_cb (PbCvPage *self)
{
  load_datasets (self);
  start_load (self);
}

static void
on_job_running_cb (PbCvPage *self)
{
  update_actions (self);
}

static void
on_job_progress_cb (PbCvPage *self)
{
  if (pb_page_show_job_progress (PB_PAGE (self), self->job, self->progress_bar))
    show_results (self);
}

static void
on_load_finished_cb (PbCvPage *self,
                     gboolean  success)
{
  const GError *error = pb_job_get_error (self->load_job);

  show_results (self);
  if (error != NULL)
    {
      g_autofree char *text = g_strdup_printf (_("Could not read the cross-validation: %s"),
                                               error->message);

      fail (self, text);
    }
}

static void
on_job_finished_cb (PbCvPage *self,
                    gboolean  success)
{
  const GError *error = pb_job_get_error (self->job);

  show_results (self);
  if (success)
    {
      gtk_progress_bar_set_fraction (self->progress_bar, 1.0);
      gtk_progress_bar_set_text (self->progress_bar, _("Cross-validation finished"));
      set_status (self, NULL, FALSE);
    }
  else if (error != NULL)
    {
      g_autofree char *text = g_strdup_printf (_("Cross-validation failed: %s"), error->message);

      gtk_progress_bar_set_text (self->progress_bar, _("Failed"));
      fail (self, text);
    }
  else
    {
      gtk_progress_bar_set_text (self->progress_bar,
                                 _("Stopped; Resume continues from the last checkpoints"));
      set_status (self, NULL, FALSE);
    }
}

/* ---- actions ------------------------------------------------------------------------------------ */

static void
pb_cv_page_start_action (GtkWidget  *widget,
                         const char *action_name,
                         GVariant   *parameter)
{
  PbCvPage *self = PB_CV_PAGE (widget);
  PbProject *project = pb_page_get_project (PB_PAGE (self));
  g_autoptr(GError) error = NULL;
  GtkStringObject *dataset;
  CvCall *call;

  if (project == NULL || pb_job_get_running (self->job))
    return;
  if (!pb_page_check_project_free (PB_PAGE (self)))
    return;

  dataset = adw_combo_row_get_selected_item (self->dataset_row);
  if (dataset == NULL)
    {
      fail (self, _("The project has no dataset to cross-validate on: preprocess one first"));
      return;
    }

  call = g_new0 (CvCall, 1);
  if (!read_config (self, &call->config, &error))
    {
      cv_call_free (call);
      fail (self, error->message);
      return;
    }
  call->project_path = g_strdup (pb_project_get_path (project));
  call->dataset = g_strdup (gtk_string_object_get_string (dataset));
  if (self->source != NULL)
    {
      g_autofree char *key = dup_params_key (&call->config);

      if (g_strcmp0 (key, self->source_config) == 0)
        call->source = g_strdup (self->source);
    }
  call->shared = cv_shared_new ();

  pb_job_cancel (self->load_job);
  self->loaded = TRUE;
  g_clear_pointer (&self->shared, cv_shared_unref);
  self->shared = g_atomic_rc_box_acquire (call->shared);
  self->shown_serial = 0;
  clear_results (self);

  set_status (self, NULL, FALSE);
  gtk_progress_bar_set_fraction (self->progress_bar, 0);
  gtk_progress_bar_set_text (self->progress_bar, _("Starting"));
  pb_page_start_writer (PB_PAGE (self), self->job, cv_worker, call, (GDestroyNotify) cv_call_free);
}

/* Continues the CV on screen (cancelled, failed or killed) from its last checkpoints. */
static void
pb_cv_page_resume_action (GtkWidget  *widget,
                          const char *action_name,
                          GVariant   *parameter)
{
  PbCvPage *self = PB_CV_PAGE (widget);
  PbProject *project = pb_page_get_project (PB_PAGE (self));
  CvCall *call;

  if (project == NULL || pb_job_get_running (self->job) || self->result == NULL)
    return;
  if (!pb_page_check_project_free (PB_PAGE (self)))
    return;

  call = g_new0 (CvCall, 1);
  call->project_path = g_strdup (pb_project_get_path (project));
  call->resume_id = self->result->cv_id;
  call->shared = cv_shared_new ();

  pb_job_cancel (self->load_job);
  self->loaded = TRUE;
  g_clear_pointer (&self->shared, cv_shared_unref);
  self->shared = g_atomic_rc_box_acquire (call->shared);
  self->shown_serial = 0;

  set_status (self, NULL, FALSE);
  gtk_progress_bar_set_text (self->progress_bar, _("Resuming"));
  pb_page_start_writer (PB_PAGE (self), self->job, cv_worker, call, (GDestroyNotify) cv_call_free);
}

static void
pb_cv_page_stop_action (GtkWidget  *widget,
                        const char *action_name,
                        GVariant   *parameter)
{
  PbCvPage *self = PB_CV_PAGE (widget);

  if (pb_job_get_running (self->job))
    {
      gtk_progress_bar_set_text (self->progress_bar, _("Stopping…"));
      pb_job_cancel (self->job);
    }
}

/* Fills the model settings from the best trial of the named study in this project. */
static void
pb_cv_page_use_best_action (GtkWidget  *widget,
                            const char *action_name,
                            GVariant   *parameter)
{
  PbCvPage *self = PB_CV_PAGE (widget);
  PbProject *project = pb_page_get_project (PB_PAGE (self));
  g_autoptr(GError) error = NULL;
  g_autoptr(PbStorage) storage = NULL;
  g_autofree char *name = NULL;
  g_autofree char *text = NULL;
  PbCvConfig config;
  int number = -1;

  if (project == NULL)
    return;

  pb_cv_config_init (&config);
  name = g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (self->study_row))));
  storage = pb_storage_open (pb_project_get_path (project), &error);
  if (storage == NULL ||
      !pb_cv_config_set_from_study (&config, storage, name, &number, &error))
    {
      text = g_strdup_printf (_("No best trial to take from study “%s”: %s"), name,
                              error->message);
      fail (self, text);
      return;
    }

  show_config (self, &config.train);
  g_free (self->source);
  self->source = g_strdup_printf (_("study %s, trial %d"), name, number);
  g_free (self->source_config);
  self->source_config = dup_params_key (&config);
  text = g_strdup_printf (_("Filled in trial %d of study “%s”"), number, name);
  set_status (self, text, FALSE);
}

static void
export_plot (PbPlotView *view,
             GVariant   *parameter)
{
  if (pb_plot_view_has_figure (view))
    gtk_widget_activate_action_variant (GTK_WIDGET (view), "plot.export", parameter);
}

static void
pb_cv_page_export_loss_action (GtkWidget  *widget,
                               const char *action_name,
                               GVariant   *parameter)
{
  export_plot (PB_CV_PAGE (widget)->loss_plot, parameter);
}

static void
pb_cv_page_export_auc_action (GtkWidget  *widget,
                              const char *action_name,
                              GVariant   *parameter)
{
  export_plot (PB_CV_PAGE (widget)->auc_plot, parameter);
}

/* ---- object ---------------------------------------------------------------------------------------- */

static void
pb_cv_page_project_changed (PbPage    *page,
                            PbProject *project)
{
  PbCvPage *self = PB_CV_PAGE (page);

  pb_job_cancel (self->load_job);
  self->loaded = FALSE;
  clear_results (self);
  load_datasets (self);
  start_load (self);
}

static void
pb_cv_page_dispose (GObject *object)
{
  PbCvPage *self = (PbCvPage *)object;

  if (self->job != NULL)
    pb_job_cancel (self->job);
  if (self->load_job != NULL)
    pb_job_cancel (self->load_job);

  gtk_widget_dispose_template (GTK_WIDGET (self), PB_TYPE_CV_PAGE);

  g_clear_object (&self->job);
  g_clear_object (&self->load_job);
  g_clear_object (&self->summary);
  g_clear_pointer (&self->shared, cv_shared_unref);
  g_clear_pointer (&self->result, pb_cv_result_free);
  g_clear_pointer (&self->source, g_free);
  g_clear_pointer (&self->source_config, g_free);

  G_OBJECT_CLASS (pb_cv_page_parent_class)->dispose (object);
}

static void
pb_cv_page_class_init (PbCvPageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  PbPageClass *page_class = PB_PAGE_CLASS (klass);

  object_class->dispose = pb_cv_page_dispose;
  page_class->project_changed = pb_cv_page_project_changed;

  g_type_ensure (PB_TYPE_PLOT_VIEW);

  gtk_widget_class_set_template_from_resource (widget_class, RESOURCE_PREFIX "/ui/pb-cv-page.ui");
  gtk_widget_class_bind_template_child (widget_class, PbCvPage, summary_group);
  gtk_widget_class_bind_template_child (widget_class, PbCvPage, headline_label);
  gtk_widget_class_bind_template_child (widget_class, PbCvPage, summary_frame);
  gtk_widget_class_bind_template_child (widget_class, PbCvPage, summary_view);
  gtk_widget_class_bind_template_child (widget_class, PbCvPage, loss_group);
  gtk_widget_class_bind_template_child (widget_class, PbCvPage, auc_group);
  gtk_widget_class_bind_template_child (widget_class, PbCvPage, loss_plot);
  gtk_widget_class_bind_template_child (widget_class, PbCvPage, auc_plot);
  gtk_widget_class_bind_template_child (widget_class, PbCvPage, progress_bar);
  gtk_widget_class_bind_template_child (widget_class, PbCvPage, status_label);
  gtk_widget_class_bind_template_child (widget_class, PbCvPage, study_row);
  gtk_widget_class_bind_template_child (widget_class, PbCvPage, hidden_spin);
  gtk_widget_class_bind_template_child (widget_class, PbCvPage, lstm_act_row);
  gtk_widget_class_bind_template_child (widget_class, PbCvPage, dropout_spin);
  gtk_widget_class_bind_template_child (widget_class, PbCvPage, fc_spin);
  gtk_widget_class_bind_template_child (widget_class, PbCvPage, fc_act_row);
  gtk_widget_class_bind_template_child (widget_class, PbCvPage, optimizer_row);
  gtk_widget_class_bind_template_child (widget_class, PbCvPage, lr_row);
  gtk_widget_class_bind_template_child (widget_class, PbCvPage, batch_spin);
  gtk_widget_class_bind_template_child (widget_class, PbCvPage, dataset_row);
  gtk_widget_class_bind_template_child (widget_class, PbCvPage, dataset_list);
  gtk_widget_class_bind_template_child (widget_class, PbCvPage, folds_spin);
  gtk_widget_class_bind_template_child (widget_class, PbCvPage, epochs_spin);
  gtk_widget_class_bind_template_child (widget_class, PbCvPage, eval_spin);
  gtk_widget_class_bind_template_child (widget_class, PbCvPage, fold_seed_spin);
  gtk_widget_class_bind_template_child (widget_class, PbCvPage, seed_spin);
  gtk_widget_class_bind_template_child (widget_class, PbCvPage, preset_row);

  gtk_widget_class_install_action (widget_class, "cv.start", NULL, pb_cv_page_start_action);
  gtk_widget_class_install_action (widget_class, "cv.stop", NULL, pb_cv_page_stop_action);
  gtk_widget_class_install_action (widget_class, "cv.resume", NULL, pb_cv_page_resume_action);
  gtk_widget_class_install_action (widget_class, "cv.use-best", NULL, pb_cv_page_use_best_action);
  gtk_widget_class_install_action (widget_class, "cv.export-loss", "s",
                                   pb_cv_page_export_loss_action);
  gtk_widget_class_install_action (widget_class, "cv.export-auc", "s",
                                   pb_cv_page_export_auc_action);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "cv.stop", NULL);
}

static void
pb_cv_page_init (PbCvPage *self)
{
  g_autoptr(GtkNoSelection) selection = NULL;
  PbTrainConfig config;

  gtk_widget_init_template (GTK_WIDGET (self));

  self->summary = g_list_store_new (PB_TYPE_TEXT_ROW);
  selection = gtk_no_selection_new (G_LIST_MODEL (g_object_ref (self->summary)));
  gtk_column_view_set_model (self->summary_view, GTK_SELECTION_MODEL (selection));
  pb_text_table_add_column (self->summary_view, _("Fold"), COL_FOLD, TRUE, FALSE);
  pb_text_table_add_column (self->summary_view, _("Epoch"), COL_EPOCH, TRUE, FALSE);
  pb_text_table_add_column (self->summary_view, _("Train loss"), COL_LOSS_TRAIN, TRUE, TRUE);
  pb_text_table_add_column (self->summary_view, _("Valid loss"), COL_LOSS_VALID, TRUE, TRUE);
  pb_text_table_add_column (self->summary_view, _("AUC"), COL_AUC, TRUE, TRUE);
  pb_text_table_add_column (self->summary_view, _("Accuracy"), COL_ACCURACY, TRUE, TRUE);
  pb_text_table_add_column (self->summary_view, _("F1"), COL_F1, TRUE, TRUE);
  pb_text_table_add_column (self->summary_view, _("Precision"), COL_PRECISION, TRUE, TRUE);
  pb_text_table_add_column (self->summary_view, _("Recall"), COL_RECALL, TRUE, TRUE);

  /* the engine's defaults: the reference's final model */
  pb_train_config_init (&config);
  show_config (self, &config);

  pb_plot_view_set_export_name (self->loss_plot, "cv-loss");
  pb_plot_view_set_export_name (self->auc_plot, "cv-auc");
  gtk_widget_set_name (GTK_WIDGET (self->loss_plot), "loss_plot");
  gtk_widget_set_name (GTK_WIDGET (self->auc_plot), "auc_plot");

  self->job = pb_job_new ();
  pb_job_set_title (self->job, _("Cross-validation"));
  self->load_job = pb_job_new ();
  g_signal_connect_object (self->job, "notify::running", G_CALLBACK (on_job_running_cb), self,
                           G_CONNECT_SWAPPED);
  g_signal_connect_object (self->job, "notify::fraction", G_CALLBACK (on_job_progress_cb), self,
                           G_CONNECT_SWAPPED);
  g_signal_connect_object (self->job, "finished", G_CALLBACK (on_job_finished_cb), self,
                           G_CONNECT_SWAPPED);
  g_signal_connect_object (self->load_job, "finished", G_CALLBACK (on_load_finished_cb), self,
                           G_CONNECT_SWAPPED);
  g_signal_connect (self, "map", G_CALLBACK (on_map_cb), NULL);
  update_actions (self);
}

PbPage *
pb_cv_page_new (void)
{
  return g_object_new (PB_TYPE_CV_PAGE, NULL);
}

PbJob *
pb_cv_page_get_job (PbCvPage *self)
{
  g_return_val_if_fail (PB_IS_CV_PAGE (self), NULL);

  return self->job;
}

/**
 * pb_cv_page_get_summary:
 *
 * Returns: (transfer none): the summary table's rows (#PbTextRow: fold,
 *   epoch, train loss, valid loss, AUC, accuracy, F1, precision, recall), one
 *   per evaluated fold, then "mean" and "std"
 */
GListModel *
pb_cv_page_get_summary (PbCvPage *self)
{
  g_return_val_if_fail (PB_IS_CV_PAGE (self), NULL);

  return G_LIST_MODEL (self->summary);
}
