/* pb-text-table.h — rows of text for a GtkColumnView: one item per row, one
 * label per column, filled by index.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

#define PB_TYPE_TEXT_ROW (pb_text_row_get_type ())
G_DECLARE_FINAL_TYPE (PbTextRow, pb_text_row, PB, TEXT_ROW, GObject)

PbTextRow  *pb_text_row_new               (const char * const *texts);
PbTextRow  *pb_text_row_new_take          (char              **texts);
const char *pb_text_row_get_text          (PbTextRow          *self,
                                           guint               column);
guint       pb_text_row_get_n_columns     (PbTextRow          *self);

void        pb_text_table_add_column      (GtkColumnView      *view,
                                           const char         *title,
                                           guint               column,
                                           gboolean            numeric,
                                           gboolean            expand);

G_END_DECLS
