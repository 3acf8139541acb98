/* pb-synth.c — a seeded synthetic cohort with MIMIC-III's shape.
 *
 * The generator walks patients in order and derives everything about one patient
 * from the seed and the patient's index, and everything about one ICU stay or one
 * admission's labs from the seed and that stay's or admission's id. So each table is
 * written in its own pass over the patients (patients, admissions, icustays, then
 * chartevents, then labevents) without holding any rows in memory, and the passes
 * agree with each other. Targets are an SQLite file (pb-synth-sink.c) or a
 * PostgreSQL schema loaded with COPY.
 *
 * Shape (per ICU stay, chosen to look like MIMIC-III v1.4):
 *  - patients: 13 % neonates (age 0, dropped by the age filter), 3 % older than 89
 *    with MIMIC's shifted birth dates (ages near 300, kept), 0.6 % aged 15–17;
 *    the rest 18–89. 1–4 hospital admissions, 1–3 ICU stays per admission; 25 % of
 *    the gaps between ICU stays are under 24 h (the queries' "fuzzy" windows split
 *    them at the midpoint); ICU length of stay log-normal, median 50 h (≈ 18 % under
 *    one day, dropped by min_los_icu); 1.5 % of admissions have no chartevents data.
 *  - vitals (chartevents): about hourly over the ICU stay — heart rate, systolic and
 *    diastolic pressure (arterial and non-invasive item ids, sometimes both at once),
 *    respiratory rate, SpO2; temperature every 4 h, mostly in °F (items 678,
 *    223761); CareVue or MetaVision item ids per stay; random gaps of 2–6 h;
 *    0.3 % out-of-range values, °C charted in °F items and vice versa, 0.3 % rows
 *    flagged error = 1, NULL valuenum, a few rows without icustay_id.
 *  - labs (labevents): chemistry every 6 h in the ICU and 12–24 h on the ward for
 *    the whole admission (BUN, creatinine, sodium, bicarbonate, glucose, platelets,
 *    magnesium, sometimes albumin, plus potassium and chloride that no feature uses);
 *    blood gases every ~6 h during the ICU stays of patients with an arterial line
 *    (SPECIMEN, pH, pCO2, potassium, free calcium, lactate, base excess); 2 % of
 *    gases with two SPECIMEN rows (the query drops them); out-of-range and zero or
 *    negative values; duplicated items at one charttime; rows without hadm_id;
 *    outpatient labs before the admission.
 *
 * BEGIN README: planted mortality signal
 * Each admission has a latent severity s ~ N(0, 1) (neonates s − 1.5). The label
 * (hospital_expire_flag) is drawn with P(death) = 1 / (1 + exp(−(−2.9 + 1.6 s))),
 * which gives ≈ 11 % deaths among the admissions preprocessing keeps. Measurements
 * follow the effective severity s_t = s + d(t), where d rises linearly to +0.8 over
 * the first 48 h after the first ICU intime for patients who die and falls to −0.3
 * over 72 h for survivors (deterioration vs. recovery). Per unit of s_t:
 *   lactate ×e^0.35, heart rate +7 /min, systolic BP −8 mmHg, diastolic BP −4 mmHg,
 *   respiratory rate +2.5 /min, SpO2 −1.2 %, temperature +0.25 °C, pH −0.04,
 *   bicarbonate −2 mEq/L, BUN ×e^0.3, creatinine ×e^0.25, albumin −0.35 g/dL,
 *   platelets ×e^−0.15.
 * Potassium, free calcium, pCO2, sodium, glucose and magnesium carry no signal.
 * Each effect is of the order of half the between-patient spread of its feature,
 * so no single feature gives the label away: s alone separates the classes with
 * an AUC of ≈ 0.84, and the trend d(t) adds information of its own — a logistic
 * regression on per-feature means, first-6-hour means and last values of the
 * preprocessed sequences reaches a 5-fold cross-validated AUC of ≈ 0.95
 * (1,500 stays, 972 admissions).
 * END README
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "pb-synth-private.h"

#include "pb-error.h"
#include "pb-rng.h"
#include "pb-source-private.h"

#include <math.h>
#include <string.h>

#define HOUR  G_GINT64_CONSTANT (3600)
#define DAY   (24 * HOUR)
#define YEAR  (G_GINT64_CONSTANT (31556952))   /* 365.2425 days */
/* 2100-01-01 00:00:00: MIMIC-III's dates are shifted into 2100–2200 */
#define EPOCH_2100 G_GINT64_CONSTANT (4102444800)

/* no such time (NULL); birth dates of shifted >89 patients are before 1970 */
#define NO_TIME G_MININT64

#define MAX_ADMISSIONS 4
#define MAX_STAYS      3

/* ---- random numbers: pb-rng's xoshiro256**, a stream per (seed, stream, key) --- */

typedef struct
{
  PbRng    xoshiro;
  double   spare;
  gboolean has_spare;
} Rng;

static void
rng_init (Rng     *rng,
          guint64  seed,
          guint64  stream,
          guint64  key)
{
  pb_rng_init (&rng->xoshiro, seed ^ (stream * G_GUINT64_CONSTANT (0xd1b54a32d192ed03)) ^
                              (key * G_GUINT64_CONSTANT (0x8cb92ba72f3d8dd7)));
  rng->has_spare = FALSE;
}

/* [0, 1) */
static double
rng_uniform (Rng *rng)
{
  return pb_rng_uniform (&rng->xoshiro);
}

static double
rng_range (Rng    *rng,
           double  lo,
           double  hi)
{
  return lo + (hi - lo) * rng_uniform (rng);
}

static gboolean
rng_chance (Rng    *rng,
            double  p)
{
  return rng_uniform (rng) < p;
}

static double
rng_normal (Rng *rng)
{
  double u, v, r;

  if (rng->has_spare)
    {
      rng->has_spare = FALSE;
      return rng->spare;
    }

  do
    {
      u = 2.0 * rng_uniform (rng) - 1.0;
      v = 2.0 * rng_uniform (rng) - 1.0;
      r = u * u + v * v;
    }
  while (r >= 1.0 || r == 0.0);

  r = sqrt (-2.0 * log (r) / r);
  rng->spare = v * r;
  rng->has_spare = TRUE;
  return u * r;
}

