/* pb-preprocess.c — raw MIMIC-III query results → 48-hour sequences (SPEC §2).
 *
 * The seed's pandas pipeline, stage by stage, without its intermediate frames:
 *
 *  1. Prefilter: ICU stays with age ≥ 18 and hospital and ICU stays of at least
 *     one whole day; bg/lab rows of their admissions, vital rows of the stays;
 *     rows with every feature missing dropped.
 *  2. Combine: the merged frame has one row per (ICU stay, charttime) with bg and
 *     lab rows repeated for every kept stay of their admission, plus one empty row
 *     per stay without measurements. It is never built: its global statistics
 *     (pandas describe(): 5th, 50th, 95th percentile, numpy's linear method, NaN
 *     ignored) are computed column by column from SQL scans with each bg/lab value
 *     counted once per kept stay of its admission, and its row count per
 *     admission (the "> 2 rows" rule) from distinct charttimes.
 *  3. One sample per hospital admission (group by hadm_id), label
 *     hospital_expire_flag.
 *  4. Per admission: hourly bins [hh:00, hh+1:00) from the first to the last
 *     measurement, mean per bin; linear interpolation between known hours,
 *     constant before the first and after the last; columns with no value take
 *     the global median; clip to [P5, P95]; scale to [0, 1].
 *  5. Window: hours strictly after the earliest ICU intime and strictly before
 *     intime + 48 h (47 or 48 rows); admissions with no row there are dropped.
 *
 * Rows with a NULL charttime are skipped (pandas would carry them as NaT rows);
 * duplicate (stay, charttime) rows are averaged like rows in one hourly bin. With
 * the four queries' output neither happens.
 *
 * Memory: the statistics pass holds one double per value of the largest source
 * (vitals: 6 columns) at a time; the feature pass one admission's hours; the
 * result is the dataset itself.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "pb-preprocess.h"

#include "pb-error.h"
#include "pb-source-private.h"

#include <glib/gstdio.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#define F PB_PREPROCESS_N_FEATURES
#define N_BG    5
#define N_LAB   8
#define N_VITAL 6
#define LAB0    N_BG
#define VITAL0  (N_BG + N_LAB)

const char * const pb_preprocess_feature_names[F + 1] = {
  "potassium", "calcium", "ph", "pco2", "lactate",
  "albumin", "bun", "creatinine", "sodium", "bicarbonate", "platelet", "glucose", "magnesium",
  "heartrate", "sysbp", "diasbp", "tempc", "resprate", "spo2",
  NULL
};

typedef struct
{
  gint64 icustay_id;
  gint64 hadm_id;
  gint64 admittime;
  gint64 intime;
  int    label;
} Stay;

typedef struct
{
  gint64 t;
  double v[N_LAB];      /* the widest source */
} Row;

void
pb_preprocess_params_init (PbPreprocessParams *params)
{
  g_return_if_fail (params != NULL);

  params->min_age = 18;
  params->min_los_hospital = 1;
  params->min_los_icu = 1;
  params->min_raw_rows = 3;
  params->winsorize_low = 0.05;
  params->winsorize_high = 0.95;
  params->window_hours = 48;
  params->min_observation_hours = 1;
  params->window_start = PB_PREPROCESS_WINDOW_START_INTIME;
}

/**
 * pb_preprocess_params_to_json:
 *
 * Returns: (transfer full): @params as a JSON object, stored with the dataset.
 */
char *
pb_preprocess_params_to_json (const PbPreprocessParams *params)
{
  char a[G_ASCII_DTOSTR_BUF_SIZE], b[G_ASCII_DTOSTR_BUF_SIZE], c[G_ASCII_DTOSTR_BUF_SIZE];
  char d[G_ASCII_DTOSTR_BUF_SIZE], e[G_ASCII_DTOSTR_BUF_SIZE];

  return g_strdup_printf ("{\"min_age\": %s, \"min_los_hospital\": %s, \"min_los_icu\": %s,"
                          " \"min_raw_rows\": %u, \"winsorize_low\": %s, \"winsorize_high\": %s,"
                          " \"window_hours\": %u, \"min_observation_hours\": %u,"
                          " \"window_start\": \"%s\"}",
                          g_ascii_dtostr (a, sizeof a, params->min_age),
                          g_ascii_dtostr (b, sizeof b, params->min_los_hospital),
                          g_ascii_dtostr (c, sizeof c, params->min_los_icu),
                          params->min_raw_rows,
                          g_ascii_dtostr (d, sizeof d, params->winsorize_low),
                          g_ascii_dtostr (e, sizeof e, params->winsorize_high),
                          params->window_hours, params->min_observation_hours,
                          params->window_start == PB_PREPROCESS_WINDOW_START_INTIME
                            ? "intime" : "admittime");
}

static void
stage_free (PbPreprocessStage *stage)
{
  g_free (stage->name);
  g_free (stage->unit);
  g_free (stage->detail);
  g_free (stage);
}

void
pb_preprocess_report_free (PbPreprocessReport *report)
{
  if (report == NULL)
    return;
  g_clear_pointer (&report->stages, g_ptr_array_unref);
  g_free (report);
}

static void
add_stage (PbPreprocessReport *report,
           const char         *name,
           const char         *unit,
           gint64              n_in,
           gint64              n_out,
           const char         *format,
           ...) G_GNUC_PRINTF (6, 7);

