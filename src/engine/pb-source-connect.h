/* pb-source-connect.h — what an interactive front end needs around an import:
 * probing a PostgreSQL server (and whether it wants a password), a password
 * for one connection only, a synthetic cohort in one call, and the latest
 * import's provenance.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

#include "pb-progress.h"
#include "pb-project.h"
#include "pb-source.h"
#include "pb-synth.h"

G_BEGIN_DECLS

/**
 * PbSourceProbe:
 * @server_version: (nullable): e.g. "15.4", when connected
 * @description: (nullable): "host=… port=… dbname=… user=…", never a password
 * @schema_found: the schema exists in the database
 * @needs_password: the server asked for a password and none was given
 * @password_rejected: a password was given (or found by libpq) and refused
 *
 * What pb_source_probe_postgres() found; the flags are set on failure too.
 */
typedef struct
{
  char     *server_version;
  char     *description;
  gboolean  schema_found;
  gboolean  needs_password;
  gboolean  password_rejected;
} PbSourceProbe;

/**
 * PbImportRecord:
 * @kind: "postgres" or "sqlite"
 * @source: where the data came from (host, database and user; a file; or a
 *   synthetic cohort's size and seed)
 * @schema: the schema read
 * @started_at: ISO 8601 UTC time the import started
 * @seconds: how long it took
 * @counts: rows per raw table
 */
typedef struct
{
  char           *kind;
  char           *source;
  char           *schema;
  char           *started_at;
  double          seconds;
  PbImportCounts  counts;
} PbImportRecord;

void            pb_source_probe_clear            (PbSourceProbe       *probe);
gboolean        pb_source_probe_postgres         (const char          *conninfo,
                                                  const char          *password,
                                                  const char          *schema,
                                                  PbSourceProbe       *probe,
                                                  GError             **error);
char           *pb_source_conninfo_with_password (const char          *conninfo,
                                                  const char          *password,
                                                  GError             **error);
void            pb_source_secret_free            (char                *secret);

gboolean        pb_source_import_synthetic       (PbProject           *project,
                                                  const PbSynthParams *params,
                                                  PbImportCounts      *counts,
                                                  PbProgressFunc       progress,
                                                  gpointer             progress_data,
                                                  GCancellable        *cancellable,
                                                  GError             **error);

PbImportRecord *pb_source_dup_latest_import      (PbProject           *project,
                                                  GError             **error);
void            pb_import_record_free            (PbImportRecord      *record);

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (PbSourceProbe, pb_source_probe_clear)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (PbImportRecord, pb_import_record_free)

G_END_DECLS
