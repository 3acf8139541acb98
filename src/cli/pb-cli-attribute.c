/* pb-cli-attribute.c — `perturb attribute PROJECT`: gradient × input, integrated
 * gradients or occlusion maps of a trained model, stored in the project, also
 * along the checkpoints of a run (--over-training).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "pb-json.h"
#include "pb-cli-target.h"

#include "pb-attribution.h"
#include "pb-error.h"
#include "pb-plot-figure.h"

#include <json-glib/json-glib.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

static gboolean
parse_window (const char *text,
              guint      *hours,
              guint      *features)
{
  char *end = NULL;
  guint64 h, f;

  if (text == NULL)
    return TRUE;

  h = g_ascii_strtoull (text, &end, 10);
  if (end == text || h == 0 || h > G_MAXUINT)
    return FALSE;
  if (*end == '\0')
    {
      *hours = (guint) h;
      return TRUE;
    }
  if (*end != 'x' && *end != 'X')
    return FALSE;
  text = end + 1;
  f = g_ascii_strtoull (text, &end, 10);
  if (end == text || *end != '\0' || f == 0 || f > G_MAXUINT)
    return FALSE;

  *hours = (guint) h;
  *features = (guint) f;
  return TRUE;
}

/* Per hour: the mean of x over the sequences that reach it (0 where none). */
static float *
mean_baseline (const PbDataset *ds)
{
  const guint T = ds->max_len;
  const guint F = ds->n_features;
  g_autofree double *sum = g_new0 (double, (gsize) T * F);
  g_autofree guint *count = g_new0 (guint, T);
  float *b = g_new0 (float, (gsize) T * F);

  for (guint i = 0; i < ds->n; i++)
    {
      const float *x = pb_dataset_get_sequence (ds, i);

      for (guint t = 0; t < ds->lengths[i]; t++)
        {
          count[t]++;
          for (guint f = 0; f < F; f++)
            sum[t * F + f] += x[t * F + f];
        }
    }
  for (guint t = 0; t < T; t++)
    for (guint f = 0; f < F && count[t] > 0; f++)
      b[t * F + f] = (float) (sum[t * F + f] / count[t]);

  return b;
}

static char *
feature_label (const PbDataset *ds,
               guint            f)
{
  if (ds->feature_names != NULL && ds->feature_names[0] != NULL &&
      f < g_strv_length (ds->feature_names))
    return g_strdup (ds->feature_names[f]);
  return g_strdup_printf ("feature %u", f);
}

static int
compare_desc (gconstpointer a,
              gconstpointer b,
              gpointer      user_data)
{
  const double *v = user_data;
  double va = v[*(const guint *) a];
  double vb = v[*(const guint *) b];

  return va < vb ? 1 : (va > vb ? -1 : 0);
}

static guint *
rank (const double *values,
      guint         n)
{
  guint *order = g_new (guint, n);

  for (guint i = 0; i < n; i++)
    order[i] = i;
  g_qsort_with_data (order, (gint) n, sizeof (guint), compare_desc, (gpointer) values);
  return order;
}

static gboolean
write_csv (const PbFeatureHourMatrix  *m,
           const PbDataset            *ds,
           const char                 *path,
           GError                    **error)
{
  g_autoptr(GString) s = g_string_new ("hour");

  for (guint f = 0; f < m->n_features; f++)
    {
      g_autofree char *label = feature_label (ds, f);

      g_string_append_printf (s, ",%s", label);
    }
  g_string_append_c (s, '\n');
  for (guint t = 0; t < m->n_hours; t++)
    {
      g_string_append_printf (s, "%u", t);
      for (guint f = 0; f < m->n_features; f++)
        {
          char buf[G_ASCII_DTOSTR_BUF_SIZE];

          g_string_append_printf (s, ",%s", g_ascii_dtostr (buf, sizeof buf,
                                                            m->values[t * m->n_features + f]));
        }
      g_string_append_c (s, '\n');
    }

  return g_file_set_contents (path, s->str, (gssize) s->len, error);
}