static void
add_stage (PbPreprocessReport *report,
           const char         *name,
           const char         *unit,
           gint64              n_in,
           gint64              n_out,
           const char         *format,
           ...)
{
  PbPreprocessStage *stage = g_new0 (PbPreprocessStage, 1);
  va_list args;

  stage->name = g_strdup (name);
  stage->unit = g_strdup (unit);
  stage->n_in = n_in;
  stage->n_out = n_out;
  va_start (args, format);
  stage->detail = g_strdup_vprintf (format, args);
  va_end (args);
  g_ptr_array_add (report->stages, stage);
}

/* ---- percentiles as numpy's "linear" method ------------------------------------ */

static void
swap_d (double *a,
        double *b)
{
  double t = *a;

  *a = *b;
  *b = t;
}

/* Rearranges @a so that a[k] is the k-th smallest, smaller ones before it. */
static void
select_kth (double *a,
            gsize   n,
            gsize   k)
{
  gsize lo = 0, hi = n - 1;

  while (hi > lo)
    {
      gsize mid = lo + (hi - lo) / 2;
      double pivot;
      gsize i, j;

      if (a[mid] < a[lo])
        swap_d (&a[mid], &a[lo]);
      if (a[hi] < a[lo])
        swap_d (&a[hi], &a[lo]);
      if (a[hi] < a[mid])
        swap_d (&a[hi], &a[mid]);
      pivot = a[mid];

      i = lo;
      j = hi;
      while (i <= j)
        {
          while (a[i] < pivot)
            i++;
          while (a[j] > pivot)
            j--;
          if (i <= j)
            {
              swap_d (&a[i], &a[j]);
              i++;
              if (j == 0)
                break;
              j--;
            }
        }

      if (k <= j)
        hi = j;
      else if (k >= i)
        lo = i;
      else
        return;
    }
}

static double
percentile (double *a,
            gsize   n,
            double  q)
{
  double vi = (double) (n - 1) * q;
  gsize prev = (gsize) floor (vi);
  gsize next = MIN (prev + 1, n - 1);
  double gamma = vi - (double) prev;
  double lo, hi, diff;

  select_kth (a, n, prev);
  lo = a[prev];
  hi = lo;
  if (next != prev)
    {
      hi = a[next];
      for (gsize i = next + 1; i < n; i++)
        if (a[i] < hi)
          hi = a[i];
    }

  /* numpy's _lerp */
  diff = hi - lo;
  if (gamma >= 0.5)
    return hi - diff * (1.0 - gamma);
  return lo + diff * gamma;
}

/* ---- pass 1: prefilter and global statistics --------------------------------------- */

static gboolean
load_stays (sqlite3                   *db,
            const PbPreprocessParams  *params,
            GArray                    *stays,
            PbPreprocessReport        *report,
            GError                   **error)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;
  gint64 n_in = 0, n_age = 0, n_los_hosp = 0, n_los_icu = 0;
  int rc;

  stmt = pb_sqlite_prepare (db,
                            "SELECT icustay_id, hadm_id, admittime, intime, admission_age,"
                            " los_hospital, los_icu, hospital_expire_flag FROM raw_icustay",
                            error);
  if (stmt == NULL)
    return FALSE;

  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      Stay stay;

      n_in++;
      /* NULL compares as NaN: it never passes */
      if (sqlite3_column_type (stmt, 4) == SQLITE_NULL ||
          sqlite3_column_double (stmt, 4) < params->min_age)
        {
          n_age++;
          continue;
        }
      if (sqlite3_column_type (stmt, 5) == SQLITE_NULL ||
          sqlite3_column_double (stmt, 5) < params->min_los_hospital)
        {
          n_los_hosp++;
          continue;
        }
      if (sqlite3_column_type (stmt, 6) == SQLITE_NULL ||
          sqlite3_column_double (stmt, 6) < params->min_los_icu ||
          sqlite3_column_type (stmt, 3) == SQLITE_NULL)
        {
          n_los_icu++;
          continue;
        }

      stay.icustay_id = sqlite3_column_int64 (stmt, 0);
      stay.hadm_id = sqlite3_column_int64 (stmt, 1);
      stay.admittime = sqlite3_column_int64 (stmt, 2);
      stay.intime = sqlite3_column_int64 (stmt, 3);
      stay.label = sqlite3_column_int (stmt, 7) != 0;
      g_array_append_val (stays, stay);
    }
  if (!pb_sqlite_check (db, rc, "reading raw_icustay", error))
    return FALSE;

  add_stage (report, "prefilter", "ICU stays", n_in, stays->len,
             "age < %g: %" G_GINT64_FORMAT ", hospital stay < %g d: %" G_GINT64_FORMAT
             ", ICU stay < %g d: %" G_GINT64_FORMAT,
             params->min_age, n_age, params->min_los_hospital, n_los_hosp,
             params->min_los_icu, n_los_icu);
  return TRUE;
}

static int
compare_stays (gconstpointer a,
               gconstpointer b)
{
  const Stay *x = a, *y = b;

  if (x->hadm_id != y->hadm_id)
    return x->hadm_id < y->hadm_id ? -1 : 1;
  if (x->intime != y->intime)
    return x->intime < y->intime ? -1 : 1;
  return x->icustay_id < y->icustay_id ? -1 : x->icustay_id > y->icustay_id;
}

