/* pb-project-migrations.c — the project store's schema, one numbered step at a time.
 *
 * Each step runs in the same transaction as the bump of PRAGMA user_version, so a
 * project is always at exactly one version. Append new steps at the end; never edit
 * one that has shipped.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "pb-project-private.h"

static const PbMigration migrations[] = {
  {
    1, "core: metadata and migration log",
    "CREATE TABLE metadata ("
    "  key   TEXT PRIMARY KEY NOT NULL,"
    "  value TEXT NOT NULL"
    ");"
    "CREATE TABLE schema_migrations ("
    "  version    INTEGER PRIMARY KEY NOT NULL,"
    "  name       TEXT NOT NULL,"
    "  applied_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))"
    ");"
  },
  {
    2, "datasets: preprocessed sequences",
    "CREATE TABLE datasets ("
    "  dataset_id    INTEGER PRIMARY KEY,"
    "  name          TEXT NOT NULL UNIQUE,"
    "  created_at    TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),"
    "  n_sequences   INTEGER NOT NULL CHECK (n_sequences >= 0),"
    "  max_length    INTEGER NOT NULL CHECK (max_length > 0),"
    "  n_features    INTEGER NOT NULL CHECK (n_features > 0),"
    "  n_classes     INTEGER NOT NULL CHECK (n_classes >= 2),"
    "  feature_names TEXT NOT NULL DEFAULT '[]',"  /* JSON array */
    "  params        TEXT NOT NULL DEFAULT '{}'"   /* JSON: how it was made */
    ");"
    /* x: length × n_features float32, little-endian, row-major (t, f) */
    "CREATE TABLE dataset_sequences ("
    "  dataset_id INTEGER NOT NULL REFERENCES datasets (dataset_id) ON DELETE CASCADE,"
    "  idx        INTEGER NOT NULL,"
    "  sample_id  INTEGER NOT NULL,"
    "  length     INTEGER NOT NULL,"
    "  label      INTEGER NOT NULL,"
    "  x          BLOB NOT NULL,"
    "  PRIMARY KEY (dataset_id, idx)"
    ") WITHOUT ROWID;"
  },
};

const PbMigration *
_pb_project_get_migrations (guint *n_migrations)
{
  *n_migrations = G_N_ELEMENTS (migrations);
  return migrations;
}
