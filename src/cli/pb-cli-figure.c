/* pb-cli-figure.c — `perturb figure PROJECT KIND`: any figure the workbench
 * shows, from the project's stored data (src/figures), into PNG, SVG or PDF
 * without a display; `perturb figure demo`: the same from built-in demo data.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "pb-cli.h"

#include "pb-figures.h"
#include "pb-plot-demo.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

/* Plot errors about what the user gave are usage errors (exit 2). */
static int
report_plot_error (const GError *error)
{
  if (error->domain == PB_PLOT_ERROR && error->code == PB_PLOT_ERROR_INVALID_ARGUMENT)
    {
      g_printerr ("perturb: %s\n", error->message);
      return PB_CLI_EXIT_USAGE;
    }

  return pb_cli_report_error (error);
}

static int
figure_demo (int    argc,
             char **argv)
{
  g_autofree char *kind_name = NULL;
  g_autofree char *out = NULL;
  g_autofree char *csv = NULL;
  g_autofree char *format_name = NULL;
  double width_mm = PB_PLOT_WIDTH_SINGLE_COLUMN_MM;
  double height_mm = 0;
  double dpi = 300;
  const GOptionEntry entries[] = {
    { "kind", 'k', 0, G_OPTION_ARG_STRING, &kind_name,
      "Figure: line, heatmap, heatmap-triple, susceptibility, history, intermediate, "
      "slice, parallel, histogram, bars", "KIND" },
    { "out", 'o', 0, G_OPTION_ARG_FILENAME, &out, "Output file (.png, .svg or .pdf)", "FILE" },
    { "format", 'f', 0, G_OPTION_ARG_STRING, &format_name,
      "png, svg or pdf (default: from the file name)", "FORMAT" },
    { "width-mm", 0, 0, G_OPTION_ARG_DOUBLE, &width_mm,
      "Width in mm (89 single column, 183 double; default 89)", "MM" },
    { "height-mm", 0, 0, G_OPTION_ARG_DOUBLE, &height_mm,
      "Height in mm (default: suits the figure)", "MM" },
    { "dpi", 0, 0, G_OPTION_ARG_DOUBLE, &dpi, "PNG resolution (default 300)", "DPI" },
    { "csv", 0, 0, G_OPTION_ARG_FILENAME, &csv, "Also write the figure's data as CSV", "FILE" },
    { NULL }
  };
  g_autoptr(GOptionContext) context =
    g_option_context_new ("— draw a figure from built-in demo data");
  g_autoptr(PbPlotDemo) demo = NULL;
  g_autoptr(GError) error = NULL;
  PbPlotFormat format;
  PbPlotKind kind;
  int rc;

  g_option_context_add_main_entries (context, entries, NULL);
  g_option_context_set_help_enabled (context, TRUE);
  if ((rc = pb_cli_parse_options (context, &argc, &argv)) != PB_CLI_EXIT_OK)
    return rc;
  if (argc != 1)
    return pb_cli_usage_error (context, "figure demo takes no arguments, only options");
  if (kind_name == NULL)
    return pb_cli_usage_error (context, "--kind is required");
  if (out == NULL)
    return pb_cli_usage_error (context, "--out is required");
  if (!pb_plot_kind_from_string (kind_name, &kind, &error))
    return pb_cli_usage_error (context, "%s", error->message);

  if (format_name != NULL)
    {
      if (!pb_plot_format_from_string (format_name, &format, &error))
        return pb_cli_usage_error (context, "%s", error->message);
    }
  else
    {
      const char *dot = strrchr (out, '.');

      if (dot == NULL || !pb_plot_format_from_string (dot + 1, &format, NULL))
        return pb_cli_usage_error (context,
                                   "cannot tell the format of “%s”: name it .png, .svg or "
                                   ".pdf, or give --format", out);
    }

  if (!(width_mm > 0) || !isfinite (width_mm))
    return pb_cli_usage_error (context, "--width-mm must be positive, not %g", width_mm);
  if (height_mm == 0)
    height_mm = pb_figure_get_default_height_mm (kind, width_mm);
  if (!(height_mm > 0) || !isfinite (height_mm))
    return pb_cli_usage_error (context, "--height-mm must be positive, not %g", height_mm);

  demo = pb_plot_demo_new (kind);
  if (!pb_plot_figure_export (pb_plot_demo_get_figure (demo), format, out,
                              pb_plot_mm_to_pt (width_mm), pb_plot_mm_to_pt (height_mm),
                              dpi, &error))
    return report_plot_error (error);

  if (csv != NULL && !pb_plot_figure_write_csv (pb_plot_demo_get_figure (demo), csv, &error))
    return report_plot_error (error);

  printf ("Wrote %s (%s, %.0f × %.0f mm)\n", out, kind_name, width_mm, height_mm);
  return PB_CLI_EXIT_OK;
}

