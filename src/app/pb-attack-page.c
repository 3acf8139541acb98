/* pb-attack-page.c — the Attack page (SPEC §7): a stored checkpoint, the
 * attack's parameters (the reference's full attack by default, §7.6) and its
 * protocol preset; Start / Cancel / Resume of stored, batch-resumable attack
 * runs (pb_attack_run_create + pb_attack_run_execute in a PbJob worker); and a
 * browser of the attacked stays of a run, filtered by success and original
 * class, with the original, perturbation and perturbed heat maps of the
 * selected stay for its first or best adversarial example.
 *
 * Runs are read back by a second job (pb_attack_result_load and the attacked
 * rows of the dataset) that hands its result to the page through a small
 * reference-counted box, so the main thread never reads a large result.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "pb-attack-page.h"

#include "pb-format.h"

#include "pb-attack.h"
#include "pb-figure-attack.h"
#include "pb-plot-heatmap.h"
#include "pb-plot-view.h"
#include "pb-text-table.h"

#include <glib/gi18n.h>
#include <math.h>

enum {
  COL_SAMPLE,
  COL_CLASS,
  COL_LENGTH,
  COL_FOUND,
  COL_FIRST,
  COL_BEST,
  COL_NONZERO,
  COL_LOSS,
  N_COLS
};

enum {
  FILTER_ANY,
  FILTER_FOUND,
  FILTER_NOT_FOUND,
};

/* ---- what the workers hand to the page ------------------------------------- */

typedef struct
{
  GMutex          mutex;
  gint64          run_id;      /* the attack run created by the worker */
  PbAttackResult *result;      /* read back */
  PbDataset      *originals;   /* (result->n) the attacked rows, in attack order */
} Box;

static void
box_clear (Box *box)
{
  g_clear_pointer (&box->result, pb_attack_result_free);
  g_clear_pointer (&box->originals, pb_dataset_free);
  g_mutex_clear (&box->mutex);
}

static Box *
box_new (void)
{
  Box *box = g_atomic_rc_box_new0 (Box);

  g_mutex_init (&box->mutex);
  return box;
}

static void
box_unref (Box *box)
{
  g_atomic_rc_box_release_full (box, (GDestroyNotify) box_clear);
}

typedef struct
{
  gint64  checkpoint_id;
  gint64  run_id;
  gint    epoch;
  char   *run_name;
  char   *dataset;
  char   *protocol;
} Checkpoint;

static void
checkpoint_free (Checkpoint *c)
{
  g_free (c->run_name);
  g_free (c->dataset);
  g_free (c->protocol);
  g_free (c);
}

struct _PbAttackPage
{
  PbPage               parent_instance;

  PbJob               *job;        /* attacking (writes) */
  PbJob               *load_job;   /* reading a run back */
  Box                 *attack_box;
  Box                 *load_box;
  GPtrArray           *checkpoints;  /* Checkpoint */
  GPtrArray           *runs;         /* PbAttackRunInfo */
  PbAttackResult      *result;       /* on screen */
  PbDataset           *originals;
  gint64               shown_run_id;
  GListStore          *samples;      /* PbTextRow */
  GArray              *row_index;    /* guint: row → sample of result */
  GtkSingleSelection  *selection;
  gboolean             updating;

  GtkStringList       *checkpoint_list;
  GtkStringList       *dataset_list;
  GtkStringList       *run_list;
  GtkStringList       *class_list;
  AdwComboRow         *checkpoint_row;
  AdwComboRow         *dataset_row;
  AdwComboRow         *preset_row;
  AdwEntryRow         *kappa_row;
  AdwEntryRow         *lambda_row;
  AdwComboRow         *optimizer_row;
  AdwEntryRow         *lr_row;
  GtkSpinButton       *iterations_spin;
  GtkSpinButton       *batch_spin;
  GtkSpinButton       *samples_spin;
  GtkSpinButton       *sample_seed_spin;
  GtkProgressBar      *progress_bar;
  GtkLabel            *status_label;
  AdwPreferencesGroup *samples_group;
  AdwComboRow         *run_row;
  AdwComboRow         *success_row;
  AdwComboRow         *class_row;
  GtkColumnView       *samples_view;
  AdwPreferencesGroup *sample_group;
  GtkToggleButton     *first_toggle;
  GtkToggleButton     *best_toggle;
  PbPlotView          *sample_plot;
};

G_DEFINE_FINAL_TYPE (PbAttackPage, pb_attack_page, PB_TYPE_PAGE)

/* ---- workers ----------------------------------------------------------------- */

typedef struct
{
  char           *project_path;
  gint64          checkpoint_id;
  char           *dataset;
  PbAttackParams  params;
  gint64          run_id;      /* resume / load this run */
  Box            *box;
} Call;

static void
call_free (Call *call)
{
  g_free (call->project_path);
  g_free (call->dataset);
  g_clear_pointer (&call->box, box_unref);
  g_free (call);
}

static gboolean
attack_worker (PbJob         *job,
               gpointer       data,
               GCancellable  *cancellable,
               GError       **error)
{
  Call *call = data;
  g_autoptr(PbProject) project = NULL;
  gint64 run_id = call->run_id;

  project = pb_project_open (call->project_path, error);
  if (project == NULL)
    return FALSE;

  if (run_id == 0)
    {
      g_autoptr(PbModel) model = NULL;

      model = pb_attack_load_checkpoint (project, call->checkpoint_id, error);
      if (model == NULL)
        return FALSE;
      pb_job_report (0.0, _("Selecting the correctly classified samples"), NULL, job);
      run_id = pb_attack_run_create (project, call->dataset, model, call->checkpoint_id,
                                     &call->params, cancellable, error);
      if (run_id == 0)
        return FALSE;
    }

  g_mutex_lock (&call->box->mutex);
  call->box->run_id = run_id;
  g_mutex_unlock (&call->box->mutex);

  return pb_attack_run_execute (project, run_id, pb_job_report, job, cancellable, error);
}

