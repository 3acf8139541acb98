/* pb-application.c — the workbench application: app-wide actions (new, open,
 * recent, preferences, about, quit), files from the command line, and the `--screenshot`
 * mode the GUI tests and the README screenshot use.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "pb-application.h"

#include "pb-job.h"
#include "pb-preferences-window.h"
#include "pb-screenshot.h"
#include "pb-window.h"

#include <glib/gi18n.h>

/* --screenshot: shoot once the window has drawn and no page has been loading
 * for SCREENSHOT_QUIET_MS; shoot anyway after SCREENSHOT_TIMEOUT_MS */
#define SCREENSHOT_POLL_MS 50
#define SCREENSHOT_QUIET_MS 500
#define SCREENSHOT_TIMEOUT_MS 30000

struct _PbApplication
{
  AdwApplication  parent_instance;

  GSettings      *settings;
  char           *screenshot_path;
  char           *start_page;
  gboolean        screenshot_armed;
  gint64          screenshot_since;   /* when the window was mapped */
  gint64          quiet_since;        /* since when no job runs, 0 while one does */
  gboolean        painted;
  int             exit_status;
};

G_DEFINE_FINAL_TYPE (PbApplication, pb_application, ADW_TYPE_APPLICATION)

static PbWindow *
get_window (PbApplication *self)
{
  GtkWindow *window = gtk_application_get_active_window (GTK_APPLICATION (self));

  if (window == NULL)
    window = GTK_WINDOW (pb_window_new (ADW_APPLICATION (self), self->settings));

  return PB_WINDOW (window);
}

/* Tries to save the screenshot; on the last try (or success) reports and quits. */
static gboolean
try_screenshot (PbApplication *self,
                gboolean       last_try)
{
  GtkWindow *window = gtk_application_get_active_window (GTK_APPLICATION (self));
  g_autoptr(GError) error = NULL;

  if (window != NULL && pb_screenshot_save_png (GTK_WIDGET (window), self->screenshot_path,
                                                &error))
    {
      g_print ("Saved screenshot %s\n", self->screenshot_path);
      self->exit_status = 0;
    }
  else if (!last_try)
    {
      /* e.g. a relayout pending after the pages loaded: draw again, retry */
      if (window != NULL)
        gtk_widget_queue_draw (GTK_WIDGET (window));
      self->painted = FALSE;
      return FALSE;
    }
  else
    {
      g_printerr ("perturb-workbench: screenshot failed: %s\n",
                  error != NULL ? error->message : "no window");
      self->exit_status = 1;
    }

  g_application_quit (G_APPLICATION (self));
  return TRUE;
}

static void
on_after_paint_cb (GdkFrameClock *clock,
                   PbApplication *self)
{
  self->painted = TRUE;
}

/* Waits for a drawn frame and for the pages to finish loading their data;
 * retries a capture that comes back empty until the ceiling. */
static gboolean
screenshot_poll_cb (gpointer user_data)
{
  PbApplication *self = PB_APPLICATION (user_data);
  gint64 now = g_get_monotonic_time ();
  gboolean last_try = now - self->screenshot_since > SCREENSHOT_TIMEOUT_MS * G_TIME_SPAN_MILLISECOND;

  if (pb_job_count_running () > 0)
    self->quiet_since = 0;
  else if (self->quiet_since == 0)
    self->quiet_since = now;

  if (last_try)
    g_printerr ("perturb-workbench: taking the screenshot although %s\n",
                !self->painted ? "the window has not drawn yet"
                : self->quiet_since == 0 ? "pages are still loading" : "it came back empty");
  else if (!self->painted || self->quiet_since == 0 ||
           now - self->quiet_since < SCREENSHOT_QUIET_MS * G_TIME_SPAN_MILLISECOND)
    return G_SOURCE_CONTINUE;

  return try_screenshot (self, last_try) ? G_SOURCE_REMOVE : G_SOURCE_CONTINUE;
}

