/* pb-preprocess-page.c — the Preprocess page: the pipeline's parameters (the
 * seed's defaults), a run with progress and cancel that writes the dataset
 * "default", the per-stage counts of that run, and a preview of the first
 * sequences as feature × hour heat maps.
 *
 * The numbers come from pb_preprocess_run(); this page only shows them. When
 * the project changes (or the page is shown after an import) it reloads the
 * stored dataset in a second, read-only job.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "pb-preprocess-page.h"

#include "pb-figure-dataset.h"
#include "pb-source-connect.h"

#include <glib/gi18n.h>

#define PREVIEW_MAX 20

/* ---- one row of the stage table ------------------------------------------------ */

#define PB_TYPE_PREPROCESS_STAGE_ITEM (pb_preprocess_stage_item_get_type ())
G_DECLARE_FINAL_TYPE (PbPreprocessStageItem, pb_preprocess_stage_item, PB, PREPROCESS_STAGE_ITEM, GObject)

struct _PbPreprocessStageItem
{
  GObject  parent_instance;
  char    *text[5];   /* stage, unit, in, out, detail */
};

G_DEFINE_FINAL_TYPE (PbPreprocessStageItem, pb_preprocess_stage_item, G_TYPE_OBJECT)

static void
pb_preprocess_stage_item_finalize (GObject *object)
{
  PbPreprocessStageItem *self = (PbPreprocessStageItem *)object;

  for (guint i = 0; i < G_N_ELEMENTS (self->text); i++)
    g_free (self->text[i]);

  G_OBJECT_CLASS (pb_preprocess_stage_item_parent_class)->finalize (object);
}

static void
pb_preprocess_stage_item_class_init (PbPreprocessStageItemClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = pb_preprocess_stage_item_finalize;
}

static void
pb_preprocess_stage_item_init (PbPreprocessStageItem *self)
{
}

static PbPreprocessStageItem *
stage_item_new (const PbPreprocessStage *stage)
{
  PbPreprocessStageItem *self = g_object_new (PB_TYPE_PREPROCESS_STAGE_ITEM, NULL);

  self->text[0] = g_strdup (stage->name);
  self->text[1] = g_strdup (stage->unit);
  self->text[2] = g_strdup_printf ("%" G_GINT64_FORMAT, stage->n_in);
  self->text[3] = g_strdup_printf ("%" G_GINT64_FORMAT, stage->n_out);
  self->text[4] = g_strdup (stage->detail != NULL ? stage->detail : "");
  return self;
}

/* ---- what a job hands back ------------------------------------------------------- */

typedef struct
{
  gboolean            preview_only;
  PbPreprocessReport *report;     /* NULL for preview_only */
  PbDataset          *preview;    /* the first sequences; NULL when there is no dataset */
  guint               n;          /* sequences in the whole dataset */
  guint               counts[2];  /* per label */
} PreprocessResult;

static void
preprocess_result_clear (PreprocessResult *result)
{
  g_clear_pointer (&result->report, pb_preprocess_report_free);
  g_clear_pointer (&result->preview, pb_dataset_free);
}

static PreprocessResult *
preprocess_result_new (gboolean preview_only)
{
  PreprocessResult *result = g_atomic_rc_box_new0 (PreprocessResult);

  result->preview_only = preview_only;
  return result;
}

static void
preprocess_result_unref (PreprocessResult *result)
{
  g_atomic_rc_box_release_full (result, (GDestroyNotify) preprocess_result_clear);
}

struct _PbPreprocessPage
{
  PbPage              parent_instance;

  PbJob              *job;           /* preprocessing (writes the project) */
  PbJob              *preview_job;   /* loading the stored dataset (reads) */
  PreprocessResult   *result;        /* of the last run */
  PreprocessResult   *shown;         /* whose preview is on screen */
  PreprocessResult   *loading;       /* of the running preview job */
  GListStore         *stages;
  char               *status;
  gboolean            have_import;

