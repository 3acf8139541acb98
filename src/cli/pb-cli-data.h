/* pb-cli-data.h — where `perturb train` and `perturb evaluate` get their data
 * and models from.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

#include "pb-cli.h"
#include "pb-checkpoint.h"
#include "pb-fashion-mnist.h"
#include "pb-train.h"

G_BEGIN_DECLS

/**
 * PbCliDataSpec:
 * @dataset: name of a dataset in the project (or %NULL with @fashion_mnist)
 * @valid_dataset: (nullable): a separate held-out dataset
 * @valid_fraction: without @valid_dataset, the stratified share of @dataset
 *   held out (seeded by the run's seed)
 * @fashion_mnist: use Debian's Fashion-MNIST: train split for training, test
 *   split held out
 * @fashion_dir: (nullable): where its files are
 * @limit: first images of the train split (0 = all)
 * @valid_limit: first images of the test split (0 = all)
 *
 * Stored as JSON in the run's `dataset` column so that `--resume` rebuilds
 * exactly the same training and held-out sets.
 */
typedef struct
{
  char     *dataset;
  char     *valid_dataset;
  double    valid_fraction;
  gboolean  fashion_mnist;
  char     *fashion_dir;
  guint     limit;
  guint     valid_limit;
} PbCliDataSpec;

void      pb_cli_data_spec_clear     (PbCliDataSpec       *spec);
char     *pb_cli_data_spec_to_json   (const PbCliDataSpec *spec);
gboolean  pb_cli_data_spec_from_json (PbCliDataSpec       *spec,
                                      const char          *json,
                                      GError             **error);
gboolean  pb_cli_data_spec_load      (const PbCliDataSpec *spec,
                                      PbProject           *project,
                                      guint64              seed,
                                      PbDataset          **train,
                                      PbDataset          **valid,
                                      GError             **error);
void      pb_cli_print_metrics       (const PbMetrics     *metrics,
                                      gboolean             json);
PbModel  *pb_cli_load_model          (PbProject           *project,
                                      gint64               run_id,
                                      gint                 epoch,
                                      const char          *path,
                                      const PbModelConfig *fallback,
                                      GError             **error);
gboolean  pb_cli_parse_model_overrides (PbModelConfig     *config,
                                      const char          *act_lstm,
                                      const char          *act_fc,
                                      const char          *protocol,
                                      GError             **error);

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (PbCliDataSpec, pb_cli_data_spec_clear)

G_END_DECLS
