/* pb-sampler.h — weighted sampling with replacement (torch WeightedRandomSampler)
 * and stratified folds (sklearn StratifiedKFold).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

#include "pb-rng.h"

G_BEGIN_DECLS

typedef struct _PbSampler PbSampler;

PbSampler *pb_sampler_new_weighted        (const double  *weights,
                                           gsize          n,
                                           gsize          num_samples,
                                           GError       **error);
PbSampler *pb_sampler_new_class_balanced  (const gint    *labels,
                                           gsize          n,
                                           GError       **error);
void       pb_sampler_free                (PbSampler     *self);
gsize      pb_sampler_get_num_samples     (PbSampler     *self);
void       pb_sampler_draw                (PbSampler     *self,
                                           PbRng         *rng,
                                           guint         *indices);

gboolean   pb_stratified_kfold            (const gint    *labels,
                                           gsize          n,
                                           guint          n_splits,
                                           gboolean       shuffle,
                                           PbRng         *rng,
                                           guint         *fold_of_sample,
                                           GError       **error);
gboolean   pb_stratified_split            (const gint    *labels,
                                           gsize          n,
                                           double         test_fraction,
                                           PbRng         *rng,
                                           gboolean      *is_test,
                                           GError       **error);
guint     *pb_indices_where               (const guint   *values,
                                           gsize          n,
                                           guint          value,
                                           gboolean       equal,
                                           guint         *n_out);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (PbSampler, pb_sampler_free)

G_END_DECLS
