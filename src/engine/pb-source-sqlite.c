/* pb-source-sqlite.c — the four extraction queries against an SQLite copy of
 * MIMIC-III (the synthetic cohort's file, or any file with MIMIC's table and
 * column names and timestamps stored as 'YYYY-MM-DD HH:MM:SS' text).
 *
 * The file is attached to the project's connection as `mimiciii` and each query
 * runs as one INSERT … SELECT into the raw tables, so rows stream from one file
 * into the other without passing through memory; all four run in one project
 * transaction. Semantics follow the PostgreSQL queries of pb-source-postgres.c:
 * date_part('day', b − a) is the interval's whole days truncated toward zero,
 * date_part('year', age(b, a)) the calendar years, interval / 2 keeps half
 * seconds, NULL times give NULL. Columns of the pivot queries that no feature
 * uses are not computed; the row set (groups, HAVING, joins) is the query's.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "pb-source-private.h"

#include "pb-error.h"

#include <string.h>

/* ICU windows with "fuzzy" edges (SPEC §1.2), by subject */
static const char icu_window_sql[] =
  "CREATE TEMP TABLE pb_icu_window AS"
  " WITH i AS ("
  "  SELECT subject_id, icustay_id, unixepoch (intime) AS intime, unixepoch (outtime) AS outtime,"
  "   LAG (unixepoch (outtime)) OVER w AS outtime_lag,"
  "   LEAD (unixepoch (intime)) OVER w AS intime_lead"
  "  FROM mimiciii.icustays"
  "  WINDOW w AS (PARTITION BY subject_id ORDER BY unixepoch (intime) NULLS LAST))"
  " SELECT subject_id, icustay_id,"
  "  CASE WHEN intime - outtime_lag < 86400 THEN intime - (intime - outtime_lag) / 2.0"
  "       ELSE intime - 43200 END AS data_start,"
  "  CASE WHEN intime_lead - outtime < 86400 THEN outtime + (intime_lead - outtime) / 2.0"
  "       ELSE outtime + 43200 END AS data_end"
  " FROM i;"
  "CREATE INDEX temp.pb_icu_window_subject ON pb_icu_window (subject_id, data_start);"
  /* the same for hospital admissions (pivoted_lab) */
  "CREATE TEMP TABLE pb_hosp_window AS"
  " WITH h AS ("
  "  SELECT subject_id, hadm_id, unixepoch (admittime) AS admittime,"
  "   unixepoch (dischtime) AS dischtime,"
  "   LAG (unixepoch (dischtime)) OVER w AS dischtime_lag,"
  "   LEAD (unixepoch (admittime)) OVER w AS admittime_lead"
  "  FROM mimiciii.admissions"
  "  WINDOW w AS (PARTITION BY subject_id ORDER BY unixepoch (admittime) NULLS LAST))"
  " SELECT subject_id, hadm_id,"
  "  CASE WHEN admittime - dischtime_lag < 86400 THEN admittime - (admittime - dischtime_lag) / 2.0"
  "       ELSE admittime - 43200 END AS data_start,"
  "  CASE WHEN admittime_lead - dischtime < 86400 THEN dischtime + (admittime_lead - dischtime) / 2.0"
  "       ELSE dischtime + 43200 END AS data_end"
  " FROM h;"
  "CREATE INDEX temp.pb_hosp_window_subject ON pb_hosp_window (subject_id, data_start);"
  /* admissions by hadm_id, so that the blood-gas join never scans */
  "CREATE TEMP TABLE pb_adm AS SELECT hadm_id, subject_id FROM mimiciii.admissions;"
  "CREATE INDEX temp.pb_adm_hadm ON pb_adm (hadm_id);";

static const char drop_windows_sql[] =
  "DROP TABLE IF EXISTS temp.pb_icu_window; DROP TABLE IF EXISTS temp.pb_hosp_window;"
  "DROP TABLE IF EXISTS temp.pb_adm;";

