/* pb-source-private.h — pieces shared by the import sources and the cohort writer.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>
#include <libpq-fe.h>

#include "pb-source.h"

G_BEGIN_DECLS

PGconn   *_pb_pg_connect                (const char   *conninfo,
                                         GError      **error);
char     *_pb_pg_dup_description        (PGconn       *conn);
void      _pb_pg_set_error              (GError      **error,
                                         PGconn       *conn,
                                         const char   *what);
gboolean  _pb_pg_message_says           (const char   *message,
                                         const char   *what);
char     *_pb_pg_first_line             (const char   *message);
PQconninfoOption *_pb_pg_parse_conninfo (const char   *conninfo,
                                         GError      **error);

/* What the four queries need from MIMIC-III: checked before importing so that a
 * missing table or column is named instead of failing inside a query. */
typedef enum
{
  PB_SOURCE_COLUMN_INTEGER,
  PB_SOURCE_COLUMN_NUMBER,
  PB_SOURCE_COLUMN_TIMESTAMP,
  PB_SOURCE_COLUMN_TEXT,
} PbSourceColumnClass;

typedef struct
{
  const char          *table;
  const char          *column;
  PbSourceColumnClass  klass;
} PbSourceColumn;

extern const PbSourceColumn _pb_source_columns[];
extern const guint          _pb_source_n_columns;

const char *_pb_source_column_class_name (PbSourceColumnClass klass);
void        _pb_source_set_type_error    (GError           **error,
                                          const char        *schema,
                                          const PbSourceColumn *column,
                                          const char        *found_type);

/* Raw tables: emptied, then filled, inside the caller's transaction. */
gboolean    _pb_source_clear_raw         (sqlite3           *db,
                                          GError           **error);
gboolean    _pb_source_record_import     (sqlite3           *db,
                                          const char        *kind,
                                          const char        *source,
                                          const char        *schema,
                                          const PbImportCounts *counts,
                                          GError           **error);

/* "YYYY-MM-DD HH:MM:SS" of @t, seconds since 1970-01-01 00:00:00 (no time zone) */
void      _pb_format_timestamp          (gint64        t,
                                         char          buf[20]);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (PGconn, PQfinish)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (PGresult, PQclear)

G_END_DECLS
