/* test-workbench-study.c — one whole study in one real window (issue 8): on a
 * fresh project a PbWindow at 1280×800 is driven page by page through the
 * pages' own actions — import a synthetic cohort, preprocess it, a short tune,
 * a short cross-validation, an attack on a checkpoint it stored, then the
 * analysis with attribution and FGSM — and the overview at the end. After each
 * step: no toast was raised, no inline error is shown, the page shows its
 * results (tables, labels, figures), and a screenshot of the window is saved
 * to <builddir>/tests/screenshots/study-<n>-<page>.png and must not be blank.
 *
 * Responsiveness: while the tune and cross-validation jobs train, a
 * G_PRIORITY_HIGH timeout every 5 ms records the gaps between its dispatches
 * and the main thread's CPU time in each; the largest gap and the 99th
 * percentile are reported (g_test_message and screenshots/stalls.txt), and
 * the main thread's own work in a gap must stay under 50 ms (see MAX_BUSY_MS).
 *
 * The steps depend on each other and run in this order only.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "pb-analysis-page.h"
#include "pb-attack-page.h"
#include "pb-cv-page.h"
#include "pb-import-page.h"
#include "pb-overview-page.h"
#include "pb-plot-view.h"
#include "pb-preprocess-page.h"
#include "pb-screenshot.h"
#include "pb-text-table.h"
#include "pb-tune-page.h"
#include "pb-window.h"

#include "pb-test-gui.h"
#include "pb-test-page.h"
#include "pb-test-util.h"
#include <fcntl.h>
#include <stdio.h>
#include <time.h>
#include <unistd.h>

/* Two bounds on what happens between two dispatches of the probe:
 *
 * - MAX_BUSY_MS on the main thread's own CPU time in a gap: the work the
 *   pages do on the main loop (progress handlers, tables, figures, layout,
 *   drawing). This is the 50 ms of issue 8, and it does not depend on what
 *   else the machine runs.
 * - MAX_WALL_MS on the wall-clock gap, which also counts waiting: for the X
 *   server (GTK on X11 makes round trips on relayout) and for a CPU that two
 *   training threads, Xvfb and other tests share. On the 2-core CI machine
 *   that waiting alone reaches 50–100 ms, so this bound only catches the main
 *   loop blocked for a large part of a job; the figures are reported.
 *
 * Under AddressSanitizer every allocation on the main thread is several times
 * slower and the sanitizer's allocator serialises it against the training
 * threads: there the bounds only catch work that blocks the loop for seconds. */
#if defined(__SANITIZE_ADDRESS__)
# define PB_TEST_SANITIZED 1
#elif defined(__has_feature)
# if __has_feature(address_sanitizer)
#  define PB_TEST_SANITIZED 1
# endif
#endif
#ifdef PB_TEST_SANITIZED
# define MAX_BUSY_MS 1000.0
# define MAX_WALL_MS 2000.0
#else
# define MAX_BUSY_MS 50.0
# define MAX_WALL_MS 500.0
#endif

#define TICK_MS      5      /* period of the stall probe */
#define JOB_TIMEOUT  240.0  /* seconds one job may take before the test fails */
#define WIDTH        1280
#define HEIGHT       800

typedef struct
{
  char      *dir;
  char      *path;
  char      *shots;     /* <builddir>/tests/screenshots */
  PbWindow  *window;
  GPtrArray *toasts;    /* (element-type utf8): every toast the window showed */
  GString   *stalls;    /* the lines of stalls.txt */
  guint      step;      /* steps done so far */
} Study;

static Study study;

/* ---- toasts ----------------------------------------------------------------------- */

/* pb_window_show_toast() logs every toast as g_debug ("toast: %s") in the
 * app's domain: that sees toasts from any page or plot, however raised, and
 * after they have left the overlay. The probe at the end proves it works. */
static void
on_app_debug (const char     *domain,
              GLogLevelFlags  level,
              const char     *message,
              gpointer        user_data)
{
  if (g_str_has_prefix (message, "toast: "))
    {
      g_test_message ("%s", message);
      g_ptr_array_add (study.toasts, g_strdup (message + strlen ("toast: ")));
      return;
    }
  g_log_default_handler (domain, level, message, user_data);
}

