/* pb-figure-dataset.h — one sequence of a stored dataset as a feature × hour
 * heat map (the Preprocess page's preview).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "pb-dataset.h"
#include "pb-figure.h"
#include "pb-project.h"

G_BEGIN_DECLS

PbFigure *pb_figure_new_sequence  (const PbDataset  *dataset,
                                   guint             i);
PbFigure *pb_figure_load_sequence (PbProject        *project,
                                   const char       *dataset_name,
                                   guint             i,
                                   GError          **error);

G_END_DECLS
