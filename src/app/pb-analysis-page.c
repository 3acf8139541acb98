/* pb-analysis-page.c — the Analysis page (SPEC §9): for one stored attack run,
 * the susceptibility maps of a condition (first or best examples × original
 * class 0 → 1 or 1 → 0, full-length stays as the reference or all), the
 * success rate per class, the sparsity histogram of first vs best examples
 * and the summary table; beside them an attribution map (mean |A| over the
 * attacked stays, computed on demand with the attack's checkpoint or read
 * back from the project) and the FGSM robustness curve. Every figure has an
 * export menu (PNG, SVG, PDF, CSV through PbPlotView's plot.export).
 *
 * The attack result is read in a PbJob worker; the matrices, tables and
 * histogram counts come from the engine (pb-susceptibility.h) and the plots
 * from src/plot. Attribution and FGSM run in a second job that stores them.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "pb-analysis-page.h"

#include "pb-format.h"

#include "pb-attack.h"
#include "pb-attribution.h"
#include "pb-fgsm.h"
#include "pb-figure-analysis.h"
#include "pb-figure-robustness.h"
#include "pb-plot-figure.h"
#include "pb-plot-view.h"
#include "pb-susceptibility.h"
#include "pb-text-table.h"

#include <glib/gi18n.h>
#include <math.h>


/* ---- what the workers hand to the page ------------------------------------- */

typedef struct
{
  GMutex               mutex;
  gint64               run_id;
  PbAttackResult      *result;       /* load job */
  gint64               stored_id;    /* compute job: the attribution or FGSM stored */
} Box;

static void
box_clear (Box *box)
{
  g_clear_pointer (&box->result, pb_attack_result_free);
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

struct _PbAnalysisPage
{
  PbPage               parent_instance;

  PbJob               *job;        /* attribution / FGSM (writes) */
  PbJob               *load_job;   /* reading an attack run */
  Box                 *box;
  Box                 *load_box;
  GPtrArray           *runs;       /* PbAttackRunInfo, newest first */
  GArray              *attribution_ids;  /* gint64 */
  GArray              *fgsm_ids;         /* gint64 */
  PbAttackResult      *result;
  gint64               shown_run_id;
  gboolean             computing_fgsm;
  GListStore          *summary;    /* PbTextRow */
  gboolean             updating;

  GtkStringList       *run_list;
  GtkStringList       *attribution_list;
  GtkStringList       *fgsm_list;
  AdwPreferencesGroup *run_group;
  AdwPreferencesGroup *job_group;
  AdwComboRow         *run_row;
  AdwComboRow         *example_row;
  AdwComboRow         *direction_row;
  AdwComboRow         *length_row;
  GtkColumnView       *summary_view;
  AdwPreferencesGroup *susceptibility_group;
  AdwComboRow         *metric_row;
  PbPlotView          *susceptibility_plot;
  AdwComboRow         *method_row;
  AdwComboRow         *attribution_row;
  PbPlotView          *attribution_plot;
  PbPlotView          *success_plot;
  PbPlotView          *sparsity_plot;
  AdwEntryRow         *epsilons_row;
  AdwComboRow         *fgsm_row;
  PbPlotView          *fgsm_plot;
  GtkProgressBar      *progress_bar;
  GtkLabel            *status_label;
};

G_DEFINE_FINAL_TYPE (PbAnalysisPage, pb_analysis_page, PB_TYPE_PAGE)

/* ---- workers ------------------------------------------------------------------- */

typedef struct
{
  char                *project_path;
  gint64               run_id;
  gint64               checkpoint_id;
  char                *dataset;
  guint               *indices;     /* attribution: the attacked stays */
  guint                n_indices;
  PbAttributionMethod  method;
  double              *epsilons;    /* FGSM */
  guint                n_epsilons;
  Box                 *box;
} Call;

static void
call_free (Call *call)
{
  g_free (call->project_path);
  g_free (call->dataset);
  g_free (call->indices);
  g_free (call->epsilons);
  g_clear_pointer (&call->box, box_unref);
  g_free (call);
}

static gboolean
load_worker (PbJob         *job,
             gpointer       data,
             GCancellable  *cancellable,
             GError       **error)
{
  Call *call = data;
  g_autoptr(PbProject) project = NULL;
  PbAttackResult *result;

  project = pb_project_open_full (call->project_path, PB_PROJECT_OPEN_READ_ONLY, -1, error);
  if (project == NULL)
    return FALSE;
  result = pb_attack_result_load (project, call->run_id, error);
  if (result == NULL)
    return FALSE;

  g_mutex_lock (&call->box->mutex);
  g_clear_pointer (&call->box->result, pb_attack_result_free);
  call->box->result = result;
  call->box->run_id = call->run_id;
  g_mutex_unlock (&call->box->mutex);
  return TRUE;
}

static char *
dup_model_source (PbProject *project,
                  gint64     checkpoint_id)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;

  stmt = pb_sqlite_prepare (pb_project_get_db (project),
                            "SELECT run_id, epoch FROM checkpoints WHERE checkpoint_id = ?1", NULL);
  if (stmt != NULL)
    {
      sqlite3_bind_int64 (stmt, 1, checkpoint_id);
      if (sqlite3_step (stmt) == SQLITE_ROW)
        return g_strdup_printf ("checkpoint %" G_GINT64_FORMAT " (run %" G_GINT64_FORMAT
                                ", epoch %d)", checkpoint_id,
                                (gint64) sqlite3_column_int64 (stmt, 0),
                                sqlite3_column_int (stmt, 1));
    }
  return g_strdup_printf ("checkpoint %" G_GINT64_FORMAT, checkpoint_id);
}

