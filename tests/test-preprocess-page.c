/* test-preprocess-page.c — the Preprocess page driven through its actions: with
 * the seed's defaults it writes the dataset "default" with as many sequences as
 * the engine makes, lists every stage, and draws a sequence as a feature × hour
 * heat map; bad parameters and an empty project are said inline; cancel leaves
 * the dataset as it was; a stored dataset is previewed when the project is
 * set; and the real app shows the page.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "pb-preprocess-page.h"
#include "pb-screenshot.h"
#include "pb-source-connect.h"

#include "pb-test-gui.h"
#include "pb-test-page.h"
#include "pb-test-project.h"
#include "pb-test-util.h"

typedef struct
{
  char      *dir;
  char      *path;
  PbProject *project;
  PbPage    *page;
} Fixture;

static void
import_cohort (PbProject *project,
               guint      n_stays)
{
  g_autoptr(GError) error = NULL;
  PbSynthParams params;

  pb_synth_params_init (&params);
  params.n_stays = n_stays;
  g_assert_true (pb_source_import_synthetic (project, &params, NULL, NULL, NULL, NULL, &error));
  g_assert_no_error (error);
}

static void
wait_for (PbJob *job)
{
  while (pb_job_get_running (job))
    g_main_context_iteration (NULL, TRUE);
  while (g_main_context_iteration (NULL, FALSE))
    ;
}

static void
fixture_setup (Fixture       *f,
               gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  f->dir = pb_test_mkdtemp ();
  f->path = g_build_filename (f->dir, "icu.perturb", NULL);
  f->project = pb_project_create (f->path, &error);
  g_assert_no_error (error);
  if (GPOINTER_TO_UINT (data) > 0)
    import_cohort (f->project, GPOINTER_TO_UINT (data));
  f->page = g_object_ref_sink (pb_preprocess_page_new ());
  pb_page_set_project (f->page, f->project);
  wait_for (pb_preprocess_page_get_preview_job (PB_PREPROCESS_PAGE (f->page)));
}

static void
fixture_tear (Fixture       *f,
              gconstpointer  data)
{
  g_assert_finalize_object (f->page);
  g_clear_object (&f->project);
  pb_test_rmdir (f->dir);
  g_free (f->path);
  g_free (f->dir);
}

/* The page after a run, whole, in a tall window: stage table and heat map. */
static void
save_page_png (PbPage     *page,
               const char *name)
{
  GtkWidget *window = pb_test_window_new_for_page (page, 1500);
  g_autofree char *end_name = g_strconcat (name, "-end", NULL);
  GtkWidget *w = GTK_WIDGET (page);
  GtkAdjustment *adj;

  pb_test_window_save_png (window, name);

  /* and scrolled to the end: the stage table */
  while (w != NULL && !GTK_IS_SCROLLED_WINDOW (w))
    w = gtk_widget_get_first_child (w) != NULL && !GTK_IS_SCROLLED_WINDOW (w)
          ? gtk_widget_get_first_child (w) : w;
  g_assert_true (GTK_IS_SCROLLED_WINDOW (w));
  adj = gtk_scrolled_window_get_vadjustment (GTK_SCROLLED_WINDOW (w));
  gtk_adjustment_set_value (adj, gtk_adjustment_get_upper (adj));
  pb_test_iterate_for (0.25);
  pb_test_window_save_png (window, end_name);

  pb_test_window_close (window);
}