static void
on_window_mapped_cb (GtkWidget     *window,
                     PbApplication *self)
{
  GdkFrameClock *clock = gtk_widget_get_frame_clock (window);

  if (self->exit_status < 0)
    return;
  self->exit_status = -1;  /* armed once: a second map must not shoot again */
  self->screenshot_since = g_get_monotonic_time ();
  if (clock != NULL)
    g_signal_connect_object (clock, "after-paint", G_CALLBACK (on_after_paint_cb), self, 0);
  else
    self->painted = TRUE;
  g_timeout_add_full (G_PRIORITY_DEFAULT, SCREENSHOT_POLL_MS, screenshot_poll_cb,
                      g_object_ref (self), g_object_unref);
}

static void
present (PbApplication *self,
         PbWindow      *window)
{
  if (self->start_page != NULL && !pb_window_select_page (window, self->start_page))
    g_printerr ("perturb-workbench: no page named “%s”\n", self->start_page);

  if (self->screenshot_path != NULL && !self->screenshot_armed)
    {
      self->screenshot_armed = TRUE;
      g_signal_connect (window, "map", G_CALLBACK (on_window_mapped_cb), self);
    }

  gtk_window_present (GTK_WINDOW (window));
}

static void
pb_application_activate (GApplication *app)
{
  PbApplication *self = PB_APPLICATION (app);

  present (self, get_window (self));
}

static void
pb_application_open (GApplication  *app,
                     GFile        **files,
                     int            n_files,
                     const char    *hint)
{
  PbApplication *self = PB_APPLICATION (app);
  PbWindow *window = get_window (self);

  /* One project per window; the last file given wins, earlier ones go to recents. */
  for (int i = 0; i < n_files; i++)
    {
      g_autofree char *path = g_file_get_path (files[i]);

      if (path == NULL)
        {
          g_autofree char *uri = g_file_get_uri (files[i]);
          g_autofree char *message = g_strdup_printf (_("Could not open “%s”: only local files "
                                                        "can be opened"), uri);
          pb_window_show_toast (window, message);
          continue;
        }
      pb_window_open_project (window, path);
    }

  present (self, window);
}

static int
pb_application_handle_local_options (GApplication *app,
                                     GVariantDict *options)
{
  PbApplication *self = PB_APPLICATION (app);

  if (g_variant_dict_contains (options, "version"))
    {
      g_print ("perturb-workbench %s\n", PACKAGE_VERSION);
      return 0;
    }

  g_variant_dict_lookup (options, "screenshot", "^ay", &self->screenshot_path);
  g_variant_dict_lookup (options, "page", "s", &self->start_page);

  return -1;
}

static void
on_file_chosen_cb (GtkNativeDialog *dialog,
                   int              response,
                   gpointer         user_data)
{
  PbWindow *window = PB_WINDOW (user_data);
  gboolean create = gtk_file_chooser_get_action (GTK_FILE_CHOOSER (dialog))
                    == GTK_FILE_CHOOSER_ACTION_SAVE;

  if (response == GTK_RESPONSE_ACCEPT)
    {
      g_autoptr(GFile) file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (dialog));
      g_autofree char *path = g_file_get_path (file);

      if (path == NULL)
        pb_window_show_toast (window, _("Only local files can be used as projects"));
      else if (create)
        {
          g_autofree char *with_suffix = g_str_has_suffix (path, PB_PROJECT_SUFFIX)
                                         ? g_strdup (path)
                                         : g_strconcat (path, PB_PROJECT_SUFFIX, NULL);
          pb_window_create_project (window, with_suffix);
        }
      else
        pb_window_open_project (window, path);
    }

  g_object_unref (dialog);
}

