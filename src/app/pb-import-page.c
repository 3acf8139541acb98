/* pb-import-page.c — the Import page: choose a source (a synthetic cohort, an
 * SQLite file or a PostgreSQL database), test the connection, run the import
 * with progress and cancel, and show what the project holds afterwards.
 *
 * A PostgreSQL password is asked for only when libpq says the server wants one
 * (pb_source_probe_postgres). It lives in this page's memory while the
 * connection string stays the same, travels to the worker as a copy that is
 * wiped after use, and is never written to the project, the settings or a log.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "pb-import-page.h"

#include "pb-source-connect.h"

#include <glib/gi18n.h>

/* What the worker found; shared by the page and the worker, read by the page
 * once the job has finished. */
typedef struct _ImportResult
{
  gboolean        test_only;
  PbImportCounts  counts;
  PbSourceProbe   probe;
} ImportResult;

struct _PbImportPage
{
  PbPage           parent_instance;

  PbJob           *job;
  ImportResult    *result;         /* of the running or last job */
  char            *password;       /* for the current connection string only */
  char            *status;
  PbImportRecord  *record;         /* latest import in the project */

  AdwComboRow     *source_row;
  AdwActionRow    *stays_row;
  AdwActionRow    *seed_row;
  GtkSpinButton   *stays_spin;
  GtkSpinButton   *seed_spin;
  AdwEntryRow     *file_row;
  AdwEntryRow     *conninfo_row;
  AdwEntryRow     *schema_row;
  AdwActionRow    *test_row;
  GtkProgressBar  *progress_bar;
  GtkLabel        *error_label;
  AdwPreferencesGroup *result_group;
  AdwActionRow    *provenance_row;
  AdwActionRow    *when_row;
  GtkListBox      *counts_list;
};

G_DEFINE_FINAL_TYPE (PbImportPage, pb_import_page, PB_TYPE_PAGE)

static void
import_result_clear (ImportResult *result)
{
  pb_source_probe_clear (&result->probe);
}

static ImportResult *
import_result_new (gboolean test_only)
{
  ImportResult *result = g_atomic_rc_box_new0 (ImportResult);

  result->test_only = test_only;
  return result;
}

static void
import_result_unref (ImportResult *result)
{
  g_atomic_rc_box_release_full (result, (GDestroyNotify) import_result_clear);
}

/* A copy of everything the worker needs: never a widget. */
typedef struct
{
  char           *project_path;
  PbImportSource  source;
  PbSynthParams   synth;
  char           *location;   /* SQLite file or connection string */
  char           *schema;
  char           *password;   /* wiped when freed */
  ImportResult   *result;
} ImportCall;

static void
import_call_free (ImportCall *call)
{
  g_free (call->project_path);
  g_free (call->location);
  g_free (call->schema);
  pb_source_secret_free (call->password);
  g_clear_pointer (&call->result, import_result_unref);
  g_free (call);
}

static gboolean
import_worker (PbJob         *job,
               gpointer       data,
               GCancellable  *cancellable,
               GError       **error)
{
  ImportCall *call = data;
  ImportResult *result = call->result;
  g_autoptr(PbProject) project = NULL;
  char *conninfo;
  gboolean ok;

  if (call->source == PB_IMPORT_SOURCE_POSTGRES)
    {
      pb_job_report (0.0, _("Connecting…"), NULL, job);
      if (!pb_source_probe_postgres (call->location, call->password, call->schema,
                                     &result->probe, error))
        return FALSE;
      if (result->test_only)
        return TRUE;
    }

  project = pb_project_open (call->project_path, error);
  if (project == NULL)
    return FALSE;

  switch (call->source)
    {
    case PB_IMPORT_SOURCE_SYNTHETIC:
      return pb_source_import_synthetic (project, &call->synth, &result->counts,
                                         pb_job_report, job, cancellable, error);

    case PB_IMPORT_SOURCE_SQLITE:
      return pb_source_import_sqlite (project, call->location, &result->counts,
                                      pb_job_report, job, cancellable, error);

    case PB_IMPORT_SOURCE_POSTGRES:
      conninfo = pb_source_conninfo_with_password (call->location, call->password, error);
      if (conninfo == NULL)
        return FALSE;
      ok = pb_source_import_postgres (project, conninfo, call->schema, &result->counts,
                                      pb_job_report, job, cancellable, error);
      pb_source_secret_free (conninfo);
      return ok;

    default:
      g_assert_not_reached ();
    }
}