  AdwExpanderRow     *params_row;
  GtkSpinButton      *window_hours_spin;
  AdwComboRow        *window_start_row;
  GtkSpinButton      *min_hours_spin;
  GtkSpinButton      *low_spin;
  GtkSpinButton      *high_spin;
  GtkSpinButton      *min_age_spin;
  GtkSpinButton      *min_los_hospital_spin;
  GtkSpinButton      *min_los_icu_spin;
  GtkSpinButton      *min_raw_rows_spin;
  GtkProgressBar     *progress_bar;
  GtkLabel           *status_label;
  AdwPreferencesGroup *stages_group;
  GtkColumnView      *stages_view;
  AdwPreferencesGroup *dataset_group;
  GtkDropDown        *sequence_dropdown;
  GtkStringList      *sequence_list;
  GtkMenuButton      *export_button;
  PbPlotView         *preview_plot;
};

G_DEFINE_FINAL_TYPE (PbPreprocessPage, pb_preprocess_page, PB_TYPE_PAGE)

/* ---- workers ------------------------------------------------------------------------ */

typedef struct
{
  char               *project_path;
  PbPreprocessParams  params;
  PreprocessResult   *result;
} PreprocessCall;

static void
preprocess_call_free (PreprocessCall *call)
{
  g_free (call->project_path);
  g_clear_pointer (&call->result, preprocess_result_unref);
  g_free (call);
}

static void
keep_preview (PreprocessResult *result,
              PbDataset        *dataset)
{
  g_autofree guint *indices = NULL;
  guint n = MIN (dataset->n, PREVIEW_MAX);

  result->n = dataset->n;
  pb_dataset_count_classes (dataset, result->counts);
  indices = g_new (guint, MAX (n, 1));
  for (guint i = 0; i < n; i++)
    indices[i] = i;
  result->preview = pb_dataset_subset (dataset, indices, n);
}

static gboolean
preprocess_worker (PbJob         *job,
                   gpointer       data,
                   GCancellable  *cancellable,
                   GError       **error)
{
  PreprocessCall *call = data;
  g_autoptr(PbProject) project = NULL;
  g_autoptr(PbDataset) dataset = NULL;
  g_autofree char *params_json = NULL;

  project = pb_project_open (call->project_path, error);
  if (project == NULL)
    return FALSE;

  dataset = pb_preprocess_run (project, &call->params, &call->result->report,
                               pb_job_report, job, cancellable, error);
  if (dataset == NULL)
    return FALSE;
  if (g_cancellable_set_error_if_cancelled (cancellable, error))
    return FALSE;

  pb_job_report (-1, _("Saving the dataset"), NULL, job);
  params_json = pb_preprocess_params_to_json (&call->params);
  if (!pb_dataset_save (dataset, project, PB_PREPROCESS_DEFAULT_DATASET, params_json, error))
    return FALSE;

  keep_preview (call->result, dataset);
  return TRUE;
}

static gboolean
preview_worker (PbJob         *job,
                gpointer       data,
                GCancellable  *cancellable,
                GError       **error)
{
  PreprocessCall *call = data;
  g_autoptr(PbProject) project = NULL;
  g_autoptr(PbDataset) dataset = NULL;
  g_auto(GStrv) names = NULL;

  project = pb_project_open_full (call->project_path, PB_PROJECT_OPEN_READ_ONLY, -1, error);
  if (project == NULL)
    return FALSE;

  names = pb_dataset_list_names (project, error);
  if (names == NULL)
    return FALSE;
  if (!g_strv_contains ((const char * const *) names, PB_PREPROCESS_DEFAULT_DATASET))
    return TRUE;

  dataset = pb_dataset_load (project, PB_PREPROCESS_DEFAULT_DATASET, error);
  if (dataset == NULL)
    return FALSE;

  keep_preview (call->result, dataset);
  return TRUE;
}

/* ---- heat map ------------------------------------------------------------------------- */

static void
show_sequence (PbPreprocessPage *self,
               guint             i)
{
  const PbDataset *ds = self->shown != NULL ? self->shown->preview : NULL;

  if (ds == NULL || i >= ds->n)
    {
      pb_plot_view_clear (self->preview_plot);
      return;
    }
  pb_plot_view_set_figure (self->preview_plot, PB_PLOT_KIND_HEATMAP,
                           pb_figure_new_sequence (ds, i), (GDestroyNotify) pb_figure_free);
}