static gboolean
make_temp_tables (sqlite3  *db,
                  GArray   *stays,
                  GError  **error)
{
  g_autoptr(sqlite3_stmt) ins_stay = NULL;
  g_autoptr(sqlite3_stmt) ins_hadm = NULL;

  if (!pb_sqlite_exec (db,
                       "DROP TABLE IF EXISTS temp.pb_pp_stay; DROP TABLE IF EXISTS temp.pb_pp_hadm;"
                       "CREATE TEMP TABLE pb_pp_stay (icustay_id INTEGER PRIMARY KEY, hadm_id INTEGER);"
                       "CREATE TEMP TABLE pb_pp_hadm (hadm_id INTEGER PRIMARY KEY, n INTEGER);",
                       error))
    return FALSE;

  ins_stay = pb_sqlite_prepare (db, "INSERT INTO temp.pb_pp_stay VALUES (?, ?)", error);
  ins_hadm = pb_sqlite_prepare (db, "INSERT INTO temp.pb_pp_hadm VALUES (?, ?)", error);
  if (ins_stay == NULL || ins_hadm == NULL)
    return FALSE;

  for (guint i = 0; i < stays->len;)
    {
      const Stay *s = &g_array_index (stays, Stay, i);
      guint j = i;

      for (; j < stays->len && g_array_index (stays, Stay, j).hadm_id == s->hadm_id; j++)
        {
          sqlite3_bind_int64 (ins_stay, 1, g_array_index (stays, Stay, j).icustay_id);
          sqlite3_bind_int64 (ins_stay, 2, s->hadm_id);
          if (!pb_sqlite_check (db, sqlite3_step (ins_stay), "temp stays", error))
            return FALSE;
          sqlite3_reset (ins_stay);
        }
      sqlite3_bind_int64 (ins_hadm, 1, s->hadm_id);
      sqlite3_bind_int64 (ins_hadm, 2, j - i);
      if (!pb_sqlite_check (db, sqlite3_step (ins_hadm), "temp admissions", error))
        return FALSE;
      sqlite3_reset (ins_hadm);
      i = j;
    }

  return TRUE;
}

static gint64
count_rows (sqlite3    *db,
            const char *table)
{
  g_autofree char *sql = g_strdup_printf ("SELECT count(*) FROM %s", table);
  g_autoptr(sqlite3_stmt) stmt = pb_sqlite_prepare (db, sql, NULL);

  if (stmt == NULL || sqlite3_step (stmt) != SQLITE_ROW)
    return 0;
  return sqlite3_column_int64 (stmt, 0);
}

/* One source: values of its columns, each counted once per row of the merged frame. */
static gboolean
source_statistics (sqlite3                   *db,
                   const PbPreprocessParams  *params,
                   const char                *table,
                   const char                *sql,
                   guint                      first,
                   guint                      n_cols,
                   PbPreprocessReport        *report,
                   GCancellable              *cancellable,
                   GError                   **error)
{
  g_autoptr(sqlite3_stmt) stmt = pb_sqlite_prepare (db, sql, error);
  GArray *values[N_LAB] = { NULL };
  gint64 n_in = count_rows (db, table), n_out = 0, n = 0;
  int rc;

  if (stmt == NULL)
    return FALSE;

  for (guint j = 0; j < n_cols; j++)
    values[j] = g_array_new (FALSE, FALSE, sizeof (double));

  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      int mult = sqlite3_column_int (stmt, n_cols);
      gboolean any = FALSE;

      for (guint j = 0; j < n_cols; j++)
        {
          double v;

          if (sqlite3_column_type (stmt, j) == SQLITE_NULL)
            continue;
          v = sqlite3_column_double (stmt, j);
          any = TRUE;
          for (int m = 0; m < mult; m++)
            g_array_append_val (values[j], v);
        }
      n_out += any;
      if ((++n & 0xffff) == 0 && g_cancellable_is_cancelled (cancellable))
        break;
    }

  if (rc == SQLITE_ROW)
    g_cancellable_set_error_if_cancelled (cancellable, error);

  for (guint j = 0; j < n_cols; j++)
    {
      double *a = (double *) (void *) values[j]->data;
      gsize len = values[j]->len;
      guint f = first + j;

      report->count[f] = len;
      if (len > 0)
        {
          report->p5[f] = percentile (a, len, params->winsorize_low);
          report->p50[f] = percentile (a, len, 0.5);
          report->p95[f] = percentile (a, len, params->winsorize_high);
        }
      else
        {
          report->p5[f] = report->p50[f] = report->p95[f] = NAN;
        }
      g_array_unref (values[j]);
    }

  if (rc != SQLITE_ROW && rc != SQLITE_DONE)
    return pb_sqlite_check (db, rc, table, error);
  if (rc == SQLITE_ROW)
    return FALSE;

  add_stage (report, "prefilter", table, n_in, n_out,
             "rows of dropped stays/admissions or with every feature missing: %" G_GINT64_FORMAT,
             n_in - n_out);
  return TRUE;
}