static gboolean
attribution_worker (PbJob         *job,
                    gpointer       data,
                    GCancellable  *cancellable,
                    GError       **error)
{
  Call *call = data;
  g_autoptr(PbProject) project = NULL;
  g_autoptr(PbModel) model = NULL;
  g_autoptr(PbDataset) dataset = NULL;
  g_autoptr(PbDataset) stays = NULL;
  g_autoptr(PbAttribution) attribution = NULL;
  g_autofree char *params = NULL;
  g_autofree char *source = NULL;
  PbAttributionConfig config;
  gint64 id = 0;

  project = pb_project_open (call->project_path, error);
  if (project == NULL)
    return FALSE;
  model = pb_attack_load_checkpoint (project, call->checkpoint_id, error);
  if (model == NULL)
    return FALSE;
  dataset = pb_dataset_load (project, call->dataset, error);
  if (dataset == NULL)
    return FALSE;
  for (guint i = 0; i < call->n_indices; i++)
    if (call->indices[i] >= dataset->n)
      {
        g_set_error (error, PB_ENGINE_ERROR, PB_ENGINE_ERROR_CORRUPT,
                     _("Dataset “%s” no longer holds the attacked stays"), call->dataset);
        return FALSE;
      }
  stays = pb_dataset_subset (dataset, call->indices, call->n_indices);

  pb_attribution_config_init (&config, call->method);
  if (!pb_attribution_config_validate (&config, stays->max_len, stays->n_features,
                                       stays->n_classes, error))
    return FALSE;
  attribution = pb_attribution_compute (model, stays, &config, pb_job_report, job, cancellable,
                                        error);
  if (attribution == NULL)
    return FALSE;
  params = pb_attribution_config_to_json (&config);
  source = dup_model_source (project, call->checkpoint_id);
  if (!pb_attribution_save (attribution, project, params, call->dataset, source,
                            call->checkpoint_id, 0, -1, &id, error))
    return FALSE;

  g_mutex_lock (&call->box->mutex);
  call->box->stored_id = id;
  g_mutex_unlock (&call->box->mutex);
  return TRUE;
}

static gboolean
fgsm_worker (PbJob         *job,
             gpointer       data,
             GCancellable  *cancellable,
             GError       **error)
{
  Call *call = data;
  g_autoptr(PbProject) project = NULL;
  g_autoptr(PbModel) model = NULL;
  g_autoptr(PbDataset) dataset = NULL;
  g_autoptr(PbFgsmResult) result = NULL;
  g_autofree char *params = NULL;
  g_autofree char *source = NULL;
  PbFgsmConfig config;
  gint64 id = 0;

  pb_fgsm_config_init (&config);
  config.epsilons = call->epsilons;
  config.n_epsilons = call->n_epsilons;
  if (!pb_fgsm_config_validate (&config, error))
    return FALSE;

  project = pb_project_open (call->project_path, error);
  if (project == NULL)
    return FALSE;
  model = pb_attack_load_checkpoint (project, call->checkpoint_id, error);
  if (model == NULL)
    return FALSE;
  dataset = pb_dataset_load (project, call->dataset, error);
  if (dataset == NULL)
    return FALSE;
  result = pb_fgsm_run (model, dataset, &config, pb_job_report, job, cancellable, error);
  if (result == NULL)
    return FALSE;
  params = pb_fgsm_config_to_json (&config);
  source = dup_model_source (project, call->checkpoint_id);
  if (!pb_fgsm_result_save (result, project, params, call->dataset, source, call->checkpoint_id,
                            &id, error))
    return FALSE;

  g_mutex_lock (&call->box->mutex);
  call->box->stored_id = id;
  g_mutex_unlock (&call->box->mutex);
  return TRUE;
}

/* ---- figures -------------------------------------------------------------------------- */

/* Shows @fig in @view, which keeps it; clears @view when there is nothing to
 * draw (%NULL, or data src/plot refuses). */
static void
set_or_clear (PbPlotView *view,
              PbFigure   *fig)
{
  g_autoptr(GError) error = NULL;

  if (fig == NULL)
    {
      pb_plot_view_clear (view);
      return;
    }
  if (!pb_plot_figure_check (pb_figure_get_plot_figure (fig), &error))
    {
      g_debug ("figure not shown: %s", error->message);
      pb_figure_free (fig);
      pb_plot_view_clear (view);
      return;
    }
  pb_plot_view_set_figure (view, pb_figure_get_kind (fig), fig, (GDestroyNotify) pb_figure_free);
}

static void
fill_condition (PbAnalysisPage    *self,
                PbAttackCondition *cond)
{
  PbAttackExample kind = adw_combo_row_get_selected (self->example_row) == 1
                         ? PB_ATTACK_EXAMPLE_FIRST : PB_ATTACK_EXAMPLE_BEST;

  pb_attack_condition_init (cond, kind, (gint) adw_combo_row_get_selected (self->direction_row));
  cond->seq_length = adw_combo_row_get_selected (self->length_row) == 1 ? 0
                     : self->result->max_len;
}

static void
show_susceptibility (PbAnalysisPage *self)
{
  const PbAttackResult *r = self->result;
  g_autoptr(PbSusceptibility) s = NULL;
  guint metric = adw_combo_row_get_selected (self->metric_row);
  PbAttackCondition cond;
  g_autofree char *desc = NULL;

  if (r == NULL)
    {
      pb_plot_view_clear (self->susceptibility_plot);
      adw_preferences_group_set_description (self->susceptibility_group, NULL);
      return;
    }

  fill_condition (self, &cond);
  s = pb_susceptibility_compute (r, &cond);
  metric = MIN (metric, PB_FIGURE_MAP_SENSITIVITY);

  desc = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%s attack, %s examples: %u adversarial "
                                       "example", "%s attack, %s examples: %u adversarial "
                                       "examples", s->n_examples),
                          cond.orig_label == 0 ? "0 → 1" : "1 → 0",
                          cond.kind == PB_ATTACK_EXAMPLE_FIRST ? _("first") : _("best"),
                          s->n_examples);
  adw_preferences_group_set_description (self->susceptibility_group, desc);
  if (s->n_examples == 0)
    {
      g_autofree char *more = g_strconcat (desc, cond.seq_length > 0
                                                   ? _(" of full length; choose all lengths "
                                                       "under Stays to include shorter ones.")
                                                   : ".", NULL);

      adw_preferences_group_set_description (self->susceptibility_group, more);
      pb_plot_view_clear (self->susceptibility_plot);
      return;
    }

  set_or_clear (self->susceptibility_plot, pb_figure_new_susceptibility (r, &cond, s, metric));
}

