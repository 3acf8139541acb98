/* pb-cli-fgsm.c — `perturb fgsm PROJECT --eps LIST`: the FGSM robustness curve
 * (accuracy and AUC against ε) of a trained model, stored in the project.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "pb-json.h"
#include "pb-cli-target.h"

#include "pb-error.h"
#include "pb-fgsm.h"
#include "pb-plot-figure.h"

#include <json-glib/json-glib.h>
#include <stdio.h>

static gboolean
parse_clip (const char  *text,
            float       *lo,
            float       *hi)
{
  g_auto(GStrv) parts = NULL;
  char *end = NULL;

  if (text == NULL)
    return TRUE;

  parts = g_strsplit (text, ",", -1);
  if (g_strv_length (parts) != 2)
    return FALSE;
  *lo = (float) g_ascii_strtod (parts[0], &end);
  if (end == parts[0] || *end != '\0')
    return FALSE;
  *hi = (float) g_ascii_strtod (parts[1], &end);
  return end != parts[1] && *end == '\0';
}

static gboolean
write_csv (const PbFgsmResult  *r,
           const char          *path,
           GError             **error)
{
  g_autoptr(GString) s = g_string_new ("epsilon,accuracy,auc,loss,precision,recall,f1,flip_rate\n");

  for (guint e = 0; e < r->n_epsilons; e++)
    {
      const PbFgsmPoint *p = &r->points[e];

      g_string_append_printf (s, "%.9g,%.9g,%.9g,%.9g,%.9g,%.9g,%.9g,%.9g\n", p->epsilon,
                              p->metrics.accuracy, p->metrics.auc, p->metrics.loss,
                              p->metrics.precision, p->metrics.recall, p->metrics.f1,
                              p->flip_rate);
    }

  return g_file_set_contents (path, s->str, (gssize) s->len, error);
}

/* Accuracy and AUC against ε. */
static gboolean
export_figure (const PbFgsmResult  *r,
               const char          *path,
               GError             **error)
{
  g_autofree double *x = g_new (double, r->n_epsilons);
  g_autofree double *acc = g_new (double, r->n_epsilons);
  g_autofree double *auc = g_new (double, r->n_epsilons);
  PbPlotSeries series[2];
  PbPlotLineData data = { 0 };
  PbPlotStyle style;
  PbPlotFigure figure = { PB_PLOT_KIND_LINE, &data, &style };

  for (guint e = 0; e < r->n_epsilons; e++)
    {
      x[e] = r->points[e].epsilon;
      acc[e] = r->points[e].metrics.accuracy;
      auc[e] = r->points[e].metrics.auc;
    }
  series[0] = (PbPlotSeries) { "Accuracy", x, acc, r->n_epsilons, 0, FALSE, TRUE };
  series[1] = (PbPlotSeries) { "AUC", x, auc, r->n_epsilons, 1, TRUE, TRUE };
  data.title = "FGSM robustness";
  data.x_label = "ε";
  data.y_label = "Metric on x′";
  data.series = series;
  data.n_series = 2;
  data.y_fixed = TRUE;
  data.y_min = 0.0;
  data.y_max = 1.0;
  pb_plot_style_init (&style);

  return pb_plot_figure_export (&figure, pb_plot_format_from_path (path), path,
                                pb_plot_mm_to_pt (PB_PLOT_WIDTH_SINGLE_COLUMN_MM),
                                pb_plot_mm_to_pt (70.0), 300.0, error);
}

static void
print_json (const PbFgsmResult *r,
            gint64              id)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();
  g_autoptr(JsonNode) root = NULL;
  g_autofree char *text = NULL;

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "fgsm_id");
  json_builder_add_int_value (b, id);
  json_builder_set_member_name (b, "n");
  json_builder_add_int_value (b, r->n);
  json_builder_set_member_name (b, "clean_accuracy");
  json_builder_add_double_value (b, r->clean.accuracy);
  json_builder_set_member_name (b, "clean_auc");
  json_builder_add_double_value (b, r->clean.auc);
  json_builder_set_member_name (b, "points");
  json_builder_begin_array (b);
  for (guint e = 0; e < r->n_epsilons; e++)
    {
      const PbFgsmPoint *p = &r->points[e];

      json_builder_begin_object (b);
      json_builder_set_member_name (b, "epsilon");
      json_builder_add_double_value (b, p->epsilon);
      json_builder_set_member_name (b, "accuracy");
      json_builder_add_double_value (b, p->metrics.accuracy);
      json_builder_set_member_name (b, "auc");
      json_builder_add_double_value (b, p->metrics.auc);
      json_builder_set_member_name (b, "loss");
      json_builder_add_double_value (b, p->metrics.loss);
      json_builder_set_member_name (b, "flip_rate");
      json_builder_add_double_value (b, p->flip_rate);
      json_builder_end_object (b);
    }
  json_builder_end_array (b);
  json_builder_end_object (b);

  root = json_builder_get_root (b);
  text = pb_json_to_string (root, FALSE);
  printf ("%s\n", text);
}

