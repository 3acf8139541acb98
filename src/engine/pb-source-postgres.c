/* pb-source-postgres.c — the four extraction queries (SPEC §1) against MIMIC-III
 * v1.4 in PostgreSQL, as built by the MIT-LCP mimic-code scripts.
 *
 * The queries are pushed down to the server and their results stream back in
 * libpq's single-row mode straight into the project's raw tables: no result is
 * ever held whole. The server side runs in one read-only REPEATABLE READ
 * transaction (one snapshot for all four queries), the project side in one write
 * transaction, so a failure or a cancel leaves the project as it was. Columns of
 * the pivot queries that no feature uses are not computed; the row set (groups,
 * HAVING, joins, order) is the original queries'.
 *
 * The password never passes through here: libpq takes it from PGPASSFILE, a
 * service file or the environment. Provenance keeps host, port, database and
 * user only.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "pb-source-private.h"

#include "pb-error.h"

#include <string.h>

/* "fuzzy" ICU windows (SPEC §1.2); @S@ is the escaped schema name */
#define ICU_WINDOW_CTE \
  "i AS (" \
  " SELECT subject_id, icustay_id, intime, outtime," \
  "  lag (outtime) OVER (PARTITION BY subject_id ORDER BY intime) AS outtime_lag," \
  "  lead (intime) OVER (PARTITION BY subject_id ORDER BY intime) AS intime_lead" \
  " FROM @S@.icustays)," \
  " iid AS (" \
  " SELECT subject_id, icustay_id," \
  "  CASE WHEN intime - outtime_lag IS NOT NULL AND intime - outtime_lag < interval '24 hours'" \
  "       THEN intime - (intime - outtime_lag) / 2 ELSE intime - interval '12 hours' END" \
  "   AS data_start," \
  "  CASE WHEN intime_lead - outtime IS NOT NULL AND intime_lead - outtime < interval '24 hours'" \
  "       THEN outtime + (intime_lead - outtime) / 2 ELSE outtime + interval '12 hours' END" \
  "   AS data_end" \
  " FROM i)"

static const char icustay_sql[] =
  "SELECT ie.icustay_id, ie.subject_id, ie.hadm_id, pat.gender,"
  " extract (epoch FROM pat.dod)::bigint,"
  " extract (epoch FROM adm.admittime)::bigint, extract (epoch FROM adm.dischtime)::bigint,"
  " date_part ('day', adm.dischtime - adm.admittime) AS los_hospital,"
  " date_part ('year', age (ie.intime, pat.dob)) AS admission_age,"
  " adm.hospital_expire_flag,"
  " extract (epoch FROM ie.intime)::bigint, extract (epoch FROM ie.outtime)::bigint,"
  " date_part ('day', ie.outtime - ie.intime) AS los_icu"
  " FROM @S@.icustays ie"
  " INNER JOIN @S@.admissions adm ON ie.hadm_id = adm.hadm_id"
  " INNER JOIN @S@.patients pat ON ie.subject_id = pat.subject_id"
  " WHERE adm.has_chartevents_data = 1"
  " ORDER BY ie.subject_id, adm.admittime, ie.intime";