static PbImportSource
get_source (PbImportPage *self)
{
  return (PbImportSource) adw_combo_row_get_selected (self->source_row);
}

static void
clear_password (PbImportPage *self)
{
  g_clear_pointer (&self->password, pb_source_secret_free);
}

static void
set_status (PbImportPage *self,
            const char   *message,
            gboolean      is_error)
{
  g_free (self->status);
  self->status = g_strdup (message);

  gtk_label_set_text (self->error_label, message != NULL ? message : "");
  gtk_widget_set_visible (GTK_WIDGET (self->error_label), message != NULL);
  if (is_error)
    gtk_widget_add_css_class (GTK_WIDGET (self->error_label), "error");
  else
    gtk_widget_remove_css_class (GTK_WIDGET (self->error_label), "error");
}

static void
show_error (PbImportPage *self,
            const char   *message)
{
  set_status (self, message, TRUE);
  /* outside a window (tests) there is no win.toast: the inline label says it */
  pb_page_toast (PB_PAGE (self), message);
}

static void
update_actions (PbImportPage *self)
{
  gboolean running = pb_job_get_running (self->job);
  gboolean have_project = pb_page_get_project (PB_PAGE (self)) != NULL;
  gboolean postgres = get_source (self) == PB_IMPORT_SOURCE_POSTGRES;

  gtk_widget_action_set_enabled (GTK_WIDGET (self), "import.start", have_project && !running);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "import.cancel", running);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "import.test-connection",
                                 postgres && !running);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "import.choose-file", !running);
}

static GtkWidget *
make_count_row (const char *title,
                const char *table,
                gint64      n)
{
  GtkWidget *row = adw_action_row_new ();
  g_autofree char *text = g_strdup_printf ("%" G_GINT64_FORMAT, n);
  GtkWidget *label = gtk_label_new (text);

  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), title);
  adw_action_row_set_subtitle (ADW_ACTION_ROW (row), table);
  gtk_widget_add_css_class (label, "numeric");
  adw_action_row_add_suffix (ADW_ACTION_ROW (row), label);
  g_object_set_data_full (G_OBJECT (row), "pb-table", g_strdup (table), g_free);
  g_object_set_data_full (G_OBJECT (row), "pb-n", g_memdup2 (&n, sizeof n), g_free);

  return row;
}

/* Shows the project's latest import (or says there is none). */
static void
reload (PbImportPage *self)
{
  PbProject *project = pb_page_get_project (PB_PAGE (self));
  g_autoptr(GError) error = NULL;
  GtkWidget *child;
  PbImportRecord *record;

  g_clear_pointer (&self->record, pb_import_record_free);
  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self->counts_list))) != NULL)
    gtk_list_box_remove (self->counts_list, child);

  record = project != NULL ? pb_source_dup_latest_import (project, &error) : NULL;
  self->record = record;

  gtk_widget_set_visible (GTK_WIDGET (self->provenance_row), record != NULL);
  gtk_widget_set_visible (GTK_WIDGET (self->when_row), record != NULL);
  gtk_widget_set_visible (GTK_WIDGET (self->counts_list), record != NULL);

  if (error != NULL)
    {
      g_autofree char *message = g_strdup_printf (_("Cannot read the import provenance: %s"),
                                                  error->message);
      adw_preferences_group_set_description (self->result_group, message);
      return;
    }

  if (record == NULL)
    {
      adw_preferences_group_set_description (self->result_group,
                                             _("Nothing imported yet: choose a source and press Import."));
      return;
    }

  {
    g_autofree char *source = NULL;
    g_autofree char *when = NULL;
    g_autoptr(GDateTime) utc = g_date_time_new_from_iso8601 (record->started_at, NULL);
    g_autoptr(GDateTime) local = utc != NULL ? g_date_time_to_local (utc) : NULL;
    g_autofree char *time = local != NULL ? g_date_time_format (local, "%Y-%m-%d %H:%M") : NULL;

    if (g_str_equal (record->kind, "postgres"))
      source = g_strdup_printf (_("PostgreSQL, schema %s: %s"), record->schema, record->source);
    else
      source = g_strdup (record->source);
    adw_action_row_set_subtitle (self->provenance_row, source);

    when = g_strdup_printf (_("%s, in %.1f s"), time != NULL ? time : record->started_at,
                            record->seconds);
    adw_action_row_set_subtitle (self->when_row, when);
  }

  adw_preferences_group_set_description (self->result_group,
                                         _("Rows of the four extraction queries now in the project"));
  gtk_list_box_append (self->counts_list,
                       make_count_row (_("ICU stays"), "raw_icustay", record->counts.icustays));
  gtk_list_box_append (self->counts_list,
                       make_count_row (_("Blood-gas rows"), "raw_bg", record->counts.bg));
  gtk_list_box_append (self->counts_list,
                       make_count_row (_("Lab rows"), "raw_lab", record->counts.lab));
  gtk_list_box_append (self->counts_list,
                       make_count_row (_("Vital-sign rows"), "raw_vital", record->counts.vital));
}

