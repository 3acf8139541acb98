/* test-data.c — synthetic cohort, SQLite import and preprocessing (SPEC §1–2):
 * a hand-made micro-cohort with hand-computed sequences, and bad input.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "pb-engine.h"

#include "pb-test-project.h"
#include "pb-test-util.h"

#include <math.h>
#include <string.h>
#include <sys/wait.h>

typedef struct
{
  char *dir;
  char *mimic;      /* SQLite file with MIMIC-III's tables */
  char *project;
} Fixture;

static void
fixture_setup (Fixture       *f,
               gconstpointer  data)
{
  f->dir = pb_test_mkdtemp ();
  f->mimic = g_build_filename (f->dir, "mimic.sqlite", NULL);
  f->project = g_build_filename (f->dir, "p.perturb", NULL);
}

static void
fixture_tear (Fixture       *f,
              gconstpointer  data)
{
  pb_test_rmdir (f->dir);
  g_free (f->mimic);
  g_free (f->project);
  g_free (f->dir);
}

/* ---- the micro-cohort ---------------------------------------------------------------
 *
 * D = 2150-01-01. Kept ICU stays: 111 (hadm 11), 411 + 412 (hadm 41, two stays),
 * 511 (hadm 51, no data at all), 611 (hadm 61, age ≈ 300: MIMIC's shifted >89).
 * Dropped: 211 (neonate), 311 (ICU stay of 11 h). Subject 7 has an admission
 * without ICU stay.
 *
 * Heart rate, all kept raw rows (21): 60 62 64 66 68 | 70 72 74 76 78 | 80 82 84 86
 * 88 90 92 94 96 100 200 → numpy linear P5 = a[1] = 62, P50 = a[10] = 80,
 * P95 = a[19] = 100. Rows that must not count: 350 (out of range), 95 with
 * error = 1, stay 211's 120, stay 311's 150; two rows at D 11:50 (88, 92) average 90.
 * Temperature °C: 37.0 (98.6 °F), 38.0, 36.0, 39.0 → P5 36.15, P50 37.5, P95 38.85;
 * dropped: 99.5 in a °C item, 37.2 in a °F item.
 * Potassium (blood gas, hadm 41 only): 4.0 and 5.0, each counted for both ICU stays
 * → {4, 4, 5, 5}: P5 4, P50 4.5, P95 5 (without the repeat it would be 4.05/4.95).
 * BUN (hadm 11 only): 10 and 30 → P5 11, P50 20, P95 29; 400 is out of range.
 * The 15 other features have two values lo, hi in hadm 61 only: P5 = lo + .05 (hi − lo),
 * P95 = lo + .95 (hi − lo), median = the middle ⇒ 0.5 where imputed.
 */

typedef struct
{
  int         index;
  gboolean    bg;       /* blood gas (labevents) */
  int         itemid;
  double      lo;
  double      hi;
} Filler;

static const Filler fillers[] = {
  { 1, TRUE, 50808, 1.0, 1.3 },     /* calcium */
  { 2, TRUE, 50820, 7.3, 7.5 },     /* ph */
  { 3, TRUE, 50818, 30, 50 },       /* pco2 */
  { 4, TRUE, 50813, 1, 4 },         /* lactate */
  { 5, TRUE, 50862, 2, 4 },         /* albumin (lab) */
  { 7, TRUE, 50912, 1, 3 },         /* creatinine */
  { 8, TRUE, 50983, 130, 150 },     /* sodium */
  { 9, TRUE, 50882, 20, 30 },       /* bicarbonate */
  { 10, TRUE, 51265, 100, 300 },    /* platelet */
  { 11, TRUE, 50931, 100, 200 },    /* glucose */
  { 12, TRUE, 50960, 1.5, 2.5 },    /* magnesium */
  { 14, FALSE, 220179, 100, 140 },  /* sysbp */
  { 15, FALSE, 220180, 50, 80 },    /* diasbp */
  { 17, FALSE, 220210, 12, 24 },    /* resprate */
  { 18, FALSE, 220277, 90, 100 },   /* spo2 */
};

static void
exec_sql (sqlite3    *db,
          const char *sql)
{
  char *message = NULL;

  if (sqlite3_exec (db, sql, NULL, NULL, &message) != SQLITE_OK)
    g_error ("%s: %s", sql, message);
}

static void
create_tables (sqlite3 *db)
{
  exec_sql (db,
            "CREATE TABLE patients (subject_id INTEGER, gender VARCHAR(5), dob TIMESTAMP, dod TIMESTAMP);"
            "CREATE TABLE admissions (subject_id INTEGER, hadm_id INTEGER, admittime TIMESTAMP,"
            " dischtime TIMESTAMP, ethnicity TEXT, hospital_expire_flag SMALLINT,"
            " has_chartevents_data SMALLINT);"
            "CREATE TABLE icustays (subject_id INTEGER, hadm_id INTEGER, icustay_id INTEGER,"
            " intime TIMESTAMP, outtime TIMESTAMP);"
            "CREATE TABLE chartevents (subject_id INTEGER, hadm_id INTEGER, icustay_id INTEGER,"
            " itemid INTEGER, charttime TIMESTAMP, value TEXT, valuenum DOUBLE PRECISION, error INTEGER);"
            "CREATE TABLE labevents (subject_id INTEGER, hadm_id INTEGER, itemid INTEGER,"
            " charttime TIMESTAMP, value TEXT, valuenum DOUBLE PRECISION);");
}

