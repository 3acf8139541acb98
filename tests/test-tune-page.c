/* test-tune-page.c — the Tune page driven through its actions on a tiny
 * dataset: a 2-trial study writes two COMPLETE trials with the classifier's
 * settings, fills the trial table and both figures, and shows again on a new
 * page; bad entries (low > high, not a number, 0 trials, no or unreachable
 * PostgreSQL) are toasts and start nothing; Stop leaves no RUNNING trial (the
 * interrupted one is FAIL); and the real app shows the page.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "pb-plot-view.h"
#include "pb-text-table.h"
#include "pb-tune-page.h"

#include "pb-test-gui.h"
#include "pb-test-page.h"
#include "pb-test-util.h"

typedef PbTestPageFixture Fixture;

static void
fixture_setup (Fixture       *f,
               gconstpointer  data)
{
  pb_test_page_fixture_create_project (f, data == NULL);
  pb_test_page_fixture_show (f, pb_tune_page_new ());
  pb_test_drain ();
}

static void
fixture_tear (Fixture       *f,
              gconstpointer  data)
{
  pb_test_page_fixture_tear (f);
}

static void
set_budget (Fixture *f,
            int      trials,
            int      epochs,
            int      report)
{
  GtkWidget *page = GTK_WIDGET (f->page);

  pb_test_set_spin (page, "trials_spin", trials);
  pb_test_set_spin (page, "epochs_spin", epochs);
  pb_test_set_spin (page, "report_spin", report);
  pb_test_set_spin (page, "folds_spin", 2);
  /* small models keep the test quick */
  pb_test_set_text (page, "low:log_lstm_hidden_size", "2");
  pb_test_set_text (page, "high:log_lstm_hidden_size", "3");
  pb_test_set_text (page, "low:log_fc_hidden_size", "2");
  pb_test_set_text (page, "high:log_fc_hidden_size", "3");
  pb_test_set_text (page, "low:log_batch_size", "3");
  pb_test_set_text (page, "high:log_batch_size", "4");
}

static GPtrArray *
load_trials (const char *path,
             const char *study_name)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(PbStorage) storage = pb_storage_open (path, &error);
  gint64 id;
  PbStudyDirection direction;
  GPtrArray *trials;

  g_assert_no_error (error);
  g_assert_true (pb_storage_find_study (storage, study_name, &id, &direction, &error));
  g_assert_no_error (error);
  trials = pb_storage_load_trials (storage, id, &error);
  g_assert_no_error (error);
  return trials;
}

