/* test-figures.c — src/figures and `perturb figure PROJECT KIND`: every figure
 * kind from a small project's stored data (a training run, a cross-validation,
 * a study, an attack run, a dataset) into PNG, SVG and PDF; the CSV holds the
 * stored values; bad input is refused with a message and exit status 2.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "pb-test-plot.h"
#include "pb-test-util.h"

#include "pb-engine.h"
#include "pb-figures.h"

#include <cairo.h>
#include <math.h>
#include <string.h>
#include <sys/wait.h>

#define N_SEQ 48
#define T     6
#define F     3

/* one project for every test: building it trains and attacks */
typedef struct
{
  char      *dir;
  char      *path;
  PbProject *project;
  PbDataset *dataset;    /* "ds": training, CV and the heat map */
  PbDataset *attacked;   /* "attacked": labelled as the attacked model predicts */
} Shared;

static Shared shared;

/* ---- the command line -------------------------------------------------------- */

typedef struct
{
  int   status;
  char *out;
  char *err;
} CliResult;

static void
cli_result_clear (CliResult *r)
{
  g_clear_pointer (&r->out, g_free);
  g_clear_pointer (&r->err, g_free);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (CliResult, cli_result_clear)

static void
run_cli (CliResult  *r,
         const char *first,
         ...)
{
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  g_autoptr(GError) error = NULL;
  const char *cli = g_getenv ("PERTURB_CLI");
  int wait_status = 0;
  va_list args;

  cli_result_clear (r);
  g_assert_nonnull (cli);
  g_ptr_array_add (argv, (gpointer) cli);
  va_start (args, first);
  for (const char *a = first; a != NULL; a = va_arg (args, const char *))
    g_ptr_array_add (argv, (gpointer) a);
  va_end (args);
  g_ptr_array_add (argv, NULL);

  g_spawn_sync (shared.dir, (char **) argv->pdata, NULL, G_SPAWN_DEFAULT, NULL, NULL,
                &r->out, &r->err, &wait_status, &error);
  g_assert_no_error (error);
  g_assert_true (WIFEXITED (wait_status));
  r->status = WEXITSTATUS (wait_status);
  if (r->status != 0)
    g_test_message ("stderr: %s", r->err);
}

static char *
in_dir (const char *name)
{
  return g_build_filename (shared.dir, name, NULL);
}

static char *
read_text (const char *path)
{
  g_autoptr(GError) error = NULL;
  char *text = NULL;

  g_file_get_contents (path, &text, NULL, &error);
  g_assert_no_error (error);
  return text;
}

/* ---- file checks --------------------------------------------------------------- */

static void
check_png (const char *path,
           double      width_mm,
           double      height_mm,
           double      dpi)
{
  cairo_surface_t *image = cairo_image_surface_create_from_png (path);
  g_autofree char *text = read_text (path);

  g_assert_true (memcmp (text, "\x89PNG\r\n\x1a\n", 8) == 0);
  g_assert_cmpint (cairo_surface_status (image), ==, CAIRO_STATUS_SUCCESS);
  /* ceil (w_pt × dpi / 72), w_pt = mm / 25.4 × 72 */
  g_assert_cmpint (cairo_image_surface_get_width (image), ==, (int) ceil (width_mm / 25.4 * dpi));
  g_assert_cmpint (cairo_image_surface_get_height (image), ==,
                   (int) ceil (height_mm / 25.4 * dpi));
  cairo_surface_destroy (image);
}

static void
check_svg (const char *path,
           double      width_mm,
           double      height_mm)
{
  pb_test_check_svg (path, pb_plot_mm_to_pt (width_mm), pb_plot_mm_to_pt (height_mm));
}

/* the page height depends on the kind: only the width is checked */
static void
check_pdf (const char *path,
           double      width_mm)
{
  pb_test_check_pdf (path, pb_plot_mm_to_pt (width_mm), 0);
}

/* The CSV's rows as fields (no quoted commas in what these tests read). */
static GPtrArray *
read_csv (const char *path)
{
  g_autofree char *text = read_text (path);
  g_auto(GStrv) lines = g_strsplit (text, "\n", -1);
  GPtrArray *rows = g_ptr_array_new_with_free_func ((GDestroyNotify) g_strfreev);

  for (guint i = 0; lines[i] != NULL; i++)
    if (lines[i][0] != '\0')
      g_ptr_array_add (rows, g_strsplit (lines[i], ",", -1));
  return rows;
}

static double
field_double (const char *field)
{
  return field[0] == '\0' ? NAN : g_ascii_strtod (field, NULL);
}

/* ---- building the project ------------------------------------------------------------ */

static PbDataset *
make_dataset (void)
{
  PbDataset *ds = pb_dataset_new (N_SEQ, T, F, 2);
  PbRng rng;

  pb_rng_init (&rng, 17);
  for (guint i = 0; i < ds->n; i++)
    {
      float *x = pb_dataset_get_sequence (ds, i);

      ds->labels[i] = i % 3 == 0;
      ds->lengths[i] = i % 2 == 0 ? T : 2 + i % (T - 1);
      ds->sample_ids[i] = 7000 + i;
      for (guint t = 0; t < ds->lengths[i]; t++)
        for (guint f = 0; f < F; f++)
          x[t * F + f] = (float) (0.5 * pb_rng_uniform (&rng) +
                                  (f == 0 ? 0.4 * ds->labels[i] : 0));
    }
  ds->feature_names = g_new0 (char *, F + 1);
  ds->feature_names[0] = g_strdup ("heart rate");
  ds->feature_names[1] = g_strdup ("ph");
  ds->feature_names[2] = g_strdup ("glucose");
  return ds;
}

static void
small_train_config (PbTrainConfig *c)
{
  pb_train_config_init (c);
  c->model.n_hidden = 6;
  c->model.n_fc = 4;
  c->optim.lr = 0.01;
  c->batch_size = 16;
  c->eval_batch_size = 16;
  c->n_epochs = 3;
  c->eval_every = 2;     /* epochs 2 and 3 evaluated: loss_valid has gaps */
  c->checkpoint_every = 1;
  c->n_threads = 1;
}

static PbModel *
random_model (void)
{
  g_autoptr(GError) error = NULL;
  PbModelConfig config;
  PbModel *model;
  PbRng rng;

  pb_model_config_init (&config);
  config.n_features = F;
  config.n_hidden = 8;
  config.n_fc = 4;
  config.n_classes = 2;
  config.dropout = 0.0;
  model = pb_model_new (&config, &error);
  g_assert_no_error (error);
  pb_rng_init (&rng, 2);   /* predicts both classes; the attack succeeds on both */
  for (gsize k = 0; k < pb_model_get_n_params (model); k++)
    pb_model_get_params (model)[k] = pb_rng_uniform_range (&rng, -0.8, 0.8);
  return model;
}

static void
run_study (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(PbStorage) storage = pb_storage_open (shared.path, &error);
  g_autoptr(PbSearchSpace) space = pb_search_space_new_from_json (
    "{\"params\": ["
    "{\"name\": \"lr\", \"type\": \"float\", \"low\": 1e-4, \"high\": 0.1, \"log\": true},"
    "{\"name\": \"opt\", \"type\": \"categorical\", \"choices\": [\"Adam\", \"SGD\"]}"
    "]}", &error);
  g_autoptr(PbStudy) study = NULL;
  g_autoptr(PbStudy) empty = NULL;
  PbStudyOptions options;

  g_assert_no_error (error);
  pb_study_options_init_default (&options);
  options.budget = 5;
  options.tpe.seed = 3;
  study = pb_study_open (storage, "tiny", space, &options, &error);
  g_assert_no_error (error);
  g_assert_true (pb_study_set_user_attr (study, "perturb:objective", "\"classifier\"", &error));
  for (int i = 0; ; i++)
    {
      g_autoptr(PbStudyTrial) trial = NULL;
      double lr;

      g_assert_true (pb_study_ask (study, &trial, &error));
      g_assert_no_error (error);
      if (trial == NULL)
        break;
      lr = pb_study_trial_get_value (trial, "lr");
      for (int step = 0; step < 3; step++)
        g_assert_true (pb_study_trial_report (trial, step, 1.0 / (step + 1) + lr, NULL,
                                              &error));
      g_assert_true (pb_study_tell (study, trial, i == 2 ? PB_TRIAL_STATE_PRUNED
                                                         : PB_TRIAL_STATE_COMPLETE,
                                    0.25 + lr + 0.01 * i, &error));
      g_assert_no_error (error);
    }

  /* a study without trials */
  empty = pb_study_open (storage, "empty", space, &options, &error);
  g_assert_no_error (error);
}

static void
shared_setup (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(PbModel) model = random_model ();
  g_autoptr(PbDataset) valid = NULL;
  g_autoptr(PbAttribution) attribution = NULL;
  g_autoptr(PbFgsmResult) fgsm = NULL;
  const double epsilons[] = { 0, 0.05, 0.1, 0.2 };
  PbAttributionConfig aconfig;
  PbFgsmConfig fconfig;
  gint64 attribution_id = 0, fgsm_id = 0;
  const guint valid_rows[] = { 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11 };
  PbTrainConfig train;
  PbCvConfig cv;
  PbAttackParams params;
  gint64 run_id = 0, cv_id = 0, attack_id;
  const float *z;

  shared.dir = pb_test_mkdtemp ();
  shared.path = g_build_filename (shared.dir, "p.perturb", NULL);
  shared.project = pb_project_create (shared.path, &error);
  g_assert_no_error (error);

  /* run 1: a training run */
  shared.dataset = make_dataset ();
  g_assert_true (pb_dataset_save (shared.dataset, shared.project, "ds", "{}", &error));
  small_train_config (&train);
  valid = pb_dataset_subset (shared.dataset, valid_rows, G_N_ELEMENTS (valid_rows));
  g_assert_true (pb_train_run (shared.project, &train, "ds", shared.dataset, valid, &run_id,
                               NULL, NULL, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpint (run_id, ==, 1);

  /* CV 1: 2 folds × 2 epochs */
  pb_cv_config_init (&cv);
  cv.train = train;
  cv.train.n_epochs = 2;
  cv.train.eval_every = 1;
  cv.n_folds = 2;
  g_assert_true (pb_cv_run (shared.project, &cv, "ds", "test", &cv_id, NULL, NULL, NULL,
                            &error));
  g_assert_no_error (error);
  g_assert_cmpint (cv_id, ==, 1);

  run_study ();

  /* attack run 1 on a random model, every stay labelled as it predicts */
  shared.attacked = make_dataset ();
  pb_model_forward (model, PB_MODEL_MODE_LOGITS, shared.attacked->x, shared.attacked->lengths,
                    N_SEQ, T, NULL, &error);
  g_assert_no_error (error);
  z = pb_model_get_logits (model);
  for (guint i = 0; i < N_SEQ; i++)
    shared.attacked->labels[i] = z[2 * i + 1] > z[2 * i] ? 1 : 0;
  g_assert_true (pb_dataset_save (shared.attacked, shared.project, "attacked", "{}", &error));
  pb_attack_params_init (&params);
  params.kappa = 0.1;
  params.lambda = 0.003;
  params.optim.lr = 3.0;
  params.iterations = 25;
  params.batch_size = 16;
  attack_id = pb_attack_run_create (shared.project, "attacked", model, 0, &params, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpint (attack_id, ==, 1);
  pb_attack_run_execute (shared.project, attack_id, NULL, NULL, NULL, &error);
  g_assert_no_error (error);

  /* attribution 1 (gradient × input) and FGSM curve 1 of the same model */
  pb_attribution_config_init (&aconfig, PB_ATTRIBUTION_METHOD_GRAD_INPUT);
  attribution = pb_attribution_compute (model, shared.attacked, &aconfig, NULL, NULL, NULL,
                                        &error);
  g_assert_no_error (error);
  g_assert_true (pb_attribution_save (attribution, shared.project, "{}", "attacked", "test", 0, 0,
                                      -1, &attribution_id, &error));
  g_assert_cmpint (attribution_id, ==, 1);
  pb_fgsm_config_init (&fconfig);
  fconfig.epsilons = epsilons;
  fconfig.n_epsilons = G_N_ELEMENTS (epsilons);
  fgsm = pb_fgsm_run (model, shared.attacked, &fconfig, NULL, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (pb_fgsm_result_save (fgsm, shared.project, "{}", "attacked", "test", 0, &fgsm_id,
                                      &error));
  g_assert_cmpint (fgsm_id, ==, 1);
}

static void
shared_tear (void)
{
  g_clear_object (&shared.project);
  g_clear_pointer (&shared.dataset, pb_dataset_free);
  g_clear_pointer (&shared.attacked, pb_dataset_free);
  if (g_getenv ("PB_TEST_KEEP") == NULL)
    pb_test_rmdir (shared.dir);
  else
    g_printerr ("kept %s\n", shared.dir);
  g_free (shared.dir);
  g_free (shared.path);
}

/* ---- a training run -------------------------------------------------------------- */

static void
test_run_line (void)
{
  g_auto(CliResult) r = { 0 };
  g_autoptr(GPtrArray) rows = NULL;
  g_autoptr(sqlite3_stmt) stmt = NULL;
  g_autofree char *png = in_dir ("run1.png");
  g_autofree char *svg = in_dir ("run1-auc.svg");
  g_autofree char *pdf = in_dir ("run1.pdf");
  g_autofree char *csv = in_dir ("run1.csv");
  g_autofree char *csv_auc = in_dir ("run1-auc.csv");
  guint n_train = 0, n_valid = 0, n_auc = 0;

  run_cli (&r, "figure", shared.path, "line", "--run", "1", "--width-mm", "120", "--dpi", "150",
           "--out", png, "--csv", csv, NULL);
  g_assert_cmpint (r.status, ==, 0);
  g_assert_nonnull (strstr (r.out, "Training run 1"));
  check_png (png, 120, 120 * 0.72, 150);

  /* every row of the CSV is what epoch_metrics holds, to the last bit */
  rows = read_csv (csv);
  g_assert_cmpstr (((char **) rows->pdata[0])[0], ==, "series");
  stmt = pb_sqlite_prepare (pb_project_get_db (shared.project),
                            "SELECT loss_train, loss_valid FROM epoch_metrics "
                            "WHERE run_id = 1 AND epoch = ?1", NULL);
  for (guint i = 1; i < rows->len; i++)
    {
      char **row = rows->pdata[i];
      double epoch = field_double (row[1]);
      double y = field_double (row[2]);

      sqlite3_reset (stmt);
      sqlite3_bind_int64 (stmt, 1, (gint64) epoch);
      g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
      if (g_str_equal (row[0], "Training loss"))
        {
          g_assert_cmpfloat (y, ==, sqlite3_column_double (stmt, 0));
          n_train++;
        }
      else
        {
          g_assert_cmpstr (row[0], ==, "Validation loss");
          g_assert_cmpint (sqlite3_column_type (stmt, 1), !=, SQLITE_NULL);
          g_assert_cmpfloat (y, ==, sqlite3_column_double (stmt, 1));
          n_valid++;
        }
    }
  g_assert_cmpuint (n_train, ==, 3);   /* every epoch */
  g_assert_cmpuint (n_valid, ==, 2);   /* epochs 2 and 3 were evaluated */

  run_cli (&r, "figure", shared.path, "line", "--run", "1", "--metric", "auc", "--format", "svg",
           "--out", svg, "--csv", csv_auc, NULL);
  g_assert_cmpint (r.status, ==, 0);
  check_svg (svg, 89, 89 * 0.72);
  g_clear_pointer (&rows, g_ptr_array_unref);
  g_clear_pointer (&stmt, sqlite3_finalize);
  rows = read_csv (csv_auc);
  stmt = pb_sqlite_prepare (pb_project_get_db (shared.project),
                            "SELECT auc FROM epoch_metrics WHERE run_id = 1 AND epoch = ?1", NULL);
  for (guint i = 1; i < rows->len; i++)
    {
      char **row = rows->pdata[i];

      g_assert_cmpstr (row[0], ==, "Validation AUC");
      sqlite3_reset (stmt);
      sqlite3_bind_int64 (stmt, 1, (gint64) field_double (row[1]));
      g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
      g_assert_cmpfloat (field_double (row[2]), ==, sqlite3_column_double (stmt, 0));
      n_auc++;
    }
  g_assert_cmpuint (n_auc, ==, 2);

  run_cli (&r, "figure", shared.path, "line", "--run", "1", "--out", pdf, "--height-mm", "50",
           NULL);
  g_assert_cmpint (r.status, ==, 0);
  check_pdf (pdf, 89);

  /* without --out: KIND-SOURCE-ID.FORMAT in the working directory */
  run_cli (&r, "figure", shared.path, "line", "--run", "1", "--format", "svg", NULL);
  g_assert_cmpint (r.status, ==, 0);
  {
    g_autofree char *named = in_dir ("line-run-1.svg");

    check_svg (named, 89, 89 * 0.72);
  }
}

/* ---- a cross-validation ------------------------------------------------------------ */

static void
test_cv_line (void)
{
  g_auto(CliResult) r = { 0 };
  g_autoptr(GError) error = NULL;
  g_autoptr(PbCvResult) cv = pb_cv_load (shared.project, 1, &error);
  g_autoptr(PbFigure) figure = NULL;
  g_autoptr(GPtrArray) rows = NULL;
  g_autofree char *pdf = in_dir ("cv.pdf");
  g_autofree char *csv = in_dir ("cv.csv");
  const PbPlotLineData *line;
  guint n_fold_rows[2] = { 0, 0 };

  g_assert_no_error (error);
  run_cli (&r, "figure", shared.path, "line", "--cv", "1", "--metric", "auc", "--out", pdf,
           "--csv", csv, NULL);
  g_assert_cmpint (r.status, ==, 0);
  check_pdf (pdf, 89);

  /* one AUC series per fold, the values pb_cv_load reads */
  rows = read_csv (csv);
  for (guint i = 1; i < rows->len; i++)
    {
      char **row = rows->pdata[i];
      guint fold = g_str_equal (row[0], "Fold 0") ? 0 : 1;
      guint epoch = (guint) field_double (row[1]);
      const PbCvEpoch *e = &g_array_index (cv->folds[fold].epochs, PbCvEpoch, epoch - 1);

      if (fold == 1)
        g_assert_cmpstr (row[0], ==, "Fold 1");
      g_assert_cmpuint (e->epoch, ==, epoch);
      g_assert_cmpfloat (field_double (row[2]), ==, e->metrics.auc);
      n_fold_rows[fold]++;
    }
  g_assert_cmpuint (n_fold_rows[0], ==, 2);
  g_assert_cmpuint (n_fold_rows[1], ==, 2);

  /* the loss: validation (solid) and training (dashed) per fold, in the fold's colour */
  figure = pb_figure_load_cv (shared.project, 1, PB_FIGURE_CURVE_LOSS, &error);
  g_assert_no_error (error);
  g_assert_cmpint (pb_figure_get_kind (figure), ==, PB_PLOT_KIND_LINE);
  line = pb_figure_get_data (figure);
  g_assert_true ((gconstpointer) line == (gconstpointer) figure);
  g_assert_cmpuint (line->n_series, ==, 4);
  g_assert_cmpstr (line->series[0].label, ==, "Fold 0");
  g_assert_false (line->series[0].dashed);
  g_assert_null (line->series[1].label);
  g_assert_true (line->series[1].dashed);
  g_assert_cmpint (line->series[3].color, ==, 1);
  g_assert_cmpfloat (line->series[1].y[1], ==,
                     g_array_index (cv->folds[0].epochs, PbCvEpoch, 1).loss_train);
  g_assert_true (pb_plot_figure_check (pb_figure_get_plot_figure (figure), &error));
}

/* ---- a study ----------------------------------------------------------------------- */

static void
test_study (void)
{
  static const char *kinds[] = { "history", "intermediate", "slice", "parallel" };
  static const char *formats[] = { "svg", "pdf", "png", "svg" };
  g_autoptr(GError) error = NULL;
  g_autoptr(PbStorage) storage = pb_storage_open (shared.path, &error);
  g_autoptr(GPtrArray) trials = NULL;
  gint64 study_id;
  PbStudyDirection direction;

  g_assert_no_error (error);
  g_assert_true (pb_storage_find_study (storage, "tiny", &study_id, &direction, &error));
  trials = pb_storage_load_trials (storage, study_id, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (trials->len, ==, 5);

  for (guint k = 0; k < G_N_ELEMENTS (kinds); k++)
    {
      g_auto(CliResult) r = { 0 };
      g_autofree char *name = g_strdup_printf ("study-%s.%s", kinds[k], formats[k]);
      g_autofree char *out = in_dir (name);
      g_autofree char *csv_name = g_strdup_printf ("study-%s.csv", kinds[k]);
      g_autofree char *csv = in_dir (csv_name);
      g_autofree char *text = NULL;

      run_cli (&r, "figure", shared.path, kinds[k], "--study", "tiny", "--out", out,
               "--csv", csv, "--width-mm", "183", NULL);
      g_assert_cmpint (r.status, ==, 0);
      g_assert_nonnull (strstr (r.out, "Study tiny: 5 trials"));
      if (g_str_equal (formats[k], "svg"))
        check_svg (out, 183, 183 * 0.72);
      else if (g_str_equal (formats[k], "pdf"))
        check_pdf (out, 183);
      else
        check_png (out, 183, 183 * 0.85, 300);

      /* every complete trial's value (history, slice, parallel) or report
       * (intermediate) is in the CSV, exactly */
      text = read_text (csv);
      for (guint i = 0; i < trials->len; i++)
        {
          const PbTrial *t = g_ptr_array_index (trials, i);
          char buf[G_ASCII_DTOSTR_BUF_SIZE];
          double v = k == 1 ? g_array_index (t->intermediate_values, PbIntermediateValue,
                                             2).value : t->value;

          if (t->state != PB_TRIAL_STATE_COMPLETE && k != 1)
            continue;
          g_ascii_formatd (buf, sizeof buf, "%.15g", v);
          if (g_ascii_strtod (buf, NULL) != v)
            g_ascii_formatd (buf, sizeof buf, "%.17g", v);
          g_assert_nonnull (strstr (text, buf));
        }
    }

  /* by number, as `perturb study` numbers them */
  {
    g_auto(CliResult) r = { 0 };
    g_autofree char *number = g_strdup_printf ("%" G_GINT64_FORMAT, study_id);
    g_autofree char *out = in_dir ("study-by-number.svg");

    run_cli (&r, "figure", shared.path, "history", "--study", number, "--out", out, NULL);
    g_assert_cmpint (r.status, ==, 0);
    g_assert_nonnull (strstr (r.out, "Study tiny"));
  }

  /* the library: what the tune page shows */
  {
    g_autoptr(PbFigure) figure = pb_figure_load_study (shared.project, PB_PLOT_KIND_INTERMEDIATE,
                                                       NULL, "tiny", &error);
    const PbPlotStudyData *data;

    g_assert_no_error (error);
    data = pb_figure_get_data (figure);
    g_assert_cmpuint (data->n_trials, ==, 5);
    g_assert_cmpuint (data->n_params, ==, 2);
    g_assert_cmpstr (data->params[1].name, ==, "opt");
    g_assert_cmpuint (data->params[1].n_choices, ==, 2);
    g_assert_cmpstr (data->objective_label, ==, "Mean validation loss");
    g_assert_cmpstr (data->step_label, ==, "Report");
    g_assert_false (data->maximize);
    g_assert_cmpuint (data->trials[2].state, ==, PB_PLOT_TRIAL_PRUNED);
    g_assert_cmpuint (data->trials[0].n_intermediate, ==, 3);
    g_assert_cmpfloat (data->trials[0].intermediate[2], ==,
                       g_array_index (((PbTrial *) trials->pdata[0])->intermediate_values,
                                      PbIntermediateValue, 2).value);
  }
}

/* ---- an attack run ------------------------------------------------------------------ */

static void
test_attack_sample (void)
{
  g_auto(CliResult) r = { 0 };
  g_autoptr(GError) error = NULL;
  g_autoptr(PbAttackResult) result = pb_attack_result_load (shared.project, 1, &error);
  g_autoptr(GPtrArray) rows = NULL;
  g_autofree char *png = in_dir ("sample.png");
  g_autofree char *csv = in_dir ("sample.csv");
  g_autofree float *pert = NULL;
  g_autofree char *sample = NULL;
  const float *x;
  guint i = G_MAXUINT, L, n_checked = 0;

  g_assert_no_error (error);
  /* a stay with a best adversarial example */
  for (guint k = 0; k < result->n && i == G_MAXUINT; k++)
    if (result->examples[PB_ATTACK_EXAMPLE_BEST][k].iteration >= 0)
      i = k;
  g_assert_cmpuint (i, <, result->n);
  sample = g_strdup_printf ("%u", i);
  run_cli (&r, "figure", shared.path, "heatmap-triple", "--attack", "1", "--sample", sample,
           "--best", "--out", png, "--csv", csv, "--dpi", "100", NULL);
  g_assert_cmpint (r.status, ==, 0);
  check_png (png, 89, 89 * 1.15, 100);

  /* the CSV: panel, feature, hour, value — the dataset's values and the stored perturbation */
  x = pb_dataset_get_sequence (shared.attacked, result->dataset_index[i]);
  pert = g_new0 (float, T * F);
  pb_attack_result_get_dense (result, PB_ATTACK_EXAMPLE_BEST, i, pert);
  L = result->lengths[i];
  rows = read_csv (csv);
  g_test_message ("heatmap-triple CSV header: %s,%s,…", ((char **) rows->pdata[0])[0],
                  ((char **) rows->pdata[0])[1]);
  for (guint row = 1; row < rows->len; row++)
    {
      char **fields = rows->pdata[row];
      guint n = g_strv_length (fields);
      guint f, t;

      g_assert_cmpuint (n, ==, 5);
      for (f = 0; f < F && !g_str_equal (fields[0], shared.attacked->feature_names[f]); f++)
        ;
      g_assert_cmpuint (f, <, F);
      t = (guint) field_double (fields[1]);
      g_assert_cmpuint (t, <, L);
      g_assert_cmpfloat (field_double (fields[2]), ==, (double) x[t * F + f]);
      g_assert_cmpfloat (field_double (fields[3]), ==, (double) pert[t * F + f]);
      g_assert_cmpfloat (field_double (fields[4]), ==, (double) x[t * F + f] + pert[t * F + f]);
      n_checked++;
    }
  g_assert_cmpuint (n_checked, ==, L * F);
}

static void
test_attack_analysis (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(PbAttackResult) result = pb_attack_result_load (shared.project, 1, &error);
  g_autoptr(PbTable) success = NULL;
  g_autoptr(GPtrArray) rows = NULL;
  g_autofree char *svg = in_dir ("bars.svg");
  g_autofree char *csv = in_dir ("bars.csv");
  guint n_examples[2];

  g_assert_no_error (error);

  /* the susceptibility map of each class: the engine's matrix, or a clear refusal */
  for (gint label = 0; label < 2; label++)
    {
      g_auto(CliResult) r = { 0 };
      g_autoptr(PbSusceptibility) s = NULL;
      g_autofree char *name = g_strdup_printf ("gpp-%d.pdf", label);
      g_autofree char *out = in_dir (name);
      g_autofree char *csv_name = g_strdup_printf ("gpp-%d.csv", label);
      g_autofree char *map_csv = in_dir (csv_name);
      g_autofree char *class = g_strdup_printf ("%d", label);
      PbAttackCondition cond;

      pb_attack_condition_init (&cond, PB_ATTACK_EXAMPLE_FIRST, label);
      cond.seq_length = T;
      s = pb_susceptibility_compute (result, &cond);
      n_examples[label] = s->n_examples;
      run_cli (&r, "figure", shared.path, "susceptibility", "--attack", "1", "--first",
               "--class", class, "--metric", "gpp", "--out", out, "--csv", map_csv, NULL);
      if (s->n_examples == 0)
        {
          g_assert_cmpint (r.status, ==, 2);
          g_assert_nonnull (strstr (r.err, "no first adversarial example"));
          continue;
        }
      g_assert_cmpint (r.status, ==, 0);
      check_pdf (out, 89);
      g_clear_pointer (&rows, g_ptr_array_unref);
      rows = read_csv (map_csv);
      /* wide: a row per feature, a column per hour, then the marginal sums */
      g_assert_cmpuint (rows->len, ==, 1 + F + 1);
      for (guint f = 0; f < F; f++)
        {
          char **fields = rows->pdata[1 + f];

          g_assert_cmpstr (fields[0], ==, shared.attacked->feature_names[f]);
          for (guint t = 0; t < T; t++)
            g_assert_cmpfloat (field_double (fields[1 + t]), ==, s->gpp[t * F + f]);
        }
    }
  g_assert_cmpuint (n_examples[0] + n_examples[1], >, 0);

  /* the sparsity histogram */
  {
    g_auto(CliResult) r = { 0 };
    g_autofree char *out = in_dir ("sparsity.png");
    const char *class = n_examples[0] > 0 ? "0" : "1";

    run_cli (&r, "figure", shared.path, "histogram", "--attack", "1", "--class", class,
             "--out", out, NULL);
    g_assert_cmpint (r.status, ==, 0);
    check_png (out, 89, 89 * 0.72, 300);
  }

  /* the success rate per class: pb_attack_success_table's */
  {
    g_auto(CliResult) r = { 0 };

    run_cli (&r, "figure", shared.path, "bars", "--attack", "1", "--out", svg, "--csv", csv,
             NULL);
    g_assert_cmpint (r.status, ==, 0);
    check_svg (svg, 89, 89 * 0.72);
  }
  success = pb_attack_success_table (result);
  g_clear_pointer (&rows, g_ptr_array_unref);
  rows = read_csv (csv);
  g_assert_cmpuint (rows->len, ==, 1 + success->n_rows);
  for (guint row = 0; row < success->n_rows; row++)
    {
      const double *v = success->values + (gsize) row * success->n_cols;
      char **fields = rows->pdata[row + 1];

      g_assert_cmpfloat (field_double (fields[1]), ==, v[3]);
    }
}

/* ---- a dataset ----------------------------------------------------------------------- */

static void
test_dataset_heatmap (void)
{
  g_auto(CliResult) r = { 0 };
  g_autoptr(GPtrArray) rows = NULL;
  g_autofree char *svg = in_dir ("seq.svg");
  g_autofree char *csv = in_dir ("seq.csv");
  const float *x = pb_dataset_get_sequence (shared.dataset, 5);
  guint L = shared.dataset->lengths[5];

  run_cli (&r, "figure", shared.path, "heatmap", "--dataset", "ds", "--sample", "5",
           "--out", svg, "--csv", csv, "--width-mm", "183", "--height-mm", "60", NULL);
  g_assert_cmpint (r.status, ==, 0);
  g_assert_nonnull (strstr (r.out, "admission 7005"));
  check_svg (svg, 183, 60);
  rows = read_csv (csv);
  /* wide: a row per feature, a column per hour of the stay */
  g_assert_cmpuint (rows->len, ==, 1 + F);
  g_assert_cmpuint (g_strv_length (rows->pdata[0]), ==, 1 + L);
  for (guint f = 0; f < F; f++)
    {
      char **fields = rows->pdata[1 + f];

      g_assert_cmpstr (fields[0], ==, shared.dataset->feature_names[f]);
      for (guint t = 0; t < L; t++)
        g_assert_cmpfloat (field_double (fields[1 + t]), ==, (double) x[t * F + f]);
    }
}

/* ---- attribution and FGSM ----------------------------------------------------------- */

static void
test_robustness (void)
{
  g_auto(CliResult) r = { 0 };
  g_autoptr(GError) error = NULL;
  g_autoptr(PbFgsmResult) fgsm = pb_fgsm_result_load (shared.project, 1, &error);
  g_autoptr(PbFeatureHourMatrix) m = pb_attribution_load_matrix (shared.project, 1, "mean_abs",
                                                                 &error);
  g_autoptr(GPtrArray) rows = NULL;
  g_autofree char *png = in_dir ("attribution.png");
  g_autofree char *csv = in_dir ("attribution.csv");
  g_autofree char *svg = in_dir ("fgsm.svg");
  g_autofree char *fgsm_csv = in_dir ("fgsm.csv");
  guint n_acc = 0;

  g_assert_no_error (error);
  run_cli (&r, "figure", shared.path, "heatmap", "--attribution", "1", "--out", png,
           "--csv", csv, NULL);
  g_assert_cmpint (r.status, ==, 0);
  check_png (png, 89, 89 * 0.62, 300);
  rows = read_csv (csv);
  g_assert_cmpuint (rows->len, ==, 1 + F);
  for (guint f = 0; f < F; f++)
    for (guint t = 0; t < T; t++)
      g_assert_cmpfloat (field_double (((char **) rows->pdata[1 + f])[1 + t]), ==,
                         m->values[t * F + f]);

  run_cli (&r, "figure", shared.path, "line", "--fgsm", "1", "--out", svg, "--csv", fgsm_csv,
           NULL);
  g_assert_cmpint (r.status, ==, 0);
  check_svg (svg, 89, 89 * 0.72);
  g_clear_pointer (&rows, g_ptr_array_unref);
  rows = read_csv (fgsm_csv);
  for (guint i = 1; i < rows->len; i++)
    {
      char **row = rows->pdata[i];

      if (!g_str_equal (row[0], "Accuracy"))
        continue;
      g_assert_cmpfloat (field_double (row[1]), ==, fgsm->points[n_acc].epsilon);
      g_assert_cmpfloat (field_double (row[2]), ==, fgsm->points[n_acc].metrics.accuracy);
      n_acc++;
    }
  g_assert_cmpuint (n_acc, ==, fgsm->n_epsilons);

  run_cli (&r, "figure", shared.path, "line", "--fgsm", "1", "--metric", "auc", NULL);
  g_assert_cmpint (r.status, ==, 2);
  run_cli (&r, "figure", shared.path, "heatmap", "--attribution", "7", NULL);
  g_assert_cmpint (r.status, ==, 2);
  g_assert_nonnull (strstr (r.err, "7"));
}

/* ---- the library's own checks ---------------------------------------------------------- */

static void
test_load_errors (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(PbFigure) figure = NULL;
  PbFigureSource source;

  pb_figure_source_init (&source);
  g_assert_null (pb_figure_load (shared.project, PB_PLOT_KIND_LINE, &source, &error));
  g_assert_error (error, PB_ENGINE_ERROR, PB_ENGINE_ERROR_INVALID_ARGUMENT);
  g_clear_error (&error);

  source.type = PB_FIGURE_SOURCE_ATTACK;
  source.id = 1;
  g_assert_null (pb_figure_load (shared.project, PB_PLOT_KIND_SLICE, &source, &error));
  g_assert_error (error, PB_ENGINE_ERROR, PB_ENGINE_ERROR_INVALID_ARGUMENT);
  g_assert_nonnull (strstr (error->message, "slice"));
  g_clear_error (&error);

  source.type = PB_FIGURE_SOURCE_RUN;
  source.id = 12;
  g_assert_null (pb_figure_load (shared.project, PB_PLOT_KIND_LINE, &source, &error));
  g_assert_error (error, PB_ENGINE_ERROR, PB_ENGINE_ERROR_NOT_FOUND);
  g_clear_error (&error);

  /* a dataset sequence through the one entry point */
  source.type = PB_FIGURE_SOURCE_DATASET;
  source.name = "ds";
  source.sample = 3;
  figure = pb_figure_load (shared.project, PB_PLOT_KIND_HEATMAP, &source, &error);
  g_assert_no_error (error);
  g_assert_cmpint (pb_figure_get_kind (figure), ==, PB_PLOT_KIND_HEATMAP);
  g_assert_cmpstr (pb_figure_get_caption (figure), ==,
                   "Dataset ds, sequence 3: admission 7003, 5 hours, label 1");
  g_assert_cmpuint (((const PbPlotHeatmapData *) pb_figure_get_data (figure))->matrix.n_cols, ==,
                    shared.dataset->lengths[3]);
}

/* ---- bad input ------------------------------------------------------------------------- */

typedef struct
{
  int         status;
  const char *message;
  const char *args[12];
} BadCase;

static void
test_bad_input (void)
{
  g_autofree char *missing = in_dir ("missing.perturb");
  g_autofree char *unwritable = in_dir ("no/such/dir/out.png");
  const BadCase cases[] = {
    { 2, "Unknown", { "line", "--run", "1", NULL } },   /* KIND slot gets "bogus" below */
    { 2, "drawn from --attack ID, not from a training run", { "heatmap-triple", "--run", "1" } },
    { 2, "drawn from --study NAME", { "history" } },
    { 2, "not 2", { "line", "--run", "1", "--cv", "1" } },
    { 2, "No training run 99", { "line", "--run", "99" } },
    { 2, "99", { "line", "--cv", "99" } },
    { 2, "No attack run 42", { "heatmap-triple", "--attack", "42" } },
    { 2, "99", { "bars", "--attack", "99" } },
    { 2, "No study “nope”", { "history", "--study", "nope" } },
    { 2, "no trials yet", { "slice", "--study", "empty" } },
    { 2, "sample 999 is out of range", { "heatmap-triple", "--attack", "1", "--sample", "999" } },
    { 2, "sample 480 is out of range", { "heatmap", "--dataset", "ds", "--sample", "480" } },
    { 2, "--sample must be 0 or more", { "heatmap", "--dataset", "ds", "--sample", "-4" } },
    { 2, "--sample goes with", { "line", "--run", "1", "--sample", "0" } },
    { 2, "nope", { "heatmap", "--dataset", "nope" } },
    { 2, "--metric", { "line", "--run", "1", "--metric", "f1" } },
    { 2, "--metric goes with", { "bars", "--attack", "1", "--metric", "gpp" } },
    { 2, "--class must be 0 or 1", { "histogram", "--attack", "1", "--class", "2" } },
    { 2, "not both", { "susceptibility", "--attack", "1", "--first", "--best" } },
    { 2, "png, svg", { "line", "--run", "1", "--format", "jpeg" } },
    { 2, "cannot tell the format", { "line", "--run", "1", "--out", "x.bmp" } },
    { 2, "--width-mm must be positive", { "line", "--run", "1", "--width-mm", "-3" } },
    { 2, "--dpi must be positive", { "line", "--run", "1", "--dpi", "0" } },
    { 2, "PROJECT and a KIND", { NULL } },
    { 1, "out.png", { "line", "--run", "1", "--out", unwritable } },
  };

  for (guint c = 0; c < G_N_ELEMENTS (cases); c++)
    {
      g_autoptr(GPtrArray) argv = g_ptr_array_new ();
      g_autoptr(GError) error = NULL;
      const char *cli = g_getenv ("PERTURB_CLI");
      g_autofree char *out = NULL;
      g_autofree char *err = NULL;
      int wait_status = 0;

      g_ptr_array_add (argv, (gpointer) cli);
      g_ptr_array_add (argv, (gpointer) "figure");
      g_ptr_array_add (argv, shared.path);
      for (guint a = 0; a < G_N_ELEMENTS (cases[c].args) && cases[c].args[a] != NULL; a++)
        g_ptr_array_add (argv, (gpointer) (c == 0 && a == 0 ? "bogus" : cases[c].args[a]));
      g_ptr_array_add (argv, NULL);
      g_spawn_sync (shared.dir, (char **) argv->pdata, NULL, G_SPAWN_DEFAULT, NULL, NULL,
                    &out, &err, &wait_status, &error);
      g_assert_no_error (error);
      g_test_message ("case %u: %s", c, err);
      g_assert_true (WIFEXITED (wait_status));
      g_assert_cmpint (WEXITSTATUS (wait_status), ==, cases[c].status);
      g_assert_true (g_str_has_prefix (err, "perturb: "));
      g_assert_nonnull (strstr (err, cases[c].message));
      g_assert_cmpstr (out, ==, "");
    }

  /* a project that does not exist */
  {
    g_auto(CliResult) r = { 0 };

    run_cli (&r, "figure", missing, "line", "--run", "1", NULL);
    g_assert_cmpint (r.status, ==, 2);
    g_assert_nonnull (strstr (r.err, "missing.perturb"));
  }
}

/* ---- help and demo ------------------------------------------------------------------------ */

static void
test_help_demo (void)
{
  g_auto(CliResult) r = { 0 };
  g_autofree char *svg = in_dir ("demo.svg");

  run_cli (&r, "figure", "--help", NULL);
  g_assert_cmpint (r.status, ==, 0);
  g_assert_nonnull (strstr (r.out, "PROJECT KIND"));
  g_assert_nonnull (strstr (r.out, "heatmap-triple  --attack ID"));
  g_assert_nonnull (strstr (r.out, "--study NAME|NUMBER"));
  g_assert_nonnull (strstr (r.out, "perturb figure demo"));

  run_cli (&r, "figure", "demo", "--kind", "parallel", "--out", svg, NULL);
  g_assert_cmpint (r.status, ==, 0);
  check_svg (svg, 89, 89 * 0.72);
}

int
main (int    argc,
      char **argv)
{
  int status;

  g_test_init (&argc, &argv, NULL);
  shared_setup ();

  g_test_add_func ("/pb/figures/run/line", test_run_line);
  g_test_add_func ("/pb/figures/cv/line", test_cv_line);
  g_test_add_func ("/pb/figures/study/every-kind", test_study);
  g_test_add_func ("/pb/figures/attack/sample", test_attack_sample);
  g_test_add_func ("/pb/figures/attack/analysis", test_attack_analysis);
  g_test_add_func ("/pb/figures/dataset/heatmap", test_dataset_heatmap);
  g_test_add_func ("/pb/figures/robustness/attribution-fgsm", test_robustness);
  g_test_add_func ("/pb/figures/load/errors", test_load_errors);
  g_test_add_func ("/pb/figures/cli/bad-input", test_bad_input);
  g_test_add_func ("/pb/figures/cli/help-and-demo", test_help_demo);

  status = g_test_run ();
  shared_tear ();
  return status;
}