static const char bg_sql[] =
  "WITH " ICU_WINDOW_CTE ","
  " pvt AS ("
  "  SELECT le.hadm_id, le.charttime, le.itemid,"
  "   CASE WHEN valuenum <= 0 THEN NULL"
  "        WHEN itemid = 50810 AND valuenum > 100 THEN NULL"
  "        WHEN itemid = 50816 AND valuenum < 20 THEN NULL"
  "        WHEN itemid = 50816 AND valuenum > 100 THEN NULL"
  "        WHEN itemid = 50817 AND valuenum > 100 THEN NULL"
  "        WHEN itemid = 50815 AND valuenum > 70 THEN NULL"
  "        WHEN itemid = 50821 AND valuenum > 800 THEN NULL"
  "        ELSE valuenum END AS valuenum"
  "  FROM @S@.labevents le"
  "  WHERE le.itemid IN (50800, 50801, 50802, 50803, 50804, 50805, 50806, 50807, 50808, 50809,"
  "   50810, 50811, 50812, 50813, 50814, 50815, 50816, 50817, 50818, 50819, 50820, 50821,"
  "   50822, 50823, 50824, 50825, 50826, 50827, 50828, 50960, 51545)),"
  " grp AS ("
  "  SELECT pvt.hadm_id, pvt.charttime,"
  "   avg (CASE WHEN itemid = 50822 THEN valuenum END) AS potassium,"
  "   avg (CASE WHEN itemid = 50808 THEN valuenum END) AS calcium,"
  "   avg (CASE WHEN itemid = 50820 THEN valuenum END) AS ph,"
  "   avg (CASE WHEN itemid = 50818 THEN valuenum END) AS pco2,"
  "   avg (CASE WHEN itemid = 50813 THEN valuenum END) AS lactate"
  "  FROM pvt GROUP BY pvt.hadm_id, pvt.charttime"
  "  HAVING sum (CASE WHEN itemid = 50800 THEN 1 ELSE 0 END) < 2)"
  " SELECT grp.hadm_id, extract (epoch FROM grp.charttime)::bigint, iid.icustay_id,"
  "  grp.potassium, grp.calcium, grp.ph, grp.pco2, grp.lactate"
  " FROM grp"
  " INNER JOIN @S@.admissions adm ON grp.hadm_id = adm.hadm_id"
  " LEFT JOIN iid ON adm.subject_id = iid.subject_id"
  "  AND grp.charttime >= iid.data_start AND grp.charttime < iid.data_end"
  " ORDER BY grp.hadm_id, grp.charttime";

static const char lab_sql[] =
  "WITH " ICU_WINDOW_CTE ","
  " h AS ("
  "  SELECT subject_id, hadm_id, admittime, dischtime,"
  "   lag (dischtime) OVER (PARTITION BY subject_id ORDER BY admittime) AS dischtime_lag,"
  "   lead (admittime) OVER (PARTITION BY subject_id ORDER BY admittime) AS admittime_lead"
  "  FROM @S@.admissions),"
  " adm AS ("
  "  SELECT subject_id, hadm_id,"
  "   CASE WHEN admittime - dischtime_lag IS NOT NULL"
  "         AND admittime - dischtime_lag < interval '24 hours'"
  "        THEN admittime - (admittime - dischtime_lag) / 2"
  "        ELSE admittime - interval '12 hours' END AS data_start,"
  "   CASE WHEN admittime_lead - dischtime IS NOT NULL"
  "         AND admittime_lead - dischtime < interval '24 hours'"
  "        THEN dischtime + (admittime_lead - dischtime) / 2"
  "        ELSE dischtime + interval '12 hours' END AS data_end"
  "  FROM h),"
  " le_avg AS ("
  "  SELECT le.subject_id, le.charttime,"
  "   avg (CASE WHEN itemid = 50862 AND valuenum <= 10 THEN valuenum END) AS albumin,"
  "   avg (CASE WHEN itemid = 51006 AND valuenum <= 300 THEN valuenum END) AS bun,"
  "   avg (CASE WHEN itemid = 50912 AND valuenum <= 150 THEN valuenum END) AS creatinine,"
  "   avg (CASE WHEN itemid = 50983 AND valuenum <= 200 THEN valuenum END) AS sodium,"
  "   avg (CASE WHEN itemid = 50882 AND valuenum <= 10000 THEN valuenum END) AS bicarbonate,"
  "   avg (CASE WHEN itemid = 51265 AND valuenum <= 10000 THEN valuenum END) AS platelet,"
  "   avg (CASE WHEN itemid = 50931 AND valuenum <= 10000 THEN valuenum END) AS glucose,"
  "   avg (CASE WHEN itemid = 50960 THEN valuenum END) AS magnesium"
  "  FROM @S@.labevents le"
  "  WHERE le.itemid IN (50868, 50862, 51144, 50882, 50885, 50912, 50902, 50931, 51221, 51222,"
  "   50813, 51265, 50971, 51275, 51237, 51274, 50983, 51006, 51301, 51300, 50960)"
  "   AND le.valuenum IS NOT NULL AND le.valuenum > 0"
  "  GROUP BY le.subject_id, le.charttime)"
  " SELECT le_avg.subject_id, adm.hadm_id, extract (epoch FROM le_avg.charttime)::bigint,"
  "  iid.icustay_id, albumin, bun, creatinine, sodium, bicarbonate, platelet, glucose, magnesium"
  " FROM le_avg"
  " LEFT JOIN adm ON le_avg.subject_id = adm.subject_id"
  "  AND le_avg.charttime >= adm.data_start AND le_avg.charttime < adm.data_end"
  " LEFT JOIN iid ON le_avg.subject_id = iid.subject_id"
  "  AND le_avg.charttime >= iid.data_start AND le_avg.charttime < iid.data_end"
  " ORDER BY le_avg.subject_id, le_avg.charttime";