/* Shows @result's dataset: summary, sequence chooser and the first heat map. */
static void
show_dataset (PbPreprocessPage *self,
              PreprocessResult *result)
{
  const PbDataset *ds;
  guint n_old;

  if (result != self->shown)
    {
      if (result != NULL)
        g_atomic_rc_box_acquire (result);
      g_clear_pointer (&self->shown, preprocess_result_unref);
      self->shown = result;
    }

  ds = result != NULL ? result->preview : NULL;
  n_old = g_list_model_get_n_items (G_LIST_MODEL (self->sequence_list));
  gtk_string_list_splice (self->sequence_list, 0, n_old, NULL);

  gtk_widget_set_visible (GTK_WIDGET (self->preview_plot), ds != NULL);
  gtk_widget_set_sensitive (GTK_WIDGET (self->sequence_dropdown), ds != NULL);
  gtk_widget_set_sensitive (GTK_WIDGET (self->export_button), ds != NULL);

  if (ds == NULL)
    {
      adw_preferences_group_set_description (self->dataset_group,
                                             self->have_import
                                               ? _("No dataset yet: press Preprocess.")
                                               : _("No dataset yet: import data on the Import page first."));
      pb_plot_view_clear (self->preview_plot);
      return;
    }

  {
    g_autofree char *n = g_strdup_printf ("%u", result->n);
    g_autofree char *died = g_strdup_printf ("%u", result->counts[1]);
    g_autofree char *text =
      g_strdup_printf (_("“%s”: %s sequences of up to %u hours × %u features; %s died in hospital (%.1f %%). The preview shows the first %u."),
                       PB_PREPROCESS_DEFAULT_DATASET, n, ds->max_len, ds->n_features, died,
                       result->n > 0 ? 100.0 * result->counts[1] / result->n : 0.0, ds->n);

    adw_preferences_group_set_description (self->dataset_group, text);
  }

  for (guint i = 0; i < ds->n; i++)
    {
      g_autofree char *item = g_strdup_printf (_("Sequence %u · %u h · %s"), i + 1, ds->lengths[i],
                                               ds->labels[i] == 1 ? _("died") : _("survived"));

      gtk_string_list_append (self->sequence_list, item);
    }

  gtk_drop_down_set_selected (self->sequence_dropdown, 0);
  show_sequence (self, 0);
}

static void
show_stages (PbPreprocessPage         *self,
             const PbPreprocessReport *report)
{
  g_list_store_remove_all (self->stages);
  gtk_widget_set_visible (GTK_WIDGET (self->stages_group), report != NULL);
  if (report == NULL)
    return;

  for (guint i = 0; i < report->stages->len; i++)
    {
      g_autoptr(PbPreprocessStageItem) item = stage_item_new (g_ptr_array_index (report->stages, i));

      g_list_store_append (self->stages, item);
    }
}

/* ---- state ---------------------------------------------------------------------------- */

static void
set_status (PbPreprocessPage *self,
            const char       *message,
            gboolean          is_error)
{
  g_free (self->status);
  self->status = g_strdup (message);

  gtk_label_set_text (self->status_label, message != NULL ? message : "");
  gtk_widget_set_visible (GTK_WIDGET (self->status_label), message != NULL);
  if (is_error)
    gtk_widget_add_css_class (GTK_WIDGET (self->status_label), "error");
  else
    gtk_widget_remove_css_class (GTK_WIDGET (self->status_label), "error");
}

static void
update_actions (PbPreprocessPage *self)
{
  gboolean running = pb_job_get_running (self->job);
  gboolean have_project = pb_page_get_project (PB_PAGE (self)) != NULL;

  gtk_widget_action_set_enabled (GTK_WIDGET (self), "preprocess.start",
                                 have_project && self->have_import && !running);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "preprocess.cancel", running);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "preprocess.defaults", !running);
}

/* One line saying what the collapsed parameter rows hold. */
static void
update_summary (PbPreprocessPage *self)
{
  PbPreprocessParams params;
  g_autofree char *text = NULL;

  pb_preprocess_page_get_params (self, &params);
  text = g_strdup_printf (params.window_start == PB_PREPROCESS_WINDOW_START_ADMITTIME
                            ? _("%u h from hospital admission · clip %g–%g %% · age ≥ %g")
                            : _("%u h from ICU admission · clip %g–%g %% · age ≥ %g"),
                          params.window_hours, 100 * params.winsorize_low,
                          100 * params.winsorize_high, params.min_age);
  adw_expander_row_set_subtitle (self->params_row, text);
}