static void
start_job (PbImportPage *self,
           gboolean      test_only)
{
  PbProject *project = pb_page_get_project (PB_PAGE (self));
  PbImportSource source = get_source (self);
  ImportCall *call;

  if (pb_job_get_running (self->job))
    return;
  if (project == NULL && !test_only)
    return;
  if (!test_only && !pb_page_check_project_free (PB_PAGE (self)))
    return;

  call = g_new0 (ImportCall, 1);
  call->project_path = project != NULL ? g_strdup (pb_project_get_path (project)) : NULL;
  call->source = source;
  pb_synth_params_init (&call->synth);
  call->synth.n_stays = (guint) gtk_spin_button_get_value_as_int (self->stays_spin);
  call->synth.seed = (guint64) gtk_spin_button_get_value (self->seed_spin);
  call->synth.schema = NULL;
  call->schema = g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (self->schema_row))));
  if (*call->schema == '\0')
    g_clear_pointer (&call->schema, g_free);
  call->password = g_strdup (self->password);
  call->result = import_result_new (test_only);

  switch (source)
    {
    case PB_IMPORT_SOURCE_SYNTHETIC:
      break;

    case PB_IMPORT_SOURCE_SQLITE:
      call->location = g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (self->file_row))));
      if (*call->location == '\0')
        {
          show_error (self, _("Choose the SQLite file to import first."));
          import_call_free (call);
          return;
        }
      break;

    case PB_IMPORT_SOURCE_POSTGRES:
      call->location = g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (self->conninfo_row))));
      break;

    default:
      g_assert_not_reached ();
    }

  g_clear_pointer (&self->result, import_result_unref);
  self->result = g_atomic_rc_box_acquire (call->result);

  set_status (self, NULL, FALSE);
  if (test_only)
    adw_action_row_set_subtitle (self->test_row, _("Connecting…"));
  if (test_only)
    pb_job_start (self->job, import_worker, call, (GDestroyNotify) import_call_free);
  else
    pb_page_start_writer (PB_PAGE (self), self->job, import_worker, call,
                          (GDestroyNotify) import_call_free);
}

/* ---- password dialog ------------------------------------------------------------ */

static void
on_password_response_cb (AdwMessageDialog *dialog,
                         const char       *response,
                         gpointer          user_data)
{
  PbImportPage *self = PB_IMPORT_PAGE (user_data);
  GtkEditable *entry = g_object_get_data (G_OBJECT (dialog), "pb-entry");
  gboolean test_only = GPOINTER_TO_INT (g_object_get_data (G_OBJECT (dialog), "pb-test-only"));

  if (entry == NULL)   /* answered already */
    return;
  g_object_set_data (G_OBJECT (dialog), "pb-entry", NULL);

  if (g_str_equal (response, "connect"))
    {
      clear_password (self);
      self->password = g_strdup (gtk_editable_get_text (entry));
    }
  gtk_editable_set_text (entry, "");

  if (g_str_equal (response, "connect"))
    start_job (self, test_only);
  else
    {
      const char *message = _("No password given: nothing was imported.");

      set_status (self, message, FALSE);
      if (test_only)
        adw_action_row_set_subtitle (self->test_row, message);
    }
}