static void
choose_file (PbApplication        *self,
             GtkFileChooserAction  action)
{
  PbWindow *window = get_window (self);
  gboolean create = action == GTK_FILE_CHOOSER_ACTION_SAVE;
  g_autoptr(GtkFileFilter) filter = gtk_file_filter_new ();
  GtkFileChooserNative *dialog;

  gtk_file_filter_set_name (filter, _("Perturb projects"));
  gtk_file_filter_add_pattern (filter, "*" PB_PROJECT_SUFFIX);

  dialog = gtk_file_chooser_native_new (create ? _("New Project") : _("Open Project"),
                                        GTK_WINDOW (window), action,
                                        create ? _("_Create") : _("_Open"), _("_Cancel"));
  gtk_file_chooser_add_filter (GTK_FILE_CHOOSER (dialog), filter);
  if (create)
    gtk_file_chooser_set_current_name (GTK_FILE_CHOOSER (dialog), _("Untitled.perturb"));
  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (dialog), TRUE);
  g_signal_connect (dialog, "response", G_CALLBACK (on_file_chosen_cb), window);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (dialog));
  gtk_window_present (GTK_WINDOW (window));
}

static void
new_project_activated (GSimpleAction *action,
                       GVariant      *parameter,
                       gpointer       user_data)
{
  choose_file (PB_APPLICATION (user_data), GTK_FILE_CHOOSER_ACTION_SAVE);
}

static void
open_project_activated (GSimpleAction *action,
                        GVariant      *parameter,
                        gpointer       user_data)
{
  choose_file (PB_APPLICATION (user_data), GTK_FILE_CHOOSER_ACTION_OPEN);
}

static void
open_recent_activated (GSimpleAction *action,
                       GVariant      *parameter,
                       gpointer       user_data)
{
  PbApplication *self = PB_APPLICATION (user_data);
  PbWindow *window = get_window (self);

  pb_window_open_project (window, g_variant_get_string (parameter, NULL));
  gtk_window_present (GTK_WINDOW (window));
}

static void
about_activated (GSimpleAction *action,
                 GVariant      *parameter,
                 gpointer       user_data)
{
  PbApplication *self = PB_APPLICATION (user_data);
  const char *developers[] = { "The Perturb developers", NULL };
  GtkWidget *about;

  about = g_object_new (ADW_TYPE_ABOUT_WINDOW,
                        "transient-for", gtk_application_get_active_window (GTK_APPLICATION (self)),
                        "application-icon", APP_ID,
                        "application-name", _("Perturb"),
                        "developer-name", _("The Perturb developers"),
                        "version", PACKAGE_VERSION,
                        "comments", _("Adversarial robustness of recurrent models on clinical "
                                      "time series: import ICU data, train and tune a "
                                      "bidirectional LSTM, attack it with sparse perturbations "
                                      "and see where it is susceptible."),
                        "website", "https://github.com/perturb/perturb",
                        "issue-url", "https://github.com/perturb/perturb/issues",
                        "license-type", GTK_LICENSE_GPL_3_0,
                        "developers", developers,
                        "translator-credits", _("translator-credits"),
                        NULL);
  gtk_window_present (GTK_WINDOW (about));
}

static void
preferences_activated (GSimpleAction *action,
                       GVariant      *parameter,
                       gpointer       user_data)
{
  PbApplication *self = PB_APPLICATION (user_data);
  GtkWindow *parent = gtk_application_get_active_window (GTK_APPLICATION (self));
  PbPreferencesWindow *preferences = pb_preferences_window_new (self->settings);

  gtk_window_set_transient_for (GTK_WINDOW (preferences), parent);
  gtk_window_set_modal (GTK_WINDOW (preferences), TRUE);
  gtk_window_present (GTK_WINDOW (preferences));
}

/* The backend preference changed: new jobs use it; say so when it cannot apply. */
static void
on_backend_changed_cb (GSettings     *settings,
                       const char    *key,
                       PbApplication *self)
{
  g_autofree char *message = NULL;
  GtkWindow *window;

  pb_preferences_apply_backend (settings, &message);
  window = gtk_application_get_active_window (GTK_APPLICATION (self));
  if (message != NULL && PB_IS_WINDOW (window))
    pb_window_show_toast (PB_WINDOW (window), message);
}

static void
quit_activated (GSimpleAction *action,
                GVariant      *parameter,
                gpointer       user_data)
{
  GApplication *app = G_APPLICATION (user_data);
  GList *windows = gtk_application_get_windows (GTK_APPLICATION (app));

  /* close, not destroy, so each window saves its size and asks before
   * stopping a running job; the application ends with its last window */
  for (GList *l = windows; l != NULL; )
    {
      GList *next = l->next;
      gtk_window_close (GTK_WINDOW (l->data));
      l = next;
    }
}