static const char icustay_sql[] =
  "INSERT INTO raw_icustay (icustay_id, subject_id, hadm_id, gender, dod, admittime, dischtime,"
  " los_hospital, admission_age, hospital_expire_flag, intime, outtime, los_icu)"
  " SELECT ie.icustay_id, ie.subject_id, ie.hadm_id, pat.gender, unixepoch (pat.dod),"
  "  unixepoch (adm.admittime), unixepoch (adm.dischtime),"
  "  (unixepoch (adm.dischtime) - unixepoch (adm.admittime)) / 86400,"
  "  CAST (strftime ('%Y', ie.intime) AS INTEGER) - CAST (strftime ('%Y', pat.dob) AS INTEGER)"
  "   - (strftime ('%m-%d %H:%M:%S', ie.intime) < strftime ('%m-%d %H:%M:%S', pat.dob)),"
  "  adm.hospital_expire_flag, unixepoch (ie.intime), unixepoch (ie.outtime),"
  "  (unixepoch (ie.outtime) - unixepoch (ie.intime)) / 86400"
  " FROM mimiciii.icustays ie"
  " JOIN mimiciii.admissions adm ON ie.hadm_id = adm.hadm_id"
  " JOIN mimiciii.patients pat ON ie.subject_id = pat.subject_id"
  " WHERE adm.has_chartevents_data = 1"
  " ORDER BY ie.subject_id, adm.admittime, ie.intime";

static const char bg_sql[] =
  "INSERT INTO raw_bg (hadm_id, charttime, icustay_id, potassium, calcium, ph, pco2, lactate)"
  " WITH pvt AS ("
  "  SELECT hadm_id, charttime, itemid,"
  "   CASE WHEN valuenum <= 0 THEN NULL"
  "        WHEN itemid = 50810 AND valuenum > 100 THEN NULL"
  "        WHEN itemid = 50816 AND (valuenum < 20 OR valuenum > 100) THEN NULL"
  "        WHEN itemid = 50817 AND valuenum > 100 THEN NULL"
  "        WHEN itemid = 50815 AND valuenum > 70 THEN NULL"
  "        WHEN itemid = 50821 AND valuenum > 800 THEN NULL"
  "        ELSE valuenum END AS valuenum"
  "  FROM mimiciii.labevents"
  "  WHERE itemid IN (50800, 50801, 50802, 50803, 50804, 50805, 50806, 50807, 50808, 50809,"
  "   50810, 50811, 50812, 50813, 50814, 50815, 50816, 50817, 50818, 50819, 50820, 50821,"
  "   50822, 50823, 50824, 50825, 50826, 50827, 50828, 50960, 51545)),"
  " grp AS ("
  "  SELECT hadm_id, unixepoch (charttime) AS charttime,"
  "   AVG (CASE WHEN itemid = 50822 THEN valuenum END) AS potassium,"
  "   AVG (CASE WHEN itemid = 50808 THEN valuenum END) AS calcium,"
  "   AVG (CASE WHEN itemid = 50820 THEN valuenum END) AS ph,"
  "   AVG (CASE WHEN itemid = 50818 THEN valuenum END) AS pco2,"
  "   AVG (CASE WHEN itemid = 50813 THEN valuenum END) AS lactate"
  "  FROM pvt GROUP BY hadm_id, pvt.charttime"
  "  HAVING SUM (CASE WHEN itemid = 50800 THEN 1 ELSE 0 END) < 2)"
  " SELECT grp.hadm_id, grp.charttime, iid.icustay_id,"
  "  grp.potassium, grp.calcium, grp.ph, grp.pco2, grp.lactate"
  " FROM grp"
  " JOIN temp.pb_adm adm ON grp.hadm_id = adm.hadm_id"
  " LEFT JOIN temp.pb_icu_window iid ON adm.subject_id = iid.subject_id"
  "  AND grp.charttime >= iid.data_start AND grp.charttime < iid.data_end"
  " ORDER BY grp.hadm_id, grp.charttime";

