/* pb-cli-backend.c — the `--backend cpu|cuda|auto` option shared by the
 * commands that run the model.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "pb-cli.h"

/* One command runs per process: the option's value can live here. */
static char *backend_name;

static gboolean
backend_post_parse (GOptionContext  *context,
                    GOptionGroup    *group,
                    gpointer         data,
                    GError         **error)
{
  g_autofree char *note = NULL;
  PbBackendKind kind;

  if (backend_name == NULL)
    return TRUE;

  /* A failure here becomes a usage error (exit 2) in pb_cli_parse_options(). */
  if (!pb_backend_resolve_name (backend_name, &kind, &note, error))
    return FALSE;

  if (note != NULL)
    g_printerr ("perturb: %s\n", note);
  pb_backend_set_default_kind (kind);

  return TRUE;
}

/**
 * pb_cli_add_backend_option:
 * @context: a command's option context, after its main entries were added
 *
 * Adds `--backend NAME` to the main entries: cpu (default), cuda (exit 2 with
 * the reason when no device answers) or auto (cuda when available, else cpu
 * with a note on stderr). The choice becomes pb_backend_get_default_kind(), so
 * every model the command creates runs on it.
 */
void
pb_cli_add_backend_option (GOptionContext *context)
{
  const GOptionEntry entries[] = {
    { "backend", 0, 0, G_OPTION_ARG_STRING, &backend_name,
      "Compute backend: cpu, cuda or auto (cuda if a GPU answers, else cpu); default cpu", "NAME" },
    { NULL }
  };
  GOptionGroup *group = g_option_context_get_main_group (context);

  g_return_if_fail (group != NULL);

  g_option_group_add_entries (group, entries);
  g_option_group_set_parse_hooks (group, NULL, backend_post_parse);
}
