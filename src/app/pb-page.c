/* pb-page.c — base class of the workbench's pages: a title, an icon and the
 * open project, with a vfunc pages override to reload when the project changes.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "pb-page.h"

typedef struct
{
  char      *title;
  char      *icon_name;
  PbProject *project;
  gint64     last_refresh;   /* monotonic µs of the last live-results refresh */
} PbPagePrivate;

G_DEFINE_TYPE_WITH_PRIVATE (PbPage, pb_page, ADW_TYPE_BIN)

enum {
  PROP_0,
  PROP_TITLE,
  PROP_ICON_NAME,
  PROP_PROJECT,
  N_PROPS
};

static GParamSpec *properties [N_PROPS];

static void
pb_page_dispose (GObject *object)
{
  PbPage *self = (PbPage *)object;
  PbPagePrivate *priv = pb_page_get_instance_private (self);

  g_clear_object (&priv->project);

  G_OBJECT_CLASS (pb_page_parent_class)->dispose (object);
}

static void
pb_page_finalize (GObject *object)
{
  PbPage *self = (PbPage *)object;
  PbPagePrivate *priv = pb_page_get_instance_private (self);

  g_clear_pointer (&priv->title, g_free);
  g_clear_pointer (&priv->icon_name, g_free);

  G_OBJECT_CLASS (pb_page_parent_class)->finalize (object);
}

