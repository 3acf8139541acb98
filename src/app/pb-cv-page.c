/* pb-cv-page.c — the Cross-validation page (SPEC §6): one model configuration
 * (the reference's final model, the best trial of a study, or edited values)
 * trained on k stratified folds for a number of epochs, evaluated and
 * checkpointed every n epochs; live per-fold validation-loss and AUC curves; a
 * summary like the reference's results table — per fold the evaluation with
 * the lowest validation loss (its checkpoint, first on ties, §6.3) and the mean
 * (sample std) over folds — with the protocol preset that produced it.
 *
 * Each fold is a stored training run (pb_train_run: per-epoch metrics and
 * checkpoints in the project) labelled kind "cv", name "cv <time>", fold k, so
 * the page shows the latest cross-validation again when the project is
 * reopened. The engine has no cross-validation module yet (DESIGN.md's
 * `pb-cv`); this page's worker strings the engine calls together and keeps
 * that labelling in one place (label_run) until one exists.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "pb-cv-page.h"

#include "pb-plot-line.h"
#include "pb-plot-view.h"
#include "pb-sampler.h"
#include "pb-storage.h"
#include "pb-study.h"
#include "pb-text-table.h"
#include "pb-tune-objective.h"

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

typedef struct
{
  guint    epoch;
  gboolean evaluated;
  double   loss_train;
  double   loss_valid;
  double   auc;
  double   accuracy;
  double   f1;
  double   precision;
  double   recall;
} CvPoint;

/* ---- what the worker shares with the page ------------------------------------ */

typedef struct
{
  GMutex      mutex;
  GPtrArray  *folds;     /* (element-type GArray<CvPoint>) one per fold */
  char       *name;      /* the runs' name */
  char       *protocol;  /* preset name */
  guint       serial;
} CvShared;

static void
cv_shared_clear (CvShared *shared)
{
  g_clear_pointer (&shared->folds, g_ptr_array_unref);
  g_clear_pointer (&shared->name, g_free);
  g_clear_pointer (&shared->protocol, g_free);
  g_mutex_clear (&shared->mutex);
}

static CvShared *
cv_shared_new (void)
{
  CvShared *shared = g_atomic_rc_box_new0 (CvShared);

  g_mutex_init (&shared->mutex);
  shared->folds = g_ptr_array_new_with_free_func ((GDestroyNotify) g_array_unref);
  return shared;
}

static void
cv_shared_unref (CvShared *shared)
{
  g_atomic_rc_box_release_full (shared, (GDestroyNotify) cv_shared_clear);
}

static GArray *
cv_shared_fold (CvShared *shared,
                guint     fold)
{
  while (shared->folds->len <= fold)
    g_ptr_array_add (shared->folds, g_array_new (FALSE, TRUE, sizeof (CvPoint)));
  return g_ptr_array_index (shared->folds, fold);
}

struct _PbCvPage
{
  PbPage              parent_instance;

