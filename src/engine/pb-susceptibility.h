/* pb-susceptibility.h — where a model is susceptible: analyses of an attack (SPEC.md §9).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

#include "pb-attack.h"

G_BEGIN_DECLS

/**
 * PbAttackCondition:
 * @kind: first or best examples
 * @orig_label: only samples of this original class (0: "0 → 1 attack"), −1 = all
 * @seq_length: only samples of this length, 0 = any (the reference's plots use 48)
 * @min_num_perts: only examples with at least this many non-zero elements
 * @max_num_perts: … and at most this many, 0 = no bound
 *
 * A subset of the successful examples (SPEC.md §9.2).
 */
typedef struct
{
  PbAttackExample kind;
  gint            orig_label;
  guint           seq_length;
  guint           min_num_perts;
  guint           max_num_perts;
} PbAttackCondition;

/**
 * PbSusceptibility:
 * @n_steps: T, rows of every matrix (hour i)
 * @n_features: F, columns (feature j)
 * @n_examples: N, examples in the condition
 * @gmp: (T, F) max_n |P_n[i,j]|
 * @gpp: (T, F) #{n : P_n[i,j] ≠ 0} / N
 * @ganzp: (T, F) mean of the non-zero |P_n[i,j]|, 0 where there is none
 * @s: (T, F) gmp · gpp (Sun et al.'s susceptibility)
 * @sensitivity: (T, F) gpp / ganzp, 0 where ganzp is 0
 * @s_j: (F) Σ_i s
 * @sensitivity_j: (F) Σ_i sensitivity
 * @gpp_j: (F) Σ_i gpp (expected perturbed hours of the feature per example)
 *
 * The per-feature × per-hour metrics of SPEC.md §9.3. With N = 0 every value
 * is 0. Matrices are row-major (hour, feature), as the sample matrices are.
 */
typedef struct
{
  guint   n_steps;
  guint   n_features;
  guint   n_examples;
  double *gmp;
  double *gpp;
  double *ganzp;
  double *s;
  double *sensitivity;
  double *s_j;
  double *sensitivity_j;
  double *gpp_j;
} PbSusceptibility;

/**
 * PbTable:
 * @n_rows: rows
 * @n_cols: columns
 * @col_names: (n_cols) column names
 * @values: (n_rows, n_cols) row-major; integers and booleans as doubles
 *
 * Plain tabular data for figures, the app and CSV.
 */
typedef struct
{
  guint    n_rows;
  guint    n_cols;
  char   **col_names;
  double  *values;
} PbTable;

void              pb_attack_condition_init         (PbAttackCondition       *cond,
                                                    PbAttackExample          kind,
                                                    gint                     orig_label);
gboolean          pb_attack_condition_matches      (const PbAttackCondition *cond,
                                                    const PbAttackResult    *result,
                                                    guint                    i);

PbSusceptibility *pb_susceptibility_compute        (const PbAttackResult    *result,
                                                    const PbAttackCondition *cond);
void              pb_susceptibility_free           (PbSusceptibility        *self);
guint            *pb_susceptibility_rank_features  (const PbSusceptibility  *self,
                                                    const double            *per_feature);
PbTable          *pb_susceptibility_to_table       (const PbSusceptibility  *self,
                                                    const double            *matrix,
                                                    const char * const      *feature_names);

PbTable          *pb_table_new                     (guint                    n_rows,
                                                    guint                    n_cols,
                                                    const char * const      *col_names);
void              pb_table_free                    (PbTable                 *table);
gint              pb_table_lookup_column           (const PbTable           *table,
                                                    const char              *name);
double           *pb_table_dup_column              (const PbTable           *table,
                                                    const char              *name,
                                                    guint                   *n);
char             *pb_table_to_csv                  (const PbTable           *table);
gboolean          pb_table_write_csv               (const PbTable           *table,
                                                    const char              *path,
                                                    GError                 **error);

PbTable          *pb_attack_summary_table          (const PbAttackResult    *result,
                                                    PbAttackExample          kind);
PbTable          *pb_attack_all_attacks_table      (const PbAttackResult    *result);
PbTable          *pb_attack_success_table          (const PbAttackResult    *result);
PbTable          *pb_attack_feature_table          (const PbAttackResult    *result,
                                                    PbAttackExample          kind,
                                                    guint                    seq_length);
guint64          *pb_histogram_count               (const double            *values,
                                                    guint                    n,
                                                    guint                    n_bins,
                                                    double                   lo,
                                                    double                   hi);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (PbSusceptibility, pb_susceptibility_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (PbTable, pb_table_free)

G_END_DECLS
