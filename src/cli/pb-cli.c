/* pb-cli.c — shared pieces of the `perturb` command-line tool: option parsing,
 * error reporting with the documented exit codes, a progress bar.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "pb-cli.h"

#include <glib-unix.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static gboolean progress_active;

/**
 * pb_cli_parse_options:
 *
 * Parses with @context; on a parse error prints it with a hint and returns
 * %PB_CLI_EXIT_USAGE, otherwise %PB_CLI_EXIT_OK. `--help` prints and exits 0
 * inside GOption.
 */
int
pb_cli_parse_options (GOptionContext   *context,
                      int              *argc,
                      char           ***argv)
{
  g_autoptr(GError) error = NULL;

  if (!g_option_context_parse (context, argc, argv, &error))
    return pb_cli_usage_error (context, "%s", error->message);

  return PB_CLI_EXIT_OK;
}

int
pb_cli_usage_error (GOptionContext *context,
                    const char     *format,
                    ...)
{
  g_autofree char *message = NULL;
  va_list args;

  va_start (args, format);
  message = g_strdup_vprintf (format, args);
  va_end (args);

  g_printerr ("perturb: %s\n", message);
  if (context != NULL)
    g_printerr ("Try “%s --help” for usage.\n", g_get_prgname ());

  return PB_CLI_EXIT_USAGE;
}

/**
 * pb_cli_report_error:
 * @error: what went wrong
 *
 * Prints @error on stderr and maps it to an exit code: problems with what the
 * user gave us (a missing or wrong file, a bad value) are 2, failures while
 * working are 1.
 */
int
pb_cli_report_error (const GError *error)
{
  pb_cli_progress_end ();
  g_printerr ("perturb: %s\n", error->message);

  if (error->domain == PB_ENGINE_ERROR)
    {
      switch ((PbEngineError) error->code)
        {
        case PB_ENGINE_ERROR_NOT_FOUND:
        case PB_ENGINE_ERROR_EXISTS:
        case PB_ENGINE_ERROR_NOT_A_PROJECT:
        case PB_ENGINE_ERROR_CORRUPT:
        case PB_ENGINE_ERROR_SCHEMA_TOO_NEW:
        case PB_ENGINE_ERROR_READ_ONLY:
        case PB_ENGINE_ERROR_INVALID_ARGUMENT:
        case PB_ENGINE_ERROR_INVALID_DATA:
          return PB_CLI_EXIT_USAGE;

        case PB_ENGINE_ERROR_FAILED:
        case PB_ENGINE_ERROR_LOCKED:
        case PB_ENGINE_ERROR_DATABASE:
        case PB_ENGINE_ERROR_CONNECTION:
        case PB_ENGINE_ERROR_UNSUPPORTED:
        default:
          return PB_CLI_EXIT_FAILED;
        }
    }

  if (error->domain == G_OPTION_ERROR)
    return PB_CLI_EXIT_USAGE;

  return PB_CLI_EXIT_FAILED;
}

static void
print_subcommands (const char         *prefix,
                   const PbCliCommand *commands,
                   guint               n_commands,
                   FILE               *out)
{
  fprintf (out, "Usage: %s COMMAND [OPTIONS…]\n\nCommands:\n", prefix);
  for (guint i = 0; i < n_commands; i++)
    fprintf (out, "  %-16s %s\n", commands[i].name, commands[i].summary);
  fprintf (out, "\nRun “%s COMMAND --help” for the options of one command.\n", prefix);
}

/**
 * pb_cli_run_subcommands:
 * @prefix: the words before the command, e.g. "perturb project"
 *
 * Dispatches argv[1] to the matching command; argv[0] of the command becomes
 * "@prefix COMMAND" so its --help reads right.
 */
int
pb_cli_run_subcommands (const char         *prefix,
                        const PbCliCommand *commands,
                        guint               n_commands,
                        int                 argc,
                        char              **argv)
{
  const char *name;

  if (argc < 2)
    {
      print_subcommands (prefix, commands, n_commands, stderr);
      return PB_CLI_EXIT_USAGE;
    }

  name = argv[1];
  if (g_str_equal (name, "--help") || g_str_equal (name, "-h") || g_str_equal (name, "help"))
    {
      print_subcommands (prefix, commands, n_commands, stdout);
      return PB_CLI_EXIT_OK;
    }

  for (guint i = 0; i < n_commands; i++)
    {
      if (g_str_equal (name, commands[i].name))
        {
          g_autofree char *prgname = g_strdup_printf ("%s %s", prefix, name);

          g_set_prgname (prgname);
          return commands[i].func (argc - 1, argv + 1);
        }
    }

  g_printerr ("perturb: unknown command “%s”\n", name);
  print_subcommands (prefix, commands, n_commands, stderr);
  return PB_CLI_EXIT_USAGE;
}

/**
 * pb_cli_progress:
 *
 * A #PbProgressFunc that draws a one-line bar on a terminal and prints plain
 * lines (at most one per percent) when stderr is not a terminal.
 */