static const char lab_sql[] =
  "INSERT INTO raw_lab (subject_id, hadm_id, charttime, icustay_id, albumin, bun, creatinine,"
  " sodium, bicarbonate, platelet, glucose, magnesium)"
  " WITH le_avg AS ("
  "  SELECT subject_id, unixepoch (charttime) AS charttime,"
  "   AVG (CASE WHEN itemid = 50862 AND valuenum <= 10 THEN valuenum END) AS albumin,"
  "   AVG (CASE WHEN itemid = 51006 AND valuenum <= 300 THEN valuenum END) AS bun,"
  "   AVG (CASE WHEN itemid = 50912 AND valuenum <= 150 THEN valuenum END) AS creatinine,"
  "   AVG (CASE WHEN itemid = 50983 AND valuenum <= 200 THEN valuenum END) AS sodium,"
  "   AVG (CASE WHEN itemid = 50882 AND valuenum <= 10000 THEN valuenum END) AS bicarbonate,"
  "   AVG (CASE WHEN itemid = 51265 AND valuenum <= 10000 THEN valuenum END) AS platelet,"
  "   AVG (CASE WHEN itemid = 50931 AND valuenum <= 10000 THEN valuenum END) AS glucose,"
  "   AVG (CASE WHEN itemid = 50960 THEN valuenum END) AS magnesium"
  "  FROM mimiciii.labevents"
  "  WHERE itemid IN (50868, 50862, 51144, 50882, 50885, 50912, 50902, 50931, 51221, 51222,"
  "   50813, 51265, 50971, 51275, 51237, 51274, 50983, 51006, 51301, 51300, 50960)"
  "   AND valuenum IS NOT NULL AND valuenum > 0"
  "  GROUP BY subject_id, labevents.charttime)"
  " SELECT le_avg.subject_id, adm.hadm_id, le_avg.charttime, iid.icustay_id,"
  "  albumin, bun, creatinine, sodium, bicarbonate, platelet, glucose, magnesium"
  " FROM le_avg"
  " LEFT JOIN temp.pb_hosp_window adm ON le_avg.subject_id = adm.subject_id"
  "  AND le_avg.charttime >= adm.data_start AND le_avg.charttime < adm.data_end"
  " LEFT JOIN temp.pb_icu_window iid ON le_avg.subject_id = iid.subject_id"
  "  AND le_avg.charttime >= iid.data_start AND le_avg.charttime < iid.data_end"
  " ORDER BY le_avg.subject_id, le_avg.charttime";

static const char vital_sql[] =
  "INSERT INTO raw_vital (icustay_id, charttime, heartrate, sysbp, diasbp, tempc, resprate, spo2)"
  " SELECT icustay_id, unixepoch (charttime),"
  "  AVG (CASE WHEN itemid IN (211, 220045) AND valuenum > 0 AND valuenum < 300"
  "       THEN valuenum END),"
  "  AVG (CASE WHEN itemid IN (51, 442, 455, 6701, 220179, 220050)"
  "        AND valuenum > 0 AND valuenum < 400 THEN valuenum END),"
  "  AVG (CASE WHEN itemid IN (8368, 8440, 8441, 8555, 220180, 220051)"
  "        AND valuenum > 0 AND valuenum < 300 THEN valuenum END),"
  "  AVG (CASE WHEN itemid IN (223761, 678) AND valuenum > 70 AND valuenum < 120"
  "            THEN (valuenum - 32) / 1.8"
  "            WHEN itemid IN (223762, 676) AND valuenum > 10 AND valuenum < 50"
  "            THEN valuenum END),"
  "  AVG (CASE WHEN itemid IN (615, 618, 220210, 224690) AND valuenum > 0 AND valuenum < 70"
  "       THEN valuenum END),"
  "  AVG (CASE WHEN itemid IN (646, 220277) AND valuenum > 0 AND valuenum <= 100"
  "       THEN valuenum END)"
  " FROM mimiciii.chartevents"
  " WHERE itemid IN (211, 220045, 51, 442, 455, 6701, 220179, 220050,"
  "  8368, 8440, 8441, 8555, 220180, 220051, 456, 52, 6702, 443, 220052, 220181, 225312,"
  "  615, 618, 220210, 224690, 223761, 678, 223762, 676, 646, 220277,"
  "  807, 811, 1529, 3745, 3744, 225664, 220621, 226537)"
  "  AND icustay_id IS NOT NULL AND (error IS NULL OR error != 1)"
  " GROUP BY icustay_id, charttime"
  " ORDER BY icustay_id, charttime";

