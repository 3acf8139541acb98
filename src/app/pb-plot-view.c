/* pb-plot-view.c — a widget showing one src/plot figure. It draws with the same
 * function the exporter uses (pb_plot_figure_draw), shows the nearest point of a
 * line plot as a tooltip, and exports PNG (300 dpi), SVG, PDF or CSV through the
 * `plot.export` action (parameter: the format).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "pb-plot-view.h"

#include <glib/gi18n.h>
#include <math.h>

#define PB_PLOT_VIEW_ASPECT 0.62  /* height / width of exported figures */
#define PB_PLOT_VIEW_DPI 300.0

struct _PbPlotView
{
  GtkWidget       parent_instance;

  PbPlotFigure    figure;
  gpointer        data;
  GDestroyNotify  data_free;
  gboolean        has_figure;

  char           *export_name;  /* file stem offered when exporting */
  double          export_width_mm;
};

G_DEFINE_FINAL_TYPE (PbPlotView, pb_plot_view, GTK_TYPE_WIDGET)

enum {
  PROP_0,
  PROP_EXPORT_NAME,
  PROP_EXPORT_WIDTH_MM,
  N_PROPS
};

static GParamSpec *properties [N_PROPS];

static void
pb_plot_view_snapshot (GtkWidget   *widget,
                       GtkSnapshot *snapshot)
{
  PbPlotView *self = PB_PLOT_VIEW (widget);
  int width = gtk_widget_get_width (widget);
  int height = gtk_widget_get_height (widget);
  cairo_t *cr;

  if (!self->has_figure || width <= 0 || height <= 0)
    return;

  cr = gtk_snapshot_append_cairo (snapshot, &GRAPHENE_RECT_INIT (0, 0, width, height));
  /* a figure that cannot draw its data leaves the area blank; the page says why */
  pb_plot_figure_draw (&self->figure, cr, width, height, NULL);
  cairo_destroy (cr);
}

static void
on_motion_cb (GtkEventControllerMotion *controller,
              double                    x,
              double                    y,
              PbPlotView               *self)
{
  const PbPlotLineData *line;
  g_autofree char *text = NULL;
  PbPlotHit hit;

  if (!self->has_figure || self->figure.kind != PB_PLOT_KIND_LINE)
    return;

  line = self->figure.data;
  if (pb_plot_line_hit_test (line, self->figure.style,
                             gtk_widget_get_width (GTK_WIDGET (self)),
                             gtk_widget_get_height (GTK_WIDGET (self)),
                             x, y, 24.0, &hit))
    text = g_strdup_printf ("%s\n%s %g: %.4g",
                            line->series[hit.series].label != NULL
                              ? line->series[hit.series].label : "",
                            line->x_label != NULL ? line->x_label : "x", hit.x, hit.y);

  gtk_widget_set_tooltip_text (GTK_WIDGET (self), text);
}

/* The width the preferences offer as custom size, or the view's own. */
static double
custom_width_mm (PbPlotView *self)
{
  GSettingsSchemaSource *source = g_settings_schema_source_get_default ();
  g_autoptr(GSettingsSchema) schema = NULL;
  g_autoptr(GSettings) settings = NULL;

  if (source != NULL)
    schema = g_settings_schema_source_lookup (source, APP_ID, TRUE);
  if (schema == NULL)
    return self->export_width_mm;

  settings = g_settings_new_full (schema, NULL, NULL);
  return g_settings_get_double (settings, "export-width-mm");
}

/**
 * pb_plot_view_width_for_size:
 * @self: a #PbPlotView
 * @size: (nullable): the export dialog's size choice: "single", "double" or
 *   "custom"; %NULL for the view's export width
 *
 * Returns: the figure width in millimetres for @size
 */
double
pb_plot_view_width_for_size (PbPlotView *self,
                             const char *size)
{
  g_return_val_if_fail (PB_IS_PLOT_VIEW (self), PB_PLOT_WIDTH_SINGLE_COLUMN_MM);

  if (g_strcmp0 (size, "single") == 0)
    return PB_PLOT_WIDTH_SINGLE_COLUMN_MM;
  if (g_strcmp0 (size, "double") == 0)
    return PB_PLOT_WIDTH_DOUBLE_COLUMN_MM;
  if (g_strcmp0 (size, "custom") == 0)
    return custom_width_mm (self);
  return self->export_width_mm;
}