static void
check_import (PbPreprocessPage *self)
{
  PbProject *project = pb_page_get_project (PB_PAGE (self));
  g_autoptr(PbImportRecord) record = NULL;

  record = project != NULL ? pb_source_dup_latest_import (project, NULL) : NULL;
  self->have_import = record != NULL;
  update_actions (self);
}

static void
load_preview (PbPreprocessPage *self)
{
  PbProject *project = pb_page_get_project (PB_PAGE (self));
  PreprocessCall *call;

  pb_job_cancel (self->preview_job);
  if (project == NULL || pb_job_get_running (self->preview_job))
    return;

  call = g_new0 (PreprocessCall, 1);
  call->project_path = g_strdup (pb_project_get_path (project));
  call->result = preprocess_result_new (TRUE);
  g_clear_pointer (&self->loading, preprocess_result_unref);
  self->loading = g_atomic_rc_box_acquire (call->result);
  pb_job_start (self->preview_job, preview_worker, call, (GDestroyNotify) preprocess_call_free);
}

static void
on_map_cb (PbPreprocessPage *self)
{
  gboolean had_import = self->have_import;

  check_import (self);
  if (self->shown == NULL || self->shown->preview == NULL || had_import != self->have_import)
    {
      if (!pb_job_get_running (self->job))
        load_preview (self);
    }
}

/* ---- job callbacks ---------------------------------------------------------------------- */

static void
on_job_running_cb (PbPreprocessPage *self)
{
  update_actions (self);
}

static void
on_job_progress_cb (PbPreprocessPage *self)
{
  pb_page_show_job_progress (PB_PAGE (self), self->job, self->progress_bar);
}

static void
on_job_finished_cb (PbPreprocessPage *self,
                    gboolean          success)
{
  const GError *error = pb_job_get_error (self->job);

  if (success)
    {
      g_autofree char *n = g_strdup_printf ("%u", self->result->n);
      g_autofree char *text = g_strdup_printf (_("Wrote %s sequences to the dataset “%s” in %.1f s"),
                                               n, PB_PREPROCESS_DEFAULT_DATASET,
                                               self->result->report->seconds_total);

      gtk_progress_bar_set_fraction (self->progress_bar, 1.0);
      gtk_progress_bar_set_text (self->progress_bar, text);
      set_status (self, NULL, FALSE);
      g_free (self->status);
      self->status = g_steal_pointer (&text);
      show_stages (self, self->result->report);
      show_dataset (self, self->result);
    }
  else if (error != NULL)
    {
      g_autofree char *text = g_strdup_printf (_("Preprocessing failed: %s"), error->message);

      gtk_progress_bar_set_fraction (self->progress_bar, 0);
      gtk_progress_bar_set_text (self->progress_bar, _("Failed; the dataset is unchanged"));
      set_status (self, text, TRUE);
      pb_page_toast (PB_PAGE (self), text);
    }
  else
    {
      gtk_progress_bar_set_fraction (self->progress_bar, 0);
      gtk_progress_bar_set_text (self->progress_bar, _("Cancelled"));
      set_status (self, _("Preprocessing cancelled; the dataset is unchanged."), FALSE);
    }
}

static void
on_preview_finished_cb (PbPreprocessPage *self,
                        gboolean          success)
{
  const GError *error = pb_job_get_error (self->preview_job);
  PreprocessResult *loading = g_steal_pointer (&self->loading);

  if (success && loading != NULL)
    show_dataset (self, loading);
  else if (error != NULL)
    {
      g_autofree char *text = g_strdup_printf (_("Cannot read the dataset: %s"), error->message);

      adw_preferences_group_set_description (self->dataset_group, text);
    }

  if (loading != NULL)
    preprocess_result_unref (loading);
}

/* ---- actions ---------------------------------------------------------------------------- */

