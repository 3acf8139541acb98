/* pb-cli-preprocess.c — `perturb preprocess`: build the 48-hour sequences.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "pb-cli.h"

#include <stdio.h>

int
pb_cli_preprocess (int    argc,
                   char **argv)
{
  g_autoptr(GOptionContext) context =
    g_option_context_new ("PROJECT — build the dataset of 48-hour sequences from imported data");
  g_autoptr(PbProject) project = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(PbPreprocessReport) report = NULL;
  g_autoptr(PbDataset) ds = NULL;
  g_autofree char *name = NULL;
  g_autofree char *window_start = NULL;
  g_autofree char *export_dir = NULL;
  g_autofree char *params_json = NULL;
  PbPreprocessParams params;
  gint window_hours, min_hours;
  double low, high;
  guint counts[2] = { 0, 0 };
  int rc;

  pb_preprocess_params_init (&params);
  window_hours = params.window_hours;
  min_hours = params.min_observation_hours;
  low = params.winsorize_low * 100;
  high = params.winsorize_high * 100;

  {
    const GOptionEntry entries[] = {
      { "name", 0, 0, G_OPTION_ARG_STRING, &name,
        "Dataset name in the project (default “default”)", "NAME" },
      { "window-hours", 0, 0, G_OPTION_ARG_INT, &window_hours,
        "Observation window in hours (default 48)", "H" },
      { "window-start", 0, 0, G_OPTION_ARG_STRING, &window_start,
        "Window start: intime (earliest ICU admission, default) or admittime", "WHEN" },
      { "min-hours", 0, 0, G_OPTION_ARG_INT, &min_hours,
        "Drop admissions with fewer hours in the window (default 1)", "H" },
      { "winsorize-low", 0, 0, G_OPTION_ARG_DOUBLE, &low,
        "Lower clip percentile (default 5)", "P" },
      { "winsorize-high", 0, 0, G_OPTION_ARG_DOUBLE, &high,
        "Upper clip percentile (default 95)", "P" },
      { "export-csv", 0, 0, G_OPTION_ARG_FILENAME, &export_dir,
        "Also write the raw tables as the seed's four CSV files into DIR", "DIR" },
      { NULL }
    };

    g_option_context_add_main_entries (context, entries, NULL);
    if ((rc = pb_cli_parse_options (context, &argc, &argv)) != PB_CLI_EXIT_OK)
      return rc;
  }
  if (argc != 2)
    return pb_cli_usage_error (context, "preprocess needs exactly one PROJECT");
  if (window_hours <= 0 || window_hours > 24 * 365 || min_hours < 1)
    return pb_cli_usage_error (context, "--window-hours must be positive and --min-hours at least 1");
  if (window_start != NULL && !g_str_equal (window_start, "intime") &&
      !g_str_equal (window_start, "admittime"))
    return pb_cli_usage_error (context, "--window-start is intime or admittime");

  params.window_hours = window_hours;
  params.min_observation_hours = min_hours;
  params.winsorize_low = low / 100;
  params.winsorize_high = high / 100;
  if (window_start != NULL && g_str_equal (window_start, "admittime"))
    params.window_start = PB_PREPROCESS_WINDOW_START_ADMITTIME;

  project = pb_project_open (argv[1], &error);
  if (project == NULL)
    return pb_cli_report_error (error);

  if (export_dir != NULL)
    {
      g_mkdir_with_parents (export_dir, 0755);
      if (!pb_preprocess_export_csv (project, export_dir, &error))
        return pb_cli_report_error (error);
    }

  ds = pb_preprocess_run (project, &params, &report, pb_cli_progress, NULL, NULL, &error);
  if (ds == NULL)
    return pb_cli_report_error (error);
  pb_cli_progress_end ();

  params_json = pb_preprocess_params_to_json (&params);
  if (!pb_dataset_save (ds, project, name != NULL ? name : PB_PREPROCESS_DEFAULT_DATASET,
                        params_json, &error))
    return pb_cli_report_error (error);

  printf ("%-18s %-11s %10s %10s  %s\n", "stage", "unit", "in", "out", "detail");
  for (guint i = 0; i < report->stages->len; i++)
    {
      const PbPreprocessStage *stage = g_ptr_array_index (report->stages, i);

      printf ("%-18s %-11s %10" G_GINT64_FORMAT " %10" G_GINT64_FORMAT "  %s\n",
              stage->name, stage->unit, stage->n_in, stage->n_out, stage->detail);
    }

  printf ("\n%-12s %10s %12s %12s %12s\n", "feature", "values", "P5", "median", "P95");
  for (guint f = 0; f < PB_PREPROCESS_N_FEATURES; f++)
    printf ("%-12s %10" G_GINT64_FORMAT " %12.4g %12.4g %12.4g\n", pb_preprocess_feature_names[f],
            report->count[f], report->p5[f], report->p50[f], report->p95[f]);

  pb_dataset_count_classes (ds, counts);
  printf ("\nDataset “%s”: %u samples × %u hours × %u features (label 0: %u, label 1: %u, "
          "%.1f %% positive) in %.1f s (statistics %.1f s, features %.1f s)\n",
          name != NULL ? name : PB_PREPROCESS_DEFAULT_DATASET, ds->n, ds->max_len,
          ds->n_features, counts[0], counts[1], 100.0 * counts[1] / ds->n,
          report->seconds_total, report->seconds_statistics, report->seconds_features);

  return PB_CLI_EXIT_OK;
}