static gboolean
load_worker (PbJob         *job,
             gpointer       data,
             GCancellable  *cancellable,
             GError       **error)
{
  Call *call = data;
  g_autoptr(PbProject) project = NULL;
  g_autoptr(PbAttackResult) result = NULL;
  g_autoptr(PbDataset) dataset = NULL;
  g_autoptr(PbDataset) originals = NULL;

  project = pb_project_open_full (call->project_path, PB_PROJECT_OPEN_READ_ONLY, -1, error);
  if (project == NULL)
    return FALSE;
  result = pb_attack_result_load (project, call->run_id, error);
  if (result == NULL)
    return FALSE;
  if (g_cancellable_set_error_if_cancelled (cancellable, error))
    return FALSE;
  dataset = pb_dataset_load (project, call->dataset, error);
  if (dataset == NULL)
    return FALSE;
  if (dataset->max_len != result->max_len || dataset->n_features != result->n_features)
    {
      g_set_error (error, PB_ENGINE_ERROR, PB_ENGINE_ERROR_CORRUPT,
                   _("Dataset “%s” no longer has the shape attack run %lld"
                      " was made on"), call->dataset, (long long) call->run_id);
      return FALSE;
    }
  for (guint i = 0; i < result->n; i++)
    if (result->dataset_index[i] >= dataset->n)
      {
        g_set_error (error, PB_ENGINE_ERROR, PB_ENGINE_ERROR_CORRUPT,
                     _("Dataset “%s” no longer holds the stays of attack run %lld"),
                     call->dataset, (long long) call->run_id);
        return FALSE;
      }
  originals = pb_dataset_subset (dataset, result->dataset_index, result->n);

  g_mutex_lock (&call->box->mutex);
  call->box->run_id = call->run_id;
  g_clear_pointer (&call->box->result, pb_attack_result_free);
  g_clear_pointer (&call->box->originals, pb_dataset_free);
  call->box->result = g_steal_pointer (&result);
  call->box->originals = g_steal_pointer (&originals);
  g_mutex_unlock (&call->box->mutex);
  pb_job_report (1.0, NULL, NULL, job);
  return TRUE;
}

/* GLib 2.74 has no g_strv_builder_take */
static void
strv_take (GStrvBuilder *builder,
           char         *text)
{
  g_strv_builder_add (builder, text);
  g_free (text);
}

/* ---- the three-panel figure ------------------------------------------------------ */

static void
show_sample (PbAttackPage *self)
{
  const PbAttackResult *r = self->result;
  guint pos = gtk_single_selection_get_selected (self->selection);
  PbAttackExample kind = gtk_toggle_button_get_active (self->first_toggle)
                         ? PB_ATTACK_EXAMPLE_FIRST : PB_ATTACK_EXAMPLE_BEST;
  g_autofree char *desc = NULL;
  PbFigure *fig;
  guint i;

  if (r == NULL || self->originals == NULL || pos == GTK_INVALID_LIST_POSITION ||
      pos >= self->row_index->len)
    {
      pb_plot_view_clear (self->sample_plot);
      adw_preferences_group_set_description (self->sample_group,
                                             _("Select an attacked stay above."));
      return;
    }

  i = g_array_index (self->row_index, guint, pos);
  fig = pb_figure_new_attack_sample (r, pb_dataset_get_sequence (self->originals, i), i, kind);

  desc = g_strdup_printf (_("Stay %lld (dataset row %u), %u hours"),
                          (long long) r->sample_ids[i], r->dataset_index[i], r->lengths[i]);
  adw_preferences_group_set_description (self->sample_group, desc);
  pb_plot_view_set_figure (self->sample_plot, PB_PLOT_KIND_HEATMAP_TRIPLE, fig,
                           (GDestroyNotify) pb_figure_free);
}

/* ---- the sample list ----------------------------------------------------------------- */

static char *
fmt_iteration (gint iteration)
{
  return iteration >= 0 ? g_strdup_printf ("%d", iteration) : g_strdup ("—");
}