static void
test_run (Fixture       *f,
          gconstpointer  data)
{
  PbTunePage *page = PB_TUNE_PAGE (f->page);
  GListModel *rows = pb_tune_page_get_trials (page);
  g_autoptr(GPtrArray) trials = NULL;
  g_autoptr(PbStorage) storage = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *objective = NULL;
  g_autofree char *config = NULL;
  gint64 id;
  PbStudyDirection direction;
  PbPlotView *history, *intermediate;

  set_budget (f, 2, 2, 1);
  g_assert_cmpuint (g_list_model_get_n_items (rows), ==, 0);
  gtk_widget_activate_action (GTK_WIDGET (page), "tune.start", NULL);
  g_assert_true (pb_job_get_running (pb_tune_page_get_job (page)));
  pb_test_wait_job (pb_tune_page_get_job (page));
  g_assert_null (pb_job_get_error (pb_tune_page_get_job (page)));
  g_assert_cmpuint (f->host.toasts->len, ==, 0);

  /* what the storage holds */
  trials = load_trials (f->path, "model");
  g_assert_cmpuint (trials->len, ==, 2);
  for (guint i = 0; i < trials->len; i++)
    {
      const PbTrial *t = g_ptr_array_index (trials, i);
      const PbTrialParam *h = pb_trial_lookup_param (t, "log_lstm_hidden_size");

      g_assert_cmpint (t->state, ==, PB_TRIAL_STATE_COMPLETE);
      g_assert_true (t->has_value);
      g_assert_cmpfloat (t->value, >, 0);
      g_assert_cmpuint (t->intermediate_values->len, ==, 2);
      g_assert_nonnull (h);
      g_assert_cmpfloat (h->internal, >=, 2);
      g_assert_cmpfloat (h->internal, <=, 3);
    }

  /* the objective's settings, as perturb tune stores them */
  storage = pb_storage_open (f->path, &error);
  g_assert_no_error (error);
  g_assert_true (pb_storage_find_study (storage, "model", &id, &direction, &error));
  g_assert_true (pb_storage_get_study_user_attr (storage, id, "perturb:objective", &objective,
                                                 &error));
  g_assert_true (pb_storage_get_study_user_attr (storage, id, "perturb:objective_config",
                                                 &config, &error));
  g_assert_no_error (error);
  g_assert_cmpstr (objective, ==, "\"classifier\"");
  g_assert_nonnull (strstr (config, "\"folds\":2"));
  g_assert_nonnull (strstr (config, "\"epochs\":2"));
  g_assert_nonnull (strstr (config, "\"preset\":\"standard\""));
  g_assert_nonnull (strstr (config, "\"dataset\":\"default\""));

  /* the table: one row per trial, as stored */
  g_assert_cmpuint (g_list_model_get_n_items (rows), ==, 2);
  for (guint i = 0; i < 2; i++)
    {
      g_autoptr(PbTextRow) row = g_list_model_get_item (rows, i);
      const PbTrial *t = g_ptr_array_index (trials, i);
      g_autofree char *number = g_strdup_printf ("%d", t->number);
      g_autofree char *value = g_strdup_printf ("%.6g", t->value);

      g_assert_cmpstr (pb_text_row_get_text (row, 0), ==, number);
      g_assert_cmpstr (pb_text_row_get_text (row, 1), ==, "COMPLETE");
      g_assert_cmpstr (pb_text_row_get_text (row, 2), ==, value);
      g_assert_cmpstr (pb_text_row_get_text (row, 3), ==, "2");
      g_assert_nonnull (strstr (pb_text_row_get_text (row, 4), "learning_rate = "));
    }

  history = PB_PLOT_VIEW (pb_test_get_widget (GTK_WIDGET (page), "history_plot"));
  intermediate = PB_PLOT_VIEW (pb_test_get_widget (GTK_WIDGET (page), "intermediate_plot"));
  g_assert_true (pb_plot_view_has_figure (history));
  g_assert_true (pb_plot_view_has_figure (intermediate));
}

static gboolean
has_rows (gpointer data)
{
  return g_list_model_get_n_items (G_LIST_MODEL (data)) > 0;
}

static gboolean
has_no_rows (gpointer data)
{
  return g_list_model_get_n_items (G_LIST_MODEL (data)) == 0;
}

static gboolean
folds_is_two (gpointer data)
{
  return gtk_spin_button_get_value_as_int (GTK_SPIN_BUTTON (data)) == 2;
}

static void
test_reload (Fixture       *f,
             gconstpointer  data)
{
  PbTunePage *page = PB_TUNE_PAGE (f->page);
  g_autoptr(PbPage) second = NULL;
  PbTestHost host = { 0 };

  set_budget (f, 1, 1, 1);
  gtk_widget_activate_action (GTK_WIDGET (page), "tune.start", NULL);
  pb_test_wait_job (pb_tune_page_get_job (page));
  g_assert_null (pb_job_get_error (pb_tune_page_get_job (page)));

  /* a new page on the same project shows the stored study and its space */
  second = g_object_ref_sink (pb_tune_page_new ());
  pb_test_host_init (&host, GTK_WIDGET (second));
  pb_page_set_project (second, f->project);
  g_assert_true (pb_test_wait_until (has_rows, pb_tune_page_get_trials (PB_TUNE_PAGE (second)),
                                     20));
  pb_test_drain ();
  g_assert_cmpuint (g_list_model_get_n_items (pb_tune_page_get_trials (PB_TUNE_PAGE (second))),
                    ==, 1);
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (pb_test_get_widget (GTK_WIDGET (second),
                                                                            "high:log_batch_size"))),
                   ==, "4");
  g_assert_true (pb_plot_view_has_figure (PB_PLOT_VIEW (pb_test_get_widget (GTK_WIDGET (second),
                                                                            "history_plot"))));
  /* another study name shows that (empty) study; the first one again after */
  pb_test_set_text (GTK_WIDGET (second), "study", "other");
  g_signal_emit_by_name (pb_test_get_widget (GTK_WIDGET (second), "study"), "apply");
  g_assert_true (pb_test_wait_until (has_no_rows, pb_tune_page_get_trials (PB_TUNE_PAGE (second)),
                                     20));
  pb_test_set_text (GTK_WIDGET (second), "study", "model");
  g_signal_emit_by_name (pb_test_get_widget (GTK_WIDGET (second), "study"), "apply");
  g_assert_true (pb_test_wait_until (has_rows, pb_tune_page_get_trials (PB_TUNE_PAGE (second)),
                                     20));

  /* and the settings it was started with */
  g_assert_true (pb_test_wait_until (folds_is_two, pb_test_get_widget (GTK_WIDGET (second),
                                                                     "folds_spin"), 20));
  g_assert_cmpint (gtk_spin_button_get_value_as_int (GTK_SPIN_BUTTON (
                     pb_test_get_widget (GTK_WIDGET (second), "folds_spin"))), ==, 2);
  g_assert_cmpint (gtk_spin_button_get_value_as_int (GTK_SPIN_BUTTON (
                     pb_test_get_widget (GTK_WIDGET (second), "epochs_spin"))), ==, 1);
  g_assert_cmpint (gtk_spin_button_get_value_as_int (GTK_SPIN_BUTTON (
                     pb_test_get_widget (GTK_WIDGET (second), "trials_spin"))), ==, 1);
  g_assert_cmpuint (host.toasts->len, ==, 0);
  pb_test_host_clear (&host);
  g_assert_finalize_object (g_steal_pointer (&second));
}

