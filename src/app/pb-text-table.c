/* pb-text-table.c — rows of text for a GtkColumnView (trial tables, result
 * tables): a row is a GObject holding one string per column; a column is a
 * label factory that shows the string at its index.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "pb-text-table.h"

struct _PbTextRow
{
  GObject   parent_instance;

  char    **texts;
};

G_DEFINE_FINAL_TYPE (PbTextRow, pb_text_row, G_TYPE_OBJECT)

static void
pb_text_row_finalize (GObject *object)
{
  PbTextRow *self = (PbTextRow *)object;

  g_strfreev (self->texts);

  G_OBJECT_CLASS (pb_text_row_parent_class)->finalize (object);
}

static void
pb_text_row_class_init (PbTextRowClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = pb_text_row_finalize;
}

static void
pb_text_row_init (PbTextRow *self)
{
}

/**
 * pb_text_row_new:
 * @texts: (array zero-terminated=1): one string per column
 */
PbTextRow *
pb_text_row_new (const char * const *texts)
{
  return pb_text_row_new_take (g_strdupv ((char **) texts));
}

/**
 * pb_text_row_new_take:
 * @texts: (transfer full) (array zero-terminated=1): one string per column
 */
PbTextRow *
pb_text_row_new_take (char **texts)
{
  PbTextRow *self = g_object_new (PB_TYPE_TEXT_ROW, NULL);

  self->texts = texts != NULL ? texts : g_new0 (char *, 1);
  return self;
}

/**
 * pb_text_row_get_text:
 *
 * Returns: the text of @column, "" past the last one
 */
const char *
pb_text_row_get_text (PbTextRow *self,
                      guint      column)
{
  g_return_val_if_fail (PB_IS_TEXT_ROW (self), NULL);

  return column < g_strv_length (self->texts) ? self->texts[column] : "";
}

guint
pb_text_row_get_n_columns (PbTextRow *self)
{
  g_return_val_if_fail (PB_IS_TEXT_ROW (self), 0);

  return g_strv_length (self->texts);
}

/* The cell's text as its tooltip, asked for only when the pointer rests on it. */
static gboolean
query_tooltip_cb (GtkWidget  *label,
                  int         x,
                  int         y,
                  gboolean    keyboard_mode,
                  GtkTooltip *tooltip,
                  gpointer    user_data)
{
  const char *text = gtk_label_get_text (GTK_LABEL (label));

  if (text == NULL || *text == '\0')
    return FALSE;
  gtk_tooltip_set_text (tooltip, text);
  return TRUE;
}

static void
setup_cb (GtkSignalListItemFactory *factory,
          GtkListItem              *item,
          gpointer                  user_data)
{
  GtkWidget *label = gtk_label_new (NULL);
  gboolean numeric = GPOINTER_TO_INT (g_object_get_data (G_OBJECT (factory), "numeric"));

  /* numbers are never cut short; text is, with the whole of it as tooltip */
  gtk_label_set_xalign (GTK_LABEL (label), numeric ? 1.0f : 0.0f);
  if (numeric)
    gtk_widget_add_css_class (label, "numeric");
  else
    gtk_label_set_ellipsize (GTK_LABEL (label), PANGO_ELLIPSIZE_END);
  gtk_widget_set_has_tooltip (label, TRUE);
  g_signal_connect (label, "query-tooltip", G_CALLBACK (query_tooltip_cb), NULL);
  gtk_list_item_set_child (item, label);
}

static void
bind_cb (GtkSignalListItemFactory *factory,
         GtkListItem              *item,
         gpointer                  user_data)
{
  PbTextRow *row = PB_TEXT_ROW (gtk_list_item_get_item (item));
  GtkWidget *label = gtk_list_item_get_child (item);
  const char *text = pb_text_row_get_text (row, GPOINTER_TO_UINT (user_data));

  /* no gtk_widget_set_tooltip_text () here: on X11 it asks the server where
   * the pointer is, a round trip per cell, and tables rebind every cell on
   * each progress report of a job (the Tune page: 100+ ms main-loop stalls) */
  gtk_label_set_text (GTK_LABEL (label), text);
}

/**
 * pb_text_table_add_column:
 * @view: a column view whose model holds #PbTextRow items
 * @column: which text of the rows this column shows
 * @numeric: right-aligned, tabular figures
 * @expand: the column takes the spare width
 */
void
pb_text_table_add_column (GtkColumnView *view,
                          const char    *title,
                          guint          column,
                          gboolean       numeric,
                          gboolean       expand)
{
  g_autoptr(GtkColumnViewColumn) col = NULL;
  GtkListItemFactory *factory = gtk_signal_list_item_factory_new ();

  g_return_if_fail (GTK_IS_COLUMN_VIEW (view));

  g_object_set_data (G_OBJECT (factory), "numeric", GINT_TO_POINTER (numeric));
  g_signal_connect (factory, "setup", G_CALLBACK (setup_cb), NULL);
  g_signal_connect (factory, "bind", G_CALLBACK (bind_cb), GUINT_TO_POINTER (column));

  col = gtk_column_view_column_new (title, factory);
  gtk_column_view_column_set_expand (col, expand);
  gtk_column_view_column_set_resizable (col, TRUE);
  gtk_column_view_append_column (view, col);
}
