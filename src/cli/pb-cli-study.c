/* pb-cli-study.c — `perturb study`: list studies, a study's trials and its
 * best trial; export the trials as CSV.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "pb-cli.h"

#include "pb-storage.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

static char *
format_value (const PbTrial *t)
{
  if (!t->has_value)
    return g_strdup ("");
  if (isinf (t->value))
    return g_strdup (t->value > 0 ? "inf" : "-inf");
  return g_strdup_printf ("%.10g", t->value);
}

/* Names of every parameter in the study, in order of first use. */
static GPtrArray *
collect_param_names (GPtrArray *trials)
{
  GPtrArray *names = g_ptr_array_new ();

  for (guint i = 0; i < trials->len; i++)
    {
      const PbTrial *t = g_ptr_array_index (trials, i);

      for (guint j = 0; j < t->params->len; j++)
        {
          const PbTrialParam *p = g_ptr_array_index (t->params, j);

          if (!g_ptr_array_find_with_equal_func (names, p->name, g_str_equal, NULL))
            g_ptr_array_add (names, p->name);
        }
    }
  return names;
}

static char *
csv_field (const char *text)
{
  if (strpbrk (text, ",\"\n") == NULL)
    return g_strdup (text);
  else
    {
      g_autoptr(GString) out = g_string_new ("\"");

      for (const char *p = text; *p != '\0'; p++)
        {
          if (*p == '"')
            g_string_append_c (out, '"');
          g_string_append_c (out, *p);
        }
      g_string_append_c (out, '"');
      return g_string_free (g_steal_pointer (&out), FALSE);
    }
}

/* Columns as Optuna's trials_dataframe() names them. */
static char *
trials_to_csv (GPtrArray *trials)
{
  g_autoptr(GPtrArray) names = collect_param_names (trials);
  GString *out = g_string_new ("number,value,datetime_start,datetime_complete");

  for (guint j = 0; j < names->len; j++)
    {
      g_autofree char *col = g_strconcat ("params_", (char *) g_ptr_array_index (names, j), NULL);
      g_autofree char *field = csv_field (col);

      g_string_append_printf (out, ",%s", field);
    }
  g_string_append (out, ",state\n");

  for (guint i = 0; i < trials->len; i++)
    {
      const PbTrial *t = g_ptr_array_index (trials, i);
      g_autofree char *value = format_value (t);

      g_string_append_printf (out, "%d,%s,%s,%s", t->number, value,
                              t->datetime_start != NULL ? t->datetime_start : "",
                              t->datetime_complete != NULL ? t->datetime_complete : "");
      for (guint j = 0; j < names->len; j++)
        {
          const PbTrialParam *p = pb_trial_lookup_param (t, g_ptr_array_index (names, j));
          g_autofree char *text = p != NULL ? pb_param_format_value (p->distribution, p->internal)
                                            : g_strdup ("");
          g_autofree char *field = csv_field (text);

          g_string_append_printf (out, ",%s", field);
        }
      g_string_append_printf (out, ",%s\n", pb_trial_state_to_string (t->state));
    }
  return g_string_free (out, FALSE);
}

static void
print_params (const PbTrial *t)
{
  for (guint j = 0; j < t->params->len; j++)
    {
      const PbTrialParam *p = g_ptr_array_index (t->params, j);
      g_autofree char *v = pb_param_format_value (p->distribution, p->internal);

      printf (" %s=%s", p->name, v);
    }
}

