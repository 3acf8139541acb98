/* pb-synth.h — a seeded synthetic cohort with MIMIC-III's shape.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

#include "pb-progress.h"

G_BEGIN_DECLS

/* ICU stays of MIMIC-III v1.4 (the real cohort's size, for --stays) */
#define PB_SYNTH_MIMIC_STAYS 61532

/**
 * PbSynthParams:
 * @n_stays: ICU stays to generate (the cohort stops after exactly this many)
 * @seed: the seed; the same seed and @n_stays give the same rows
 * @schema: (nullable): PostgreSQL schema to create, default "mimiciii"
 *
 * Defaults come from pb_synth_params_init().
 */
typedef struct
{
  guint        n_stays;
  guint64      seed;
  const char  *schema;
} PbSynthParams;

/**
 * PbSynthCounts:
 *
 * Rows written per table.
 */
typedef struct
{
  gint64 patients;
  gint64 admissions;
  gint64 icustays;
  gint64 chartevents;
  gint64 labevents;
  gint64 d_items;
  gint64 d_labitems;
} PbSynthCounts;

void     pb_synth_params_init      (PbSynthParams        *params);

gboolean pb_synth_write_sqlite     (const PbSynthParams  *params,
                                    const char           *path,
                                    PbSynthCounts        *counts,
                                    PbProgressFunc        progress,
                                    gpointer              progress_data,
                                    GCancellable         *cancellable,
                                    GError              **error);

gboolean pb_synth_write_postgres   (const PbSynthParams  *params,
                                    const char           *conninfo,
                                    PbSynthCounts        *counts,
                                    PbProgressFunc        progress,
                                    gpointer              progress_data,
                                    GCancellable         *cancellable,
                                    GError              **error);

G_END_DECLS