static void
show_sparsity (PbAnalysisPage *self)
{
  PbAttackCondition cond;

  if (self->result == NULL)
    {
      pb_plot_view_clear (self->sparsity_plot);
      return;
    }

  fill_condition (self, &cond);
  set_or_clear (self->sparsity_plot, pb_figure_new_sparsity (self->result, &cond));
}

static char *
label_name (double label)
{
  return label < 0 ? g_strdup (_("All"))
         : label == 0 ? g_strdup ("0 → 1") : label == 1 ? g_strdup ("1 → 0")
         : g_strdup_printf ("%.0f", label);
}

static char *
fmt (double v,
     const char *format)
{
  return isfinite (v) ? g_strdup_printf (format, v) : g_strdup ("—");
}

static void
show_success (PbAnalysisPage *self)
{
  const PbAttackResult *r = self->result;
  g_autoptr(PbTable) t = NULL;
  g_autoptr(GPtrArray) rows = g_ptr_array_new_with_free_func (g_object_unref);

  if (r == NULL)
    {
      g_list_store_remove_all (self->summary);
      pb_plot_view_clear (self->success_plot);
      return;
    }

  t = pb_attack_success_table (r);
  for (guint row = 0; row < t->n_rows; row++)
    {
      const double *v = t->values + (gsize) row * t->n_cols;
      char **texts = g_new0 (char *, 9);

      texts[0] = label_name (v[0]);
      texts[1] = fmt (v[1], "%.0f");
      texts[2] = fmt (v[2], "%.0f");
      texts[3] = v[1] > 0 ? fmt (100.0 * v[3], "%.1f %%") : g_strdup ("—");
      texts[4] = fmt (v[4], "%.1f");
      texts[5] = fmt (v[5], "%.1f");
      texts[6] = fmt (v[6], "%.4f");
      texts[7] = fmt (v[7], "%.1f");
      g_ptr_array_add (rows, pb_text_row_new_take (texts));
    }
  g_list_store_splice (self->summary, 0, g_list_model_get_n_items (G_LIST_MODEL (self->summary)),
                       rows->pdata, rows->len);

  set_or_clear (self->success_plot, pb_figure_new_success (r));
}

static void
show_attribution_matrix (PbAnalysisPage      *self,
                         PbFeatureHourMatrix *m,
                         const char          *title)
{
  if (m == NULL)
    {
      pb_plot_view_clear (self->attribution_plot);
      return;
    }
  set_or_clear (self->attribution_plot,
                pb_figure_new_attribution (m, self->result != NULL ? self->result->feature_names
                                                                   : NULL, title));
  pb_feature_hour_matrix_free (m);
}

static void
show_fgsm_result (PbAnalysisPage *self,
                  PbFgsmResult   *r,
                  const char     *title)
{
  if (r == NULL)
    {
      pb_plot_view_clear (self->fgsm_plot);
      return;
    }
  set_or_clear (self->fgsm_plot, pb_figure_new_fgsm (r, title));
}

static void
show_condition (PbAnalysisPage *self)
{
  show_susceptibility (self);
  show_sparsity (self);
}

/* ---- state ---------------------------------------------------------------------------- */

static void
set_status (PbAnalysisPage *self,
            const char     *message,
            gboolean        is_error)
{
  gtk_label_set_text (self->status_label, message != NULL ? message : "");
  gtk_widget_set_visible (GTK_WIDGET (self->status_label), message != NULL);
  if (is_error)
    gtk_widget_add_css_class (GTK_WIDGET (self->status_label), "error");
  else
    gtk_widget_remove_css_class (GTK_WIDGET (self->status_label), "error");
}

static void
fail (PbAnalysisPage *self,
      const char     *message)
{
  gtk_widget_set_visible (GTK_WIDGET (self->job_group), TRUE);
  set_status (self, message, TRUE);
  pb_page_toast (PB_PAGE (self), message);
}

static const PbAttackRunInfo *
selected_run (PbAnalysisPage *self)
{
  guint pos = adw_combo_row_get_selected (self->run_row);

  if (self->runs == NULL || pos == GTK_INVALID_LIST_POSITION || pos >= self->runs->len)
    return NULL;
  return self->runs->pdata[pos];
}

static void
update_actions (PbAnalysisPage *self)
{
  gboolean running = pb_job_get_running (self->job);
  gboolean have_run = selected_run (self) != NULL && self->result != NULL;

  gtk_widget_action_set_enabled (GTK_WIDGET (self), "analysis.attribute", have_run && !running);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "analysis.fgsm", have_run && !running);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "analysis.cancel", running);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "analysis.export-summary",
                                 self->result != NULL);
}

/* Stored attributions and FGSM curves, newest first; selects @attribution / @fgsm
 * (0: the newest made with the run's checkpoint, if any). */