static const char vital_sql[] =
  "SELECT ce.icustay_id, extract (epoch FROM ce.charttime)::bigint,"
  " avg (CASE WHEN itemid IN (211, 220045) AND valuenum > 0 AND valuenum < 300"
  "      THEN valuenum END),"
  " avg (CASE WHEN itemid IN (51, 442, 455, 6701, 220179, 220050)"
  "       AND valuenum > 0 AND valuenum < 400 THEN valuenum END),"
  " avg (CASE WHEN itemid IN (8368, 8440, 8441, 8555, 220180, 220051)"
  "       AND valuenum > 0 AND valuenum < 300 THEN valuenum END),"
  " avg (CASE WHEN itemid IN (223761, 678) AND valuenum > 70 AND valuenum < 120"
  "           THEN (valuenum - 32) / 1.8"
  "           WHEN itemid IN (223762, 676) AND valuenum > 10 AND valuenum < 50"
  "           THEN valuenum END),"
  " avg (CASE WHEN itemid IN (615, 618, 220210, 224690) AND valuenum > 0 AND valuenum < 70"
  "      THEN valuenum END),"
  " avg (CASE WHEN itemid IN (646, 220277) AND valuenum > 0 AND valuenum <= 100"
  "      THEN valuenum END)"
  " FROM @S@.chartevents ce"
  " WHERE ce.itemid IN (211, 220045, 51, 442, 455, 6701, 220179, 220050,"
  "  8368, 8440, 8441, 8555, 220180, 220051, 456, 52, 6702, 443, 220052, 220181, 225312,"
  "  615, 618, 220210, 224690, 223761, 678, 223762, 676, 646, 220277,"
  "  807, 811, 1529, 3745, 3744, 225664, 220621, 226537)"
  "  AND ce.icustay_id IS NOT NULL AND (ce.error IS NULL OR ce.error != 1)"
  " GROUP BY ce.icustay_id, ce.charttime"
  " ORDER BY ce.icustay_id, ce.charttime";

/* i = integer, r = real, t = text; one letter per result column */
typedef struct
{
  const char *message;
  const char *sql;
  const char *insert;
  const char *kinds;
  double      fraction;
} PgQuery;

static const PgQuery queries[] = {
  { "ICU-stay detail", icustay_sql,
    "INSERT INTO raw_icustay (icustay_id, subject_id, hadm_id, gender, dod, admittime, dischtime,"
    " los_hospital, admission_age, hospital_expire_flag, intime, outtime, los_icu)"
    " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
    "iiitiiirriiir", 0.0 },
  { "Blood gases", bg_sql,
    "INSERT INTO raw_bg (hadm_id, charttime, icustay_id, potassium, calcium, ph, pco2, lactate)"
    " VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
    "iiirrrrr", 0.05 },
  { "Labs", lab_sql,
    "INSERT INTO raw_lab (subject_id, hadm_id, charttime, icustay_id, albumin, bun, creatinine,"
    " sodium, bicarbonate, platelet, glucose, magnesium)"
    " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
    "iiiirrrrrrrr", 0.2 },
  { "Vital signs", vital_sql,
    "INSERT INTO raw_vital (icustay_id, charttime, heartrate, sysbp, diasbp, tempc, resprate, spo2)"
    " VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
    "iirrrrrr", 0.4 },
};

/* ---- connections ------------------------------------------------------------ */

/* Whether libpq's @message (nullable) contains @what. */
gboolean
_pb_pg_message_says (const char *message,
                     const char *what)
{
  return message != NULL && strstr (message, what) != NULL;
}