static void
start_action (GtkWidget  *widget,
              const char *action_name,
              GVariant   *parameter)
{
  PbPreprocessPage *self = PB_PREPROCESS_PAGE (widget);
  PbProject *project = pb_page_get_project (PB_PAGE (self));
  PreprocessCall *call;

  if (project == NULL || pb_job_get_running (self->job))
    return;
  if (!pb_page_check_project_free (PB_PAGE (self)))
    return;

  call = g_new0 (PreprocessCall, 1);
  call->project_path = g_strdup (pb_project_get_path (project));
  pb_preprocess_page_get_params (self, &call->params);
  if (call->params.winsorize_low >= call->params.winsorize_high)
    {
      const char *text = _("The lower clip percentile must be below the upper one.");

      set_status (self, text, TRUE);
      pb_page_toast (PB_PAGE (self), text);
      preprocess_call_free (call);
      return;
    }
  if (call->params.min_observation_hours > call->params.window_hours)
    {
      const char *text = _("The minimum hours cannot exceed the observation window.");

      set_status (self, text, TRUE);
      pb_page_toast (PB_PAGE (self), text);
      preprocess_call_free (call);
      return;
    }

  call->result = preprocess_result_new (FALSE);
  g_clear_pointer (&self->result, preprocess_result_unref);
  self->result = g_atomic_rc_box_acquire (call->result);

  pb_job_cancel (self->preview_job);
  set_status (self, NULL, FALSE);
  pb_page_start_writer (PB_PAGE (self), self->job, preprocess_worker, call,
                        (GDestroyNotify) preprocess_call_free);
}

static void
cancel_action (GtkWidget  *widget,
               const char *action_name,
               GVariant   *parameter)
{
  pb_job_cancel (PB_PREPROCESS_PAGE (widget)->job);
}

static void
defaults_action (GtkWidget  *widget,
                 const char *action_name,
                 GVariant   *parameter)
{
  PbPreprocessParams params;

  pb_preprocess_params_init (&params);
  pb_preprocess_page_set_params (PB_PREPROCESS_PAGE (widget), &params);
}

static void
export_action (GtkWidget  *widget,
               const char *action_name,
               GVariant   *parameter)
{
  PbPreprocessPage *self = PB_PREPROCESS_PAGE (widget);

  gtk_widget_activate_action_variant (GTK_WIDGET (self->preview_plot), "plot.export", parameter);
}

static void
on_sequence_selected_cb (PbPreprocessPage *self)
{
  guint i = gtk_drop_down_get_selected (self->sequence_dropdown);

  if (i != GTK_INVALID_LIST_POSITION)
    show_sequence (self, i);
}

/* ---- stage table columns ------------------------------------------------------------------ */

static void
on_cell_setup_cb (GtkSignalListItemFactory *factory,
                  GtkListItem              *item,
                  gpointer                  user_data)
{
  guint column = GPOINTER_TO_UINT (user_data);
  GtkWidget *label = gtk_label_new (NULL);

  gtk_label_set_xalign (GTK_LABEL (label), column == 2 || column == 3 ? 1.0 : 0.0);
  if (column == 2 || column == 3)
    gtk_widget_add_css_class (label, "numeric");
  if (column == 4)
    {
      gtk_label_set_wrap (GTK_LABEL (label), TRUE);
      gtk_label_set_max_width_chars (GTK_LABEL (label), 40);
      gtk_widget_add_css_class (label, "dim-label");
    }
  gtk_list_item_set_child (item, label);
}

static void
on_cell_bind_cb (GtkSignalListItemFactory *factory,
                 GtkListItem              *item,
                 gpointer                  user_data)
{
  guint column = GPOINTER_TO_UINT (user_data);
  PbPreprocessStageItem *stage = gtk_list_item_get_item (item);

  gtk_label_set_text (GTK_LABEL (gtk_list_item_get_child (item)), stage->text[column]);
}