#define NO_ID G_MININT64

static const char project_help[] =
  "Kinds and what each is drawn from:\n"
  "  line            --run ID | --cv ID   loss per epoch, or AUC with --metric auc;\n"
  "                                       a cross-validation draws one series per fold\n"
  "                  --fgsm ID            an FGSM robustness curve (accuracy, AUC against ε)\n"
  "  heatmap         --dataset NAME       one sequence of a dataset (--sample N, default 0)\n"
  "                  --attribution ID     an attribution map (mean |attribution|)\n"
  "  heatmap-triple  --attack ID          one attacked stay: original, perturbation,\n"
  "                                       perturbed (--sample N, default: the first with an\n"
  "                                       adversarial example; --first | --best)\n"
  "  susceptibility  --attack ID          feature × hour map (--first | --best, --class 0|1,\n"
  "                                       --metric gpp|ganzp|gmp|s|sensitivity, --all-lengths)\n"
  "  histogram       --attack ID          perturbed elements, first vs best examples\n"
  "                                       (--class 0|1, --all-lengths)\n"
  "  bars            --attack ID          success rate per original class\n"
  "  history, intermediate, slice, parallel\n"
  "                  --study NAME|NUMBER  a tuning study's trials (--storage LOCATION)\n"
  "\n"
  "Without a project: perturb figure demo --kind KIND --out FILE (a project file\n"
  "called demo is ./demo).\n"
  "Exit status: 0 done, 2 bad usage or input (unknown kind, run, sample…), 1 failure.";

/* what a usage message calls each source */
static const char *
source_option (PbFigureSourceType type)
{
  switch (type)
    {
    case PB_FIGURE_SOURCE_RUN:
      return "--run ID";

    case PB_FIGURE_SOURCE_CV:
      return "--cv ID";

    case PB_FIGURE_SOURCE_STUDY:
      return "--study NAME";

    case PB_FIGURE_SOURCE_ATTACK:
      return "--attack ID";

    case PB_FIGURE_SOURCE_DATASET:
      return "--dataset NAME";

    case PB_FIGURE_SOURCE_ATTRIBUTION:
      return "--attribution ID";

    case PB_FIGURE_SOURCE_FGSM:
      return "--fgsm ID";

    case PB_FIGURE_SOURCE_NONE:
    default:
      return "";
    }
}

/* "--run ID or --cv ID" */
static char *
accepted_sources (PbPlotKind kind)
{
  GString *text = g_string_new (NULL);

  for (guint t = PB_FIGURE_SOURCE_RUN; t < PB_FIGURE_N_SOURCE_TYPES; t++)
    if (pb_figure_kind_accepts_source (kind, t))
      g_string_append_printf (text, "%s%s", text->len > 0 ? " or " : "", source_option (t));
  return g_string_free (text, FALSE);
}

/* a file name from a study or dataset name: letters, digits, '-', '_', '.' */
static char *
file_stem (const char *name)
{
  char *stem = g_strdup (name);

  for (char *c = stem; *c != '\0'; c++)
    if (!g_ascii_isalnum (*c) && *c != '-' && *c != '_' && *c != '.')
      *c = '_';
  return stem;
}

