/* pb-job.c — one long engine operation run in a GTask thread for a page.
 *
 * The page owns the job; the worker gets copies of what it needs, never a widget
 * (a task holding a page would keep it alive until the worker returns). Progress
 * from the worker is stored under a mutex and delivered on the main thread by at
 * most one pending idle, as the `fraction` and `message` properties; `running`
 * drops when the worker is done, and `error` says why it failed (cancellation
 * is not an error).
 *
 * A job that changes a project is started with pb_job_start_writer(): the
 * process keeps one writer job per project file, so two pages never write the
 * same project at once (pb_job_check_project_free() says who is busy), and the
 * window can ask before closing while one runs (pb_job_find_writer()).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "pb-job.h"

#include <glib/gi18n.h>

struct _PbJob
{
  GObject       parent_instance;

  GMutex        mutex;
  double        fraction;      /* under mutex */
  char         *message;       /* under mutex */
  guint         notify_source; /* under mutex */

  GCancellable *cancellable;
  GError       *error;
  gboolean      running;

  char         *title;
  char         *writing;       /* canonical project path while a writer job runs */
};

G_DEFINE_FINAL_TYPE (PbJob, pb_job, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_RUNNING,
  PROP_FRACTION,
  PROP_MESSAGE,
  N_PROPS
};

enum {
  FINISHED,
  N_SIGNALS
};

static GParamSpec *properties [N_PROPS];
static guint signals [N_SIGNALS];

/* canonical project path → the running writer #PbJob (unowned); main thread only */
static GHashTable *writers;
/* jobs running now, of every kind; main thread only */
static guint n_running;

typedef struct
{
  PbJobFunc      func;
  gpointer       data;
  GDestroyNotify data_destroy;
} PbJobCall;

static void
pb_job_call_free (PbJobCall *call)
{
  if (call->data_destroy != NULL)
    call->data_destroy (call->data);
  g_free (call);
}

static gboolean
pb_job_notify_in_idle (gpointer user_data)
{
  PbJob *self = PB_JOB (user_data);

  g_mutex_lock (&self->mutex);
  self->notify_source = 0;
  g_mutex_unlock (&self->mutex);

  g_object_notify_by_pspec (G_OBJECT (self), properties [PROP_FRACTION]);
  g_object_notify_by_pspec (G_OBJECT (self), properties [PROP_MESSAGE]);

  return G_SOURCE_REMOVE;
}

static void
pb_job_set_running (PbJob    *self,
                    gboolean  running)
{
  if (self->running == running)
    return;

  self->running = running;
  if (running)
    n_running++;
  else
    n_running--;
  g_object_notify_by_pspec (G_OBJECT (self), properties [PROP_RUNNING]);
}

static void
pb_job_worker (GTask        *task,
               gpointer      source_object,
               gpointer      task_data,
               GCancellable *cancellable)
{
  PbJobCall *call = task_data;
  GError *error = NULL;

  if (call->func (PB_JOB (source_object), call->data, cancellable, &error))
    g_task_return_boolean (task, TRUE);
  else
    g_task_return_error (task, error);
}

