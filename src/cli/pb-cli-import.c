/* pb-cli-import.c — `perturb import`: run the extraction queries into a project.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "pb-cli.h"

#include "pb-source.h"

#include <stdio.h>

int
pb_cli_import (int    argc,
               char **argv)
{
  g_autoptr(GOptionContext) context =
    g_option_context_new ("PROJECT — import MIMIC-III (PostgreSQL or sqlite:FILE) into PROJECT");
  g_autoptr(PbProject) project = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *from = NULL;
  g_autofree char *schema = NULL;
  PbImportCounts counts;
  int rc;
  const GOptionEntry entries[] = {
    { "from", 'f', 0, G_OPTION_ARG_STRING, &from,
      "libpq connection string, service=NAME, or sqlite:FILE", "SOURCE" },
    { "schema", 0, 0, G_OPTION_ARG_STRING, &schema,
      "PostgreSQL schema holding MIMIC-III (default mimiciii)", "NAME" },
    { NULL }
  };

  g_option_context_set_description (context,
    "Passwords are never taken on the command line: use a PGPASSFILE or a\n"
    "service file (PGSERVICEFILE), as every libpq program does.");
  g_option_context_add_main_entries (context, entries, NULL);
  if ((rc = pb_cli_parse_options (context, &argc, &argv)) != PB_CLI_EXIT_OK)
    return rc;
  if (argc != 2)
    return pb_cli_usage_error (context, "import needs exactly one PROJECT");
  if (from == NULL)
    return pb_cli_usage_error (context, "--from SOURCE is required");

  if (g_file_test (argv[1], G_FILE_TEST_EXISTS))
    project = pb_project_open (argv[1], &error);
  else
    project = pb_project_create (argv[1], &error);
  if (project == NULL)
    return pb_cli_report_error (error);

  if (!pb_source_import (project, from, schema, &counts, pb_cli_progress, NULL, NULL, &error))
    return pb_cli_report_error (error);
  pb_cli_progress_end ();

  printf ("Imported in %.1f s:\n", counts.seconds);
  printf ("  %-12s %12" G_GINT64_FORMAT "\n", "icustays", counts.icustays);
  printf ("  %-12s %12" G_GINT64_FORMAT "\n", "blood gas", counts.bg);
  printf ("  %-12s %12" G_GINT64_FORMAT "\n", "lab", counts.lab);
  printf ("  %-12s %12" G_GINT64_FORMAT "\n", "vital", counts.vital);

  return PB_CLI_EXIT_OK;
}
