/* pb-figure-load.h — any figure the workbench shows, from a project's stored
 * data: which source each figure kind is drawn from, and one entry point.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "pb-attack.h"
#include "pb-figure.h"
#include "pb-figure-analysis.h"
#include "pb-figure-run.h"
#include "pb-project.h"

G_BEGIN_DECLS

/**
 * PbFigureSourceType:
 * @PB_FIGURE_SOURCE_NONE: none given
 * @PB_FIGURE_SOURCE_RUN: a training run (@id)
 * @PB_FIGURE_SOURCE_CV: a cross-validation (@id)
 * @PB_FIGURE_SOURCE_STUDY: a tuning study (@name: its name or number)
 * @PB_FIGURE_SOURCE_ATTACK: an attack run (@id)
 * @PB_FIGURE_SOURCE_DATASET: a dataset (@name)
 * @PB_FIGURE_SOURCE_ATTRIBUTION: a stored attribution (@id)
 * @PB_FIGURE_SOURCE_FGSM: a stored FGSM robustness curve (@id)
 */
typedef enum
{
  PB_FIGURE_SOURCE_NONE,
  PB_FIGURE_SOURCE_RUN,
  PB_FIGURE_SOURCE_CV,
  PB_FIGURE_SOURCE_STUDY,
  PB_FIGURE_SOURCE_ATTACK,
  PB_FIGURE_SOURCE_DATASET,
  PB_FIGURE_SOURCE_ATTRIBUTION,
  PB_FIGURE_SOURCE_FGSM,
} PbFigureSourceType;

#define PB_FIGURE_N_SOURCE_TYPES (PB_FIGURE_SOURCE_FGSM + 1)

/**
 * PbFigureSource:
 * @type: what the figure is drawn from
 * @id: the run, cross-validation, attack run, attribution or FGSM curve
 * @name: (nullable): the study (name or number) or the dataset
 * @storage: (nullable): where a study lives; %NULL for the project file
 * @sample: the attacked stay (attack) or sequence (dataset); −1 for the
 *   default (the first stay with an adversarial example; sequence 0)
 * @example: first or best adversarial examples (attack)
 * @orig_label: original class 0 (the 0 → 1 attack) or 1 (attack)
 * @all_lengths: susceptibility and sparsity over stays of every length, not
 *   only full-length ones (attack)
 * @curve: loss or AUC (run, cv)
 * @map: which susceptibility matrix (attack)
 *
 * Initialise with pb_figure_source_init(); strings are borrowed.
 */
typedef struct
{
  PbFigureSourceType  type;
  gint64              id;
  const char         *name;
  const char         *storage;
  gint                sample;
  PbAttackExample     example;
  gint                orig_label;
  gboolean            all_lengths;
  PbFigureCurve       curve;
  PbFigureMap         map;
} PbFigureSource;

void        pb_figure_source_init            (PbFigureSource        *source);
const char *pb_figure_source_type_to_string  (PbFigureSourceType     type);
gboolean    pb_figure_kind_accepts_source    (PbPlotKind             kind,
                                              PbFigureSourceType     type);
PbFigure   *pb_figure_load                   (PbProject             *project,
                                              PbPlotKind             kind,
                                              const PbFigureSource  *source,
                                              GError               **error);

G_END_DECLS
