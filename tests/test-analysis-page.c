/* test-analysis-page.c — the Analysis page on a tiny project with a stored
 * attack (a 2-epoch model on 40 short stays): the summary table matches the
 * stored samples, the success, sparsity and susceptibility figures are drawn
 * and export as PNG and CSV; attribution and FGSM are computed on demand,
 * stored and drawn; bad ε lists are toasts; an empty project shows nothing and
 * does not crash; Cancel stores nothing; and the real app shows the page.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "pb-analysis-page.h"
#include "pb-plot-view.h"
#include "pb-text-table.h"

#include "pb-test-gui.h"
#include "pb-test-page.h"
#include "pb-test-util.h"

typedef PbTestPageFixture Fixture;

/* A 2-epoch model of the tiny dataset and a short attack on every stay. */
static void
train_and_attack (PbProject *project)
{
  g_autoptr(PbModel) model = NULL;
  g_autoptr(GError) error = NULL;
  PbAttackParams params;
  gint64 attack_id, checkpoint_id;

  pb_test_train_tiny (project);
  checkpoint_id = pb_test_query_int (project, "SELECT max(checkpoint_id) FROM checkpoints");
  model = pb_attack_load_checkpoint (project, checkpoint_id, &error);
  g_assert_no_error (error);
  pb_attack_params_init (&params);
  params.kappa = 0.0;
  params.lambda = 1e-5;
  params.optim.lr = 2.0;
  params.iterations = 150;
  params.batch_size = 16;
  attack_id = pb_attack_run_create (project, "default", model, checkpoint_id, &params, NULL,
                                    &error);
  g_assert_no_error (error);
  g_assert_true (pb_attack_run_execute (project, attack_id, NULL, NULL, NULL, &error));
  g_assert_no_error (error);
}

static void
fixture_setup (Fixture       *f,
               gconstpointer  data)
{
  pb_test_page_fixture_create_project (f, TRUE);
  if (data == NULL)
    train_and_attack (f->project);
  pb_test_page_fixture_show (f, pb_analysis_page_new ());
  pb_test_wait_job (pb_analysis_page_get_load_job (PB_ANALYSIS_PAGE (f->page)));
}

static void
fixture_tear (Fixture       *f,
              gconstpointer  data)
{
  pb_test_page_fixture_tear (f);
}

static PbPlotView *
plot (Fixture    *f,
      const char *name)
{
  return PB_PLOT_VIEW (pb_test_get_widget (GTK_WIDGET (f->page), name));
}

static void
select_row (Fixture    *f,
            const char *name,
            guint       pos)
{
  adw_combo_row_set_selected (ADW_COMBO_ROW (pb_test_get_widget (GTK_WIDGET (f->page), name)),
                              pos);
}

static void
check_export (Fixture    *f,
              PbPlotView *view,
              const char *stem)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *png_name = g_strconcat ("analysis-", stem, ".png", NULL);
  g_autofree char *csv_name = g_strconcat (stem, ".csv", NULL);
  g_autofree char *shots = g_build_filename (g_getenv ("G_TEST_BUILDDIR"), "screenshots", NULL);
  g_autofree char *png = g_build_filename (shots, png_name, NULL);
  g_autofree char *csv = g_build_filename (f->dir, csv_name, NULL);
  g_autofree char *text = NULL;
  cairo_surface_t *image;

  /* the PNG stays beside the screenshots, to look at */
  g_mkdir_with_parents (shots, 0755);
  g_assert_true (pb_plot_view_export (view, png, 89, 60, 150, &error));
  g_assert_no_error (error);
  image = cairo_image_surface_create_from_png (png);
  g_assert_cmpint (cairo_surface_status (image), ==, CAIRO_STATUS_SUCCESS);
  g_assert_cmpint (cairo_image_surface_get_width (image), ==, (int) ceil (89 / 25.4 * 150));
  cairo_surface_destroy (image);

  g_assert_true (pb_plot_view_export (view, csv, 89, 60, 150, &error));
  g_assert_no_error (error);
  g_assert_true (g_file_get_contents (csv, &text, NULL, &error));
  g_assert_nonnull (strchr (text, ','));
  g_assert_nonnull (strchr (text, '\n'));
}