/* log-normal with the given median and log-sd */
static double
rng_lognormal (Rng    *rng,
               double  median,
               double  sigma)
{
  return median * exp (sigma * rng_normal (rng));
}

/* ---- the cohort's skeleton: patients, admissions, ICU stays ------------------ */

typedef struct
{
  gint64   icustay_id;
  gint64   intime;
  gint64   outtime;
  gboolean metavision;
} SynthStay;

typedef struct
{
  gint64     hadm_id;
  gint64     admittime;
  gint64     dischtime;
  gint64     deathtime;          /* NO_TIME: none */
  gboolean   died;
  gboolean   has_chartevents;
  double     severity;
  guint      ethnicity;
  guint      n_stays;
  SynthStay  stays[MAX_STAYS];
} SynthAdmission;

typedef struct
{
  gint64          subject_id;
  gboolean        male;
  gint64          dob;
  gint64          dod;           /* NO_TIME: none */
  guint           n_admissions;
  SynthAdmission  admissions[MAX_ADMISSIONS];
} SynthPatient;

typedef struct
{
  const PbSynthParams *params;
  gint64               next_hadm;
  gint64               next_stay;
  guint                stays_left;
  guint                n_patients;
} SynthCursor;

static const char *ethnicities[] = {
  "WHITE", "WHITE", "WHITE", "WHITE", "WHITE", "WHITE", "WHITE",
  "BLACK/AFRICAN AMERICAN", "HISPANIC OR LATINO", "ASIAN", "UNKNOWN/NOT SPECIFIED",
  "WHITE - RUSSIAN", "OTHER", "UNABLE TO OBTAIN", "ASIAN - CHINESE",
};

static double
sigmoid (double x)
{
  return 1.0 / (1.0 + exp (-x));
}

/* minute resolution, as most MIMIC-III times */
static gint64
round_minute (gint64 t)
{
  return t - (t % 60);
}

/* Builds patient number @index; returns FALSE when the cohort is complete. */
static gboolean
synth_next_patient (SynthCursor  *cursor,
                    guint         index,
                    SynthPatient *p)
{
  Rng rng;
  double kind;
  gboolean neonate = FALSE;
  double age_years;
  guint n_adm;
  gint64 t;

  if (cursor->stays_left == 0)
    return FALSE;

  memset (p, 0, sizeof *p);
  rng_init (&rng, cursor->params->seed, 1, index);

  p->subject_id = 1000 + index;
  p->male = rng_chance (&rng, 0.56);
  p->dod = NO_TIME;

  kind = rng_uniform (&rng);
  if (kind < 0.13)
    {
      neonate = TRUE;
      age_years = rng_range (&rng, 0.0, 0.02);
    }
  else if (kind < 0.16)
    {
      age_years = 300.0 + rng_range (&rng, 0.0, 10.0);
    }
  else if (kind < 0.166)
    {
      age_years = rng_range (&rng, 15.0, 18.0);
    }
  else
    {
      age_years = CLAMP (63.0 + 16.0 * rng_normal (&rng), 18.0, 89.9);
    }

  kind = rng_uniform (&rng);
  n_adm = kind < 0.80 ? 1 : kind < 0.94 ? 2 : kind < 0.985 ? 3 : 4;
  if (neonate)
    n_adm = 1;

  t = round_minute (EPOCH_2100 + (gint64) rng_range (&rng, 0.0, 100.0 * YEAR));
  p->dob = t - (gint64) (age_years * YEAR);
  p->dob -= p->dob % DAY;   /* dates of birth are at midnight */

  for (guint a = 0; a < n_adm && cursor->stays_left > 0; a++)
    {
      SynthAdmission *adm = &p->admissions[a];
      gint64 icu_t;
      double r;

      adm->hadm_id = cursor->next_hadm++;
      adm->admittime = t;
      adm->severity = rng_normal (&rng) - (neonate ? 1.5 : 0.0);
      adm->died = rng_chance (&rng, sigmoid (-2.9 + 1.6 * adm->severity));
      adm->has_chartevents = !rng_chance (&rng, 0.015);
      adm->ethnicity = (guint) (rng_uniform (&rng) * G_N_ELEMENTS (ethnicities));
      adm->deathtime = NO_TIME;

      r = rng_uniform (&rng);
      adm->n_stays = r < 0.90 ? 1 : r < 0.98 ? 2 : 3;
      adm->n_stays = MIN (adm->n_stays, cursor->stays_left);

      /* first ICU admission: usually a few hours after hospital admission,
       * sometimes before it (ED boarding), 2 % exactly on the hour */
      if (rng_chance (&rng, 0.08))
        icu_t = t - (gint64) rng_range (&rng, 0.0, 2.0 * HOUR);
      else
        icu_t = t + (gint64) (rng_lognormal (&rng, 3.0, 1.2) * HOUR);
      icu_t = round_minute (icu_t);
      if (rng_chance (&rng, 0.02))
        icu_t -= icu_t % HOUR;

      for (guint s = 0; s < adm->n_stays; s++)
        {
          SynthStay *stay = &adm->stays[s];
          double los_h = CLAMP (rng_lognormal (&rng, 50.0, 0.8), 2.0, 40.0 * 24.0);

          stay->icustay_id = cursor->next_stay++;
          stay->intime = icu_t;
          stay->outtime = round_minute (icu_t + (gint64) (los_h * HOUR));
          stay->metavision = (p->subject_id % 20) >= 9;   /* 55 %: one system per patient */
          cursor->stays_left--;

          if (s + 1 < adm->n_stays)
            {
              double gap_h = rng_chance (&rng, 0.25) ? rng_range (&rng, 1.0, 23.0)
                                                    : rng_lognormal (&rng, 72.0, 0.7);
              icu_t = round_minute (stay->outtime + (gint64) (gap_h * HOUR));
            }
        }

      {
        SynthStay *last = &adm->stays[adm->n_stays - 1];

        if (adm->died && rng_chance (&rng, 0.7))
          adm->dischtime = last->outtime;
        else
          adm->dischtime = round_minute (last->outtime +
                                         (gint64) (rng_lognormal (&rng, 72.0, 0.9) * HOUR));
      }

      if (adm->died)
        {
          adm->deathtime = adm->dischtime;
          p->dod = adm->dischtime - adm->dischtime % DAY;
          p->n_admissions = a + 1;
          return TRUE;
        }

      /* the next admission: usually months later, 5 % within a day */
      if (rng_chance (&rng, 0.05))
        t = round_minute (adm->dischtime + (gint64) rng_range (&rng, 2.0 * HOUR, 20.0 * HOUR));
      else
        t = round_minute (adm->dischtime + (gint64) rng_range (&rng, 2.0 * DAY, 700.0 * DAY));
      p->n_admissions = a + 1;
    }

  if (rng_chance (&rng, 0.3))
    {
      const SynthAdmission *last = &p->admissions[p->n_admissions - 1];

      p->dod = last->dischtime + (gint64) rng_range (&rng, 30.0 * DAY, 1500.0 * DAY);
      p->dod -= p->dod % DAY;
    }

  return TRUE;
}

