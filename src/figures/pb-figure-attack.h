/* pb-figure-attack.h — one attacked stay of a stored attack run: original,
 * perturbation and perturbed sequence as three stacked heat maps.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "pb-attack.h"
#include "pb-figure.h"
#include "pb-project.h"

G_BEGIN_DECLS

PbFigure *pb_figure_new_attack_sample  (const PbAttackResult  *result,
                                        const float           *original,
                                        guint                  i,
                                        PbAttackExample        example);
PbFigure *pb_figure_load_attack_sample (PbProject             *project,
                                        gint64                 attack_id,
                                        gint                   sample,
                                        PbAttackExample        example,
                                        GError               **error);

G_END_DECLS
