/* pb-synth-private.h — the cohort generator and the sinks that store its rows.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "pb-synth.h"

G_BEGIN_DECLS

typedef enum
{
  SYNTH_NULL,
  SYNTH_INT,
  SYNTH_REAL,
  SYNTH_TEXT,
  SYNTH_TIME,     /* i = seconds since 1970-01-01 00:00:00 */
} SynthKind;

typedef struct
{
  SynthKind   kind;
  gint64      i;
  double      d;
  const char *s;
} SynthValue;

typedef struct
{
  const char *name;
  const char *sqlite_type;
  const char *pg_type;
} SynthColumn;

typedef struct
{
  const char        *name;
  const SynthColumn *columns;
  guint              n_columns;
  const char        *index;     /* (nullable) columns of an index built after loading */
} SynthTable;

typedef struct _SynthSink SynthSink;

struct _SynthSink
{
  gboolean (*begin) (SynthSink        *sink,
                     const SynthTable *table,
                     GError          **error);
  gboolean (*row)   (SynthSink        *sink,
                     const SynthValue *values,
                     GError          **error);
  gboolean (*end)   (SynthSink        *sink,
                     GError          **error);
  const PbSynthParams *params;
};

extern const SynthTable _pb_synth_tables[];
extern const guint      _pb_synth_n_tables;

gboolean _pb_synth_run (const PbSynthParams  *params,
                        SynthSink            *sink,
                        PbSynthCounts        *counts,
                        PbProgressFunc        progress,
                        gpointer              progress_data,
                        GCancellable         *cancellable,
                        GError              **error);

G_END_DECLS