/* ---- rows ---------------------------------------------------------------------- */

static inline void
v_null (SynthValue *v)
{
  v->kind = SYNTH_NULL;
}

static inline void
v_int (SynthValue *v,
       gint64      i)
{
  v->kind = SYNTH_INT;
  v->i = i;
}

static inline void
v_real (SynthValue *v,
        double      d)
{
  v->kind = SYNTH_REAL;
  v->d = d;
}

static inline void
v_text (SynthValue *v,
        const char *s)
{
  v->kind = s != NULL ? SYNTH_TEXT : SYNTH_NULL;
  v->s = s;
}

static inline void
v_time (SynthValue *v,
        gint64      t)
{
  if (t == NO_TIME)
    {
      v->kind = SYNTH_NULL;
      return;
    }
  v->kind = SYNTH_TIME;
  v->i = t;
}

static double
round_to (double x,
          double step)
{
  return round (x / step) * step;
}

static const SynthColumn patients_columns[] = {
  { "row_id", "INTEGER", "integer" },
  { "subject_id", "INTEGER", "integer" },
  { "gender", "VARCHAR(5)", "varchar(5)" },
  { "dob", "TIMESTAMP", "timestamp(0)" },
  { "dod", "TIMESTAMP", "timestamp(0)" },
  { "expire_flag", "INTEGER", "integer" },
};

static const SynthColumn admissions_columns[] = {
  { "row_id", "INTEGER", "integer" },
  { "subject_id", "INTEGER", "integer" },
  { "hadm_id", "INTEGER", "integer" },
  { "admittime", "TIMESTAMP", "timestamp(0)" },
  { "dischtime", "TIMESTAMP", "timestamp(0)" },
  { "deathtime", "TIMESTAMP", "timestamp(0)" },
  { "admission_type", "VARCHAR(50)", "varchar(50)" },
  { "ethnicity", "VARCHAR(200)", "varchar(200)" },
  { "hospital_expire_flag", "SMALLINT", "smallint" },
  { "has_chartevents_data", "SMALLINT", "smallint" },
};

static const SynthColumn icustays_columns[] = {
  { "row_id", "INTEGER", "integer" },
  { "subject_id", "INTEGER", "integer" },
  { "hadm_id", "INTEGER", "integer" },
  { "icustay_id", "INTEGER", "integer" },
  { "dbsource", "VARCHAR(20)", "varchar(20)" },
  { "intime", "TIMESTAMP", "timestamp(0)" },
  { "outtime", "TIMESTAMP", "timestamp(0)" },
  { "los", "DOUBLE PRECISION", "double precision" },
};

static const SynthColumn chartevents_columns[] = {
  { "row_id", "INTEGER", "integer" },
  { "subject_id", "INTEGER", "integer" },
  { "hadm_id", "INTEGER", "integer" },
  { "icustay_id", "INTEGER", "integer" },
  { "itemid", "INTEGER", "integer" },
  { "charttime", "TIMESTAMP", "timestamp(0)" },
  { "value", "VARCHAR(255)", "varchar(255)" },
  { "valuenum", "DOUBLE PRECISION", "double precision" },
  { "valueuom", "VARCHAR(50)", "varchar(50)" },
  { "warning", "INTEGER", "integer" },
  { "error", "INTEGER", "integer" },
};

static const SynthColumn labevents_columns[] = {
  { "row_id", "INTEGER", "integer" },
  { "subject_id", "INTEGER", "integer" },
  { "hadm_id", "INTEGER", "integer" },
  { "itemid", "INTEGER", "integer" },
  { "charttime", "TIMESTAMP", "timestamp(0)" },
  { "value", "VARCHAR(200)", "varchar(200)" },
  { "valuenum", "DOUBLE PRECISION", "double precision" },
  { "valueuom", "VARCHAR(20)", "varchar(20)" },
  { "flag", "VARCHAR(20)", "varchar(20)" },
};

static const SynthColumn d_items_columns[] = {
  { "row_id", "INTEGER", "integer" },
  { "itemid", "INTEGER", "integer" },
  { "label", "VARCHAR(200)", "varchar(200)" },
  { "dbsource", "VARCHAR(20)", "varchar(20)" },
  { "linksto", "VARCHAR(50)", "varchar(50)" },
  { "unitname", "VARCHAR(100)", "varchar(100)" },
};

static const SynthColumn d_labitems_columns[] = {
  { "row_id", "INTEGER", "integer" },
  { "itemid", "INTEGER", "integer" },
  { "label", "VARCHAR(100)", "varchar(100)" },
  { "fluid", "VARCHAR(100)", "varchar(100)" },
  { "category", "VARCHAR(100)", "varchar(100)" },
};