static void
assert_no_toast (const char *step)
{
  if (study.toasts->len > 0)
    g_error ("%s: the window showed a toast: “%s”", step,
             (const char *) g_ptr_array_index (study.toasts, 0));
}

/* ---- widgets ---------------------------------------------------------------------- */

static GtkWidget *
find_by_type (GtkWidget *root,
              GType      type)
{
  if (G_TYPE_CHECK_INSTANCE_TYPE (root, type))
    return root;
  for (GtkWidget *c = gtk_widget_get_first_child (root); c != NULL;
       c = gtk_widget_get_next_sibling (c))
    {
      GtkWidget *found = find_by_type (c, type);

      if (found != NULL)
        return found;
    }
  return NULL;
}

static GtkWidget *
get_page (GType type)
{
  GtkWidget *page = find_by_type (GTK_WIDGET (study.window), type);

  g_assert_nonnull (page);
  return page;
}

/* A shown label styled as an error (the pages' inline status) with text. */
static void
assert_no_inline_error (GtkWidget  *root,
                        const char *step)
{
  if (!gtk_widget_get_visible (root))
    return;
  if (GTK_IS_LABEL (root) && gtk_widget_has_css_class (root, "error") &&
      *gtk_label_get_text (GTK_LABEL (root)) != '\0')
    g_error ("%s: the page shows an error: “%s”", step, gtk_label_get_text (GTK_LABEL (root)));
  for (GtkWidget *c = gtk_widget_get_first_child (root); c != NULL;
       c = gtk_widget_get_next_sibling (c))
    assert_no_inline_error (c, step);
}

static PbPlotView *
plot (GtkWidget  *page,
      const char *name)
{
  return PB_PLOT_VIEW (pb_test_get_widget (page, name));
}

static guint
n_items (GListModel *model)
{
  return g_list_model_get_n_items (model);
}

/* ---- main loop -------------------------------------------------------------------- */

/* Lets the window lay out and paint what changed (a page switch, new figures). */
static void
settle (guint ms)
{
  gint64 until = g_get_monotonic_time () + (gint64) ms * 1000;

  while (g_get_monotonic_time () < until)
    {
      if (!g_main_context_iteration (NULL, FALSE))
        g_usleep (1000);
    }
}

static gboolean
job_done (gpointer data)
{
  return !pb_job_get_running (PB_JOB (data));
}

static void
wait_job (PbJob      *job,
          const char *what)
{
  if (!pb_test_wait_until (job_done, job, JOB_TIMEOUT))
    g_error ("%s did not finish within %.0f s", what, JOB_TIMEOUT);
  pb_test_drain ();
  if (pb_job_get_error (job) != NULL)
    g_error ("%s failed: %s", what, pb_job_get_error (job)->message);
}

/* ---- stalls ----------------------------------------------------------------------- */

/* Between two dispatches of the probe: the wall-clock gap, and how the main
 * thread spent it: on a CPU (its own work: handlers, layout, drawing), waiting
 * for a CPU (runnable while other threads and programs held both), or blocked
 * (asleep: waiting for the X server, a lock, …). Linux says the first two in
 * /proc/thread-self/schedstat; elsewhere only the CPU time is known. */
typedef struct
{
  gint64  last_wall;   /* µs */
  gint64  last_cpu;    /* µs of main-thread CPU time */
  gint64  last_queue;  /* µs the main thread waited on a run queue, or -1 */
  GArray *wall;        /* (element-type double): ms */
  GArray *busy;        /* (element-type double): ms */
  GArray *queue;       /* (element-type double): ms */
  GArray *blocked;     /* (element-type double): ms */
  gint64  start;       /* µs: when the job started */
  double  busiest;     /* ms: the most CPU time in one gap … */
  double  busiest_at;  /* s: … and when that gap ended, after the start */
} StallProbe;

static gint64
thread_cpu_time (void)
{
  struct timespec ts;

  clock_gettime (CLOCK_THREAD_CPUTIME_ID, &ts);
  return (gint64) ts.tv_sec * G_USEC_PER_SEC + ts.tv_nsec / 1000;
}