static gboolean
global_statistics (sqlite3                   *db,
                   const PbPreprocessParams  *params,
                   PbPreprocessReport        *report,
                   GCancellable              *cancellable,
                   GError                   **error)
{
  g_autofree char *missing = NULL;
  GString *empty = g_string_new (NULL);

  if (!source_statistics (db, params, "raw_bg",
                          "SELECT b.potassium, b.calcium, b.ph, b.pco2, b.lactate, h.n"
                          " FROM raw_bg b JOIN temp.pb_pp_hadm h ON h.hadm_id = b.hadm_id"
                          " WHERE b.charttime IS NOT NULL",
                          0, N_BG, report, cancellable, error) ||
      !source_statistics (db, params, "raw_lab",
                          "SELECT l.albumin, l.bun, l.creatinine, l.sodium, l.bicarbonate,"
                          " l.platelet, l.glucose, l.magnesium, h.n"
                          " FROM raw_lab l JOIN temp.pb_pp_hadm h ON h.hadm_id = l.hadm_id"
                          " WHERE l.charttime IS NOT NULL",
                          LAB0, N_LAB, report, cancellable, error) ||
      !source_statistics (db, params, "raw_vital",
                          "SELECT v.heartrate, v.sysbp, v.diasbp, v.tempc, v.resprate, v.spo2, 1"
                          " FROM raw_vital v JOIN temp.pb_pp_stay s ON s.icustay_id = v.icustay_id"
                          " WHERE v.charttime IS NOT NULL",
                          VITAL0, N_VITAL, report, cancellable, error))
    {
      g_string_free (empty, TRUE);
      return FALSE;
    }

  for (guint f = 0; f < F; f++)
    if (report->count[f] == 0 || !(report->p95[f] > report->p5[f]))
      g_string_append_printf (empty, "%s%s", empty->len > 0 ? ", " : "",
                              pb_preprocess_feature_names[f]);
  missing = g_string_free (empty, FALSE);

  if (*missing != '\0')
    {
      g_set_error (error, PB_ENGINE_ERROR, PB_ENGINE_ERROR_INVALID_DATA,
                   "Cannot scale features without spread in the kept data (P95 must exceed "
                   "P5): %s. Import more data or check the source.", missing);
      return FALSE;
    }
  return TRUE;
}

/* ---- pass 2: one admission at a time ---------------------------------------------- */

typedef struct
{
  sqlite3_stmt *bg;
  sqlite3_stmt *lab;
  sqlite3_stmt *vital;
  GArray       *bg_rows;
  GArray       *lab_rows;
  GArray       *vital_rows;      /* all kept stays of the admission */
  GArray       *vital_counts;    /* guint: rows per stay, in stay order */
  double       *sum;             /* (H, F) */
  guint        *cnt;             /* (H, F) */
  double       *grid;            /* (H, F) */
  gsize         capacity;
  gint64        n_merged_rows;
  gint64        n_median_fills;
  gint64        n_clipped_low;
  gint64        n_clipped_high;
} Work;

static gboolean
read_rows (sqlite3       *db,
           sqlite3_stmt  *stmt,
           gint64         key,
           guint          n_cols,
           GArray        *rows,
           guint         *n_added,
           GError       **error)
{
  guint before = rows->len;
  int rc;

  sqlite3_reset (stmt);
  sqlite3_bind_int64 (stmt, 1, key);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      Row row;
      gboolean any = FALSE;

      if (sqlite3_column_type (stmt, 0) == SQLITE_NULL)
        continue;
      row.t = sqlite3_column_int64 (stmt, 0);
      for (guint j = 0; j < n_cols; j++)
        {
          if (sqlite3_column_type (stmt, j + 1) == SQLITE_NULL)
            row.v[j] = NAN;
          else
            {
              row.v[j] = sqlite3_column_double (stmt, j + 1);
              any = TRUE;
            }
        }
      if (any)
        g_array_append_val (rows, row);
    }
  if (n_added != NULL)
    *n_added = rows->len - before;
  return pb_sqlite_check (db, rc, "reading raw measurements", error);
}

static int
compare_rows (gconstpointer a,
              gconstpointer b)
{
  const Row *x = a, *y = b;

  return x->t < y->t ? -1 : x->t > y->t;
}

/* |A ∪ B| for two time-sorted row lists, counting distinct times */
static gint64
count_union (const Row *a,
             guint      na,
             const Row *b,
             guint      nb)
{
  guint i = 0, j = 0;
  gint64 n = 0, last = G_MININT64;
  gboolean have_last = FALSE;

  while (i < na || j < nb)
    {
      gint64 t;

      if (j >= nb || (i < na && a[i].t <= b[j].t))
        t = a[i++].t;
      else
        t = b[j++].t;
      if (!have_last || t != last)
        n++;
      last = t;
      have_last = TRUE;
    }
  return n;
}

static gint64
floor_hour (gint64 t)
{
  return t >= 0 ? t / 3600 : -((-t + 3599) / 3600);
}

static void
bin_rows (Work      *w,
          GArray    *rows,
          guint      first,
          guint      n_cols,
          gint64     h0)
{
  for (guint r = 0; r < rows->len; r++)
    {
      const Row *row = &g_array_index (rows, Row, r);
      gsize h = (gsize) (floor_hour (row->t) - h0);

      for (guint j = 0; j < n_cols; j++)
        if (!isnan (row->v[j]))
          {
            w->sum[h * F + first + j] += row->v[j];
            w->cnt[h * F + first + j]++;
          }
    }
}

/* pandas interpolate(method="linear", limit_direction="both") of one column;
 * FALSE if the column has no value at all. */
