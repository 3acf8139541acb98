/* pb-figure-run.c — training curves from the `runs` / `epoch_metrics` tables
 * (one run) or a PbCvResult (one series per fold, as the Cross-validation
 * page draws them).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "pb-figure-run.h"

#include "pb-figure-private.h"

#include "pb-error.h"

#include <glib/gi18n-lib.h>
#include <math.h>

typedef enum
{
  VALUE_LOSS_TRAIN,
  VALUE_LOSS_VALID,
  VALUE_AUC,
} Value;

static const char *curve_names[] = { "loss", "auc" };

const char *
pb_figure_curve_to_string (PbFigureCurve curve)
{
  g_return_val_if_fail (curve < G_N_ELEMENTS (curve_names), NULL);

  return curve_names[curve];
}

gboolean
pb_figure_curve_from_string (const char     *name,
                             PbFigureCurve  *curve,
                             GError        **error)
{
  for (guint i = 0; i < G_N_ELEMENTS (curve_names); i++)
    if (g_strcmp0 (name, curve_names[i]) == 0)
      {
        *curve = (PbFigureCurve) i;
        return TRUE;
      }

  g_set_error (error, PB_ENGINE_ERROR, PB_ENGINE_ERROR_INVALID_ARGUMENT,
               "Unknown training curve “%s”: choose loss or auc", name != NULL ? name : "");
  return FALSE;
}

/* A line figure without series; *@series is where line_add() puts them. */
static PbFigure *
line_new (PbFigureCurve   curve,
          GArray        **series)
{
  PbFigure *figure = pb_figure_new (PB_PLOT_KIND_LINE);

  *series = _pb_figure_take (figure, g_array_new (FALSE, TRUE, sizeof (PbPlotSeries)),
                             (GDestroyNotify) g_array_unref);
  figure->data.line.x_label = _("Epoch");
  figure->data.line.x_counts = TRUE;
  figure->data.line.y_label = curve == PB_FIGURE_CURVE_LOSS ? _("Loss") : _("AUC");
  return figure;
}

/* Adds one curve of @value (takes @label): every epoch for the training loss,
 * the evaluated ones otherwise; nothing when there are no points. */
static void
line_add (PbFigure *figure,
          GArray   *series,
          GArray   *epochs,
          Value     value,
          char     *label,
          int       color,
          gboolean  dashed)
{
  PbPlotSeries s = { 0 };
  guint n_epochs = epochs != NULL ? epochs->len : 0;
  double *x = _pb_figure_take (figure, g_new (double, MAX (n_epochs, 1)), g_free);
  double *y = _pb_figure_take (figure, g_new (double, MAX (n_epochs, 1)), g_free);
  guint n = 0;

  _pb_figure_take_string (figure, label);
  for (guint i = 0; i < n_epochs; i++)
    {
      const PbCvEpoch *e = &g_array_index (epochs, PbCvEpoch, i);

      if (value != VALUE_LOSS_TRAIN && !e->evaluated)
        continue;
      x[n] = e->epoch;
      y[n] = value == VALUE_LOSS_TRAIN ? e->loss_train
             : value == VALUE_LOSS_VALID ? e->metrics.loss : e->metrics.auc;
      n++;
    }
  if (n == 0)
    return;

  s.label = label;
  s.x = x;
  s.y = y;
  s.n = n;
  s.color = color;
  s.dashed = dashed;
  s.markers = n < 30;
  g_array_append_val (series, s);
  figure->data.line.series = (const PbPlotSeries *) series->data;
  figure->data.line.n_series = series->len;
}

/**
 * pb_figure_new_cv:
 * @result: a cross-validation
 * @curve: which curve
 *
 * One series per fold: for the loss the validation loss (solid, labelled
 * "Fold k") and the training loss (dashed, same colour); for the AUC the
 * validation AUC. Folds without data add no series, so the figure may have
 * none (pb_plot_figure_check() then fails).
 *
 * Returns: (transfer full): the figure
 */
PbFigure *
pb_figure_new_cv (const PbCvResult *result,
                  PbFigureCurve     curve)
{
  PbFigure *figure;
  GArray *series;

  g_return_val_if_fail (result != NULL, NULL);

  figure = line_new (curve, &series);
  for (guint f = 0; f < result->config.n_folds; f++)
    {
      const PbCvFold *fold = &result->folds[f];

      if (curve == PB_FIGURE_CURVE_LOSS)
        {
          line_add (figure, series, fold->epochs, VALUE_LOSS_VALID,
                    g_strdup_printf (_("Fold %u"), f), (int) fold->fold, FALSE);
          line_add (figure, series, fold->epochs, VALUE_LOSS_TRAIN, NULL, (int) fold->fold, TRUE);
        }
      else
        line_add (figure, series, fold->epochs, VALUE_AUC, g_strdup_printf (_("Fold %u"), f),
                  (int) fold->fold, FALSE);
    }
  return figure;
}

static gboolean
check_series (PbFigure       *figure,
              PbFigureCurve   curve,
              const char     *what,
              gint64          id,
              GError        **error)
{
  if (figure->data.line.n_series > 0)
    return TRUE;
  g_set_error (error, PB_ENGINE_ERROR, PB_ENGINE_ERROR_INVALID_DATA,
               curve == PB_FIGURE_CURVE_LOSS ? "%s %lld has no finished epoch yet"
                                             : "%s %lld has no evaluated epoch yet",
               what, (long long) id);
  return FALSE;
}