const SynthTable _pb_synth_tables[] = {
  { "d_items", d_items_columns, G_N_ELEMENTS (d_items_columns), NULL },
  { "d_labitems", d_labitems_columns, G_N_ELEMENTS (d_labitems_columns), NULL },
  { "patients", patients_columns, G_N_ELEMENTS (patients_columns), NULL },
  { "admissions", admissions_columns, G_N_ELEMENTS (admissions_columns), NULL },
  { "icustays", icustays_columns, G_N_ELEMENTS (icustays_columns), NULL },
  { "chartevents", chartevents_columns, G_N_ELEMENTS (chartevents_columns),
    "(icustay_id, charttime, itemid, valuenum, error)" },
  { "labevents", labevents_columns, G_N_ELEMENTS (labevents_columns),
    "(subject_id, charttime)" },
};
const guint _pb_synth_n_tables = G_N_ELEMENTS (_pb_synth_tables);

typedef struct
{
  int         itemid;
  const char *label;
  const char *dbsource;
  const char *unit;
} ChartItem;

static const ChartItem chart_items[] = {
  { 211, "Heart Rate", "carevue", "bpm" },
  { 220045, "Heart Rate", "metavision", "bpm" },
  { 51, "Arterial BP [Systolic]", "carevue", "mmHg" },
  { 455, "NBP [Systolic]", "carevue", "mmHg" },
  { 442, "Manual BP [Systolic]", "carevue", "mmHg" },
  { 6701, "Arterial BP #2 [Systolic]", "carevue", "mmHg" },
  { 220050, "Arterial Blood Pressure systolic", "metavision", "mmHg" },
  { 220179, "Non Invasive Blood Pressure systolic", "metavision", "mmHg" },
  { 8368, "Arterial BP [Diastolic]", "carevue", "mmHg" },
  { 8441, "NBP [Diastolic]", "carevue", "mmHg" },
  { 8440, "Manual BP [Diastolic]", "carevue", "mmHg" },
  { 8555, "Arterial BP #2 [Diastolic]", "carevue", "mmHg" },
  { 220051, "Arterial Blood Pressure diastolic", "metavision", "mmHg" },
  { 220180, "Non Invasive Blood Pressure diastolic", "metavision", "mmHg" },
  { 52, "Arterial BP Mean", "carevue", "mmHg" },
  { 456, "NBP Mean", "carevue", "mmHg" },
  { 220052, "Arterial Blood Pressure mean", "metavision", "mmHg" },
  { 220181, "Non Invasive Blood Pressure mean", "metavision", "mmHg" },
  { 618, "Respiratory Rate", "carevue", "BPM" },
  { 615, "Resp Rate (Total)", "carevue", "BPM" },
  { 220210, "Respiratory Rate", "metavision", "insp/min" },
  { 224690, "Respiratory Rate (Total)", "metavision", "insp/min" },
  { 678, "Temperature F", "carevue", "Deg. F" },
  { 676, "Temperature C", "carevue", "Deg. C" },
  { 223761, "Temperature Fahrenheit", "metavision", "?F" },
  { 223762, "Temperature Celsius", "metavision", "?C" },
  { 646, "SpO2", "carevue", "%" },
  { 220277, "O2 saturation pulseoxymetry", "metavision", "%" },
  { 807, "Fingerstick Glucose", "carevue", "mg/dL" },
  { 225664, "Glucose finger stick", "metavision", "mg/dL" },
};

typedef struct
{
  int         itemid;
  const char *label;
  const char *fluid;
  const char *category;
  const char *unit;
} LabItem;

static const LabItem lab_items[] = {
  { 50800, "SPECIMEN TYPE", "Blood", "Blood Gas", NULL },
  { 50802, "Base Excess", "Blood", "Blood Gas", "mEq/L" },
  { 50808, "Free Calcium", "Blood", "Blood Gas", "mmol/L" },
  { 50813, "Lactate", "Blood", "Blood Gas", "mmol/L" },
  { 50818, "pCO2", "Blood", "Blood Gas", "mm Hg" },
  { 50820, "pH", "Blood", "Blood Gas", "units" },
  { 50822, "Potassium, Whole Blood", "Blood", "Blood Gas", "mEq/L" },
  { 50862, "Albumin", "Blood", "Chemistry", "g/dL" },
  { 50882, "Bicarbonate", "Blood", "Chemistry", "mEq/L" },
  { 50902, "Chloride", "Blood", "Chemistry", "mEq/L" },
  { 50912, "Creatinine", "Blood", "Chemistry", "mg/dL" },
  { 50931, "Glucose", "Blood", "Chemistry", "mg/dL" },
  { 50960, "Magnesium", "Blood", "Chemistry", "mg/dL" },
  { 50971, "Potassium", "Blood", "Chemistry", "mEq/L" },
  { 50983, "Sodium", "Blood", "Chemistry", "mEq/L" },
  { 51006, "Urea Nitrogen", "Blood", "Chemistry", "mg/dL" },
  { 51265, "Platelet Count", "Blood", "Hematology", "K/uL" },
};

static const char *
lab_unit (int itemid)
{
  for (guint i = 0; i < G_N_ELEMENTS (lab_items); i++)
    if (lab_items[i].itemid == itemid)
      return lab_items[i].unit;
  return NULL;
}

static const char *
chart_unit (int itemid)
{
  for (guint i = 0; i < G_N_ELEMENTS (chart_items); i++)
    if (chart_items[i].itemid == itemid)
      return chart_items[i].unit;
  return NULL;
}

typedef struct
{
  SynthSink     *sink;
  PbSynthCounts *counts;
  gint64         row_id;
  char           text[32];
} Emit;

static gboolean
emit_dictionaries (Emit    *e,
                   GError **error)
{
  SynthValue v[6];

  if (!e->sink->begin (e->sink, &_pb_synth_tables[0], error))
    return FALSE;
  for (guint i = 0; i < G_N_ELEMENTS (chart_items); i++)
    {
      v_int (&v[0], i + 1);
      v_int (&v[1], chart_items[i].itemid);
      v_text (&v[2], chart_items[i].label);
      v_text (&v[3], chart_items[i].dbsource);
      v_text (&v[4], "chartevents");
      v_text (&v[5], chart_items[i].unit);
      if (!e->sink->row (e->sink, v, error))
        return FALSE;
      e->counts->d_items++;
    }
  if (!e->sink->end (e->sink, error))
    return FALSE;

  if (!e->sink->begin (e->sink, &_pb_synth_tables[1], error))
    return FALSE;
  for (guint i = 0; i < G_N_ELEMENTS (lab_items); i++)
    {
      v_int (&v[0], i + 1);
      v_int (&v[1], lab_items[i].itemid);
      v_text (&v[2], lab_items[i].label);
      v_text (&v[3], lab_items[i].fluid);
      v_text (&v[4], lab_items[i].category);
      if (!e->sink->row (e->sink, v, error))
        return FALSE;
      e->counts->d_labitems++;
    }
  return e->sink->end (e->sink, error);
}

