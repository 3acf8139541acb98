/* pb-project-private.h — the numbered schema migrations of the project store.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

/**
 * PbMigration:
 * @version: schema version this migration produces (1, 2, 3… contiguous)
 * @name: short description, recorded in the `schema_migrations` table
 * @sql: statements run inside the migration's transaction
 *
 * Migrations are append-only: once one has shipped its SQL never changes; a
 * later change to the schema is a new migration.
 */
typedef struct
{
  int         version;
  const char *name;
  const char *sql;
} PbMigration;

const PbMigration *_pb_project_get_migrations (guint *n_migrations);

G_END_DECLS