/* The first line of libpq's @message (nullable), stripped: what an error shows. */
char *
_pb_pg_first_line (const char *message)
{
  g_autofree char *copy = g_strdup (message != NULL ? message : "");
  char *nl;

  g_strstrip (copy);
  nl = strchr (copy, '\n');
  if (nl != NULL)
    *nl = '\0';
  return g_steal_pointer (&copy);
}

/* PQconninfoParse() with its message as a %PB_ENGINE_ERROR_INVALID_ARGUMENT;
 * free the options with PQconninfoFree(). */
PQconninfoOption *
_pb_pg_parse_conninfo (const char  *conninfo,
                       GError     **error)
{
  char *parse_error = NULL;
  PQconninfoOption *options = PQconninfoParse (conninfo, &parse_error);

  if (options == NULL)
    {
      g_autofree char *line = _pb_pg_first_line (parse_error);

      g_set_error (error, PB_ENGINE_ERROR, PB_ENGINE_ERROR_INVALID_ARGUMENT,
                   "Not a PostgreSQL connection string or service: %s",
                   parse_error != NULL ? line : "out of memory");
      PQfreemem (parse_error);
    }
  return options;
}

/**
 * _pb_pg_dup_description:
 *
 * Returns: "host=… port=… dbname=… user=…" of @conn: what may be stored or shown.
 */
char *
_pb_pg_dup_description (PGconn *conn)
{
  const char *host = PQhost (conn);

  return g_strdup_printf ("host=%s port=%s dbname=%s user=%s",
                          host != NULL && *host != '\0' ? host : "(default)",
                          PQport (conn) != NULL ? PQport (conn) : "",
                          PQdb (conn) != NULL ? PQdb (conn) : "",
                          PQuser (conn) != NULL ? PQuser (conn) : "");
}

void
_pb_pg_set_error (GError     **error,
                  PGconn      *conn,
                  const char  *what)
{
  g_autofree char *message = _pb_pg_first_line (PQerrorMessage (conn));

  if (PQstatus (conn) == CONNECTION_BAD)
    g_set_error (error, PB_ENGINE_ERROR, PB_ENGINE_ERROR_CONNECTION,
                 "Lost the connection to the PostgreSQL server%s%s: %s",
                 what != NULL ? " during " : "", what != NULL ? what : "", message);
  else
    g_set_error (error, PB_ENGINE_ERROR, PB_ENGINE_ERROR_DATABASE,
                 "PostgreSQL%s%s: %s", what != NULL ? ", " : "", what != NULL ? what : "",
                 message);
}

/**
 * _pb_pg_connect:
 * @conninfo: a libpq connection string ("host=… dbname=…", a postgresql:// URI)
 *   or a service name ("service=…")
 *
 * Connects and tells apart: a malformed @conninfo, an unreachable server, failed
 * authentication and a missing database. Messages name host, database and user,
 * never the connection string (it may hold a password).
 *
 * Returns: (transfer full) (nullable): the connection.
 */