static void
load_stored (PbAnalysisPage *self,
             gint64          attribution,
             gint64          fgsm)
{
  PbProject *project = pb_page_get_project (PB_PAGE (self));
  const PbAttackRunInfo *run = selected_run (self);
  const struct {
    const char    *sql;
    GtkStringList *list;
    GArray        *ids;
    AdwComboRow   *row;
    gint64         select;
  } q[] = {
    { "SELECT attribution_id, method, model_source, n_samples, created_at, checkpoint_id "
      "FROM attributions WHERE parent_id IS NULL ORDER BY attribution_id DESC",
      self->attribution_list, self->attribution_ids, self->attribution_row, attribution },
    { "SELECT fgsm_id, 'FGSM', model_source, n_samples, created_at, checkpoint_id "
      "FROM fgsm_runs ORDER BY fgsm_id DESC",
      self->fgsm_list, self->fgsm_ids, self->fgsm_row, fgsm },
  };

  for (guint k = 0; k < G_N_ELEMENTS (q); k++)
    {
      g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
      g_auto(GStrv) names = NULL;
      guint n_old = g_list_model_get_n_items (G_LIST_MODEL (q[k].list));
      guint pos = GTK_INVALID_LIST_POSITION;

      g_array_set_size (q[k].ids, 0);
      if (project != NULL)
        {
          sqlite3 *db = pb_project_get_db (project);
          g_autoptr(sqlite3_stmt) stmt = pb_sqlite_prepare (db, q[k].sql, NULL);

          while (stmt != NULL && sqlite3_step (stmt) == SQLITE_ROW)
            {
              gint64 id = sqlite3_column_int64 (stmt, 0);
              g_autofree char *when =
                pb_format_timestamp ((const char *) sqlite3_column_text (stmt, 4));
              g_autofree char *name =
                g_strdup_printf (_("%lld: %s of %s, %d stays (%s)"), (long long) id,
                                 (const char *) sqlite3_column_text (stmt, 1),
                                 (const char *) sqlite3_column_text (stmt, 2),
                                 sqlite3_column_int (stmt, 3), when);

              if (id == q[k].select ||
                  (q[k].select == 0 && pos == GTK_INVALID_LIST_POSITION && run != NULL &&
                   run->checkpoint_id > 0 && sqlite3_column_int64 (stmt, 5) == run->checkpoint_id))
                pos = q[k].ids->len;
              g_strv_builder_add (builder, name);
              g_array_append_val (q[k].ids, id);
            }
        }
      names = g_strv_builder_end (builder);
      self->updating = TRUE;
      gtk_string_list_splice (q[k].list, 0, n_old, (const char * const *) names);
      adw_combo_row_set_selected (q[k].row, pos);
      self->updating = FALSE;
      gtk_widget_set_sensitive (GTK_WIDGET (q[k].row), q[k].ids->len > 0);
    }
}

static void
show_stored_attribution (PbAnalysisPage *self)
{
  PbProject *project = pb_page_get_project (PB_PAGE (self));
  guint pos = adw_combo_row_get_selected (self->attribution_row);
  g_autoptr(GError) error = NULL;
  PbFeatureHourMatrix *m;
  gint64 id;

  if (project == NULL || pos == GTK_INVALID_LIST_POSITION || pos >= self->attribution_ids->len)
    {
      pb_plot_view_clear (self->attribution_plot);
      return;
    }
  id = g_array_index (self->attribution_ids, gint64, pos);
  m = pb_attribution_load_matrix (project, id, "mean_abs", &error);
  if (m == NULL)
    {
      g_autofree char *text = g_strdup_printf (_("Could not read attribution %lld"
                                                 ": %s"), (long long) id, error->message);

      pb_plot_view_clear (self->attribution_plot);
      fail (self, text);
      return;
    }
  {
    g_autofree char *title = g_strdup_printf (_("Attribution %lld: mean "
                                                "|attribution|"), (long long) id);

    show_attribution_matrix (self, m, title);
  }
}

static void
show_stored_fgsm (PbAnalysisPage *self)
{
  PbProject *project = pb_page_get_project (PB_PAGE (self));
  guint pos = adw_combo_row_get_selected (self->fgsm_row);
  g_autoptr(GError) error = NULL;
  g_autoptr(PbFgsmResult) r = NULL;
  g_autofree char *title = NULL;
  gint64 id;

  if (project == NULL || pos == GTK_INVALID_LIST_POSITION || pos >= self->fgsm_ids->len)
    {
      pb_plot_view_clear (self->fgsm_plot);
      return;
    }
  id = g_array_index (self->fgsm_ids, gint64, pos);
  r = pb_fgsm_result_load_curve (project, id, &error);
  if (r == NULL)
    {
      g_autofree char *text = g_strdup_printf (_("Could not read FGSM curve %lld"
                                                 ": %s"), (long long) id, error->message);

      pb_plot_view_clear (self->fgsm_plot);
      fail (self, text);
      return;
    }
  title = g_strdup_printf (_("FGSM robustness (%u stays)"), r->n);
  show_fgsm_result (self, r, title);
}

static void
show_result (PbAnalysisPage *self)
{
  const PbAttackResult *r = self->result;

  if (r != NULL)
    {
      g_autofree char *desc =
        g_strdup_printf (_("Attack run %lld (preset %s): %u candidates, %u "
                           "attacked, %u done."), (long long) r->run_id,
                         pb_protocol_get_name (r->params.preset), r->n_candidates, r->n,
                         r->n_done);

      adw_preferences_group_set_description (self->run_group, desc);
    }
  show_condition (self);
  show_success (self);
  update_actions (self);
}

static void
start_load (PbAnalysisPage *self)
{
  PbProject *project = pb_page_get_project (PB_PAGE (self));
  const PbAttackRunInfo *run = selected_run (self);
  Call *call;

  pb_job_cancel (self->load_job);
  if (project == NULL || run == NULL || pb_job_get_running (self->load_job))
    return;

  call = g_new0 (Call, 1);
  call->project_path = g_strdup (pb_project_get_path (project));
  call->run_id = run->run_id;
  call->box = g_atomic_rc_box_acquire (self->load_box);
  pb_job_start (self->load_job, load_worker, call, (GDestroyNotify) call_free);
}

