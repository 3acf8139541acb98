/* test-cv-page.c — the Cross-validation page driven through its actions on a
 * tiny dataset: 2 folds × 2 epochs store two labelled runs; the summary shows
 * each fold at its lowest stored validation loss and the mean and sample std of
 * the stored metrics; both figures are drawn and a new page shows it all
 * again; the best trial of a study fills the model settings; bad entries are
 * toasts; Stop leaves the interrupted run cancelled, none running; and the real
 * app shows the page.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "pb-cv-page.h"
#include "pb-plot-view.h"
#include "pb-text-table.h"

#include "pb-test-gui.h"
#include "pb-test-page.h"
#include "pb-test-util.h"

#include <math.h>

typedef PbTestPageFixture Fixture;

static void
fixture_setup (Fixture       *f,
               gconstpointer  data)
{
  pb_test_page_fixture_create_project (f, data == NULL);
  pb_test_page_fixture_show (f, pb_cv_page_new ());
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
           int      epochs,
           int      eval_every)
{
  GtkWidget *page = GTK_WIDGET (f->page);

  pb_test_set_spin (page, "hidden_spin", 8);
  pb_test_set_spin (page, "fc_spin", 4);
  pb_test_set_spin (page, "batch_spin", 8);
  pb_test_set_text (page, "lr", "0.01");
  pb_test_set_spin (page, "folds_spin", 2);
  pb_test_set_spin (page, "epochs_spin", epochs);
  pb_test_set_spin (page, "eval_spin", eval_every);
}

static double
parse (const char *text)
{
  char *end = NULL;
  double v = g_ascii_strtod (text, &end);

  g_assert_true (end != text && *end == '\0');
  return v;
}

/* The summary against the stored metrics: per fold the epoch of the lowest
 * validation loss (first on ties), then mean and sample std of the AUC. */
static void
check_summary (PbProject  *project,
               GListModel *rows)
{
  double auc[2], mean, sd;

  g_assert_cmpuint (g_list_model_get_n_items (rows), ==, 4);
  for (int fold = 0; fold < 2; fold++)
    {
      g_autoptr(PbTextRow) row = g_list_model_get_item (rows, fold);
      g_autoptr(sqlite3_stmt) stmt = NULL;
      g_autoptr(GError) error = NULL;
      g_autofree char *fold_text = g_strdup_printf ("%d", fold);
      g_autofree char *epoch_text = NULL;

      stmt = pb_sqlite_prepare (pb_project_get_db (project),
                                "SELECT m.epoch, m.loss_valid, m.auc FROM runs r "
                                "JOIN epoch_metrics m ON m.run_id = r.run_id "
                                "WHERE r.kind = 'cv' AND r.fold = ?1 AND m.loss_valid IS NOT NULL "
                                "ORDER BY m.loss_valid, m.epoch LIMIT 1", &error);
      g_assert_no_error (error);
      sqlite3_bind_int (stmt, 1, fold);
      g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
      epoch_text = g_strdup_printf ("%d", sqlite3_column_int (stmt, 0));
      g_assert_cmpstr (pb_text_row_get_text (row, 0), ==, fold_text);
      g_assert_cmpstr (pb_text_row_get_text (row, 1), ==, epoch_text);
      g_assert_cmpfloat_with_epsilon (parse (pb_text_row_get_text (row, 3)),
                                      sqlite3_column_double (stmt, 1), 5e-5);
      auc[fold] = sqlite3_column_double (stmt, 2);
      g_assert_cmpfloat_with_epsilon (parse (pb_text_row_get_text (row, 4)), auc[fold], 5e-5);
      g_assert_cmpfloat (auc[fold], >=, 0);
      g_assert_cmpfloat (auc[fold], <=, 1);
    }

  /* sample std (ddof 1), as pandas describe */
  mean = (auc[0] + auc[1]) / 2;
  sd = sqrt ((auc[0] - mean) * (auc[0] - mean) + (auc[1] - mean) * (auc[1] - mean));
  {
    g_autoptr(PbTextRow) m = g_list_model_get_item (rows, 2);
    g_autoptr(PbTextRow) s = g_list_model_get_item (rows, 3);

    g_assert_cmpstr (pb_text_row_get_text (m, 0), ==, "mean");
    g_assert_cmpstr (pb_text_row_get_text (s, 0), ==, "std");
    g_assert_cmpfloat_with_epsilon (parse (pb_text_row_get_text (m, 4)), mean, 5e-5);
    g_assert_cmpfloat_with_epsilon (parse (pb_text_row_get_text (s, 4)), sd, 5e-5);
  }
}

