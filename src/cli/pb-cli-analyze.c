/* pb-cli-analyze.c — `perturb analyze`: success rates, sparsity and susceptibility
 * of a stored attack run, printed and exported as CSV.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "pb-cli.h"

#include "pb-attack.h"
#include "pb-figures.h"
#include "pb-susceptibility.h"

#include <errno.h>
#include <glib/gstdio.h>
#include <math.h>
#include <stdio.h>

static const char *kind_names[PB_ATTACK_N_EXAMPLES] = { "first", "best" };
static const char *label_names[2] = { "0to1", "1to0" };

static int
list_runs (PbProject *project)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) runs = pb_attack_run_list (project, &error);

  if (runs == NULL)
    return pb_cli_report_error (error);
  if (runs->len == 0)
    {
      printf ("no attack runs\n");
      return PB_CLI_EXIT_OK;
    }
  printf ("%-5s %-20s %-12s %10s %9s  %s\n", "run", "created", "dataset", "attacked", "batches",
          "parameters");
  for (guint i = 0; i < runs->len; i++)
    {
      const PbAttackRunInfo *r = runs->pdata[i];
      g_autofree char *batches = g_strdup_printf ("%u/%u", r->n_batches_done, r->n_batches);

      printf ("%-5" G_GINT64_FORMAT " %-20.19s %-12s %10u %9s  %s\n", r->run_id, r->created_at,
              r->dataset_name, r->n_attacked, batches, r->params_json);
    }
  return PB_CLI_EXIT_OK;
}

static gboolean
write_table (const PbTable  *table,
             const char     *dir,
             const char     *name,
             GError        **error)
{
  g_autofree char *file = g_strconcat (name, ".csv", NULL);
  g_autofree char *path = g_build_filename (dir, file, NULL);

  return pb_table_write_csv (table, path, error);
}

/* the histogram grid of SPEC.md §9.4: one file per metric, a column per condition */
static gboolean
write_histograms (const PbAttackResult *result,
                  const char           *dir,
                  GError              **error)
{
  static const struct { const char *column; const char *file; guint n_bins; double hi; } h[] = {
    { "num_perts", "hist_num_perts", 0, 0.0 },
    { "pert_mean_nonzero_abs", "hist_pert_mean_nonzero_abs", 1000, 1.0 },
    { "pert_max_abs", "hist_pert_max_abs", 50, 1.0 },
  };
  PbTable *summaries[PB_ATTACK_N_EXAMPLES] = { NULL, NULL };
  gboolean ok = TRUE;

  for (guint k = 0; k < PB_ATTACK_N_EXAMPLES; k++)
    summaries[k] = pb_attack_summary_table (result, k);

  for (guint m = 0; m < G_N_ELEMENTS (h); m++)
    {
      const guint n_bins = h[m].n_bins > 0 ? h[m].n_bins : result->max_len * result->n_features;
      const double hi = h[m].n_bins > 0 ? h[m].hi : n_bins;
      const char *cols[] = { "bin_lo", "bin_hi", "first_0to1", "best_0to1", "first_1to0",
                             "best_1to0" };
      g_autoptr(PbTable) t = pb_table_new (n_bins, G_N_ELEMENTS (cols), cols);

      for (guint b = 0; b < n_bins; b++)
        {
          t->values[(gsize) b * t->n_cols] = hi * b / n_bins;
          t->values[(gsize) b * t->n_cols + 1] = hi * (b + 1) / n_bins;
        }
      for (guint label = 0; label < 2; label++)
        for (guint k = 0; k < PB_ATTACK_N_EXAMPLES; k++)
          {
            const PbTable *s = summaries[k];
            gint c_val = pb_table_lookup_column (s, h[m].column);
            gint c_lab = pb_table_lookup_column (s, "orig_label");
            gint c_len = pb_table_lookup_column (s, "seq_length");
            g_autofree double *v = g_new (double, MAX (s->n_rows, 1));
            g_autofree guint64 *counts = NULL;
            guint n = 0;

            /* as the reference's plots: full-length samples only */
            for (guint r = 0; r < s->n_rows; r++)
              if (s->values[(gsize) r * s->n_cols + c_lab] == label &&
                  s->values[(gsize) r * s->n_cols + c_len] == result->max_len)
                v[n++] = s->values[(gsize) r * s->n_cols + c_val];
            counts = pb_histogram_count (v, n, n_bins, 0.0, hi);
            for (guint b = 0; b < n_bins; b++)
              t->values[(gsize) b * t->n_cols + 2 + 2 * label + k] = counts[b];
          }
      if (!write_table (t, dir, h[m].file, error))
        {
          ok = FALSE;
          break;
        }
    }
  for (guint k = 0; k < PB_ATTACK_N_EXAMPLES; k++)
    pb_table_free (summaries[k]);
  return ok;
}