PGconn *
_pb_pg_connect (const char  *conninfo,
                GError     **error)
{
  g_autoptr(PGconn) conn = NULL;
  PQconninfoOption *options;
  g_autofree char *message = NULL;
  g_autofree char *where = NULL;
  const char *msg;

  options = _pb_pg_parse_conninfo (conninfo, error);
  if (options == NULL)
    return NULL;
  PQconninfoFree (options);

  conn = PQconnectdb (conninfo);
  if (conn == NULL)
    {
      g_set_error (error, PB_ENGINE_ERROR, PB_ENGINE_ERROR_FAILED, "Out of memory");
      return NULL;
    }

  if (PQstatus (conn) == CONNECTION_OK)
    {
      PQsetClientEncoding (conn, "UTF8");
      return g_steal_pointer (&conn);
    }

  msg = PQerrorMessage (conn);
  message = _pb_pg_first_line (msg);
  where = _pb_pg_dup_description (conn);

  if (_pb_pg_message_says (msg, "authentication failed") ||
      _pb_pg_message_says (msg, "no password supplied") ||
      _pb_pg_message_says (msg, "password is required") ||
      (_pb_pg_message_says (msg, "role") && _pb_pg_message_says (msg, "does not exist")) ||
      _pb_pg_message_says (msg, "no pg_hba.conf entry"))
    g_set_error (error, PB_ENGINE_ERROR, PB_ENGINE_ERROR_CONNECTION,
                 "Authentication failed (%s); give the password with a PGPASSFILE or a "
                 "service file: %s", where, message);
  else if (_pb_pg_message_says (msg, "database") && _pb_pg_message_says (msg, "does not exist"))
    g_set_error (error, PB_ENGINE_ERROR, PB_ENGINE_ERROR_NOT_FOUND,
                 "Database not found (%s): %s", where, message);
  else if (_pb_pg_message_says (msg, "service") && _pb_pg_message_says (msg, "not found"))
    g_set_error (error, PB_ENGINE_ERROR, PB_ENGINE_ERROR_NOT_FOUND,
                 "PostgreSQL service not found: %s", message);
  else
    g_set_error (error, PB_ENGINE_ERROR, PB_ENGINE_ERROR_CONNECTION,
                 "PostgreSQL server unreachable (%s): %s", where, message);

  return NULL;
}

/* ---- checks ------------------------------------------------------------------- */

static gboolean
class_matches (PbSourceColumnClass  klass,
               const char          *type)
{
  gboolean integer = g_str_equal (type, "smallint") || g_str_equal (type, "integer") ||
                     g_str_equal (type, "bigint");

  switch (klass)
    {
    case PB_SOURCE_COLUMN_INTEGER:
      return integer;

    case PB_SOURCE_COLUMN_NUMBER:
      return integer || g_str_equal (type, "double precision") || g_str_equal (type, "real") ||
             g_str_equal (type, "numeric");

    case PB_SOURCE_COLUMN_TIMESTAMP:
      return g_str_has_prefix (type, "timestamp");

    case PB_SOURCE_COLUMN_TEXT:
      return g_str_equal (type, "text") || g_str_equal (type, "character varying") ||
             g_str_equal (type, "character");

    default:
      g_assert_not_reached ();
    }
}

static PGresult *
exec_params (PGconn      *conn,
             const char  *sql,
             int          n_params,
             const char **values,
             GError     **error)
{
  PGresult *res = PQexecParams (conn, sql, n_params, NULL, values, NULL, NULL, 0);

  if (PQresultStatus (res) != PGRES_TUPLES_OK && PQresultStatus (res) != PGRES_COMMAND_OK)
    {
      _pb_pg_set_error (error, conn, NULL);
      PQclear (res);
      return NULL;
    }
  return res;
}

static gboolean
check_source (PGconn      *conn,
              const char  *schema,
              GError     **error)
{
  g_autoptr(PGresult) res = NULL;
  const char *values[3] = { schema, NULL, NULL };

  res = exec_params (conn, "SELECT 1 FROM pg_catalog.pg_namespace WHERE nspname = $1",
                     1, values, error);
  if (res == NULL)
    return FALSE;
  if (PQntuples (res) == 0)
    {
      g_set_error (error, PB_ENGINE_ERROR, PB_ENGINE_ERROR_NOT_FOUND,
                   "Schema %s not found in database %s", schema, PQdb (conn));
      return FALSE;
    }

  for (guint i = 0; i < _pb_source_n_columns; i++)
    {
      const PbSourceColumn *col = &_pb_source_columns[i];
      g_autoptr(PGresult) cols = NULL;

      values[1] = col->table;
      values[2] = col->column;
      g_clear_pointer (&res, PQclear);
      res = exec_params (conn,
                         "SELECT 1 FROM information_schema.tables"
                         " WHERE table_schema = $1 AND table_name = $2",
                         2, values, error);
      if (res == NULL)
        return FALSE;
      if (PQntuples (res) == 0)
        {
          g_set_error (error, PB_ENGINE_ERROR, PB_ENGINE_ERROR_NOT_FOUND,
                       "Table %s.%s not found in database %s", schema, col->table, PQdb (conn));
          return FALSE;
        }

      cols = exec_params (conn,
                          "SELECT data_type FROM information_schema.columns"
                          " WHERE table_schema = $1 AND table_name = $2 AND column_name = $3",
                          3, values, error);
      if (cols == NULL)
        return FALSE;
      if (PQntuples (cols) == 0)
        {
          g_set_error (error, PB_ENGINE_ERROR, PB_ENGINE_ERROR_NOT_FOUND,
                       "Column %s.%s.%s not found in database %s",
                       schema, col->table, col->column, PQdb (conn));
          return FALSE;
        }
      if (!class_matches (col->klass, PQgetvalue (cols, 0, 0)))
        {
          _pb_source_set_type_error (error, schema, col, PQgetvalue (cols, 0, 0));
          return FALSE;
        }
    }

  return TRUE;
}

