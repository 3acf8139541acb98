/* pb-test-page.h — helpers for page tests (header-only): a window that records
 * the `win.toast` messages a page sends, widgets found by name, waiting for
 * jobs, a tiny stored dataset, and the fixture most page tests share.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <adwaita.h>
#include <string.h>

#include "pb-engine.h"
#include "pb-job.h"
#include "pb-page.h"
#include "pb-screenshot.h"

#include "pb-test-project.h"
#include "pb-test-util.h"

typedef struct
{
  GtkWidget *window;
  GPtrArray *toasts;   /* (element-type utf8) */
} PbTestHost;

/* What a page test's main() does first: GTK and libadwaita, settings in memory. */
static inline void
pb_test_page_init (int    *argc,
                   char ***argv)
{
  g_setenv ("GSETTINGS_BACKEND", "memory", TRUE);
  gtk_test_init (argc, argv, NULL);
  adw_init ();
}

static inline void
pb_test_host_toast_cb (GSimpleAction *action,
                       GVariant      *parameter,
                       gpointer       user_data)
{
  PbTestHost *host = user_data;

  g_test_message ("toast: %s", g_variant_get_string (parameter, NULL));
  g_ptr_array_add (host->toasts, g_variant_dup_string (parameter, NULL));
}

/* Puts @page in a window with a `win.toast` action that records messages. */
static inline void
pb_test_host_init (PbTestHost *host,
                   GtkWidget  *page)
{
  g_autoptr(GSimpleActionGroup) group = g_simple_action_group_new ();
  g_autoptr(GSimpleAction) toast = g_simple_action_new ("toast", G_VARIANT_TYPE_STRING);

  host->toasts = g_ptr_array_new_with_free_func (g_free);
  g_signal_connect (toast, "activate", G_CALLBACK (pb_test_host_toast_cb), host);
  g_action_map_add_action (G_ACTION_MAP (group), G_ACTION (toast));

  host->window = gtk_window_new ();
  gtk_window_set_default_size (GTK_WINDOW (host->window), 900, 700);
  gtk_widget_insert_action_group (host->window, "win", G_ACTION_GROUP (group));
  gtk_window_set_child (GTK_WINDOW (host->window), page);
  gtk_window_present (GTK_WINDOW (host->window));
}

static inline void
pb_test_drain (void)
{
  while (g_main_context_iteration (NULL, FALSE))
    ;
}

static inline void
pb_test_host_clear (PbTestHost *host)
{
  gtk_window_destroy (GTK_WINDOW (host->window));
  pb_test_drain ();
  g_clear_pointer (&host->toasts, g_ptr_array_unref);
}

/* The last toast contains @needle. */
static inline void
pb_test_host_assert_toast (PbTestHost *host,
                           const char *needle)
{
  const char *last;

  g_assert_cmpuint (host->toasts->len, >, 0);
  last = g_ptr_array_index (host->toasts, host->toasts->len - 1);
  if (strstr (last, needle) == NULL)
    g_error ("toast “%s” does not say “%s”", last, needle);
}

static inline GtkWidget *
pb_test_find_widget (GtkWidget  *root,
                     const char *name)
{
  if (g_strcmp0 (gtk_widget_get_name (root), name) == 0)
    return root;
  for (GtkWidget *c = gtk_widget_get_first_child (root); c != NULL;
       c = gtk_widget_get_next_sibling (c))
    {
      GtkWidget *found = pb_test_find_widget (c, name);

      if (found != NULL)
        return found;
    }
  return NULL;
}

static inline GtkWidget *
pb_test_get_widget (GtkWidget  *root,
                    const char *name)
{
  GtkWidget *w = pb_test_find_widget (root, name);

  if (w == NULL)
    g_error ("no widget named %s", name);
  return w;
}

static inline void
pb_test_set_spin (GtkWidget  *root,
                  const char *name,
                  double      value)
{
  gtk_spin_button_set_value (GTK_SPIN_BUTTON (pb_test_get_widget (root, name)), value);
}

static inline void
pb_test_set_text (GtkWidget  *root,
                  const char *name,
                  const char *text)
{
  gtk_editable_set_text (GTK_EDITABLE (pb_test_get_widget (root, name)), text);
}

static inline void
pb_test_wait_job (PbJob *job)
{
  while (pb_job_get_running (job))
    g_main_context_iteration (NULL, TRUE);
  pb_test_drain ();
}

static inline gboolean
pb_test_timeout_cb (gpointer data)
{
  *(gboolean *) data = TRUE;
  return G_SOURCE_REMOVE;
}

/* Iterates the main loop until @cond (@data) holds or @seconds pass. */
static inline gboolean
pb_test_wait_until (gboolean (*cond) (gpointer),
                    gpointer   data,
                    double     seconds)
{
  gboolean timed_out = FALSE;
  guint id = g_timeout_add ((guint) (seconds * 1000), pb_test_timeout_cb, &timed_out);

  while (!cond (data) && !timed_out)
    g_main_context_iteration (NULL, TRUE);
  if (!timed_out)
    g_source_remove (id);
  return cond (data);
}

/* A small two-class dataset stored in @project as "default": class 1 has a
 * higher first feature, so a model can learn something in a few epochs. */