static gboolean
emit_patient_rows (Emit               *e,
                   const SynthPatient *p,
                   const SynthTable   *table,
                   GError            **error)
{
  SynthValue v[10];

  if (g_str_equal (table->name, "patients"))
    {
      v_int (&v[0], ++e->row_id);
      v_int (&v[1], p->subject_id);
      v_text (&v[2], p->male ? "M" : "F");
      v_time (&v[3], p->dob);
      v_time (&v[4], p->dod);
      v_int (&v[5], p->dod != NO_TIME);
      e->counts->patients++;
      return e->sink->row (e->sink, v, error);
    }

  for (guint a = 0; a < p->n_admissions; a++)
    {
      const SynthAdmission *adm = &p->admissions[a];

      if (g_str_equal (table->name, "admissions"))
        {
          v_int (&v[0], ++e->row_id);
          v_int (&v[1], p->subject_id);
          v_int (&v[2], adm->hadm_id);
          v_time (&v[3], adm->admittime);
          v_time (&v[4], adm->dischtime);
          v_time (&v[5], adm->deathtime);
          v_text (&v[6], adm->severity > 1.0 ? "EMERGENCY" : "ELECTIVE");
          v_text (&v[7], ethnicities[adm->ethnicity]);
          v_int (&v[8], adm->died);
          v_int (&v[9], adm->has_chartevents);
          e->counts->admissions++;
          if (!e->sink->row (e->sink, v, error))
            return FALSE;
          continue;
        }

      for (guint s = 0; s < adm->n_stays; s++)
        {
          const SynthStay *stay = &adm->stays[s];

          v_int (&v[0], ++e->row_id);
          v_int (&v[1], p->subject_id);
          v_int (&v[2], adm->hadm_id);
          v_int (&v[3], stay->icustay_id);
          v_text (&v[4], stay->metavision ? "metavision" : "carevue");
          v_time (&v[5], stay->intime);
          v_time (&v[6], stay->outtime);
          v_real (&v[7], round_to ((stay->outtime - stay->intime) / (double) DAY, 0.0001));
          e->counts->icustays++;
          if (!e->sink->row (e->sink, v, error))
            return FALSE;
        }
    }

  return TRUE;
}

/* Effective severity at time t (SPEC'd in the header comment). */
static double
severity_at (const SynthAdmission *adm,
             gint64                t)
{
  double h = (t - adm->stays[0].intime) / (double) HOUR;

  h = MAX (h, 0.0);
  if (adm->died)
    return adm->severity + 0.8 * MIN (h / 48.0, 1.0);
  return adm->severity - 0.3 * MIN (h / 72.0, 1.0);
}

static gboolean
emit_chart (Emit                 *e,
            const SynthPatient   *p,
            const SynthAdmission *adm,
            const SynthStay      *stay,
            Rng                  *rng,
            int                   itemid,
            gint64                t,
            double                value,
            GError              **error)
{
  SynthValue v[11];
  gboolean error_flag = rng_chance (rng, 0.003);
  double r = rng_uniform (rng);

  if (error_flag)
    value = round_to (value * rng_range (rng, 0.6, 1.6), 1.0);   /* plausible but flagged */
  else if (r < 0.001)
    value = 0.0;                                               /* out of range: ≤ 0 */
  else if (r < 0.002)
    value = value * 4.0 + 400.0;                               /* out of range: too high */

  v_int (&v[0], ++e->row_id);
  v_int (&v[1], p->subject_id);
  v_int (&v[2], adm->hadm_id);
  if (rng_chance (rng, 0.001))
    v_null (&v[3]);
  else
    v_int (&v[3], stay->icustay_id);
  v_int (&v[4], itemid);
  v_time (&v[5], t);
  if (rng_chance (rng, 0.001))
    {
      v_text (&v[6], "Unable to assess");
      v_null (&v[7]);
    }
  else
    {
      g_ascii_formatd (e->text, sizeof e->text, "%.15g", value);
      v_text (&v[6], e->text);
      v_real (&v[7], value);
    }
  v_text (&v[8], chart_unit (itemid));
  v_int (&v[9], rng_chance (rng, 0.02));
  if (error_flag)
    v_int (&v[10], 1);
  else if (stay->metavision)
    v_int (&v[10], 0);
  else
    v_null (&v[10]);   /* CareVue rows have no error flag */

  e->counts->chartevents++;
  return e->sink->row (e->sink, v, error);
}