static gboolean
interpolate_column (double *grid,
                    gsize   n_hours,
                    guint   f)
{
  gssize prev = -1;

  for (gsize h = 0; h < n_hours; h++)
    {
      if (isnan (grid[h * F + f]))
        continue;

      if (prev < 0)
        {
          for (gsize k = 0; k < h; k++)
            grid[k * F + f] = grid[h * F + f];
        }
      else if ((gsize) prev + 1 < h)
        {
          double y0 = grid[prev * F + f], y1 = grid[h * F + f];
          double slope = (y1 - y0) / (double) (h - prev);

          for (gsize k = prev + 1; k < h; k++)
            grid[k * F + f] = slope * (double) (k - prev) + y0;
        }
      prev = h;
    }

  if (prev < 0)
    return FALSE;
  for (gsize k = prev + 1; k < n_hours; k++)
    grid[k * F + f] = grid[prev * F + f];
  return TRUE;
}

typedef enum
{
  ADMISSION_KEPT,
  ADMISSION_TOO_FEW_ROWS,
  ADMISSION_NO_WINDOW_ROWS,
} AdmissionFate;

static AdmissionFate
build_admission (Work                      *w,
                 const PbPreprocessParams  *params,
                 const PbPreprocessReport  *report,
                 const Stay                *stays,
                 guint                      n_stays,
                 float                     *out,        /* (T, F) */
                 guint                     *out_len)
{
  g_autoptr(GArray) bl = NULL;
  const Row *vital = (const Row *) (void *) w->vital_rows->data;
  gint64 n_rows = 0, t_min = G_MAXINT64, t_max = G_MININT64, h0, start, end;
  gsize n_hours;
  guint offset = 0, len = 0;

  /* rows of the merged frame: per stay, distinct charttimes of bg ∪ lab ∪ its
   * vitals, or one empty row */
  bl = g_array_sized_new (FALSE, FALSE, sizeof (Row), w->bg_rows->len + w->lab_rows->len);
  g_array_append_vals (bl, w->bg_rows->data, w->bg_rows->len);
  g_array_append_vals (bl, w->lab_rows->data, w->lab_rows->len);
  g_array_sort (bl, compare_rows);

  for (guint s = 0; s < n_stays; s++)
    {
      guint nv = g_array_index (w->vital_counts, guint, s);
      gint64 k = count_union ((const Row *) (void *) bl->data, bl->len, vital + offset, nv);

      n_rows += MAX (k, 1);
      offset += nv;
    }
  w->n_merged_rows += n_rows;

  if (n_rows < params->min_raw_rows)
    return ADMISSION_TOO_FEW_ROWS;

  if (bl->len > 0)
    {
      t_min = g_array_index (bl, Row, 0).t;
      t_max = g_array_index (bl, Row, bl->len - 1).t;
    }
  for (guint r = 0; r < w->vital_rows->len; r++)
    {
      t_min = MIN (t_min, vital[r].t);
      t_max = MAX (t_max, vital[r].t);
    }
  if (t_min > t_max)
    return ADMISSION_NO_WINDOW_ROWS;   /* only empty stays: nothing to resample */

  h0 = floor_hour (t_min);
  n_hours = (gsize) (floor_hour (t_max) - h0 + 1);
  if (n_hours > w->capacity)
    {
      w->capacity = MAX (n_hours, w->capacity * 2);
      w->sum = g_renew (double, w->sum, w->capacity * F);
      w->cnt = g_renew (guint, w->cnt, w->capacity * F);
      w->grid = g_renew (double, w->grid, w->capacity * F);
    }
  memset (w->sum, 0, n_hours * F * sizeof (double));
  memset (w->cnt, 0, n_hours * F * sizeof (guint));

  bin_rows (w, w->bg_rows, 0, N_BG, h0);
  bin_rows (w, w->lab_rows, LAB0, N_LAB, h0);
  bin_rows (w, w->vital_rows, VITAL0, N_VITAL, h0);

  for (gsize i = 0; i < n_hours * F; i++)
    w->grid[i] = w->cnt[i] > 0 ? w->sum[i] / w->cnt[i] : NAN;

  for (guint f = 0; f < F; f++)
    if (!interpolate_column (w->grid, n_hours, f))
      {
        for (gsize h = 0; h < n_hours; h++)
          w->grid[h * F + f] = report->p50[f];
        w->n_median_fills++;
      }

  /* the observation window, strict on both ends */
  start = params->window_start == PB_PREPROCESS_WINDOW_START_INTIME ? stays[0].intime
                                                                    : stays[0].admittime;
  if (params->window_start == PB_PREPROCESS_WINDOW_START_ADMITTIME)
    for (guint s = 1; s < n_stays; s++)
      start = MIN (start, stays[s].admittime);
  end = start + (gint64) params->window_hours * 3600;

  for (gsize h = 0; h < n_hours && len < params->window_hours; h++)
    {
      gint64 t = (h0 + (gint64) h) * 3600;

      if (t <= start || t >= end)
        continue;
      for (guint f = 0; f < F; f++)
        {
          double x = w->grid[h * F + f];
          double lo = report->p5[f], hi = report->p95[f];

          if (x < lo)
            {
              x = lo;
              w->n_clipped_low++;
            }
          else if (x > hi)
            {
              x = hi;
              w->n_clipped_high++;
            }
          out[len * F + f] = (float) ((x - lo) / (hi - lo));
        }
      len++;
    }

  *out_len = len;
  if (len < MAX (params->min_observation_hours, 1))
    return ADMISSION_NO_WINDOW_ROWS;
  return ADMISSION_KEPT;
}