static void
load_runs (PbAnalysisPage *self)
{
  PbProject *project = pb_page_get_project (PB_PAGE (self));
  g_autoptr(GPtrArray) runs = NULL;
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
  g_auto(GStrv) names = NULL;
  guint n_old = g_list_model_get_n_items (G_LIST_MODEL (self->run_list));

  if (project != NULL)
    {
      g_autoptr(GError) error = NULL;

      runs = pb_attack_run_list (project, &error);
      if (runs == NULL)
        g_warning ("listing attack runs: %s", error->message);
    }
  if (runs == NULL)
    runs = g_ptr_array_new_with_free_func ((GDestroyNotify) pb_attack_run_info_free);
  for (guint i = 0; i < runs->len / 2; i++)
    {
      gpointer tmp = runs->pdata[i];

      runs->pdata[i] = runs->pdata[runs->len - 1 - i];
      runs->pdata[runs->len - 1 - i] = tmp;
    }
  for (guint i = 0; i < runs->len; i++)
    {
      const PbAttackRunInfo *r = runs->pdata[i];
      g_autofree char *when = pb_format_timestamp (r->created_at);
      g_autofree char *name =
        r->complete ? g_strdup_printf (_("Run %lld: %s, %u stays (%s)"),
                                       (long long) r->run_id, r->dataset_name, r->n_attacked,
                                       when)
                    : g_strdup_printf (_("Run %lld: %s, %u stays, unfinished "
                                         "(%u of %u batches)"), (long long) r->run_id,
                                       r->dataset_name,
                                       r->n_attacked, r->n_batches_done, r->n_batches);

      g_strv_builder_add (builder, name);
    }
  names = g_strv_builder_end (builder);

  self->updating = TRUE;
  g_clear_pointer (&self->runs, g_ptr_array_unref);
  self->runs = g_steal_pointer (&runs);
  gtk_string_list_splice (self->run_list, 0, n_old, (const char * const *) names);
  adw_combo_row_set_selected (self->run_row, self->runs->len > 0 ? 0 : GTK_INVALID_LIST_POSITION);
  self->updating = FALSE;
  gtk_widget_set_sensitive (GTK_WIDGET (self->run_row), self->runs->len > 0);

  g_clear_pointer (&self->result, pb_attack_result_free);
  self->shown_run_id = 0;
  if (self->runs->len == 0)
    adw_preferences_group_set_description (self->run_group,
                                           project != NULL
                                             ? _("No attack yet: run one on the Attack page.")
                                             : NULL);
  show_result (self);
  load_stored (self, 0, 0);
  show_stored_attribution (self);
  show_stored_fgsm (self);
  start_load (self);
}

/* ---- callbacks ---------------------------------------------------------------------------- */

static void
on_map_cb (PbAnalysisPage *self)
{
  /* attack runs made on the Attack page since */
  if (!pb_job_get_running (self->job) && pb_page_get_project (PB_PAGE (self)) != NULL)
    {
      guint n_runs = self->runs != NULL ? self->runs->len : 0;
      g_autoptr(GPtrArray) runs = pb_attack_run_list (pb_page_get_project (PB_PAGE (self)), NULL);
      gboolean changed = runs != NULL && runs->len != n_runs;

      /* … or batches attacked since (self->runs is newest first) */
      for (guint i = 0; runs != NULL && !changed && i < n_runs; i++)
        {
          const PbAttackRunInfo *now = runs->pdata[n_runs - 1 - i];
          const PbAttackRunInfo *shown = self->runs->pdata[i];

          changed = now->run_id != shown->run_id || now->n_batches_done != shown->n_batches_done;
        }
      if (changed)
        load_runs (self);
    }
}

static void
on_run_selected_cb (PbAnalysisPage *self)
{
  if (self->updating)
    return;
  start_load (self);
  load_stored (self, 0, 0);
  show_stored_attribution (self);
  show_stored_fgsm (self);
  update_actions (self);
}

static void
on_condition_changed_cb (PbAnalysisPage *self)
{
  if (!self->updating)
    show_condition (self);
}

static void
on_attribution_selected_cb (PbAnalysisPage *self)
{
  if (!self->updating)
    show_stored_attribution (self);
}

static void
on_fgsm_selected_cb (PbAnalysisPage *self)
{
  if (!self->updating)
    show_stored_fgsm (self);
}

static void
on_load_finished_cb (PbAnalysisPage *self,
                     gboolean        success)
{
  const GError *error = pb_job_get_error (self->load_job);
  const PbAttackRunInfo *run = selected_run (self);

  if (success)
    {
      g_mutex_lock (&self->load_box->mutex);
      if (self->load_box->result != NULL)
        {
          g_clear_pointer (&self->result, pb_attack_result_free);
          self->result = g_steal_pointer (&self->load_box->result);
          self->shown_run_id = self->load_box->run_id;
        }
      g_mutex_unlock (&self->load_box->mutex);
      show_result (self);
      /* feature names arrived with the result */
      show_stored_attribution (self);
    }
  else if (error != NULL)
    {
      g_autofree char *text = g_strdup_printf (_("Could not read the attack run: %s"),
                                               error->message);

      fail (self, text);
    }

  if (run != NULL && run->run_id != self->shown_run_id && (success || error == NULL))
    start_load (self);
}

static void
on_job_running_cb (PbAnalysisPage *self)
{
  update_actions (self);
}

static void
on_job_progress_cb (PbAnalysisPage *self)
{
  pb_page_show_job_progress (PB_PAGE (self), self->job, self->progress_bar);
}

static void
on_job_finished_cb (PbAnalysisPage *self,
                    gboolean        success)
{
  const GError *error = pb_job_get_error (self->job);
  gint64 id;

  g_mutex_lock (&self->box->mutex);
  id = self->box->stored_id;
  g_mutex_unlock (&self->box->mutex);

  if (success)
    {
      gtk_progress_bar_set_fraction (self->progress_bar, 1.0);
      gtk_progress_bar_set_text (self->progress_bar, self->computing_fgsm
                                                       ? _("FGSM curve stored")
                                                       : _("Attribution stored"));
      set_status (self, NULL, FALSE);
      load_stored (self, self->computing_fgsm ? -1 : id, self->computing_fgsm ? id : -1);
      if (self->computing_fgsm)
        show_stored_fgsm (self);
      else
        show_stored_attribution (self);
    }
  else if (error != NULL)
    {
      const char *format = self->computing_fgsm ? _("FGSM failed: %s")
                                                : _("The attribution failed: %s");
      g_autofree char *text = g_strdup_printf (format, error->message);

      gtk_progress_bar_set_text (self->progress_bar, _("Failed"));
      fail (self, text);
    }
  else
    {
      gtk_progress_bar_set_text (self->progress_bar, _("Cancelled"));
      set_status (self, _("Cancelled; nothing was stored."), FALSE);
    }
}

/* ---- actions ------------------------------------------------------------------------------ */

