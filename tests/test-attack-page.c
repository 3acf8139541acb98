/* test-attack-page.c — the Attack page driven through its actions on a tiny
 * project (a 2-epoch model on 40 short stays): a short attack stores a
 * complete run whose attacked stays are listed, filterable by success and
 * class, with the three-panel figure of the selected one (first or best
 * example) exportable; missing checkpoints and bad parameters are toasts;
 * Cancel leaves an unfinished run that Resume completes; and the real app
 * shows the page.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "pb-attack-page.h"
#include "pb-plot-view.h"
#include "pb-text-table.h"

#include "pb-test-gui.h"
#include "pb-test-page.h"
#include "pb-test-util.h"

#include <glib/gstdio.h>

typedef PbTestPageFixture Fixture;

static void
fixture_setup (Fixture       *f,
               gconstpointer  data)
{
  pb_test_page_fixture_create_project (f, TRUE);
  if (GPOINTER_TO_INT (data) == 0)
    pb_test_train_tiny (f->project);
  pb_test_page_fixture_show (f, pb_attack_page_new ());
  pb_test_drain ();
}

static void
fixture_tear (Fixture       *f,
              gconstpointer  data)
{
  pb_test_page_fixture_tear (f);
}

static void
set_small (Fixture *f,
           int      iterations,
           int      batch)
{
  GtkWidget *page = GTK_WIDGET (f->page);

  pb_test_set_spin (page, "iterations_spin", iterations);
  pb_test_set_spin (page, "batch_spin", batch);
  pb_test_set_spin (page, "samples_spin", 16);
  /* a margin and step that find adversarial examples in a few iterations */
  pb_test_set_text (page, "kappa", "0");
  pb_test_set_text (page, "lambda", "0.0001");
  pb_test_set_text (page, "lr", "2");
}

static void
wait_both (Fixture *f)
{
  PbAttackPage *page = PB_ATTACK_PAGE (f->page);

  pb_test_wait_job (pb_attack_page_get_job (page));
  pb_test_wait_job (pb_attack_page_get_load_job (page));
  pb_test_wait_job (pb_attack_page_get_load_job (page));
}

static GListModel *
selection_of (Fixture *f)
{
  return G_LIST_MODEL (gtk_column_view_get_model (GTK_COLUMN_VIEW (
                         pb_test_get_widget (GTK_WIDGET (f->page), "samples_view"))));
}