/* ---- streaming -------------------------------------------------------------- */

typedef struct
{
  PGconn          *conn;
  const char      *schema;       /* as given */
  char            *schema_sql;   /* escaped identifier */
  PbImportCounts  *counts;
  PbProgressFunc   progress;
  gpointer         progress_data;
  GCancellable    *cancellable;
} ImportData;

static char *
expand_schema (const char *sql,
               const char *schema_sql)
{
  g_auto(GStrv) parts = g_strsplit (sql, "@S@", -1);

  return g_strjoinv (schema_sql, parts);
}

static gboolean
bind_row (sqlite3_stmt   *stmt,
          const PGresult *row,
          const char     *kinds,
          GError        **error)
{
  for (int j = 0; kinds[j] != '\0'; j++)
    {
      const char *text;

      if (PQgetisnull (row, 0, j))
        {
          sqlite3_bind_null (stmt, j + 1);
          continue;
        }
      text = PQgetvalue (row, 0, j);
      switch (kinds[j])
        {
        case 'i':
          sqlite3_bind_int64 (stmt, j + 1, g_ascii_strtoll (text, NULL, 10));
          break;

        case 'r':
          sqlite3_bind_double (stmt, j + 1, g_ascii_strtod (text, NULL));
          break;

        default:
          sqlite3_bind_text (stmt, j + 1, text, -1, SQLITE_TRANSIENT);
          break;
        }
    }
  return TRUE;
}

static gboolean
stream_query (sqlite3        *db,
              ImportData     *data,
              const PgQuery  *query,
              gint64         *n_rows,
              GError        **error)
{
  g_autofree char *sql = expand_schema (query->sql, data->schema_sql);
  g_autoptr(sqlite3_stmt) insert = NULL;
  gboolean ok = TRUE;
  gboolean cancelled = FALSE;
  PGresult *res;
  gint64 n = 0;

  insert = pb_sqlite_prepare (db, query->insert, error);
  if (insert == NULL)
    return FALSE;

  if (data->progress != NULL)
    data->progress (query->fraction, query->message, NULL, data->progress_data);

  if (!PQsendQuery (data->conn, sql) || !PQsetSingleRowMode (data->conn))
    {
      _pb_pg_set_error (error, data->conn, query->message);
      return FALSE;
    }

  while ((res = PQgetResult (data->conn)) != NULL)
    {
      ExecStatusType status = PQresultStatus (res);

      if (ok && status == PGRES_SINGLE_TUPLE)
        {
          if ((int) strlen (query->kinds) != PQnfields (res))
            {
              g_set_error (error, PB_ENGINE_ERROR, PB_ENGINE_ERROR_INVALID_DATA,
                           "%s: %d columns instead of %d", query->message, PQnfields (res),
                           (int) strlen (query->kinds));
              ok = FALSE;
            }
          else
            {
              bind_row (insert, res, query->kinds, error);
              if (sqlite3_step (insert) != SQLITE_DONE)
                ok = pb_sqlite_check (db, sqlite3_reset (insert), query->message, error);
              else
                sqlite3_reset (insert);
              n++;
            }

          if (ok && (n & 4095) == 0)
            {
              if (g_cancellable_is_cancelled (data->cancellable))
                {
                  cancelled = TRUE;
                  ok = FALSE;
                }
              else if (data->progress != NULL)
                {
                  g_autofree char *message = g_strdup_printf ("%s: %" G_GINT64_FORMAT " rows",
                                                              query->message, n);
                  data->progress (query->fraction, message, NULL, data->progress_data);
                }
            }

          if (!ok)
            {
              /* stop the server early, then drain what is already on its way */
              PGcancel *cancel = PQgetCancel (data->conn);
              char buf[256];

              if (cancel != NULL)
                {
                  PQcancel (cancel, buf, sizeof buf);
                  PQfreeCancel (cancel);
                }
            }
        }
      else if (ok && status != PGRES_TUPLES_OK && status != PGRES_SINGLE_TUPLE)
        {
          g_autofree char *message = _pb_pg_first_line (PQresultErrorMessage (res));

          g_set_error (error, PB_ENGINE_ERROR,
                       PQstatus (data->conn) == CONNECTION_BAD ? PB_ENGINE_ERROR_CONNECTION
                                                                : PB_ENGINE_ERROR_DATABASE,
                       "%s query failed: %s", query->message, message);
          ok = FALSE;
        }
      PQclear (res);
    }

  if (cancelled)
    {
      g_clear_error (error);
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED, "Import cancelled");
    }
  else if (ok && g_cancellable_set_error_if_cancelled (data->cancellable, error))
    ok = FALSE;

  *n_rows = n;
  return ok;
}

