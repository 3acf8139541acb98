/* test-preferences.c — the preferences window edits GSettings both ways; the
 * backend preference becomes the engine's default (CPU, with a message, where
 * CUDA cannot run); the export dialog's sizes come from the journal widths and
 * the custom width preference.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "pb-engine.h"
#include "pb-plot-view.h"
#include "pb-preferences-window.h"

#include "pb-test-page.h"

static GtkWidget *
find_by_type (GtkWidget *root,
              GType      type)
{
  if (G_TYPE_CHECK_INSTANCE_TYPE (root, type))
    return root;
  for (GtkWidget *child = gtk_widget_get_first_child (root); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = find_by_type (child, type);

      if (found != NULL)
        return found;
    }
  return NULL;
}

static GtkWidget *
find_row (GtkWidget  *root,
          GType       type,
          const char *title)
{
  if (G_TYPE_CHECK_INSTANCE_TYPE (root, type) &&
      g_strcmp0 (adw_preferences_row_get_title (ADW_PREFERENCES_ROW (root)), title) == 0)
    return root;
  for (GtkWidget *child = gtk_widget_get_first_child (root); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = find_row (child, type, title);

      if (found != NULL)
        return found;
    }
  return NULL;
}

static void
test_window_edits_settings (void)
{
  g_autoptr(GSettings) settings = g_settings_new (APP_ID);
  g_autofree char *backend = NULL;
  g_autoptr(GError) error = NULL;
  PbPreferencesWindow *window;
  AdwComboRow *backend_row;
  AdwActionRow *cuda_row;
  GtkSpinButton *width_spin;
  gboolean cuda = pb_backend_kind_is_available (PB_BACKEND_KIND_CUDA, &error);
  const char *status;

  g_settings_set_string (settings, "backend", "cpu");
  g_settings_set_double (settings, "export-width-mm", 120);

  window = g_object_ref_sink (pb_preferences_window_new (settings));
  gtk_window_present (GTK_WINDOW (window));
  pb_test_drain ();

  backend_row = ADW_COMBO_ROW (find_row (GTK_WIDGET (window), ADW_TYPE_COMBO_ROW,
                                         "Compute _backend"));
  cuda_row = ADW_ACTION_ROW (find_row (GTK_WIDGET (window), ADW_TYPE_ACTION_ROW, "CUDA"));
  width_spin = GTK_SPIN_BUTTON (find_by_type (GTK_WIDGET (window), GTK_TYPE_SPIN_BUTTON));
  g_assert_nonnull (backend_row);
  g_assert_nonnull (cuda_row);
  g_assert_nonnull (width_spin);

  /* settings → widgets */
  g_assert_cmpuint (adw_combo_row_get_selected (backend_row), ==, 1);
  g_assert_cmpfloat (gtk_spin_button_get_value (width_spin), ==, 120);
  g_settings_set_string (settings, "backend", "auto");
  g_assert_cmpuint (adw_combo_row_get_selected (backend_row), ==, 0);

  /* widgets → settings */
  adw_combo_row_set_selected (backend_row, 2);
  backend = g_settings_get_string (settings, "backend");
  g_assert_cmpstr (backend, ==, "cuda");
  gtk_spin_button_set_value (width_spin, 140);
  g_assert_cmpfloat (g_settings_get_double (settings, "export-width-mm"), ==, 140);

  /* the CUDA row says what this machine can do, with the engine's reason */
  status = adw_action_row_get_subtitle (cuda_row);
  g_test_message ("CUDA row: %s", status);
  if (cuda)
    g_assert_cmpstr (status, ==, "Available: Automatic uses the GPU");
  else
    {
      g_assert_true (g_str_has_prefix (status, "Not available on this computer ("));
      g_assert_nonnull (strstr (status, error->message));
    }

  gtk_window_destroy (GTK_WINDOW (window));
  pb_test_drain ();
  g_assert_finalize_object (window);
  g_settings_reset (settings, "backend");
  g_settings_reset (settings, "export-width-mm");
}

static void
test_backend_becomes_default (void)
{
  g_autoptr(GSettings) settings = g_settings_new (APP_ID);
  g_autoptr(GError) error = NULL;
  gboolean cuda = pb_backend_kind_is_available (PB_BACKEND_KIND_CUDA, &error);
  char *message = NULL;

  g_settings_set_string (settings, "backend", "cpu");
  pb_preferences_apply_backend (settings, &message);
  g_assert_null (message);
  g_assert_cmpint (pb_backend_get_default_kind (), ==, PB_BACKEND_KIND_CPU);

  g_settings_set_string (settings, "backend", "cuda");
  pb_preferences_apply_backend (settings, &message);
  if (cuda)
    {
      g_assert_null (message);
      g_assert_cmpint (pb_backend_get_default_kind (), ==, PB_BACKEND_KIND_CUDA);
    }
  else
    {
      g_test_message ("cuda: %s", message);
      g_assert_nonnull (message);
      g_assert_true (g_str_has_prefix (message, "Jobs run on the CPU: Backend cuda is unavailable"));
      g_assert_cmpint (pb_backend_get_default_kind (), ==, PB_BACKEND_KIND_CPU);
    }
  g_clear_pointer (&message, g_free);

  g_settings_set_string (settings, "backend", "auto");
  pb_preferences_apply_backend (settings, &message);
  g_assert_cmpint (pb_backend_get_default_kind (), ==,
                   cuda ? PB_BACKEND_KIND_CUDA : PB_BACKEND_KIND_CPU);
  g_assert_true (cuda == (message == NULL));
  g_clear_pointer (&message, g_free);

  g_settings_reset (settings, "backend");
  pb_backend_set_default_kind (PB_BACKEND_KIND_CPU);
}

static void
test_export_sizes (void)
{
  g_autoptr(GSettings) settings = g_settings_new (APP_ID);
  PbPlotView *view = PB_PLOT_VIEW (g_object_ref_sink (pb_plot_view_new ()));

  g_settings_set_double (settings, "export-width-mm", 120);
  pb_plot_view_set_export_width_mm (view, 100);
  g_assert_cmpfloat (pb_plot_view_width_for_size (view, "single"), ==, 89);
  g_assert_cmpfloat (pb_plot_view_width_for_size (view, "double"), ==, 183);
  g_assert_cmpfloat (pb_plot_view_width_for_size (view, "custom"), ==, 120);
  g_assert_cmpfloat (pb_plot_view_width_for_size (view, NULL), ==, 100);
  g_assert_cmpfloat (pb_plot_view_width_for_size (view, "bogus"), ==, 100);

  g_assert_finalize_object (view);
  g_settings_reset (settings, "export-width-mm");
}

int
main (int    argc,
      char **argv)
{
  gtk_test_init (&argc, &argv, NULL);
  adw_init ();

  g_test_add_func ("/pb/preferences/window-edits-settings", test_window_edits_settings);
  g_test_add_func ("/pb/preferences/backend-becomes-default", test_backend_becomes_default);
  g_test_add_func ("/pb/preferences/export-sizes", test_export_sizes);

  return g_test_run ();
}