static void
test_run (Fixture       *f,
          gconstpointer  data)
{
  PbAttackPage *page = PB_ATTACK_PAGE (f->page);
  GListModel *samples = pb_attack_page_get_samples (page);
  PbPlotView *plot = PB_PLOT_VIEW (pb_test_get_widget (GTK_WIDGET (page), "sample_plot"));
  AdwComboRow *success = ADW_COMBO_ROW (pb_test_get_widget (GTK_WIDGET (page), "success_filter"));
  AdwComboRow *klass = ADW_COMBO_ROW (pb_test_get_widget (GTK_WIDGET (page), "class_filter"));
  g_autoptr(GError) error = NULL;
  g_autofree char *shots = g_build_filename (g_getenv ("G_TEST_BUILDDIR"), "screenshots", NULL);
  g_autofree char *png = g_build_filename (shots, "attack-sample.png", NULL);
  g_autofree char *csv = g_build_filename (f->dir, "sample.csv", NULL);
  g_autofree char *csv_text = NULL;
  guint n_rows, n_attacked, n_found;

  /* the reference's full attack is the default */
  g_assert_cmpint (gtk_spin_button_get_value_as_int (GTK_SPIN_BUTTON (
                     pb_test_get_widget (GTK_WIDGET (page), "iterations_spin"))), ==, 1000);
  g_assert_cmpint (gtk_spin_button_get_value_as_int (GTK_SPIN_BUTTON (
                     pb_test_get_widget (GTK_WIDGET (page), "batch_spin"))), ==, 64);
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (pb_test_get_widget (GTK_WIDGET (page),
                                                                            "kappa"))), ==,
                   "0.1102651714");
  g_assert_false (pb_plot_view_has_figure (plot));
  g_assert_cmpuint (g_list_model_get_n_items (samples), ==, 0);

  set_small (f, 40, 8);
  gtk_widget_activate_action (GTK_WIDGET (page), "attack.start", NULL);
  g_assert_true (pb_job_get_running (pb_attack_page_get_job (page)));
  wait_both (f);
  g_assert_null (pb_job_get_error (pb_attack_page_get_job (page)));
  g_assert_null (pb_job_get_error (pb_attack_page_get_load_job (page)));
  g_assert_cmpuint (f->host.toasts->len, ==, 0);

  /* one complete run; every attacked stay is listed */
  g_assert_cmpint (pb_test_query_int (f->project, "SELECT count(*) FROM attack_runs WHERE "
                                                  "status = 'complete'"), ==, 1);
  n_attacked = pb_test_query_int (f->project, "SELECT count(*) FROM attack_samples");
  n_found = pb_test_query_int (f->project, "SELECT count(*) FROM attack_samples WHERE "
                                           "first_iteration IS NOT NULL");
  g_assert_cmpuint (n_attacked, >, 0);
  g_assert_cmpint (pb_attack_page_get_run_id (page), ==,
                   pb_test_query_int (f->project, "SELECT max(attack_run_id) FROM attack_runs"));
  n_rows = g_list_model_get_n_items (samples);
  g_assert_cmpuint (n_rows, ==, n_attacked);

  /* the first stay with an adversarial example is selected and drawn; the
   * other example kind too */
  {
    guint pos = gtk_single_selection_get_selected (GTK_SINGLE_SELECTION (selection_of (f)));
    g_autoptr(PbTextRow) row = g_list_model_get_item (samples, pos);

    g_assert_cmpuint (pos, <, n_rows);
    g_assert_cmpstr (pb_text_row_get_text (row, 3), ==, n_found > 0 ? "yes" : "no");
  }
  g_assert_true (pb_plot_view_has_figure (plot));
  gtk_toggle_button_set_active (GTK_TOGGLE_BUTTON (pb_test_get_widget (GTK_WIDGET (page),
                                                                      "first_toggle")), TRUE);
  g_assert_true (pb_plot_view_has_figure (plot));
  gtk_single_selection_set_selected (GTK_SINGLE_SELECTION (selection_of (f)), n_rows - 1);
  g_assert_true (pb_plot_view_has_figure (plot));

  /* exports: PNG (kept beside the screenshots, to look at), and the three panels as CSV */
  g_mkdir_with_parents (shots, 0755);
  g_assert_true (pb_plot_view_export (plot, png, 183, 120, 100, &error));
  g_assert_no_error (error);
  g_assert_true (g_file_test (png, G_FILE_TEST_IS_REGULAR));
  g_assert_true (pb_plot_view_export (plot, csv, 183, 120, 100, &error));
  g_assert_no_error (error);
  g_assert_true (g_file_get_contents (csv, &csv_text, NULL, &error));
  g_assert_cmpuint (strlen (csv_text), >, 0);

  /* filters: adversarial found / not found partition the list */
  adw_combo_row_set_selected (success, 1);
  g_assert_cmpuint (g_list_model_get_n_items (samples), ==, n_found);
  for (guint i = 0; i < g_list_model_get_n_items (samples); i++)
    {
      g_autoptr(PbTextRow) row = g_list_model_get_item (samples, i);

      g_assert_cmpstr (pb_text_row_get_text (row, 3), ==, "yes");
    }
  adw_combo_row_set_selected (success, 2);
  g_assert_cmpuint (g_list_model_get_n_items (samples), ==, n_attacked - n_found);
  if (n_attacked - n_found == 0)
    g_assert_false (pb_plot_view_has_figure (plot));

  adw_combo_row_set_selected (success, 0);
  adw_combo_row_set_selected (klass, 2);   /* class 1 */
  g_assert_cmpuint (g_list_model_get_n_items (samples), ==,
                    pb_test_query_int (f->project,
                                       "SELECT count(*) FROM attack_samples WHERE label = 1"));
  for (guint i = 0; i < g_list_model_get_n_items (samples); i++)
    {
      g_autoptr(PbTextRow) row = g_list_model_get_item (samples, i);

      g_assert_cmpstr (pb_text_row_get_text (row, 1), ==, "1");
    }
  adw_combo_row_set_selected (klass, 1);   /* class 0 */
  g_assert_cmpuint (g_list_model_get_n_items (samples), ==,
                    pb_test_query_int (f->project,
                                       "SELECT count(*) FROM attack_samples WHERE label = 0"));
}

static void
test_no_checkpoint (Fixture       *f,
                    gconstpointer  data)
{
  PbJob *job = pb_attack_page_get_job (PB_ATTACK_PAGE (f->page));

  gtk_widget_activate_action (GTK_WIDGET (f->page), "attack.start", NULL);
  g_assert_false (pb_job_get_running (job));
  pb_test_host_assert_toast (&f->host, "checkpoint");
  g_assert_cmpint (pb_test_query_int (f->project, "SELECT count(*) FROM attack_runs"), ==, 0);

  /* a model trained meanwhile is offered when the page is shown again */
  pb_test_train_tiny (f->project);
  gtk_widget_set_visible (GTK_WIDGET (f->page), FALSE);
  gtk_widget_set_visible (GTK_WIDGET (f->page), TRUE);
  pb_test_drain ();
  set_small (f, 5, 8);
  gtk_widget_activate_action (GTK_WIDGET (f->page), "attack.start", NULL);
  g_assert_true (pb_job_get_running (job));
  wait_both (f);
  g_assert_null (pb_job_get_error (job));
  g_assert_cmpint (pb_test_query_int (f->project, "SELECT count(*) FROM attack_runs WHERE "
                                                  "status = 'complete'"), ==, 1);
}