static inline void
pb_test_save_tiny_dataset (PbProject *project,
                           guint      n,
                           guint      max_len)
{
  g_autoptr(PbDataset) ds = pb_dataset_new (n, max_len, 3, 2);
  g_autoptr(GError) error = NULL;
  GRand *rng = g_rand_new_with_seed (7);

  for (guint i = 0; i < n; i++)
    {
      float *x = pb_dataset_get_sequence (ds, i);

      ds->labels[i] = i % 4 == 0;
      ds->lengths[i] = 2 + i % (max_len - 1);
      ds->sample_ids[i] = 1000 + i;
      for (guint t = 0; t < ds->lengths[i]; t++)
        for (guint f = 0; f < ds->n_features; f++)
          x[t * ds->n_features + f] = g_rand_double (rng) * 0.5 +
                                      (f == 0 ? 0.4 * ds->labels[i] : 0);
    }
  g_rand_free (rng);
  g_assert_true (pb_dataset_save (ds, project, "default", NULL, &error));
  g_assert_no_error (error);
}

/* What a page test works on: a project file icu.perturb in a fresh directory
 * and the page under test, shown in a PbTestHost. */
typedef struct
{
  char       *dir;
  char       *path;
  PbProject  *project;
  PbPage     *page;
  PbTestHost  host;
} PbTestPageFixture;

/* Creates the directory and the project; with @tiny_dataset, stores the tiny
 * dataset (40 stays of at most 4 steps) as "default". */
static inline void
pb_test_page_fixture_create_project (PbTestPageFixture *f,
                                     gboolean           tiny_dataset)
{
  g_autoptr(GError) error = NULL;

  f->dir = pb_test_mkdtemp ();
  f->path = g_build_filename (f->dir, "icu.perturb", NULL);
  f->project = pb_project_create (f->path, &error);
  g_assert_no_error (error);
  if (tiny_dataset)
    pb_test_save_tiny_dataset (f->project, 40, 4);
}

/* Takes @page (floating), shows it in the host window and opens the project
 * in it; the caller then waits for what the page loads. */
static inline void
pb_test_page_fixture_show (PbTestPageFixture *f,
                           PbPage            *page)
{
  f->page = g_object_ref_sink (page);
  pb_test_host_init (&f->host, GTK_WIDGET (f->page));
  pb_page_set_project (f->page, f->project);
}

/* Closes the window, checks that the page is finalized, removes the files. */
static inline void
pb_test_page_fixture_tear (PbTestPageFixture *f)
{
  pb_test_host_clear (&f->host);
  g_assert_finalize_object (f->page);
  g_clear_object (&f->project);
  pb_test_rmdir (f->dir);
  g_free (f->path);
  g_free (f->dir);
}

/* A stored 2-epoch model (H 6, FC 4) of the tiny dataset "default", a
 * checkpoint per epoch; returns its run id. */
static inline gint64
pb_test_train_tiny (PbProject *project)
{
  g_autoptr(PbDataset) ds = NULL;
  g_autoptr(GError) error = NULL;
  PbTrainConfig config;
  gint64 run_id = 0;

  ds = pb_dataset_load (project, "default", &error);
  g_assert_no_error (error);
  pb_train_config_init (&config);
  config.model.n_hidden = 6;
  config.model.n_fc = 4;
  config.optim.lr = 0.01;
  config.batch_size = 8;
  config.n_epochs = 2;
  config.eval_every = 1;
  config.checkpoint_every = 1;
  config.n_threads = 1;
  g_assert_true (pb_train_run (project, &config, "default", ds, ds, &run_id, NULL, NULL, NULL,
                               &error));
  g_assert_no_error (error);
  g_assert_cmpint (run_id, >, 0);
  return run_id;
}

/* Iterates the main loop without blocking for @seconds: a window maps and draws. */
static inline void
pb_test_iterate_for (double seconds)
{
  gint64 until = g_get_monotonic_time () + (gint64) (seconds * G_USEC_PER_SEC);

  while (g_get_monotonic_time () < until)
    g_main_context_iteration (NULL, FALSE);
}

/* @page alone in a presented window @height px tall, after half a second of
 * drawing; pb_test_window_close() takes the page out again. */
static inline GtkWidget *
pb_test_window_new_for_page (PbPage *page,
                             int     height)
{
  GtkWidget *window = gtk_window_new ();

  gtk_window_set_default_size (GTK_WINDOW (window), 900, height);
  gtk_window_set_child (GTK_WINDOW (window), GTK_WIDGET (page));
  gtk_window_present (GTK_WINDOW (window));
  pb_test_iterate_for (0.5);
  return window;
}

/* Saves @window as $G_TEST_BUILDDIR/screenshots/@name.png, for the README and
 * for looking at. */
static inline void
pb_test_window_save_png (GtkWidget  *window,
                         const char *name)
{
  g_autofree char *dir = g_build_filename (g_getenv ("G_TEST_BUILDDIR"), "screenshots", NULL);
  g_autofree char *file = g_strconcat (name, ".png", NULL);
  g_autofree char *png = g_build_filename (dir, file, NULL);
  g_autoptr(GError) error = NULL;

  g_mkdir_with_parents (dir, 0755);
  g_assert_true (pb_screenshot_save_png (window, png, &error));
  g_assert_no_error (error);
  g_test_message ("saved %s", png);
}

static inline void
pb_test_window_close (GtkWidget *window)
{
  gtk_window_set_child (GTK_WINDOW (window), NULL);
  gtk_window_destroy (GTK_WINDOW (window));
  pb_test_drain ();
}