static void
work_clear (Work *w)
{
  g_clear_pointer (&w->bg, sqlite3_finalize);
  g_clear_pointer (&w->lab, sqlite3_finalize);
  g_clear_pointer (&w->vital, sqlite3_finalize);
  g_clear_pointer (&w->bg_rows, g_array_unref);
  g_clear_pointer (&w->lab_rows, g_array_unref);
  g_clear_pointer (&w->vital_rows, g_array_unref);
  g_clear_pointer (&w->vital_counts, g_array_unref);
  g_clear_pointer (&w->sum, g_free);
  g_clear_pointer (&w->cnt, g_free);
  g_clear_pointer (&w->grid, g_free);
}

static PbDataset *
build_features (sqlite3                   *db,
                const PbPreprocessParams  *params,
                GArray                    *stays,
                PbPreprocessReport        *report,
                PbProgressFunc             progress,
                gpointer                   progress_data,
                GCancellable              *cancellable,
                GError                   **error)
{
  g_autoptr(PbDataset) ds = NULL;
  Work w = { 0 };
  guint n_adm = 0, n_kept = 0, n_few = 0, n_empty = 0, n_len_max = 0, n_len_max1 = 0;
  guint counts[2] = { 0, 0 };
  guint T = params->window_hours;
  gboolean ok = TRUE;

  for (guint i = 0; i < stays->len; i++)
    if (i == 0 || g_array_index (stays, Stay, i).hadm_id != g_array_index (stays, Stay, i - 1).hadm_id)
      n_adm++;


  w.bg = pb_sqlite_prepare (db, "SELECT charttime, potassium, calcium, ph, pco2, lactate"
                                " FROM raw_bg WHERE hadm_id = ?", error);
  w.lab = pb_sqlite_prepare (db, "SELECT charttime, albumin, bun, creatinine, sodium, bicarbonate,"
                                 " platelet, glucose, magnesium FROM raw_lab WHERE hadm_id = ?", error);
  w.vital = pb_sqlite_prepare (db, "SELECT charttime, heartrate, sysbp, diasbp, tempc, resprate, spo2"
                                   " FROM raw_vital WHERE icustay_id = ?", error);
  if (w.bg == NULL || w.lab == NULL || w.vital == NULL)
    {
      work_clear (&w);
      return NULL;
    }
  w.bg_rows = g_array_new (FALSE, FALSE, sizeof (Row));
  w.lab_rows = g_array_new (FALSE, FALSE, sizeof (Row));
  w.vital_rows = g_array_new (FALSE, FALSE, sizeof (Row));
  w.vital_counts = g_array_new (FALSE, FALSE, sizeof (guint));

  ds = pb_dataset_new (MAX (n_adm, 1), T, F, 2);

  for (guint i = 0, a = 0; ok && i < stays->len; a++)
    {
      const Stay *first = &g_array_index (stays, Stay, i);
      guint n_stays = 0, len = 0;
      int label = 0;
      AdmissionFate fate;
      float *out = pb_dataset_get_sequence (ds, n_kept);

      while (i + n_stays < stays->len && first[n_stays].hadm_id == first->hadm_id)
        n_stays++;

      g_array_set_size (w.bg_rows, 0);
      g_array_set_size (w.lab_rows, 0);
      g_array_set_size (w.vital_rows, 0);
      g_array_set_size (w.vital_counts, 0);
      ok = read_rows (db, w.bg, first->hadm_id, N_BG, w.bg_rows, NULL, error) &&
           read_rows (db, w.lab, first->hadm_id, N_LAB, w.lab_rows, NULL, error);
      for (guint s = 0; ok && s < n_stays; s++)
        {
          guint added = 0;

          ok = read_rows (db, w.vital, first[s].icustay_id, N_VITAL, w.vital_rows, &added, error);
          g_array_append_val (w.vital_counts, added);
          label = MAX (label, first[s].label);
        }
      if (!ok)
        break;

      /* each stay's vitals sorted (the index gives them sorted; unsorted sources too) */
      {
        guint offset = 0;

        for (guint s = 0; s < n_stays; s++)
          {
            guint nv = g_array_index (w.vital_counts, guint, s);

            qsort (&g_array_index (w.vital_rows, Row, offset), nv, sizeof (Row), compare_rows);
            offset += nv;
          }
      }

      fate = build_admission (&w, params, report, first, n_stays, out, &len);
      switch (fate)
        {
        case ADMISSION_KEPT:
          ds->lengths[n_kept] = len;
          ds->labels[n_kept] = label;
          ds->sample_ids[n_kept] = first->hadm_id;
          if (len < T)
            memset (out + (gsize) len * F, 0, (gsize) (T - len) * F * sizeof (float));
          n_len_max += len == T;
          n_len_max1 += len + 1 == T;
          counts[label]++;
          n_kept++;
          break;

        case ADMISSION_TOO_FEW_ROWS:
          n_few++;
          break;

        case ADMISSION_NO_WINDOW_ROWS:
          n_empty++;
          memset (out, 0, (gsize) T * F * sizeof (float));
          break;

        default:
          g_assert_not_reached ();
        }

      i += n_stays;
      if ((a & 255) == 0)
        {
          if (g_cancellable_set_error_if_cancelled (cancellable, error))
            ok = FALSE;
          else if (progress != NULL)
            progress (0.3 + 0.65 * (double) a / MAX (n_adm, 1), "Building hourly features",
                      NULL, progress_data);
        }
    }

  {
    gint64 n_raw = 0;

    /* the three prefilter stages of the measurement tables come after the stays' */
    for (guint k = 1; k < report->stages->len && k <= 3; k++)
      n_raw += ((PbPreprocessStage *) g_ptr_array_index (report->stages, k))->n_out;
    add_stage (report, "combine", "rows", n_raw, w.n_merged_rows,
               "kept bg + lab + vital rows → merged (ICU stay, charttime) rows: bg/lab rows "
               "repeated per ICU stay of their admission, one empty row per stay without data");
  }
  add_stage (report, "admission list", "admissions", stays->len, n_adm,
             "kept ICU stays grouped by hospital admission (one sample per hadm_id)");
  add_stage (report, "feature builder", "admissions", n_adm, n_adm - n_few,
             "≤ %u raw rows: %u; columns filled with the global median: %" G_GINT64_FORMAT
             "; window values clipped to P%g: %" G_GINT64_FORMAT ", to P%g: %" G_GINT64_FORMAT,
             params->min_raw_rows - 1, n_few, w.n_median_fills,
             params->winsorize_low * 100, w.n_clipped_low,
             params->winsorize_high * 100, w.n_clipped_high);
  add_stage (report, "feature finalizer", "admissions", n_adm - n_few, n_kept,
             "no hour inside the %u-hour window: %u; length %u: %u, length %u: %u, shorter: %u;"
             " label 0: %u, label 1: %u",
             params->window_hours, n_empty, T, n_len_max, T - 1, n_len_max1,
             n_kept - n_len_max - n_len_max1, counts[0], counts[1]);

  work_clear (&w);
  if (!ok)
    return NULL;

  if (n_kept == 0)
    {
      g_set_error (error, PB_ENGINE_ERROR, PB_ENGINE_ERROR_INVALID_DATA,
                   "No admission is left after preprocessing (%u admissions, %u with too few "
                   "rows, %u without hours in the window)", n_adm, n_few, n_empty);
      return NULL;
    }

  ds->n = n_kept;
  ds->x = g_renew (float, ds->x, (gsize) n_kept * T * F);
  ds->feature_names = g_strdupv ((char **) pb_preprocess_feature_names);
  return g_steal_pointer (&ds);
}