static gboolean
has_summary (gpointer data)
{
  return g_list_model_get_n_items (G_LIST_MODEL (data)) >= 4;
}

static void
test_run (Fixture       *f,
          gconstpointer  data)
{
  PbCvPage *page = PB_CV_PAGE (f->page);
  GtkWidget *headline = pb_test_get_widget (GTK_WIDGET (page), "headline");
  g_autoptr(PbPage) second = NULL;
  PbTestHost host = { 0 };

  /* the reference's final model is the default */
  g_assert_cmpint (gtk_spin_button_get_value_as_int (GTK_SPIN_BUTTON (
                     pb_test_get_widget (GTK_WIDGET (page), "hidden_spin"))), ==, 128);
  g_assert_cmpint (gtk_spin_button_get_value_as_int (GTK_SPIN_BUTTON (
                     pb_test_get_widget (GTK_WIDGET (page), "fc_spin"))), ==, 16);

  set_small (f, 2, 1);
  gtk_widget_activate_action (GTK_WIDGET (page), "cv.start", NULL);
  g_assert_true (pb_job_get_running (pb_cv_page_get_job (page)));
  pb_test_wait_job (pb_cv_page_get_job (page));
  g_assert_null (pb_job_get_error (pb_cv_page_get_job (page)));
  g_assert_cmpuint (f->host.toasts->len, ==, 0);

  /* two labelled, finished runs with an evaluation every epoch */
  g_assert_cmpint (pb_test_query_int (f->project, "SELECT count(*) FROM runs WHERE kind = 'cv' AND "
                                                  "status = 'finished'"), ==, 2);
  g_assert_cmpint (pb_test_query_int (f->project, "SELECT count(DISTINCT fold) FROM runs WHERE "
                                                  "kind = 'cv'"), ==, 2);
  g_assert_cmpint (pb_test_query_int (f->project, "SELECT count(*) FROM cv_runs WHERE "
                                                  "status = 'finished'"), ==, 1);
  g_assert_cmpint (pb_test_query_int (f->project, "SELECT count(*) FROM cv_folds"), ==, 2);
  g_assert_cmpint (pb_test_query_int (f->project, "SELECT count(*) FROM epoch_metrics m "
                                                  "JOIN runs r USING (run_id) WHERE r.kind = 'cv' "
                                                  "AND m.loss_valid IS NOT NULL"), ==, 4);
  g_assert_cmpint (pb_test_query_int (f->project, "SELECT count(*) FROM checkpoints c JOIN runs r "
                                                  "USING (run_id) WHERE r.kind = 'cv'"), ==, 4);

  check_summary (f->project, pb_cv_page_get_summary (page));
  g_assert_nonnull (strstr (gtk_label_get_text (GTK_LABEL (headline)), "AUC "));
  g_assert_nonnull (strstr (gtk_label_get_text (GTK_LABEL (headline)), "recall "));
  g_assert_true (pb_plot_view_has_figure (PB_PLOT_VIEW (pb_test_get_widget (GTK_WIDGET (page),
                                                                            "loss_plot"))));
  g_assert_true (pb_plot_view_has_figure (PB_PLOT_VIEW (pb_test_get_widget (GTK_WIDGET (page),
                                                                            "auc_plot"))));

  /* a new page reads it back */
  second = g_object_ref_sink (pb_cv_page_new ());
  pb_test_host_init (&host, GTK_WIDGET (second));
  pb_page_set_project (second, f->project);
  g_assert_true (pb_test_wait_until (has_summary, pb_cv_page_get_summary (PB_CV_PAGE (second)),
                                     20));
  check_summary (f->project, pb_cv_page_get_summary (PB_CV_PAGE (second)));
  g_assert_true (pb_plot_view_has_figure (PB_PLOT_VIEW (pb_test_get_widget (GTK_WIDGET (second),
                                                                            "auc_plot"))));
  g_assert_cmpuint (host.toasts->len, ==, 0);
  pb_test_host_clear (&host);
  g_assert_finalize_object (g_steal_pointer (&second));
}