static gboolean
emit_stay_vitals (Emit                 *e,
                  const SynthPatient   *p,
                  const SynthAdmission *adm,
                  const SynthStay      *stay,
                  GError              **error)
{
  Rng rng;
  gboolean mv = stay->metavision;
  gboolean art_line;
  double hr0, sbp0, dbp0, rr0, spo0, temp0;
  double hr_ar = 0, bp_ar = 0, rr_ar = 0;
  gint64 t;
  guint step = 0;

  rng_init (&rng, e->sink->params->seed, 2, stay->icustay_id);

  art_line = rng_chance (&rng, 0.4);
  hr0 = 86.0 + 12.0 * rng_normal (&rng);
  sbp0 = 121.0 + 14.0 * rng_normal (&rng);
  dbp0 = 60.0 + 8.0 * rng_normal (&rng);
  rr0 = 19.0 + 3.5 * rng_normal (&rng);
  spo0 = 97.5 + 1.0 * rng_normal (&rng);
  temp0 = 36.9 + 0.4 * rng_normal (&rng);

  /* the admission charting comes within the first half hour */
  t = round_minute (stay->intime + (gint64) rng_range (&rng, 60, 30 * 60));

  for (; t < stay->outtime; step++)
    {
      double s = severity_at (adm, t);
      double hr, sbp, dbp, rr, spo;

      hr_ar = 0.7 * hr_ar + 4.0 * rng_normal (&rng);
      bp_ar = 0.7 * bp_ar + 6.0 * rng_normal (&rng);
      rr_ar = 0.6 * rr_ar + 2.0 * rng_normal (&rng);

      hr = round_to (CLAMP (hr0 + 7.0 * s + hr_ar, 30.0, 220.0), 1.0);
      sbp = round_to (CLAMP (sbp0 - 8.0 * s + bp_ar, 50.0, 240.0), 1.0);
      dbp = round_to (CLAMP (dbp0 - 4.0 * s + 0.5 * bp_ar, 20.0, 140.0), 1.0);
      rr = round_to (CLAMP (rr0 + 2.5 * s + rr_ar, 4.0, 60.0), 1.0);
      spo = round_to (MIN (spo0 - 1.2 * s + 1.2 * rng_normal (&rng), 100.0), 1.0);

      if (!rng_chance (&rng, 0.03) &&
          !emit_chart (e, p, adm, stay, &rng, mv ? 220045 : 211, t, hr, error))
        return FALSE;

      if (!rng_chance (&rng, 0.04))
        {
          int sys_item = art_line ? (mv ? 220050 : 51) : (mv ? 220179 : 455);
          int dia_item = art_line ? (mv ? 220051 : 8368) : (mv ? 220180 : 8441);

          if (!emit_chart (e, p, adm, stay, &rng, sys_item, t, sbp, error) ||
              !emit_chart (e, p, adm, stay, &rng, dia_item, t, dbp, error))
            return FALSE;

          /* now and then a second measurement at the same time: averaged */
          if (rng_chance (&rng, 0.03))
            {
              int sys2 = mv ? 220179 : (rng_chance (&rng, 0.5) ? 442 : 6701);
              int dia2 = mv ? 220180 : (sys2 == 442 ? 8440 : 8555);

              if (!emit_chart (e, p, adm, stay, &rng, sys2, t, sbp + 4.0, error) ||
                  !emit_chart (e, p, adm, stay, &rng, dia2, t, dbp - 2.0, error))
                return FALSE;
            }
          if (rng_chance (&rng, 0.1) &&
              !emit_chart (e, p, adm, stay, &rng, mv ? 220052 : 456, t,
                           round_to ((sbp + 2 * dbp) / 3.0, 1.0), error))
            return FALSE;
        }

      if (!rng_chance (&rng, 0.05) &&
          !emit_chart (e, p, adm, stay, &rng,
                       rng_chance (&rng, 0.1) ? (mv ? 224690 : 615) : (mv ? 220210 : 618),
                       t, rr, error))
        return FALSE;

      if (!rng_chance (&rng, 0.04) &&
          !emit_chart (e, p, adm, stay, &rng, mv ? 220277 : 646, t, spo, error))
        return FALSE;

      if (step % 4 == 0)
        {
          double tc = temp0 + 0.25 * s + 0.3 * rng_normal (&rng);
          double r = rng_uniform (&rng);

          if (r < 0.85)
            {
              /* Fahrenheit item; 1 % charted in °C by mistake (dropped) */
              double tf = rng_chance (&rng, 0.01) ? tc : tc * 1.8 + 32.0;

              if (!emit_chart (e, p, adm, stay, &rng, mv ? 223761 : 678, t,
                               round_to (tf, 0.1), error))
                return FALSE;
            }
          else
            {
              /* Celsius item; 1 % charted in °F by mistake (dropped) */
              double tv = rng_chance (&rng, 0.01) ? tc * 1.8 + 32.0 : tc;

              if (!emit_chart (e, p, adm, stay, &rng, mv ? 223762 : 676, t,
                               round_to (tv, 0.1), error))
                return FALSE;
            }
        }

      if (step % 6 == 3 && rng_chance (&rng, 0.5) &&
          !emit_chart (e, p, adm, stay, &rng, mv ? 225664 : 807, t,
                       round_to (130.0 + 30.0 * rng_normal (&rng), 1.0), error))
        return FALSE;

      /* irregular charting: CareVue drifts, gaps of 2–6 h now and then */
      if (rng_chance (&rng, 0.03))
        t += (gint64) rng_range (&rng, 2.0, 6.0) * HOUR;
      else
        t += HOUR;
      if (mv)
        t -= t % HOUR;   /* MetaVision charts on the hour */
      else
        t = round_minute (t + (gint64) rng_range (&rng, -10 * 60, 10 * 60));
    }

  return TRUE;
}

static gboolean
emit_lab (Emit                 *e,
          const SynthPatient   *p,
          const SynthAdmission *adm,
          Rng                  *rng,
          int                   itemid,
          gint64                t,
          double                value,
          gboolean              outpatient,
          GError              **error)
{
  SynthValue v[9];
  double r = rng_uniform (rng);

  v_int (&v[0], ++e->row_id);
  v_int (&v[1], p->subject_id);
  if (outpatient || rng_chance (rng, 0.02))
    v_null (&v[2]);
  else
    v_int (&v[2], adm->hadm_id);
  v_int (&v[3], itemid);
  v_time (&v[4], t);

  if (itemid == 50800)
    {
      v_text (&v[5], value > 0.5 ? "VEN" : "ART");
      v_null (&v[6]);
    }
  else if (r < 0.002)
    {
      v_text (&v[5], "ERROR");
      v_null (&v[6]);
    }
  else
    {
      if (r < 0.004)
        value = rng_chance (rng, 0.5) ? 0.0 : -value;    /* ≤ 0: dropped */
      else if (r < 0.006)
        value = value * 20.0 + 300.0;                   /* above every upper limit */
      g_ascii_formatd (e->text, sizeof e->text, "%.15g", value);
      v_text (&v[5], e->text);
      v_real (&v[6], value);
    }
  v_text (&v[7], lab_unit (itemid));
  v_null (&v[8]);

  e->counts->labevents++;
  return e->sink->row (e->sink, v, error);
}