static void
fill_samples (PbAttackPage *self)
{
  g_autoptr(GPtrArray) rows = g_ptr_array_new_with_free_func (g_object_unref);
  const PbAttackResult *r = self->result;
  guint filter = adw_combo_row_get_selected (self->success_row);
  guint class_pos = adw_combo_row_get_selected (self->class_row);
  gint want_class = class_pos == GTK_INVALID_LIST_POSITION || class_pos == 0
                    ? -1 : (gint) class_pos - 1;
  guint first_found = GTK_INVALID_LIST_POSITION;

  g_array_set_size (self->row_index, 0);
  for (guint i = 0; r != NULL && i < r->n; i++)
    {
      gboolean found = pb_attack_result_is_success (r, i);
      const PbAttackExampleData *first = &r->examples[PB_ATTACK_EXAMPLE_FIRST][i];
      const PbAttackExampleData *best = &r->examples[PB_ATTACK_EXAMPLE_BEST][i];
      char **texts;

      if (r->iterations_run[i] == 0)
        continue;
      if ((filter == FILTER_FOUND && !found) || (filter == FILTER_NOT_FOUND && found))
        continue;
      if (want_class >= 0 && r->labels[i] != want_class)
        continue;

      texts = g_new0 (char *, N_COLS + 1);
      texts[COL_SAMPLE] = g_strdup_printf ("%" G_GINT64_FORMAT, r->sample_ids[i]);
      texts[COL_CLASS] = g_strdup_printf ("%d", r->labels[i]);
      texts[COL_LENGTH] = g_strdup_printf ("%u", r->lengths[i]);
      texts[COL_FOUND] = g_strdup (found ? _("yes") : _("no"));
      texts[COL_FIRST] = fmt_iteration (first->iteration);
      texts[COL_BEST] = fmt_iteration (best->iteration);
      texts[COL_NONZERO] = found ? g_strdup_printf ("%u", best->n_nonzero) : g_strdup ("—");
      texts[COL_LOSS] = found && isfinite (best->loss) ? g_strdup_printf ("%.4g", best->loss)
                                                       : g_strdup ("—");
      g_ptr_array_add (rows, pb_text_row_new_take (texts));
      g_array_append_val (self->row_index, i);
    }

  /* select the first stay with an adversarial example, else the first one */
  for (guint k = 0; k < self->row_index->len && first_found == GTK_INVALID_LIST_POSITION; k++)
    if (pb_attack_result_is_success (r, g_array_index (self->row_index, guint, k)))
      first_found = k;
  if (first_found == GTK_INVALID_LIST_POSITION && rows->len > 0)
    first_found = 0;

  self->updating = TRUE;
  g_list_store_splice (self->samples, 0, g_list_model_get_n_items (G_LIST_MODEL (self->samples)),
                       rows->pdata, rows->len);
  gtk_single_selection_set_selected (self->selection, first_found);
  self->updating = FALSE;
  show_sample (self);
}

static void
show_result (PbAttackPage *self)
{
  const PbAttackResult *r = self->result;
  g_autofree char *desc = NULL;
  gint max_label = -1;
  guint n_found = 0, n_done = 0;
  guint n_old = g_list_model_get_n_items (G_LIST_MODEL (self->class_list));
  g_autoptr(GStrvBuilder) classes = g_strv_builder_new ();
  g_auto(GStrv) class_names = NULL;

  if (r == NULL)
    {
      gtk_string_list_splice (self->class_list, 0, n_old, NULL);
      fill_samples (self);
      return;
    }

  for (guint i = 0; i < r->n; i++)
    {
      max_label = MAX (max_label, r->labels[i]);
      n_found += pb_attack_result_is_success (r, i);
      n_done += r->iterations_run[i] > 0;
    }
  g_strv_builder_add (classes, _("Any"));
  for (gint c = 0; c <= MAX (max_label, 1); c++)
    strv_take (classes, g_strdup_printf ("%d", c));
  class_names = g_strv_builder_end (classes);

  self->updating = TRUE;
  gtk_string_list_splice (self->class_list, 0, n_old, (const char * const *) class_names);
  adw_combo_row_set_selected (self->class_row, 0);
  self->updating = FALSE;

  desc = g_strdup_printf (_("Attack run %lld (preset %s): %u of %u candidates "
                            "classified correctly and attacked, %u done; adversarial examples "
                            "found for %u."),
                          (long long) r->run_id, pb_protocol_get_name (r->params.preset), r->n,
                          r->n_candidates, n_done, n_found);
  adw_preferences_group_set_description (self->samples_group, desc);
  fill_samples (self);
}

/* ---- state -------------------------------------------------------------------------------- */

static void
set_status (PbAttackPage *self,
            const char   *message,
            gboolean      is_error)
{
  gtk_label_set_text (self->status_label, message != NULL ? message : "");
  gtk_widget_set_visible (GTK_WIDGET (self->status_label), message != NULL);
  if (is_error)
    gtk_widget_add_css_class (GTK_WIDGET (self->status_label), "error");
  else
    gtk_widget_remove_css_class (GTK_WIDGET (self->status_label), "error");
}

static void
fail (PbAttackPage *self,
      const char   *message)
{
  set_status (self, message, TRUE);
  pb_page_toast (PB_PAGE (self), message);
}

static const PbAttackRunInfo *
selected_run (PbAttackPage *self)
{
  guint pos = adw_combo_row_get_selected (self->run_row);

  if (self->runs == NULL || pos == GTK_INVALID_LIST_POSITION || pos >= self->runs->len)
    return NULL;
  return self->runs->pdata[pos];
}

static void
update_actions (PbAttackPage *self)
{
  gboolean running = pb_job_get_running (self->job);
  gboolean have_project = pb_page_get_project (PB_PAGE (self)) != NULL;
  const PbAttackRunInfo *run = selected_run (self);

  gtk_widget_action_set_enabled (GTK_WIDGET (self), "attack.start", have_project && !running);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "attack.cancel", running);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "attack.resume",
                                 have_project && !running && run != NULL && !run->complete);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "attack.defaults", !running);
}

static void
start_load (PbAttackPage *self)
{
  PbProject *project = pb_page_get_project (PB_PAGE (self));
  const PbAttackRunInfo *run = selected_run (self);
  Call *call;

  pb_job_cancel (self->load_job);
  if (project == NULL || run == NULL)
    return;
  if (pb_job_get_running (self->load_job))
    return;  /* on_load_finished_cb starts the next one */

  call = g_new0 (Call, 1);
  call->project_path = g_strdup (pb_project_get_path (project));
  call->run_id = run->run_id;
  call->dataset = g_strdup (run->dataset_name);
  call->box = g_atomic_rc_box_acquire (self->load_box);
  pb_job_start (self->load_job, load_worker, call, (GDestroyNotify) call_free);
}