static void
test_defaults_and_run (Fixture       *f,
                       gconstpointer  data)
{
  PbPreprocessPage *page = PB_PREPROCESS_PAGE (f->page);
  g_autoptr(PbDataset) engine = NULL;
  g_autoptr(PbDataset) stored = NULL;
  g_autoptr(PbPreprocessReport) report = NULL;
  g_autoptr(GError) error = NULL;
  PbPreprocessParams shown, defaults;
  PbPlotView *plot = pb_preprocess_page_get_plot (page);

  /* the form starts at the seed's values */
  pb_preprocess_params_init (&defaults);
  pb_preprocess_page_get_params (page, &shown);
  g_assert_cmpuint (shown.window_hours, ==, 48);
  g_assert_cmpuint (shown.window_hours, ==, defaults.window_hours);
  g_assert_cmpint (shown.window_start, ==, defaults.window_start);
  g_assert_cmpuint (shown.min_observation_hours, ==, defaults.min_observation_hours);
  g_assert_cmpfloat_with_epsilon (shown.winsorize_low, defaults.winsorize_low, 1e-12);
  g_assert_cmpfloat_with_epsilon (shown.winsorize_high, defaults.winsorize_high, 1e-12);
  g_assert_cmpfloat (shown.min_age, ==, defaults.min_age);
  g_assert_cmpfloat (shown.min_los_hospital, ==, defaults.min_los_hospital);
  g_assert_cmpfloat (shown.min_los_icu, ==, defaults.min_los_icu);
  g_assert_cmpuint (shown.min_raw_rows, ==, defaults.min_raw_rows);

  /* nothing stored yet */
  g_assert_cmpuint (pb_preprocess_page_get_n_sequences (page), ==, 0);
  g_assert_false (pb_plot_view_has_figure (plot));

  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (page), "preprocess.start", NULL));
  wait_for (pb_preprocess_page_get_job (page));
  g_test_message ("status: %s", pb_preprocess_page_get_status (page));
  g_assert_null (pb_job_get_error (pb_preprocess_page_get_job (page)));

  /* what the engine makes from the same rows with the same parameters */
  engine = pb_preprocess_run (f->project, &defaults, &report, NULL, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (engine->n, >, 0);

  stored = pb_dataset_load (f->project, PB_PREPROCESS_DEFAULT_DATASET, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (stored->n, ==, engine->n);
  g_assert_cmpint (pb_test_query_int (f->project, "SELECT count(*) FROM dataset_sequences"), ==,
                   engine->n);
  g_assert_cmpmem (stored->x, (gsize) stored->n * stored->max_len * stored->n_features * 4,
                   engine->x, (gsize) engine->n * engine->max_len * engine->n_features * 4);

  g_assert_cmpuint (pb_preprocess_page_get_n_sequences (page), ==, engine->n);
  g_assert_cmpuint (pb_preprocess_page_get_n_stages (page), ==, report->stages->len);
  g_assert_cmpuint (pb_preprocess_page_get_n_stages (page), >=, 3);
  g_assert_cmpuint (pb_preprocess_page_get_n_previews (page), ==, MIN (engine->n, 20));
  g_assert_true (pb_plot_view_has_figure (plot));
  g_assert_true (g_str_has_prefix (pb_preprocess_page_get_status (page), "Wrote "));

  /* another sequence, another figure; it exports like any figure */
  pb_preprocess_page_select_preview (page, 1);
  g_assert_true (pb_plot_view_has_figure (plot));
  {
    g_autofree char *csv_path = g_build_filename (f->dir, "sequence.csv", NULL);
    g_autofree char *csv = NULL;

    g_assert_true (pb_plot_view_export (plot, csv_path, 89, 55, 100, &error));
    g_assert_no_error (error);
    g_assert_true (g_file_get_contents (csv_path, &csv, NULL, NULL));
    /* feature names label the rows */
    g_assert_nonnull (strstr (csv, pb_preprocess_feature_names[0]));
    g_assert_nonnull (strstr (csv, pb_preprocess_feature_names[PB_PREPROCESS_N_FEATURES - 1]));
  }

  save_page_png (f->page, "page-preprocess-run");
  g_assert_true (pb_plot_view_has_figure (plot));
}

static void
test_bad_parameters (Fixture       *f,
                     gconstpointer  data)
{
  PbPreprocessPage *page = PB_PREPROCESS_PAGE (f->page);
  PbPreprocessParams params;

  pb_preprocess_params_init (&params);
  params.winsorize_low = 0.9;
  params.winsorize_high = 0.1;
  pb_preprocess_page_set_params (page, &params);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (page), "preprocess.start", NULL));
  g_assert_false (pb_job_get_running (pb_preprocess_page_get_job (page)));
  g_assert_cmpstr (pb_preprocess_page_get_status (page), ==,
                   "The lower clip percentile must be below the upper one.");

  pb_preprocess_params_init (&params);
  params.window_hours = 4;
  params.min_observation_hours = 6;
  pb_preprocess_page_set_params (page, &params);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (page), "preprocess.start", NULL));
  g_assert_false (pb_job_get_running (pb_preprocess_page_get_job (page)));
  g_assert_cmpstr (pb_preprocess_page_get_status (page), ==,
                   "The minimum hours cannot exceed the observation window.");

  /* Restore Defaults puts the seed's values back */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (page), "preprocess.defaults", NULL));
  pb_preprocess_page_get_params (page, &params);
  g_assert_cmpuint (params.window_hours, ==, 48);
  g_assert_cmpuint (params.min_observation_hours, ==, 1);

  g_assert_cmpint (pb_test_query_int (f->project, "SELECT count(*) FROM datasets"), ==, 0);
}

