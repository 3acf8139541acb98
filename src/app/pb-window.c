/* pb-window.c — the workbench window: a start view, or one open project with a
 * sidebar of pages. Problems opening a project become a toast, never a crash.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "pb-window.h"

#include "pb-analysis-page.h"
#include "pb-attack-page.h"
#include "pb-cv-page.h"
#include "pb-import-page.h"
#include "pb-overview-page.h"
#include "pb-preprocess-page.h"
#include "pb-start-view.h"
#include "pb-tune-page.h"

#include <glib/gi18n.h>

#include "pb-job.h"

#define PB_RECENT_MAX 10

struct _PbWindow
{
  AdwApplicationWindow  parent_instance;

  GSettings            *settings;
  PbProject            *project;

  AdwToastOverlay      *toast_overlay;
  AdwWindowTitle       *window_title;
  GtkStack             *main_stack;
  GtkStack             *page_stack;
  PbStartView          *start_view;

  /* what to do once the writer job the user agreed to stop has stopped */
  PbJob                *stopping_job;
  gboolean              close_when_stopped;
};

G_DEFINE_FINAL_TYPE (PbWindow, pb_window, ADW_TYPE_APPLICATION_WINDOW)

enum {
  PROP_0,
  PROP_SETTINGS,
  PROP_PROJECT,
  N_PROPS
};

static GParamSpec *properties [N_PROPS];

/* The pages a project shows, in sidebar order; later issues add theirs here. */
typedef PbPage *(*PbPageNewFunc) (void);

static const struct {
  const char    *name;
  PbPageNewFunc  page_new;
} pages[] = {
  { "overview", pb_overview_page_new },
  { "import", pb_import_page_new },
  { "preprocess", pb_preprocess_page_new },
  { "tune", pb_tune_page_new },
  { "cross-validation", pb_cv_page_new },
  { "attack", pb_attack_page_new },
  { "analysis", pb_analysis_page_new },
};

static void
add_recent (PbWindow   *self,
            const char *path)
{
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
  g_auto(GStrv) recent = NULL;
  g_auto(GStrv) updated = NULL;
  g_autofree char *absolute = g_canonicalize_filename (path, NULL);
  guint n = 1;

  if (self->settings == NULL)
    return;

  recent = g_settings_get_strv (self->settings, "recent-projects");
  g_strv_builder_add (builder, absolute);
  for (guint i = 0; recent[i] != NULL && n < PB_RECENT_MAX; i++)
    {
      if (g_str_equal (recent[i], absolute))
        continue;
      g_strv_builder_add (builder, recent[i]);
      n++;
    }

  updated = g_strv_builder_end (builder);
  g_settings_set_strv (self->settings, "recent-projects", (const char * const *) updated);
}