static Call *
call_for_run (PbAnalysisPage  *self,
              GError         **error)
{
  PbProject *project = pb_page_get_project (PB_PAGE (self));
  const PbAttackRunInfo *run = selected_run (self);
  Call *call;

  if (project == NULL || run == NULL || self->result == NULL)
    {
      g_set_error_literal (error, PB_ENGINE_ERROR, PB_ENGINE_ERROR_INVALID_ARGUMENT,
                           _("Choose an attack run first"));
      return NULL;
    }
  if (run->checkpoint_id <= 0)
    {
      g_set_error (error, PB_ENGINE_ERROR, PB_ENGINE_ERROR_INVALID_ARGUMENT,
                   _("Attack run %lld attacked a model from a weights file, not "
                     "a stored checkpoint"), (long long) run->run_id);
      return NULL;
    }
  call = g_new0 (Call, 1);
  call->project_path = g_strdup (pb_project_get_path (project));
  call->run_id = run->run_id;
  call->checkpoint_id = run->checkpoint_id;
  call->dataset = g_strdup (run->dataset_name);
  return call;
}

static void
start_compute (PbAnalysisPage *self,
               PbJobFunc       func,
               Call           *call,
               gboolean        fgsm)
{
  g_clear_pointer (&self->box, box_unref);
  self->box = box_new ();
  call->box = g_atomic_rc_box_acquire (self->box);
  self->computing_fgsm = fgsm;
  gtk_widget_set_visible (GTK_WIDGET (self->job_group), TRUE);
  set_status (self, NULL, FALSE);
  gtk_progress_bar_set_fraction (self->progress_bar, 0);
  gtk_progress_bar_set_text (self->progress_bar, fgsm ? _("FGSM…") : _("Attribution…"));
  pb_page_start_writer (PB_PAGE (self), self->job, func, call, (GDestroyNotify) call_free);
}

static void
pb_analysis_page_attribute_action (GtkWidget  *widget,
                                   const char *action_name,
                                   GVariant   *parameter)
{
  PbAnalysisPage *self = PB_ANALYSIS_PAGE (widget);
  static const PbAttributionMethod methods[] = {
    PB_ATTRIBUTION_METHOD_GRAD_INPUT,
    PB_ATTRIBUTION_METHOD_INTEGRATED_GRADIENTS,
    PB_ATTRIBUTION_METHOD_OCCLUSION,
  };
  g_autoptr(GError) error = NULL;
  guint m = adw_combo_row_get_selected (self->method_row);
  Call *call;

  if (pb_job_get_running (self->job) || !pb_page_check_project_free (PB_PAGE (self)))
    return;
  call = call_for_run (self, &error);
  if (call == NULL)
    {
      fail (self, error->message);
      return;
    }
  call->method = methods[MIN (m, G_N_ELEMENTS (methods) - 1)];
  call->n_indices = self->result->n;
  call->indices = g_memdup2 (self->result->dataset_index,
                             sizeof (guint) * MAX (self->result->n, 1));
  if (call->n_indices == 0)
    {
      call_free (call);
      fail (self, _("The attack run has no attacked stays to attribute"));
      return;
    }
  start_compute (self, attribution_worker, call, FALSE);
}

static void
pb_analysis_page_fgsm_action (GtkWidget  *widget,
                              const char *action_name,
                              GVariant   *parameter)
{
  PbAnalysisPage *self = PB_ANALYSIS_PAGE (widget);
  g_autoptr(GError) error = NULL;
  PbFgsmConfig config;
  Call *call;

  if (pb_job_get_running (self->job) || !pb_page_check_project_free (PB_PAGE (self)))
    return;
  call = call_for_run (self, &error);
  if (call == NULL ||
      !pb_fgsm_parse_epsilons (gtk_editable_get_text (GTK_EDITABLE (self->epsilons_row)),
                               &call->epsilons, &call->n_epsilons, &error))
    {
      g_autofree char *text = g_strdup_printf (_("Cannot run FGSM: %s"), error->message);

      g_clear_pointer (&call, call_free);
      fail (self, text);
      return;
    }
  pb_fgsm_config_init (&config);
  config.epsilons = call->epsilons;
  config.n_epsilons = call->n_epsilons;
  if (!pb_fgsm_config_validate (&config, &error))
    {
      g_autofree char *text = g_strdup_printf (_("Cannot run FGSM: %s"), error->message);

      call_free (call);
      fail (self, text);
      return;
    }
  start_compute (self, fgsm_worker, call, TRUE);
}

static void
pb_analysis_page_cancel_action (GtkWidget  *widget,
                                const char *action_name,
                                GVariant   *parameter)
{
  PbAnalysisPage *self = PB_ANALYSIS_PAGE (widget);

  if (pb_job_get_running (self->job))
    {
      gtk_progress_bar_set_text (self->progress_bar, _("Cancelling…"));
      pb_job_cancel (self->job);
    }
}

static void
export_plot (PbPlotView *view,
             GVariant   *parameter)
{
  if (pb_plot_view_has_figure (view))
    gtk_widget_activate_action_variant (GTK_WIDGET (view), "plot.export", parameter);
}

#define EXPORT_ACTION(name, field)                                                    \
  static void                                                                         \
  pb_analysis_page_export_##name##_action (GtkWidget  *widget,                        \
                                           const char *action_name,                   \
                                           GVariant   *parameter)                     \
  {                                                                                   \
    export_plot (PB_ANALYSIS_PAGE (widget)->field, parameter);                        \
  }

EXPORT_ACTION (susceptibility, susceptibility_plot)
EXPORT_ACTION (attribution, attribution_plot)
EXPORT_ACTION (success, success_plot)
EXPORT_ACTION (sparsity, sparsity_plot)
EXPORT_ACTION (fgsm, fgsm_plot)

static void
on_summary_file_cb (GtkNativeDialog *dialog,
                    int              response,
                    gpointer         user_data)
{
  PbAnalysisPage *self = PB_ANALYSIS_PAGE (user_data);

  if (response == GTK_RESPONSE_ACCEPT)
    {
      g_autoptr(GFile) file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (dialog));
      g_autofree char *path = file != NULL ? g_file_get_path (file) : NULL;
      g_autoptr(GError) error = NULL;

      if (path == NULL)
        fail (self, _("Could not export the table: not a local file"));
      else if (!pb_analysis_page_export_summary (self, path, &error))
        {
          g_autofree char *text = g_strdup_printf (_("Could not export the table: %s"),
                                                   error->message);

          fail (self, text);
        }
    }
  g_object_unref (dialog);
  g_object_unref (self);
}

