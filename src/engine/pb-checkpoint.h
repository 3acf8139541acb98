/* pb-checkpoint.h — model weights and configurations in safetensors and JSON.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

#include "pb-model.h"
#include "pb-safetensors.h"

G_BEGIN_DECLS

void       pb_checkpoint_write_weights      (PbModel             *model,
                                             PbSafetensors       *st);
gboolean   pb_checkpoint_read_weights       (PbModel             *model,
                                             const PbSafetensors *st,
                                             GError             **error);
gboolean   pb_checkpoint_infer_model_config (const PbSafetensors *st,
                                             PbModelConfig       *config,
                                             GError             **error);
char      *pb_model_config_to_json          (const PbModelConfig *config);
gboolean   pb_model_config_from_json        (const char          *json,
                                             PbModelConfig       *config,
                                             GError             **error);
PbModel   *pb_checkpoint_new_model          (const PbSafetensors *st,
                                             const PbModelConfig *fallback,
                                             GError             **error);

G_END_DECLS
