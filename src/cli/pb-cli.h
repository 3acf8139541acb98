/* pb-cli.h — shared pieces of the `perturb` command-line tool.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

#include "pb-engine.h"

G_BEGIN_DECLS

/* Exit codes of every command */
#define PB_CLI_EXIT_OK      0
#define PB_CLI_EXIT_FAILED  1 /* failure while working */
#define PB_CLI_EXIT_USAGE   2 /* bad usage or bad input */

typedef int (*PbCliCommandFunc) (int    argc,
                                 char **argv);

typedef struct
{
  const char       *name;
  const char       *summary;
  PbCliCommandFunc  func;
} PbCliCommand;

int      pb_cli_parse_options     (GOptionContext  *context,
                                   int             *argc,
                                   char          ***argv);
int      pb_cli_usage_error       (GOptionContext  *context,
                                   const char      *format,
                                   ...) G_GNUC_PRINTF (2, 3);
int      pb_cli_report_error      (const GError    *error);
int      pb_cli_run_subcommands   (const char      *prefix,
                                   const PbCliCommand *commands,
                                   guint            n_commands,
                                   int              argc,
                                   char           **argv);
void     pb_cli_progress          (double           fraction,
                                   const char      *message,
                                   gconstpointer    details,
                                   gpointer         user_data);
void     pb_cli_progress_end      (void);

typedef gboolean (*PbCliWorkFunc) (gpointer       data,
                                   GCancellable  *cancellable,
                                   GError       **error);

gboolean pb_cli_run_cancellable   (const char      *name,
                                   PbCliWorkFunc    func,
                                   gpointer         data,
                                   const char      *stop_message,
                                   GError         **error);
char    *pb_cli_format_size       (gint64           bytes);
char    *pb_cli_pick_dataset      (PbProject       *project,
                                   const char      *name,
                                   const char      *purpose,
                                   GError         **error);
void     pb_cli_add_backend_option (GOptionContext *context);

/* commands */
int      pb_cli_figure            (int    argc,
                                   char **argv);
int      pb_cli_project           (int    argc,
                                   char **argv);
int      pb_cli_synth             (int    argc,
                                   char **argv);
int      pb_cli_import            (int    argc,
                                   char **argv);
int      pb_cli_preprocess        (int    argc,
                                   char **argv);
int      pb_cli_train             (int    argc,
                                   char **argv);
int      pb_cli_attack            (int    argc,
                                   char **argv);
int      pb_cli_attack_tune       (int    argc,
                                   char **argv);
int      pb_cli_analyze           (int    argc,
                                   char **argv);
int      pb_cli_evaluate          (int    argc,
                                   char **argv);
int      pb_cli_export_model      (int    argc,
                                   char **argv);
int      pb_cli_import_model      (int    argc,
                                   char **argv);
int      pb_cli_study             (int    argc,
                                   char **argv);
int      pb_cli_tune              (int    argc,
                                   char **argv);
int      pb_cli_cv                (int    argc,
                                   char **argv);
int      pb_cli_attribute         (int    argc,
                                   char **argv);
int      pb_cli_fgsm              (int    argc,
                                   char **argv);

G_END_DECLS