/* µs the calling thread has waited on a run queue, or -1 */
static gint64
thread_queue_time (void)
{
  char buf[128];
  guint64 on_cpu, waited;
  ssize_t n;
  int fd = open ("/proc/thread-self/schedstat", O_RDONLY | O_CLOEXEC);

  if (fd < 0)
    return -1;
  n = read (fd, buf, sizeof buf - 1);
  close (fd);
  if (n <= 0)
    return -1;
  buf[n] = '\0';
  if (sscanf (buf, "%" G_GUINT64_FORMAT " %" G_GUINT64_FORMAT, &on_cpu, &waited) != 2)
    return -1;
  return (gint64) (waited / 1000);
}

static gboolean
stall_tick (gpointer data)
{
  StallProbe *probe = data;
  gint64 wall = g_get_monotonic_time ();
  gint64 cpu = thread_cpu_time ();
  gint64 queue = thread_queue_time ();

  if (probe->last_wall != 0)
    {
      double gap = (wall - probe->last_wall) / 1000.0;
      double busy = (cpu - probe->last_cpu) / 1000.0;

      g_array_append_val (probe->wall, gap);
      g_array_append_val (probe->busy, busy);
      if (busy > probe->busiest)
        {
          probe->busiest = busy;
          probe->busiest_at = (wall - probe->start) / (double) G_USEC_PER_SEC;
        }
      if (queue >= 0 && probe->last_queue >= 0)
        {
          double waited = (queue - probe->last_queue) / 1000.0;
          double blocked = MAX (0, gap - busy - waited);

          g_array_append_val (probe->queue, waited);
          g_array_append_val (probe->blocked, blocked);
        }
    }
  probe->last_wall = wall;
  probe->last_cpu = cpu;
  probe->last_queue = queue;
  return G_SOURCE_CONTINUE;
}

static int
compare_double (gconstpointer a,
                gconstpointer b)
{
  double x = *(const double *) a, y = *(const double *) b;

  return (x > y) - (x < y);
}

typedef struct
{
  double max;
  double p99;
  double mean;
} StallStats;

static void
stall_stats (GArray     *values,
             StallStats *stats)
{
  guint n = values->len;
  double sum = 0;

  if (n == 0)
    {
      stats->max = stats->p99 = stats->mean = -1;
      return;
    }
  g_array_sort (values, compare_double);
  for (guint i = 0; i < n; i++)
    sum += g_array_index (values, double, i);
  stats->max = g_array_index (values, double, n - 1);
  stats->p99 = g_array_index (values, double, MIN (n - 1, (guint) (0.99 * n)));
  stats->mean = sum / n;
}

/* Runs the main loop until @job finishes, probing it every TICK_MS; the page
 * has been shown and has settled before, so its first frames are not counted.
 * Reports and checks the gaps. */
static void
wait_job_measuring (PbJob      *job,
                    const char *what)
{
  StallProbe probe = { 0, 0, -1,
                       g_array_new (FALSE, FALSE, sizeof (double)),
                       g_array_new (FALSE, FALSE, sizeof (double)),
                       g_array_new (FALSE, FALSE, sizeof (double)),
                       g_array_new (FALSE, FALSE, sizeof (double)),
                       g_get_monotonic_time (), 0, 0 };
  guint id = g_timeout_add_full (G_PRIORITY_HIGH, TICK_MS, stall_tick, &probe, NULL);
  gint64 start = probe.start;
  g_autofree char *line = NULL;
  StallStats wall, busy, queue, blocked;
  double seconds;
  guint n, n_long = 0;

  wait_job (job, what);
  seconds = (g_get_monotonic_time () - start) / (double) G_USEC_PER_SEC;
  g_source_remove (id);

  n = probe.wall->len;
  for (guint i = 0; i < n; i++)
    n_long += g_array_index (probe.wall, double, i) >= 50;
  stall_stats (probe.wall, &wall);
  stall_stats (probe.busy, &busy);
  stall_stats (probe.queue, &queue);
  stall_stats (probe.blocked, &blocked);

  line = g_strdup_printf ("%s: %.2f s, %u gaps of a %d ms probe: max %.1f ms, p99 %.1f ms, "
                          "mean %.1f ms, %u >= 50 ms. Main thread in a gap, max (p99): "
                          "on a CPU %.1f (%.1f) ms (the most at %.2f s), waiting for a CPU "
                          "%.1f (%.1f) ms, blocked %.1f (%.1f) ms. %s renderer%s",
                          what, seconds, n, TICK_MS, wall.max, wall.p99, wall.mean, n_long,
                          busy.max, busy.p99, probe.busiest_at, queue.max, queue.p99,
                          blocked.max, blocked.p99,
                          g_getenv ("GSK_RENDERER"),
#ifdef PB_TEST_SANITIZED
                          ", sanitized build"
#else
                          ""
#endif
                          );
  g_test_message ("main-loop stalls, %s", line);
  g_string_append_printf (study.stalls, "%s\n", line);
  {
    g_autofree char *file = g_build_filename (study.shots, "stalls.txt", NULL);
    g_autoptr(GError) error = NULL;

    /* written now, so the figures are there even if a bound below fails */
    g_assert_true (g_file_set_contents (file, study.stalls->str, -1, &error));
    g_assert_no_error (error);
  }
  g_array_unref (probe.wall);
  g_array_unref (probe.busy);
  g_array_unref (probe.queue);
  g_array_unref (probe.blocked);

  /* a job too short to say much (the engine got faster?) is said, not failed */
  if (seconds < 0.25)
    g_test_message ("%s ran only %.2f s: lengthen it for a meaningful stall figure", what, seconds);
  g_assert_cmpfloat (busy.max, <, MAX_BUSY_MS);
  g_assert_cmpfloat (wall.max, <, MAX_WALL_MS);
}