  PbJob              *job;        /* the cross-validation (writes) */
  PbJob              *load_job;   /* reading the latest one back */
  CvShared           *shared;
  guint               shown_serial;
  GListStore         *summary;    /* PbTextRow */
  gboolean            loaded;

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

typedef struct
{
  char          *project_path;
  char          *dataset;
  PbTrainConfig  config;
  guint          n_folds;
  guint64        fold_seed;
  CvShared      *shared;

  /* worker only */
  PbJob         *job;
  PbProject     *project;
  char          *name;
  guint          fold;
  gint64         labelled_run;
} CvCall;

static void
cv_call_free (CvCall *call)
{
  g_free (call->project_path);
  g_free (call->dataset);
  g_free (call->name);
  g_clear_pointer (&call->shared, cv_shared_unref);
  g_free (call);
}

/* Marks a stored run as fold @fold of the cross-validation @name. */
static gboolean
label_run (PbProject   *project,
           gint64       run_id,
           const char  *name,
           guint        fold,
           GError     **error)
{
  sqlite3 *db = pb_project_get_db (project);
  g_autoptr(sqlite3_stmt) stmt = NULL;

  stmt = pb_sqlite_prepare (db, "UPDATE runs SET kind = 'cv', name = ?1, fold = ?2 "
                                "WHERE run_id = ?3", error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_text (stmt, 1, name, -1, SQLITE_TRANSIENT);
  sqlite3_bind_int64 (stmt, 2, fold);
  sqlite3_bind_int64 (stmt, 3, run_id);
  return pb_sqlite_check (db, sqlite3_step (stmt), "labelling a cross-validation run", error);
}

static gboolean
due (guint epoch,
     guint every,
     guint last)
{
  return epoch == last || (every > 0 && epoch % every == 0);
}

static void
on_train_progress (double        fraction,
                   const char   *message,
                   gconstpointer details,
                   gpointer      user_data)
{
  CvCall *call = user_data;
  const PbTrainProgress *p = details;
  g_autofree char *text = NULL;

  if (p == NULL)
    return;

  if (p->run_id > 0 && p->run_id != call->labelled_run)
    {
      g_autoptr(GError) error = NULL;

      if (label_run (call->project, p->run_id, call->name, call->fold, &error))
        call->labelled_run = p->run_id;
      else
        g_warning ("%s", error->message);
    }

  if (p->step == 0)
    {
      CvPoint point = { 0 };

      point.epoch = p->epoch;
      point.loss_train = p->loss_train;
      point.evaluated = p->metrics != NULL && due (p->epoch, call->config.eval_every,
                                                   call->config.n_epochs);
      if (point.evaluated)
        {
          point.loss_valid = p->metrics->loss;
          point.auc = p->metrics->auc;
          point.accuracy = p->metrics->accuracy;
          point.f1 = p->metrics->f1;
          point.precision = p->metrics->precision;
          point.recall = p->metrics->recall;
        }
      g_mutex_lock (&call->shared->mutex);
      g_array_append_val (cv_shared_fold (call->shared, call->fold), point);
      call->shared->serial++;
      g_mutex_unlock (&call->shared->mutex);
    }

  text = g_strdup_printf (_("Fold %u of %u: %s"), call->fold + 1, call->n_folds,
                          message != NULL ? message : "");
  pb_job_report ((call->fold + CLAMP (fraction, 0.0, 1.0)) / call->n_folds, text, NULL, call->job);
}

static gboolean
cv_worker (PbJob         *job,
           gpointer       data,
           GCancellable  *cancellable,
           GError       **error)
{
  CvCall *call = data;
  g_autoptr(PbProject) project = NULL;
  g_autoptr(PbDataset) dataset = NULL;
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();
  g_autofree char *stamp = g_date_time_format (now, "%Y-%m-%d %H:%M:%S");
  g_autofree guint *fold_of = NULL;
  PbRng rng;

  call->job = job;
  project = pb_project_open (call->project_path, error);
  if (project == NULL)
    return FALSE;
  dataset = pb_dataset_load (project, call->dataset, error);
  if (dataset == NULL || !pb_dataset_validate (dataset, error))
    return FALSE;
  if (!pb_train_config_validate (&call->config, error))
    return FALSE;

  fold_of = g_new (guint, MAX (dataset->n, 1));
  pb_rng_init (&rng, call->fold_seed);
  if (!pb_stratified_kfold (dataset->labels, dataset->n, call->n_folds, TRUE, &rng, fold_of,
                            error))
    return FALSE;

  call->project = project;
  call->name = g_strdup_printf ("cv %s", stamp);
  g_mutex_lock (&call->shared->mutex);
  call->shared->name = g_strdup (call->name);
  call->shared->protocol = g_strdup (pb_protocol_get_name (call->config.model.protocol));
  g_mutex_unlock (&call->shared->mutex);

  for (guint f = 0; f < call->n_folds; f++)
    {
      g_autoptr(PbDataset) train = NULL;
      g_autoptr(PbDataset) valid = NULL;
      g_autofree guint *train_idx = NULL;
      g_autofree guint *valid_idx = NULL;
      guint n_train, n_valid;
      gint64 run_id = 0;
      gboolean ok;

      train_idx = pb_indices_where (fold_of, dataset->n, f, FALSE, &n_train);
      valid_idx = pb_indices_where (fold_of, dataset->n, f, TRUE, &n_valid);
      train = pb_dataset_subset (dataset, train_idx, n_train);
      valid = pb_dataset_subset (dataset, valid_idx, n_valid);

      call->fold = f;
      ok = pb_train_run (project, &call->config, call->dataset, train, valid, &run_id,
                         on_train_progress, call, cancellable, error);
      if (run_id > 0 && run_id != call->labelled_run)
        {
          g_autoptr(GError) label_error = NULL;

          if (label_run (project, run_id, call->name, f, &label_error))
            call->labelled_run = run_id;
          else
            g_warning ("%s", label_error->message);
        }
      if (!ok)
        {
          call->project = NULL;
          g_prefix_error (error, _("Fold %u: "), f + 1);
          return FALSE;
        }
    }

  call->project = NULL;
  return TRUE;
}

/* Reads the latest cross-validation's folds back from the project. */
static gboolean
load_worker (PbJob         *job,
             gpointer       data,
             GCancellable  *cancellable,
             GError       **error)
{
  CvCall *call = data;
  g_autoptr(PbProject) project = NULL;
  g_autoptr(sqlite3_stmt) latest = NULL;
  g_autoptr(sqlite3_stmt) runs = NULL;
  g_autofree char *name = NULL;
  sqlite3 *db;
  int rc;

  project = pb_project_open_full (call->project_path, PB_PROJECT_OPEN_READ_ONLY, -1, error);
  if (project == NULL)
    return FALSE;
  db = pb_project_get_db (project);

  latest = pb_sqlite_prepare (db, "SELECT name FROM runs WHERE kind = 'cv' AND name IS NOT NULL "
                                  "ORDER BY run_id DESC LIMIT 1", error);
  if (latest == NULL)
    return FALSE;
  rc = sqlite3_step (latest);
  if (rc == SQLITE_DONE)
    return TRUE;
  if (rc != SQLITE_ROW)
    return pb_sqlite_check (db, rc, "finding the latest cross-validation", error);
  name = g_strdup ((const char *) sqlite3_column_text (latest, 0));

  runs = pb_sqlite_prepare (db, "SELECT r.run_id, r.fold, r.protocol, m.epoch, m.loss_train, "
                                "m.loss_valid, m.auc, m.accuracy, m.f1, m.precision, m.recall "
                                "FROM runs r JOIN epoch_metrics m ON m.run_id = r.run_id "
                                "WHERE r.kind = 'cv' AND r.name = ?1 "
                                "ORDER BY r.fold, r.run_id, m.epoch", error);
  if (runs == NULL)
    return FALSE;
  sqlite3_bind_text (runs, 1, name, -1, SQLITE_TRANSIENT);

  g_mutex_lock (&call->shared->mutex);
  call->shared->name = g_strdup (name);
  while ((rc = sqlite3_step (runs)) == SQLITE_ROW)
    {
      CvPoint point = { 0 };
      guint fold = (guint) CLAMP (sqlite3_column_int64 (runs, 1), 0, 1000);

      if (call->shared->protocol == NULL)
        call->shared->protocol = g_strdup ((const char *) sqlite3_column_text (runs, 2));
      point.epoch = (guint) sqlite3_column_int64 (runs, 3);
      point.loss_train = sqlite3_column_double (runs, 4);
      point.evaluated = sqlite3_column_type (runs, 5) != SQLITE_NULL;
      point.loss_valid = sqlite3_column_double (runs, 5);
      point.auc = sqlite3_column_type (runs, 6) != SQLITE_NULL ? sqlite3_column_double (runs, 6)
                                                               : NAN;
      point.accuracy = sqlite3_column_double (runs, 7);
      point.f1 = sqlite3_column_double (runs, 8);
      point.precision = sqlite3_column_double (runs, 9);
      point.recall = sqlite3_column_double (runs, 10);
      g_array_append_val (cv_shared_fold (call->shared, fold), point);
    }
  call->shared->serial++;
  g_mutex_unlock (&call->shared->mutex);
  if (rc != SQLITE_DONE)
    return pb_sqlite_check (db, rc, "reading the cross-validation", error);

  pb_job_report (1.0, NULL, NULL, job);
  return TRUE;
}

/* ---- figures ---------------------------------------------------------------------------- */

/* PbPlotLineData first: the view draws it; the rest is what it borrows */
typedef struct
{
  PbPlotLineData  data;
  GArray         *series;   /* PbPlotSeries */
  GPtrArray      *owned;    /* x/y arrays and labels */
} LineFigure;

static void
line_figure_free (LineFigure *fig)
{
  g_array_unref (fig->series);
  g_ptr_array_unref (fig->owned);
  g_free (fig);
}

static LineFigure *
line_figure_new (const char *y_label)
{
  LineFigure *fig = g_new0 (LineFigure, 1);

  fig->series = g_array_new (FALSE, TRUE, sizeof (PbPlotSeries));
  fig->owned = g_ptr_array_new_with_free_func (g_free);
  fig->data.x_label = _("Epoch");
  fig->data.y_label = y_label;
  return fig;
}

/* Adds a series of @field (takes @label); only evaluated points unless @all. */
static void
line_figure_add (LineFigure *fig,
                 GArray     *points,
                 gsize       field,
                 gboolean    all,
                 char       *label,
                 int         color,
                 gboolean    dashed)
{
  PbPlotSeries s = { 0 };
  double *x = g_new (double, MAX (points->len, 1));
  double *y = g_new (double, MAX (points->len, 1));
  guint n = 0;

  for (guint i = 0; i < points->len; i++)
    {
      const CvPoint *p = &g_array_index (points, CvPoint, i);

      if (!all && !p->evaluated)
        continue;
      x[n] = p->epoch;
      y[n] = *(const double *) ((const char *) p + field);
      n++;
    }
  g_ptr_array_add (fig->owned, x);
  g_ptr_array_add (fig->owned, y);
  if (label != NULL)
    g_ptr_array_add (fig->owned, label);
  if (n == 0)
    return;

  s.label = label;
  s.x = x;
  s.y = y;
  s.n = n;
  s.color = color;
  s.dashed = dashed;
  s.markers = n < 30;
  g_array_append_val (fig->series, s);
}

static void
line_figure_set (LineFigure *fig,
                 PbPlotView *view)
{
  fig->data.series = (const PbPlotSeries *) fig->series->data;
  fig->data.n_series = fig->series->len;
  if (fig->data.n_series == 0)
    {
      line_figure_free (fig);
      pb_plot_view_clear (view);
      return;
    }
  pb_plot_view_set_figure (view, PB_PLOT_KIND_LINE, fig, (GDestroyNotify) line_figure_free);
}

/* ---- summary ------------------------------------------------------------------------------- */

static char *
fmt (double v)
{
  return isfinite (v) ? g_strdup_printf ("%.4f", v) : g_strdup ("—");
}

static const CvPoint *
best_point (GArray *points)
{
  const CvPoint *best = NULL;

  for (guint i = 0; i < points->len; i++)
    {
      const CvPoint *p = &g_array_index (points, CvPoint, i);

      if (p->evaluated && isfinite (p->loss_valid) &&
          (best == NULL || p->loss_valid < best->loss_valid))
        best = p;
    }
  return best;
}

static PbTextRow *
summary_row_new (const char *fold,
                 const char *epoch,
                 const double v[N_COLS])
{
  char **texts = g_new0 (char *, N_COLS + 1);

  texts[COL_FOLD] = g_strdup (fold);
  texts[COL_EPOCH] = g_strdup (epoch);
  for (guint c = COL_LOSS_TRAIN; c < N_COLS; c++)
    texts[c] = fmt (v[c]);
  return pb_text_row_new_take (texts);
}

static void
point_values (const CvPoint *p,
              double         v[N_COLS])
{
  v[COL_LOSS_TRAIN] = p->loss_train;
  v[COL_LOSS_VALID] = p->loss_valid;
  v[COL_AUC] = p->auc;
  v[COL_ACCURACY] = p->accuracy;
  v[COL_F1] = p->f1;
  v[COL_PRECISION] = p->precision;
  v[COL_RECALL] = p->recall;
}

static void
show_summary (PbCvPage   *self,
              GPtrArray  *folds,
              const char *name,
              const char *protocol)
{
  g_autoptr(GPtrArray) rows = g_ptr_array_new_with_free_func (g_object_unref);
  double sum[N_COLS] = { 0 }, sum2[N_COLS] = { 0 }, mean[N_COLS], sd[N_COLS];
  guint n = 0;

  for (guint f = 0; f < folds->len; f++)
    {
      const CvPoint *best = best_point (g_ptr_array_index (folds, f));
      g_autofree char *fold = NULL;
      g_autofree char *epoch = NULL;
      double v[N_COLS] = { 0 };

      if (best == NULL)
        continue;
      point_values (best, v);
      fold = g_strdup_printf ("%u", f);
      epoch = g_strdup_printf ("%u", best->epoch);
      g_ptr_array_add (rows, summary_row_new (fold, epoch, v));
      for (guint c = COL_LOSS_TRAIN; c < N_COLS; c++)
        sum[c] += v[c];
      n++;
    }

  for (guint c = COL_LOSS_TRAIN; c < N_COLS; c++)
    mean[c] = n > 0 ? sum[c] / n : NAN;
  for (guint f = 0; f < folds->len; f++)
    {
      const CvPoint *best = best_point (g_ptr_array_index (folds, f));
      double v[N_COLS] = { 0 };

      if (best == NULL)
        continue;
      point_values (best, v);
      for (guint c = COL_LOSS_TRAIN; c < N_COLS; c++)
        sum2[c] += (v[c] - mean[c]) * (v[c] - mean[c]);
    }
  for (guint c = COL_LOSS_TRAIN; c < N_COLS; c++)
    sd[c] = n > 1 ? sqrt (sum2[c] / (n - 1)) : NAN;   /* pandas describe: ddof 1 */

  if (n > 0)
    {
      g_ptr_array_add (rows, summary_row_new (_("mean"), "", mean));
      g_ptr_array_add (rows, summary_row_new (_("std"), "", sd));
    }
  g_list_store_splice (self->summary, 0, g_list_model_get_n_items (G_LIST_MODEL (self->summary)),
                       rows->pdata, rows->len);

  gtk_widget_set_visible (GTK_WIDGET (self->summary_frame), n > 0);
  gtk_widget_set_visible (GTK_WIDGET (self->headline_label), n > 0);
  if (n == 0)
    {
      adw_preferences_group_set_description (self->summary_group,
                                             name != NULL ? _("No evaluation yet.")
                                                          : _("No cross-validation yet."));
      return;
    }

  {
    gboolean seed = g_strcmp0 (protocol, "seed") == 0;
    g_autofree char *desc =
      g_strdup_printf (_("%s: %u of %u folds evaluated; each fold at its lowest validation loss "
                         "(its checkpoint); mean and sample std over folds. Protocol preset: "
                         "%s — %s."),
                       name != NULL ? name : "", n, folds->len, protocol != NULL ? protocol : "?",
                       seed ? _("validation metrics on a weighted resample of the training fold, "
                                "as the reference code computed them")
                            : _("validation metrics on the held-out fold"));
    g_autofree char *headline =
      g_strdup_printf (_("AUC %.4f (%.4f) · F1 %.4f (%.4f) · precision %.4f (%.4f) · recall %.4f "
                         "(%.4f) · accuracy %.4f (%.4f)"),
                       mean[COL_AUC], sd[COL_AUC], mean[COL_F1], sd[COL_F1], mean[COL_PRECISION],
                       sd[COL_PRECISION], mean[COL_RECALL], sd[COL_RECALL], mean[COL_ACCURACY],
                       sd[COL_ACCURACY]);

    adw_preferences_group_set_description (self->summary_group, desc);
    gtk_label_set_text (self->headline_label, headline);
  }
}

static void
show_results (PbCvPage *self)
{
  g_autoptr(GPtrArray) folds = g_ptr_array_new_with_free_func ((GDestroyNotify) g_array_unref);
  g_autofree char *name = NULL;
  g_autofree char *protocol = NULL;
  LineFigure *loss, *auc;

  if (self->shared == NULL)
    return;

  g_mutex_lock (&self->shared->mutex);
  if (self->shared->serial == self->shown_serial)
    {
      g_mutex_unlock (&self->shared->mutex);
      return;
    }
  self->shown_serial = self->shared->serial;
  for (guint f = 0; f < self->shared->folds->len; f++)
    {
      GArray *src = g_ptr_array_index (self->shared->folds, f);
      GArray *copy = g_array_sized_new (FALSE, TRUE, sizeof (CvPoint), src->len);

      g_array_append_vals (copy, src->data, src->len);
      g_ptr_array_add (folds, copy);
    }
  name = g_strdup (self->shared->name);
  protocol = g_strdup (self->shared->protocol);
  g_mutex_unlock (&self->shared->mutex);

  show_summary (self, folds, name, protocol);

  loss = line_figure_new (_("Loss"));
  auc = line_figure_new (_("AUC"));
  for (guint f = 0; f < folds->len; f++)
    {
      GArray *points = g_ptr_array_index (folds, f);

      line_figure_add (loss, points, G_STRUCT_OFFSET (CvPoint, loss_valid), FALSE,
                       g_strdup_printf (_("Fold %u"), f), (int) f, FALSE);
      line_figure_add (loss, points, G_STRUCT_OFFSET (CvPoint, loss_train), TRUE, NULL, (int) f,
                       TRUE);
      line_figure_add (auc, points, G_STRUCT_OFFSET (CvPoint, auc), FALSE,
                       g_strdup_printf (_("Fold %u"), f), (int) f, FALSE);
    }
  line_figure_set (loss, self->loss_plot);
  line_figure_set (auc, self->auc_plot);
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
  gtk_widget_activate_action (GTK_WIDGET (self), "win.toast", "s", message);
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

/* The edited settings as a training configuration (validated by the engine). */
static gboolean
read_config (PbCvPage       *self,
             PbTrainConfig  *config,
             GError        **error)
{
  g_autofree char *lr_text = g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (self->lr_row))));
  char *end = NULL;
  double lr = g_ascii_strtod (lr_text, &end);
  PbOptimKind kind;