static gboolean
import_in_transaction (sqlite3   *db,
                       gpointer   user_data,
                       GError   **error)
{
  ImportData *data = user_data;
  gint64 *targets[] = { &data->counts->icustays, &data->counts->bg,
                        &data->counts->lab, &data->counts->vital };
  gint64 start = g_get_monotonic_time ();
  g_autofree char *source = _pb_pg_dup_description (data->conn);

  if (!_pb_source_clear_raw (db, error))
    return FALSE;

  for (guint q = 0; q < G_N_ELEMENTS (queries); q++)
    if (!stream_query (db, data, &queries[q], targets[q], error))
      return FALSE;

  data->counts->seconds = (g_get_monotonic_time () - start) / (double) G_USEC_PER_SEC;
  return _pb_source_record_import (db, "postgres", source, data->schema, data->counts, error);
}

/**
 * pb_source_import_postgres:
 * @project: an open, writable project
 * @conninfo: a libpq connection string or service name; a password, if any,
 *   comes from libpq's PGPASSFILE or service file and is never stored
 * @schema: (nullable): the schema holding MIMIC-III, default "mimiciii"
 * @counts: (out) (optional): rows per query
 *
 * See pb_source_import().
 *
 * Returns: %TRUE on success; on failure or cancel the project is unchanged.
 */
gboolean
pb_source_import_postgres (PbProject       *project,
                           const char      *conninfo,
                           const char      *schema,
                           PbImportCounts  *counts,
                           PbProgressFunc   progress,
                           gpointer         progress_data,
                           GCancellable    *cancellable,
                           GError         **error)
{
  g_autoptr(PGconn) conn = NULL;
  g_autoptr(PGresult) res = NULL;
  PbImportCounts dummy = { 0 };
  ImportData data = { 0 };
  gboolean ok;

  g_return_val_if_fail (PB_IS_PROJECT (project), FALSE);
  g_return_val_if_fail (conninfo != NULL, FALSE);

  if (schema == NULL)
    schema = "mimiciii";

  data.counts = counts != NULL ? counts : &dummy;
  memset (data.counts, 0, sizeof *data.counts);

  conn = _pb_pg_connect (conninfo, error);
  if (conn == NULL)
    return FALSE;

  res = PQexec (conn, "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY");
  if (PQresultStatus (res) != PGRES_COMMAND_OK)
    {
      _pb_pg_set_error (error, conn, NULL);
      return FALSE;
    }

  if (!check_source (conn, schema, error))
    return FALSE;

  data.conn = conn;
  data.schema = schema;
  data.schema_sql = PQescapeIdentifier (conn, schema, strlen (schema));
  data.progress = progress;
  data.progress_data = progress_data;
  data.cancellable = cancellable;

  ok = pb_project_run_in_transaction (project, import_in_transaction, &data, error);
  PQfreemem (data.schema_sql);

  if (ok && progress != NULL)
    progress (1.0, "Import done", NULL, progress_data);

  return ok;
}