/* ---- screenshots ------------------------------------------------------------------ */

/* Saves the window as the app's --screenshot does and checks it is not blank:
 * the default-size thresholds of pb-test-gui.h, and no colour covering nearly
 * the whole window (a page with content has text, rows and figures on it). */
static void
screenshot (const char *page_name)
{
  g_autofree char *file = g_strdup_printf ("study-%u-%s.png", study.step + 1, page_name);
  g_autoptr(GError) error = NULL;
  g_autoptr(GHashTable) counts = g_hash_table_new (NULL, NULL);
  PbTestShot shot = { 0 };
  cairo_surface_t *image;
  const guint8 *data;
  guint n = 0, top = 0;
  int stride;

  settle (300);
  shot.png = g_build_filename (study.shots, file, NULL);
  g_assert_true (pb_screenshot_save_png (GTK_WIDGET (study.window), shot.png, &error));
  g_assert_no_error (error);
  pb_test_measure_png (&shot);

  image = cairo_image_surface_create_from_png (shot.png);
  g_assert_cmpint (cairo_surface_status (image), ==, CAIRO_STATUS_SUCCESS);
  data = cairo_image_surface_get_data (image);
  stride = cairo_image_surface_get_stride (image);
  for (int y = 0; y < shot.height; y += 2)
    for (int x = 0; x < shot.width; x += 2)
      {
        guint32 px;
        gpointer key;
        guint c;

        memcpy (&px, data + y * stride + x * 4, 4);
        key = GUINT_TO_POINTER (px & 0xffffff);
        c = GPOINTER_TO_UINT (g_hash_table_lookup (counts, key)) + 1;
        g_hash_table_insert (counts, key, GUINT_TO_POINTER (c));
        top = MAX (top, c);
        n++;
      }
  cairo_surface_destroy (image);

  g_test_message ("screenshot %s: %dx%d, %u colours, %.1f%% dark, top colour %.1f%%",
                  shot.png, shot.width, shot.height, shot.n_colours,
                  100 * shot.dark_share, 100.0 * top / n);
  /* the window at (about: client-side decorations take their share) its size */
  g_assert_cmpint (shot.width, ==, gtk_widget_get_width (GTK_WIDGET (study.window)));
  g_assert_cmpint (shot.height, ==, gtk_widget_get_height (GTK_WIDGET (study.window)));
  g_assert_cmpint (shot.width, >=, WIDTH - 40);
  g_assert_cmpint (shot.height, >=, HEIGHT - 40);
  g_assert_cmpuint (shot.n_colours, >=, 16);
  g_assert_cmpfloat (shot.dark_share, >, 0.002);
  g_assert_cmpfloat ((double) top / n, <, 0.95);
  pb_test_shot_clear (&shot);
}