static const GActionEntry app_actions[] = {
  { "new-project", new_project_activated },
  { "open-project", open_project_activated },
  { "open-recent", open_recent_activated, "s" },
  { "about", about_activated },
  { "preferences", preferences_activated },
  { "quit", quit_activated },
};

static void
pb_application_startup (GApplication *app)
{
  PbApplication *self = PB_APPLICATION (app);
  const char *new_accels[] = { "<Control>n", NULL };
  const char *open_accels[] = { "<Control>o", NULL };
  const char *quit_accels[] = { "<Control>q", NULL };
  const char *preferences_accels[] = { "<Control>comma", NULL };

  G_APPLICATION_CLASS (pb_application_parent_class)->startup (app);

  self->settings = g_settings_new (APP_ID);
  /* silent at start: the preferences say whether CUDA can be used here */
  pb_preferences_apply_backend (self->settings, NULL);
  g_signal_connect_object (self->settings, "changed::backend",
                           G_CALLBACK (on_backend_changed_cb), self, 0);

  g_action_map_add_action_entries (G_ACTION_MAP (self), app_actions,
                                   G_N_ELEMENTS (app_actions), self);
  gtk_application_set_accels_for_action (GTK_APPLICATION (self), "app.new-project", new_accels);
  gtk_application_set_accels_for_action (GTK_APPLICATION (self), "app.open-project", open_accels);
  gtk_application_set_accels_for_action (GTK_APPLICATION (self), "app.quit", quit_accels);
  gtk_application_set_accels_for_action (GTK_APPLICATION (self), "app.preferences",
                                         preferences_accels);
}

static void
pb_application_finalize (GObject *object)
{
  PbApplication *self = (PbApplication *)object;

  g_clear_object (&self->settings);
  g_clear_pointer (&self->screenshot_path, g_free);
  g_clear_pointer (&self->start_page, g_free);

  G_OBJECT_CLASS (pb_application_parent_class)->finalize (object);
}

static void
pb_application_class_init (PbApplicationClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GApplicationClass *app_class = G_APPLICATION_CLASS (klass);

  object_class->finalize = pb_application_finalize;
  app_class->activate = pb_application_activate;
  app_class->open = pb_application_open;
  app_class->startup = pb_application_startup;
  app_class->handle_local_options = pb_application_handle_local_options;
}

static void
pb_application_init (PbApplication *self)
{
  const GOptionEntry entries[] = {
    { "version", 0, 0, G_OPTION_ARG_NONE, NULL, N_("Print the version and exit"), NULL },
    { "screenshot", 0, 0, G_OPTION_ARG_FILENAME, NULL,
      N_("Save a PNG of the window once it is shown, then quit"), N_("FILE") },
    { "page", 0, 0, G_OPTION_ARG_STRING, NULL, N_("Show this page of the project"), N_("NAME") },
    { NULL }
  };

  g_application_add_main_option_entries (G_APPLICATION (self), entries);
  g_application_set_option_context_parameter_string (G_APPLICATION (self), N_("[PROJECT]"));
}

PbApplication *
pb_application_new (void)
{
  return g_object_new (PB_TYPE_APPLICATION,
                       "application-id", APP_ID,
                       "flags", G_APPLICATION_HANDLES_OPEN | G_APPLICATION_NON_UNIQUE,
                       "resource-base-path", RESOURCE_PREFIX,
                       NULL);
}

/**
 * pb_application_get_settings:
 * @self: a #PbApplication
 *
 * Returns: (transfer none) (nullable): the settings, available after startup
 */
GSettings *
pb_application_get_settings (PbApplication *self)
{
  g_return_val_if_fail (PB_IS_APPLICATION (self), NULL);

  return self->settings;
}

int
pb_application_get_exit_status (PbApplication *self)
{
  g_return_val_if_fail (PB_IS_APPLICATION (self), 1);

  return self->exit_status;
}