static gboolean
class_matches (PbSourceColumnClass  klass,
               const char          *decl)
{
  g_autofree char *t = g_ascii_strup (decl != NULL ? decl : "", -1);

  switch (klass)
    {
    case PB_SOURCE_COLUMN_INTEGER:
      return strstr (t, "INT") != NULL;

    case PB_SOURCE_COLUMN_NUMBER:
      return strstr (t, "INT") != NULL || strstr (t, "REAL") != NULL ||
             strstr (t, "FLOA") != NULL || strstr (t, "DOUB") != NULL ||
             strstr (t, "NUM") != NULL || strstr (t, "DEC") != NULL;

    case PB_SOURCE_COLUMN_TIMESTAMP:
      return strstr (t, "TIME") != NULL || strstr (t, "DATE") != NULL ||
             strstr (t, "TEXT") != NULL || strstr (t, "CHAR") != NULL;

    case PB_SOURCE_COLUMN_TEXT:
      return *t == '\0' || strstr (t, "CHAR") != NULL || strstr (t, "TEXT") != NULL ||
             strstr (t, "CLOB") != NULL;

    default:
      g_assert_not_reached ();
    }
}

/* Names the first table, column or type the queries would trip over. */
static gboolean
check_source (sqlite3  *db,
              GError  **error)
{
  for (guint i = 0; i < _pb_source_n_columns; i++)
    {
      const PbSourceColumn *col = &_pb_source_columns[i];
      g_autoptr(sqlite3_stmt) stmt = NULL;
      g_autofree char *decl = NULL;
      gboolean table_found = FALSE, column_found = FALSE;
      g_autofree char *sql = g_strdup_printf ("PRAGMA mimiciii.table_info (\"%s\")", col->table);

      stmt = pb_sqlite_prepare (db, sql, error);
      if (stmt == NULL)
        return FALSE;

      while (sqlite3_step (stmt) == SQLITE_ROW)
        {
          table_found = TRUE;
          if (g_ascii_strcasecmp ((const char *) sqlite3_column_text (stmt, 1), col->column) == 0)
            {
              column_found = TRUE;
              decl = g_strdup ((const char *) sqlite3_column_text (stmt, 2));
            }
        }

      if (!table_found)
        {
          g_set_error (error, PB_ENGINE_ERROR, PB_ENGINE_ERROR_NOT_FOUND,
                       "Table mimiciii.%s not found in the SQLite file", col->table);
          return FALSE;
        }
      if (!column_found)
        {
          g_set_error (error, PB_ENGINE_ERROR, PB_ENGINE_ERROR_NOT_FOUND,
                       "Column mimiciii.%s.%s not found in the SQLite file",
                       col->table, col->column);
          return FALSE;
        }
      if (!class_matches (col->klass, decl))
        {
          _pb_source_set_type_error (error, "mimiciii", col, decl);
          return FALSE;
        }
    }

  return TRUE;
}

typedef struct
{
  const char      *path;
  PbImportCounts  *counts;
  PbProgressFunc   progress;
  gpointer         progress_data;
  GCancellable    *cancellable;
  double           fraction;
  const char      *message;
  gint64           last_report;
} ImportData;

/* sqlite3_progress_handler: a non-zero return interrupts the running query */
static int
on_sqlite_progress (void *user_data)
{
  ImportData *data = user_data;
  gint64 now;

  if (g_cancellable_is_cancelled (data->cancellable))
    return 1;

  now = g_get_monotonic_time ();
  if (data->progress != NULL && now - data->last_report > G_USEC_PER_SEC / 4)
    {
      data->last_report = now;
      data->progress (data->fraction, data->message, NULL, data->progress_data);
    }
  return 0;
}

static gboolean
run_query (sqlite3     *db,
           ImportData  *data,
           const char  *sql,
           const char  *message,
           double       fraction,
           gint64      *n_rows,
           GError     **error)
{
  int rc;

  data->fraction = fraction;
  data->message = message;
  if (data->progress != NULL)
    data->progress (fraction, message, NULL, data->progress_data);

  rc = sqlite3_exec (db, sql, NULL, NULL, NULL);
  if (rc == SQLITE_INTERRUPT || g_cancellable_is_cancelled (data->cancellable))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED, "Import cancelled");
      return FALSE;
    }
  if (!pb_sqlite_check (db, rc, message, error))
    return FALSE;

  if (n_rows != NULL)
    *n_rows = sqlite3_changes64 (db);
  return TRUE;
}