static void
test_use_best (Fixture       *f,
               gconstpointer  data)
{
  GtkWidget *page = GTK_WIDGET (f->page);
  g_autoptr(GError) error = NULL;
  g_autoptr(PbStorage) storage = NULL;
  g_autoptr(PbSearchSpace) space = pb_search_space_new_builtin (PB_SEARCH_SPACE_MODEL, NULL);
  g_autoptr(PbStudy) study = NULL;
  const char *params[] = {
    "{\"log_lstm_hidden_size\": 5, \"lstm_act_name\": \"ReLU\", \"dropout\": 0.25,"
    " \"log_fc_hidden_size\": 6, \"fc_act_name\": \"ReLU\", \"optimizer_name\": \"SGD\","
    " \"learning_rate\": 0.003, \"log_batch_size\": 6}",
    "{\"log_lstm_hidden_size\": 7, \"lstm_act_name\": \"Tanh\", \"dropout\": 0.1,"
    " \"log_fc_hidden_size\": 4, \"fc_act_name\": \"Tanh\", \"optimizer_name\": \"Adam\","
    " \"learning_rate\": 0.001, \"log_batch_size\": 5}",
  };
  const double values[] = { 0.30, 0.40 };

  /* no study yet */
  gtk_widget_activate_action (page, "cv.use-best", NULL);
  pb_test_host_assert_toast (&f->host, "study “model”");

  storage = pb_storage_open (f->path, &error);
  g_assert_no_error (error);
  study = pb_study_open (storage, "model", space, NULL, &error);
  g_assert_no_error (error);
  for (guint i = 0; i < G_N_ELEMENTS (params); i++)
    {
      g_autoptr(PbStudyTrial) trial = NULL;

      g_assert_true (pb_study_enqueue_trial (study, params[i], &error));
      g_assert_true (pb_study_ask (study, &trial, &error));
      g_assert_no_error (error);
      g_assert_true (pb_study_tell (study, trial, PB_TRIAL_STATE_COMPLETE, values[i], &error));
      g_assert_no_error (error);
    }

  gtk_widget_activate_action (page, "cv.use-best", NULL);
  g_assert_cmpuint (f->host.toasts->len, ==, 1);
  g_assert_cmpint (gtk_spin_button_get_value_as_int (GTK_SPIN_BUTTON (
                     pb_test_get_widget (page, "hidden_spin"))), ==, 32);
  g_assert_cmpint (gtk_spin_button_get_value_as_int (GTK_SPIN_BUTTON (
                     pb_test_get_widget (page, "fc_spin"))), ==, 64);
  g_assert_cmpint (gtk_spin_button_get_value_as_int (GTK_SPIN_BUTTON (
                     pb_test_get_widget (page, "batch_spin"))), ==, 64);
  g_assert_cmpfloat_with_epsilon (gtk_spin_button_get_value (GTK_SPIN_BUTTON (
                                    pb_test_get_widget (page, "dropout_spin"))), 0.25, 1e-9);
  g_assert_cmpuint (adw_combo_row_get_selected (ADW_COMBO_ROW (
                      pb_test_get_widget (page, "optimizer_row"))), ==, 2);
  g_assert_cmpuint (adw_combo_row_get_selected (ADW_COMBO_ROW (
                      pb_test_get_widget (page, "lstm_act_row"))), ==, 0);
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (pb_test_get_widget (page, "lr"))), ==,
                   "0.003");
}

static void
test_bad_input (Fixture       *f,
                gconstpointer  data)
{
  GtkWidget *page = GTK_WIDGET (f->page);
  PbJob *job = pb_cv_page_get_job (PB_CV_PAGE (f->page));

  set_small (f, 2, 1);
  pb_test_set_text (page, "lr", "fast");
  gtk_widget_activate_action (page, "cv.start", NULL);
  g_assert_false (pb_job_get_running (job));
  pb_test_host_assert_toast (&f->host, "“fast”");

  pb_test_set_text (page, "lr", "-0.1");
  gtk_widget_activate_action (page, "cv.start", NULL);
  g_assert_false (pb_job_get_running (job));
  pb_test_host_assert_toast (&f->host, "“-0.1”");

  /* more folds than samples of a class: the engine refuses, the page says why */
  pb_test_set_text (page, "lr", "0.01");
  pb_test_set_spin (page, "folds_spin", 20);
  gtk_widget_activate_action (page, "cv.start", NULL);
  pb_test_wait_job (job);
  g_assert_nonnull (pb_job_get_error (job));
  pb_test_host_assert_toast (&f->host, "Cross-validation failed");
  g_assert_cmpint (pb_test_query_int (f->project, "SELECT count(*) FROM runs"), ==, 0);
}

static void
test_empty_project (Fixture       *f,
                    gconstpointer  data)
{
  PbJob *job = pb_cv_page_get_job (PB_CV_PAGE (f->page));

  /* no dataset: Start is disabled, nothing runs, the page does not crash */
  gtk_widget_activate_action (GTK_WIDGET (f->page), "cv.start", NULL);
  g_assert_false (pb_job_get_running (job));
  g_assert_cmpuint (g_list_model_get_n_items (pb_cv_page_get_summary (PB_CV_PAGE (f->page))),
                    ==, 0);
}