/* Feature × hour heat map of mean |A| (features as rows, hours as columns). */
static gboolean
export_figure (const PbAttribution  *a,
               const PbDataset      *ds,
               const char           *path,
               GError              **error)
{
  g_autoptr(GPtrArray) labels = g_ptr_array_new_with_free_func (g_free);
  g_autofree char *title = NULL;
  PbPlotHeatmapData data = { 0 };
  PbPlotStyle style;
  PbPlotFigure figure = { PB_PLOT_KIND_HEATMAP, &data, &style };

  for (guint f = 0; f < a->n_features; f++)
    g_ptr_array_add (labels, feature_label (ds, f));
  title = g_strdup_printf ("Attribution (%s): mean |A| over %u sequences",
                           pb_attribution_method_get_name (a->method), a->n);
  data.title = title;
  data.x_label = "Time step (h)";
  data.y_label = "Feature";
  data.value_label = "Mean |attribution|";
  data.matrix = (PbPlotMatrix) { a->mean_abs->values, a->n_features, a->max_len, TRUE,
                                 (const char * const *) labels->pdata, 0 };
  data.color_map = PB_PLOT_COLOR_MAP_VIRIDIS;
  data.cell_edges = a->max_len * a->n_features <= 48 * 19;
  pb_plot_style_init (&style);

  return pb_plot_figure_export (&figure, pb_plot_format_from_path (path), path,
                                pb_plot_mm_to_pt (PB_PLOT_WIDTH_DOUBLE_COLUMN_MM),
                                pb_plot_mm_to_pt (100.0), 300.0, error);
}

static void
print_summary (const PbAttribution *a,
               const PbDataset     *ds,
               gint64               id,
               guint                top,
               gboolean             json,
               GArray              *child_ids)
{
  const guint T = a->max_len;
  const guint F = a->n_features;
  g_autofree double *totals = g_new0 (double, F);
  g_autofree guint *by_feature = NULL;
  g_autofree guint *by_cell = NULL;
  double gap_sum = 0.0, gap_max = 0.0, delta_sum = 0.0;
  gboolean have_gaps = a->method == PB_ATTRIBUTION_METHOD_INTEGRATED_GRADIENTS;

  for (guint t = 0; t < T; t++)
    for (guint f = 0; f < F; f++)
      totals[f] += a->mean_abs->values[t * F + f];
  by_feature = rank (totals, F);
  by_cell = rank (a->mean_abs->values, T * F);
  top = MIN (top, T * F);

  for (guint i = 0; have_gaps && i < a->n; i++)
    {
      gap_sum += a->gaps[i];
      gap_max = MAX (gap_max, a->gaps[i]);
      delta_sum += fabs (a->scores[i] - a->baseline_scores[i]);
    }

  if (json)
    {
      g_autoptr(JsonBuilder) b = json_builder_new ();
      g_autoptr(JsonNode) root = NULL;
      g_autofree char *text = NULL;

      json_builder_begin_object (b);
      json_builder_set_member_name (b, "attribution_id");
      json_builder_add_int_value (b, id);
      json_builder_set_member_name (b, "method");
      json_builder_add_string_value (b, pb_attribution_method_get_name (a->method));
      json_builder_set_member_name (b, "n");
      json_builder_add_int_value (b, a->n);
      if (have_gaps)
        {
          json_builder_set_member_name (b, "gap_mean");
          json_builder_add_double_value (b, gap_sum / a->n);
          json_builder_set_member_name (b, "gap_max");
          json_builder_add_double_value (b, gap_max);
          json_builder_set_member_name (b, "delta_mean");
          json_builder_add_double_value (b, delta_sum / a->n);
        }
      json_builder_set_member_name (b, "feature_totals");
      json_builder_begin_array (b);
      for (guint f = 0; f < F; f++)
        json_builder_add_double_value (b, totals[f]);
      json_builder_end_array (b);
      json_builder_set_member_name (b, "top_cells");
      json_builder_begin_array (b);
      for (guint k = 0; k < top; k++)
        {
          json_builder_begin_array (b);
          json_builder_add_int_value (b, by_cell[k] / F);
          json_builder_add_int_value (b, by_cell[k] % F);
          json_builder_add_double_value (b, a->mean_abs->values[by_cell[k]]);
          json_builder_end_array (b);
        }
      json_builder_end_array (b);
      if (child_ids != NULL)
        {
          json_builder_set_member_name (b, "per_checkpoint");
          json_builder_begin_array (b);
          for (guint i = 0; i < child_ids->len; i++)
            json_builder_add_int_value (b, g_array_index (child_ids, gint64, i));
          json_builder_end_array (b);
        }
      json_builder_end_object (b);
      root = json_builder_get_root (b);
      text = pb_json_to_string (root, FALSE);
      printf ("%s\n", text);
      return;
    }

  printf ("Stored as attribution %" G_GINT64_FORMAT "\n", id);
  if (child_ids != NULL)
    printf ("Per checkpoint: %u attributions (parent %" G_GINT64_FORMAT ")\n", child_ids->len, id);
  if (have_gaps)
    printf ("Completeness gap |ΣA − (S(x) − S(b))|: mean %.3g, max %.3g (mean |S(x) − S(b)| %.3g)\n",
            gap_sum / a->n, gap_max, delta_sum / a->n);
  printf ("Features by Σ over hours of mean |A|:\n");
  for (guint k = 0; k < MIN (top, F); k++)
    {
      g_autofree char *label = feature_label (ds, by_feature[k]);

      printf ("  %2u. %-28s %.6g\n", k + 1, label, totals[by_feature[k]]);
    }
  printf ("Cells (hour, feature) by mean |A|:\n");
  for (guint k = 0; k < top; k++)
    {
      g_autofree char *label = feature_label (ds, by_cell[k] % F);

      printf ("  %2u. hour %-3u %-28s %.6g\n", k + 1, by_cell[k] / F, label,
              a->mean_abs->values[by_cell[k]]);
    }
}