int
pb_cli_fgsm (int    argc,
             char **argv)
{
  g_autoptr(GOptionContext) context = NULL;
  g_auto(PbCliTarget) target = { 0 };
  g_autoptr(PbProject) project = NULL;
  g_autoptr(PbModel) model = NULL;
  g_autoptr(PbDataset) dataset = NULL;
  g_autoptr(PbFgsmResult) r = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *eps_list = NULL;
  g_autofree char *clip = NULL;
  g_autofree char *csv = NULL;
  g_autofree char *figure = NULL;
  g_autofree char *source = NULL;
  g_autofree char *data_name = NULL;
  g_autofree char *params = NULL;
  g_autofree double *eps = NULL;
  gboolean no_perturbations = FALSE;
  gboolean json = FALSE;
  gint batch = 64;
  gint64 id = 0;
  PbFgsmConfig config;
  int rc;
  const GOptionEntry entries[] = {
    { "eps", 0, 0, G_OPTION_ARG_STRING, &eps_list, "Comma-separated ε values, each ≥ 0", "LIST" },
    { "clip", 0, 0, G_OPTION_ARG_STRING, &clip, "Valid input range (0,1)", "MIN,MAX" },
    { "no-perturbations", 0, 0, G_OPTION_ARG_NONE, &no_perturbations, "Store only the curve and predictions, not x′ − x", NULL },
    { "batch-size", 0, 0, G_OPTION_ARG_INT, &batch, "Sequences per batch (64)", "B" },
    { "csv", 0, 0, G_OPTION_ARG_FILENAME, &csv, "Write the curve as CSV", "FILE" },
    { "figure", 0, 0, G_OPTION_ARG_FILENAME, &figure, "Export the curve (.png, .svg, .pdf)", "FILE" },
    { "json", 0, 0, G_OPTION_ARG_NONE, &json, "Print the curve as JSON", NULL },
    { NULL }
  };

  context = g_option_context_new ("PROJECT — accuracy and AUC of a trained model under FGSM");
  g_option_context_add_main_entries (context, entries, NULL);
  if ((rc = pb_cli_target_parse (&target, context, "fgsm", &argc, &argv)) != PB_CLI_EXIT_OK)
    return rc;
  if (eps_list == NULL)
    return pb_cli_usage_error (context, "give the ε values with --eps LIST");
  if (batch <= 0)
    return pb_cli_usage_error (context, "--batch-size must be positive");

  pb_fgsm_config_init (&config);
  if (!parse_clip (clip, &config.clip_min, &config.clip_max))
    return pb_cli_usage_error (context, "--clip takes MIN,MAX");
  if (!pb_fgsm_parse_epsilons (eps_list, &eps, &config.n_epsilons, &error))
    return pb_cli_report_error (error);
  config.epsilons = eps;
  config.batch_size = (guint) batch;
  config.keep_perturbations = !no_perturbations;
  if (!pb_fgsm_config_validate (&config, &error))
    return pb_cli_report_error (error);

  if (!pb_cli_target_open (&target, argv[1], &project, &model, &source, &dataset, &data_name,
                           &error))
    return pb_cli_report_error (error);
  if (!json)
    printf ("FGSM on %s, %s: %u sequences, protocol %s\n", source, data_name, dataset->n,
            pb_protocol_get_name (pb_model_get_config (model)->protocol));
  r = pb_fgsm_run (model, dataset, &config, json ? NULL : pb_cli_progress, NULL, NULL, &error);
  if (!json)
    pb_cli_progress_end ();
  params = pb_fgsm_config_to_json (&config);
  if (r == NULL ||
      !pb_fgsm_result_save (r, project, params, data_name, source, target.checkpoint_id, &id,
                            &error))
    return pb_cli_report_error (error);
  if (csv != NULL && !write_csv (r, csv, &error))
    return pb_cli_report_error (error);
  if (figure != NULL && !export_figure (r, figure, &error))
    return pb_cli_report_error (error);

  if (json)
    {
      print_json (r, id);
      return PB_CLI_EXIT_OK;
    }

  printf ("%9s %9s %9s %9s %9s\n", "ε", "accuracy", "AUC", "loss", "flipped");
  printf ("%9s %9.4f %9.4f %9.4f %9s\n", "clean", r->clean.accuracy, r->clean.auc,
          r->clean.loss, "-");
  for (guint e = 0; e < r->n_epsilons; e++)
    {
      const PbFgsmPoint *p = &r->points[e];

      printf ("%9.4g %9.4f %9.4f %9.4f %9.4f\n", p->epsilon, p->metrics.accuracy, p->metrics.auc,
              p->metrics.loss, p->flip_rate);
    }
  printf ("Stored as FGSM run %" G_GINT64_FORMAT "\n", id);
  return PB_CLI_EXIT_OK;
}