static void
start_expecting_toast (Fixture    *f,
                       const char *needle)
{
  guint before = f->host.toasts->len;

  gtk_widget_activate_action (GTK_WIDGET (f->page), "tune.start", NULL);
  g_assert_false (pb_job_get_running (pb_tune_page_get_job (PB_TUNE_PAGE (f->page))));
  g_assert_cmpuint (f->host.toasts->len, ==, before + 1);
  pb_test_host_assert_toast (&f->host, needle);
}

static void
test_bad_input (Fixture       *f,
                gconstpointer  data)
{
  GtkWidget *page = GTK_WIDGET (f->page);
  PbJob *job = pb_tune_page_get_job (PB_TUNE_PAGE (f->page));
  g_autoptr(GError) error = NULL;
  g_autoptr(PbStorage) storage = NULL;
  g_auto(GStrv) studies = NULL;

  set_budget (f, 1, 1, 1);

  /* low > high */
  pb_test_set_text (page, "low:dropout", "0.9");
  pb_test_set_text (page, "high:dropout", "0.1");
  start_expecting_toast (f, "dropout");
  pb_test_set_text (page, "low:dropout", "0");
  pb_test_set_text (page, "high:dropout", "0.5");

  /* not a number; a fractional integer bound */
  pb_test_set_text (page, "low:learning_rate", "tiny");
  start_expecting_toast (f, "“tiny”, is not a number");
  pb_test_set_text (page, "low:learning_rate", "1e-5");
  pb_test_set_text (page, "high:log_batch_size", "4.5");
  start_expecting_toast (f, "whole number");
  pb_test_set_text (page, "high:log_batch_size", "4");

  /* no choices */
  pb_test_set_text (page, "choices:optimizer_name", " , ");
  start_expecting_toast (f, "optimizer_name");
  pb_test_set_text (page, "choices:optimizer_name", "Adam, SGD");

  /* 0 trials */
  pb_test_set_spin (page, "trials_spin", 0);
  start_expecting_toast (f, "at least one trial");
  pb_test_set_spin (page, "trials_spin", 1);

  /* PostgreSQL without a connection, then an unreachable one */
  adw_combo_row_set_selected (ADW_COMBO_ROW (pb_test_get_widget (page, "storage")), 1);
  g_assert_true (gtk_widget_get_visible (pb_test_get_widget (page, "conninfo")));
  start_expecting_toast (f, "PostgreSQL connection");
  pb_test_set_text (page, "conninfo", "host=127.0.0.1 port=1 dbname=none user=none "
                                      "connect_timeout=2");
  gtk_widget_activate_action (page, "tune.start", NULL);
  pb_test_wait_job (job);
  g_assert_nonnull (pb_job_get_error (job));
  pb_test_host_assert_toast (&f->host, "Tuning failed");

  /* epochs not a multiple of the report interval: the engine says so */
  adw_combo_row_set_selected (ADW_COMBO_ROW (pb_test_get_widget (page, "storage")), 0);
  pb_test_set_spin (page, "epochs_spin", 3);
  pb_test_set_spin (page, "report_spin", 2);
  gtk_widget_activate_action (page, "tune.start", NULL);
  pb_test_wait_job (job);
  pb_test_host_assert_toast (&f->host, "multiple");

  /* nothing was written */
  storage = pb_storage_open (f->path, &error);
  g_assert_no_error (error);
  studies = pb_storage_list_studies (storage, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (g_strv_length (studies), ==, 0);
}

static gboolean
has_running_trial (gpointer data)
{
  GListModel *rows = data;

  for (guint i = 0; i < g_list_model_get_n_items (rows); i++)
    {
      g_autoptr(PbTextRow) row = g_list_model_get_item (rows, i);

      if (g_str_equal (pb_text_row_get_text (row, 1), "RUNNING") &&
          !g_str_equal (pb_text_row_get_text (row, 3), "0"))
        return TRUE;
    }
  return FALSE;
}

static void
test_stop (Fixture       *f,
           gconstpointer  data)
{
  PbTunePage *page = PB_TUNE_PAGE (f->page);
  PbJob *job = pb_tune_page_get_job (page);
  g_autoptr(GPtrArray) trials = NULL;
  guint n_fail = 0;

  set_budget (f, 3, 2000, 1);
  gtk_widget_activate_action (GTK_WIDGET (page), "tune.start", NULL);
  /* a trial is running and has reported */
  g_assert_true (pb_test_wait_until (has_running_trial, pb_tune_page_get_trials (page), 60));
  gtk_widget_activate_action (GTK_WIDGET (page), "tune.stop", NULL);
  pb_test_wait_job (job);
  g_assert_null (pb_job_get_error (job));   /* a stop is not an error */
  g_assert_cmpuint (f->host.toasts->len, ==, 0);

  trials = load_trials (f->path, "model");
  g_assert_cmpuint (trials->len, ==, 1);
  for (guint i = 0; i < trials->len; i++)
    {
      const PbTrial *t = g_ptr_array_index (trials, i);

      g_assert_cmpint (t->state, !=, PB_TRIAL_STATE_RUNNING);
      n_fail += t->state == PB_TRIAL_STATE_FAIL;
    }
  g_assert_cmpuint (n_fail, ==, 1);

  /* the table says so too */
  g_assert_false (has_running_trial (pb_tune_page_get_trials (page)));
}

static void
test_empty_project (Fixture       *f,
                    gconstpointer  data)
{
  PbJob *job = pb_tune_page_get_job (PB_TUNE_PAGE (f->page));

  /* no dataset: Start is disabled, nothing runs, nothing breaks */
  gtk_widget_activate_action (GTK_WIDGET (f->page), "tune.start", NULL);
  g_assert_false (pb_job_get_running (job));
  g_assert_cmpuint (g_list_model_get_n_items (pb_tune_page_get_trials (PB_TUNE_PAGE (f->page))),
                    ==, 0);
}

static void
test_screenshot (Fixture       *f,
                 gconstpointer  data)
{
  PbTunePage *page = PB_TUNE_PAGE (f->page);
  g_auto(PbTestShot) shot = { 0 };

  set_budget (f, 3, 3, 1);
  gtk_widget_activate_action (GTK_WIDGET (page), "tune.start", NULL);
  pb_test_wait_job (pb_tune_page_get_job (page));
  g_assert_null (pb_job_get_error (pb_tune_page_get_job (page)));

  pb_test_gui_screenshot_page (&shot, "tune-page", "tune", f->path);
}

int
main (int    argc,
      char **argv)
{
  pb_test_page_init (&argc, &argv);

  g_test_add ("/pb/tune-page/run", Fixture, NULL, fixture_setup, test_run, fixture_tear);
  g_test_add ("/pb/tune-page/reload", Fixture, NULL, fixture_setup, test_reload, fixture_tear);
  g_test_add ("/pb/tune-page/bad-input", Fixture, NULL, fixture_setup, test_bad_input,
              fixture_tear);
  g_test_add ("/pb/tune-page/empty-project", Fixture, GINT_TO_POINTER (1), fixture_setup,
              test_empty_project, fixture_tear);
  g_test_add ("/pb/tune-page/stop", Fixture, NULL, fixture_setup, test_stop, fixture_tear);
  g_test_add ("/pb/tune-page/screenshot", Fixture, NULL, fixture_setup, test_screenshot,
              fixture_tear);

  return g_test_run ();
}
