/* pb-overview-page.c — what the open project holds: file, schema, size, and the
 * row count of every table, read again whenever the page is shown.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "pb-overview-page.h"

#include <glib/gi18n.h>

struct _PbOverviewPage
{
  PbPage      parent_instance;

  AdwActionRow *path_row;
  GtkLabel     *schema_label;
  GtkLabel     *size_label;
  GtkListBox   *contents_list;
};

G_DEFINE_FINAL_TYPE (PbOverviewPage, pb_overview_page, PB_TYPE_PAGE)

static GtkWidget *
make_count_row (const PbProjectTableInfo *info)
{
  GtkWidget *row = adw_action_row_new ();
  g_autofree char *count = g_strdup_printf ("%" G_GINT64_FORMAT, info->n_rows);
  GtkWidget *label = gtk_label_new (count);

  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), info->name);
  gtk_widget_add_css_class (label, "numeric");
  gtk_widget_add_css_class (label, "dim-label");
  adw_action_row_add_suffix (ADW_ACTION_ROW (row), label);

  return row;
}

static void
pb_overview_page_project_changed (PbPage    *page,
                                  PbProject *project)
{
  PbOverviewPage *self = PB_OVERVIEW_PAGE (page);
  g_autoptr(GPtrArray) tables = NULL;
  g_autofree char *schema = NULL;
  g_autofree char *size = NULL;
  GtkWidget *child;

  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self->contents_list))) != NULL)
    gtk_list_box_remove (self->contents_list, child);

  if (project == NULL)
    return;

  adw_action_row_set_subtitle (self->path_row, pb_project_get_path (project));
  schema = g_strdup_printf ("%d", pb_project_get_schema_version (project));
  gtk_label_set_text (self->schema_label, schema);
  size = g_format_size ((guint64) MAX (pb_project_get_file_size (project), 0));
  gtk_label_set_text (self->size_label, size);

  tables = pb_project_list_tables (project, NULL);
  for (guint i = 0; tables != NULL && i < tables->len; i++)
    gtk_list_box_append (self->contents_list, make_count_row (g_ptr_array_index (tables, i)));
}

/* Imports and runs on other pages change the counts: show them afresh. */
static void
on_map_cb (PbOverviewPage *self)
{
  pb_overview_page_project_changed (PB_PAGE (self), pb_page_get_project (PB_PAGE (self)));
}

static void
pb_overview_page_dispose (GObject *object)
{
  gtk_widget_dispose_template (GTK_WIDGET (object), PB_TYPE_OVERVIEW_PAGE);

  G_OBJECT_CLASS (pb_overview_page_parent_class)->dispose (object);
}

static void
pb_overview_page_class_init (PbOverviewPageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  PbPageClass *page_class = PB_PAGE_CLASS (klass);

  object_class->dispose = pb_overview_page_dispose;
  page_class->project_changed = pb_overview_page_project_changed;

  gtk_widget_class_set_template_from_resource (widget_class,
                                               RESOURCE_PREFIX "/ui/pb-overview-page.ui");
  gtk_widget_class_bind_template_child (widget_class, PbOverviewPage, path_row);
  gtk_widget_class_bind_template_child (widget_class, PbOverviewPage, schema_label);
  gtk_widget_class_bind_template_child (widget_class, PbOverviewPage, size_label);
  gtk_widget_class_bind_template_child (widget_class, PbOverviewPage, contents_list);
}

static void
pb_overview_page_init (PbOverviewPage *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  g_signal_connect (self, "map", G_CALLBACK (on_map_cb), NULL);
}

PbPage *
pb_overview_page_new (void)
{
  return g_object_new (PB_TYPE_OVERVIEW_PAGE, NULL);
}