/* Lists the project's attack runs, newest first, and selects @select (0: the newest). */
static void
load_runs (PbAttackPage *self,
           gint64        select)
{
  PbProject *project = pb_page_get_project (PB_PAGE (self));
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) runs = NULL;
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
  g_auto(GStrv) names = NULL;
  guint n_old = g_list_model_get_n_items (G_LIST_MODEL (self->run_list));
  guint pos = GTK_INVALID_LIST_POSITION;

  if (project != NULL)
    {
      runs = pb_attack_run_list (project, &error);
      if (runs == NULL)
        g_warning ("listing attack runs: %s", error->message);
    }
  if (runs == NULL)
    runs = g_ptr_array_new_with_free_func ((GDestroyNotify) pb_attack_run_info_free);

  /* newest first */
  for (guint i = 0; i < runs->len / 2; i++)
    {
      gpointer tmp = runs->pdata[i];

      runs->pdata[i] = runs->pdata[runs->len - 1 - i];
      runs->pdata[runs->len - 1 - i] = tmp;
    }
  for (guint i = 0; i < runs->len; i++)
    {
      const PbAttackRunInfo *r = runs->pdata[i];

      if (r->complete)
        {
          g_autofree char *when = pb_format_timestamp (r->created_at);

          strv_take (builder, g_strdup_printf (_("Run %lld: %s, %u stays (%s)"),
                                               (long long) r->run_id, r->dataset_name,
                                               r->n_attacked, when));
        }
      else
        strv_take (builder, g_strdup_printf (_("Run %lld: %s, %u stays, "
                                                         "unfinished (%u of %u batches)"),
                                                       (long long) r->run_id, r->dataset_name,
                                                       r->n_attacked,
                                                       r->n_batches_done, r->n_batches));
      if (r->run_id == select || (pos == GTK_INVALID_LIST_POSITION && select == 0))
        pos = i;
    }
  names = g_strv_builder_end (builder);

  self->updating = TRUE;
  g_clear_pointer (&self->runs, g_ptr_array_unref);
  self->runs = g_steal_pointer (&runs);
  gtk_string_list_splice (self->run_list, 0, n_old, (const char * const *) names);
  if (pos != GTK_INVALID_LIST_POSITION)
    adw_combo_row_set_selected (self->run_row, pos);
  self->updating = FALSE;
  gtk_widget_set_sensitive (GTK_WIDGET (self->run_row), self->runs->len > 0);

  if (self->runs->len == 0)
    {
      g_clear_pointer (&self->result, pb_attack_result_free);
      g_clear_pointer (&self->originals, pb_dataset_free);
      self->shown_run_id = 0;
      show_result (self);
      adw_preferences_group_set_description (self->samples_group, _("No attack yet."));
    }
  else
    start_load (self);
  update_actions (self);
}

static void
load_checkpoints (PbAttackPage *self)
{
  PbProject *project = pb_page_get_project (PB_PAGE (self));
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
  g_auto(GStrv) names = NULL;
  g_auto(GStrv) datasets = NULL;
  guint n_old = g_list_model_get_n_items (G_LIST_MODEL (self->checkpoint_list));
  guint n_old_ds = g_list_model_get_n_items (G_LIST_MODEL (self->dataset_list));

  g_ptr_array_set_size (self->checkpoints, 0);
  if (project != NULL)
    {
      sqlite3 *db = pb_project_get_db (project);
      g_autoptr(GError) error = NULL;
      g_autoptr(sqlite3_stmt) stmt = NULL;
      int rc = SQLITE_DONE;

      /* newest runs first, then their epochs from the latest */
      stmt = pb_sqlite_prepare (db, "SELECT c.checkpoint_id, c.run_id, c.epoch, r.kind, r.name, "
                                    "r.fold, r.dataset, r.protocol FROM checkpoints c "
                                    "JOIN runs r USING (run_id) "
                                    "ORDER BY c.run_id DESC, c.epoch DESC", &error);
      while (stmt != NULL && (rc = sqlite3_step (stmt)) == SQLITE_ROW)
        {
          Checkpoint *c = g_new0 (Checkpoint, 1);
          const char *kind = (const char *) sqlite3_column_text (stmt, 3);
          const char *name = (const char *) sqlite3_column_text (stmt, 4);

          c->checkpoint_id = sqlite3_column_int64 (stmt, 0);
          c->run_id = sqlite3_column_int64 (stmt, 1);
          c->epoch = sqlite3_column_int (stmt, 2);
          if (sqlite3_column_type (stmt, 5) != SQLITE_NULL)
            c->run_name = g_strdup_printf (_("%s, fold %d"), kind, sqlite3_column_int (stmt, 5));
          else
            c->run_name = g_strdup (name != NULL ? name : kind);
          c->dataset = g_strdup ((const char *) sqlite3_column_text (stmt, 6));
          c->protocol = g_strdup ((const char *) sqlite3_column_text (stmt, 7));
          strv_take (builder,
                               g_strdup_printf (_("Run %lld (%s), epoch %d — "
                                                  "checkpoint %lld"),
                                                (long long) c->run_id, c->run_name, c->epoch,
                                                (long long) c->checkpoint_id));
          g_ptr_array_add (self->checkpoints, c);
        }
      if (stmt == NULL || !pb_sqlite_check (db, rc, "Cannot list checkpoints", &error))
        g_warning ("listing checkpoints: %s", error->message);
      datasets = pb_dataset_list_names (project, NULL);
    }
  names = g_strv_builder_end (builder);

  gtk_string_list_splice (self->checkpoint_list, 0, n_old, (const char * const *) names);
  gtk_string_list_splice (self->dataset_list, 0, n_old_ds, (const char * const *) datasets);
  gtk_widget_set_sensitive (GTK_WIDGET (self->checkpoint_row), self->checkpoints->len > 0);
  if (self->checkpoints->len > 0)
    adw_combo_row_set_selected (self->checkpoint_row, 0);

  if (project != NULL && self->checkpoints->len == 0)
    set_status (self, _("The project has no trained model yet: train one (Cross-validation "
                        "page or `perturb train`) before attacking it."), FALSE);
  else if (!pb_job_get_running (self->job))
    set_status (self, NULL, FALSE);
}

