/* pb-cli-figure.c — `perturb figure demo`: draw any figure of src/plot from
 * built-in demo data into PNG, SVG or PDF, without a display.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "pb-cli.h"

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

/* A pleasing default height for @kind at @width_mm. */
static double
default_height_mm (PbPlotKind kind,
                   double     width_mm)
{
  switch (kind)
    {
    case PB_PLOT_KIND_HEATMAP_TRIPLE:
      return width_mm * 1.15;

    case PB_PLOT_KIND_HEATMAP:
    case PB_PLOT_KIND_SUSCEPTIBILITY:
      return width_mm * 0.62;

    case PB_PLOT_KIND_SLICE:
      return width_mm * 0.85;

    case PB_PLOT_KIND_LINE:
    case PB_PLOT_KIND_HISTORY:
    case PB_PLOT_KIND_INTERMEDIATE:
    case PB_PLOT_KIND_PARALLEL:
    case PB_PLOT_KIND_HISTOGRAM:
    case PB_PLOT_KIND_BARS:
    default:
      return width_mm * 0.72;
    }
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
    height_mm = default_height_mm (kind, width_mm);
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

static const PbCliCommand figure_commands[] = {
  { "demo", "Draw a figure from built-in demo data", figure_demo },
};

/**
 * pb_cli_figure:
 *
 * `perturb figure SUBCOMMAND`: figures without the GUI.
 */
int
pb_cli_figure (int    argc,
               char **argv)
{
  return pb_cli_run_subcommands ("perturb figure", figure_commands,
                                 G_N_ELEMENTS (figure_commands), argc, argv);
}