static void
chart (GString    *sql,
       int         subject,
       int         hadm,
       int         stay,
       int         itemid,
       const char *time,
       double      value,
       int         error)
{
  char buf[G_ASCII_DTOSTR_BUF_SIZE];

  g_ascii_dtostr (buf, sizeof buf, value);
  g_string_append_printf (sql, "INSERT INTO chartevents VALUES (%d, %d, %d, %d, '%s', '%s', %s, %d);",
                          subject, hadm, stay, itemid, time, buf, buf, error);
}

static void
lab (GString    *sql,
     int         subject,
     int         hadm,
     int         itemid,
     const char *time,
     double      value)
{
  char buf[G_ASCII_DTOSTR_BUF_SIZE];

  g_ascii_dtostr (buf, sizeof buf, value);
  g_string_append_printf (sql, "INSERT INTO labevents VALUES (%d, %d, %d, '%s', '%s', %s);",
                          subject, hadm, itemid, time, buf, buf);
}

static void
write_micro_cohort (const char *path)
{
  sqlite3 *db = NULL;
  g_autoptr(GString) sql = g_string_new ("BEGIN;");
  const int hr611[] = { 82, 84, 86, 88, 92, 94, 96 };
  g_auto(GStrv) statements = NULL;
  guint n;

  g_assert_cmpint (sqlite3_open (path, &db), ==, SQLITE_OK);
  create_tables (db);

  g_string_append (sql,
    "INSERT INTO patients VALUES (1, 'M', '2090-01-01 00:00:00', NULL),"
    " (2, 'F', '2150-01-01 00:00:00', NULL), (3, 'M', '2100-01-01 00:00:00', NULL),"
    " (4, 'F', '2080-06-15 00:00:00', '2150-01-06 00:00:00'), (5, 'M', '2110-01-01 00:00:00', NULL),"
    " (6, 'F', '1850-03-01 00:00:00', NULL), (7, 'M', '2100-01-01 00:00:00', NULL);"
    "INSERT INTO admissions VALUES"
    " (1, 11, '2150-01-01 08:00:00', '2150-01-06 08:00:00', 'WHITE', 0, 1),"
    " (2, 21, '2150-01-01 00:00:00', '2150-01-04 00:00:00', 'WHITE', 0, 1),"
    " (3, 31, '2150-01-01 08:00:00', '2150-01-05 08:00:00', 'WHITE', 0, 1),"
    " (4, 41, '2150-01-01 06:00:00', '2150-01-07 06:00:00', 'ASIAN', 1, 1),"
    " (5, 51, '2150-01-01 08:00:00', '2150-01-04 08:00:00', 'WHITE', 0, 1),"
    " (6, 61, '2150-01-01 08:00:00', '2150-01-04 08:00:00', 'OTHER', 0, 1),"
    " (7, 71, '2150-01-01 08:00:00', '2150-01-04 08:00:00', 'OTHER', 0, 1);"
    "INSERT INTO icustays VALUES"
    " (1, 11, 111, '2150-01-01 10:30:00', '2150-01-04 10:30:00'),"
    " (2, 21, 211, '2150-01-01 01:00:00', '2150-01-03 01:00:00'),"
    " (3, 31, 311, '2150-01-01 09:00:00', '2150-01-01 20:00:00'),"
    " (4, 41, 412, '2150-01-03 00:00:00', '2150-01-05 00:00:00'),"   /* unsorted on purpose */
    " (4, 41, 411, '2150-01-01 07:00:00', '2150-01-02 12:00:00'),"
    " (5, 51, 511, '2150-01-01 09:30:00', '2150-01-03 09:30:00'),"
    " (6, 61, 611, '2150-01-01 08:45:00', '2150-01-03 08:45:00');");

  /* stay 111: gap to impute, a duplicate charttime, a value above P95, °F, ranges */
  chart (sql, 1, 11, 111, 220045, "2150-01-02 12:00:00", 200, 0);
  chart (sql, 1, 11, 111, 220045, "2150-01-01 14:20:00", 100, 0);
  chart (sql, 1, 11, 111, 220045, "2150-01-01 11:50:00", 88, 0);
  chart (sql, 1, 11, 111, 220045, "2150-01-01 11:50:00", 92, 0);
  chart (sql, 1, 11, 111, 220045, "2150-01-01 11:10:00", 80, 0);
  chart (sql, 1, 11, 111, 220045, "2150-01-01 12:15:00", 350, 0);   /* out of range */
  chart (sql, 1, 11, 111, 220045, "2150-01-01 13:00:00", 95, 1);    /* error = 1 */
  chart (sql, 1, 11, 111, 223761, "2150-01-01 11:10:00", 98.6, 0);  /* °F → 37.0 °C */
  chart (sql, 1, 11, 111, 223762, "2150-01-01 13:30:00", 38.0, 0);
  chart (sql, 1, 11, 111, 223762, "2150-01-01 12:00:00", 99.5, 0);  /* °F in a °C item */
  chart (sql, 1, 11, 111, 223761, "2150-01-01 12:30:00", 37.2, 0);  /* °C in a °F item */
  lab (sql, 1, 11, 51006, "2150-01-04 09:00:00", 30);
  lab (sql, 1, 11, 51006, "2150-01-01 09:00:00", 10);
  lab (sql, 1, 11, 51006, "2150-01-02 09:00:00", 400);               /* above 300 */

  /* dropped stays: their values must not reach the statistics */
  chart (sql, 2, 21, 211, 220045, "2150-01-01 02:00:00", 120, 0);
  chart (sql, 3, 31, 311, 220045, "2150-01-01 10:00:00", 150, 0);

  /* hadm 41: two ICU stays, blood gas repeated for both, intime on the hour */
  for (int k = 0; k < 5; k++)
    {
      g_autofree char *t1 = g_strdup_printf ("2150-01-01 %02d:00:00", 8 + k);
      g_autofree char *t2 = g_strdup_printf ("2150-01-03 %02d:00:00", 1 + k);

      chart (sql, 4, 41, 411, 211, t1, 60 + 2 * k, 0);   /* CareVue heart rate item */
      chart (sql, 4, 41, 412, 211, t2, 70 + 2 * k, 0);
    }
  lab (sql, 4, 41, 50822, "2150-01-03 06:00:00", 5.0);
  lab (sql, 4, 41, 50822, "2150-01-01 09:00:00", 4.0);

  /* hadm 61: heart rate, temperature, and the fillers */
  for (int k = 0; k < 7; k++)
    {
      g_autofree char *t = g_strdup_printf ("2150-01-01 %02d:00:00", 9 + k);

      chart (sql, 6, 61, 611, 220045, t, hr611[k], 0);
    }
  chart (sql, 6, 61, 611, 676, "2150-01-01 10:00:00", 36.0, 0);
  chart (sql, 6, 61, 611, 676, "2150-01-01 12:00:00", 39.0, 0);
  for (guint i = 0; i < G_N_ELEMENTS (fillers); i++)
    {
      if (fillers[i].bg)
        {
          lab (sql, 6, 61, fillers[i].itemid, "2150-01-01 12:00:00", fillers[i].hi);
          lab (sql, 6, 61, fillers[i].itemid, "2150-01-01 09:00:00", fillers[i].lo);
        }
      else
        {
          chart (sql, 6, 61, 611, fillers[i].itemid, "2150-01-01 12:00:00", fillers[i].hi, 0);
          chart (sql, 6, 61, 611, fillers[i].itemid, "2150-01-01 09:00:00", fillers[i].lo, 0);
        }
    }

  /* subject 7: labs of an admission without ICU stay */
  lab (sql, 7, 71, 51006, "2150-01-01 10:00:00", 99);

  g_string_append (sql, "COMMIT;");

  /* rows go in in reverse order: nothing may rely on the source being sorted */
  statements = g_strsplit (sql->str, ";", -1);
  n = g_strv_length (statements);
  exec_sql (db, "BEGIN");
  for (guint i = n; i-- > 0;)
    if (g_str_has_prefix (statements[i], "INSERT"))
      exec_sql (db, statements[i]);
  exec_sql (db, "COMMIT");
  sqlite3_close (db);
}

