/* pb-cli-synth.c — `perturb synth`: write a synthetic MIMIC-III cohort.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "pb-cli.h"

#include "pb-synth.h"

#include <stdio.h>

int
pb_cli_synth (int    argc,
              char **argv)
{
  g_autoptr(GOptionContext) context =
    g_option_context_new ("— write a synthetic MIMIC-III cohort to SQLite or PostgreSQL");
  g_autoptr(GError) error = NULL;
  g_autofree char *sqlite_path = NULL;
  g_autofree char *conninfo = NULL;
  g_autofree char *schema = NULL;
  PbSynthParams params;
  PbSynthCounts counts;
  gint stays = 1000;
  gint64 seed = 20230617;
  gint64 start;
  gboolean ok;
  int rc;
  const GOptionEntry entries[] = {
    { "stays", 'n', 0, G_OPTION_ARG_INT, &stays,
      "ICU stays to generate (MIMIC-III v1.4 has 61532)", "N" },
    { "seed", 's', 0, G_OPTION_ARG_INT64, &seed, "Random seed (default 20230617)", "S" },
    { "sqlite", 0, 0, G_OPTION_ARG_FILENAME, &sqlite_path,
      "Write a new SQLite file (tables without schema prefix)", "FILE" },
    { "postgres", 0, 0, G_OPTION_ARG_STRING, &conninfo,
      "Load into PostgreSQL (libpq connection string or service=NAME)", "CONNINFO" },
    { "schema", 0, 0, G_OPTION_ARG_STRING, &schema,
      "PostgreSQL schema to create (default mimiciii)", "NAME" },
    { NULL }
  };

  g_option_context_add_main_entries (context, entries, NULL);
  if ((rc = pb_cli_parse_options (context, &argc, &argv)) != PB_CLI_EXIT_OK)
    return rc;
  if (argc != 1)
    return pb_cli_usage_error (context, "synth takes no positional arguments");
  if ((sqlite_path == NULL) == (conninfo == NULL))
    return pb_cli_usage_error (context, "give exactly one of --sqlite FILE or --postgres CONNINFO");
  if (stays <= 0 || stays > 10 * PB_SYNTH_MIMIC_STAYS)
    return pb_cli_usage_error (context, "--stays must be between 1 and %d", 10 * PB_SYNTH_MIMIC_STAYS);
  if (seed < 0)
    return pb_cli_usage_error (context, "--seed must not be negative");

  pb_synth_params_init (&params);
  params.n_stays = (guint) stays;
  params.seed = (guint64) seed;
  if (schema != NULL)
    params.schema = schema;

  start = g_get_monotonic_time ();
  if (sqlite_path != NULL)
    ok = pb_synth_write_sqlite (&params, sqlite_path, &counts, pb_cli_progress, NULL, NULL, &error);
  else
    ok = pb_synth_write_postgres (&params, conninfo, &counts, pb_cli_progress, NULL, NULL, &error);
  if (!ok)
    return pb_cli_report_error (error);
  pb_cli_progress_end ();

  printf ("Synthetic cohort (seed %" G_GINT64_FORMAT ") written in %.1f s:\n", seed,
          (g_get_monotonic_time () - start) / (double) G_USEC_PER_SEC);
  printf ("  %-12s %12" G_GINT64_FORMAT "\n", "patients", counts.patients);
  printf ("  %-12s %12" G_GINT64_FORMAT "\n", "admissions", counts.admissions);
  printf ("  %-12s %12" G_GINT64_FORMAT "\n", "icustays", counts.icustays);
  printf ("  %-12s %12" G_GINT64_FORMAT "\n", "chartevents", counts.chartevents);
  printf ("  %-12s %12" G_GINT64_FORMAT "\n", "labevents", counts.labevents);
  printf ("  %-12s %12" G_GINT64_FORMAT "\n", "d_items", counts.d_items);
  printf ("  %-12s %12" G_GINT64_FORMAT "\n", "d_labitems", counts.d_labitems);

  return PB_CLI_EXIT_OK;
}