static void
test_run (Fixture       *f,
          gconstpointer  data)
{
  PbAnalysisPage *page = PB_ANALYSIS_PAGE (f->page);
  GListModel *summary = pb_analysis_page_get_summary (page);
  gint64 n_attacked = pb_test_query_int (f->project, "SELECT count(*) FROM attack_samples");
  gint64 n_found = pb_test_query_int (f->project, "SELECT count(*) FROM attack_samples "
                                                  "WHERE first_iteration IS NOT NULL");
  gint64 max_label = pb_test_query_int (f->project, "SELECT max(label) FROM attack_samples");
  gboolean found_map = FALSE;

  g_assert_null (pb_job_get_error (pb_analysis_page_get_load_job (page)));
  g_assert_cmpuint (f->host.toasts->len, ==, 0);
  g_assert_cmpint (n_found, >, 0);

  /* summary: one row per class and "All" with the stored counts */
  g_assert_cmpuint (g_list_model_get_n_items (summary), ==, max_label + 2);
  {
    g_autoptr(PbTextRow) all = g_list_model_get_item (summary, max_label + 1);
    g_autofree char *attacked = g_strdup_printf ("%" G_GINT64_FORMAT, n_attacked);
    g_autofree char *found = g_strdup_printf ("%" G_GINT64_FORMAT, n_found);

    g_assert_cmpstr (pb_text_row_get_text (all, 0), ==, "All");
    g_assert_cmpstr (pb_text_row_get_text (all, 1), ==, attacked);
    g_assert_cmpstr (pb_text_row_get_text (all, 2), ==, found);
  }
  g_assert_true (pb_plot_view_has_figure (plot (f, "success_plot")));
  check_export (f, plot (f, "success_plot"), "success");

  /* the summary table as CSV: the engine's numbers, one line per row */
  {
    g_autofree char *csv = g_build_filename (f->dir, "summary.csv", NULL);
    g_autofree char *text = NULL;
    g_auto(GStrv) lines = NULL;
    g_autoptr(GError) error = NULL;

    g_assert_true (pb_analysis_page_export_summary (page, csv, &error));
    g_assert_no_error (error);
    g_assert_true (g_file_get_contents (csv, &text, NULL, &error));
    lines = g_strsplit (g_strchomp (text), "\n", -1);
    g_assert_cmpuint (g_strv_length (lines), ==, max_label + 3);
    g_assert_true (g_str_has_prefix (lines[0], "orig_label,n_attacked,n_successful,success_rate"));
    g_assert_nonnull (strstr (lines[max_label + 2], ","));
  }

  /* over all lengths, some condition has adversarial examples: its map and histogram */
  select_row (f, "length", 1);
  for (guint dir = 0; dir < 2 && !found_map; dir++)
    for (guint kind = 0; kind < 2 && !found_map; kind++)
      {
        select_row (f, "direction", dir);
        select_row (f, "example", kind);
        found_map = pb_plot_view_has_figure (plot (f, "susceptibility_plot"));
      }
  g_assert_true (found_map);
  g_assert_true (pb_plot_view_has_figure (plot (f, "sparsity_plot")));
  for (guint m = 0; m < 5; m++)
    {
      select_row (f, "metric", m);
      g_assert_true (pb_plot_view_has_figure (plot (f, "susceptibility_plot")));
    }
  check_export (f, plot (f, "susceptibility_plot"), "susceptibility");
  check_export (f, plot (f, "sparsity_plot"), "sparsity");

  /* attribution on demand: stored and drawn */
  g_assert_false (pb_plot_view_has_figure (plot (f, "attribution_plot")));
  gtk_widget_activate_action (GTK_WIDGET (page), "analysis.attribute", NULL);
  g_assert_true (pb_job_get_running (pb_analysis_page_get_job (page)));
  pb_test_wait_job (pb_analysis_page_get_job (page));
  g_assert_null (pb_job_get_error (pb_analysis_page_get_job (page)));
  g_assert_cmpint (pb_test_query_int (f->project, "SELECT count(*) FROM attributions"), ==, 1);
  g_assert_cmpint (pb_test_query_int (f->project, "SELECT n_samples FROM attributions"), ==,
                   n_attacked);
  g_assert_true (pb_plot_view_has_figure (plot (f, "attribution_plot")));
  check_export (f, plot (f, "attribution_plot"), "attribution");

  /* FGSM curve on demand */
  pb_test_set_text (GTK_WIDGET (page), "epsilons", "0, 0.05, 0.2");
  gtk_widget_activate_action (GTK_WIDGET (page), "analysis.fgsm", NULL);
  pb_test_wait_job (pb_analysis_page_get_job (page));
  g_assert_null (pb_job_get_error (pb_analysis_page_get_job (page)));
  g_assert_cmpint (pb_test_query_int (f->project, "SELECT count(*) FROM fgsm_points"), ==, 3);
  g_assert_true (pb_plot_view_has_figure (plot (f, "fgsm_plot")));
  check_export (f, plot (f, "fgsm_plot"), "fgsm");
  g_assert_cmpuint (f->host.toasts->len, ==, 0);

  /* a new page shows the stored attribution and curve */
  {
    g_autoptr(PbPage) second = g_object_ref_sink (pb_analysis_page_new ());
    PbTestHost host = { 0 };

    pb_test_host_init (&host, GTK_WIDGET (second));
    pb_page_set_project (second, f->project);
    pb_test_wait_job (pb_analysis_page_get_load_job (PB_ANALYSIS_PAGE (second)));
    g_assert_true (pb_plot_view_has_figure (PB_PLOT_VIEW (
                     pb_test_get_widget (GTK_WIDGET (second), "attribution_plot"))));
    g_assert_true (pb_plot_view_has_figure (PB_PLOT_VIEW (
                     pb_test_get_widget (GTK_WIDGET (second), "fgsm_plot"))));
    g_assert_cmpuint (host.toasts->len, ==, 0);
    pb_test_host_clear (&host);
    g_assert_finalize_object (g_steal_pointer (&second));
  }
}

