/* pb-cli-project.c — `perturb project new|info`.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "pb-json.h"
#include "pb-cli.h"

#include <json-glib/json-glib.h>
#include <stdio.h>

static int
project_new (int    argc,
             char **argv)
{
  g_autoptr(GOptionContext) context = g_option_context_new ("FILE — create an empty project");
  g_autoptr(PbProject) project = NULL;
  g_autoptr(GError) error = NULL;
  int rc;

  if ((rc = pb_cli_parse_options (context, &argc, &argv)) != PB_CLI_EXIT_OK)
    return rc;
  if (argc != 2)
    return pb_cli_usage_error (context, "project new needs exactly one FILE");

  project = pb_project_create (argv[1], &error);
  if (project == NULL)
    return pb_cli_report_error (error);

  if (!pb_project_set_metadata (project, "created-by", "perturb " PACKAGE_VERSION, &error))
    return pb_cli_report_error (error);

  printf ("Created %s (schema version %d)\n", argv[1], pb_project_get_schema_version (project));
  return PB_CLI_EXIT_OK;
}

static void
print_info_json (PbProject  *project,
                 GHashTable *metadata,
                 GPtrArray  *tables)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonNode) root = NULL;
  g_autofree char *text = NULL;
  g_autoptr(GList) keys = g_list_sort (g_hash_table_get_keys (metadata),
                                       (GCompareFunc) g_strcmp0);

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "path");
  json_builder_add_string_value (builder, pb_project_get_path (project));
  json_builder_set_member_name (builder, "schema_version");
  json_builder_add_int_value (builder, pb_project_get_schema_version (project));
  json_builder_set_member_name (builder, "size_bytes");
  json_builder_add_int_value (builder, pb_project_get_file_size (project));
  json_builder_set_member_name (builder, "metadata");
  json_builder_begin_object (builder);
  for (GList *l = keys; l != NULL; l = l->next)
    {
      json_builder_set_member_name (builder, l->data);
      json_builder_add_string_value (builder, g_hash_table_lookup (metadata, l->data));
    }
  json_builder_end_object (builder);
  json_builder_set_member_name (builder, "tables");
  json_builder_begin_object (builder);
  for (guint i = 0; i < tables->len; i++)
    {
      PbProjectTableInfo *info = g_ptr_array_index (tables, i);
      json_builder_set_member_name (builder, info->name);
      json_builder_add_int_value (builder, info->n_rows);
    }
  json_builder_end_object (builder);
  json_builder_end_object (builder);

  root = json_builder_get_root (builder);
  text = pb_json_to_string (root, TRUE);
  printf ("%s\n", text);
}

static int
project_info (int    argc,
              char **argv)
{
  g_autoptr(GOptionContext) context = g_option_context_new ("FILE — show what a project contains");
  g_autoptr(PbProject) project = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) tables = NULL;
  g_autoptr(GHashTable) metadata = NULL;
  g_autofree char *size = NULL;
  gboolean as_json = FALSE;
  int rc;
  const GOptionEntry entries[] = {
    { "json", 0, 0, G_OPTION_ARG_NONE, &as_json, "Print as JSON", NULL },
    { NULL }
  };

  g_option_context_add_main_entries (context, entries, NULL);
  if ((rc = pb_cli_parse_options (context, &argc, &argv)) != PB_CLI_EXIT_OK)
    return rc;
  if (argc != 2)
    return pb_cli_usage_error (context, "project info needs exactly one FILE");

  project = pb_project_open_full (argv[1], PB_PROJECT_OPEN_READ_ONLY, -1, &error);
  if (project == NULL ||
      (tables = pb_project_list_tables (project, &error)) == NULL ||
      (metadata = pb_project_dup_all_metadata (project, &error)) == NULL)
    return pb_cli_report_error (error);

  if (as_json)
    {
      print_info_json (project, metadata, tables);
      return PB_CLI_EXIT_OK;
    }

  size = pb_cli_format_size (pb_project_get_file_size (project));
  printf ("Project:        %s\n", pb_project_get_path (project));
  printf ("Schema version: %d (this build: %d)\n", pb_project_get_schema_version (project),
          pb_project_get_latest_schema_version ());
  printf ("Size on disk:   %s\n", size);

  if (g_hash_table_size (metadata) > 0)
    {
      g_autoptr(GList) keys = g_list_sort (g_hash_table_get_keys (metadata),
                                           (GCompareFunc) g_strcmp0);
      printf ("Metadata:\n");
      for (GList *l = keys; l != NULL; l = l->next)
        printf ("  %-22s %s\n", (const char *) l->data,
                (const char *) g_hash_table_lookup (metadata, l->data));
    }

  printf ("Contents (rows per table):\n");
  for (guint i = 0; i < tables->len; i++)
    {
      PbProjectTableInfo *info = g_ptr_array_index (tables, i);
      printf ("  %-32s %" G_GINT64_FORMAT "\n", info->name, info->n_rows);
    }

  return PB_CLI_EXIT_OK;
}

static const PbCliCommand project_commands[] = {
  { "new",  "Create an empty project FILE", project_new },
  { "info", "Show schema version, size and contents of FILE", project_info },
};

int
pb_cli_project (int    argc,
                char **argv)
{
  return pb_cli_run_subcommands ("perturb project", project_commands,
                                 G_N_ELEMENTS (project_commands), argc, argv);
}
