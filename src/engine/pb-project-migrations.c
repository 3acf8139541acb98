/* pb-project-migrations.c — the project store's schema, one numbered step at a time.
 *
 * Each step runs in the same transaction as the bump of PRAGMA user_version, so a
 * project is always at exactly one version. Append new steps at the end; never edit
 * one that has shipped.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "pb-project-private.h"

static const PbMigration migrations[] = {
  {
    1, "core: metadata and migration log",
    "CREATE TABLE metadata ("
    "  key   TEXT PRIMARY KEY NOT NULL,"
    "  value TEXT NOT NULL"
    ");"
    "CREATE TABLE schema_migrations ("
    "  version    INTEGER PRIMARY KEY NOT NULL,"
    "  name       TEXT NOT NULL,"
    "  applied_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))"
    ");"
  },
  {
    2, "datasets: preprocessed sequences",
    "CREATE TABLE datasets ("
    "  dataset_id    INTEGER PRIMARY KEY,"
    "  name          TEXT NOT NULL UNIQUE,"
    "  created_at    TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),"
    "  n_sequences   INTEGER NOT NULL CHECK (n_sequences >= 0),"
    "  max_length    INTEGER NOT NULL CHECK (max_length > 0),"
    "  n_features    INTEGER NOT NULL CHECK (n_features > 0),"
    "  n_classes     INTEGER NOT NULL CHECK (n_classes >= 2),"
    "  feature_names TEXT NOT NULL DEFAULT '[]',"  /* JSON array */
    "  params        TEXT NOT NULL DEFAULT '{}'"   /* JSON: how it was made */
    ");"
    /* x: length × n_features float32, little-endian, row-major (t, f) */
    "CREATE TABLE dataset_sequences ("
    "  dataset_id INTEGER NOT NULL REFERENCES datasets (dataset_id) ON DELETE CASCADE,"
    "  idx        INTEGER NOT NULL,"
    "  sample_id  INTEGER NOT NULL,"
    "  length     INTEGER NOT NULL,"
    "  label      INTEGER NOT NULL,"
    "  x          BLOB NOT NULL,"
    "  PRIMARY KEY (dataset_id, idx)"
    ") WITHOUT ROWID;"
  },
  {
    3, "import: provenance and raw MIMIC-III query results",
    /* One row per import; never a password: host, database and user only. */
    "CREATE TABLE imports ("
    "  import_id    INTEGER PRIMARY KEY,"
    "  source_kind  TEXT NOT NULL CHECK (source_kind IN ('postgres', 'sqlite')),"
    "  source       TEXT NOT NULL,"
    "  schema_name  TEXT NOT NULL,"
    "  started_at   TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),"
    "  seconds      REAL,"
    "  n_icustays   INTEGER NOT NULL DEFAULT 0,"
    "  n_bg         INTEGER NOT NULL DEFAULT 0,"
    "  n_lab        INTEGER NOT NULL DEFAULT 0,"
    "  n_vital      INTEGER NOT NULL DEFAULT 0"
    ");"
    /* The four extraction queries' results (SPEC §1), the columns preprocessing
     * reads. Times are seconds since 1970-01-01 00:00:00 of MIMIC's (shifted,
     * zone-less) timestamps; NULL stays NULL. The latest import replaces them. */
    "CREATE TABLE raw_icustay ("
    "  icustay_id           INTEGER PRIMARY KEY,"
    "  subject_id           INTEGER NOT NULL,"
    "  hadm_id              INTEGER NOT NULL,"
    "  gender               TEXT,"
    "  dod                  INTEGER,"
    "  admittime            INTEGER,"
    "  dischtime            INTEGER,"
    "  los_hospital         REAL,"
    "  admission_age        REAL,"
    "  hospital_expire_flag INTEGER,"
    "  intime               INTEGER,"
    "  outtime              INTEGER,"
    "  los_icu              REAL"
    ");"
    "CREATE INDEX raw_icustay_hadm ON raw_icustay (hadm_id);"
    "CREATE TABLE raw_bg ("
    "  hadm_id    INTEGER,"
    "  charttime  INTEGER,"
    "  icustay_id INTEGER,"
    "  potassium  REAL,"
    "  calcium    REAL,"
    "  ph         REAL,"
    "  pco2       REAL,"
    "  lactate    REAL"
    ");"
    "CREATE INDEX raw_bg_hadm ON raw_bg (hadm_id, charttime);"
    "CREATE TABLE raw_lab ("
    "  subject_id  INTEGER,"
    "  hadm_id     INTEGER,"
    "  charttime   INTEGER,"
    "  icustay_id  INTEGER,"
    "  albumin     REAL,"
    "  bun         REAL,"
    "  creatinine  REAL,"
    "  sodium      REAL,"
    "  bicarbonate REAL,"
    "  platelet    REAL,"
    "  glucose     REAL,"
    "  magnesium   REAL"
    ");"
    "CREATE INDEX raw_lab_hadm ON raw_lab (hadm_id, charttime);"
    "CREATE TABLE raw_vital ("
    "  icustay_id INTEGER,"
    "  charttime  INTEGER,"
    "  heartrate  REAL,"
    "  sysbp      REAL,"
    "  diasbp     REAL,"
    "  tempc      REAL,"
    "  resprate   REAL,"
    "  spo2       REAL"
    ");"
    "CREATE INDEX raw_vital_stay ON raw_vital (icustay_id, charttime);"
  },
  {
    4, "attack: sparse adversarial attack runs and their results",
    /* The target model travels with the run (safetensors blob + config JSON) so a
     * run never depends on a checkpoint row; checkpoint_id only records where the
     * weights came from, when they came from a stored checkpoint. */
    "CREATE TABLE attack_runs ("
    "  attack_run_id  INTEGER PRIMARY KEY,"
    "  created_at     TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),"
    "  finished_at    TEXT,"
    "  dataset_id     INTEGER NOT NULL REFERENCES datasets (dataset_id) ON DELETE CASCADE,"
    "  checkpoint_id  INTEGER,"
    "  params         TEXT NOT NULL,"               /* JSON, preset included */
    "  model_config   TEXT NOT NULL,"               /* JSON */
    "  weights        BLOB NOT NULL,"               /* safetensors, state_dict names */
    "  status         TEXT NOT NULL CHECK (status IN ('running', 'complete')),"
    "  n_candidates   INTEGER NOT NULL CHECK (n_candidates >= 0),"
    "  n_attacked     INTEGER NOT NULL CHECK (n_attacked >= 0),"
    "  n_batches      INTEGER NOT NULL CHECK (n_batches >= 0),"
    "  n_batches_done INTEGER NOT NULL DEFAULT 0,"
    "  optim_state    BLOB,"                        /* safetensors, after the last batch */
    "  elapsed_s      REAL NOT NULL DEFAULT 0"
    ");"
    /* One row per attacked (correctly classified) sample, in attack order; a
     * batch is idx / batch_size. iterations = 0 until its batch is done. */
    "CREATE TABLE attack_samples ("
    "  attack_run_id   INTEGER NOT NULL REFERENCES attack_runs (attack_run_id) ON DELETE CASCADE,"
    "  idx             INTEGER NOT NULL,"
    "  dataset_index   INTEGER NOT NULL,"
    "  sample_id       INTEGER NOT NULL,"
    "  length          INTEGER NOT NULL,"
    "  label           INTEGER NOT NULL,"
    "  iterations      INTEGER NOT NULL DEFAULT 0,"
    "  first_iteration INTEGER,"                   /* NULL: no adversarial example */
    "  first_loss      REAL,"
    "  best_iteration  INTEGER,"
    "  best_loss       REAL,"
    "  PRIMARY KEY (attack_run_id, idx)"
    ") WITHOUT ROWID;"
    /* Only the non-zero entries of a found example: index = step · n_features +
     * feature as uint32 LE, value as float32 LE. kind 0 = first, 1 = best. */
    "CREATE TABLE attack_perturbations ("
    "  attack_run_id INTEGER NOT NULL,"
    "  idx           INTEGER NOT NULL,"
    "  kind          INTEGER NOT NULL CHECK (kind IN (0, 1)),"
    "  n_nonzero     INTEGER NOT NULL,"
    "  indices       BLOB NOT NULL,"
    "  vals          BLOB NOT NULL,"
    "  PRIMARY KEY (attack_run_id, idx, kind),"
    "  FOREIGN KEY (attack_run_id, idx) REFERENCES attack_samples (attack_run_id, idx)"
    "    ON DELETE CASCADE"
    ") WITHOUT ROWID;"
  },
  {
    5, "training: runs, per-epoch metrics, checkpoints",
    /* hyperparameters: pb_train_config_to_json (model, optimizer, batch sizes,
     * epochs, cadence, seed); protocol: the preset, 'standard' or 'seed' */
    "CREATE TABLE runs ("
    "  run_id          INTEGER PRIMARY KEY,"
    "  kind            TEXT NOT NULL DEFAULT 'train',"
    "  name            TEXT,"
    "  fold            INTEGER,"
    "  created_at      TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),"
    "  dataset         TEXT,"
    "  protocol        TEXT NOT NULL CHECK (protocol IN ('standard', 'seed')),"
    "  hyperparameters TEXT NOT NULL,"
    "  seed            INTEGER NOT NULL,"
    "  n_epochs        INTEGER NOT NULL CHECK (n_epochs > 0),"
    "  epochs_done     INTEGER NOT NULL DEFAULT 0,"
    "  status          TEXT NOT NULL DEFAULT 'running'"
    "                  CHECK (status IN ('running', 'finished', 'cancelled', 'failed'))"
    ");"
    /* epoch: completed epochs (1-based); evaluation columns NULL when the
     * epoch was not evaluated */
    "CREATE TABLE epoch_metrics ("
    "  run_id     INTEGER NOT NULL REFERENCES runs (run_id) ON DELETE CASCADE,"
    "  epoch      INTEGER NOT NULL,"
    "  loss_train REAL NOT NULL,"
    "  loss_valid REAL,"
    "  accuracy   REAL,"
    "  auc        REAL,"
    "  precision  REAL,"
    "  recall     REAL,"
    "  f1         REAL,"
    "  n_valid    INTEGER,"
    "  seconds    REAL,"
    "  PRIMARY KEY (run_id, epoch)"
    ") WITHOUT ROWID;"
    /* state: safetensors — weights named as PyTorch's state_dict, optimizer.*
     * state, metadata epoch / rng.sampler / rng.dropout / train_config */
    "CREATE TABLE checkpoints ("
    "  checkpoint_id INTEGER PRIMARY KEY,"
    "  run_id        INTEGER NOT NULL REFERENCES runs (run_id) ON DELETE CASCADE,"
    "  epoch         INTEGER NOT NULL,"
    "  created_at    TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),"
    "  loss_valid    REAL,"
    "  state         BLOB NOT NULL,"
    "  UNIQUE (run_id, epoch)"
    ");"
  },
  {
    6, "attribution: gradient × input, integrated gradients, occlusion, FGSM curves",
    /* One row per computed attribution. parent_id: for attribution over training,
     * the per-checkpoint rows point to the averaged row; position = epoch. */
    "CREATE TABLE attributions ("
    "  attribution_id INTEGER PRIMARY KEY,"
    "  created_at     TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),"
    "  method         TEXT NOT NULL CHECK (method IN ('grad-input', 'ig', 'occlusion')),"
    "  dataset_name   TEXT NOT NULL,"
    "  model_source   TEXT NOT NULL,"
    "  checkpoint_id  INTEGER,"
    "  parent_id      INTEGER REFERENCES attributions (attribution_id) ON DELETE CASCADE,"
    "  position       INTEGER,"
    "  params         TEXT NOT NULL,"               /* JSON: score, target, method options */
    "  n_samples      INTEGER NOT NULL CHECK (n_samples >= 0),"
    "  max_length     INTEGER NOT NULL CHECK (max_length > 0),"
    "  n_features     INTEGER NOT NULL CHECK (n_features > 0)"
    ");"
    /* vals: length × n_features float32 LE, row-major (t, f) */
    "CREATE TABLE attribution_samples ("
    "  attribution_id INTEGER NOT NULL REFERENCES attributions (attribution_id) ON DELETE CASCADE,"
    "  idx            INTEGER NOT NULL,"
    "  sample_id      INTEGER NOT NULL,"
    "  label          INTEGER NOT NULL,"
    "  target         INTEGER NOT NULL,"
    "  length         INTEGER NOT NULL,"
    "  score          REAL NOT NULL,"
    "  baseline_score REAL,"
    "  gap            REAL,"
    "  vals           BLOB NOT NULL,"
    "  PRIMARY KEY (attribution_id, idx)"
    ") WITHOUT ROWID;"
    /* Feature × hour summaries: vals n_hours × n_features float64 LE, row-major
     * (hour, feature), the layout of the susceptibility tables (SPEC §9.3). */
    "CREATE TABLE attribution_matrices ("
    "  attribution_id INTEGER NOT NULL REFERENCES attributions (attribution_id) ON DELETE CASCADE,"
    "  name           TEXT NOT NULL,"
    "  n_hours        INTEGER NOT NULL,"
    "  n_features     INTEGER NOT NULL,"
    "  vals           BLOB NOT NULL,"
    "  PRIMARY KEY (attribution_id, name)"
    ") WITHOUT ROWID;"
    "CREATE TABLE fgsm_runs ("
    "  fgsm_id        INTEGER PRIMARY KEY,"
    "  created_at     TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),"
    "  dataset_name   TEXT NOT NULL,"
    "  model_source   TEXT NOT NULL,"
    "  checkpoint_id  INTEGER,"
    "  params         TEXT NOT NULL,"               /* JSON: epsilons, clip range */
    "  n_samples      INTEGER NOT NULL CHECK (n_samples >= 0),"
    "  max_length     INTEGER NOT NULL CHECK (max_length > 0),"
    "  n_features     INTEGER NOT NULL CHECK (n_features > 0),"
    "  clean_accuracy REAL NOT NULL,"
    "  clean_auc      REAL,"
    "  clean_loss     REAL"
    ");"
    "CREATE TABLE fgsm_points ("
    "  fgsm_id   INTEGER NOT NULL REFERENCES fgsm_runs (fgsm_id) ON DELETE CASCADE,"
    "  eps_index INTEGER NOT NULL,"
    "  epsilon   REAL NOT NULL CHECK (epsilon >= 0),"
    "  accuracy  REAL NOT NULL,"
    "  auc       REAL,"
    "  loss      REAL,"
    "  precision REAL NOT NULL,"
    "  recall    REAL NOT NULL,"
    "  f1        REAL NOT NULL,"
    "  flip_rate REAL NOT NULL,"
    "  PRIMARY KEY (fgsm_id, eps_index)"
    ") WITHOUT ROWID;"
    /* vals: x' - x, length × n_features float32 LE; NULL when not kept */
    "CREATE TABLE fgsm_perturbations ("
    "  fgsm_id    INTEGER NOT NULL,"
    "  eps_index  INTEGER NOT NULL,"
    "  idx        INTEGER NOT NULL,"
    "  sample_id  INTEGER NOT NULL,"
    "  label      INTEGER NOT NULL,"
    "  length     INTEGER NOT NULL,"
    "  prediction INTEGER NOT NULL,"
    "  vals       BLOB,"
    "  PRIMARY KEY (fgsm_id, eps_index, idx),"
    "  FOREIGN KEY (fgsm_id, eps_index) REFERENCES fgsm_points (fgsm_id, eps_index)"
    "    ON DELETE CASCADE"
    ") WITHOUT ROWID;"
  },
  {
    7, "cross-validation: a CV groups one training run per fold",
    /* config: pb_cv_config_to_json (the folds' training configuration, k, fold
     * seed); fold_of_sample: n_samples uint32 LE, the fold each sequence of the
     * dataset is held out in; source: where the hyperparameters came from */
    "CREATE TABLE cv_runs ("
    "  cv_id          INTEGER PRIMARY KEY,"
    "  created_at     TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),"
    "  dataset        TEXT NOT NULL,"
    "  protocol       TEXT NOT NULL CHECK (protocol IN ('standard', 'seed')),"
    "  config         TEXT NOT NULL,"
    "  source         TEXT,"
    "  n_folds        INTEGER NOT NULL CHECK (n_folds >= 2),"
    "  n_samples      INTEGER NOT NULL CHECK (n_samples > 0),"
    "  fold_of_sample BLOB NOT NULL,"
    "  status         TEXT NOT NULL DEFAULT 'running'"
    "                 CHECK (status IN ('running', 'finished', 'cancelled', 'failed'))"
    ");"
    "CREATE TABLE cv_folds ("
    "  cv_id  INTEGER NOT NULL REFERENCES cv_runs (cv_id) ON DELETE CASCADE,"
    "  fold   INTEGER NOT NULL CHECK (fold >= 0),"
    "  run_id INTEGER NOT NULL UNIQUE REFERENCES runs (run_id) ON DELETE CASCADE,"
    "  PRIMARY KEY (cv_id, fold)"
    ") WITHOUT ROWID;"
  },
};

const PbMigration *
_pb_project_get_migrations (guint *n_migrations)
{
  *n_migrations = G_N_ELEMENTS (migrations);
  return migrations;
}