static void
test_bad_input (Fixture       *f,
                gconstpointer  data)
{
  GtkWidget *page = GTK_WIDGET (f->page);
  PbJob *job = pb_analysis_page_get_job (PB_ANALYSIS_PAGE (f->page));

  pb_test_set_text (page, "epsilons", "small");
  gtk_widget_activate_action (page, "analysis.fgsm", NULL);
  g_assert_false (pb_job_get_running (job));
  pb_test_host_assert_toast (&f->host, "Cannot run FGSM");

  pb_test_set_text (page, "epsilons", "0.1, -0.2");
  gtk_widget_activate_action (page, "analysis.fgsm", NULL);
  g_assert_false (pb_job_get_running (job));
  pb_test_host_assert_toast (&f->host, "Cannot run FGSM");
  g_assert_cmpuint (f->host.toasts->len, ==, 2);
  g_assert_true (gtk_widget_has_css_class (pb_test_get_widget (page, "status"), "error"));
  g_assert_cmpint (pb_test_query_int (f->project, "SELECT count(*) FROM fgsm_runs"), ==, 0);
}

static void
test_empty_project (Fixture       *f,
                    gconstpointer  data)
{
  PbJob *job = pb_analysis_page_get_job (PB_ANALYSIS_PAGE (f->page));

  /* no attack: nothing to draw, the compute actions do nothing */
  gtk_widget_activate_action (GTK_WIDGET (f->page), "analysis.attribute", NULL);
  gtk_widget_activate_action (GTK_WIDGET (f->page), "analysis.fgsm", NULL);
  g_assert_false (pb_job_get_running (job));
  g_assert_cmpuint (g_list_model_get_n_items (pb_analysis_page_get_summary (
                      PB_ANALYSIS_PAGE (f->page))), ==, 0);
  g_assert_false (pb_plot_view_has_figure (plot (f, "susceptibility_plot")));
  g_assert_false (pb_plot_view_has_figure (plot (f, "success_plot")));
  {
    g_autofree char *csv = g_build_filename (f->dir, "summary.csv", NULL);
    g_autoptr(GError) error = NULL;

    g_assert_false (pb_analysis_page_export_summary (PB_ANALYSIS_PAGE (f->page), csv, &error));
    g_assert_error (error, PB_ENGINE_ERROR, PB_ENGINE_ERROR_INVALID_ARGUMENT);
    g_assert_false (g_file_test (csv, G_FILE_TEST_EXISTS));
  }
  g_assert_cmpuint (f->host.toasts->len, ==, 0);
}

static void
test_cancel (Fixture       *f,
             gconstpointer  data)
{
  PbJob *job = pb_analysis_page_get_job (PB_ANALYSIS_PAGE (f->page));
  const char *status;

  select_row (f, "method", 1);   /* integrated gradients */
  gtk_widget_activate_action (GTK_WIDGET (f->page), "analysis.attribute", NULL);
  g_assert_true (pb_job_get_running (job));
  gtk_widget_activate_action (GTK_WIDGET (f->page), "analysis.cancel", NULL);
  pb_test_wait_job (job);
  g_assert_null (pb_job_get_error (job));
  g_assert_cmpuint (f->host.toasts->len, ==, 0);

  /* either it stopped (nothing stored) or it had finished already */
  status = gtk_label_get_text (GTK_LABEL (pb_test_get_widget (GTK_WIDGET (f->page), "status")));
  if (pb_test_query_int (f->project, "SELECT count(*) FROM attributions") == 0)
    g_assert_nonnull (strstr (status, "Cancelled"));
  else
    g_test_message ("the attribution finished before the cancel arrived");
}

static void
test_screenshot (Fixture       *f,
                 gconstpointer  data)
{
  g_auto(PbTestShot) shot = { 0 };

  gtk_widget_activate_action (GTK_WIDGET (f->page), "analysis.attribute", NULL);
  pb_test_wait_job (pb_analysis_page_get_job (PB_ANALYSIS_PAGE (f->page)));
  g_assert_null (pb_job_get_error (pb_analysis_page_get_job (PB_ANALYSIS_PAGE (f->page))));

  pb_test_gui_screenshot_page (&shot, "analysis-page", "analysis", f->path);
}

int
main (int    argc,
      char **argv)
{
  pb_test_page_init (&argc, &argv);

  g_test_add ("/pb/analysis-page/run", Fixture, NULL, fixture_setup, test_run, fixture_tear);
  g_test_add ("/pb/analysis-page/bad-input", Fixture, NULL, fixture_setup, test_bad_input,
              fixture_tear);
  g_test_add ("/pb/analysis-page/empty-project", Fixture, GINT_TO_POINTER (1), fixture_setup,
              test_empty_project, fixture_tear);
  g_test_add ("/pb/analysis-page/cancel", Fixture, NULL, fixture_setup, test_cancel,
              fixture_tear);
  g_test_add ("/pb/analysis-page/screenshot", Fixture, NULL, fixture_setup, test_screenshot,
              fixture_tear);

  return g_test_run ();
}