static int
list_studies (PbStorage *storage)
{
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) names = pb_storage_list_studies (storage, &error);

  if (names == NULL)
    return pb_cli_report_error (error);
  if (names[0] == NULL)
    printf ("No studies.\n");
  for (guint i = 0; names[i] != NULL; i++)
    {
      g_autoptr(GPtrArray) trials = NULL;
      PbStudyDirection direction;
      const PbTrial *best;
      gint64 id;
      guint n_done = 0;

      if (!pb_storage_find_study (storage, names[i], &id, &direction, &error) ||
          (trials = pb_storage_load_trials (storage, id, &error)) == NULL)
        return pb_cli_report_error (error);
      for (guint j = 0; j < trials->len; j++)
        n_done += ((PbTrial *) g_ptr_array_index (trials, j))->state == PB_TRIAL_STATE_COMPLETE;
      best = pb_trials_find_best (trials, direction);
      printf ("%s: %u trials, %u complete, %s", names[i], trials->len, n_done,
              direction == PB_STUDY_DIRECTION_MAXIMIZE ? "maximize" : "minimize");
      if (best != NULL)
        printf (", best trial %d value %.10g", best->number, best->value);
      printf ("\n");
    }
  return PB_CLI_EXIT_OK;
}

int
pb_cli_study (int    argc,
              char **argv)
{
  g_autoptr(GOptionContext) context =
    g_option_context_new ("PROJECT — list studies, a study's trials and its best trial");
  g_autoptr(PbProject) project = NULL;
  g_autoptr(PbStorage) storage = NULL;
  g_autoptr(GPtrArray) trials = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *storage_location = NULL;
  g_autofree char *study_name = NULL;
  g_autofree char *csv_path = NULL;
  PbStudyDirection direction;
  const PbTrial *best;
  gint64 study_id;
  int rc;
  const GOptionEntry entries[] = {
    { "storage", 0, 0, G_OPTION_ARG_STRING, &storage_location,
      "Read studies from this storage (default: the project file)", "LOCATION" },
    { "study", 0, 0, G_OPTION_ARG_STRING, &study_name,
      "Show this study's trials (default: list the studies)", "NAME" },
    { "csv", 0, 0, G_OPTION_ARG_FILENAME, &csv_path,
      "Write the study's trials to FILE as CSV", "FILE" },
    { NULL }
  };

  g_option_context_add_main_entries (context, entries, NULL);
  if ((rc = pb_cli_parse_options (context, &argc, &argv)) != PB_CLI_EXIT_OK)
    return rc;
  if (argc != 2)
    return pb_cli_usage_error (context, "study needs exactly one PROJECT");
  if (csv_path != NULL && study_name == NULL)
    return pb_cli_usage_error (context, "--csv needs --study NAME");

  project = pb_project_open (argv[1], &error);
  if (project == NULL)
    return pb_cli_report_error (error);
  storage = pb_storage_open (storage_location != NULL ? storage_location
                                                      : pb_project_get_path (project), &error);
  if (storage == NULL)
    return pb_cli_report_error (error);

  if (study_name == NULL)
    return list_studies (storage);

  if (!pb_storage_find_study (storage, study_name, &study_id, &direction, &error) ||
      (trials = pb_storage_load_trials (storage, study_id, &error)) == NULL)
    return pb_cli_report_error (error);

  if (csv_path != NULL)
    {
      g_autofree char *csv = trials_to_csv (trials);

      if (!g_file_set_contents (csv_path, csv, -1, &error))
        return pb_cli_report_error (error);
      printf ("Wrote %u trials to %s\n", trials->len, csv_path);
      return PB_CLI_EXIT_OK;
    }

  printf ("Study %s (%s), %u trials\n", study_name,
          direction == PB_STUDY_DIRECTION_MAXIMIZE ? "maximize" : "minimize", trials->len);
  for (guint i = 0; i < trials->len; i++)
    {
      const PbTrial *t = g_ptr_array_index (trials, i);
      g_autofree char *value = format_value (t);

      printf ("%5d  %-8s %-14s", t->number, pb_trial_state_to_string (t->state), value);
      print_params (t);
      printf ("\n");
    }
  best = pb_trials_find_best (trials, direction);
  if (best != NULL)
    {
      printf ("Best trial: %d value=%.10g", best->number, best->value);
      print_params (best);
      printf ("\n");
    }
  else
    printf ("Best trial: none (no trial is complete)\n");
  return PB_CLI_EXIT_OK;
}
