/* pb-cli-target.h — which model and which data `perturb attribute` and
 * `perturb fgsm` run on.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

#include "pb-cli-data.h"

G_BEGIN_DECLS

/**
 * PbCliTarget:
 *
 * The options shared by the analysis commands. The model comes from one of
 * --checkpoint ID (a row of the `checkpoints` table), --run RUN [--epoch E], or
 * --weights FILE.safetensors [--config JSON] (also spelt --model, as in
 * `perturb evaluate`). The data is --dataset NAME, --fashion-mnist, or by
 * default the held-out set of the checkpoint's run, rebuilt as training built it.
 */
typedef struct
{
  gint64    checkpoint_id;
  gint64    run_id;
  gint      epoch;
  char     *weights;
  char     *config;
  char     *act_lstm;
  char     *act_fc;
  char     *protocol;
  char     *dataset;
  gboolean  fashion;
  char     *fashion_dir;
  gboolean  train_split;
  gint      limit;
} PbCliTarget;

/* an element of pb_cli_target_list_checkpoints() */
typedef struct
{
  gint64 checkpoint_id;
  gint   epoch;
} PbCliCheckpoint;

GOptionGroup *pb_cli_target_get_group   (PbCliTarget   *target);
void          pb_cli_target_clear       (PbCliTarget   *target);
const char   *pb_cli_target_check       (PbCliTarget   *target);
int           pb_cli_target_parse       (PbCliTarget   *target,
                                         GOptionContext *context,
                                         const char    *command,
                                         int           *argc,
                                         char        ***argv);
gboolean      pb_cli_target_open        (PbCliTarget   *target,
                                         const char    *path,
                                         PbProject    **project,
                                         PbModel      **model,
                                         char         **source,
                                         PbDataset    **dataset,
                                         char         **data_name,
                                         GError       **error);
PbModel      *pb_cli_target_load_model  (PbCliTarget   *target,
                                         PbProject     *project,
                                         char         **source,
                                         GError       **error);
PbDataset    *pb_cli_target_load_data   (PbCliTarget   *target,
                                         PbProject     *project,
                                         char         **name,
                                         GError       **error);
GArray       *pb_cli_target_list_checkpoints (PbProject *project,
                                         gint64         run_id,
                                         GError       **error);

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (PbCliTarget, pb_cli_target_clear)

G_END_DECLS
