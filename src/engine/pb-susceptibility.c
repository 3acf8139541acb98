/* pb-susceptibility.c — susceptibility matrices, summary tables and histograms.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * T = steps (hours), F = features, N = examples in a condition. Only samples whose
 * batch has been attacked (iterations_run > 0) take part anywhere.
 */

#include "config.h"

#include "pb-susceptibility.h"

#include "pb-error.h"

#include <math.h>
#include <string.h>

/* ---- conditions ----------------------------------------------------------- */

/**
 * pb_attack_condition_init:
 * @cond: (out): the condition
 * @kind: first or best
 * @orig_label: a class, or −1 for all
 *
 * Any length, any number of perturbed elements.
 */
void
pb_attack_condition_init (PbAttackCondition *cond,
                          PbAttackExample    kind,
                          gint               orig_label)
{
  memset (cond, 0, sizeof *cond);
  cond->kind = kind;
  cond->orig_label = orig_label;
}

/**
 * pb_attack_condition_matches:
 *
 * Returns: whether sample @i was attacked, successfully, and its example of
 *   @cond->kind falls in @cond
 */
gboolean
pb_attack_condition_matches (const PbAttackCondition *cond,
                             const PbAttackResult    *result,
                             guint                    i)
{
  const PbAttackExampleData *e = &result->examples[cond->kind][i];

  return result->iterations_run[i] > 0 && e->iteration >= 0 &&
         (cond->orig_label < 0 || result->labels[i] == cond->orig_label) &&
         (cond->seq_length == 0 || result->lengths[i] == cond->seq_length) &&
         e->n_nonzero >= cond->min_num_perts &&
         (cond->max_num_perts == 0 || e->n_nonzero <= cond->max_num_perts);
}

/* ---- susceptibility ------------------------------------------------------- */

/**
 * pb_susceptibility_compute:
 * @result: an attack's results
 * @cond: which examples
 *
 * Returns: (transfer full): the metrics of SPEC.md §9.3 over the examples in @cond
 */
PbSusceptibility *
pb_susceptibility_compute (const PbAttackResult    *result,
                           const PbAttackCondition *cond)
{
  const guint T = result->max_len, F = result->n_features;
  const gsize n_cells = (gsize) T * F;
  PbSusceptibility *self = g_new0 (PbSusceptibility, 1);
  g_autofree guint *count = g_new0 (guint, n_cells);
  g_autofree double *abs_sum = g_new0 (double, n_cells);

  self->n_steps = T;
  self->n_features = F;
  self->gmp = g_new0 (double, n_cells);
  self->gpp = g_new0 (double, n_cells);
  self->ganzp = g_new0 (double, n_cells);
  self->s = g_new0 (double, n_cells);
  self->sensitivity = g_new0 (double, n_cells);
  self->s_j = g_new0 (double, F);
  self->sensitivity_j = g_new0 (double, F);
  self->gpp_j = g_new0 (double, F);

  for (guint i = 0; i < result->n; i++)
    {
      const PbAttackExampleData *e = &result->examples[cond->kind][i];

      if (!pb_attack_condition_matches (cond, result, i))
        continue;
      self->n_examples++;
      for (guint k = 0; k < e->n_nonzero; k++)
        {
          double a = fabs ((double) e->value[k]);
          guint c = e->index[k];

          count[c]++;
          abs_sum[c] += a;
          self->gmp[c] = MAX (self->gmp[c], a);
        }
    }

  if (self->n_examples == 0)
    return self;

  for (gsize c = 0; c < n_cells; c++)
    {
      guint j = c % F;

      self->gpp[c] = (double) count[c] / self->n_examples;
      self->ganzp[c] = count[c] > 0 ? abs_sum[c] / count[c] : 0.0;
      self->s[c] = self->gmp[c] * self->gpp[c];
      self->sensitivity[c] = self->ganzp[c] > 0.0 ? self->gpp[c] / self->ganzp[c] : 0.0;
      self->s_j[j] += self->s[c];
      self->sensitivity_j[j] += self->sensitivity[c];
      self->gpp_j[j] += self->gpp[c];
    }
  return self;
}

