/* pb-error.h — the engine's GError domain.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define PB_ENGINE_ERROR (pb_engine_error_quark ())

/**
 * PbEngineError:
 * @PB_ENGINE_ERROR_FAILED: an operation failed for a reason not listed below
 * @PB_ENGINE_ERROR_NOT_FOUND: a file, table, row or object does not exist
 * @PB_ENGINE_ERROR_EXISTS: the target of a create already exists
 * @PB_ENGINE_ERROR_NOT_A_PROJECT: the file is not a Perturb project (or not SQLite)
 * @PB_ENGINE_ERROR_CORRUPT: a file failed an integrity check or is malformed
 * @PB_ENGINE_ERROR_SCHEMA_TOO_NEW: a project was written by a newer Perturb
 * @PB_ENGINE_ERROR_READ_ONLY: the location cannot be written
 * @PB_ENGINE_ERROR_LOCKED: another process holds the write lock
 * @PB_ENGINE_ERROR_INVALID_ARGUMENT: a parameter or a user entry is out of range
 * @PB_ENGINE_ERROR_INVALID_DATA: input data is unusable (NaN, empty, wrong shape…)
 * @PB_ENGINE_ERROR_DATABASE: a database (SQLite or PostgreSQL) reported an error
 * @PB_ENGINE_ERROR_CONNECTION: a database server could not be reached or refused us
 * @PB_ENGINE_ERROR_UNSUPPORTED: the operation is not available in this build/machine
 */
typedef enum
{
  PB_ENGINE_ERROR_FAILED,
  PB_ENGINE_ERROR_NOT_FOUND,
  PB_ENGINE_ERROR_EXISTS,
  PB_ENGINE_ERROR_NOT_A_PROJECT,
  PB_ENGINE_ERROR_CORRUPT,
  PB_ENGINE_ERROR_SCHEMA_TOO_NEW,
  PB_ENGINE_ERROR_READ_ONLY,
  PB_ENGINE_ERROR_LOCKED,
  PB_ENGINE_ERROR_INVALID_ARGUMENT,
  PB_ENGINE_ERROR_INVALID_DATA,
  PB_ENGINE_ERROR_DATABASE,
  PB_ENGINE_ERROR_CONNECTION,
  PB_ENGINE_ERROR_UNSUPPORTED,
} PbEngineError;

GQuark pb_engine_error_quark (void);

G_END_DECLS