static gboolean
job_has_progress (gpointer data)
{
  return pb_job_get_fraction (PB_JOB (data)) > 0;
}

static void
test_stop (Fixture       *f,
           gconstpointer  data)
{
  PbJob *job = pb_cv_page_get_job (PB_CV_PAGE (f->page));

  set_small (f, 5000, 10);
  gtk_widget_activate_action (GTK_WIDGET (f->page), "cv.start", NULL);
  g_assert_true (pb_test_wait_until (job_has_progress, job, 60));
  gtk_widget_activate_action (GTK_WIDGET (f->page), "cv.stop", NULL);
  pb_test_wait_job (job);
  g_assert_null (pb_job_get_error (job));
  g_assert_cmpuint (f->host.toasts->len, ==, 0);

  g_assert_cmpint (pb_test_query_int (f->project, "SELECT count(*) FROM runs "
                                                  "WHERE status = 'running'"), ==, 0);
  g_assert_cmpint (pb_test_query_int (f->project, "SELECT count(*) FROM runs WHERE kind = 'cv' AND "
                                                  "status = 'cancelled'"), ==, 1);
}

static void
test_resume (Fixture       *f,
             gconstpointer  data)
{
  PbCvPage *page = PB_CV_PAGE (f->page);
  PbJob *job = pb_cv_page_get_job (page);

  set_small (f, 60, 5);
  gtk_widget_activate_action (GTK_WIDGET (page), "cv.start", NULL);
  g_assert_true (pb_test_wait_until (job_has_progress, job, 60));
  gtk_widget_activate_action (GTK_WIDGET (page), "cv.stop", NULL);
  pb_test_wait_job (job);
  g_assert_cmpint (pb_test_query_int (f->project, "SELECT count(*) FROM cv_runs WHERE "
                                                  "status = 'finished'"), ==, 0);

  /* Resume finishes the same CV: two folds, one summary */
  gtk_widget_activate_action (GTK_WIDGET (page), "cv.resume", NULL);
  g_assert_true (pb_job_get_running (job));
  pb_test_wait_job (job);
  g_assert_null (pb_job_get_error (job));
  g_assert_cmpuint (f->host.toasts->len, ==, 0);
  g_assert_cmpint (pb_test_query_int (f->project, "SELECT count(*) FROM cv_runs"), ==, 1);
  g_assert_cmpint (pb_test_query_int (f->project, "SELECT count(*) FROM cv_runs WHERE "
                                                  "status = 'finished'"), ==, 1);
  g_assert_cmpuint (g_list_model_get_n_items (pb_cv_page_get_summary (page)), ==, 4);
}

static void
test_screenshot (Fixture       *f,
                 gconstpointer  data)
{
  PbCvPage *page = PB_CV_PAGE (f->page);
  g_auto(PbTestShot) shot = { 0 };

  set_small (f, 6, 1);
  pb_test_set_spin (GTK_WIDGET (page), "folds_spin", 3);
  gtk_widget_activate_action (GTK_WIDGET (page), "cv.start", NULL);
  pb_test_wait_job (pb_cv_page_get_job (page));
  g_assert_null (pb_job_get_error (pb_cv_page_get_job (page)));

  pb_test_gui_screenshot_page (&shot, "cv-page", "cross-validation", f->path);
}

int
main (int    argc,
      char **argv)
{
  pb_test_page_init (&argc, &argv);

  g_test_add ("/pb/cv-page/run", Fixture, NULL, fixture_setup, test_run, fixture_tear);
  g_test_add ("/pb/cv-page/use-best", Fixture, NULL, fixture_setup, test_use_best,
              fixture_tear);
  g_test_add ("/pb/cv-page/bad-input", Fixture, NULL, fixture_setup, test_bad_input,
              fixture_tear);
  g_test_add ("/pb/cv-page/empty-project", Fixture, GINT_TO_POINTER (1), fixture_setup,
              test_empty_project, fixture_tear);
  g_test_add ("/pb/cv-page/stop", Fixture, NULL, fixture_setup, test_stop, fixture_tear);
  g_test_add ("/pb/cv-page/resume", Fixture, NULL, fixture_setup, test_resume, fixture_tear);
  g_test_add ("/pb/cv-page/screenshot", Fixture, NULL, fixture_setup, test_screenshot,
              fixture_tear);

  return g_test_run ();
}