static gboolean
write_csv (const PbAttackResult *result,
           guint                 seq_length,
           const char           *dir,
           guint                *n_files,
           GError              **error)
{
  g_autoptr(PbTable) all = pb_attack_all_attacks_table (result);
  g_autoptr(PbTable) success = pb_attack_success_table (result);

  *n_files = 0;
  if (g_mkdir_with_parents (dir, 0755) != 0)
    {
      int saved = errno;

      g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (saved),
                   "Cannot create %s: %s", dir, g_strerror (saved));
      return FALSE;
    }
  if (!write_table (all, dir, "all_attacks", error) ||
      !write_table (success, dir, "success", error))
    return FALSE;
  *n_files += 2;

  for (guint k = 0; k < PB_ATTACK_N_EXAMPLES; k++)
    {
      g_autoptr(PbTable) summary = pb_attack_summary_table (result, k);
      g_autoptr(PbTable) features = pb_attack_feature_table (result, k, seq_length);
      g_autofree char *s_name = g_strdup_printf ("summary_%s", kind_names[k]);
      g_autofree char *f_name = g_strdup_printf ("features_%s", kind_names[k]);

      if (!write_table (summary, dir, s_name, error) || !write_table (features, dir, f_name, error))
        return FALSE;
      *n_files += 2;

      for (guint label = 0; label < 2; label++)
        {
          g_autoptr(PbSusceptibility) s = NULL;
          PbAttackCondition cond;
          const char *mats[] = { "gpp", "ganzp", "gmp", "s", "sensitivity" };

          pb_attack_condition_init (&cond, k, label);
          cond.seq_length = seq_length;
          s = pb_susceptibility_compute (result, &cond);
          for (guint m = 0; m < G_N_ELEMENTS (mats); m++)
            {
              const double *matrix = m == 0 ? s->gpp : m == 1 ? s->ganzp : m == 2 ? s->gmp
                                     : m == 3 ? s->s : s->sensitivity;
              g_autoptr(PbTable) t = pb_susceptibility_to_table (s, matrix,
                                                                 (const char * const *) result->feature_names);
              g_autofree char *name = g_strdup_printf ("%s_%s_%s", mats[m], kind_names[k],
                                                       label_names[label]);

              if (!write_table (t, dir, name, error))
                return FALSE;
              (*n_files)++;
            }
        }
    }

  if (!write_histograms (result, dir, error))
    return FALSE;
  *n_files += 3;
  return TRUE;
}

/* The reference's gpp and ganzp maps (SPEC.md §9.4), one file per condition:
 * features as rows, hours as columns, logarithmic colours, zero cells blank. */
