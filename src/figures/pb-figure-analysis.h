/* pb-figure-analysis.h — the Analysis page's figures of a stored attack run:
 * the susceptibility map of a condition, the sparsity histogram of first vs
 * best examples and the success rate per original class.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "pb-attack.h"
#include "pb-figure.h"
#include "pb-project.h"
#include "pb-susceptibility.h"

G_BEGIN_DECLS

/**
 * PbFigureMap:
 * @PB_FIGURE_MAP_GPP: perturbation probability
 * @PB_FIGURE_MAP_GANZP: mean perturbation magnitude when not zero
 * @PB_FIGURE_MAP_GMP: maximum perturbation magnitude
 * @PB_FIGURE_MAP_S: susceptibility
 * @PB_FIGURE_MAP_SENSITIVITY: sensitivity
 *
 * Which matrix of a #PbSusceptibility a susceptibility figure shows (the
 * Analysis page's choices, in its order).
 */
typedef enum
{
  PB_FIGURE_MAP_GPP,
  PB_FIGURE_MAP_GANZP,
  PB_FIGURE_MAP_GMP,
  PB_FIGURE_MAP_S,
  PB_FIGURE_MAP_SENSITIVITY,
} PbFigureMap;

const char *pb_figure_map_to_string      (PbFigureMap               map);
gboolean    pb_figure_map_from_string    (const char               *name,
                                          PbFigureMap              *map,
                                          GError                  **error);

PbFigure   *pb_figure_new_susceptibility (const PbAttackResult     *result,
                                          const PbAttackCondition  *condition,
                                          const PbSusceptibility   *susceptibility,
                                          PbFigureMap               map);
PbFigure   *pb_figure_new_sparsity       (const PbAttackResult     *result,
                                          const PbAttackCondition  *condition);
PbFigure   *pb_figure_new_success        (const PbAttackResult     *result);
PbFigure   *pb_figure_load_analysis      (PbProject                *project,
                                          PbPlotKind                kind,
                                          gint64                    attack_id,
                                          PbAttackExample           example,
                                          gint                      orig_label,
                                          gboolean                  all_lengths,
                                          PbFigureMap               map,
                                          GError                  **error);

G_END_DECLS