static void
set_entry_double (AdwEntryRow *row,
                  double       value)
{
  char buf[G_ASCII_DTOSTR_BUF_SIZE];

  gtk_editable_set_text (GTK_EDITABLE (row), g_ascii_formatd (buf, sizeof buf, "%.10g", value));
}

static void
show_params (PbAttackPage         *self,
             const PbAttackParams *params)
{
  const char *optim = pb_optim_kind_get_name (params->optim.kind);
  GListModel *model = adw_combo_row_get_model (self->optimizer_row);

  adw_combo_row_set_selected (self->preset_row, params->preset == PB_PROTOCOL_SEED ? 1 : 0);
  set_entry_double (self->kappa_row, params->kappa);
  set_entry_double (self->lambda_row, params->lambda);
  set_entry_double (self->lr_row, params->optim.lr);
  for (guint i = 0; i < g_list_model_get_n_items (model); i++)
    {
      g_autoptr(GtkStringObject) item = g_list_model_get_item (model, i);

      if (g_ascii_strcasecmp (gtk_string_object_get_string (item), optim) == 0)
        adw_combo_row_set_selected (self->optimizer_row, i);
    }
  gtk_spin_button_set_value (self->iterations_spin, params->iterations);
  gtk_spin_button_set_value (self->batch_spin, params->batch_size);
  gtk_spin_button_set_value (self->samples_spin, params->max_samples);
  gtk_spin_button_set_value (self->sample_seed_spin, (double) params->sample_seed);
}

static gboolean
read_number (AdwEntryRow  *row,
             const char   *what,
             double       *value,
             GError      **error)
{
  g_autofree char *text = g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (row))));
  char *end = NULL;

  *value = g_ascii_strtod (text, &end);
  if (text[0] == '\0' || end == NULL || *end != '\0' || !isfinite (*value))
    {
      g_set_error (error, PB_ENGINE_ERROR, PB_ENGINE_ERROR_INVALID_ARGUMENT,
                   _("The %s “%s” is not a number"), what, text);
      return FALSE;
    }
  return TRUE;
}

/* The edited parameters, validated by the engine. */
static gboolean
read_params (PbAttackPage    *self,
             PbAttackParams  *params,
             GError         **error)
{
  GtkStringObject *optim = adw_combo_row_get_selected_item (self->optimizer_row);
  PbOptimKind kind = PB_OPTIM_KIND_SGD;
  double lr;

  pb_attack_params_init (params);
  if (optim != NULL && !pb_optim_kind_from_name (gtk_string_object_get_string (optim), &kind))
    kind = PB_OPTIM_KIND_SGD;
  pb_optim_config_init (&params->optim, kind);
  params->preset = adw_combo_row_get_selected (self->preset_row) == 1
                   ? PB_PROTOCOL_SEED : PB_PROTOCOL_STANDARD;
  if (!read_number (self->kappa_row, _("confidence margin κ"), &params->kappa, error) ||
      !read_number (self->lambda_row, _("sparsity weight λ"), &params->lambda, error) ||
      !read_number (self->lr_row, _("learning rate"), &lr, error))
    return FALSE;
  params->optim.lr = lr;
  params->iterations = (guint) gtk_spin_button_get_value_as_int (self->iterations_spin);
  params->batch_size = (guint) gtk_spin_button_get_value_as_int (self->batch_spin);
  params->max_samples = (guint) gtk_spin_button_get_value_as_int (self->samples_spin);
  params->sample_seed = (guint64) gtk_spin_button_get_value (self->sample_seed_spin);

  return pb_attack_params_validate (params, error);
}

/* ---- callbacks ---------------------------------------------------------------------------- */

static void
on_checkpoint_selected_cb (PbAttackPage *self)
{
  guint pos = adw_combo_row_get_selected (self->checkpoint_row);
  GListModel *datasets = G_LIST_MODEL (self->dataset_list);
  const Checkpoint *c;
  PbProtocol protocol;

  if (pos == GTK_INVALID_LIST_POSITION || pos >= self->checkpoints->len)
    return;
  c = self->checkpoints->pdata[pos];

  /* the run's protocol preset and, when it is a project dataset, its data */
  if (c->protocol != NULL && pb_protocol_from_name (c->protocol, &protocol))
    adw_combo_row_set_selected (self->preset_row, protocol == PB_PROTOCOL_SEED ? 1 : 0);
  for (guint i = 0; c->dataset != NULL && i < g_list_model_get_n_items (datasets); i++)
    if (g_strcmp0 (gtk_string_list_get_string (self->dataset_list, i), c->dataset) == 0)
      adw_combo_row_set_selected (self->dataset_row, i);
}

/* Checkpoints stored since (training on another page, the CLI) join the list. */
static void
on_map_cb (PbAttackPage *self)
{
  PbProject *project = pb_page_get_project (PB_PAGE (self));
  g_autoptr(sqlite3_stmt) stmt = NULL;

  if (project == NULL || pb_job_get_running (self->job))
    return;
  stmt = pb_sqlite_prepare (pb_project_get_db (project), "SELECT count(*) FROM checkpoints", NULL);
  if (stmt != NULL && sqlite3_step (stmt) == SQLITE_ROW &&
      sqlite3_column_int64 (stmt, 0) != (gint64) self->checkpoints->len)
    {
      load_checkpoints (self);
      on_checkpoint_selected_cb (self);
    }
}