static void
test_bad_input (Fixture       *f,
                gconstpointer  data)
{
  GtkWidget *page = GTK_WIDGET (f->page);
  GtkWidget *status = pb_test_get_widget (page, "status");
  PbJob *job = pb_attack_page_get_job (PB_ATTACK_PAGE (f->page));

  set_small (f, 0, 8);
  gtk_widget_activate_action (page, "attack.start", NULL);
  g_assert_false (pb_job_get_running (job));
  pb_test_host_assert_toast (&f->host, "Cannot start the attack");
  g_assert_true (gtk_widget_get_visible (status));
  g_assert_true (gtk_widget_has_css_class (status, "error"));

  set_small (f, 10, 8);
  pb_test_set_text (page, "kappa", "wide");
  gtk_widget_activate_action (page, "attack.start", NULL);
  g_assert_false (pb_job_get_running (job));
  pb_test_host_assert_toast (&f->host, "“wide”");

  pb_test_set_text (page, "kappa", "-1");
  gtk_widget_activate_action (page, "attack.start", NULL);
  g_assert_false (pb_job_get_running (job));
  g_assert_cmpuint (f->host.toasts->len, ==, 3);
  g_assert_cmpint (pb_test_query_int (f->project, "SELECT count(*) FROM attack_runs"), ==, 0);

  /* nothing to resume */
  gtk_widget_activate_action (page, "attack.resume", NULL);
  g_assert_false (pb_job_get_running (job));
}

static gboolean
job_has_progress (gpointer data)
{
  return pb_job_get_fraction (PB_JOB (data)) > 0;
}

static void
test_cancel_resume (Fixture       *f,
                    gconstpointer  data)
{
  PbAttackPage *page = PB_ATTACK_PAGE (f->page);
  PbJob *job = pb_attack_page_get_job (page);

  /* two batches of many iterations: stopped inside the first */
  set_small (f, 200000, 8);
  gtk_widget_activate_action (GTK_WIDGET (page), "attack.start", NULL);
  g_assert_true (pb_test_wait_until (job_has_progress, job, 60));
  gtk_widget_activate_action (GTK_WIDGET (page), "attack.cancel", NULL);
  wait_both (f);
  g_assert_null (pb_job_get_error (job));
  g_assert_cmpuint (f->host.toasts->len, ==, 0);
  g_assert_cmpint (pb_test_query_int (f->project, "SELECT count(*) FROM attack_runs WHERE "
                                                  "status = 'running' AND n_batches_done = 0"),
                   ==, 1);
  g_assert_nonnull (strstr (gtk_label_get_text (GTK_LABEL (pb_test_get_widget (GTK_WIDGET (page),
                                                                               "status"))),
                            "Resume"));
  g_assert_true (gtk_widget_is_sensitive (GTK_WIDGET (page)));

  /* the unfinished run is listed; nothing attacked yet, so no stay */
  g_assert_cmpuint (g_list_model_get_n_items (pb_attack_page_get_samples (page)), ==, 0);

  /* Resume continues it (and Cancel stops that too, no error) */
  gtk_widget_activate_action (GTK_WIDGET (page), "attack.resume", NULL);
  g_assert_true (pb_job_get_running (job));
  gtk_widget_activate_action (GTK_WIDGET (page), "attack.cancel", NULL);
  wait_both (f);
  g_assert_null (pb_job_get_error (job));
  g_assert_cmpint (pb_test_query_int (f->project, "SELECT count(*) FROM attack_runs"), ==, 1);
}

static void
test_screenshot (Fixture       *f,
                 gconstpointer  data)
{
  PbAttackPage *page = PB_ATTACK_PAGE (f->page);
  g_auto(PbTestShot) shot = { 0 };

  set_small (f, 40, 8);
  gtk_widget_activate_action (GTK_WIDGET (page), "attack.start", NULL);
  wait_both (f);
  g_assert_null (pb_job_get_error (pb_attack_page_get_job (page)));

  pb_test_gui_screenshot_page (&shot, "attack-page", "attack", f->path);
}

int
main (int    argc,
      char **argv)
{
  pb_test_page_init (&argc, &argv);

  g_test_add ("/pb/attack-page/run", Fixture, NULL, fixture_setup, test_run, fixture_tear);
  g_test_add ("/pb/attack-page/no-checkpoint", Fixture, GINT_TO_POINTER (1), fixture_setup,
              test_no_checkpoint, fixture_tear);
  g_test_add ("/pb/attack-page/bad-input", Fixture, NULL, fixture_setup, test_bad_input,
              fixture_tear);
  g_test_add ("/pb/attack-page/cancel-resume", Fixture, NULL, fixture_setup, test_cancel_resume,
              fixture_tear);
  g_test_add ("/pb/attack-page/screenshot", Fixture, NULL, fixture_setup, test_screenshot,
              fixture_tear);

  return g_test_run ();
}