void
pb_susceptibility_free (PbSusceptibility *self)
{
  if (self == NULL)
    return;
  g_free (self->gmp);
  g_free (self->gpp);
  g_free (self->ganzp);
  g_free (self->s);
  g_free (self->sensitivity);
  g_free (self->s_j);
  g_free (self->sensitivity_j);
  g_free (self->gpp_j);
  g_free (self);
}

/**
 * pb_susceptibility_rank_features:
 * @self: metrics
 * @per_feature: (F) e.g. @self->s_j
 *
 * Returns: (transfer full): (F) feature indices, highest value first (ties by index)
 */
guint *
pb_susceptibility_rank_features (const PbSusceptibility *self,
                                 const double           *per_feature)
{
  guint *order = g_new (guint, self->n_features);

  /* insertion sort: F is small, and it is stable (ties keep index order) */
  for (guint j = 0; j < self->n_features; j++)
    {
      guint k = j;

      while (k > 0 && per_feature[order[k - 1]] < per_feature[j])
        {
          order[k] = order[k - 1];
          k--;
        }
      order[k] = j;
    }
  return order;
}

/**
 * pb_susceptibility_to_table:
 * @self: metrics
 * @matrix: one of its (T, F) matrices
 * @feature_names: (nullable): (F) column names; "f0", "f1", … when %NULL
 *
 * Returns: (transfer full): T rows, columns "hour" and one per feature
 */
PbTable *
pb_susceptibility_to_table (const PbSusceptibility *self,
                            const double           *matrix,
                            const char * const     *feature_names)
{
  const guint T = self->n_steps, F = self->n_features;
  g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func (g_free);
  PbTable *table;

  g_ptr_array_add (names, g_strdup ("hour"));
  for (guint j = 0; j < F; j++)
    g_ptr_array_add (names, feature_names != NULL ? g_strdup (feature_names[j])
                                                  : g_strdup_printf ("f%u", j));
  g_ptr_array_add (names, NULL);
  table = pb_table_new (T, F + 1, (const char * const *) names->pdata);
  for (guint i = 0; i < T; i++)
    {
      table->values[(gsize) i * (F + 1)] = i;
      memcpy (table->values + (gsize) i * (F + 1) + 1, matrix + (gsize) i * F,
              sizeof (double) * F);
    }
  return table;
}

/* ---- tables --------------------------------------------------------------- */

/**
 * pb_table_new:
 * @n_rows: rows
 * @n_cols: columns
 * @col_names: (n_cols) names
 *
 * Returns: (transfer full): a table of zeros
 */
PbTable *
pb_table_new (guint               n_rows,
              guint               n_cols,
              const char * const *col_names)
{
  PbTable *table = g_new0 (PbTable, 1);

  table->n_rows = n_rows;
  table->n_cols = n_cols;
  table->col_names = g_new0 (char *, n_cols + 1);
  for (guint c = 0; c < n_cols; c++)
    table->col_names[c] = g_strdup (col_names[c]);
  table->values = g_new0 (double, MAX ((gsize) n_rows * n_cols, 1));
  return table;
}

void
pb_table_free (PbTable *table)
{
  if (table == NULL)
    return;
  g_strfreev (table->col_names);
  g_free (table->values);
  g_free (table);
}

gint
pb_table_lookup_column (const PbTable *table,
                        const char    *name)
{
  for (guint c = 0; c < table->n_cols; c++)
    if (g_str_equal (table->col_names[c], name))
      return c;
  return -1;
}

/**
 * pb_table_dup_column:
 * @n: (out): rows
 *
 * Returns: (transfer full) (nullable): a copy of column @name, %NULL if none
 */
double *
pb_table_dup_column (const PbTable *table,
                     const char    *name,
                     guint         *n)
{
  gint c = pb_table_lookup_column (table, name);
  double *v;

  *n = 0;
  if (c < 0)
    return NULL;
  v = g_new (double, MAX (table->n_rows, 1));
  for (guint r = 0; r < table->n_rows; r++)
    v[r] = table->values[(gsize) r * table->n_cols + c];
  *n = table->n_rows;
  return v;
}

