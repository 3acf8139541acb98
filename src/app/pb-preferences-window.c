/* pb-preferences-window.c — the workbench's preferences: which compute backend
 * runs jobs (the `backend` key, applied by PbApplication) and the custom width
 * offered when exporting figures (`export-width-mm`). Both are bound straight
 * to GSettings; the CUDA row says whether this machine can use the GPU.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "pb-preferences-window.h"

#include "pb-engine.h"

#include <glib/gi18n.h>

struct _PbPreferencesWindow
{
  AdwPreferencesWindow  parent_instance;

  GSettings            *settings;

  AdwComboRow          *backend_row;
  AdwActionRow         *cuda_row;
  GtkSpinButton        *width_spin;
};

G_DEFINE_FINAL_TYPE (PbPreferencesWindow, pb_preferences_window, ADW_TYPE_PREFERENCES_WINDOW)

enum {
  PROP_0,
  PROP_SETTINGS,
  N_PROPS
};

static GParamSpec *properties [N_PROPS];

/* the combo row's items, in order */
static const char * const backend_names[] = { "auto", "cpu", "cuda" };

static gboolean
backend_name_to_position (GValue   *value,
                          GVariant *variant,
                          gpointer  user_data)
{
  const char *name = g_variant_get_string (variant, NULL);

  for (guint i = 0; i < G_N_ELEMENTS (backend_names); i++)
    if (g_str_equal (name, backend_names[i]))
      {
        g_value_set_uint (value, i);
        return TRUE;
      }
  return FALSE;
}

static GVariant *
backend_position_to_name (const GValue       *value,
                          const GVariantType *expected_type,
                          gpointer            user_data)
{
  guint position = g_value_get_uint (value);

  if (position >= G_N_ELEMENTS (backend_names))
    return NULL;
  return g_variant_new_string (backend_names[position]);
}

static void
show_cuda_status (PbPreferencesWindow *self)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *text = NULL;

  if (pb_backend_kind_is_available (PB_BACKEND_KIND_CUDA, &error))
    text = g_strdup (_("Available: Automatic uses the GPU"));
  else
    text = g_strdup_printf (_("Not available on this computer (%s); Automatic uses the CPU"),
                            error->message);
  adw_action_row_set_subtitle (self->cuda_row, text);
}

static void
pb_preferences_window_constructed (GObject *object)
{
  PbPreferencesWindow *self = (PbPreferencesWindow *)object;

  G_OBJECT_CLASS (pb_preferences_window_parent_class)->constructed (object);

  g_settings_bind_with_mapping (self->settings, "backend", self->backend_row, "selected",
                                G_SETTINGS_BIND_DEFAULT, backend_name_to_position,
                                backend_position_to_name, NULL, NULL);
  g_settings_bind (self->settings, "export-width-mm",
                   gtk_spin_button_get_adjustment (self->width_spin), "value",
                   G_SETTINGS_BIND_DEFAULT);
  show_cuda_status (self);
}

static void
pb_preferences_window_dispose (GObject *object)
{
  PbPreferencesWindow *self = (PbPreferencesWindow *)object;

  gtk_widget_dispose_template (GTK_WIDGET (self), PB_TYPE_PREFERENCES_WINDOW);
  g_clear_object (&self->settings);

  G_OBJECT_CLASS (pb_preferences_window_parent_class)->dispose (object);
}

static void
pb_preferences_window_set_property (GObject      *object,
                                    guint         prop_id,
                                    const GValue *value,
                                    GParamSpec   *pspec)
{
  PbPreferencesWindow *self = PB_PREFERENCES_WINDOW (object);

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
pb_preferences_window_class_init (PbPreferencesWindowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->constructed = pb_preferences_window_constructed;
  object_class->dispose = pb_preferences_window_dispose;
  object_class->set_property = pb_preferences_window_set_property;

  properties [PROP_SETTINGS] =
    g_param_spec_object ("settings", NULL, NULL, G_TYPE_SETTINGS,
                         (G_PARAM_WRITABLE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS));
  g_object_class_install_properties (object_class, N_PROPS, properties);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               RESOURCE_PREFIX "/ui/pb-preferences-window.ui");
  gtk_widget_class_bind_template_child (widget_class, PbPreferencesWindow, backend_row);
  gtk_widget_class_bind_template_child (widget_class, PbPreferencesWindow, cuda_row);
  gtk_widget_class_bind_template_child (widget_class, PbPreferencesWindow, width_spin);
}

static void
pb_preferences_window_init (PbPreferencesWindow *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
}

/**
 * pb_preferences_window_new:
 * @settings: the application's settings
 *
 * Returns: (transfer floating): a new preferences window
 */
PbPreferencesWindow *
pb_preferences_window_new (GSettings *settings)
{
  g_return_val_if_fail (G_IS_SETTINGS (settings), NULL);

  return g_object_new (PB_TYPE_PREFERENCES_WINDOW, "settings", settings, NULL);
}

/**
 * pb_preferences_apply_backend:
 * @settings: the application's settings
 * @message: (out) (optional) (nullable) (transfer full): for the user, when
 *   the chosen backend cannot be used here
 *
 * Makes the `backend` key the engine's default for models created from now
 * on: `cuda` or `auto` on a machine without a usable GPU fall back to the CPU,
 * and @message says why.
 */
void
pb_preferences_apply_backend (GSettings  *settings,
                              char      **message)
{
  g_autofree char *name = NULL;
  g_autofree char *note = NULL;
  g_autoptr(GError) error = NULL;
  PbBackendKind kind;

  g_return_if_fail (G_IS_SETTINGS (settings));

  if (message != NULL)
    *message = NULL;

  name = g_settings_get_string (settings, "backend");
  if (!pb_backend_resolve_name (name, &kind, &note, &error))
    {
      kind = PB_BACKEND_KIND_CPU;
      if (message != NULL)
        *message = g_strdup_printf (_("Jobs run on the CPU: %s"), error->message);
    }
  else if (note != NULL && message != NULL)
    *message = g_strdup_printf (_("Jobs run on the CPU: %s"), note);

  pb_backend_set_default_kind (kind);
}