static int
figure_project (int    argc,
                char **argv)
{
  g_autofree char *format_name = NULL;
  g_autofree char *out = NULL;
  g_autofree char *csv = NULL;
  g_autofree char *study = NULL;
  g_autofree char *storage = NULL;
  g_autofree char *dataset = NULL;
  g_autofree char *metric = NULL;
  gint64 run_id = NO_ID, cv_id = NO_ID, attack_id = NO_ID;
  gint64 attribution_id = NO_ID, fgsm_id = NO_ID;
  gint sample = -1, orig_label = 0;
  gboolean first = FALSE, best = FALSE, all_lengths = FALSE;
  double width_mm = PB_PLOT_WIDTH_SINGLE_COLUMN_MM;
  double height_mm = 0;
  double dpi = 300;
  const GOptionEntry entries[] = {
    { "run", 0, 0, G_OPTION_ARG_INT64, &run_id, "A training run (line)", "ID" },
    { "cv", 0, 0, G_OPTION_ARG_INT64, &cv_id, "A cross-validation (line)", "ID" },
    { "study", 0, 0, G_OPTION_ARG_STRING, &study,
      "A tuning study, by name or number (history, intermediate, slice, parallel)", "NAME" },
    { "storage", 0, 0, G_OPTION_ARG_STRING, &storage,
      "Read the study from this storage (default: the project file)", "LOCATION" },
    { "attack", 0, 0, G_OPTION_ARG_INT64, &attack_id,
      "An attack run (heatmap-triple, susceptibility, histogram, bars)", "ID" },
    { "dataset", 0, 0, G_OPTION_ARG_STRING, &dataset, "A dataset (heatmap)", "NAME" },
    { "attribution", 0, 0, G_OPTION_ARG_INT64, &attribution_id,
      "A stored attribution (heatmap)", "ID" },
    { "fgsm", 0, 0, G_OPTION_ARG_INT64, &fgsm_id, "A stored FGSM robustness curve (line)", "ID" },
    { "sample", 0, 0, G_OPTION_ARG_INT, &sample,
      "Attacked stay (heatmap-triple) or sequence (heatmap), from 0", "N" },
    { "first", 0, 0, G_OPTION_ARG_NONE, &first, "First adversarial examples", NULL },
    { "best", 0, 0, G_OPTION_ARG_NONE, &best, "Best adversarial examples (default)", NULL },
    { "class", 0, 0, G_OPTION_ARG_INT, &orig_label,
      "Original class of the attacked stays: 0 (0 → 1 attack, default) or 1", "0|1" },
    { "all-lengths", 0, 0, G_OPTION_ARG_NONE, &all_lengths,
      "Stays of every length, not only full-length ones", NULL },
    { "metric", 0, 0, G_OPTION_ARG_STRING, &metric,
      "loss or auc (line); gpp, ganzp, gmp, s or sensitivity (susceptibility)", "NAME" },
    { "format", 'f', 0, G_OPTION_ARG_STRING, &format_name,
      "png, svg or pdf (default: from --out, else png)", "FORMAT" },
    { "out", 'o', 0, G_OPTION_ARG_FILENAME, &out,
      "Output file (default: KIND-SOURCE-ID.FORMAT here)", "FILE" },
    { "width-mm", 0, 0, G_OPTION_ARG_DOUBLE, &width_mm,
      "Width in mm (89 single column, 183 double; default 89)", "MM" },
    { "height-mm", 0, 0, G_OPTION_ARG_DOUBLE, &height_mm,
      "Height in mm (default: suits the figure)", "MM" },
    { "dpi", 0, 0, G_OPTION_ARG_DOUBLE, &dpi, "PNG resolution (default 300)", "DPI" },
    { "csv", 0, 0, G_OPTION_ARG_FILENAME, &csv, "Also write the figure's data as CSV", "FILE" },
    { NULL }
  };
  g_autoptr(GOptionContext) context =
    g_option_context_new ("PROJECT KIND — draw a figure the workbench shows from a project");
  g_autoptr(PbProject) project = NULL;
  g_autoptr(PbFigure) figure = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *sources = NULL;
  g_autofree char *source_stem = NULL;
  PbFigureSource source;
  PbPlotFormat format = PB_PLOT_FORMAT_PNG;
  PbPlotKind kind;
  guint n_sources = 0;
  int rc;

  g_option_context_add_main_entries (context, entries, NULL);
  g_option_context_set_description (context, project_help);
  if ((rc = pb_cli_parse_options (context, &argc, &argv)) != PB_CLI_EXIT_OK)
    return rc;
  if (argc != 3)
    return pb_cli_usage_error (context, "figure needs a PROJECT and a KIND (e.g. "
                                        "“perturb figure p.perturb line --run 1”)");
  if (!pb_plot_kind_from_string (argv[2], &kind, &error))
    return pb_cli_usage_error (context, "%s", error->message);

  pb_figure_source_init (&source);
  n_sources = (run_id != NO_ID) + (cv_id != NO_ID) + (study != NULL) + (attack_id != NO_ID) +
              (dataset != NULL) + (attribution_id != NO_ID) + (fgsm_id != NO_ID);
  sources = accepted_sources (kind);
  if (n_sources == 0)
    return pb_cli_usage_error (context, "a %s figure is drawn from %s: give it", argv[2], sources);
  if (n_sources > 1)
    return pb_cli_usage_error (context, "give one of --run, --cv, --study, --attack, --dataset, "
                                        "--attribution and --fgsm, not %u", n_sources);
  if (run_id != NO_ID)
    {
      source.type = PB_FIGURE_SOURCE_RUN;
      source.id = run_id;
      source_stem = g_strdup_printf ("run-%" G_GINT64_FORMAT, run_id);
    }
  else if (cv_id != NO_ID)
    {
      source.type = PB_FIGURE_SOURCE_CV;
      source.id = cv_id;
      source_stem = g_strdup_printf ("cv-%" G_GINT64_FORMAT, cv_id);
    }
  else if (attack_id != NO_ID)
    {
      source.type = PB_FIGURE_SOURCE_ATTACK;
      source.id = attack_id;
      source_stem = g_strdup_printf ("attack-%" G_GINT64_FORMAT, attack_id);
    }
  else if (attribution_id != NO_ID)
    {
      source.type = PB_FIGURE_SOURCE_ATTRIBUTION;
      source.id = attribution_id;
      source_stem = g_strdup_printf ("attribution-%" G_GINT64_FORMAT, attribution_id);
    }
  else if (fgsm_id != NO_ID)
    {
      source.type = PB_FIGURE_SOURCE_FGSM;
      source.id = fgsm_id;
      source_stem = g_strdup_printf ("fgsm-%" G_GINT64_FORMAT, fgsm_id);
    }
  else if (study != NULL)
    {
      g_autofree char *stem = file_stem (study);

      source.type = PB_FIGURE_SOURCE_STUDY;
      source.name = study;
      source.storage = storage;
      source_stem = g_strconcat ("study-", stem, NULL);
    }
  else
    {
      g_autofree char *stem = file_stem (dataset);

      source.type = PB_FIGURE_SOURCE_DATASET;
      source.name = dataset;
      source_stem = g_strconcat ("dataset-", stem, NULL);
    }
  if (!pb_figure_kind_accepts_source (kind, source.type))
    return pb_cli_usage_error (context, "a %s figure is drawn from %s, not from a %s (%s)",
                               argv[2], sources, pb_figure_source_type_to_string (source.type),
                               source_option (source.type));

  /* options of one source only */
  if (source.type != PB_FIGURE_SOURCE_ATTACK && source.type != PB_FIGURE_SOURCE_DATASET &&
      sample != -1)
    return pb_cli_usage_error (context, "--sample goes with --attack or --dataset");
  if (sample < -1)
    return pb_cli_usage_error (context, "--sample must be 0 or more, not %d", sample);
  if (storage != NULL && source.type != PB_FIGURE_SOURCE_STUDY)
    return pb_cli_usage_error (context, "--storage goes with --study");
  if (first && best)
    return pb_cli_usage_error (context, "give --first or --best, not both");
  if ((first || best || all_lengths) && source.type != PB_FIGURE_SOURCE_ATTACK)
    return pb_cli_usage_error (context, "--first, --best and --all-lengths go with --attack");
  if (orig_label != 0 && orig_label != 1)
    return pb_cli_usage_error (context, "--class must be 0 or 1, not %d", orig_label);
  source.sample = sample;
  source.example = first ? PB_ATTACK_EXAMPLE_FIRST : PB_ATTACK_EXAMPLE_BEST;
  source.orig_label = orig_label;
  source.all_lengths = all_lengths;
  if (metric != NULL)
    {
      if (kind == PB_PLOT_KIND_LINE && (source.type == PB_FIGURE_SOURCE_RUN ||
                                         source.type == PB_FIGURE_SOURCE_CV))
        {
          if (!pb_figure_curve_from_string (metric, &source.curve, &error))
            return pb_cli_usage_error (context, "--metric: %s", error->message);
        }
      else if (kind == PB_PLOT_KIND_SUSCEPTIBILITY)
        {
          if (!pb_figure_map_from_string (metric, &source.map, &error))
            return pb_cli_usage_error (context, "--metric: %s", error->message);
        }
      else
        return pb_cli_usage_error (context, "--metric goes with line (--run, --cv) and "
                                            "susceptibility, not %s", argv[2]);
    }

  if (format_name != NULL)
    {
      if (!pb_plot_format_from_string (format_name, &format, &error))
        return pb_cli_usage_error (context, "%s", error->message);
    }
  else if (out != NULL)
    {
      const char *dot = strrchr (out, '.');

      if (dot == NULL || !pb_plot_format_from_string (dot + 1, &format, NULL))
        return pb_cli_usage_error (context,
                                   "cannot tell the format of “%s”: name it .png, .svg or "
                                   ".pdf, or give --format", out);
    }
  if (out == NULL)
    out = g_strdup_printf ("%s-%s.%s", argv[2], source_stem,
                           format == PB_PLOT_FORMAT_PNG ? "png"
                           : format == PB_PLOT_FORMAT_SVG ? "svg" : "pdf");

  if (!(width_mm > 0) || !isfinite (width_mm))
    return pb_cli_usage_error (context, "--width-mm must be positive, not %g", width_mm);
  if (height_mm == 0)
    height_mm = pb_figure_get_default_height_mm (kind, width_mm);
  if (!(height_mm > 0) || !isfinite (height_mm))
    return pb_cli_usage_error (context, "--height-mm must be positive, not %g", height_mm);
  if (!(dpi > 0) || !isfinite (dpi))
    return pb_cli_usage_error (context, "--dpi must be positive, not %g", dpi);

  project = pb_project_open_full (argv[1], PB_PROJECT_OPEN_READ_ONLY, -1, &error);
  if (project == NULL)
    return pb_cli_report_error (error);
  figure = pb_figure_load (project, kind, &source, &error);
  if (figure == NULL)
    return pb_cli_report_error (error);

  if (!pb_figure_export (figure, format, out, pb_plot_mm_to_pt (width_mm),
                         pb_plot_mm_to_pt (height_mm), dpi, &error))
    return report_plot_error (error);
  if (csv != NULL && !pb_figure_write_csv (figure, csv, &error))
    return report_plot_error (error);

  printf ("Wrote %s (%s, %.0f × %.0f mm)", out, argv[2], width_mm, height_mm);
  if (pb_figure_get_caption (figure) != NULL)
    printf (": %s", pb_figure_get_caption (figure));
  printf ("\n");
  if (csv != NULL)
    printf ("Wrote %s (the figure's data)\n", csv);
  return PB_CLI_EXIT_OK;
}

/**
 * pb_cli_figure:
 *
 * `perturb figure PROJECT KIND …`: a figure of a project's stored data;
 * `perturb figure demo …`: a figure of built-in demo data.
 */
int
pb_cli_figure (int    argc,
               char **argv)
{
  if (argc >= 2 && g_str_equal (argv[1], "demo"))
    {
      g_autofree char *prgname = g_strdup_printf ("%s demo", g_get_prgname ());

      g_set_prgname (prgname);
      return figure_demo (argc - 1, argv + 1);
    }
  if (argc >= 2 && g_str_equal (argv[1], "help"))
    {
      char *help_argv[] = { argv[0], (char *) "--help", NULL };

      return figure_project (2, help_argv);
    }
  return figure_project (argc, argv);
}