/**
 * pb_preprocess_run:
 * @project: a project with imported raw tables (pb_source_import())
 * @params: (nullable): settings, %NULL for the seed's
 * @report: (out) (optional) (transfer full): per-stage counts and statistics
 * @progress: (nullable): progress callback
 * @cancellable: (nullable): a #GCancellable
 *
 * Runs SPEC §2 on the project's raw tables. The dataset is not saved; see
 * pb_dataset_save() (the CLI stores it as %PB_PREPROCESS_DEFAULT_DATASET).
 *
 * Returns: (transfer full) (nullable): n admissions × 48 hours × 19 features in
 *   [0, 1], labels hospital_expire_flag, sample ids hadm_id (ascending).
 */
PbDataset *
pb_preprocess_run (PbProject                 *project,
                   const PbPreprocessParams  *params,
                   PbPreprocessReport       **report_out,
                   PbProgressFunc             progress,
                   gpointer                   progress_data,
                   GCancellable              *cancellable,
                   GError                   **error)
{
  g_autoptr(PbPreprocessReport) report = g_new0 (PbPreprocessReport, 1);
  g_autoptr(GArray) stays = g_array_new (FALSE, FALSE, sizeof (Stay));
  g_autoptr(PbDataset) ds = NULL;
  PbPreprocessParams defaults;
  sqlite3 *db;
  gint64 t0 = g_get_monotonic_time (), t1;
  gboolean ok;

  g_return_val_if_fail (PB_IS_PROJECT (project), NULL);

  if (params == NULL)
    {
      pb_preprocess_params_init (&defaults);
      params = &defaults;
    }
  if (!(params->winsorize_low >= 0 && params->winsorize_low < params->winsorize_high &&
        params->winsorize_high <= 1) || params->window_hours == 0)
    {
      g_set_error (error, PB_ENGINE_ERROR, PB_ENGINE_ERROR_INVALID_ARGUMENT,
                   "Preprocessing needs 0 ≤ winsorize_low < winsorize_high ≤ 1 and a window "
                   "of at least one hour");
      return NULL;
    }

  report->stages = g_ptr_array_new_with_free_func ((GDestroyNotify) stage_free);
  db = pb_project_get_db (project);
  if (db == NULL)
    {
      g_set_error (error, PB_ENGINE_ERROR, PB_ENGINE_ERROR_FAILED, "The project is closed");
      return NULL;
    }

  if (progress != NULL)
    progress (0.0, "Prefilter", NULL, progress_data);

  if (!load_stays (db, params, stays, report, error))
    return NULL;
  if (stays->len == 0)
    {
      g_set_error (error, PB_ENGINE_ERROR, PB_ENGINE_ERROR_INVALID_DATA,
                   "No ICU stay passes the prefilter (import data first: perturb import)");
      return NULL;
    }
  g_array_sort (stays, compare_stays);

  if (progress != NULL)
    progress (0.05, "Global statistics", NULL, progress_data);

  ok = pb_sqlite_exec (db, "SAVEPOINT pb_preprocess", error) &&
       make_temp_tables (db, stays, error) &&
       global_statistics (db, params, report, cancellable, error);
  t1 = g_get_monotonic_time ();
  report->seconds_statistics = (t1 - t0) / (double) G_USEC_PER_SEC;

  if (ok)
    ds = build_features (db, params, stays, report, progress, progress_data, cancellable, error);

  pb_sqlite_exec (db, "DROP TABLE IF EXISTS temp.pb_pp_stay; DROP TABLE IF EXISTS temp.pb_pp_hadm;",
                  NULL);
  pb_sqlite_exec (db, "RELEASE pb_preprocess", NULL);

  report->seconds_features = (g_get_monotonic_time () - t1) / (double) G_USEC_PER_SEC;
  report->seconds_total = (g_get_monotonic_time () - t0) / (double) G_USEC_PER_SEC;

  if (ds == NULL)
    return NULL;

  if (progress != NULL)
    progress (1.0, "Preprocessing done", NULL, progress_data);

  if (report_out != NULL)
    *report_out = g_steal_pointer (&report);
  return g_steal_pointer (&ds);
}