static void
ask_password (PbImportPage *self,
              gboolean      rejected,
              gboolean      test_only)
{
  GtkRoot *root = gtk_widget_get_root (GTK_WIDGET (self));
  const char *where = self->result->probe.description;
  g_autofree char *body = NULL;
  GtkWidget *dialog;
  GtkWidget *entry;

  if (rejected)
    body = g_strdup_printf (_("The server refused the password for %s. Try again; the password is used for this connection only and never stored."),
                            where != NULL ? where : "");
  else
    body = g_strdup_printf (_("The server asks for a password for %s. It is used for this connection only and never stored."),
                            where != NULL ? where : "");

  dialog = adw_message_dialog_new (GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL,
                                   _("PostgreSQL Password"), body);
  /* A masked GtkEntry rather than GtkPasswordEntry (or AdwPasswordEntryRow):
   * on GTK 4.8 + libadwaita 1.2 either of those inside an AdwMessageDialog
   * makes its closing cast a dangling pointer ("invalid unclassed pointer in
   * cast to 'GtkPasswordEntry'"), checked with a 30-line program. */
  entry = gtk_entry_new ();
  gtk_entry_set_visibility (GTK_ENTRY (entry), FALSE);
  gtk_entry_set_input_purpose (GTK_ENTRY (entry), GTK_INPUT_PURPOSE_PASSWORD);
  gtk_entry_set_input_hints (GTK_ENTRY (entry), GTK_INPUT_HINT_NO_SPELLCHECK | GTK_INPUT_HINT_PRIVATE);
  gtk_entry_set_activates_default (GTK_ENTRY (entry), TRUE);
  gtk_entry_set_placeholder_text (GTK_ENTRY (entry), _("Password"));
  adw_message_dialog_set_extra_child (ADW_MESSAGE_DIALOG (dialog), entry);
  adw_message_dialog_add_responses (ADW_MESSAGE_DIALOG (dialog),
                                    "cancel", _("_Cancel"),
                                    "connect", _("C_onnect"),
                                    NULL);
  adw_message_dialog_set_response_appearance (ADW_MESSAGE_DIALOG (dialog), "connect",
                                              ADW_RESPONSE_SUGGESTED);
  adw_message_dialog_set_default_response (ADW_MESSAGE_DIALOG (dialog), "connect");
  adw_message_dialog_set_close_response (ADW_MESSAGE_DIALOG (dialog), "cancel");
  g_object_set_data (G_OBJECT (dialog), "pb-entry", entry);
  g_object_set_data (G_OBJECT (dialog), "pb-test-only", GINT_TO_POINTER (test_only));
  g_signal_connect_object (dialog, "response", G_CALLBACK (on_password_response_cb), self, 0);
  gtk_window_present (GTK_WINDOW (dialog));
}

/* ---- job callbacks ----------------------------------------------------------------- */

static void
on_job_running_cb (PbImportPage *self)
{
  update_actions (self);
}

static void
on_job_progress_cb (PbImportPage *self)
{
  pb_page_show_job_progress (PB_PAGE (self), self->job, self->progress_bar);
}