/**
 * pb_table_to_csv:
 *
 * Returns: (transfer full): a header line and one line per row; integers without
 *   a fraction, other numbers in their shortest round-trip form, "inf"/"nan" as
 *   pandas writes them
 */
char *
pb_table_to_csv (const PbTable *table)
{
  GString *s = g_string_new (NULL);
  char buf[G_ASCII_DTOSTR_BUF_SIZE];

  for (guint c = 0; c < table->n_cols; c++)
    {
      if (c > 0)
        g_string_append_c (s, ',');
      g_string_append (s, table->col_names[c]);
    }
  g_string_append_c (s, '\n');
  for (guint r = 0; r < table->n_rows; r++)
    {
      for (guint c = 0; c < table->n_cols; c++)
        {
          double v = table->values[(gsize) r * table->n_cols + c];

          if (c > 0)
            g_string_append_c (s, ',');
          if (isnan (v))
            g_string_append (s, "nan");
          else if (isinf (v))
            g_string_append (s, v > 0 ? "inf" : "-inf");
          else if (v == floor (v) && fabs (v) < 1e15)
            g_string_append_printf (s, "%.0f", v);
          else
            g_string_append (s, g_ascii_dtostr (buf, sizeof buf, v));
        }
      g_string_append_c (s, '\n');
    }
  return g_string_free (s, FALSE);
}

gboolean
pb_table_write_csv (const PbTable  *table,
                    const char     *path,
                    GError        **error)
{
  g_autofree char *csv = pb_table_to_csv (table);

  return g_file_set_contents (path, csv, -1, error);
}

/* The columns of the reference's PertsSummary (SPEC.md §9.1), in its order. */
static const char *summary_columns[] = {
  "dataset_index", "attacked_samples_index", "orig_label", "epoch_found", "loss",
  "seq_length", "pert_max_positive", "pert_max_negative", "pert_max_abs", "pert_abs_sum",
  "pert_mean_abs", "pert_mean_nonzero_abs", "pert_min_nonzero_abs",
  "pert_num_actual_elements", "num_negative_perts", "num_positive_perts", "num_perts",
  "fraction_nonzero", "sparsity", "sparse_small_scores", "sparse_small_max_scores",
};

/**
 * pb_attack_summary_table:
 * @result: an attack's results
 * @kind: first or best
 *
 * One row per successfully attacked sample, the columns of SPEC.md §9.1 over
 * the unmasked L × F elements, with numpy's conventions for empty reductions
 * (0/0 = nan, min over nothing = inf).
 *
 * Returns: (transfer full): the table
 */
PbTable *
pb_attack_summary_table (const PbAttackResult *result,
                         PbAttackExample       kind)
{
  const guint F = result->n_features;
  const guint n_cols = G_N_ELEMENTS (summary_columns);
  PbAttackCondition cond;
  PbTable *table;
  guint n = 0, r = 0;

  pb_attack_condition_init (&cond, kind, -1);
  for (guint i = 0; i < result->n; i++)
    n += pb_attack_condition_matches (&cond, result, i);
  table = pb_table_new (n, n_cols, summary_columns);

  for (guint i = 0; i < result->n; i++)
    {
      const PbAttackExampleData *e = &result->examples[kind][i];
      double *row = table->values + (gsize) r * n_cols;
      double max_pos = -INFINITY, max_neg = INFINITY, max_abs = 0.0, sum = 0.0;
      double min_nz = INFINITY, n_actual, sparsity;
      guint n_neg = 0, n_pos = 0;

      if (!pb_attack_condition_matches (&cond, result, i))
        continue;

      n_actual = (double) F * result->lengths[i];
      for (guint k = 0; k < e->n_nonzero; k++)
        {
          double v = e->value[k], a = fabs (v);

          max_pos = MAX (max_pos, v);
          max_neg = MIN (max_neg, v);
          max_abs = MAX (max_abs, a);
          min_nz = MIN (min_nz, a);
          sum += a;
          n_neg += v < 0;
          n_pos += v > 0;
        }
      if (e->n_nonzero < n_actual)
        {
          /* the zeros are unmasked elements too */
          max_pos = MAX (max_pos, 0.0);
          max_neg = MIN (max_neg, 0.0);
        }
      sparsity = 1.0 - e->n_nonzero / n_actual;

      row[0] = result->dataset_index[i];
      row[1] = i;
      row[2] = result->labels[i];
      row[3] = e->iteration;
      row[4] = e->loss;
      row[5] = result->lengths[i];
      row[6] = max_pos;
      row[7] = max_neg;
      row[8] = max_abs;
      row[9] = sum;
      row[10] = sum / n_actual;
      row[11] = e->n_nonzero > 0 ? sum / e->n_nonzero : NAN;
      row[12] = min_nz;
      row[13] = n_actual;
      row[14] = n_neg;
      row[15] = n_pos;
      row[16] = n_neg + n_pos;
      row[17] = e->n_nonzero / n_actual;
      row[18] = sparsity;
      row[19] = sum > 0.0 ? sparsity / sum : INFINITY;
      row[20] = max_abs > 0.0 ? sparsity / max_abs : INFINITY;
      r++;
    }
  return table;
}