/**
 * pb_figure_load_cv:
 * @project: the project
 * @cv_id: the cross-validation (as `perturb cv` lists them)
 * @curve: which curve
 * @error: return location for an error
 *
 * Returns: (transfer full): pb_figure_new_cv() of the stored cross-validation,
 *   or %NULL with @error set (%PB_ENGINE_ERROR_NOT_FOUND, or
 *   %PB_ENGINE_ERROR_INVALID_DATA when no fold has a point to draw yet)
 */
PbFigure *
pb_figure_load_cv (PbProject      *project,
                   gint64          cv_id,
                   PbFigureCurve   curve,
                   GError        **error)
{
  g_autoptr(PbCvResult) result = NULL;
  g_autoptr(PbFigure) figure = NULL;

  g_return_val_if_fail (project != NULL, NULL);

  result = pb_cv_load (project, cv_id, error);
  if (result == NULL)
    return NULL;
  figure = pb_figure_new_cv (result, curve);
  if (!check_series (figure, curve, "Cross-validation", cv_id, error))
    return NULL;
  _pb_figure_set_caption (figure, g_strdup_printf ("Cross-validation %lld on %s (%s): %u folds, "
                                                   "%s", (long long) cv_id, result->dataset,
                                                   pb_protocol_get_name (
                                                     result->config.train.model.protocol),
                                                   result->config.n_folds, result->status));
  return g_steal_pointer (&figure);
}

static double
column_double (sqlite3_stmt *stmt,
               int           i)
{
  return sqlite3_column_type (stmt, i) == SQLITE_NULL ? NAN : sqlite3_column_double (stmt, i);
}

/**
 * pb_figure_load_run:
 * @project: the project
 * @run_id: a training run (any kind: a plain run or one fold of a CV)
 * @curve: which curve
 * @error: return location for an error
 *
 * The run's per-epoch metrics as stored: for the loss the validation loss
 * (solid, evaluated epochs) and the training loss (dashed, every epoch), for
 * the AUC the validation AUC.
 *
 * Returns: (transfer full): the figure, or %NULL with @error set
 *   (%PB_ENGINE_ERROR_NOT_FOUND for an unknown run, %PB_ENGINE_ERROR_INVALID_DATA
 *   when it has nothing to draw yet)
 */
PbFigure *
pb_figure_load_run (PbProject      *project,
                    gint64          run_id,
                    PbFigureCurve   curve,
                    GError        **error)
{
  sqlite3 *db;
  g_autoptr(sqlite3_stmt) run = NULL;
  g_autoptr(sqlite3_stmt) rows = NULL;
  g_autoptr(GArray) epochs = g_array_new (FALSE, TRUE, sizeof (PbCvEpoch));
  g_autoptr(PbFigure) figure = NULL;
  g_autofree char *caption = NULL;
  GArray *series;
  int rc;

  g_return_val_if_fail (project != NULL, NULL);

  db = pb_project_get_db (project);
  run = pb_sqlite_prepare (db, "SELECT kind, COALESCE(name, ''), COALESCE(dataset, ''), "
                               "protocol, status, epochs_done, n_epochs FROM runs "
                               "WHERE run_id = ?1", error);
  if (run == NULL)
    return NULL;
  sqlite3_bind_int64 (run, 1, run_id);
  rc = sqlite3_step (run);
  if (rc == SQLITE_DONE)
    {
      g_set_error (error, PB_ENGINE_ERROR, PB_ENGINE_ERROR_NOT_FOUND,
                   "No training run %lld in this project", (long long) run_id);
      return NULL;
    }
  if (!pb_sqlite_check (db, rc, "reading a training run", error))
    return NULL;
  caption = g_strdup_printf ("Training run %lld (%s%s%s) on %s, %s preset: %lld of %lld epochs, "
                             "%s", (long long) run_id,
                             (const char *) sqlite3_column_text (run, 0),
                             *sqlite3_column_text (run, 1) != '\0' ? " " : "",
                             (const char *) sqlite3_column_text (run, 1),
                             (const char *) sqlite3_column_text (run, 2),
                             (const char *) sqlite3_column_text (run, 3),
                             (long long) sqlite3_column_int64 (run, 5),
                             (long long) sqlite3_column_int64 (run, 6),
                             (const char *) sqlite3_column_text (run, 4));

  rows = pb_sqlite_prepare (db, "SELECT epoch, loss_train, loss_valid, auc, n_valid "
                                "FROM epoch_metrics WHERE run_id = ?1 ORDER BY epoch", error);
  if (rows == NULL)
    return NULL;
  sqlite3_bind_int64 (rows, 1, run_id);
  while ((rc = sqlite3_step (rows)) == SQLITE_ROW)
    {
      PbCvEpoch e = { 0 };

      e.epoch = (guint) sqlite3_column_int64 (rows, 0);
      e.loss_train = sqlite3_column_double (rows, 1);
      e.metrics.loss = column_double (rows, 2);
      e.metrics.auc = column_double (rows, 3);
      e.evaluated = sqlite3_column_type (rows, 4) != SQLITE_NULL;
      g_array_append_val (epochs, e);
    }
  if (!pb_sqlite_check (db, rc, "reading a run's metrics", error))
    return NULL;

  figure = line_new (curve, &series);
  if (curve == PB_FIGURE_CURVE_LOSS)
    {
      line_add (figure, series, epochs, VALUE_LOSS_VALID, g_strdup (_("Validation loss")), 0,
                FALSE);
      line_add (figure, series, epochs, VALUE_LOSS_TRAIN, g_strdup (_("Training loss")), 0, TRUE);
    }
  else
    line_add (figure, series, epochs, VALUE_AUC, g_strdup (_("Validation AUC")), 0, FALSE);
  if (!check_series (figure, curve, "Training run", run_id, error))
    return NULL;
  _pb_figure_set_caption (figure, g_steal_pointer (&caption));
  return g_steal_pointer (&figure);
}