static void
pb_analysis_page_export_summary_action (GtkWidget  *widget,
                                        const char *action_name,
                                        GVariant   *parameter)
{
  PbAnalysisPage *self = PB_ANALYSIS_PAGE (widget);
  GtkRoot *root = gtk_widget_get_root (widget);
  GtkFileChooserNative *dialog;

  if (self->result == NULL)
    return;
  dialog = gtk_file_chooser_native_new (_("Export Table"),
                                        GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL,
                                        GTK_FILE_CHOOSER_ACTION_SAVE, _("_Export"), _("_Cancel"));
  gtk_file_chooser_set_current_name (GTK_FILE_CHOOSER (dialog), "attack-summary.csv");
  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (dialog), TRUE);
  g_signal_connect (dialog, "response", G_CALLBACK (on_summary_file_cb), g_object_ref (self));
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (dialog));
}

/* ---- object ---------------------------------------------------------------------------- */

static void
pb_analysis_page_project_changed (PbPage    *page,
                                  PbProject *project)
{
  PbAnalysisPage *self = PB_ANALYSIS_PAGE (page);

  pb_job_cancel (self->load_job);
  load_runs (self);
}

static void
pb_analysis_page_dispose (GObject *object)
{
  PbAnalysisPage *self = (PbAnalysisPage *)object;

  if (self->job != NULL)
    pb_job_cancel (self->job);
  if (self->load_job != NULL)
    pb_job_cancel (self->load_job);

  gtk_widget_dispose_template (GTK_WIDGET (self), PB_TYPE_ANALYSIS_PAGE);

  g_clear_object (&self->job);
  g_clear_object (&self->load_job);
  g_clear_object (&self->summary);
  g_clear_pointer (&self->box, box_unref);
  g_clear_pointer (&self->load_box, box_unref);
  g_clear_pointer (&self->runs, g_ptr_array_unref);
  g_clear_pointer (&self->attribution_ids, g_array_unref);
  g_clear_pointer (&self->fgsm_ids, g_array_unref);
  g_clear_pointer (&self->result, pb_attack_result_free);

  G_OBJECT_CLASS (pb_analysis_page_parent_class)->dispose (object);
}

static void
pb_analysis_page_class_init (PbAnalysisPageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  PbPageClass *page_class = PB_PAGE_CLASS (klass);

  object_class->dispose = pb_analysis_page_dispose;
  page_class->project_changed = pb_analysis_page_project_changed;

  g_type_ensure (PB_TYPE_PLOT_VIEW);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               RESOURCE_PREFIX "/ui/pb-analysis-page.ui");
  gtk_widget_class_bind_template_child (widget_class, PbAnalysisPage, run_list);
  gtk_widget_class_bind_template_child (widget_class, PbAnalysisPage, attribution_list);
  gtk_widget_class_bind_template_child (widget_class, PbAnalysisPage, fgsm_list);
  gtk_widget_class_bind_template_child (widget_class, PbAnalysisPage, run_group);
  gtk_widget_class_bind_template_child (widget_class, PbAnalysisPage, job_group);
  gtk_widget_class_bind_template_child (widget_class, PbAnalysisPage, run_row);
  gtk_widget_class_bind_template_child (widget_class, PbAnalysisPage, example_row);
  gtk_widget_class_bind_template_child (widget_class, PbAnalysisPage, direction_row);
  gtk_widget_class_bind_template_child (widget_class, PbAnalysisPage, length_row);
  gtk_widget_class_bind_template_child (widget_class, PbAnalysisPage, summary_view);
  gtk_widget_class_bind_template_child (widget_class, PbAnalysisPage, susceptibility_group);
  gtk_widget_class_bind_template_child (widget_class, PbAnalysisPage, metric_row);
  gtk_widget_class_bind_template_child (widget_class, PbAnalysisPage, susceptibility_plot);
  gtk_widget_class_bind_template_child (widget_class, PbAnalysisPage, method_row);
  gtk_widget_class_bind_template_child (widget_class, PbAnalysisPage, attribution_row);
  gtk_widget_class_bind_template_child (widget_class, PbAnalysisPage, attribution_plot);
  gtk_widget_class_bind_template_child (widget_class, PbAnalysisPage, success_plot);
  gtk_widget_class_bind_template_child (widget_class, PbAnalysisPage, sparsity_plot);
  gtk_widget_class_bind_template_child (widget_class, PbAnalysisPage, epsilons_row);
  gtk_widget_class_bind_template_child (widget_class, PbAnalysisPage, fgsm_row);
  gtk_widget_class_bind_template_child (widget_class, PbAnalysisPage, fgsm_plot);
  gtk_widget_class_bind_template_child (widget_class, PbAnalysisPage, progress_bar);
  gtk_widget_class_bind_template_child (widget_class, PbAnalysisPage, status_label);

  gtk_widget_class_install_action (widget_class, "analysis.attribute", NULL,
                                   pb_analysis_page_attribute_action);
  gtk_widget_class_install_action (widget_class, "analysis.fgsm", NULL,
                                   pb_analysis_page_fgsm_action);
  gtk_widget_class_install_action (widget_class, "analysis.cancel", NULL,
                                   pb_analysis_page_cancel_action);
  gtk_widget_class_install_action (widget_class, "analysis.export-susceptibility", "s",
                                   pb_analysis_page_export_susceptibility_action);
  gtk_widget_class_install_action (widget_class, "analysis.export-attribution", "s",
                                   pb_analysis_page_export_attribution_action);
  gtk_widget_class_install_action (widget_class, "analysis.export-success", "s",
                                   pb_analysis_page_export_success_action);
  gtk_widget_class_install_action (widget_class, "analysis.export-sparsity", "s",
                                   pb_analysis_page_export_sparsity_action);
  gtk_widget_class_install_action (widget_class, "analysis.export-fgsm", "s",
                                   pb_analysis_page_export_fgsm_action);
  gtk_widget_class_install_action (widget_class, "analysis.export-summary", NULL,
                                   pb_analysis_page_export_summary_action);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "analysis.cancel", NULL);
}

static void
name_plot (PbPlotView *view,
           const char *file_stem,
           const char *widget_name)
{
  pb_plot_view_set_export_name (view, file_stem);
  gtk_widget_set_name (GTK_WIDGET (view), widget_name);
}