static void
set_project (PbWindow  *self,
             PbProject *project)
{
  GtkWidget *child;

  if (!g_set_object (&self->project, project))
    return;

  for (child = gtk_widget_get_first_child (GTK_WIDGET (self->page_stack));
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    if (PB_IS_PAGE (child))
      pb_page_set_project (PB_PAGE (child), project);

  if (project != NULL)
    {
      g_autofree char *name = pb_project_dup_display_name (project);
      g_autofree char *title = g_strdup_printf ("%s — Perturb", name);

      adw_window_title_set_title (self->window_title, name);
      adw_window_title_set_subtitle (self->window_title, pb_project_get_path (project));
      gtk_window_set_title (GTK_WINDOW (self), title);
      gtk_stack_set_visible_child_name (self->main_stack, "project");
    }
  else
    {
      adw_window_title_set_title (self->window_title, _("Perturb"));
      adw_window_title_set_subtitle (self->window_title, NULL);
      gtk_window_set_title (GTK_WINDOW (self), _("Perturb"));
      gtk_stack_set_visible_child_name (self->main_stack, "start");
    }

  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.close-project", project != NULL);
  g_object_notify_by_pspec (G_OBJECT (self), properties [PROP_PROJECT]);
}

static void
show_open_error (PbWindow     *self,
                 const char   *path,
                 const GError *error)
{
  g_autofree char *base = g_path_get_basename (path);
  g_autofree char *name = g_filename_display_name (base);
  g_autofree char *message = NULL;

  /* The error already names the file; the heading says what we tried. */
  message = g_strdup_printf (_("Could not open “%s”: %s"), name, error->message);
  pb_window_show_toast (self, message);
}

/* Closes what the user asked to close once its job had stopped. */
static void
finish_close (PbWindow *self)
{
  if (self->close_when_stopped)
    gtk_window_close (GTK_WINDOW (self));
  else
    pb_window_close_project (self);
}

/* Runs once the stopped job is over. */
static void
on_stopping_job_running_cb (PbWindow *self)
{
  if (self->stopping_job == NULL || pb_job_get_running (self->stopping_job))
    return;

  g_signal_handlers_disconnect_by_data (self->stopping_job, self);
  g_clear_object (&self->stopping_job);
  finish_close (self);
}

static void
on_stop_dialog_response_cb (AdwMessageDialog *dialog,
                            const char       *response,
                            PbWindow         *self)
{
  PbJob *job;

  if (!g_str_equal (response, "stop") || self->project == NULL)
    return;

  job = pb_job_find_writer (pb_project_get_path (self->project));
  if (job == NULL)
    {
      finish_close (self);   /* it finished while the dialog was up */
      return;
    }

  if (self->stopping_job == NULL)
    {
      self->stopping_job = g_object_ref (job);
      g_signal_connect_object (job, "notify::running", G_CALLBACK (on_stopping_job_running_cb),
                               self, G_CONNECT_SWAPPED);
    }
  pb_job_cancel (job);
  pb_window_show_toast (self, _("Stopping…"));
}

/*
 * Returns %TRUE if closing may go on now; otherwise asks whether to stop the
 * writer job changing the project first (and closes once it has stopped).
 */
static gboolean
confirm_stop_job (PbWindow *self,
                  gboolean  close_window)
{
  AdwMessageDialog *dialog;
  PbJob *job;

  if (self->project == NULL)
    return TRUE;
  job = pb_job_find_writer (pb_project_get_path (self->project));
  if (job == NULL)
    return TRUE;

  self->close_when_stopped = close_window;
  if (self->stopping_job != NULL)
    return FALSE;     /* already stopping: closes when it has */

  dialog = ADW_MESSAGE_DIALOG (adw_message_dialog_new (GTK_WINDOW (self),
                                                       _("Stop the Running Job?"), NULL));
  adw_message_dialog_format_body (dialog,
                                  _("“%s” is still running on this project. Stopping it keeps "
                                    "everything it has saved so far (finished trials, "
                                    "epochs up to the last checkpoint), and it can be resumed "
                                    "later."),
                                  pb_job_get_title (job) != NULL ? pb_job_get_title (job) : "");
  adw_message_dialog_add_responses (dialog,
                                    "cancel", _("_Keep Running"),
                                    "stop", close_window ? _("_Stop and Close")
                                                         : _("_Stop and Close Project"),
                                    NULL);
  adw_message_dialog_set_response_appearance (dialog, "stop", ADW_RESPONSE_DESTRUCTIVE);
  adw_message_dialog_set_default_response (dialog, "cancel");
  adw_message_dialog_set_close_response (dialog, "cancel");
  g_signal_connect_object (dialog, "response", G_CALLBACK (on_stop_dialog_response_cb), self, 0);
  gtk_window_present (GTK_WINDOW (dialog));

  return FALSE;
}

static void
close_project_action (GtkWidget  *widget,
                      const char *action_name,
                      GVariant   *parameter)
{
  PbWindow *self = PB_WINDOW (widget);

  if (confirm_stop_job (self, FALSE))
    pb_window_close_project (self);
}

static void
toast_action (GtkWidget  *widget,
              const char *action_name,
              GVariant   *parameter)
{
  pb_window_show_toast (PB_WINDOW (widget), g_variant_get_string (parameter, NULL));
}

static gboolean
pb_window_close_request (GtkWindow *window)
{
  PbWindow *self = PB_WINDOW (window);
  int width, height;

  if (!confirm_stop_job (self, TRUE))
    return TRUE;

  if (self->settings != NULL)
    {
      gtk_window_get_default_size (window, &width, &height);
      g_settings_delay (self->settings);
      g_settings_set_int (self->settings, "window-width", width);
      g_settings_set_int (self->settings, "window-height", height);
      g_settings_set_boolean (self->settings, "window-maximized",
                              gtk_window_is_maximized (window));
      g_settings_apply (self->settings);
    }

  return GTK_WINDOW_CLASS (pb_window_parent_class)->close_request (window);
}

static void
pb_window_constructed (GObject *object)
{
  PbWindow *self = (PbWindow *)object;

  G_OBJECT_CLASS (pb_window_parent_class)->constructed (object);

  if (self->settings != NULL)
    {
      gtk_window_set_default_size (GTK_WINDOW (self),
                                   g_settings_get_int (self->settings, "window-width"),
                                   g_settings_get_int (self->settings, "window-height"));
      if (g_settings_get_boolean (self->settings, "window-maximized"))
        gtk_window_maximize (GTK_WINDOW (self));
      pb_start_view_set_settings (self->start_view, self->settings);
    }
}

static void
pb_window_dispose (GObject *object)
{
  PbWindow *self = (PbWindow *)object;

  if (self->stopping_job != NULL)
    g_signal_handlers_disconnect_by_data (self->stopping_job, self);
  g_clear_object (&self->stopping_job);
  gtk_widget_dispose_template (GTK_WIDGET (self), PB_TYPE_WINDOW);
  g_clear_object (&self->project);
  g_clear_object (&self->settings);

  G_OBJECT_CLASS (pb_window_parent_class)->dispose (object);
}

static void
pb_window_get_property (GObject    *object,
                        guint       prop_id,
                        GValue     *value,
                        GParamSpec *pspec)
{
  PbWindow *self = PB_WINDOW (object);

  switch (prop_id)
    {
    case PROP_SETTINGS:
      g_value_set_object (value, self->settings);
      break;

    case PROP_PROJECT:
      g_value_set_object (value, self->project);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
pb_window_set_property (GObject      *object,
                        guint         prop_id,
                        const GValue *value,
                        GParamSpec   *pspec)
{
  PbWindow *self = PB_WINDOW (object);

  switch (prop_id)
    {
    case PROP_SETTINGS:
      self->settings = g_value_dup_object (value);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
pb_window_class_init (PbWindowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  GtkWindowClass *window_class = GTK_WINDOW_CLASS (klass);

  object_class->constructed = pb_window_constructed;
  object_class->dispose = pb_window_dispose;
  object_class->get_property = pb_window_get_property;
  object_class->set_property = pb_window_set_property;
  window_class->close_request = pb_window_close_request;

  properties [PROP_SETTINGS] =
    g_param_spec_object ("settings", NULL, NULL, G_TYPE_SETTINGS,
                         (G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS));
  properties [PROP_PROJECT] =
    g_param_spec_object ("project", NULL, NULL, PB_TYPE_PROJECT,
                         (G_PARAM_READABLE | G_PARAM_STATIC_STRINGS));
  g_object_class_install_properties (object_class, N_PROPS, properties);

  g_type_ensure (PB_TYPE_START_VIEW);

  gtk_widget_class_set_template_from_resource (widget_class, RESOURCE_PREFIX "/ui/pb-window.ui");
  gtk_widget_class_bind_template_child (widget_class, PbWindow, toast_overlay);
  gtk_widget_class_bind_template_child (widget_class, PbWindow, window_title);
  gtk_widget_class_bind_template_child (widget_class, PbWindow, main_stack);
  gtk_widget_class_bind_template_child (widget_class, PbWindow, page_stack);
  gtk_widget_class_bind_template_child (widget_class, PbWindow, start_view);

  gtk_widget_class_install_action (widget_class, "win.close-project", NULL, close_project_action);
  /* pages and plots report problems through this: the toast names the problem */
  gtk_widget_class_install_action (widget_class, "win.toast", "s", toast_action);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_w, GDK_CONTROL_MASK,
                                       "win.close-project", NULL);
}

static void
pb_window_init (PbWindow *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));

  for (guint i = 0; i < G_N_ELEMENTS (pages); i++)
    {
      PbPage *page = pages[i].page_new ();
      GtkStackPage *stack_page = gtk_stack_add_titled (self->page_stack, GTK_WIDGET (page),
                                                       pages[i].name, pb_page_get_title (page));

      gtk_stack_page_set_icon_name (stack_page, pb_page_get_icon_name (page));
    }

  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.close-project", FALSE);
}

PbWindow *
pb_window_new (AdwApplication *application,
               GSettings      *settings)
{
  return g_object_new (PB_TYPE_WINDOW,
                       "application", application,
                       "settings", settings,
                       NULL);
}

/**
 * pb_window_open_project:
 * @self: a #PbWindow
 * @path: a `.perturb` file
 *
 * Opens @path in this window, replacing the open project. On failure a toast
 * says why and the window keeps what it showed.
 *
 * Returns: %TRUE if the project is now open
 */
gboolean
pb_window_open_project (PbWindow   *self,
                        const char *path)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(PbProject) project = NULL;

  g_return_val_if_fail (PB_IS_WINDOW (self), FALSE);
  g_return_val_if_fail (path != NULL, FALSE);

  project = pb_project_open (path, &error);
  if (project == NULL)
    {
      show_open_error (self, path, error);
      return FALSE;
    }

  set_project (self, project);
  add_recent (self, path);
  return TRUE;
}

/**
 * pb_window_create_project:
 * @self: a #PbWindow
 * @path: where the new project goes
 *
 * Returns: %TRUE if the new project was created and is now open
 */
gboolean
pb_window_create_project (PbWindow   *self,
                          const char *path)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(PbProject) project = NULL;

  g_return_val_if_fail (PB_IS_WINDOW (self), FALSE);
  g_return_val_if_fail (path != NULL, FALSE);

  project = pb_project_create (path, &error);
  if (project == NULL)
    {
      g_autofree char *message = g_strdup_printf (_("Could not create the project: %s"),
                                                  error->message);
      pb_window_show_toast (self, message);
      return FALSE;
    }

  pb_project_set_metadata (project, "created-by", "perturb-workbench " PACKAGE_VERSION, NULL);
  set_project (self, project);
  add_recent (self, path);
  return TRUE;
}

