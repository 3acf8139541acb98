/* pb-start-view.c — new project, open project, and the recent projects kept in
 * GSettings (rows activate app.open-recent with the path as target).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "pb-start-view.h"

#include <glib/gi18n.h>

struct _PbStartView
{
  AdwBin      parent_instance;

  GSettings  *settings;
  gulong      changed_handler;

  AdwPreferencesGroup *recent_group;
  GtkListBox          *recent_list;
};

G_DEFINE_FINAL_TYPE (PbStartView, pb_start_view, ADW_TYPE_BIN)

enum {
  PROP_0,
  PROP_SETTINGS,
  N_PROPS
};

static GParamSpec *properties [N_PROPS];

static GtkWidget *
make_recent_row (const char *path)
{
  GtkWidget *row = adw_action_row_new ();
  g_autofree char *base = g_path_get_basename (path);
  g_autofree char *name = g_filename_display_name (base);
  g_autofree char *dir = g_path_get_dirname (path);
  g_autofree char *dir_display = g_filename_display_name (dir);
  GtkWidget *arrow = gtk_image_new_from_icon_name ("go-next-symbolic");

  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), name);
  adw_action_row_set_subtitle (ADW_ACTION_ROW (row), dir_display);
  adw_action_row_add_suffix (ADW_ACTION_ROW (row), arrow);
  gtk_list_box_row_set_activatable (GTK_LIST_BOX_ROW (row), TRUE);
  gtk_actionable_set_action_name (GTK_ACTIONABLE (row), "app.open-recent");
  gtk_actionable_set_action_target_value (GTK_ACTIONABLE (row), g_variant_new_string (path));

  return row;
}

static void
reload_recent (PbStartView *self)
{
  g_auto(GStrv) recent = NULL;
  GtkWidget *child;

  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self->recent_list))) != NULL)
    gtk_list_box_remove (self->recent_list, child);

  if (self->settings != NULL)
    recent = g_settings_get_strv (self->settings, "recent-projects");

  for (guint i = 0; recent != NULL && recent[i] != NULL; i++)
    gtk_list_box_append (self->recent_list, make_recent_row (recent[i]));

  gtk_widget_set_visible (GTK_WIDGET (self->recent_group),
                          recent != NULL && recent[0] != NULL);
}

static void
on_recent_changed_cb (PbStartView *self,
                      const char  *key,
                      GSettings   *settings)
{
  reload_recent (self);
}

static void
pb_start_view_dispose (GObject *object)
{
  PbStartView *self = (PbStartView *)object;

  gtk_widget_dispose_template (GTK_WIDGET (self), PB_TYPE_START_VIEW);
  if (self->settings != NULL)
    g_clear_signal_handler (&self->changed_handler, self->settings);
  g_clear_object (&self->settings);

  G_OBJECT_CLASS (pb_start_view_parent_class)->dispose (object);
}

static void
pb_start_view_get_property (GObject    *object,
                            guint       prop_id,
                            GValue     *value,
                            GParamSpec *pspec)
{
  PbStartView *self = PB_START_VIEW (object);

  switch (prop_id)
    {
    case PROP_SETTINGS:
      g_value_set_object (value, self->settings);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
pb_start_view_set_property (GObject      *object,
                            guint         prop_id,
                            const GValue *value,
                            GParamSpec   *pspec)
{
  PbStartView *self = PB_START_VIEW (object);

  switch (prop_id)
    {
    case PROP_SETTINGS:
      pb_start_view_set_settings (self, g_value_get_object (value));
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
pb_start_view_class_init (PbStartViewClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = pb_start_view_dispose;
  object_class->get_property = pb_start_view_get_property;
  object_class->set_property = pb_start_view_set_property;

  properties [PROP_SETTINGS] =
    g_param_spec_object ("settings", NULL, NULL, G_TYPE_SETTINGS,
                         (G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));
  g_object_class_install_properties (object_class, N_PROPS, properties);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               RESOURCE_PREFIX "/ui/pb-start-view.ui");
  gtk_widget_class_bind_template_child (widget_class, PbStartView, recent_group);
  gtk_widget_class_bind_template_child (widget_class, PbStartView, recent_list);
}

static void
pb_start_view_init (PbStartView *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  reload_recent (self);
}

GSettings *
pb_start_view_get_settings (PbStartView *self)
{
  g_return_val_if_fail (PB_IS_START_VIEW (self), NULL);

  return self->settings;
}

void
pb_start_view_set_settings (PbStartView *self,
                            GSettings   *settings)
{
  g_return_if_fail (PB_IS_START_VIEW (self));

  if (self->settings == settings)
    return;

  if (self->settings != NULL)
    g_clear_signal_handler (&self->changed_handler, self->settings);
  g_set_object (&self->settings, settings);
  if (settings != NULL)
    self->changed_handler = g_signal_connect_object (settings, "changed::recent-projects",
                                                     G_CALLBACK (on_recent_changed_cb), self,
                                                     G_CONNECT_SWAPPED);

  reload_recent (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties [PROP_SETTINGS]);
}