static gboolean
write_figures (const PbAttackResult *result,
               guint                 seq_length,
               const char           *dir,
               const char           *format,
               guint                *n_files,
               GError              **error)
{

  *n_files = 0;
  if (g_mkdir_with_parents (dir, 0755) != 0)
    {
      int saved = errno;

      g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (saved),
                   "Cannot create %s: %s", dir, g_strerror (saved));
      return FALSE;
    }
  for (guint k = 0; k < PB_ATTACK_N_EXAMPLES; k++)
    for (guint label = 0; label < 2; label++)
      for (guint m = 0; m < 2; m++)
        {
          g_autoptr(PbSusceptibility) s = NULL;
          g_autoptr(PbFigure) figure = NULL;
          g_autofree char *file = NULL;
          g_autofree char *path = NULL;
          PbAttackCondition cond;
          PbPlotFormat fmt;

          pb_attack_condition_init (&cond, k, label);
          cond.seq_length = seq_length;
          s = pb_susceptibility_compute (result, &cond);
          /* the Analysis page's and `perturb figure susceptibility`'s figure */
          figure = pb_figure_new_susceptibility (result, &cond, s,
                                                 m == 0 ? PB_FIGURE_MAP_GPP : PB_FIGURE_MAP_GANZP);
          if (figure == NULL)
            continue;   /* no adversarial example under this condition */

          file = g_strdup_printf ("%s_%s_%s.%s", m == 0 ? "gpp" : "ganzp", kind_names[k],
                                  label_names[label], format);
          path = g_build_filename (dir, file, NULL);
          fmt = pb_plot_format_from_path (path);
          if (!pb_figure_export (figure, fmt, path, 7.0 * 72, 4.5 * 72, 200, error))
            return FALSE;
          (*n_files)++;
        }
  return TRUE;
}

static void
print_features (const PbAttackResult *result,
                PbAttackExample       kind,
                guint                 seq_length)
{
  g_autoptr(PbTable) t = pb_attack_feature_table (result, kind, seq_length);
  g_autofree guint *order = g_new (guint, t->n_rows);
  const guint n_cols = t->n_cols;
  g_autofree char *which = seq_length > 0 ? g_strdup_printf (" of length %u", seq_length)
                                          : g_strdup ("");

  /* rank by the 0 → 1 susceptibility, then 1 → 0 */
  for (guint r = 0; r < t->n_rows; r++)
    {
      guint k = r;
      double key = t->values[(gsize) r * n_cols + 1] + t->values[(gsize) r * n_cols + 2];

      while (k > 0 && t->values[(gsize) order[k - 1] * n_cols + 1] +
                      t->values[(gsize) order[k - 1] * n_cols + 2] < key)
        {
          order[k] = order[k - 1];
          k--;
        }
      order[k] = r;
    }

  printf ("\nsusceptibility per feature, %s examples%s (n = %.0f for 0→1, %.0f for 1→0):\n",
          kind_names[kind], which,
          t->n_rows > 0 ? t->values[7] : 0, t->n_rows > 0 ? t->values[8] : 0);
  printf ("%-4s %-22s %10s %10s %10s %10s\n", "rank", "feature", "s_j 0→1", "s_j 1→0",
          "gpp_j 0→1", "gpp_j 1→0");
  for (guint r = 0; r < t->n_rows; r++)
    {
      const double *v = t->values + (gsize) order[r] * n_cols;
      const char *name = result->feature_names != NULL ? result->feature_names[order[r]] : "";

      printf ("%-4u %-22s %10.4f %10.4f %10.4f %10.4f\n", r + 1, name, v[1], v[2], v[3], v[4]);
    }
}