static void
add_columns (PbPreprocessPage *self)
{
  const char *titles[] = { _("Stage"), _("Unit"), _("In"), _("Out"), _("Why") };
  g_autoptr(GtkNoSelection) selection = gtk_no_selection_new (G_LIST_MODEL (g_object_ref (self->stages)));

  for (guint c = 0; c < G_N_ELEMENTS (titles); c++)
    {
      GtkListItemFactory *factory = gtk_signal_list_item_factory_new ();
      g_autoptr(GtkColumnViewColumn) column = NULL;

      g_signal_connect (factory, "setup", G_CALLBACK (on_cell_setup_cb), GUINT_TO_POINTER (c));
      g_signal_connect (factory, "bind", G_CALLBACK (on_cell_bind_cb), GUINT_TO_POINTER (c));
      column = gtk_column_view_column_new (titles[c], factory);
      gtk_column_view_column_set_expand (column, c == 4);
      gtk_column_view_append_column (self->stages_view, column);
    }

  gtk_column_view_set_model (self->stages_view, GTK_SELECTION_MODEL (selection));
}

/* ---- GObject ------------------------------------------------------------------------------- */

static void
pb_preprocess_page_project_changed (PbPage    *page,
                                    PbProject *project)
{
  PbPreprocessPage *self = PB_PREPROCESS_PAGE (page);

  pb_job_cancel (self->job);
  set_status (self, NULL, FALSE);
  g_clear_pointer (&self->result, preprocess_result_unref);
  show_stages (self, NULL);
  show_dataset (self, NULL);
  gtk_progress_bar_set_fraction (self->progress_bar, 0);
  gtk_progress_bar_set_text (self->progress_bar, _("Idle"));
  check_import (self);
  if (project != NULL)
    load_preview (self);
}

static void
pb_preprocess_page_dispose (GObject *object)
{
  PbPreprocessPage *self = (PbPreprocessPage *)object;

  if (self->job != NULL)
    pb_job_cancel (self->job);
  if (self->preview_job != NULL)
    pb_job_cancel (self->preview_job);
  gtk_widget_dispose_template (GTK_WIDGET (self), PB_TYPE_PREPROCESS_PAGE);
  g_clear_object (&self->job);
  g_clear_object (&self->preview_job);
  g_clear_object (&self->stages);
  g_clear_pointer (&self->result, preprocess_result_unref);
  g_clear_pointer (&self->shown, preprocess_result_unref);
  g_clear_pointer (&self->loading, preprocess_result_unref);

  G_OBJECT_CLASS (pb_preprocess_page_parent_class)->dispose (object);
}

static void
pb_preprocess_page_finalize (GObject *object)
{
  PbPreprocessPage *self = (PbPreprocessPage *)object;

  g_free (self->status);

  G_OBJECT_CLASS (pb_preprocess_page_parent_class)->finalize (object);
}

static void
pb_preprocess_page_class_init (PbPreprocessPageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  PbPageClass *page_class = PB_PAGE_CLASS (klass);

  object_class->dispose = pb_preprocess_page_dispose;
  object_class->finalize = pb_preprocess_page_finalize;
  page_class->project_changed = pb_preprocess_page_project_changed;

  g_type_ensure (PB_TYPE_PLOT_VIEW);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               RESOURCE_PREFIX "/ui/pb-preprocess-page.ui");
  gtk_widget_class_bind_template_child (widget_class, PbPreprocessPage, params_row);
  gtk_widget_class_bind_template_child (widget_class, PbPreprocessPage, window_hours_spin);
  gtk_widget_class_bind_template_child (widget_class, PbPreprocessPage, window_start_row);
  gtk_widget_class_bind_template_child (widget_class, PbPreprocessPage, min_hours_spin);
  gtk_widget_class_bind_template_child (widget_class, PbPreprocessPage, low_spin);
  gtk_widget_class_bind_template_child (widget_class, PbPreprocessPage, high_spin);
  gtk_widget_class_bind_template_child (widget_class, PbPreprocessPage, min_age_spin);
  gtk_widget_class_bind_template_child (widget_class, PbPreprocessPage, min_los_hospital_spin);
  gtk_widget_class_bind_template_child (widget_class, PbPreprocessPage, min_los_icu_spin);
  gtk_widget_class_bind_template_child (widget_class, PbPreprocessPage, min_raw_rows_spin);
  gtk_widget_class_bind_template_child (widget_class, PbPreprocessPage, progress_bar);
  gtk_widget_class_bind_template_child (widget_class, PbPreprocessPage, status_label);
  gtk_widget_class_bind_template_child (widget_class, PbPreprocessPage, stages_group);
  gtk_widget_class_bind_template_child (widget_class, PbPreprocessPage, stages_view);
  gtk_widget_class_bind_template_child (widget_class, PbPreprocessPage, dataset_group);
  gtk_widget_class_bind_template_child (widget_class, PbPreprocessPage, sequence_dropdown);
  gtk_widget_class_bind_template_child (widget_class, PbPreprocessPage, sequence_list);
  gtk_widget_class_bind_template_child (widget_class, PbPreprocessPage, export_button);
  gtk_widget_class_bind_template_child (widget_class, PbPreprocessPage, preview_plot);
  gtk_widget_class_bind_template_callback (widget_class, on_sequence_selected_cb);

  gtk_widget_class_install_action (widget_class, "preprocess.start", NULL, start_action);
  gtk_widget_class_install_action (widget_class, "preprocess.cancel", NULL, cancel_action);
  gtk_widget_class_install_action (widget_class, "preprocess.defaults", NULL, defaults_action);
  gtk_widget_class_install_action (widget_class, "preprocess.export", "s", export_action);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "preprocess.cancel", NULL);
}