static double
query_double (PbProject  *project,
              const char *sql)
{
  g_autoptr(sqlite3_stmt) stmt = pb_sqlite_prepare (pb_project_get_db (project), sql, NULL);

  g_assert_nonnull (stmt);
  g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
  if (sqlite3_column_type (stmt, 0) == SQLITE_NULL)
    return NAN;
  return sqlite3_column_double (stmt, 0);
}

/* 2150-01-01 00:00:00 */
#define D G_GINT64_CONSTANT (5680281600)

static PbProject *
import_micro (Fixture *f)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(PbProject) project = NULL;
  PbImportCounts counts;

  write_micro_cohort (f->mimic);
  project = pb_project_create (f->project, &error);
  g_assert_no_error (error);
  g_assert_true (pb_source_import_sqlite (project, f->mimic, &counts, NULL, NULL, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpint (counts.icustays, ==, 7);
  return g_steal_pointer (&project);
}

static void
test_micro_import (Fixture       *f,
                   gconstpointer  data)
{
  g_autoptr(PbProject) project = import_micro (f);
  g_autofree char *sql = NULL;

  /* ICU-stay detail: ages in whole years, shifted >89 kept as ~300, LOS in days */
  g_assert_cmpfloat (query_double (project, "SELECT admission_age FROM raw_icustay WHERE icustay_id = 111"), ==, 60);
  g_assert_cmpfloat (query_double (project, "SELECT admission_age FROM raw_icustay WHERE icustay_id = 411"), ==, 69);
  g_assert_cmpfloat (query_double (project, "SELECT admission_age FROM raw_icustay WHERE icustay_id = 611"), ==, 299);
  g_assert_cmpfloat (query_double (project, "SELECT admission_age FROM raw_icustay WHERE icustay_id = 211"), ==, 0);
  g_assert_cmpfloat (query_double (project, "SELECT los_icu FROM raw_icustay WHERE icustay_id = 311"), ==, 0);
  g_assert_cmpfloat (query_double (project, "SELECT los_icu FROM raw_icustay WHERE icustay_id = 411"), ==, 1);
  g_assert_cmpfloat (query_double (project, "SELECT los_hospital FROM raw_icustay WHERE icustay_id = 111"), ==, 5);
  g_assert_cmpint (pb_test_query_int (project, "SELECT count(*) FROM raw_icustay "
                                               "WHERE hadm_id = 71"), ==, 0);

  /* vitals: °F converted, out-of-range and error rows dropped, duplicates averaged */
  sql = g_strdup_printf ("SELECT tempc FROM raw_vital WHERE icustay_id = 111 AND charttime = %"
                         G_GINT64_FORMAT, D + 11 * 3600 + 600);
  g_assert_cmpfloat_with_epsilon (query_double (project, sql), 37.0, 1e-9);
  g_free (sql);
  sql = g_strdup_printf ("SELECT heartrate FROM raw_vital WHERE icustay_id = 111 AND charttime = %"
                         G_GINT64_FORMAT, D + 11 * 3600 + 50 * 60);
  g_assert_cmpfloat (query_double (project, sql), ==, 90);
  g_free (sql);
  sql = g_strdup_printf ("SELECT heartrate IS NULL FROM raw_vital WHERE icustay_id = 111 AND charttime = %"
                         G_GINT64_FORMAT, D + 12 * 3600 + 15 * 60);
  g_assert_cmpint (pb_test_query_int (project, sql), ==, 1);
  g_free (sql);
  sql = g_strdup_printf ("SELECT count(*) FROM raw_vital WHERE icustay_id = 111 AND charttime = %"
                         G_GINT64_FORMAT, D + 13 * 3600);
  g_assert_cmpint (pb_test_query_int (project, sql), ==, 0);
  g_free (sql);
  sql = g_strdup_printf ("SELECT tempc IS NULL FROM raw_vital WHERE icustay_id = 111 AND charttime = %"
                         G_GINT64_FORMAT, D + 12 * 3600);
  g_assert_cmpint (pb_test_query_int (project, sql), ==, 1);

  /* labs: above the upper limit → NULL; the ICU window assigns icustay_id */
  g_assert_cmpint (pb_test_query_int (project, "SELECT count(*) FROM raw_lab WHERE bun IS NULL AND hadm_id = 11"), ==, 1);
  g_assert_cmpint (pb_test_query_int (project, "SELECT hadm_id FROM raw_lab WHERE subject_id = 7"),
                   ==, 71);
  g_assert_cmpint (pb_test_query_int (project, "SELECT count(*) FROM raw_bg WHERE hadm_id = 41"),
                   ==, 2);
  g_assert_cmpint (pb_test_query_int (project, "SELECT icustay_id FROM raw_bg WHERE hadm_id = 41 ORDER BY charttime LIMIT 1"), ==, 411);

  /* provenance */
  g_assert_cmpint (pb_test_query_int (project, "SELECT count(*) FROM imports WHERE source_kind = 'sqlite'"), ==, 1);
}

static void
assert_row (const PbDataset *ds,
            guint            i,
            guint            t,
            guint            f,
            double           expected)
{
  float v = pb_dataset_get_sequence (ds, i)[t * ds->n_features + f];

  if (fabs (v - expected) > 1e-6)
    g_error ("sample %u (hadm %" G_GINT64_FORMAT ") hour %u feature %s: %.9g, expected %.9g",
             i, ds->sample_ids[i], t, pb_preprocess_feature_names[f], v, expected);
}

static void
test_micro_preprocess (Fixture       *f,
                       gconstpointer  data)
{
  g_autoptr(PbProject) project = import_micro (f);
  g_autoptr(PbPreprocessReport) report = NULL;
  g_autoptr(PbDataset) ds = NULL;
  g_autoptr(PbDataset) loaded = NULL;
  g_autoptr(GError) error = NULL;
  const PbPreprocessStage *stage;

  ds = pb_preprocess_run (project, NULL, &report, NULL, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (ds);
  g_assert_true (pb_dataset_validate (ds, &error));

  /* stage counts */
  stage = g_ptr_array_index (report->stages, 0);
  g_assert_cmpint (stage->n_in, ==, 7);
  g_assert_cmpint (stage->n_out, ==, 5);
  g_assert_nonnull (strstr (stage->detail, "age < 18: 1"));
  g_assert_nonnull (strstr (stage->detail, "ICU stay < 1 d: 1"));

  /* global statistics, worked out by hand in the comment above */
  g_assert_cmpint (report->count[13], ==, 21);
  g_assert_cmpfloat_with_epsilon (report->p5[13], 62, 1e-9);
  g_assert_cmpfloat_with_epsilon (report->p50[13], 80, 1e-9);
  g_assert_cmpfloat_with_epsilon (report->p95[13], 100, 1e-9);
  g_assert_cmpint (report->count[0], ==, 4);
  g_assert_cmpfloat_with_epsilon (report->p5[0], 4, 1e-9);
  g_assert_cmpfloat_with_epsilon (report->p50[0], 4.5, 1e-9);
  g_assert_cmpfloat_with_epsilon (report->p95[0], 5, 1e-9);
  g_assert_cmpfloat_with_epsilon (report->p5[6], 11, 1e-9);
  g_assert_cmpfloat_with_epsilon (report->p95[6], 29, 1e-9);
  g_assert_cmpfloat_with_epsilon (report->p5[16], 36.15, 1e-9);
  g_assert_cmpfloat_with_epsilon (report->p50[16], 37.5, 1e-9);
  g_assert_cmpfloat_with_epsilon (report->p95[16], 38.85, 1e-9);
  g_assert_cmpfloat_with_epsilon (report->p5[10], 110, 1e-9);
  g_assert_cmpfloat_with_epsilon (report->p95[10], 290, 1e-9);

  /* samples: hadm 11 (48 h), 41 (47 h: intime on the hour), 61 (7 h); 51 has no data */
  g_assert_cmpuint (ds->n, ==, 3);
  g_assert_cmpuint (ds->max_len, ==, 48);
  g_assert_cmpuint (ds->n_features, ==, 19);
  g_assert_cmpstr (ds->feature_names[0], ==, "potassium");
  g_assert_cmpstr (ds->feature_names[18], ==, "spo2");
  g_assert_cmpint (ds->sample_ids[0], ==, 11);
  g_assert_cmpint (ds->sample_ids[1], ==, 41);
  g_assert_cmpint (ds->sample_ids[2], ==, 61);
  g_assert_cmpuint (ds->lengths[0], ==, 48);
  g_assert_cmpuint (ds->lengths[1], ==, 47);
  g_assert_cmpuint (ds->lengths[2], ==, 7);
  g_assert_cmpint (ds->labels[0], ==, 0);
  g_assert_cmpint (ds->labels[1], ==, 1);
  g_assert_cmpint (ds->labels[2], ==, 0);

  /* hadm 11, hours D 11:00 … D+2 10:00 */
  assert_row (ds, 0, 0, 13, 23.0 / 38);        /* (80 + 90) / 2 = 85 */
  assert_row (ds, 0, 1, 13, 28.0 / 38);        /* gap: 90 */
  assert_row (ds, 0, 2, 13, 33.0 / 38);        /* gap: 95 */
  assert_row (ds, 0, 3, 13, 1.0);              /* 100 */
  assert_row (ds, 0, 25, 13, 1.0);             /* 200 > P95 → clipped */
  assert_row (ds, 0, 47, 13, 1.0);             /* after the last value: constant */
  assert_row (ds, 0, 0, 16, (37.0 - 36.15) / 2.7);
  assert_row (ds, 0, 1, 16, 0.5);              /* 37.5 interpolated */
  assert_row (ds, 0, 2, 16, (38.0 - 36.15) / 2.7);
  for (guint t = 0; t < 48; t++)
    {
      double bun = CLAMP (10 + 20.0 * (t + 2) / 72, 11.0, 29.0);

      assert_row (ds, 0, t, 6, (bun - 11) / 18);
      assert_row (ds, 0, t, 0, 0.5);           /* no potassium: global median */
      for (guint i = 0; i < G_N_ELEMENTS (fillers); i++)
        assert_row (ds, 0, t, fillers[i].index, 0.5);
    }

  /* hadm 41, hours D 08:00 … D+2 06:00, both ICU stays */
  for (guint t = 0; t < 47; t++)
    {
      double hr;

      if (t <= 4)
        hr = 60 + 2 * t;
      else if (t <= 41)
        hr = 68 + 2.0 * (t - 4) / 37;
      else
        hr = MIN (70 + 2 * (t - 41), 78);
      assert_row (ds, 1, t, 13, (MAX (hr, 62) - 62) / 38);
      assert_row (ds, 1, t, 0, t == 0 ? 0.0 : (t - 1) / 45.0);
      assert_row (ds, 1, t, 16, 0.5);
      assert_row (ds, 1, t, 6, 0.5);
    }

  /* hadm 61, hours D 09:00 … D 15:00 */
  for (guint t = 0; t < 7; t++)
    {
      const double filler[] = { 0.0, (1.0 / 3 - 0.05) / 0.9, (2.0 / 3 - 0.05) / 0.9, 1, 1, 1, 1 };
      const double temp[] = { 0, 0, 0.5, 1, 1, 1, 1 };
      const int hr[] = { 82, 84, 86, 88, 92, 94, 96 };

      assert_row (ds, 2, t, 13, (hr[t] - 62) / 38.0);
      assert_row (ds, 2, t, 16, temp[t]);
      for (guint i = 0; i < G_N_ELEMENTS (fillers); i++)
        assert_row (ds, 2, t, fillers[i].index, filler[t]);
    }
  /* padding stays zero */
  assert_row (ds, 2, 7, 13, 0.0);
  assert_row (ds, 1, 47, 0, 0.0);

  /* saved, it loads back as the training engine expects */
  g_assert_true (pb_dataset_save (ds, project, PB_PREPROCESS_DEFAULT_DATASET, NULL, &error));
  g_assert_no_error (error);
  loaded = pb_dataset_load (project, PB_PREPROCESS_DEFAULT_DATASET, &error);
  g_assert_no_error (error);
  g_assert_true (pb_dataset_validate (loaded, &error));
  g_assert_cmpuint (loaded->n, ==, 3);
}

/* ---- synthetic cohort ---------------------------------------------------------------- */

static void
test_synth_deterministic (Fixture       *f,
                          gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *other = g_build_filename (f->dir, "other.sqlite", NULL);
  PbSynthParams params;
  PbSynthCounts a, b;
  g_autofree char *ca = NULL;
  g_autofree char *cb = NULL;
  gsize la, lb;

  pb_synth_params_init (&params);
  params.n_stays = 120;
  g_assert_true (pb_synth_write_sqlite (&params, f->mimic, &a, NULL, NULL, NULL, &error));
  g_assert_no_error (error);
  g_assert_true (pb_synth_write_sqlite (&params, other, &b, NULL, NULL, NULL, &error));
  g_assert_no_error (error);

  g_assert_cmpint (a.icustays, ==, 120);
  g_assert_cmpint (a.chartevents, ==, b.chartevents);
  g_assert_cmpint (a.labevents, ==, b.labevents);
  g_assert_cmpint (a.chartevents, >, 120 * 50);
  g_assert_true (g_file_get_contents (f->mimic, &ca, &la, NULL));
  g_assert_true (g_file_get_contents (other, &cb, &lb, NULL));
  g_assert_cmpuint (la, ==, lb);
  g_assert_true (memcmp (ca, cb, la) == 0);

  /* an existing file is never overwritten */
  g_assert_false (pb_synth_write_sqlite (&params, other, NULL, NULL, NULL, NULL, &error));
  g_assert_error (error, PB_ENGINE_ERROR, PB_ENGINE_ERROR_EXISTS);
}

static void
test_synth_pipeline (Fixture       *f,
                     gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(PbProject) project = NULL;
  g_autoptr(PbDataset) ds = NULL;
  g_autoptr(PbPreprocessReport) report = NULL;
  PbSynthParams params;
  PbImportCounts counts;
  guint classes[2] = { 0, 0 };

  pb_synth_params_init (&params);
  params.n_stays = 300;
  g_assert_true (pb_synth_write_sqlite (&params, f->mimic, NULL, NULL, NULL, NULL, &error));
  g_assert_no_error (error);

  project = pb_project_create (f->project, &error);
  g_assert_no_error (error);
  g_assert_true (pb_source_import (project, "sqlite:" "", NULL, &counts, NULL, NULL, NULL, &error) == FALSE);
  g_assert_error (error, PB_ENGINE_ERROR, PB_ENGINE_ERROR_NOT_FOUND);
  g_clear_error (&error);

  {
    g_autofree char *from = g_strconcat ("sqlite:", f->mimic, NULL);

    g_assert_true (pb_source_import (project, from, NULL, &counts, NULL, NULL, NULL, &error));
    g_assert_no_error (error);
  }
  g_assert_cmpint (counts.icustays, >, 285);    /* minus admissions without chartevents */
  g_assert_cmpint (counts.vital, >, counts.icustays * 20);
  g_assert_cmpint (counts.lab, >, 0);
  g_assert_cmpint (counts.bg, >, 0);

  /* the out-of-range temperatures never reach raw_vital */
  g_assert_cmpint (pb_test_query_int (project, "SELECT count(*) FROM raw_vital WHERE tempc < 10 OR tempc > 50"), ==, 0);
  g_assert_cmpint (pb_test_query_int (project, "SELECT count(*) FROM raw_vital WHERE heartrate >= 300"), ==, 0);

  ds = pb_preprocess_run (project, NULL, &report, NULL, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (pb_dataset_validate (ds, &error));
  g_assert_cmpuint (ds->n_features, ==, 19);
  g_assert_cmpuint (ds->max_len, ==, 48);
  g_assert_cmpuint (ds->n, >, 150);
  pb_dataset_count_classes (ds, classes);
  /* prevalence ≈ 11 % of kept admissions (binomial spread on a few hundred) */
  g_assert_cmpfloat ((double) classes[1] / ds->n, >, 0.05);
  g_assert_cmpfloat ((double) classes[1] / ds->n, <, 0.18);
  for (guint i = 0; i < ds->n; i++)
    {
      const float *x = pb_dataset_get_sequence (ds, i);

      for (guint k = 0; k < ds->lengths[i] * ds->n_features; k++)
        g_assert_true (x[k] >= 0.0f && x[k] <= 1.0f);
    }
}

/* ---- bad input ----------------------------------------------------------------------- */

static void
write_with_change (const char *path,
                   const char *change)
{
  sqlite3 *db = NULL;

  write_micro_cohort (path);
  g_assert_cmpint (sqlite3_open (path, &db), ==, SQLITE_OK);
  exec_sql (db, change);
  sqlite3_close (db);
}

static void
assert_import_fails (Fixture    *f,
                     const char *change,
                     int         code,
                     const char *needle)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(PbProject) project = NULL;

  g_unlink (f->mimic);
  g_unlink (f->project);
  write_with_change (f->mimic, change);
  project = pb_project_create (f->project, &error);
  g_assert_no_error (error);
  g_assert_false (pb_source_import_sqlite (project, f->mimic, NULL, NULL, NULL, NULL, &error));
  g_assert_error (error, PB_ENGINE_ERROR, code);
  if (strstr (error->message, needle) == NULL)
    g_error ("“%s” does not name “%s”", error->message, needle);
  g_assert_cmpint (pb_test_query_int (project, "SELECT count(*) FROM raw_icustay"), ==, 0);
  g_assert_cmpint (pb_test_query_int (project, "SELECT count(*) FROM imports"), ==, 0);
}

static void
test_bad_schema (Fixture       *f,
                 gconstpointer  data)
{
  assert_import_fails (f, "DROP TABLE chartevents", PB_ENGINE_ERROR_NOT_FOUND,
                       "mimiciii.chartevents");
  assert_import_fails (f, "ALTER TABLE patients DROP COLUMN dob", PB_ENGINE_ERROR_NOT_FOUND,
                       "mimiciii.patients.dob");
  assert_import_fails (f, "ALTER TABLE labevents RENAME COLUMN valuenum TO value_num",
                       PB_ENGINE_ERROR_NOT_FOUND, "labevents.valuenum");
  assert_import_fails (f,
                       "DROP TABLE chartevents;"
                       "CREATE TABLE chartevents (icustay_id INTEGER, itemid INTEGER,"
                       " charttime INTEGER, valuenum REAL, error INTEGER)",
                       PB_ENGINE_ERROR_INVALID_DATA, "chartevents.charttime has type INTEGER");
}

static void
test_nulls_everywhere (Fixture       *f,
                       gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(PbProject) project = NULL;
  g_autoptr(PbDataset) ds = NULL;

  write_with_change (f->mimic,
                     "INSERT INTO patients VALUES (NULL, NULL, NULL, NULL);"
                     "INSERT INTO admissions VALUES (9, 91, NULL, NULL, NULL, NULL, 1);"
                     "INSERT INTO icustays VALUES (9, 91, 911, NULL, NULL);"
                     "INSERT INTO icustays VALUES (NULL, NULL, NULL, NULL, NULL);"
                     "INSERT INTO chartevents VALUES (NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL);"
                     "INSERT INTO chartevents VALUES (6, 61, 611, 220045, NULL, NULL, NULL, NULL);"
                     "INSERT INTO chartevents VALUES (6, 61, 611, 220045, '2150-01-01 10:30:00', NULL, NULL, NULL);"
                     "INSERT INTO labevents VALUES (NULL, NULL, NULL, NULL, NULL, NULL);"
                     "INSERT INTO labevents VALUES (6, NULL, 50808, '2150-01-01 10:30:00', 'x', NULL);");
  project = pb_project_create (f->project, &error);
  g_assert_no_error (error);
  g_assert_true (pb_source_import_sqlite (project, f->mimic, NULL, NULL, NULL, NULL, &error));
  g_assert_no_error (error);
  ds = pb_preprocess_run (project, NULL, NULL, NULL, NULL, NULL, &error);
  g_assert_no_error (error);
  /* the NULL rows change nothing: same three samples */
  g_assert_cmpuint (ds->n, ==, 3);
  g_assert_cmpuint (ds->lengths[2], ==, 7);
}

static void
test_not_imported (Fixture       *f,
                   gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(PbProject) project = pb_project_create (f->project, &error);
  g_autoptr(PbDataset) ds = NULL;

  g_assert_no_error (error);
  ds = pb_preprocess_run (project, NULL, NULL, NULL, NULL, NULL, &error);
  g_assert_null (ds);
  g_assert_error (error, PB_ENGINE_ERROR, PB_ENGINE_ERROR_INVALID_DATA);
  g_assert_nonnull (strstr (error->message, "perturb import"));
}

typedef struct
{
  GCancellable *cancellable;
  guint         calls;
} CancelData;

static void
cancel_on_progress (double        fraction,
                    const char   *message,
                    gconstpointer details,
                    gpointer      user_data)
{
  CancelData *data = user_data;

  /* cancel inside the vital-sign query, the last and largest */
  if (message != NULL && g_str_has_prefix (message, "Vital"))
    g_cancellable_cancel (data->cancellable);
  data->calls++;
}

static void
test_cancel_import (Fixture       *f,
                    gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(PbProject) project = NULL;
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autofree char *synth = g_build_filename (f->dir, "synth.sqlite", NULL);
  CancelData cancel = { cancellable, 0 };
  PbSynthParams params;
  gint64 vital_before;

  project = import_micro (f);
  vital_before = pb_test_query_int (project, "SELECT count(*) FROM raw_vital");

  pb_synth_params_init (&params);
  params.n_stays = 60;
  g_assert_true (pb_synth_write_sqlite (&params, synth, NULL, NULL, NULL, NULL, &error));
  g_assert_no_error (error);

  g_assert_false (pb_source_import_sqlite (project, synth, NULL, cancel_on_progress, &cancel,
                                           cancellable, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_cmpuint (cancel.calls, >, 0);

  /* the first import is still there, untouched */
  g_assert_cmpint (pb_test_query_int (project, "SELECT count(*) FROM raw_icustay"), ==, 7);
  g_assert_cmpint (pb_test_query_int (project, "SELECT count(*) FROM raw_vital"), ==, vital_before);
  g_assert_cmpint (pb_test_query_int (project, "SELECT count(*) FROM imports"), ==, 1);
}

/* ---- the command line: synth → import → preprocess gives dataset "default" ------- */

static int
run_cli (const char  *args,
         char       **out)
{
  g_autofree char *cmd = g_strdup_printf ("%s %s", g_getenv ("PERTURB_CLI"), args);
  g_autoptr(GError) error = NULL;
  int status = -1;

  g_assert_true (g_spawn_command_line_sync (cmd, out, NULL, &status, &error));
  g_assert_no_error (error);
  return WIFEXITED (status) ? WEXITSTATUS (status) : -1;
}

static void
test_cli (Fixture       *f,
          gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(PbProject) project = NULL;
  g_autoptr(PbDataset) ds = NULL;
  g_autofree char *args = NULL;
  g_autofree char *out = NULL;
  g_autofree char *out2 = NULL;
  g_autofree char *out3 = NULL;

  if (g_getenv ("PERTURB_CLI") == NULL)
    {
      g_test_skip ("PERTURB_CLI not set");
      return;
    }

  g_assert_cmpint (run_cli ("synth --stays 10", NULL), ==, 2);
  g_assert_cmpint (run_cli ("synth --stays 0 --sqlite x.sqlite", NULL), ==, 2);

  args = g_strdup_printf ("synth --stays 150 --seed 3 --sqlite %s", f->mimic);
  g_assert_cmpint (run_cli (args, &out), ==, 0);
  g_assert_nonnull (strstr (out, "icustays"));
  g_free (args);
  args = g_strdup_printf ("import %s --from sqlite:%s", f->project, f->mimic);
  g_assert_cmpint (run_cli (args, &out2), ==, 0);
  g_assert_nonnull (strstr (out2, "vital"));
  g_free (args);
  args = g_strdup_printf ("preprocess %s", f->project);
  g_assert_cmpint (run_cli (args, &out3), ==, 0);
  g_assert_nonnull (strstr (out3, "feature finalizer"));
  g_assert_nonnull (strstr (out3, "Dataset “default”"));

  project = pb_project_open (f->project, &error);
  g_assert_no_error (error);
  ds = pb_dataset_load (project, PB_PREPROCESS_DEFAULT_DATASET, &error);
  g_assert_no_error (error);
  g_assert_true (pb_dataset_validate (ds, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (ds->max_len, ==, 48);
  g_assert_cmpuint (ds->n_features, ==, 19);
  g_assert_cmpuint (ds->n_classes, ==, 2);
  g_assert_nonnull (ds->feature_names);
  g_assert_cmpstr (ds->feature_names[13], ==, "heartrate");
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add ("/pb/data/micro/import", Fixture, NULL, fixture_setup, test_micro_import, fixture_tear);
  g_test_add ("/pb/data/micro/preprocess", Fixture, NULL, fixture_setup, test_micro_preprocess, fixture_tear);
  g_test_add ("/pb/data/synth/deterministic", Fixture, NULL, fixture_setup, test_synth_deterministic, fixture_tear);
  g_test_add ("/pb/data/synth/pipeline", Fixture, NULL, fixture_setup, test_synth_pipeline, fixture_tear);
  g_test_add ("/pb/data/bad/schema", Fixture, NULL, fixture_setup, test_bad_schema, fixture_tear);
  g_test_add ("/pb/data/bad/nulls-everywhere", Fixture, NULL, fixture_setup, test_nulls_everywhere, fixture_tear);
  g_test_add ("/pb/data/bad/not-imported", Fixture, NULL, fixture_setup, test_not_imported, fixture_tear);
  g_test_add ("/pb/data/cli/synth-import-preprocess", Fixture, NULL, fixture_setup, test_cli, fixture_tear);
  g_test_add ("/pb/data/bad/cancel-import", Fixture, NULL, fixture_setup, test_cancel_import, fixture_tear);

  return g_test_run ();
}