static void
on_job_finished_cb (PbImportPage *self,
                    gboolean      success)
{
  const GError *error = pb_job_get_error (self->job);
  ImportResult *result = self->result;
  gboolean test_only = result != NULL && result->test_only;

  if (result != NULL && (result->probe.needs_password || result->probe.password_rejected))
    {
      gboolean rejected = result->probe.password_rejected;

      clear_password (self);
      gtk_progress_bar_set_text (self->progress_bar, _("Waiting for the password"));
      if (test_only)
        adw_action_row_set_subtitle (self->test_row, _("The server needs a password"));
      ask_password (self, rejected, test_only);
      return;
    }

  if (test_only)
    {
      g_autofree char *text = NULL;

      if (success)
        {
          const char *schema = gtk_editable_get_text (GTK_EDITABLE (self->schema_row));

          if (*schema == '\0')
            schema = "mimiciii";
          if (result->probe.schema_found)
            text = g_strdup_printf (_("Connected to PostgreSQL %s (%s); schema %s found"),
                                    result->probe.server_version, result->probe.description,
                                    schema);
          else
            text = g_strdup_printf (_("Connected to PostgreSQL %s (%s), but schema %s does not exist"),
                                    result->probe.server_version, result->probe.description,
                                    schema);
          set_status (self, NULL, FALSE);
        }
      else if (error != NULL)
        {
          text = g_strdup_printf (_("Connection failed: %s"), error->message);
          show_error (self, text);
        }
      else
        text = g_strdup (_("Connection test cancelled"));

      g_free (self->status);
      self->status = g_strdup (text);
      adw_action_row_set_subtitle (self->test_row, text);
      gtk_progress_bar_set_fraction (self->progress_bar, 0);
      gtk_progress_bar_set_text (self->progress_bar, _("Idle"));
      return;
    }

  if (success)
    {
      g_autofree char *n = g_strdup_printf ("%" G_GINT64_FORMAT, result->counts.icustays);
      g_autofree char *text = g_strdup_printf (_("Imported %s ICU stays in %.1f s"),
                                               n, result->counts.seconds);

      gtk_progress_bar_set_fraction (self->progress_bar, 1.0);
      gtk_progress_bar_set_text (self->progress_bar, text);
      set_status (self, NULL, FALSE);
      g_free (self->status);
      self->status = g_steal_pointer (&text);
      reload (self);
    }
  else if (error != NULL)
    {
      g_autofree char *text = g_strdup_printf (_("Import failed: %s"), error->message);

      gtk_progress_bar_set_fraction (self->progress_bar, 0);
      gtk_progress_bar_set_text (self->progress_bar, _("Failed; the project is unchanged"));
      show_error (self, text);
    }
  else
    {
      gtk_progress_bar_set_fraction (self->progress_bar, 0);
      gtk_progress_bar_set_text (self->progress_bar, _("Cancelled"));
      set_status (self, _("Import cancelled; the project is unchanged."), FALSE);
    }
}

/* ---- template callbacks and actions --------------------------------------------- */

static void
on_source_changed_cb (PbImportPage *self)
{
  PbImportSource source = get_source (self);
  gboolean synthetic = source == PB_IMPORT_SOURCE_SYNTHETIC;
  gboolean postgres = source == PB_IMPORT_SOURCE_POSTGRES;

  gtk_widget_set_visible (GTK_WIDGET (self->stays_row), synthetic);
  gtk_widget_set_visible (GTK_WIDGET (self->seed_row), synthetic);
  gtk_widget_set_visible (GTK_WIDGET (self->file_row), source == PB_IMPORT_SOURCE_SQLITE);
  gtk_widget_set_visible (GTK_WIDGET (self->conninfo_row), postgres);
  gtk_widget_set_visible (GTK_WIDGET (self->schema_row), postgres);
  gtk_widget_set_visible (GTK_WIDGET (self->test_row), postgres);
  clear_password (self);
  set_status (self, NULL, FALSE);
  update_actions (self);
}

static void
on_conninfo_changed_cb (PbImportPage *self)
{
  /* a password belongs to one connection */
  clear_password (self);
}

static void
on_file_chosen_cb (GtkNativeDialog *dialog,
                   int              response,
                   gpointer         user_data)
{
  PbImportPage *self = PB_IMPORT_PAGE (user_data);

  if (response == GTK_RESPONSE_ACCEPT)
    {
      g_autoptr(GFile) file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (dialog));
      g_autofree char *path = file != NULL ? g_file_get_path (file) : NULL;

      if (path != NULL)
        gtk_editable_set_text (GTK_EDITABLE (self->file_row), path);
    }
  g_object_unref (dialog);
}