static void
pb_job_run_cb (GObject      *object,
               GAsyncResult *result,
               gpointer      user_data)
{
  PbJob *self = PB_JOB (object);
  g_autoptr(GError) error = NULL;
  gboolean ok;

  ok = g_task_propagate_boolean (G_TASK (result), &error);
  if (!ok && !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    self->error = g_steal_pointer (&error);

  if (self->writing != NULL)
    {
      g_hash_table_remove (writers, self->writing);
      g_clear_pointer (&self->writing, g_free);
    }

  pb_job_set_running (self, FALSE);
  g_signal_emit (self, signals [FINISHED], 0, ok);
}

static void
pb_job_finalize (GObject *object)
{
  PbJob *self = (PbJob *)object;

  g_clear_object (&self->cancellable);
  g_clear_error (&self->error);
  g_clear_pointer (&self->message, g_free);
  g_clear_pointer (&self->title, g_free);
  g_assert (self->writing == NULL);
  g_mutex_clear (&self->mutex);

  G_OBJECT_CLASS (pb_job_parent_class)->finalize (object);
}

static void
pb_job_get_property (GObject    *object,
                     guint       prop_id,
                     GValue     *value,
                     GParamSpec *pspec)
{
  PbJob *self = PB_JOB (object);

  switch (prop_id)
    {
    case PROP_RUNNING:
      g_value_set_boolean (value, self->running);
      break;

    case PROP_FRACTION:
      g_value_set_double (value, pb_job_get_fraction (self));
      break;

    case PROP_MESSAGE:
      g_value_take_string (value, pb_job_dup_message (self));
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
pb_job_class_init (PbJobClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = pb_job_finalize;
  object_class->get_property = pb_job_get_property;

  properties [PROP_RUNNING] =
    g_param_spec_boolean ("running", NULL, NULL, FALSE,
                          (G_PARAM_READABLE | G_PARAM_STATIC_STRINGS));
  properties [PROP_FRACTION] =
    g_param_spec_double ("fraction", NULL, NULL, 0.0, 1.0, 0.0,
                         (G_PARAM_READABLE | G_PARAM_STATIC_STRINGS));
  properties [PROP_MESSAGE] =
    g_param_spec_string ("message", NULL, NULL, NULL,
                         (G_PARAM_READABLE | G_PARAM_STATIC_STRINGS));
  g_object_class_install_properties (object_class, N_PROPS, properties);

  /**
   * PbJob::finished:
   * @success: whether the work completed (FALSE when it failed or was cancelled)
   */
  signals [FINISHED] =
    g_signal_new ("finished", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                  NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_BOOLEAN);
}

static void
pb_job_init (PbJob *self)
{
  g_mutex_init (&self->mutex);
}

PbJob *
pb_job_new (void)
{
  return g_object_new (PB_TYPE_JOB, NULL);
}

/**
 * pb_job_start:
 * @self: a #PbJob that is not running
 * @func: (scope async): the work, run in a worker thread
 * @data: (transfer full): what @func needs
 * @data_destroy: frees @data once the work is over
 *
 * Starts work that only reads (loading a page); see pb_job_start_writer().
 */
void
pb_job_start (PbJob          *self,
              PbJobFunc       func,
              gpointer        data,
              GDestroyNotify  data_destroy)
{
  g_autoptr(GTask) task = NULL;
  PbJobCall *call;

  g_return_if_fail (PB_IS_JOB (self));
  g_return_if_fail (!self->running);

  g_clear_object (&self->cancellable);
  self->cancellable = g_cancellable_new ();
  g_clear_error (&self->error);

  g_mutex_lock (&self->mutex);
  self->fraction = 0;
  g_clear_pointer (&self->message, g_free);
  g_mutex_unlock (&self->mutex);

  call = g_new0 (PbJobCall, 1);
  call->func = func;
  call->data = data;
  call->data_destroy = data_destroy;

  task = g_task_new (self, self->cancellable, pb_job_run_cb, NULL);
  g_task_set_task_data (task, call, (GDestroyNotify) pb_job_call_free);
  g_task_run_in_thread (task, pb_job_worker);

  pb_job_set_running (self, TRUE);
}

/**
 * pb_job_find_writer:
 * @project_path: a project file
 *
 * Returns: (transfer none) (nullable): the job now changing @project_path
 */
PbJob *
pb_job_find_writer (const char *project_path)
{
  g_autofree char *key = NULL;

  g_return_val_if_fail (project_path != NULL, NULL);

  if (writers == NULL)
    return NULL;

  key = g_canonicalize_filename (project_path, NULL);
  return g_hash_table_lookup (writers, key);
}

/**
 * pb_job_check_project_free:
 * @project_path: a project file
 * @error: return location for a %G_IO_ERROR_BUSY error naming the running job
 *
 * Returns: %TRUE if no writer job runs on @project_path
 */
gboolean
pb_job_check_project_free (const char  *project_path,
                           GError     **error)
{
  PbJob *busy = pb_job_find_writer (project_path);

  if (busy == NULL)
    return TRUE;

  g_set_error (error, G_IO_ERROR, G_IO_ERROR_BUSY,
               _("“%s” is still running on this project: wait for it to finish or stop it first"),
               busy->title != NULL ? busy->title : _("Another job"));
  return FALSE;
}

/**
 * pb_job_start_writer:
 * @self: a #PbJob that is not running
 * @project_path: the project @func changes
 * @func: (scope async): the work, run in a worker thread
 * @data: (transfer full): what @func needs
 * @data_destroy: frees @data once the work is over
 * @error: return location for an error
 *
 * Like pb_job_start() for work that changes @project_path, unless another
 * writer job is already changing it: then @data is freed, nothing starts and
 * @error says which job is busy (check first with pb_job_check_project_free()
 * to fail before preparing anything).
 *
 * Returns: %TRUE if the job started
 */
gboolean
pb_job_start_writer (PbJob           *self,
                     const char      *project_path,
                     PbJobFunc        func,
                     gpointer         data,
                     GDestroyNotify   data_destroy,
                     GError         **error)
{
  g_return_val_if_fail (PB_IS_JOB (self), FALSE);
  g_return_val_if_fail (!self->running, FALSE);
  g_return_val_if_fail (project_path != NULL, FALSE);

  if (!pb_job_check_project_free (project_path, error))
    {
      if (data_destroy != NULL)
        data_destroy (data);
      return FALSE;
    }

  if (writers == NULL)
    writers = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  self->writing = g_canonicalize_filename (project_path, NULL);
  g_hash_table_insert (writers, g_strdup (self->writing), self);

  pb_job_start (self, func, data, data_destroy);
  return TRUE;
}

/**
 * pb_job_count_running:
 *
 * Returns: how many jobs of this process are running (loading or writing)
 */
guint
pb_job_count_running (void)
{
  return n_running;
}

/**
 * pb_job_set_title:
 * @self: a #PbJob
 * @title: what the job is, for messages: the name of its page (“Tune”)
 */
void
pb_job_set_title (PbJob      *self,
                  const char *title)
{
  g_return_if_fail (PB_IS_JOB (self));

  g_free (self->title);
  self->title = g_strdup (title);
}

const char *
pb_job_get_title (PbJob *self)
{
  g_return_val_if_fail (PB_IS_JOB (self), NULL);

  return self->title;
}

void
pb_job_cancel (PbJob *self)
{
  g_return_if_fail (PB_IS_JOB (self));

  if (self->cancellable != NULL)
    g_cancellable_cancel (self->cancellable);
}

gboolean
pb_job_get_running (PbJob *self)
{
  g_return_val_if_fail (PB_IS_JOB (self), FALSE);

  return self->running;
}

double
pb_job_get_fraction (PbJob *self)
{
  double fraction;

  g_return_val_if_fail (PB_IS_JOB (self), 0);

  g_mutex_lock (&self->mutex);
  fraction = self->fraction;
  g_mutex_unlock (&self->mutex);

  return fraction;
}

char *
pb_job_dup_message (PbJob *self)
{
  char *message;

  g_return_val_if_fail (PB_IS_JOB (self), NULL);

  g_mutex_lock (&self->mutex);
  message = g_strdup (self->message);
  g_mutex_unlock (&self->mutex);

  return message;
}

/**
 * pb_job_get_error:
 * @self: a #PbJob
 *
 * Returns: (nullable): why the last run failed; %NULL after success or cancel
 */
const GError *
pb_job_get_error (PbJob *self)
{
  g_return_val_if_fail (PB_IS_JOB (self), NULL);

  return self->error;
}

/**
 * pb_job_report:
 * @fraction: 0…1, negative when unknown
 * @message: (nullable): status line
 * @details: ignored here; pages that need details wrap this
 * @job: the #PbJob
 *
 * A #PbProgressFunc: call it from the worker (or pass it to engine calls with
 * the job as user data).
 */
void
pb_job_report (double        fraction,
               const char   *message,
               gconstpointer details,
               gpointer      job)
{
  PbJob *self = PB_JOB (job);

  g_mutex_lock (&self->mutex);
  if (fraction >= 0)
    self->fraction = CLAMP (fraction, 0.0, 1.0);
  if (message != NULL && g_strcmp0 (message, self->message) != 0)
    {
      g_free (self->message);
      self->message = g_strdup (message);
    }
  if (self->notify_source == 0)
    self->notify_source = g_idle_add_full (G_PRIORITY_LOW, pb_job_notify_in_idle,
                                           g_object_ref (self), g_object_unref);
  g_mutex_unlock (&self->mutex);
}