static void
on_run_selected_cb (PbAttackPage *self)
{
  if (self->updating)
    return;
  start_load (self);
  update_actions (self);
}

static void
on_filter_changed_cb (PbAttackPage *self)
{
  if (!self->updating)
    fill_samples (self);
}

static void
on_selection_changed_cb (PbAttackPage *self)
{
  if (!self->updating)
    show_sample (self);
}

static void
on_job_running_cb (PbAttackPage *self)
{
  update_actions (self);
}

static void
on_job_progress_cb (PbAttackPage *self)
{
  pb_page_show_job_progress (PB_PAGE (self), self->job, self->progress_bar);
}

static void
on_job_finished_cb (PbAttackPage *self,
                    gboolean      success)
{
  const GError *error = pb_job_get_error (self->job);
  gint64 run_id;

  g_mutex_lock (&self->attack_box->mutex);
  run_id = self->attack_box->run_id;
  g_mutex_unlock (&self->attack_box->mutex);

  if (success)
    {
      gtk_progress_bar_set_fraction (self->progress_bar, 1.0);
      gtk_progress_bar_set_text (self->progress_bar, _("Attack finished"));
      set_status (self, NULL, FALSE);
    }
  else if (error != NULL)
    {
      g_autofree char *text = g_strdup_printf (_("The attack failed: %s"), error->message);

      gtk_progress_bar_set_text (self->progress_bar, _("Failed"));
      fail (self, text);
    }
  else
    {
      gtk_progress_bar_set_text (self->progress_bar, _("Cancelled"));
      set_status (self, run_id > 0 ? _("Cancelled; the finished batches are stored and Resume "
                                       "continues the run.") : _("Cancelled."), FALSE);
    }

  load_runs (self, run_id);
}

static void
on_load_finished_cb (PbAttackPage *self,
                     gboolean      success)
{
  const GError *error = pb_job_get_error (self->load_job);
  const PbAttackRunInfo *run = selected_run (self);

  if (success)
    {
      g_mutex_lock (&self->load_box->mutex);
      if (self->load_box->result != NULL)
        {
          g_clear_pointer (&self->result, pb_attack_result_free);
          g_clear_pointer (&self->originals, pb_dataset_free);
          self->result = g_steal_pointer (&self->load_box->result);
          self->originals = g_steal_pointer (&self->load_box->originals);
          self->shown_run_id = self->load_box->run_id;
        }
      g_mutex_unlock (&self->load_box->mutex);
      show_result (self);
    }
  else if (error != NULL)
    {
      g_autofree char *text = g_strdup_printf (_("Could not read the attack run: %s"),
                                               error->message);

      fail (self, text);
    }

  /* the choice changed while it was loading */
  if (run != NULL && run->run_id != self->shown_run_id && (success || error == NULL))
    start_load (self);
}

/* ---- actions -------------------------------------------------------------------------------- */

static void
start_job (PbAttackPage *self,
           Call         *call,
           const char   *text)
{
  g_clear_pointer (&self->attack_box, box_unref);
  self->attack_box = box_new ();
  call->box = g_atomic_rc_box_acquire (self->attack_box);
  set_status (self, NULL, FALSE);
  gtk_progress_bar_set_fraction (self->progress_bar, 0);
  gtk_progress_bar_set_text (self->progress_bar, text);
  pb_page_start_writer (PB_PAGE (self), self->job, attack_worker, call, (GDestroyNotify) call_free);
}

static void
pb_attack_page_start_action (GtkWidget  *widget,
                             const char *action_name,
                             GVariant   *parameter)
{
  PbAttackPage *self = PB_ATTACK_PAGE (widget);
  PbProject *project = pb_page_get_project (PB_PAGE (self));
  guint pos = adw_combo_row_get_selected (self->checkpoint_row);
  GtkStringObject *dataset = adw_combo_row_get_selected_item (self->dataset_row);
  g_autoptr(GError) error = NULL;
  const Checkpoint *c;
  Call *call;

  if (project == NULL || pb_job_get_running (self->job))
    return;
  if (!pb_page_check_project_free (PB_PAGE (self)))
    return;
  if (pos == GTK_INVALID_LIST_POSITION || pos >= self->checkpoints->len)
    {
      fail (self, _("Choose a checkpoint to attack: the project has no trained model yet"));
      return;
    }
  if (dataset == NULL)
    {
      fail (self, _("The project has no dataset to attack: preprocess one first"));
      return;
    }
  c = self->checkpoints->pdata[pos];

  call = g_new0 (Call, 1);
  if (!read_params (self, &call->params, &error))
    {
      g_autofree char *text = g_strdup_printf (_("Cannot start the attack: %s"), error->message);

      call_free (call);
      fail (self, text);
      return;
    }
  call->project_path = g_strdup (pb_project_get_path (project));
  call->checkpoint_id = c->checkpoint_id;
  call->dataset = g_strdup (gtk_string_object_get_string (dataset));
  start_job (self, call, _("Starting"));
}

static void
pb_attack_page_resume_action (GtkWidget  *widget,
                              const char *action_name,
                              GVariant   *parameter)
{
  PbAttackPage *self = PB_ATTACK_PAGE (widget);
  PbProject *project = pb_page_get_project (PB_PAGE (self));
  const PbAttackRunInfo *run = selected_run (self);
  Call *call;

  if (project == NULL || pb_job_get_running (self->job))
    return;
  if (!pb_page_check_project_free (PB_PAGE (self)))
    return;
  if (run == NULL || run->complete)
    {
      fail (self, _("Choose an unfinished attack run to resume"));
      return;
    }

  call = g_new0 (Call, 1);
  call->project_path = g_strdup (pb_project_get_path (project));
  call->run_id = run->run_id;
  start_job (self, call, _("Resuming"));
}