static void
pb_analysis_page_init (PbAnalysisPage *self)
{
  g_autoptr(GtkNoSelection) selection = NULL;

  gtk_widget_init_template (GTK_WIDGET (self));

  self->box = box_new ();
  self->load_box = box_new ();
  self->attribution_ids = g_array_new (FALSE, FALSE, sizeof (gint64));
  self->fgsm_ids = g_array_new (FALSE, FALSE, sizeof (gint64));

  self->summary = g_list_store_new (PB_TYPE_TEXT_ROW);
  selection = gtk_no_selection_new (G_LIST_MODEL (g_object_ref (self->summary)));
  gtk_column_view_set_model (self->summary_view, GTK_SELECTION_MODEL (selection));
  pb_text_table_add_column (self->summary_view, _("Attack"), 0, FALSE, FALSE);
  pb_text_table_add_column (self->summary_view, _("Attacked"), 1, TRUE, FALSE);
  pb_text_table_add_column (self->summary_view, _("Adversarial"), 2, TRUE, FALSE);
  pb_text_table_add_column (self->summary_view, _("Success"), 3, TRUE, FALSE);
  pb_text_table_add_column (self->summary_view, _("Median size (first)"), 4, TRUE, FALSE);
  pb_text_table_add_column (self->summary_view, _("Median size (best)"), 5, TRUE, FALSE);
  pb_text_table_add_column (self->summary_view, _("Sparsity (best)"), 6, TRUE, FALSE);
  pb_text_table_add_column (self->summary_view, _("Median first at"), 7, TRUE, TRUE);

  name_plot (self->susceptibility_plot, "susceptibility", "susceptibility_plot");
  name_plot (self->attribution_plot, "attribution", "attribution_plot");
  name_plot (self->success_plot, "success-rate", "success_plot");
  name_plot (self->sparsity_plot, "sparsity", "sparsity_plot");
  name_plot (self->fgsm_plot, "fgsm", "fgsm_plot");
  pb_plot_view_set_export_width_mm (self->susceptibility_plot, PB_PLOT_WIDTH_DOUBLE_COLUMN_MM);
  pb_plot_view_set_export_width_mm (self->attribution_plot, PB_PLOT_WIDTH_DOUBLE_COLUMN_MM);

  self->job = pb_job_new ();
  pb_job_set_title (self->job, _("Analysis"));
  self->load_job = pb_job_new ();
  g_signal_connect_object (self->job, "notify::running", G_CALLBACK (on_job_running_cb), self,
                           G_CONNECT_SWAPPED);
  g_signal_connect_object (self->job, "notify::fraction", G_CALLBACK (on_job_progress_cb), self,
                           G_CONNECT_SWAPPED);
  g_signal_connect_object (self->job, "finished", G_CALLBACK (on_job_finished_cb), self,
                           G_CONNECT_SWAPPED);
  g_signal_connect_object (self->load_job, "finished", G_CALLBACK (on_load_finished_cb), self,
                           G_CONNECT_SWAPPED);
  g_signal_connect_object (self->run_row, "notify::selected", G_CALLBACK (on_run_selected_cb),
                           self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->example_row, "notify::selected",
                           G_CALLBACK (on_condition_changed_cb), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->direction_row, "notify::selected",
                           G_CALLBACK (on_condition_changed_cb), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->length_row, "notify::selected",
                           G_CALLBACK (on_condition_changed_cb), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->metric_row, "notify::selected",
                           G_CALLBACK (on_condition_changed_cb), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->attribution_row, "notify::selected",
                           G_CALLBACK (on_attribution_selected_cb), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->fgsm_row, "notify::selected", G_CALLBACK (on_fgsm_selected_cb),
                           self, G_CONNECT_SWAPPED);
  g_signal_connect (self, "map", G_CALLBACK (on_map_cb), NULL);
  update_actions (self);
}

PbPage *
pb_analysis_page_new (void)
{
  return g_object_new (PB_TYPE_ANALYSIS_PAGE, NULL);
}

PbJob *
pb_analysis_page_get_job (PbAnalysisPage *self)
{
  g_return_val_if_fail (PB_IS_ANALYSIS_PAGE (self), NULL);

  return self->job;
}

PbJob *
pb_analysis_page_get_load_job (PbAnalysisPage *self)
{
  g_return_val_if_fail (PB_IS_ANALYSIS_PAGE (self), NULL);

  return self->load_job;
}

/**
 * pb_analysis_page_get_summary:
 *
 * Returns: (transfer none): the summary table (#PbTextRow: attack, attacked,
 *   adversarial, success rate, median perturbed elements first / best, mean
 *   sparsity of the best, median first iteration), one row per original class
 *   and one for all
 */
GListModel *
pb_analysis_page_get_summary (PbAnalysisPage *self)
{
  g_return_val_if_fail (PB_IS_ANALYSIS_PAGE (self), NULL);

  return G_LIST_MODEL (self->summary);
}

/**
 * pb_analysis_page_export_summary:
 * @self: a #PbAnalysisPage showing an attack run
 * @path: the CSV file to write
 * @error: return location for an error
 *
 * Writes the engine's success table of the shown run (pb_attack_success_table:
 * orig_label (−1 = all), n_attacked, n_successful, success_rate, medians of
 * the perturbed elements, mean sparsity, median first iteration) as CSV.
 *
 * Returns: %TRUE if the file was written
 */
gboolean
pb_analysis_page_export_summary (PbAnalysisPage  *self,
                                 const char      *path,
                                 GError         **error)
{
  g_autoptr(PbTable) table = NULL;

  g_return_val_if_fail (PB_IS_ANALYSIS_PAGE (self), FALSE);
  g_return_val_if_fail (path != NULL, FALSE);

  if (self->result == NULL)
    {
      g_set_error_literal (error, PB_ENGINE_ERROR, PB_ENGINE_ERROR_INVALID_ARGUMENT,
                           _("There is no attack run to export yet"));
      return FALSE;
    }
  table = pb_attack_success_table (self->result);
  return pb_table_write_csv (table, path, error);
}
