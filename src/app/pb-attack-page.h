/* pb-attack-page.h — the Attack page: a checkpoint, the attack's parameters,
 * start / cancel / resume, and a browser of the attacked stays with the
 * original, perturbation and perturbed heat maps of the selected one.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "pb-job.h"
#include "pb-page.h"

G_BEGIN_DECLS

#define PB_TYPE_ATTACK_PAGE (pb_attack_page_get_type ())
G_DECLARE_FINAL_TYPE (PbAttackPage, pb_attack_page, PB, ATTACK_PAGE, PbPage)

PbPage     *pb_attack_page_new             (void);
PbJob      *pb_attack_page_get_job         (PbAttackPage *self);
PbJob      *pb_attack_page_get_load_job    (PbAttackPage *self);
GListModel *pb_attack_page_get_samples     (PbAttackPage *self);
gint64      pb_attack_page_get_run_id      (PbAttackPage *self);

G_END_DECLS