static void
pb_page_get_property (GObject    *object,
                      guint       prop_id,
                      GValue     *value,
                      GParamSpec *pspec)
{
  PbPage *self = PB_PAGE (object);
  PbPagePrivate *priv = pb_page_get_instance_private (self);

  switch (prop_id)
    {
    case PROP_TITLE:
      g_value_set_string (value, priv->title);
      break;

    case PROP_ICON_NAME:
      g_value_set_string (value, priv->icon_name);
      break;

    case PROP_PROJECT:
      g_value_set_object (value, priv->project);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
pb_page_set_property (GObject      *object,
                      guint         prop_id,
                      const GValue *value,
                      GParamSpec   *pspec)
{
  PbPage *self = PB_PAGE (object);
  PbPagePrivate *priv = pb_page_get_instance_private (self);

  switch (prop_id)
    {
    case PROP_TITLE:
      if (g_strcmp0 (priv->title, g_value_get_string (value)) != 0)
        {
          g_free (priv->title);
          priv->title = g_value_dup_string (value);
          g_object_notify_by_pspec (object, pspec);
        }
      break;

    case PROP_ICON_NAME:
      if (g_strcmp0 (priv->icon_name, g_value_get_string (value)) != 0)
        {
          g_free (priv->icon_name);
          priv->icon_name = g_value_dup_string (value);
          g_object_notify_by_pspec (object, pspec);
        }
      break;

    case PROP_PROJECT:
      pb_page_set_project (self, g_value_get_object (value));
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

/* AdwPreferencesPage clamps its content to 600 px, too narrow for the tables
 * and figures of a workbench page; libadwaita 1.2 has no property for it, so
 * the clamps inside the page are widened once the subclass built its template. */
#define PB_PAGE_MAXIMUM_WIDTH 1000
#define PB_PAGE_TIGHTENING_THRESHOLD 800

static void
widen_clamps (GtkWidget *widget)
{
  if (ADW_IS_CLAMP (widget))
    {
      adw_clamp_set_maximum_size (ADW_CLAMP (widget), PB_PAGE_MAXIMUM_WIDTH);
      adw_clamp_set_tightening_threshold (ADW_CLAMP (widget), PB_PAGE_TIGHTENING_THRESHOLD);
    }
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    widen_clamps (child);
}

static void
pb_page_constructed (GObject *object)
{
  G_OBJECT_CLASS (pb_page_parent_class)->constructed (object);

  widen_clamps (GTK_WIDGET (object));
}

static void
pb_page_class_init (PbPageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->constructed = pb_page_constructed;
  object_class->dispose = pb_page_dispose;
  object_class->finalize = pb_page_finalize;
  object_class->get_property = pb_page_get_property;
  object_class->set_property = pb_page_set_property;

  properties [PROP_TITLE] =
    g_param_spec_string ("title", NULL, NULL, NULL,
                         (G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));
  properties [PROP_ICON_NAME] =
    g_param_spec_string ("icon-name", NULL, NULL, NULL,
                         (G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));
  properties [PROP_PROJECT] =
    g_param_spec_object ("project", NULL, NULL, PB_TYPE_PROJECT,
                         (G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));
  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
pb_page_init (PbPage *self)
{
}

const char *
pb_page_get_title (PbPage *self)
{
  PbPagePrivate *priv = pb_page_get_instance_private (self);

  g_return_val_if_fail (PB_IS_PAGE (self), NULL);

  return priv->title;
}

const char *
pb_page_get_icon_name (PbPage *self)
{
  PbPagePrivate *priv = pb_page_get_instance_private (self);

  g_return_val_if_fail (PB_IS_PAGE (self), NULL);

  return priv->icon_name;
}

/**
 * pb_page_get_project:
 * @self: a #PbPage
 *
 * Returns: (transfer none) (nullable): the open project
 */
PbProject *
pb_page_get_project (PbPage *self)
{
  PbPagePrivate *priv = pb_page_get_instance_private (self);

  g_return_val_if_fail (PB_IS_PAGE (self), NULL);

  return priv->project;
}

void
pb_page_set_project (PbPage    *self,
                     PbProject *project)
{
  PbPagePrivate *priv = pb_page_get_instance_private (self);

  g_return_if_fail (PB_IS_PAGE (self));
  g_return_if_fail (project == NULL || PB_IS_PROJECT (project));

  if (g_set_object (&priv->project, project))
    {
      if (PB_PAGE_GET_CLASS (self)->project_changed != NULL)
        PB_PAGE_GET_CLASS (self)->project_changed (self, project);
      g_object_notify_by_pspec (G_OBJECT (self), properties [PROP_PROJECT]);
    }
}

/**
 * pb_page_toast:
 * @self: a #PbPage
 * @message: what to tell the user
 *
 * Shows @message as a toast of the window (its `win.toast` action); outside a
 * window (widget tests) nothing shows.
 */
void
pb_page_toast (PbPage     *self,
               const char *message)
{
  g_return_if_fail (PB_IS_PAGE (self));

  gtk_widget_activate_action (GTK_WIDGET (self), "win.toast", "s", message);
}

/**
 * pb_page_check_project_free:
 * @self: a #PbPage
 *
 * Call before preparing a job that changes the project: if another page's job
 * is changing it, a toast says which and this returns %FALSE.
 *
 * Returns: %TRUE if a writer job may start on the page's project
 */
gboolean
pb_page_check_project_free (PbPage *self)
{
  PbPagePrivate *priv = pb_page_get_instance_private (self);
  g_autoptr(GError) error = NULL;

  g_return_val_if_fail (PB_IS_PAGE (self), FALSE);

  if (priv->project == NULL)
    return FALSE;

  if (!pb_job_check_project_free (pb_project_get_path (priv->project), &error))
    {
      pb_page_toast (self, error->message);
      return FALSE;
    }
  return TRUE;
}

/**
 * pb_page_start_writer:
 * @self: a #PbPage with a project
 * @job: the page's job
 * @func: (scope async): the work
 * @data: (transfer full): what @func needs
 * @data_destroy: frees @data
 *
 * pb_job_start_writer() on the page's project; a refusal becomes a toast.
 *
 * Returns: %TRUE if the job started
 */
gboolean
pb_page_start_writer (PbPage         *self,
                      PbJob          *job,
                      PbJobFunc       func,
                      gpointer        data,
                      GDestroyNotify  data_destroy)
{
  PbPagePrivate *priv = pb_page_get_instance_private (self);
  g_autoptr(GError) error = NULL;

  g_return_val_if_fail (PB_IS_PAGE (self), FALSE);
  g_return_val_if_fail (priv->project != NULL, FALSE);

  if (!pb_job_start_writer (job, pb_project_get_path (priv->project), func, data, data_destroy,
                            &error))
    {
      pb_page_toast (self, error->message);
      return FALSE;
    }
  return TRUE;
}

/* live results (tables, figures) redraw at most this often while a job runs:
 * rebuilding them on every epoch's report kept the main loop busy */
#define PB_PAGE_REFRESH_MS 250

/**
 * pb_page_show_job_progress:
 * @self: a #PbPage
 * @job: the page's job
 * @bar: the page's progress bar
 *
 * Shows @job's fraction and message on @bar. Call it from the job's
 * `notify::fraction`.
 *
 * Returns: %TRUE when the page should also refresh its live results (at most
 *   every 250 ms; the job's `finished` handler refreshes them a last time)
 */
gboolean
pb_page_show_job_progress (PbPage         *self,
                           PbJob          *job,
                           GtkProgressBar *bar)
{
  PbPagePrivate *priv = pb_page_get_instance_private (self);
  g_autofree char *message = NULL;
  gint64 now = g_get_monotonic_time ();

  g_return_val_if_fail (PB_IS_PAGE (self), FALSE);

  message = pb_job_dup_message (job);
  gtk_progress_bar_set_fraction (bar, pb_job_get_fraction (job));
  if (message != NULL)
    gtk_progress_bar_set_text (bar, message);

  if (now - priv->last_refresh < PB_PAGE_REFRESH_MS * G_TIME_SPAN_MILLISECOND)
    return FALSE;
  priv->last_refresh = now;
  return TRUE;
}