static void
pb_preprocess_page_init (PbPreprocessPage *self)
{
  PbPreprocessParams params;

  gtk_widget_init_template (GTK_WIDGET (self));

  self->stages = g_list_store_new (PB_TYPE_PREPROCESS_STAGE_ITEM);
  add_columns (self);
  pb_plot_view_set_export_name (self->preview_plot, "sequence");

  self->job = pb_job_new ();
  pb_job_set_title (self->job, _("Preprocess"));
  g_signal_connect_object (self->job, "notify::running", G_CALLBACK (on_job_running_cb),
                           self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->job, "notify::fraction", G_CALLBACK (on_job_progress_cb),
                           self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->job, "finished", G_CALLBACK (on_job_finished_cb),
                           self, G_CONNECT_SWAPPED);
  self->preview_job = pb_job_new ();
  g_signal_connect_object (self->preview_job, "finished", G_CALLBACK (on_preview_finished_cb),
                           self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self, "map", G_CALLBACK (on_map_cb), self, G_CONNECT_SWAPPED);

  pb_preprocess_params_init (&params);
  pb_preprocess_page_set_params (self, &params);
  {
    GtkSpinButton *spins[] = { self->window_hours_spin, self->min_hours_spin, self->low_spin,
                               self->high_spin, self->min_age_spin, self->min_los_hospital_spin,
                               self->min_los_icu_spin, self->min_raw_rows_spin };

    for (guint i = 0; i < G_N_ELEMENTS (spins); i++)
      g_signal_connect_object (spins[i], "value-changed", G_CALLBACK (update_summary), self,
                               G_CONNECT_SWAPPED);
    g_signal_connect_object (self->window_start_row, "notify::selected",
                             G_CALLBACK (update_summary), self, G_CONNECT_SWAPPED);
  }
  update_summary (self);
  show_stages (self, NULL);
  show_dataset (self, NULL);
  update_actions (self);
}

PbPage *
pb_preprocess_page_new (void)
{
  return g_object_new (PB_TYPE_PREPROCESS_PAGE, NULL);
}

/**
 * pb_preprocess_page_get_job:
 * @self: a #PbPreprocessPage
 *
 * Returns: (transfer none): the preprocessing job
 */
PbJob *
pb_preprocess_page_get_job (PbPreprocessPage *self)
{
  g_return_val_if_fail (PB_IS_PREPROCESS_PAGE (self), NULL);

  return self->job;
}

/**
 * pb_preprocess_page_get_preview_job:
 * @self: a #PbPreprocessPage
 *
 * Returns: (transfer none): the job that loads the stored dataset's preview
 */
PbJob *
pb_preprocess_page_get_preview_job (PbPreprocessPage *self)
{
  g_return_val_if_fail (PB_IS_PREPROCESS_PAGE (self), NULL);

  return self->preview_job;
}