/* ---- CSV export of the raw tables (the pandas reference reads these) -------------- */

static gboolean
export_table (sqlite3     *db,
              const char  *path,
              const char  *sql,
              const char  *header,
              const char  *time_columns,
              GError     **error)
{
  g_autoptr(sqlite3_stmt) stmt = pb_sqlite_prepare (db, sql, error);
  FILE *out;
  int rc, n;

  if (stmt == NULL)
    return FALSE;

  out = g_fopen (path, "w");
  if (out == NULL)
    {
      g_set_error (error, PB_ENGINE_ERROR, PB_ENGINE_ERROR_READ_ONLY, "Cannot write %s", path);
      return FALSE;
    }

  fprintf (out, "%s\n", header);
  n = sqlite3_column_count (stmt);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      for (int j = 0; j < n; j++)
        {
          char buf[G_ASCII_DTOSTR_BUF_SIZE];

          if (j > 0)
            fputc (',', out);
          if (sqlite3_column_type (stmt, j) == SQLITE_NULL)
            continue;
          if (time_columns[j] == 't')
            {
              _pb_format_timestamp (sqlite3_column_int64 (stmt, j), buf);
              fputs (buf, out);
            }
          else if (sqlite3_column_type (stmt, j) == SQLITE_INTEGER)
            fprintf (out, "%" G_GINT64_FORMAT, (gint64) sqlite3_column_int64 (stmt, j));
          else if (sqlite3_column_type (stmt, j) == SQLITE_FLOAT)
            fputs (g_ascii_formatd (buf, sizeof buf, "%.17g", sqlite3_column_double (stmt, j)), out);
          else
            fputs ((const char *) sqlite3_column_text (stmt, j), out);
        }
      fputc ('\n', out);
    }

  if (fclose (out) != 0)
    {
      g_set_error (error, PB_ENGINE_ERROR, PB_ENGINE_ERROR_READ_ONLY, "Cannot write %s", path);
      return FALSE;
    }
  return pb_sqlite_check (db, rc, path, error);
}

/**
 * pb_preprocess_export_csv:
 * @project: a project with imported raw tables
 * @directory: an existing directory
 *
 * Writes icustay_detail.csv, pivoted_bg.csv, pivoted_lab.csv and pivoted_vital.csv
 * as the seed's extraction step did (times as "YYYY-MM-DD HH:MM:SS", the columns
 * preprocessing reads), for the pandas reference and for other tools.
 *
 * Returns: %TRUE on success.
 */
gboolean
pb_preprocess_export_csv (PbProject   *project,
                          const char  *directory,
                          GError     **error)
{
  sqlite3 *db = pb_project_get_db (project);
  g_autofree char *icu = g_build_filename (directory, "icustay_detail.csv", NULL);
  g_autofree char *bg = g_build_filename (directory, "pivoted_bg.csv", NULL);
  g_autofree char *lab = g_build_filename (directory, "pivoted_lab.csv", NULL);
  g_autofree char *vital = g_build_filename (directory, "pivoted_vital.csv", NULL);

  g_return_val_if_fail (PB_IS_PROJECT (project), FALSE);

  return export_table (db, icu,
                       "SELECT subject_id, hadm_id, icustay_id, gender, dod, admittime, dischtime,"
                       " los_hospital, admission_age, hospital_expire_flag, intime, outtime, los_icu"
                       " FROM raw_icustay ORDER BY subject_id, admittime, intime",
                       "subject_id,hadm_id,icustay_id,gender,dod,admittime,dischtime,los_hospital,"
                       "admission_age,hospital_expire_flag,intime,outtime,los_icu",
                       "....ttt...tt.", error) &&
         export_table (db, bg,
                       "SELECT icustay_id, hadm_id, charttime, potassium, calcium, ph, pco2, lactate"
                       " FROM raw_bg ORDER BY rowid",
                       "icustay_id,hadm_id,charttime,potassium,calcium,ph,pco2,lactate",
                       "..t.....", error) &&
         export_table (db, lab,
                       "SELECT icustay_id, hadm_id, subject_id, charttime, albumin, bun, creatinine,"
                       " sodium, bicarbonate, platelet, glucose, magnesium FROM raw_lab ORDER BY rowid",
                       "icustay_id,hadm_id,subject_id,charttime,albumin,bun,creatinine,sodium,"
                       "bicarbonate,platelet,glucose,magnesium",
                       "...t........", error) &&
         export_table (db, vital,
                       "SELECT icustay_id, charttime, heartrate, sysbp, diasbp, tempc, resprate, spo2"
                       " FROM raw_vital ORDER BY rowid",
                       "icustay_id,charttime,heartrate,sysbp,diasbp,tempc,resprate,spo2",
                       ".t......", error);
}