static void
pb_attack_page_cancel_action (GtkWidget  *widget,
                              const char *action_name,
                              GVariant   *parameter)
{
  PbAttackPage *self = PB_ATTACK_PAGE (widget);

  if (pb_job_get_running (self->job))
    {
      gtk_progress_bar_set_text (self->progress_bar, _("Cancelling…"));
      pb_job_cancel (self->job);
    }
}

static void
pb_attack_page_defaults_action (GtkWidget  *widget,
                                const char *action_name,
                                GVariant   *parameter)
{
  PbAttackPage *self = PB_ATTACK_PAGE (widget);
  PbAttackParams params;

  pb_attack_params_init (&params);
  show_params (self, &params);
  on_checkpoint_selected_cb (self);
}

static void
pb_attack_page_export_sample_action (GtkWidget  *widget,
                                     const char *action_name,
                                     GVariant   *parameter)
{
  PbAttackPage *self = PB_ATTACK_PAGE (widget);

  if (pb_plot_view_has_figure (self->sample_plot))
    gtk_widget_activate_action_variant (GTK_WIDGET (self->sample_plot), "plot.export", parameter);
}

/* ---- object ---------------------------------------------------------------------------- */

static void
pb_attack_page_project_changed (PbPage    *page,
                                PbProject *project)
{
  PbAttackPage *self = PB_ATTACK_PAGE (page);

  pb_job_cancel (self->load_job);
  load_checkpoints (self);
  on_checkpoint_selected_cb (self);
  load_runs (self, 0);
}

static void
pb_attack_page_dispose (GObject *object)
{
  PbAttackPage *self = (PbAttackPage *)object;

  if (self->job != NULL)
    pb_job_cancel (self->job);
  if (self->load_job != NULL)
    pb_job_cancel (self->load_job);

  gtk_widget_dispose_template (GTK_WIDGET (self), PB_TYPE_ATTACK_PAGE);

  g_clear_object (&self->job);
  g_clear_object (&self->load_job);
  g_clear_object (&self->samples);
  g_clear_object (&self->selection);
  g_clear_pointer (&self->attack_box, box_unref);
  g_clear_pointer (&self->load_box, box_unref);
  g_clear_pointer (&self->checkpoints, g_ptr_array_unref);
  g_clear_pointer (&self->runs, g_ptr_array_unref);
  g_clear_pointer (&self->result, pb_attack_result_free);
  g_clear_pointer (&self->originals, pb_dataset_free);
  g_clear_pointer (&self->row_index, g_array_unref);

  G_OBJECT_CLASS (pb_attack_page_parent_class)->dispose (object);
}

static void
pb_attack_page_class_init (PbAttackPageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  PbPageClass *page_class = PB_PAGE_CLASS (klass);

  object_class->dispose = pb_attack_page_dispose;
  page_class->project_changed = pb_attack_page_project_changed;

  g_type_ensure (PB_TYPE_PLOT_VIEW);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               RESOURCE_PREFIX "/ui/pb-attack-page.ui");
  gtk_widget_class_bind_template_child (widget_class, PbAttackPage, checkpoint_list);
  gtk_widget_class_bind_template_child (widget_class, PbAttackPage, dataset_list);
  gtk_widget_class_bind_template_child (widget_class, PbAttackPage, run_list);
  gtk_widget_class_bind_template_child (widget_class, PbAttackPage, class_list);
  gtk_widget_class_bind_template_child (widget_class, PbAttackPage, checkpoint_row);
  gtk_widget_class_bind_template_child (widget_class, PbAttackPage, dataset_row);
  gtk_widget_class_bind_template_child (widget_class, PbAttackPage, preset_row);
  gtk_widget_class_bind_template_child (widget_class, PbAttackPage, kappa_row);
  gtk_widget_class_bind_template_child (widget_class, PbAttackPage, lambda_row);
  gtk_widget_class_bind_template_child (widget_class, PbAttackPage, optimizer_row);
  gtk_widget_class_bind_template_child (widget_class, PbAttackPage, lr_row);
  gtk_widget_class_bind_template_child (widget_class, PbAttackPage, iterations_spin);
  gtk_widget_class_bind_template_child (widget_class, PbAttackPage, batch_spin);
  gtk_widget_class_bind_template_child (widget_class, PbAttackPage, samples_spin);
  gtk_widget_class_bind_template_child (widget_class, PbAttackPage, sample_seed_spin);
  gtk_widget_class_bind_template_child (widget_class, PbAttackPage, progress_bar);
  gtk_widget_class_bind_template_child (widget_class, PbAttackPage, status_label);
  gtk_widget_class_bind_template_child (widget_class, PbAttackPage, samples_group);
  gtk_widget_class_bind_template_child (widget_class, PbAttackPage, run_row);
  gtk_widget_class_bind_template_child (widget_class, PbAttackPage, success_row);
  gtk_widget_class_bind_template_child (widget_class, PbAttackPage, class_row);
  gtk_widget_class_bind_template_child (widget_class, PbAttackPage, samples_view);
  gtk_widget_class_bind_template_child (widget_class, PbAttackPage, sample_group);
  gtk_widget_class_bind_template_child (widget_class, PbAttackPage, first_toggle);
  gtk_widget_class_bind_template_child (widget_class, PbAttackPage, best_toggle);
  gtk_widget_class_bind_template_child (widget_class, PbAttackPage, sample_plot);

  gtk_widget_class_install_action (widget_class, "attack.start", NULL,
                                   pb_attack_page_start_action);
  gtk_widget_class_install_action (widget_class, "attack.cancel", NULL,
                                   pb_attack_page_cancel_action);
  gtk_widget_class_install_action (widget_class, "attack.resume", NULL,
                                   pb_attack_page_resume_action);
  gtk_widget_class_install_action (widget_class, "attack.defaults", NULL,
                                   pb_attack_page_defaults_action);
  gtk_widget_class_install_action (widget_class, "attack.export-sample", "s",
                                   pb_attack_page_export_sample_action);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "attack.cancel", NULL);
}