static void
test_empty_project (Fixture       *f,
                    gconstpointer  data)
{
  PbPreprocessPage *page = PB_PREPROCESS_PAGE (f->page);

  /* nothing imported: the run is disabled, and activating it does nothing */
  gtk_widget_activate_action (GTK_WIDGET (page), "preprocess.start", NULL);
  g_assert_false (pb_job_get_running (pb_preprocess_page_get_job (page)));
  g_assert_cmpuint (pb_preprocess_page_get_n_sequences (page), ==, 0);
  g_assert_false (pb_plot_view_has_figure (pb_preprocess_page_get_plot (page)));
}

static void
test_cancel (Fixture       *f,
             gconstpointer  data)
{
  PbPreprocessPage *page = PB_PREPROCESS_PAGE (f->page);
  PbJob *job = pb_preprocess_page_get_job (page);

  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (page), "preprocess.start", NULL));
  g_assert_true (pb_job_get_running (job));
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (page), "preprocess.cancel", NULL));
  wait_for (job);

  g_assert_null (pb_job_get_error (job));
  g_assert_cmpstr (pb_preprocess_page_get_status (page), ==,
                   "Preprocessing cancelled; the dataset is unchanged.");
  g_assert_cmpint (pb_test_query_int (f->project, "SELECT count(*) FROM datasets"), ==, 0);
  g_assert_cmpuint (pb_preprocess_page_get_n_sequences (page), ==, 0);
}

static void
test_shows_stored_dataset (Fixture       *f,
                           gconstpointer  data)
{
  PbPreprocessPage *page = PB_PREPROCESS_PAGE (f->page);
  g_autoptr(PbDataset) dataset = NULL;
  g_autoptr(GError) error = NULL;
  PbPreprocessParams params;

  pb_preprocess_params_init (&params);
  dataset = pb_preprocess_run (f->project, &params, NULL, NULL, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (pb_dataset_save (dataset, f->project, PB_PREPROCESS_DEFAULT_DATASET, NULL, &error));
  g_assert_no_error (error);

  pb_page_set_project (f->page, NULL);
  pb_page_set_project (f->page, f->project);
  wait_for (pb_preprocess_page_get_preview_job (page));

  g_assert_cmpuint (pb_preprocess_page_get_n_sequences (page), ==, dataset->n);
  g_assert_cmpuint (pb_preprocess_page_get_n_previews (page), ==, MIN (dataset->n, 20));
  g_assert_true (pb_plot_view_has_figure (pb_preprocess_page_get_plot (page)));
  /* no run on this page yet: no stage counts */
  g_assert_cmpuint (pb_preprocess_page_get_n_stages (page), ==, 0);
}

static void
test_screenshot (void)
{
  g_autofree char *dir = pb_test_mkdtemp ();
  g_autofree char *path = g_build_filename (dir, "cohort.perturb", NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(PbProject) project = pb_project_create (path, &error);
  g_autoptr(PbDataset) dataset = NULL;
  g_auto(PbTestShot) shot = { 0 };
  PbPreprocessParams params;

  g_assert_no_error (error);
  import_cohort (project, 200);
  pb_preprocess_params_init (&params);
  dataset = pb_preprocess_run (project, &params, NULL, NULL, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (pb_dataset_save (dataset, project, PB_PREPROCESS_DEFAULT_DATASET, NULL, &error));
  pb_project_close (project);

  pb_test_gui_screenshot_page (&shot, "page-preprocess", "preprocess", path);

  pb_test_rmdir (dir);
}

int
main (int    argc,
      char **argv)
{
  gtk_test_init (&argc, &argv, NULL);
  adw_init ();

#define ADD(path, n_stays, func) \
  g_test_add (path, Fixture, GUINT_TO_POINTER (n_stays), fixture_setup, func, fixture_tear)
  ADD ("/pb/preprocess-page/defaults-and-run", 120, test_defaults_and_run);
  ADD ("/pb/preprocess-page/bad-parameters", 40, test_bad_parameters);
  ADD ("/pb/preprocess-page/empty-project", 0, test_empty_project);
  ADD ("/pb/preprocess-page/cancel", 40, test_cancel);
  ADD ("/pb/preprocess-page/shows-stored-dataset", 80, test_shows_stored_dataset);
#undef ADD
  g_test_add_func ("/pb/preprocess-page/screenshot", test_screenshot);

  return g_test_run ();
}