/* Shows @name and lets it settle (it reloads what the project holds when mapped). */
static GtkWidget *
show_page (const char *name,
           GType       type)
{
  GtkWidget *page = get_page (type);

  g_assert_true (pb_window_select_page (study.window, name));
  settle (300);
  g_assert_true (gtk_widget_get_mapped (page));
  return page;
}

/* The checks every step ends with, then its screenshot. */
static void
finish_step (GtkWidget  *page,
             const char *name)
{
  assert_no_toast (name);
  assert_no_inline_error (page, name);
  screenshot (name);
  study.step++;
}

/* ---- the study -------------------------------------------------------------------- */

static void
test_import (void)
{
  GtkWidget *page;
  PbImportPage *import;
  const char *tables[] = { "raw_icustay", "raw_bg", "raw_lab", "raw_vital" };

  g_assert_cmpuint (study.step, ==, 0);
  page = show_page ("import", PB_TYPE_IMPORT_PAGE);
  import = PB_IMPORT_PAGE (page);

  pb_import_page_set_source (import, PB_IMPORT_SOURCE_SYNTHETIC);
  pb_import_page_set_synthetic (import, 120, 7);
  g_assert_true (gtk_widget_activate_action (page, "import.start", NULL));
  g_assert_true (pb_job_get_running (pb_import_page_get_job (import)));
  wait_job (pb_import_page_get_job (import), "import");

  g_test_message ("import: %s", pb_import_page_get_status (import));
  g_assert_true (g_str_has_prefix (pb_import_page_get_status (import), "Imported "));
  for (guint i = 0; i < G_N_ELEMENTS (tables); i++)
    g_assert_cmpint (pb_import_page_get_count (import, tables[i]), >, 0);
  finish_step (page, "import");
}

static void
test_preprocess (void)
{
  GtkWidget *page;
  PbPreprocessPage *pre;

  g_assert_cmpuint (study.step, ==, 1);
  page = show_page ("preprocess", PB_TYPE_PREPROCESS_PAGE);
  pre = PB_PREPROCESS_PAGE (page);
  wait_job (pb_preprocess_page_get_preview_job (pre), "preprocess preview");

  /* the seed's parameters: the cohort is already small */
  g_assert_true (gtk_widget_activate_action (page, "preprocess.start", NULL));
  g_assert_true (pb_job_get_running (pb_preprocess_page_get_job (pre)));
  wait_job (pb_preprocess_page_get_job (pre), "preprocess");
  wait_job (pb_preprocess_page_get_preview_job (pre), "preprocess preview");

  g_test_message ("preprocess: %s", pb_preprocess_page_get_status (pre));
  g_assert_true (g_str_has_prefix (pb_preprocess_page_get_status (pre), "Wrote "));
  g_assert_cmpuint (pb_preprocess_page_get_n_sequences (pre), >=, 20);
  g_assert_cmpuint (pb_preprocess_page_get_n_stages (pre), >=, 3);
  g_assert_cmpuint (pb_preprocess_page_get_n_previews (pre), >, 0);
  g_assert_true (pb_plot_view_has_figure (pb_preprocess_page_get_plot (pre)));
  finish_step (page, "preprocess");
}