/**
 * pb_attack_all_attacks_table:
 *
 * Returns: (transfer full): one row per attacked sample: dataset_index,
 *   orig_label, seq_length, num_epochs_run, successful_attack (0/1)
 */
PbTable *
pb_attack_all_attacks_table (const PbAttackResult *result)
{
  static const char *cols[] = {
    "dataset_index", "orig_label", "seq_length", "num_epochs_run", "successful_attack",
  };
  PbTable *table;
  guint n = 0, r = 0;

  for (guint i = 0; i < result->n; i++)
    n += result->iterations_run[i] > 0;
  table = pb_table_new (n, G_N_ELEMENTS (cols), cols);
  for (guint i = 0; i < result->n; i++)
    {
      double *row = table->values + (gsize) r * G_N_ELEMENTS (cols);

      if (result->iterations_run[i] == 0)
        continue;
      row[0] = result->dataset_index[i];
      row[1] = result->labels[i];
      row[2] = result->lengths[i];
      row[3] = result->iterations_run[i];
      row[4] = pb_attack_result_is_success (result, i);
      r++;
    }
  return table;
}

static int
compare_double (gconstpointer a,
                gconstpointer b)
{
  double x = *(const double *) a, y = *(const double *) b;

  return x < y ? -1 : x > y;
}

static double
median (GArray *values)
{
  guint n = values->len;
  double *v = (double *) values->data;

  if (n == 0)
    return NAN;
  qsort (v, n, sizeof (double), compare_double);
  return n % 2 == 1 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}

/**
 * pb_attack_success_table:
 *
 * Success rates and sparsity per original class, then over all classes
 * (orig_label −1): orig_label, n_attacked, n_successful, success_rate,
 * median_num_perts_first, median_num_perts_best, mean_sparsity_best,
 * median_iteration_first.
 *
 * Returns: (transfer full): the table
 */