static void
on_export_chosen_cb (GtkNativeDialog *dialog,
                     int              response,
                     gpointer         user_data)
{
  PbPlotView *self = PB_PLOT_VIEW (user_data);

  if (response == GTK_RESPONSE_ACCEPT)
    {
      g_autoptr(GFile) file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (dialog));
      g_autofree char *path = g_file_get_path (file);
      g_autoptr(GError) error = NULL;
      double width_mm = pb_plot_view_width_for_size (self,
                                                     gtk_file_chooser_get_choice (GTK_FILE_CHOOSER (dialog),
                                                                                  "size"));

      if (path == NULL ||
          !pb_plot_view_export (self, path, width_mm, width_mm * PB_PLOT_VIEW_ASPECT,
                                PB_PLOT_VIEW_DPI, &error))
        {
          g_autofree char *message = g_strdup_printf (_("Could not export the figure: %s"),
                                                      error != NULL ? error->message
                                                                    : _("not a local file"));
          GtkWidget *root = GTK_WIDGET (gtk_widget_get_root (GTK_WIDGET (self)));

          /* the window shows it as a toast */
          if (root != NULL)
            gtk_widget_activate_action (root, "win.toast", "s", message);
        }
    }

  g_object_unref (dialog);
  g_object_unref (self);
}

static void
export_action (GtkWidget  *widget,
               const char *action_name,
               GVariant   *parameter)
{
  PbPlotView *self = PB_PLOT_VIEW (widget);
  const char *format = g_variant_get_string (parameter, NULL);
  g_autofree char *suggested = g_strdup_printf ("%s.%s",
                                                self->export_name != NULL ? self->export_name : "figure",
                                                format);
  g_autofree char *custom = NULL;
  GtkRoot *root = gtk_widget_get_root (widget);
  GtkFileChooserNative *dialog;
  const char *sizes[] = { "single", "double", "custom", NULL };
  const char *size_labels[4] = { NULL };

  if (!self->has_figure)
    return;

  dialog = gtk_file_chooser_native_new (_("Export Figure"),
                                        GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL,
                                        GTK_FILE_CHOOSER_ACTION_SAVE, _("_Export"), _("_Cancel"));
  gtk_file_chooser_set_current_name (GTK_FILE_CHOOSER (dialog), suggested);
  if (!g_str_equal (format, "csv"))
    {
      custom = g_strdup_printf (_("Custom width (%.0f mm, set in Preferences)"),
                                custom_width_mm (self));
      size_labels[0] = _("Single column (89 mm)");
      size_labels[1] = _("Double column (183 mm)");
      size_labels[2] = custom;
      gtk_file_chooser_add_choice (GTK_FILE_CHOOSER (dialog), "size", _("Size"), sizes,
                                   size_labels);
      gtk_file_chooser_set_choice (GTK_FILE_CHOOSER (dialog), "size",
                                   self->export_width_mm == PB_PLOT_WIDTH_DOUBLE_COLUMN_MM
                                   ? "double" : "single");
    }
  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (dialog), TRUE);
  g_signal_connect (dialog, "response", G_CALLBACK (on_export_chosen_cb), g_object_ref (self));
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (dialog));
}

static void
pb_plot_view_dispose (GObject *object)
{
  pb_plot_view_clear (PB_PLOT_VIEW (object));

  G_OBJECT_CLASS (pb_plot_view_parent_class)->dispose (object);
}

static void
pb_plot_view_finalize (GObject *object)
{
  PbPlotView *self = (PbPlotView *)object;

  g_clear_pointer (&self->export_name, g_free);

  G_OBJECT_CLASS (pb_plot_view_parent_class)->finalize (object);
}