  if (lr_text[0] == '\0' || end == NULL || *end != '\0' || !isfinite (lr) || lr <= 0)
    {
      g_set_error (error, PB_ENGINE_ERROR, PB_ENGINE_ERROR_INVALID_ARGUMENT,
                   _("The learning rate “%s” is not a positive number"), lr_text);
      return FALSE;
    }

  pb_train_config_init (config);
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

  return pb_train_config_validate (config, error);
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
  g_autofree char *message = pb_job_dup_message (self->job);

  gtk_progress_bar_set_fraction (self->progress_bar, pb_job_get_fraction (self->job));
  if (message != NULL)
    gtk_progress_bar_set_text (self->progress_bar, message);
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
                                 _("Stopped; the folds so far are kept as cancelled runs"));
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
  call->n_folds = (guint) gtk_spin_button_get_value_as_int (self->folds_spin);
  call->fold_seed = (guint64) gtk_spin_button_get_value (self->fold_seed_spin);
  call->shared = cv_shared_new ();

  pb_job_cancel (self->load_job);
  self->loaded = TRUE;
  g_clear_pointer (&self->shared, cv_shared_unref);
  self->shared = g_atomic_rc_box_acquire (call->shared);
  self->shown_serial = 0;
  g_list_store_remove_all (self->summary);
  pb_plot_view_clear (self->loss_plot);
  pb_plot_view_clear (self->auc_plot);

  set_status (self, NULL, FALSE);
  gtk_progress_bar_set_fraction (self->progress_bar, 0);
  gtk_progress_bar_set_text (self->progress_bar, _("Starting"));
  pb_job_start (self->job, cv_worker, call, (GDestroyNotify) cv_call_free);
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
  g_autoptr(PbStudy) study = NULL;
  g_autoptr(GPtrArray) trials = NULL;
  g_autofree char *name = NULL;
  g_autofree char *text = NULL;
  const PbTrial *best;
  PbTrainConfig config;

  if (project == NULL)
    return;

  name = g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (self->study_row))));
  storage = pb_storage_open (pb_project_get_path (project), &error);
  if (storage != NULL)
    study = pb_study_open (storage, name, NULL, NULL, &error);
  if (study != NULL)
    trials = pb_study_load_trials (study, &error);
  if (trials == NULL)
    {
      text = g_strdup_printf (_("No study “%s” to take the best trial from: %s"), name,
                              error->message);
      fail (self, text);
      return;
    }

  best = pb_trials_find_best (trials, pb_study_get_options (study)->direction);
  if (best == NULL)
    {
      text = g_strdup_printf (_("Study “%s” has no complete trial yet"), name);
      fail (self, text);
      return;
    }
  if (!pb_tune_trial_to_train_config (best, PB_PROTOCOL_STANDARD, 12345678, &config, &error))
    {
      text = g_strdup_printf (_("Trial %d of “%s” does not describe a classifier: %s"),
                              best->number, name, error->message);
      fail (self, text);
      return;
    }

  show_config (self, &config);
  text = g_strdup_printf (_("Filled in trial %d of “%s” (value %.6g)"), best->number, name,
                          best->value);
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
  g_list_store_remove_all (self->summary);
  pb_plot_view_clear (self->loss_plot);
  pb_plot_view_clear (self->auc_plot);
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
  pb_text_table_add_column (self->summary_view, _("Fold"), COL_FOLD, FALSE, FALSE);
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

  pb_plot_view_set_name (self->loss_plot, "cv-loss");
  pb_plot_view_set_name (self->auc_plot, "cv-auc");
  gtk_widget_set_name (GTK_WIDGET (self->loss_plot), "loss_plot");
  gtk_widget_set_name (GTK_WIDGET (self->auc_plot), "auc_plot");

  self->job = pb_job_new ();
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