void
pb_window_close_project (PbWindow *self)
{
  g_return_if_fail (PB_IS_WINDOW (self));

  if (self->project != NULL)
    pb_project_close (self->project);
  set_project (self, NULL);
}

/**
 * pb_window_get_project:
 * @self: a #PbWindow
 *
 * Returns: (transfer none) (nullable): the open project
 */
PbProject *
pb_window_get_project (PbWindow *self)
{
  g_return_val_if_fail (PB_IS_WINDOW (self), NULL);

  return self->project;
}

/**
 * pb_window_select_page:
 * @self: a #PbWindow
 * @name: a page name (e.g. "overview")
 *
 * Returns: %TRUE if a page of that name exists and is now shown
 */
gboolean
pb_window_select_page (PbWindow   *self,
                       const char *name)
{
  g_return_val_if_fail (PB_IS_WINDOW (self), FALSE);

  if (gtk_stack_get_child_by_name (self->page_stack, name) == NULL)
    return FALSE;

  gtk_stack_set_visible_child_name (self->page_stack, name);
  return TRUE;
}

void
pb_window_show_toast (PbWindow   *self,
                      const char *message)
{
  AdwToast *toast;

  g_return_if_fail (PB_IS_WINDOW (self));

  toast = adw_toast_new (message);
  adw_toast_set_timeout (toast, 8);
  adw_toast_overlay_add_toast (self->toast_overlay, toast);
  g_debug ("toast: %s", message);
}