static void
test_tune (void)
{
  GtkWidget *page;
  PbTunePage *tune;
  PbJob *job;
  GListModel *rows;

  g_assert_cmpuint (study.step, ==, 2);
  page = show_page ("tune", PB_TYPE_TUNE_PAGE);
  tune = PB_TUNE_PAGE (page);
  job = pb_tune_page_get_job (tune);
  rows = pb_tune_page_get_trials (tune);
  g_assert_cmpuint (n_items (rows), ==, 0);

  /* 2 trials × 2 folds × 200 epochs of small models, a report every 20: tiny
   * models train fast, and the job has to run long enough (about a second in
   * a release build) for the stall probe to say something */
  pb_test_set_spin (page, "trials_spin", 2);
  pb_test_set_spin (page, "epochs_spin", 200);
  pb_test_set_spin (page, "report_spin", 20);
  pb_test_set_spin (page, "folds_spin", 2);
  pb_test_set_text (page, "low:log_lstm_hidden_size", "2");
  pb_test_set_text (page, "high:log_lstm_hidden_size", "3");
  pb_test_set_text (page, "low:log_fc_hidden_size", "2");
  pb_test_set_text (page, "high:log_fc_hidden_size", "3");
  pb_test_set_text (page, "low:log_batch_size", "3");
  pb_test_set_text (page, "high:log_batch_size", "4");
  g_assert_true (gtk_widget_activate_action (page, "tune.start", NULL));
  g_assert_true (pb_job_get_running (job));
  wait_job_measuring (job, "tune");

  g_assert_cmpuint (n_items (rows), ==, 2);
  for (guint i = 0; i < 2; i++)
    {
      g_autoptr(PbTextRow) row = g_list_model_get_item (rows, i);

      g_assert_cmpstr (pb_text_row_get_text (row, 1), ==, "COMPLETE");
      g_assert_cmpstr (pb_text_row_get_text (row, 3), ==, "10");   /* reports */
    }
  g_assert_true (pb_plot_view_has_figure (plot (page, "history_plot")));
  g_assert_true (pb_plot_view_has_figure (plot (page, "intermediate_plot")));
  finish_step (page, "tune");
}

static void
test_cross_validation (void)
{
  GtkWidget *page;
  PbCvPage *cv;
  PbJob *job;
  GListModel *summary;

  g_assert_cmpuint (study.step, ==, 3);
  page = show_page ("cross-validation", PB_TYPE_CV_PAGE);
  cv = PB_CV_PAGE (page);
  job = pb_cv_page_get_job (cv);
  summary = pb_cv_page_get_summary (cv);

  /* 2 folds × 100 epochs of a small model, evaluated (and reported) every epoch */
  pb_test_set_spin (page, "hidden_spin", 8);
  pb_test_set_spin (page, "fc_spin", 4);
  pb_test_set_spin (page, "batch_spin", 8);
  pb_test_set_text (page, "lr", "0.01");
  pb_test_set_spin (page, "folds_spin", 2);
  pb_test_set_spin (page, "epochs_spin", 100);
  pb_test_set_spin (page, "eval_spin", 1);
  g_assert_true (gtk_widget_activate_action (page, "cv.start", NULL));
  g_assert_true (pb_job_get_running (job));
  wait_job_measuring (job, "cross-validation");

  /* two folds, then mean and std */
  g_assert_cmpuint (n_items (summary), ==, 4);
  {
    g_autoptr(PbTextRow) mean = g_list_model_get_item (summary, 2);

    g_assert_cmpstr (pb_text_row_get_text (mean, 0), ==, "mean");
  }
  g_assert_nonnull (strstr (gtk_label_get_text (GTK_LABEL (pb_test_get_widget (page, "headline"))),
                            "AUC "));
  g_assert_true (pb_plot_view_has_figure (plot (page, "loss_plot")));
  g_assert_true (pb_plot_view_has_figure (plot (page, "auc_plot")));
  finish_step (page, "cross-validation");
}

static void
test_attack (void)
{
  GtkWidget *page;
  PbAttackPage *attack;
  GListModel *samples;

  g_assert_cmpuint (study.step, ==, 4);
  page = show_page ("attack", PB_TYPE_ATTACK_PAGE);
  attack = PB_ATTACK_PAGE (page);
  samples = pb_attack_page_get_samples (attack);
  wait_job (pb_attack_page_get_load_job (attack), "attack listing");

  /* a checkpoint of the cross-validation, 16 stays, a short strong attack */
  pb_test_set_spin (page, "iterations_spin", 40);
  pb_test_set_spin (page, "batch_spin", 8);
  pb_test_set_spin (page, "samples_spin", 16);
  pb_test_set_text (page, "kappa", "0");
  pb_test_set_text (page, "lambda", "0.0001");
  pb_test_set_text (page, "lr", "2");
  g_assert_true (gtk_widget_activate_action (page, "attack.start", NULL));
  g_assert_true (pb_job_get_running (pb_attack_page_get_job (attack)));
  wait_job (pb_attack_page_get_job (attack), "attack");
  wait_job (pb_attack_page_get_load_job (attack), "attack listing");
  wait_job (pb_attack_page_get_load_job (attack), "attack listing");

  g_assert_cmpint (pb_attack_page_get_run_id (attack), >, 0);
  g_assert_cmpuint (n_items (samples), >, 0);
  g_assert_cmpuint (n_items (samples), <=, 16);
  g_assert_true (pb_plot_view_has_figure (plot (page, "sample_plot")));
  finish_step (page, "attack");
}