int
pb_cli_analyze (int    argc,
                char **argv)
{
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(PbProject) project = NULL;
  g_autoptr(PbAttackResult) result = NULL;
  g_autoptr(PbTable) success = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *csv_dir = NULL;
  g_autofree char *kind = NULL;
  g_autofree char *fig_dir = NULL;
  g_autofree char *fig_format = NULL;
  gint64 run_id = 0;
  gint seq_length = -1;
  PbAttackExample example = PB_ATTACK_EXAMPLE_BEST;
  int rc;
  const GOptionEntry entries[] = {
    { "attack", 0, 0, G_OPTION_ARG_INT64, &run_id, "The attack run (without it: list the runs)", "RUN" },
    { "csv", 0, 0, G_OPTION_ARG_FILENAME, &csv_dir, "Write every table and matrix as CSV into DIR", "DIR" },
    { "figures", 0, 0, G_OPTION_ARG_FILENAME, &fig_dir, "Draw the perturbation-probability and magnitude maps into DIR", "DIR" },
    { "format", 0, 0, G_OPTION_ARG_STRING, &fig_format, "Figure format: png, svg or pdf (png)", "FMT" },
    { "examples", 0, 0, G_OPTION_ARG_STRING, &kind, "Susceptibility printed for first or best examples (best)", "KIND" },
    { "seq-length", 0, 0, G_OPTION_ARG_INT, &seq_length, "Matrices over samples of this length, 0 = all (default: the full length, as the reference)", "L" },
    { NULL }
  };

  context = g_option_context_new ("PROJECT — success, sparsity and susceptibility of an attack");
  g_option_context_add_main_entries (context, entries, NULL);
  if ((rc = pb_cli_parse_options (context, &argc, &argv)) != PB_CLI_EXIT_OK)
    return rc;
  if (argc != 2)
    return pb_cli_usage_error (context, "analyze needs exactly one PROJECT");
  if (run_id < 0)
    return pb_cli_usage_error (context, "--attack takes a run id");
  if (kind != NULL && g_str_equal (kind, "first"))
    example = PB_ATTACK_EXAMPLE_FIRST;
  else if (kind != NULL && !g_str_equal (kind, "best"))
    return pb_cli_usage_error (context, "--examples is first or best");
  if (fig_format != NULL && !g_str_equal (fig_format, "png") && !g_str_equal (fig_format, "svg") &&
      !g_str_equal (fig_format, "pdf"))
    return pb_cli_usage_error (context, "--format is png, svg or pdf");

  project = pb_project_open (argv[1], &error);
  if (project == NULL)
    return pb_cli_report_error (error);
  if (run_id == 0)
    return list_runs (project);

  result = pb_attack_result_load (project, run_id, &error);
  if (result == NULL)
    return pb_cli_report_error (error);
  if (seq_length < 0)
    seq_length = result->max_len;

  printf ("attack run %" G_GINT64_FORMAT " (preset %s): %u candidates, %u attacked, %u done\n",
          run_id, pb_protocol_get_name (result->params.preset), result->n_candidates, result->n,
          result->n_done);
  success = pb_attack_success_table (result);
  printf ("%-8s %10s %12s %8s %15s %14s %14s\n", "class", "attacked", "adversarial", "rate",
          "median nz first", "median nz best", "mean sparsity");
  for (guint r = 0; r < success->n_rows; r++)
    {
      const double *v = success->values + (gsize) r * success->n_cols;

      printf ("%-8s %10.0f %12.0f %7.1f%% %15.1f %14.1f %14.4f\n",
              v[0] < 0 ? "all" : v[0] == 0 ? "0 → 1" : v[0] == 1 ? "1 → 0" : "other",
              v[1], v[2], 100.0 * v[3], v[4], v[5], v[6]);
    }
  print_features (result, example, seq_length);

  if (csv_dir != NULL)
    {
      guint n_files;

      if (!write_csv (result, seq_length, csv_dir, &n_files, &error))
        return pb_cli_report_error (error);
      g_printerr ("perturb: wrote %u CSV files to %s\n", n_files, csv_dir);
    }
  if (fig_dir != NULL)
    {
      guint n_files;

      if (!write_figures (result, seq_length, fig_dir, fig_format != NULL ? fig_format : "png",
                          &n_files, &error))
        return pb_cli_report_error (error);
      g_printerr ("perturb: drew %u figures into %s\n", n_files, fig_dir);
    }
  return PB_CLI_EXIT_OK;
}