void
pb_preprocess_page_get_params (PbPreprocessPage   *self,
                               PbPreprocessParams *params)
{
  g_return_if_fail (PB_IS_PREPROCESS_PAGE (self));
  g_return_if_fail (params != NULL);

  pb_preprocess_params_init (params);
  params->window_hours = (guint) gtk_spin_button_get_value_as_int (self->window_hours_spin);
  params->window_start = adw_combo_row_get_selected (self->window_start_row) == 1
                           ? PB_PREPROCESS_WINDOW_START_ADMITTIME
                           : PB_PREPROCESS_WINDOW_START_INTIME;
  params->min_observation_hours = (guint) gtk_spin_button_get_value_as_int (self->min_hours_spin);
  params->winsorize_low = gtk_spin_button_get_value (self->low_spin) / 100.0;
  params->winsorize_high = gtk_spin_button_get_value (self->high_spin) / 100.0;
  params->min_age = gtk_spin_button_get_value (self->min_age_spin);
  params->min_los_hospital = gtk_spin_button_get_value (self->min_los_hospital_spin);
  params->min_los_icu = gtk_spin_button_get_value (self->min_los_icu_spin);
  params->min_raw_rows = (guint) gtk_spin_button_get_value_as_int (self->min_raw_rows_spin);
}

void
pb_preprocess_page_set_params (PbPreprocessPage         *self,
                               const PbPreprocessParams *params)
{
  g_return_if_fail (PB_IS_PREPROCESS_PAGE (self));
  g_return_if_fail (params != NULL);

  gtk_spin_button_set_value (self->window_hours_spin, params->window_hours);
  adw_combo_row_set_selected (self->window_start_row,
                              params->window_start == PB_PREPROCESS_WINDOW_START_ADMITTIME ? 1 : 0);
  gtk_spin_button_set_value (self->min_hours_spin, params->min_observation_hours);
  gtk_spin_button_set_value (self->low_spin, params->winsorize_low * 100.0);
  gtk_spin_button_set_value (self->high_spin, params->winsorize_high * 100.0);
  gtk_spin_button_set_value (self->min_age_spin, params->min_age);
  gtk_spin_button_set_value (self->min_los_hospital_spin, params->min_los_hospital);
  gtk_spin_button_set_value (self->min_los_icu_spin, params->min_los_icu);
  gtk_spin_button_set_value (self->min_raw_rows_spin, params->min_raw_rows);
}

/**
 * pb_preprocess_page_get_status:
 * @self: a #PbPreprocessPage
 *
 * Returns: (nullable): what the last run said, errors included
 */
const char *
pb_preprocess_page_get_status (PbPreprocessPage *self)
{
  g_return_val_if_fail (PB_IS_PREPROCESS_PAGE (self), NULL);

  return self->status;
}

guint
pb_preprocess_page_get_n_stages (PbPreprocessPage *self)
{
  g_return_val_if_fail (PB_IS_PREPROCESS_PAGE (self), 0);

  return g_list_model_get_n_items (G_LIST_MODEL (self->stages));
}

/**
 * pb_preprocess_page_get_n_sequences:
 * @self: a #PbPreprocessPage
 *
 * Returns: sequences in the dataset the page shows (0 when none)
 */
guint
pb_preprocess_page_get_n_sequences (PbPreprocessPage *self)
{
  g_return_val_if_fail (PB_IS_PREPROCESS_PAGE (self), 0);

  return self->shown != NULL && self->shown->preview != NULL ? self->shown->n : 0;
}

guint
pb_preprocess_page_get_n_previews (PbPreprocessPage *self)
{
  g_return_val_if_fail (PB_IS_PREPROCESS_PAGE (self), 0);

  return g_list_model_get_n_items (G_LIST_MODEL (self->sequence_list));
}

void
pb_preprocess_page_select_preview (PbPreprocessPage *self,
                                   guint             index)
{
  g_return_if_fail (PB_IS_PREPROCESS_PAGE (self));

  gtk_drop_down_set_selected (self->sequence_dropdown, index);
}

/**
 * pb_preprocess_page_get_plot:
 * @self: a #PbPreprocessPage
 *
 * Returns: (transfer none): the preview heat map
 */
PbPlotView *
pb_preprocess_page_get_plot (PbPreprocessPage *self)
{
  g_return_val_if_fail (PB_IS_PREPROCESS_PAGE (self), NULL);

  return self->preview_plot;
}