static void
test_analysis (void)
{
  GtkWidget *page;
  PbAnalysisPage *analysis;
  PbJob *job;
  GListModel *summary;
  guint n;

  g_assert_cmpuint (study.step, ==, 5);
  page = show_page ("analysis", PB_TYPE_ANALYSIS_PAGE);
  analysis = PB_ANALYSIS_PAGE (page);
  job = pb_analysis_page_get_job (analysis);
  summary = pb_analysis_page_get_summary (analysis);
  wait_job (pb_analysis_page_get_load_job (analysis), "analysis loading");

  /* the attack's summary: a row per class, then "All" */
  n = n_items (summary);
  g_assert_cmpuint (n, >=, 2);
  {
    g_autoptr(PbTextRow) all = g_list_model_get_item (summary, n - 1);

    g_assert_cmpstr (pb_text_row_get_text (all, 0), ==, "All");
    g_assert_cmpint (g_ascii_strtoll (pb_text_row_get_text (all, 1), NULL, 10), ==,
                     n_items (pb_attack_page_get_samples (PB_ATTACK_PAGE (
                       get_page (PB_TYPE_ATTACK_PAGE)))));
  }
  g_assert_true (pb_plot_view_has_figure (plot (page, "success_plot")));

  /* attribution and an FGSM curve, computed on demand */
  g_assert_true (gtk_widget_activate_action (page, "analysis.attribute", NULL));
  g_assert_true (pb_job_get_running (job));
  wait_job (job, "attribution");
  g_assert_true (pb_plot_view_has_figure (plot (page, "attribution_plot")));

  pb_test_set_text (page, "epsilons", "0, 0.05, 0.2");
  g_assert_true (gtk_widget_activate_action (page, "analysis.fgsm", NULL));
  g_assert_true (pb_job_get_running (job));
  wait_job (job, "FGSM");
  g_assert_true (pb_plot_view_has_figure (plot (page, "fgsm_plot")));
  finish_step (page, "analysis");
}

static GtkWidget *
find_numeric_label (GtkWidget *root)
{
  if (GTK_IS_LABEL (root) && gtk_widget_has_css_class (root, "numeric"))
    return root;
  for (GtkWidget *c = gtk_widget_get_first_child (root); c != NULL;
       c = gtk_widget_get_next_sibling (c))
    {
      GtkWidget *found = find_numeric_label (c);

      if (found != NULL)
        return found;
    }
  return NULL;
}

/* The count the overview shows beside @table (its row's suffix label), or -1. */
static gint64
overview_count (GtkWidget  *root,
                const char *table)
{
  if (ADW_IS_ACTION_ROW (root) &&
      g_strcmp0 (adw_preferences_row_get_title (ADW_PREFERENCES_ROW (root)), table) == 0)
    {
      GtkWidget *label = find_numeric_label (root);

      g_assert_nonnull (label);
      return g_ascii_strtoll (gtk_label_get_text (GTK_LABEL (label)), NULL, 10);
    }
  for (GtkWidget *c = gtk_widget_get_first_child (root); c != NULL;
       c = gtk_widget_get_next_sibling (c))
    {
      gint64 n = overview_count (c, table);

      if (n >= 0)
        return n;
    }
  return -1;
}