static gboolean
in_icu (const SynthAdmission *adm,
        gint64                t)
{
  for (guint s = 0; s < adm->n_stays; s++)
    if (t >= adm->stays[s].intime && t < adm->stays[s].outtime)
      return TRUE;
  return FALSE;
}

static gboolean
emit_admission_labs (Emit                 *e,
                     const SynthPatient   *p,
                     const SynthAdmission *adm,
                     GError              **error)
{
  Rng rng;
  double bun0, cre0, na0, hco0, plt0, glu0, mg0, alb0, k0, ca0, pco0, lac0;
  gboolean gases;
  gint64 t;

  rng_init (&rng, e->sink->params->seed, 3, adm->hadm_id);

  bun0 = log (20.0) + 0.5 * rng_normal (&rng);
  cre0 = log (1.1) + 0.45 * rng_normal (&rng);
  na0 = 139.0 + 3.5 * rng_normal (&rng);
  hco0 = 24.0 + 3.0 * rng_normal (&rng);
  plt0 = log (220.0) + 0.4 * rng_normal (&rng);
  glu0 = 135.0 + 25.0 * rng_normal (&rng);
  mg0 = 2.0 + 0.2 * rng_normal (&rng);
  alb0 = 3.1 + 0.5 * rng_normal (&rng);
  k0 = 4.1 + 0.4 * rng_normal (&rng);
  ca0 = 1.12 + 0.07 * rng_normal (&rng);
  pco0 = 41.0 + 6.0 * rng_normal (&rng);
  lac0 = log (1.6) + 0.4 * rng_normal (&rng);
  gases = rng_chance (&rng, 0.45);

  /* outpatient labs a few days before the admission: no hadm_id, outside every
   * hospital window, so the query leaves them without hadm_id */
  if (rng_chance (&rng, 0.1))
    {
      gint64 tout = round_minute (adm->admittime - (gint64) rng_range (&rng, 3.0 * DAY, 20.0 * DAY));

      if (!emit_lab (e, p, adm, &rng, 51006, tout, round_to (exp (bun0), 1.0), TRUE, error) ||
          !emit_lab (e, p, adm, &rng, 50912, tout, round_to (exp (cre0), 0.1), TRUE, error))
        return FALSE;
    }

  /* chemistry and hematology for the whole admission */
  for (t = round_minute (adm->admittime + (gint64) rng_range (&rng, 0.2 * HOUR, 4.0 * HOUR));
       t < adm->dischtime;)
    {
      double s = severity_at (adm, t);
      gboolean icu = in_icu (adm, t);

      struct { int itemid; double value; double p; } draw[] = {
        { 51006, round_to (MAX (exp (bun0 + 0.3 * s + 0.1 * rng_normal (&rng)), 2.0), 1.0), 0.97 },
        { 50912, round_to (exp (cre0 + 0.25 * s + 0.08 * rng_normal (&rng)), 0.1), 0.97 },
        { 50983, round_to (na0 + 1.5 * rng_normal (&rng), 1.0), 0.97 },
        { 50882, round_to (MAX (hco0 - 2.0 * s + 1.2 * rng_normal (&rng), 5.0), 1.0), 0.95 },
        { 50931, round_to (MAX (glu0 + 30.0 * rng_normal (&rng), 20.0), 1.0), 0.95 },
        { 50971, round_to (k0 + 0.3 * rng_normal (&rng), 0.1), 0.95 },
        { 50902, round_to (104.0 + 3.0 * rng_normal (&rng), 1.0), 0.9 },
        { 51265, round_to (exp (plt0 - 0.15 * s + 0.1 * rng_normal (&rng)), 1.0), 0.9 },
        { 50960, round_to (MAX (mg0 + 0.15 * rng_normal (&rng), 0.5), 0.1), 0.7 },
        { 50862, round_to (MAX (alb0 - 0.35 * s + 0.15 * rng_normal (&rng), 1.0), 0.1), 0.15 },
      };

      for (guint i = 0; i < G_N_ELEMENTS (draw); i++)
        {
          if (!rng_chance (&rng, draw[i].p))
            continue;
          if (!emit_lab (e, p, adm, &rng, draw[i].itemid, t, draw[i].value, FALSE, error))
            return FALSE;
          /* a duplicate of the same item at the same time: averaged by the query */
          if (rng_chance (&rng, 0.005) &&
              !emit_lab (e, p, adm, &rng, draw[i].itemid, t, draw[i].value * 1.02, FALSE, error))
            return FALSE;
        }

      t = round_minute (t + (gint64) ((icu ? rng_lognormal (&rng, 6.0, 0.3)
                                           : rng_lognormal (&rng, 16.0, 0.3)) * HOUR));
    }

  if (!gases)
    return TRUE;

  /* blood gases during the ICU stays */
  for (guint k = 0; k < adm->n_stays; k++)
    {
      const SynthStay *stay = &adm->stays[k];

      for (t = round_minute (stay->intime + (gint64) rng_range (&rng, 0.3 * HOUR, 3.0 * HOUR));
           t < stay->outtime;
           t = round_minute (t + (gint64) (rng_lognormal (&rng, 6.0, 0.4) * HOUR)))
        {
          double s = severity_at (adm, t);
          gboolean two_specimens = rng_chance (&rng, 0.02);

          if (!emit_lab (e, p, adm, &rng, 50800, t, 0.0, FALSE, error))
            return FALSE;
          if (two_specimens && !emit_lab (e, p, adm, &rng, 50800, t, 1.0, FALSE, error))
            return FALSE;
          if (!emit_lab (e, p, adm, &rng, 50820, t,
                         round_to (7.39 - 0.04 * s + 0.03 * rng_normal (&rng), 0.01), FALSE, error) ||
              !emit_lab (e, p, adm, &rng, 50818, t,
                         round_to (MAX (pco0 + 4.0 * rng_normal (&rng), 15.0), 1.0), FALSE, error) ||
              !emit_lab (e, p, adm, &rng, 50802, t,
                         round_to (-2.0 * s + 2.0 * rng_normal (&rng), 1.0), FALSE, error))
            return FALSE;
          if (rng_chance (&rng, 0.7) &&
              !emit_lab (e, p, adm, &rng, 50822, t,
                         round_to (k0 + 0.3 * rng_normal (&rng), 0.1), FALSE, error))
            return FALSE;
          if (rng_chance (&rng, 0.6) &&
              !emit_lab (e, p, adm, &rng, 50808, t,
                         round_to (ca0 + 0.05 * rng_normal (&rng), 0.01), FALSE, error))
            return FALSE;
          if (rng_chance (&rng, 0.6) &&
              !emit_lab (e, p, adm, &rng, 50813, t,
                         round_to (exp (lac0 + 0.35 * s + 0.15 * rng_normal (&rng)), 0.1),
                         FALSE, error))
            return FALSE;
        }
    }

  return TRUE;
}