static void
choose_file_action (GtkWidget  *widget,
                    const char *action_name,
                    GVariant   *parameter)
{
  PbImportPage *self = PB_IMPORT_PAGE (widget);
  GtkRoot *root = gtk_widget_get_root (widget);
  GtkFileChooserNative *dialog;
  g_autoptr(GtkFileFilter) filter = gtk_file_filter_new ();
  g_autoptr(GtkFileFilter) all = gtk_file_filter_new ();

  gtk_file_filter_set_name (filter, _("SQLite databases"));
  gtk_file_filter_add_pattern (filter, "*.sqlite");
  gtk_file_filter_add_pattern (filter, "*.sqlite3");
  gtk_file_filter_add_pattern (filter, "*.db");
  gtk_file_filter_set_name (all, _("All files"));
  gtk_file_filter_add_pattern (all, "*");

  dialog = gtk_file_chooser_native_new (_("Choose the MIMIC-III SQLite File"),
                                        GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL,
                                        GTK_FILE_CHOOSER_ACTION_OPEN, _("_Choose"), _("_Cancel"));
  gtk_file_chooser_add_filter (GTK_FILE_CHOOSER (dialog), filter);
  gtk_file_chooser_add_filter (GTK_FILE_CHOOSER (dialog), all);
  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (dialog), TRUE);
  g_signal_connect_object (dialog, "response", G_CALLBACK (on_file_chosen_cb), self, 0);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (dialog));
}

static void
start_action (GtkWidget  *widget,
              const char *action_name,
              GVariant   *parameter)
{
  start_job (PB_IMPORT_PAGE (widget), FALSE);
}

static void
test_connection_action (GtkWidget  *widget,
                        const char *action_name,
                        GVariant   *parameter)
{
  start_job (PB_IMPORT_PAGE (widget), TRUE);
}

static void
cancel_action (GtkWidget  *widget,
               const char *action_name,
               GVariant   *parameter)
{
  pb_job_cancel (PB_IMPORT_PAGE (widget)->job);
}

static void
pb_import_page_project_changed (PbPage    *page,
                                PbProject *project)
{
  PbImportPage *self = PB_IMPORT_PAGE (page);

  pb_job_cancel (self->job);
  clear_password (self);
  set_status (self, NULL, FALSE);
  reload (self);
  update_actions (self);
}

static void
pb_import_page_dispose (GObject *object)
{
  PbImportPage *self = (PbImportPage *)object;

  if (self->job != NULL)
    pb_job_cancel (self->job);
  gtk_widget_dispose_template (GTK_WIDGET (self), PB_TYPE_IMPORT_PAGE);
  g_clear_object (&self->job);
  g_clear_pointer (&self->result, import_result_unref);
  g_clear_pointer (&self->record, pb_import_record_free);
  clear_password (self);

  G_OBJECT_CLASS (pb_import_page_parent_class)->dispose (object);
}

static void
pb_import_page_finalize (GObject *object)
{
  PbImportPage *self = (PbImportPage *)object;

  g_free (self->status);

  G_OBJECT_CLASS (pb_import_page_parent_class)->finalize (object);
}

static void
pb_import_page_class_init (PbImportPageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  PbPageClass *page_class = PB_PAGE_CLASS (klass);

  object_class->dispose = pb_import_page_dispose;
  object_class->finalize = pb_import_page_finalize;
  page_class->project_changed = pb_import_page_project_changed;

  gtk_widget_class_set_template_from_resource (widget_class,
                                               RESOURCE_PREFIX "/ui/pb-import-page.ui");
  gtk_widget_class_bind_template_child (widget_class, PbImportPage, source_row);
  gtk_widget_class_bind_template_child (widget_class, PbImportPage, stays_row);
  gtk_widget_class_bind_template_child (widget_class, PbImportPage, seed_row);
  gtk_widget_class_bind_template_child (widget_class, PbImportPage, stays_spin);
  gtk_widget_class_bind_template_child (widget_class, PbImportPage, seed_spin);
  gtk_widget_class_bind_template_child (widget_class, PbImportPage, file_row);
  gtk_widget_class_bind_template_child (widget_class, PbImportPage, conninfo_row);
  gtk_widget_class_bind_template_child (widget_class, PbImportPage, schema_row);
  gtk_widget_class_bind_template_child (widget_class, PbImportPage, test_row);
  gtk_widget_class_bind_template_child (widget_class, PbImportPage, progress_bar);
  gtk_widget_class_bind_template_child (widget_class, PbImportPage, error_label);
  gtk_widget_class_bind_template_child (widget_class, PbImportPage, result_group);
  gtk_widget_class_bind_template_child (widget_class, PbImportPage, provenance_row);
  gtk_widget_class_bind_template_child (widget_class, PbImportPage, when_row);
  gtk_widget_class_bind_template_child (widget_class, PbImportPage, counts_list);
  gtk_widget_class_bind_template_callback (widget_class, on_source_changed_cb);
  gtk_widget_class_bind_template_callback (widget_class, on_conninfo_changed_cb);

  gtk_widget_class_install_action (widget_class, "import.start", NULL, start_action);
  gtk_widget_class_install_action (widget_class, "import.cancel", NULL, cancel_action);
  gtk_widget_class_install_action (widget_class, "import.test-connection", NULL,
                                   test_connection_action);
  gtk_widget_class_install_action (widget_class, "import.choose-file", NULL, choose_file_action);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "import.cancel", NULL);
}