void
pb_cli_progress (double        fraction,
                 const char   *message,
                 gconstpointer details,
                 gpointer      user_data)
{
  static int last_percent = -1;
  gboolean tty = isatty (fileno (stderr));
  int percent = fraction < 0 ? -1 : (int) CLAMP (fraction * 100.0, 0.0, 100.0);

  if (tty)
    {
      char bar[31];
      int filled = percent < 0 ? 0 : percent * 30 / 100;

      memset (bar, '#', filled);
      memset (bar + filled, '-', 30 - filled);
      bar[30] = '\0';
      fprintf (stderr, "\r[%s] %3d%% %-40.40s", bar, MAX (percent, 0),
               message != NULL ? message : "");
      progress_active = TRUE;
    }
  else if (percent != last_percent || percent < 0)
    {
      fprintf (stderr, "%3d%% %s\n", MAX (percent, 0), message != NULL ? message : "");
    }

  last_percent = percent;
  fflush (stderr);
}

void
pb_cli_progress_end (void)
{
  if (progress_active)
    fputc ('\n', stderr);
  progress_active = FALSE;
}

char *
pb_cli_format_size (gint64 bytes)
{
  return g_format_size_full ((guint64) MAX (bytes, 0), G_FORMAT_SIZE_IEC_UNITS);
}

/**
 * pb_cli_pick_dataset:
 * @project: the project
 * @name: (nullable): the --dataset option
 * @purpose: what the data is for, completing "no dataset to …" ("tune on")
 * @error: return location for an error
 *
 * Returns: (transfer full): @name when given, else the project's only dataset;
 *   %NULL with %PB_ENGINE_ERROR_INVALID_ARGUMENT when it has none or several
 */
char *
pb_cli_pick_dataset (PbProject   *project,
                     const char  *name,
                     const char  *purpose,
                     GError     **error)
{
  g_auto(GStrv) names = NULL;

  if (name != NULL)
    return g_strdup (name);
  names = pb_dataset_list_names (project, error);
  if (names == NULL)
    return NULL;
  if (g_strv_length (names) != 1)
    {
      if (names[0] == NULL)
        g_set_error (error, PB_ENGINE_ERROR, PB_ENGINE_ERROR_INVALID_ARGUMENT,
                     "The project has no dataset to %s (run perturb preprocess first)", purpose);
      else
        g_set_error_literal (error, PB_ENGINE_ERROR, PB_ENGINE_ERROR_INVALID_ARGUMENT,
                             "The project has several datasets: choose one with --dataset");
      return NULL;
    }
  return g_strdup (names[0]);
}

typedef struct
{
  PbCliWorkFunc  func;
  gpointer       data;
  GCancellable  *cancellable;
  GMainContext  *context;
  const char    *stop_message;
  gint           done;
  gboolean       ok;
  GError        *error;
} CancellableWork;

static gpointer
cancellable_work_thread (gpointer user_data)
{
  CancellableWork *w = user_data;

  w->ok = w->func (w->data, w->cancellable, &w->error);
  /* a flag and a wake-up, not g_main_loop_quit(): a quit that comes before the
   * loop runs is lost, and the command would hang */
  g_atomic_int_set (&w->done, 1);
  g_main_context_wakeup (w->context);
  return NULL;
}

static gboolean
on_stop_signal (gpointer user_data)
{
  CancellableWork *w = user_data;

  pb_cli_progress_end ();
  g_printerr ("perturb: %s\n", w->stop_message);
  g_cancellable_cancel (w->cancellable);
  return G_SOURCE_CONTINUE;
}

/**
 * pb_cli_run_cancellable:
 * @name: the worker thread's name
 * @func: (scope call): the work
 * @data: its data
 * @stop_message: printed when SIGINT or SIGTERM cancels the work
 * @error: return location for an error
 *
 * Runs @func on a worker thread while the calling thread waits for SIGINT and
 * SIGTERM, which cancel it: long commands stop cleanly and keep what they
 * stored.
 *
 * Returns: what @func returned
 */
gboolean
pb_cli_run_cancellable (const char     *name,
                        PbCliWorkFunc   func,
                        gpointer        data,
                        const char     *stop_message,
                        GError        **error)
{
  g_autoptr(GMainContext) context = g_main_context_new ();
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GSource) sigint = g_unix_signal_source_new (SIGINT);
  g_autoptr(GSource) sigterm = g_unix_signal_source_new (SIGTERM);
  CancellableWork w = { func, data, cancellable, context, stop_message, 0, FALSE, NULL };
  GThread *thread;

  g_main_context_push_thread_default (context);
  g_source_set_callback (sigint, on_stop_signal, &w, NULL);
  g_source_set_callback (sigterm, on_stop_signal, &w, NULL);
  g_source_attach (sigint, context);
  g_source_attach (sigterm, context);

  thread = g_thread_new (name, cancellable_work_thread, &w);
  while (!g_atomic_int_get (&w.done))
    g_main_context_iteration (context, TRUE);
  g_thread_join (thread);

  g_source_destroy (sigint);
  g_source_destroy (sigterm);
  g_main_context_pop_thread_default (context);

  if (!w.ok)
    g_propagate_error (error, w.error);
  return w.ok;
}