PbTable *
pb_attack_success_table (const PbAttackResult *result)
{
  static const char *cols[] = {
    "orig_label", "n_attacked", "n_successful", "success_rate", "median_num_perts_first",
    "median_num_perts_best", "mean_sparsity_best", "median_iteration_first",
  };
  const guint n_cols = G_N_ELEMENTS (cols);
  gint max_label = -1;
  PbTable *table;

  for (guint i = 0; i < result->n; i++)
    max_label = MAX (max_label, result->labels[i]);
  table = pb_table_new (max_label + 2, n_cols, cols);

  for (gint r = 0; r <= max_label + 1; r++)
    {
      gint label = r <= max_label ? r : -1;
      g_autoptr(GArray) nz_first = g_array_new (FALSE, FALSE, sizeof (double));
      g_autoptr(GArray) nz_best = g_array_new (FALSE, FALSE, sizeof (double));
      g_autoptr(GArray) it_first = g_array_new (FALSE, FALSE, sizeof (double));
      double *row = table->values + (gsize) r * n_cols, sparsity = 0.0;
      guint n_att = 0, n_succ = 0;

      for (guint i = 0; i < result->n; i++)
        {
          const PbAttackExampleData *f = &result->examples[PB_ATTACK_EXAMPLE_FIRST][i];
          const PbAttackExampleData *b = &result->examples[PB_ATTACK_EXAMPLE_BEST][i];
          double v;

          if (result->iterations_run[i] == 0 || (label >= 0 && result->labels[i] != label))
            continue;
          n_att++;
          if (!pb_attack_result_is_success (result, i))
            continue;
          n_succ++;
          v = f->n_nonzero;
          g_array_append_val (nz_first, v);
          v = b->n_nonzero;
          g_array_append_val (nz_best, v);
          v = f->iteration;
          g_array_append_val (it_first, v);
          sparsity += 1.0 - (double) b->n_nonzero / ((double) result->n_features * result->lengths[i]);
        }
      row[0] = label;
      row[1] = n_att;
      row[2] = n_succ;
      row[3] = n_att > 0 ? (double) n_succ / n_att : NAN;
      row[4] = median (nz_first);
      row[5] = median (nz_best);
      row[6] = n_succ > 0 ? sparsity / n_succ : NAN;
      row[7] = median (it_first);
    }
  return table;
}

/**
 * pb_attack_feature_table:
 * @result: an attack's results
 * @kind: first or best
 * @seq_length: only samples of this length (0 = any)
 *
 * The susceptibility summary per feature, for 0 → 1 and 1 → 0 attacks: feature
 * (index), s_j_0to1, s_j_1to0, gpp_j_0to1, gpp_j_1to0, sensitivity_j_0to1,
 * sensitivity_j_1to0, n_examples_0to1, n_examples_1to0.
 *
 * Returns: (transfer full): one row per feature
 */
PbTable *
pb_attack_feature_table (const PbAttackResult *result,
                         PbAttackExample       kind,
                         guint                 seq_length)
{
  static const char *cols[] = {
    "feature", "s_j_0to1", "s_j_1to0", "gpp_j_0to1", "gpp_j_1to0", "sensitivity_j_0to1",
    "sensitivity_j_1to0", "n_examples_0to1", "n_examples_1to0",
  };
  const guint F = result->n_features, n_cols = G_N_ELEMENTS (cols);
  PbTable *table = pb_table_new (F, n_cols, cols);

  for (gint label = 0; label < 2; label++)
    {
      g_autoptr(PbSusceptibility) s = NULL;
      PbAttackCondition cond;

      pb_attack_condition_init (&cond, kind, label);
      cond.seq_length = seq_length;
      s = pb_susceptibility_compute (result, &cond);
      for (guint j = 0; j < F; j++)
        {
          double *row = table->values + (gsize) j * n_cols;

          row[0] = j;
          row[1 + label] = s->s_j[j];
          row[3 + label] = s->gpp_j[j];
          row[5 + label] = s->sensitivity_j[j];
          row[7 + label] = s->n_examples;
        }
    }
  return table;
}

/**
 * pb_histogram_count:
 * @values: (n) samples; NaN and values outside [@lo, @hi] are not counted
 * @n: their number
 * @n_bins: bins of width (hi − lo) / n_bins
 * @lo: left edge
 * @hi: right edge (> @lo)
 *
 * numpy.histogram's rule: bins [lo + k·w, lo + (k + 1)·w), the last one closed.
 *
 * Returns: (transfer full): (n_bins) counts
 */
guint64 *
pb_histogram_count (const double *values,
                    guint         n,
                    guint         n_bins,
                    double        lo,
                    double        hi)
{
  guint64 *counts = g_new0 (guint64, MAX (n_bins, 1));

  g_return_val_if_fail (n_bins > 0 && hi > lo, counts);

  for (guint i = 0; i < n; i++)
    {
      double v = values[i];
      gint64 k;

      if (!(v >= lo && v <= hi))
        continue;
      k = (gint64) floor ((v - lo) / (hi - lo) * n_bins);
      counts[CLAMP (k, 0, (gint64) n_bins - 1)]++;
    }
  return counts;
}