static gboolean
import_in_transaction (sqlite3   *db,
                       gpointer   user_data,
                       GError   **error)
{
  ImportData *data = user_data;
  g_autofree char *source = g_strdup_printf ("sqlite:%s", data->path);
  gint64 start = g_get_monotonic_time ();
  gboolean ok;

  sqlite3_progress_handler (db, 20000, on_sqlite_progress, data);

  ok = _pb_source_clear_raw (db, error) &&
       run_query (db, data, drop_windows_sql, "Preparing", 0.0, NULL, error) &&
       run_query (db, data, icu_window_sql, "ICU and hospital windows", 0.01, NULL, error) &&
       run_query (db, data, icustay_sql, "ICU-stay detail", 0.02, &data->counts->icustays, error) &&
       run_query (db, data, bg_sql, "Blood gases", 0.05, &data->counts->bg, error) &&
       run_query (db, data, lab_sql, "Labs", 0.2, &data->counts->lab, error) &&
       run_query (db, data, vital_sql, "Vital signs", 0.4, &data->counts->vital, error);

  sqlite3_progress_handler (db, 0, NULL, NULL);
  sqlite3_exec (db, drop_windows_sql, NULL, NULL, NULL);
  if (!ok)
    return FALSE;

  data->counts->seconds = (g_get_monotonic_time () - start) / (double) G_USEC_PER_SEC;
  return _pb_source_record_import (db, "sqlite", source, "mimiciii", data->counts, error);
}

/**
 * pb_source_import_sqlite:
 * @project: an open, writable project
 * @path: an SQLite file with MIMIC-III's tables (no schema prefix)
 * @counts: (out) (optional): rows per query
 *
 * See pb_source_import().
 *
 * Returns: %TRUE on success; on failure or cancel the project is unchanged.
 */
gboolean
pb_source_import_sqlite (PbProject       *project,
                         const char      *path,
                         PbImportCounts  *counts,
                         PbProgressFunc   progress,
                         gpointer         progress_data,
                         GCancellable    *cancellable,
                         GError         **error)
{
  sqlite3 *db;
  g_autoptr(sqlite3_stmt) attach = NULL;
  g_autoptr(GError) local_error = NULL;
  PbImportCounts dummy = { 0 };
  ImportData data = { path, counts != NULL ? counts : &dummy, progress, progress_data,
                      cancellable, 0.0, NULL, 0 };
  gboolean ok;

  g_return_val_if_fail (PB_IS_PROJECT (project), FALSE);
  g_return_val_if_fail (path != NULL, FALSE);

  memset (data.counts, 0, sizeof *data.counts);

  if (!g_file_test (path, G_FILE_TEST_IS_REGULAR))
    {
      g_set_error (error, PB_ENGINE_ERROR, PB_ENGINE_ERROR_NOT_FOUND,
                   "SQLite file %s not found", path);
      return FALSE;
    }

  db = pb_project_get_db (project);
  if (db == NULL)
    {
      g_set_error (error, PB_ENGINE_ERROR, PB_ENGINE_ERROR_FAILED, "The project is closed");
      return FALSE;
    }

  attach = pb_sqlite_prepare (db, "ATTACH DATABASE ? AS mimiciii", error);
  if (attach == NULL)
    return FALSE;
  sqlite3_bind_text (attach, 1, path, -1, SQLITE_STATIC);
  if (!pb_sqlite_check (db, sqlite3_step (attach), "attaching the MIMIC-III file", error))
    return FALSE;

  ok = check_source (db, &local_error) &&
       pb_project_run_in_transaction (project, import_in_transaction, &data, &local_error);

  pb_sqlite_exec (db, "DETACH DATABASE mimiciii", NULL);

  if (!ok)
    {
      if (!g_error_matches (local_error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        g_prefix_error (&local_error, "Import from %s: ", path);
      g_propagate_error (error, g_steal_pointer (&local_error));
      return FALSE;
    }

  if (progress != NULL)
    progress (1.0, "Import done", NULL, progress_data);

  return TRUE;
}
