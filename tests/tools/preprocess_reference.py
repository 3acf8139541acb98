#!/usr/bin/python3
"""The seed's preprocessing (SPEC §2) with pandas, on the four CSV files of the
extraction step: the reference the C implementation (src/engine/pb-preprocess.c)
is checked against.

    preprocess_reference.py CSV_DIR OUT.csv [--window-hours 48]

Reads icustay_detail.csv, pivoted_bg.csv, pivoted_lab.csv, pivoted_vital.csv
(as `perturb preprocess --export-csv DIR` writes them) and writes one line per
sample and hour: hadm_id,label,length,t,<19 values> (values with repr()).
Exit 77 when pandas is missing (meson's "skipped").
"""
import sys

try:
    import numpy as np
    import pandas as pd
except ImportError:
    print("pandas is not installed for /usr/bin/python3 (apt-get install python3-pandas)")
    sys.exit(77)

BG = ["potassium", "calcium", "ph", "pco2", "lactate"]
LAB = ["albumin", "bun", "creatinine", "sodium", "bicarbonate", "platelet", "glucose",
       "magnesium"]
VITAL = ["heartrate", "sysbp", "diasbp", "tempc", "resprate", "spo2"]
COLS = BG + LAB + VITAL


def prefilter(d):
    icu = pd.read_csv(f"{d}/icustay_detail.csv")
    icu.columns = [c.lower() for c in icu.columns]
    for c in ["admittime", "dischtime", "intime", "outtime"]:
        icu[c] = pd.to_datetime(icu[c])
    icu = icu[(icu.admission_age >= 18) & (icu.los_hospital >= 1) & (icu.los_icu >= 1)]
    icu = icu.drop(columns=["gender"])

    bg = pd.read_csv(f"{d}/pivoted_bg.csv")
    bg["charttime"] = pd.to_datetime(bg["charttime"])
    bg["icustay_id"] = bg["icustay_id"].fillna(0).astype("int64")
    bg = bg[bg.hadm_id.isin(icu.hadm_id)]
    bg = bg[["icustay_id", "hadm_id", "charttime"] + BG].dropna(subset=BG, how="all")

    lab = pd.read_csv(f"{d}/pivoted_lab.csv")
    lab["icustay_id"] = lab["icustay_id"].fillna(0).astype("int64")
    lab["hadm_id"] = lab["hadm_id"].fillna(0).astype("int64")
    lab["charttime"] = pd.to_datetime(lab["charttime"])
    lab = lab[lab.hadm_id.isin(icu.hadm_id)]
    lab = lab[["icustay_id", "hadm_id", "subject_id", "charttime"] + LAB].dropna(subset=LAB, how="all")

    vital = pd.read_csv(f"{d}/pivoted_vital.csv")
    vital["charttime"] = pd.to_datetime(vital["charttime"])
    vital = vital[vital.icustay_id.isin(icu.icustay_id)]
    vital = vital[["icustay_id", "charttime"] + VITAL].dropna(subset=VITAL, how="all")
    return icu, bg, lab, vital


def combine(icu, bg, lab, vital):
    id_bg = pd.merge(left=icu, right=bg, on=["hadm_id"], how="right", suffixes=("_icu", "_bg"))
    id_bg = id_bg[["subject_id", "hadm_id", "icustay_id_icu", "charttime"] + BG].rename(
        columns={"icustay_id_icu": "icustay_id"})
    id_lab = pd.merge(left=icu, right=lab, on=["hadm_id"], how="right", suffixes=("_icu", "_lab"))
    id_lab = id_lab[["subject_id_icu", "hadm_id", "icustay_id_icu", "charttime"] + LAB].rename(
        columns={"subject_id_icu": "subject_id", "icustay_id_icu": "icustay_id"})
    id_vital = pd.merge(left=icu, right=vital, on=["icustay_id"], how="inner")
    id_vital = id_vital[["subject_id", "hadm_id", "icustay_id", "charttime"] + VITAL]
    keys = ["subject_id", "hadm_id", "icustay_id", "charttime"]
    id_bg_lab = pd.merge(left=id_bg, right=id_lab, on=keys, how="outer")
    id_bg_lab_vital = pd.merge(left=id_bg_lab, right=id_vital, on=keys, how="outer")
    merged = pd.merge(left=icu, right=id_bg_lab_vital, on=["subject_id", "hadm_id", "icustay_id"],
                      how="outer")
    stats = merged[COLS].describe(percentiles=[0.05, 0.25, 0.5, 0.75, 0.95])
    return merged, stats


def main():
    d, out = sys.argv[1], sys.argv[2]
    window_hours = 48
    if "--window-hours" in sys.argv:
        window_hours = int(sys.argv[sys.argv.index("--window-hours") + 1])

    icu, bg, lab, vital = prefilter(d)
    merged, stats = combine(icu, bg, lab, vital)
    merged = merged.drop(columns=["dod", "los_hospital", "admission_age", "los_icu"])

    lines = []
    for hadm_id, group in merged.groupby("hadm_id"):
        intime = np.sort(group["intime"].unique())
        label = np.sort(group["hospital_expire_flag"].unique())[0]
        ts = group[["charttime"] + COLS]
        if ts.shape[0] <= 2:
            continue
        ts = ts.set_index("charttime")
        res = ts.resample("H").mean().interpolate(method="linear", limit_direction="both")
        empty = res.columns[res.isna().all()]
        res = res.fillna({c: stats.loc["50%", c] for c in empty})
        res = res[stats.columns].clip(lower=stats.loc["5%", :], upper=stats.loc["95%", :], axis=1)
        res = (res - stats.loc["5%", :]) / (stats.loc["95%", :] - stats.loc["5%", :])
        res = res.reset_index()
        start = intime[0]
        end = start + pd.Timedelta(hours=window_hours)
        win = res[(res["charttime"] > start) & (res["charttime"] < end)]
        if win.shape[0] < 1:
            continue
        values = win[COLS].values
        for t in range(values.shape[0]):
            lines.append("%d,%d,%d,%d,%s" % (hadm_id, int(label), values.shape[0], t,
                                             ",".join(repr(float(v)) for v in values[t])))
    with open(out, "w") as f:
        f.write("\n".join(lines) + "\n")


if __name__ == "__main__":
    main()