/* The overview, shown again, counts the rows the study wrote. */
static void
test_overview (void)
{
  GtkWidget *page;
  PbImportPage *import = PB_IMPORT_PAGE (get_page (PB_TYPE_IMPORT_PAGE));
  PbAttackPage *attack = PB_ATTACK_PAGE (get_page (PB_TYPE_ATTACK_PAGE));
  gint64 n_stays, n_attacked, n_trials;

  g_assert_cmpuint (study.step, ==, 6);
  page = show_page ("overview", PB_TYPE_OVERVIEW_PAGE);

  n_stays = overview_count (page, "raw_icustay");
  n_attacked = overview_count (page, "attack_samples");
  n_trials = overview_count (page, "trials");
  g_test_message ("overview: raw_icustay %" G_GINT64_FORMAT ", trials %" G_GINT64_FORMAT
                  ", attack_samples %" G_GINT64_FORMAT, n_stays, n_trials, n_attacked);
  g_assert_cmpint (n_stays, ==, pb_import_page_get_count (import, "raw_icustay"));
  g_assert_cmpint (n_trials, ==, 2);
  g_assert_cmpint (n_attacked, ==, n_items (pb_attack_page_get_samples (attack)));
  finish_step (page, "overview");

  /* the toast observer works: a toast raised now is seen */
  gtk_widget_activate_action (GTK_WIDGET (study.window), "win.toast", "s", "study probe");
  g_assert_cmpuint (study.toasts->len, ==, 1);
  g_assert_cmpstr (g_ptr_array_index (study.toasts, 0), ==, "study probe");
}

/* ---- setup ------------------------------------------------------------------------ */

/* A failed run must not leave an earlier run's screenshots and figures. */
static void
remove_old_results (void)
{
  g_autoptr(GDir) dir = g_dir_open (study.shots, 0, NULL);
  const char *name;

  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    if ((g_str_has_prefix (name, "study-") && g_str_has_suffix (name, ".png")) ||
        g_str_equal (name, "stalls.txt"))
      {
        g_autofree char *path = g_build_filename (study.shots, name, NULL);

        g_unlink (path);
      }
}

static void
study_setup (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(PbProject) project = NULL;

  study.dir = pb_test_mkdtemp ();
  study.path = g_build_filename (study.dir, "study.perturb", NULL);
  study.shots = g_build_filename (g_getenv ("G_TEST_BUILDDIR"), "screenshots", NULL);
  g_mkdir_with_parents (study.shots, 0755);
  remove_old_results ();
  study.toasts = g_ptr_array_new_with_free_func (g_free);
  study.stalls = g_string_new (NULL);
  g_log_set_handler ("perturb-app", G_LOG_LEVEL_DEBUG, on_app_debug, NULL);

  project = pb_project_create (study.path, &error);
  g_assert_no_error (error);
  pb_project_close (project);

  study.window = g_object_ref_sink (pb_window_new (NULL, NULL));
  gtk_window_set_default_size (GTK_WINDOW (study.window), WIDTH, HEIGHT);
  g_assert_true (pb_window_open_project (study.window, study.path));
  gtk_window_present (GTK_WINDOW (study.window));
  settle (300);
  g_assert_true (gtk_widget_get_mapped (GTK_WIDGET (study.window)));
}

static void
study_tear (void)
{
  gtk_window_destroy (GTK_WINDOW (study.window));
  pb_test_drain ();
  g_assert_finalize_object (study.window);
  pb_test_rmdir (study.dir);
  g_string_free (study.stalls, TRUE);
  g_ptr_array_unref (study.toasts);
  g_free (study.shots);
  g_free (study.path);
  g_free (study.dir);
}

int
main (int    argc,
      char **argv)
{
  int status;

  g_setenv ("GSETTINGS_BACKEND", "memory", TRUE);
  /* Under Xvfb the GL renderer is Mesa's software rasteriser: its full-window
   * frames take 50–300 ms on two busy cores whatever the pages do, so the probe
   * would time llvmpipe. The Cairo renderer redraws only what changed, which
   * leaves the pages' own work to measure. GSK_RENDERER=gl still works. */
  g_setenv ("GSK_RENDERER", "cairo", FALSE);
  gtk_test_init (&argc, &argv, NULL);
  adw_init ();

  g_test_add_func ("/pb/workbench-study/1-import", test_import);
  g_test_add_func ("/pb/workbench-study/2-preprocess", test_preprocess);
  g_test_add_func ("/pb/workbench-study/3-tune", test_tune);
  g_test_add_func ("/pb/workbench-study/4-cross-validation", test_cross_validation);
  g_test_add_func ("/pb/workbench-study/5-attack", test_attack);
  g_test_add_func ("/pb/workbench-study/6-analysis", test_analysis);
  g_test_add_func ("/pb/workbench-study/7-overview", test_overview);

  study_setup ();
  status = g_test_run ();
  study_tear ();
  return status;
}