int
pb_cli_attribute (int    argc,
                  char **argv)
{
  g_autoptr(GOptionContext) context = NULL;
  g_auto(PbCliTarget) target = { 0 };
  g_autoptr(PbProject) project = NULL;
  g_autoptr(PbModel) model = NULL;
  g_autoptr(PbDataset) dataset = NULL;
  g_autoptr(PbAttribution) result = NULL;
  g_autoptr(GPtrArray) models = NULL;
  g_autoptr(GPtrArray) per = NULL;
  g_autoptr(GArray) checkpoints = NULL;
  g_autoptr(GArray) child_ids = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *method = NULL;
  g_autofree char *score = NULL;
  g_autofree char *target_class = NULL;
  g_autofree char *baseline = NULL;
  g_autofree char *window = NULL;
  g_autofree char *stride = NULL;
  g_autofree char *csv = NULL;
  g_autofree char *figure = NULL;
  g_autofree char *source = NULL;
  g_autofree char *data_name = NULL;
  g_autofree char *params = NULL;
  g_autofree float *baseline_values = NULL;
  gboolean no_normalize = FALSE;
  gboolean over_training = FALSE;
  gboolean json = FALSE;
  gint steps = 50;
  gint batch = 64;
  gint top = 10;
  double fill = 0.0;
  gint64 id = 0;
  PbAttributionConfig config;
  PbAttributionMethod m;
  int rc;
  const GOptionEntry entries[] = {
    { "method", 0, 0, G_OPTION_ARG_STRING, &method, "grad-input, ig or occlusion", "METHOD" },
    { "score", 0, 0, G_OPTION_ARG_STRING, &score, "Target score: logit (default) or probability", "S" },
    { "target", 0, 0, G_OPTION_ARG_STRING, &target_class, "Target class: predicted (default), label or a class number", "C" },
    { "steps", 0, 0, G_OPTION_ARG_INT, &steps, "Integrated gradients: trapezoid steps (50)", "M" },
    { "baseline", 0, 0, G_OPTION_ARG_STRING, &baseline, "Integrated gradients: zeros (default) or mean (per-hour mean of the data)", "B" },
    { "window", 0, 0, G_OPTION_ARG_STRING, &window, "Occlusion window, hours x features (1x1)", "HxF" },
    { "stride", 0, 0, G_OPTION_ARG_STRING, &stride, "Occlusion stride, hours x features (1x1)", "HxF" },
    { "fill", 0, 0, G_OPTION_ARG_DOUBLE, &fill, "Occlusion: value of occluded elements (0)", "V" },
    { "no-normalize", 0, 0, G_OPTION_ARG_NONE, &no_normalize, "Gradient × input: keep raw values", NULL },
    { "over-training", 0, 0, G_OPTION_ARG_NONE, &over_training, "At every checkpoint of the run, and their average", NULL },
    { "batch-size", 0, 0, G_OPTION_ARG_INT, &batch, "Sequences per batch (64)", "B" },
    { "top", 0, 0, G_OPTION_ARG_INT, &top, "How many features and cells to print (10)", "N" },
    { "csv", 0, 0, G_OPTION_ARG_FILENAME, &csv, "Write the feature × hour mean |A| matrix as CSV", "FILE" },
    { "figure", 0, 0, G_OPTION_ARG_FILENAME, &figure, "Export the mean |A| heat map (.png, .svg, .pdf)", "FILE" },
    { "json", 0, 0, G_OPTION_ARG_NONE, &json, "Print the summary as JSON", NULL },
    { NULL }
  };

  context = g_option_context_new ("PROJECT — which inputs a trained model relies on");
  g_option_context_add_main_entries (context, entries, NULL);
  if ((rc = pb_cli_target_parse (&target, context, "attribute", &argc, &argv)) != PB_CLI_EXIT_OK)
    return rc;
  if (method == NULL || !pb_attribution_method_from_name (method, &m))
    return pb_cli_usage_error (context, "--method must be grad-input, ig or occlusion");
  if (steps < 0 || batch <= 0 || top < 0)
    return pb_cli_usage_error (context, "--steps, --batch-size and --top must be positive");
  if (over_training && target.weights != NULL)
    return pb_cli_usage_error (context, "--over-training needs --checkpoint or --run");

  pb_attribution_config_init (&config, m);
  config.n_steps = (guint) steps;
  config.batch_size = (guint) batch;
  config.normalize = !no_normalize;
  config.fill = (float) fill;
  if (score != NULL)
    {
      if (g_strcmp0 (score, "logit") == 0)
        config.score = PB_ATTRIBUTION_SCORE_LOGIT;
      else if (g_strcmp0 (score, "probability") == 0)
        config.score = PB_ATTRIBUTION_SCORE_PROBABILITY;
      else
        return pb_cli_usage_error (context, "--score must be logit or probability");
    }
  if (target_class != NULL)
    {
      char *end = NULL;
      guint64 c;

      if (g_strcmp0 (target_class, "predicted") == 0)
        config.target = PB_ATTRIBUTION_TARGET_PREDICTED;
      else if (g_strcmp0 (target_class, "label") == 0)
        config.target = PB_ATTRIBUTION_TARGET_LABEL;
      else if ((c = g_ascii_strtoull (target_class, &end, 10)) <= G_MAXUINT && end != target_class &&
               *end == '\0')
        {
          config.target = PB_ATTRIBUTION_TARGET_CLASS;
          config.target_class = (guint) c;
        }
      else
        return pb_cli_usage_error (context, "--target must be predicted, label or a class number");
    }
  if (!parse_window (window, &config.window_hours, &config.window_features) ||
      !parse_window (stride, &config.stride_hours, &config.stride_features))
    return pb_cli_usage_error (context, "--window and --stride take HOURS or HOURSxFEATURES");
  if (baseline != NULL && g_strcmp0 (baseline, "zeros") != 0 && g_strcmp0 (baseline, "mean") != 0)
    return pb_cli_usage_error (context, "--baseline must be zeros or mean");

  if (!pb_cli_target_open (&target, argv[1], &project, &model, &source, &dataset, &data_name,
                           &error))
    return pb_cli_report_error (error);

  if (g_strcmp0 (baseline, "mean") == 0)
    {
      baseline_values = mean_baseline (dataset);
      config.baseline = baseline_values;
      config.baseline_len = dataset->max_len;
    }
  if (!pb_attribution_config_validate (&config, dataset->max_len, dataset->n_features,
                                       dataset->n_classes, &error))
    return pb_cli_report_error (error);
  params = pb_attribution_config_to_json (&config);
  if (baseline_values != NULL)
    {
      g_autofree char *old = g_steal_pointer (&params);

      /* the engine records "custom": say which */
      params = g_strdup_printf ("%.*s,\"baseline_kind\":\"mean\"}", (int) strlen (old) - 1, old);
    }

  if (!json)
    printf ("Attribution (%s, %s of the %s class) of %s on %s: %u sequences\n", method,
            config.score == PB_ATTRIBUTION_SCORE_LOGIT ? "logit" : "probability",
            config.target == PB_ATTRIBUTION_TARGET_LABEL ? "labelled"
            : config.target == PB_ATTRIBUTION_TARGET_CLASS ? "given" : "predicted",
            over_training ? "every checkpoint of the run" : source, data_name, dataset->n);

  if (!over_training)
    {
      result = pb_attribution_compute (model, dataset, &config, json ? NULL : pb_cli_progress,
                                       NULL, NULL, &error);
      if (!json)
        pb_cli_progress_end ();
      if (result == NULL ||
          !pb_attribution_save (result, project, params, data_name, source, target.checkpoint_id,
                                0, target.epoch, &id, &error))
        return pb_cli_report_error (error);
    }
  else
    {
      g_autofree char *run_source = NULL;

      checkpoints = pb_cli_target_list_checkpoints (project, target.run_id, &error);
      if (checkpoints == NULL)
        return pb_cli_report_error (error);
      models = g_ptr_array_new_with_free_func ((GDestroyNotify) pb_model_free);
      for (guint i = 0; i < checkpoints->len; i++)
        {
          const PbCliCheckpoint *c = &g_array_index (checkpoints, PbCliCheckpoint, i);
          g_autoptr(PbSafetensors) st = pb_train_load_checkpoint (project, target.run_id, c->epoch,
                                                                  &error);
          PbModel *mi = st != NULL ? pb_checkpoint_new_model (st, NULL, &error) : NULL;

          if (mi == NULL)
            return pb_cli_report_error (error);
          g_ptr_array_add (models, mi);
        }

      result = pb_attribution_compute_over_training ((PbModel * const *) models->pdata, models->len,
                                                     dataset, &config, &per,
                                                     json ? NULL : pb_cli_progress, NULL, NULL,
                                                     &error);
      if (!json)
        pb_cli_progress_end ();
      run_source = g_strdup_printf ("run %" G_GINT64_FORMAT ", average of %u checkpoints",
                                    target.run_id, checkpoints->len);
      if (result == NULL ||
          !pb_attribution_save (result, project, params, data_name, run_source, 0, 0, -1, &id,
                                &error))
        return pb_cli_report_error (error);

      child_ids = g_array_new (FALSE, FALSE, sizeof (gint64));
      for (guint i = 0; i < per->len; i++)
        {
          const PbCliCheckpoint *c = &g_array_index (checkpoints, PbCliCheckpoint, i);
          g_autofree char *ci_source = g_strdup_printf ("checkpoint %" G_GINT64_FORMAT " (run %"
                                                        G_GINT64_FORMAT ", epoch %d)",
                                                        c->checkpoint_id, target.run_id, c->epoch);
          gint64 child = 0;

          if (!pb_attribution_save (per->pdata[i], project, params, data_name, ci_source,
                                    c->checkpoint_id, id, c->epoch, &child, &error))
            return pb_cli_report_error (error);
          g_array_append_val (child_ids, child);
        }
    }

  if (csv != NULL && !write_csv (result->mean_abs, dataset, csv, &error))
    return pb_cli_report_error (error);
  if (figure != NULL && !export_figure (result, dataset, figure, &error))
    return pb_cli_report_error (error);

  print_summary (result, dataset, id, (guint) top, json, child_ids);
  return PB_CLI_EXIT_OK;
}