static void
pb_import_page_init (PbImportPage *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));

  self->job = pb_job_new ();
  pb_job_set_title (self->job, _("Import"));
  g_signal_connect_object (self->job, "notify::running", G_CALLBACK (on_job_running_cb),
                           self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->job, "notify::fraction", G_CALLBACK (on_job_progress_cb),
                           self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->job, "finished", G_CALLBACK (on_job_finished_cb),
                           self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self, "map", G_CALLBACK (reload), self, G_CONNECT_SWAPPED);

  on_source_changed_cb (self);
  reload (self);
}

PbPage *
pb_import_page_new (void)
{
  return g_object_new (PB_TYPE_IMPORT_PAGE, NULL);
}

/**
 * pb_import_page_get_job:
 * @self: a #PbImportPage
 *
 * Returns: (transfer none): the page's job (tests wait on its `running`)
 */
PbJob *
pb_import_page_get_job (PbImportPage *self)
{
  g_return_val_if_fail (PB_IS_IMPORT_PAGE (self), NULL);

  return self->job;
}

void
pb_import_page_set_source (PbImportPage   *self,
                           PbImportSource  source)
{
  g_return_if_fail (PB_IS_IMPORT_PAGE (self));
  g_return_if_fail (source <= PB_IMPORT_SOURCE_POSTGRES);

  adw_combo_row_set_selected (self->source_row, source);
}

void
pb_import_page_set_synthetic (PbImportPage *self,
                              guint         n_stays,
                              guint64       seed)
{
  g_return_if_fail (PB_IS_IMPORT_PAGE (self));

  gtk_spin_button_set_value (self->stays_spin, n_stays);
  gtk_spin_button_set_value (self->seed_spin, (double) seed);
}

/**
 * pb_import_page_set_location:
 * @self: a #PbImportPage
 * @location: an SQLite file or a connection string, for the current source
 * @schema: (nullable): the PostgreSQL schema
 */
void
pb_import_page_set_location (PbImportPage *self,
                             const char   *location,
                             const char   *schema)
{
  g_return_if_fail (PB_IS_IMPORT_PAGE (self));

  if (get_source (self) == PB_IMPORT_SOURCE_SQLITE)
    gtk_editable_set_text (GTK_EDITABLE (self->file_row), location);
  else
    gtk_editable_set_text (GTK_EDITABLE (self->conninfo_row), location);
  if (schema != NULL)
    gtk_editable_set_text (GTK_EDITABLE (self->schema_row), schema);
}

/**
 * pb_import_page_get_status:
 * @self: a #PbImportPage
 *
 * Returns: (nullable): what the last run or connection test said, errors included
 */
const char *
pb_import_page_get_status (PbImportPage *self)
{
  g_return_val_if_fail (PB_IS_IMPORT_PAGE (self), NULL);

  return self->status;
}

/**
 * pb_import_page_get_count:
 * @self: a #PbImportPage
 * @table: "raw_icustay", "raw_bg", "raw_lab" or "raw_vital"
 *
 * Returns: the rows the page shows for @table, or -1 when it shows none
 */
gint64
pb_import_page_get_count (PbImportPage *self,
                          const char   *table)
{
  g_return_val_if_fail (PB_IS_IMPORT_PAGE (self), -1);

  for (GtkWidget *row = gtk_widget_get_first_child (GTK_WIDGET (self->counts_list));
       row != NULL; row = gtk_widget_get_next_sibling (row))
    {
      const char *name = g_object_get_data (G_OBJECT (row), "pb-table");
      const gint64 *n = g_object_get_data (G_OBJECT (row), "pb-n");

      if (name != NULL && n != NULL && g_str_equal (name, table))
        return *n;
    }
  return -1;
}