static void
pb_plot_view_get_property (GObject    *object,
                           guint       prop_id,
                           GValue     *value,
                           GParamSpec *pspec)
{
  PbPlotView *self = PB_PLOT_VIEW (object);

  switch (prop_id)
    {
    case PROP_EXPORT_NAME:
      g_value_set_string (value, self->export_name);
      break;

    case PROP_EXPORT_WIDTH_MM:
      g_value_set_double (value, self->export_width_mm);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
pb_plot_view_set_property (GObject      *object,
                           guint         prop_id,
                           const GValue *value,
                           GParamSpec   *pspec)
{
  PbPlotView *self = PB_PLOT_VIEW (object);

  switch (prop_id)
    {
    case PROP_EXPORT_NAME:
      pb_plot_view_set_export_name (self, g_value_get_string (value));
      break;

    case PROP_EXPORT_WIDTH_MM:
      pb_plot_view_set_export_width_mm (self, g_value_get_double (value));
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
pb_plot_view_class_init (PbPlotViewClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = pb_plot_view_dispose;
  object_class->finalize = pb_plot_view_finalize;
  object_class->get_property = pb_plot_view_get_property;
  object_class->set_property = pb_plot_view_set_property;
  widget_class->snapshot = pb_plot_view_snapshot;

  properties [PROP_EXPORT_NAME] =
    g_param_spec_string ("export-name", NULL, NULL, NULL,
                         (G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));
  properties [PROP_EXPORT_WIDTH_MM] =
    g_param_spec_double ("export-width-mm", NULL, NULL, 20.0, 500.0,
                         PB_PLOT_WIDTH_SINGLE_COLUMN_MM,
                         (G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));
  g_object_class_install_properties (object_class, N_PROPS, properties);

  gtk_widget_class_install_action (widget_class, "plot.export", "s", export_action);
  gtk_widget_class_set_css_name (widget_class, "plotview");
}

static void
pb_plot_view_init (PbPlotView *self)
{
  GtkEventController *motion = gtk_event_controller_motion_new ();

  self->export_width_mm = PB_PLOT_WIDTH_SINGLE_COLUMN_MM;
  g_signal_connect (motion, "motion", G_CALLBACK (on_motion_cb), self);
  gtk_widget_add_controller (GTK_WIDGET (self), motion);
  gtk_widget_set_size_request (GTK_WIDGET (self), 240, 160);
  gtk_widget_set_hexpand (GTK_WIDGET (self), TRUE);
  gtk_widget_set_vexpand (GTK_WIDGET (self), TRUE);
}

GtkWidget *
pb_plot_view_new (void)
{
  return g_object_new (PB_TYPE_PLOT_VIEW, NULL);
}

/**
 * pb_plot_view_set_figure:
 * @self: a #PbPlotView
 * @kind: the figure
 * @data: (transfer full): its data struct (see #PbPlotKind)
 * @data_free: frees @data when replaced or when the view goes away
 */
void
pb_plot_view_set_figure (PbPlotView     *self,
                         PbPlotKind      kind,
                         gpointer        data,
                         GDestroyNotify  data_free)
{
  g_return_if_fail (PB_IS_PLOT_VIEW (self));
  g_return_if_fail (data != NULL);

  pb_plot_view_clear (self);
  self->figure.kind = kind;
  self->figure.data = data;
  self->figure.style = NULL;
  self->data = data;
  self->data_free = data_free;
  self->has_figure = TRUE;
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

void
pb_plot_view_clear (PbPlotView *self)
{
  g_return_if_fail (PB_IS_PLOT_VIEW (self));

  if (self->data != NULL && self->data_free != NULL)
    self->data_free (self->data);
  self->data = NULL;
  self->data_free = NULL;
  self->has_figure = FALSE;
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

gboolean
pb_plot_view_has_figure (PbPlotView *self)
{
  g_return_val_if_fail (PB_IS_PLOT_VIEW (self), FALSE);

  return self->has_figure;
}

/**
 * pb_plot_view_export:
 * @self: a #PbPlotView with a figure
 * @path: output file; its suffix picks the format (png, svg, pdf, csv)
 * @width_mm: figure width
 * @height_mm: figure height
 * @dpi: resolution of PNG files
 * @error: return location for an error
 *
 * Returns: %TRUE if the file was written
 */
gboolean
pb_plot_view_export (PbPlotView  *self,
                     const char  *path,
                     double       width_mm,
                     double       height_mm,
                     double       dpi,
                     GError     **error)
{
  g_return_val_if_fail (PB_IS_PLOT_VIEW (self), FALSE);

  if (!self->has_figure)
    {
      g_set_error_literal (error, PB_PLOT_ERROR, PB_PLOT_ERROR_INVALID_ARGUMENT,
                           _("There is no figure to export yet"));
      return FALSE;
    }

  if (g_str_has_suffix (path, ".csv"))
    {
      g_autofree char *csv = pb_plot_figure_to_csv (&self->figure, error);

      return csv != NULL && g_file_set_contents (path, csv, -1, error);
    }

  return pb_plot_figure_export (&self->figure, pb_plot_format_from_path (path), path,
                                pb_plot_mm_to_pt (width_mm), pb_plot_mm_to_pt (height_mm),
                                dpi, error);
}

const char *
pb_plot_view_get_export_name (PbPlotView *self)
{
  g_return_val_if_fail (PB_IS_PLOT_VIEW (self), NULL);

  return self->export_name;
}

void
pb_plot_view_set_export_name (PbPlotView *self,
                              const char *name)
{
  g_return_if_fail (PB_IS_PLOT_VIEW (self));

  if (g_strcmp0 (self->export_name, name) == 0)
    return;

  g_free (self->export_name);
  self->export_name = g_strdup (name);
  g_object_notify_by_pspec (G_OBJECT (self), properties [PROP_EXPORT_NAME]);
}

double
pb_plot_view_get_export_width_mm (PbPlotView *self)
{
  g_return_val_if_fail (PB_IS_PLOT_VIEW (self), 0);

  return self->export_width_mm;
}

void
pb_plot_view_set_export_width_mm (PbPlotView *self,
                                  double      width_mm)
{
  g_return_if_fail (PB_IS_PLOT_VIEW (self));

  if (self->export_width_mm == width_mm)
    return;

  self->export_width_mm = width_mm;
  g_object_notify_by_pspec (G_OBJECT (self), properties [PROP_EXPORT_WIDTH_MM]);
}