static gboolean
emit_patient_events (Emit               *e,
                     const SynthPatient *p,
                     gboolean            chart,
                     GError            **error)
{
  for (guint a = 0; a < p->n_admissions; a++)
    {
      const SynthAdmission *adm = &p->admissions[a];

      if (!chart)
        {
          if (!emit_admission_labs (e, p, adm, error))
            return FALSE;
          continue;
        }

      if (!adm->has_chartevents)
        continue;
      for (guint s = 0; s < adm->n_stays; s++)
        if (!emit_stay_vitals (e, p, adm, &adm->stays[s], error))
          return FALSE;
    }

  return TRUE;
}

void
pb_synth_params_init (PbSynthParams *params)
{
  g_return_if_fail (params != NULL);

  params->n_stays = 1000;
  params->seed = 20230617;
  params->schema = "mimiciii";
}

/* Patients the cohort has: one cheap pass over the skeleton. */
static guint
count_patients (const PbSynthParams *params)
{
  SynthCursor cursor = { params, 100001, 200001, params->n_stays, 0 };
  SynthPatient p;
  guint n = 0;

  while (synth_next_patient (&cursor, n, &p))
    n++;
  return n;
}

/**
 * _pb_synth_run:
 * @params: what to generate
 * @sink: where rows go: one begin/row…/end per table, in _pb_synth_tables order
 *
 * Writes the whole cohort through @sink, one pass over the patients per table.
 */
gboolean
_pb_synth_run (const PbSynthParams  *params,
               SynthSink            *sink,
               PbSynthCounts        *counts,
               PbProgressFunc        progress,
               gpointer              progress_data,
               GCancellable         *cancellable,
               GError              **error)
{
  Emit e = { sink, counts, 0 };
  guint n_patients;

  if (params->n_stays == 0)
    {
      g_set_error (error, PB_ENGINE_ERROR, PB_ENGINE_ERROR_INVALID_ARGUMENT,
                   "A synthetic cohort needs at least one ICU stay");
      return FALSE;
    }

  memset (counts, 0, sizeof *counts);
  sink->params = params;
  n_patients = count_patients (params);

  if (!emit_dictionaries (&e, error))
    return FALSE;

  for (guint k = 2; k < _pb_synth_n_tables; k++)
    {
      const SynthTable *table = &_pb_synth_tables[k];
      SynthCursor cursor = { params, 100001, 200001, params->n_stays, 0 };
      SynthPatient p;
      g_autofree char *message = g_strdup_printf ("Writing %s", table->name);
      gboolean events = g_str_equal (table->name, "chartevents") ||
                        g_str_equal (table->name, "labevents");

      e.row_id = 0;
      if (!sink->begin (sink, table, error))
        return FALSE;

      for (guint i = 0; synth_next_patient (&cursor, i, &p); i++)
        {
          if (events ? !emit_patient_events (&e, &p, g_str_equal (table->name, "chartevents"), error)
                     : !emit_patient_rows (&e, &p, table, error))
            return FALSE;

          if (i % 256 == 0)
            {
              if (g_cancellable_set_error_if_cancelled (cancellable, error))
                return FALSE;
              if (progress != NULL)
                progress (((k - 2) + (double) i / n_patients) / (_pb_synth_n_tables - 2),
                          message, NULL, progress_data);
            }
        }

      if (!sink->end (sink, error))
        return FALSE;
    }

  if (progress != NULL)
    progress (1.0, "Cohort written", NULL, progress_data);

  return TRUE;
}

/* ---- timestamps ------------------------------------------------------------------- */

void
_pb_format_timestamp (gint64 t,
                      char   buf[20])
{
  gint64 days = t >= 0 ? t / DAY : -((-t + DAY - 1) / DAY);
  gint64 secs = t - days * DAY;
  /* civil_from_days (H. Hinnant) */
  gint64 z = days + 719468;
  gint64 era = (z >= 0 ? z : z - 146096) / 146097;
  gint64 doe = z - era * 146097;
  gint64 yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  gint64 y = yoe + era * 400;
  gint64 doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  gint64 mp = (5 * doy + 2) / 153;
  gint64 d = doy - (153 * mp + 2) / 5 + 1;
  gint64 m = mp < 10 ? mp + 3 : mp - 9;
  int hh = (int) (secs / 3600), mm = (int) (secs / 60 % 60), ss = (int) (secs % 60);

  if (m <= 2)
    y++;

  buf[0] = '0' + (char) (y / 1000 % 10);
  buf[1] = '0' + (char) (y / 100 % 10);
  buf[2] = '0' + (char) (y / 10 % 10);
  buf[3] = '0' + (char) (y % 10);
  buf[4] = '-';
  buf[5] = '0' + (char) (m / 10);
  buf[6] = '0' + (char) (m % 10);
  buf[7] = '-';
  buf[8] = '0' + (char) (d / 10);
  buf[9] = '0' + (char) (d % 10);
  buf[10] = ' ';
  buf[11] = '0' + (char) (hh / 10);
  buf[12] = '0' + (char) (hh % 10);
  buf[13] = ':';
  buf[14] = '0' + (char) (mm / 10);
  buf[15] = '0' + (char) (mm % 10);
  buf[16] = ':';
  buf[17] = '0' + (char) (ss / 10);
  buf[18] = '0' + (char) (ss % 10);
  buf[19] = '\0';
}