static void
pb_attack_page_init (PbAttackPage *self)
{
  PbAttackParams params;

  gtk_widget_init_template (GTK_WIDGET (self));

  self->checkpoints = g_ptr_array_new_with_free_func ((GDestroyNotify) checkpoint_free);
  self->row_index = g_array_new (FALSE, FALSE, sizeof (guint));
  self->attack_box = box_new ();
  self->load_box = box_new ();

  self->samples = g_list_store_new (PB_TYPE_TEXT_ROW);
  self->selection = gtk_single_selection_new (G_LIST_MODEL (g_object_ref (self->samples)));
  gtk_single_selection_set_autoselect (self->selection, FALSE);
  gtk_single_selection_set_can_unselect (self->selection, TRUE);
  gtk_column_view_set_model (self->samples_view, GTK_SELECTION_MODEL (self->selection));
  pb_text_table_add_column (self->samples_view, _("Stay"), COL_SAMPLE, TRUE, FALSE);
  pb_text_table_add_column (self->samples_view, _("Class"), COL_CLASS, TRUE, FALSE);
  pb_text_table_add_column (self->samples_view, _("Hours"), COL_LENGTH, TRUE, FALSE);
  pb_text_table_add_column (self->samples_view, _("Adversarial"), COL_FOUND, FALSE, FALSE);
  pb_text_table_add_column (self->samples_view, _("First at"), COL_FIRST, TRUE, FALSE);
  pb_text_table_add_column (self->samples_view, _("Best at"), COL_BEST, TRUE, FALSE);
  pb_text_table_add_column (self->samples_view, _("Perturbed (best)"), COL_NONZERO, TRUE, FALSE);
  pb_text_table_add_column (self->samples_view, _("Loss (best)"), COL_LOSS, TRUE, TRUE);

  pb_attack_params_init (&params);
  show_params (self, &params);
  pb_plot_view_set_export_name (self->sample_plot, "attack-sample");
  gtk_widget_set_name (GTK_WIDGET (self->sample_plot), "sample_plot");
  pb_plot_view_set_export_width_mm (self->sample_plot, PB_PLOT_WIDTH_DOUBLE_COLUMN_MM);

  self->job = pb_job_new ();
  pb_job_set_title (self->job, _("Attack"));
  self->load_job = pb_job_new ();
  g_signal_connect_object (self->job, "notify::running", G_CALLBACK (on_job_running_cb), self,
                           G_CONNECT_SWAPPED);
  g_signal_connect_object (self->job, "notify::fraction", G_CALLBACK (on_job_progress_cb), self,
                           G_CONNECT_SWAPPED);
  g_signal_connect_object (self->job, "finished", G_CALLBACK (on_job_finished_cb), self,
                           G_CONNECT_SWAPPED);
  g_signal_connect_object (self->load_job, "finished", G_CALLBACK (on_load_finished_cb), self,
                           G_CONNECT_SWAPPED);
  g_signal_connect_object (self->checkpoint_row, "notify::selected",
                           G_CALLBACK (on_checkpoint_selected_cb), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->run_row, "notify::selected", G_CALLBACK (on_run_selected_cb),
                           self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->success_row, "notify::selected",
                           G_CALLBACK (on_filter_changed_cb), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->class_row, "notify::selected",
                           G_CALLBACK (on_filter_changed_cb), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->selection, "notify::selected",
                           G_CALLBACK (on_selection_changed_cb), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->first_toggle, "toggled", G_CALLBACK (on_selection_changed_cb),
                           self, G_CONNECT_SWAPPED);
  g_signal_connect (self, "map", G_CALLBACK (on_map_cb), NULL);
  update_actions (self);
}

PbPage *
pb_attack_page_new (void)
{
  return g_object_new (PB_TYPE_ATTACK_PAGE, NULL);
}

PbJob *
pb_attack_page_get_job (PbAttackPage *self)
{
  g_return_val_if_fail (PB_IS_ATTACK_PAGE (self), NULL);

  return self->job;
}

PbJob *
pb_attack_page_get_load_job (PbAttackPage *self)
{
  g_return_val_if_fail (PB_IS_ATTACK_PAGE (self), NULL);

  return self->load_job;
}

/**
 * pb_attack_page_get_samples:
 *
 * Returns: (transfer none): the listed attacked stays (#PbTextRow: stay,
 *   class, hours, adversarial yes/no, first and best iteration, perturbed
 *   elements and loss of the best example), after the filters
 */
GListModel *
pb_attack_page_get_samples (PbAttackPage *self)
{
  g_return_val_if_fail (PB_IS_ATTACK_PAGE (self), NULL);

  return G_LIST_MODEL (self->samples);
}

/**
 * pb_attack_page_get_run_id:
 *
 * Returns: the attack run shown in the browser, 0 when none
 */
gint64
pb_attack_page_get_run_id (PbAttackPage *self)
{
  g_return_val_if_fail (PB_IS_ATTACK_PAGE (self), 0);

  return self->shown_run_id;
}
