/* pb-plot-demo.c — deterministic demo data shaped like the project's own:
 * 19 features × 48 hours, 5-fold curves, a 40-trial study.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "pb-plot-demo.h"

#include <math.h>

#define N_FEATURES 19
#define N_HOURS    48
#define N_TRIALS   40
#define N_EPOCHS   20

static const char * const feature_names[N_FEATURES] = {
  "potassium", "calcium", "ph", "pco2", "lactate", "albumin", "bun", "creatinine",
  "sodium", "bicarbonate", "platelet", "glucose", "magnesium", "heartrate", "sysbp",
  "diasbp", "tempc", "resprate", "spo2",
};

struct _PbPlotDemo
{
  PbPlotFigure figure;
  union
  {
    PbPlotLineData           line;
    PbPlotHeatmapData        heatmap;
    PbPlotHeatmapTripleData  triple;
    PbPlotSusceptibilityData susceptibility;
    PbPlotStudyData          study;
    PbPlotHistogramData      histogram;
    PbPlotBarData            bars;
  } data;
  GPtrArray *owned;     /* everything the data points into */
  guint64    rng;
};

/* splitmix64: the same numbers on every platform and GLib version */
static double
demo_uniform (PbPlotDemo *demo)
{
  guint64 z = (demo->rng += 0x9E3779B97F4A7C15ull);

  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  z ^= z >> 31;
  return (z >> 11) * (1.0 / 9007199254740992.0);
}

static double
demo_normal (PbPlotDemo *demo)
{
  double u = MAX (demo_uniform (demo), 1e-12), v = demo_uniform (demo);

  return sqrt (-2 * log (u)) * cos (2 * G_PI * v);
}

static gpointer
demo_alloc (PbPlotDemo *demo,
            gsize       size)
{
  gpointer p = g_malloc0 (size);

  g_ptr_array_add (demo->owned, p);
  return p;
}

static void
demo_line (PbPlotDemo *demo)
{
  static const char *labels[6] = {
    "Fold 0 train", "Fold 0 valid", "Fold 1 train", "Fold 1 valid", "Fold 2 train", "Fold 2 valid",
  };
  PbPlotSeries *series = demo_alloc (demo, 6 * sizeof *series);
  guint n = 60;

  for (guint s = 0; s < 6; s++)
    {
      double *y = demo_alloc (demo, n * sizeof *y);
      guint fold = s / 2;
      gboolean valid = s % 2 == 1;

      for (guint i = 0; i < n; i++)
        y[i] = 0.34 + (valid ? 0.01 : 0) + 0.25 * exp (-(double) i / (9 + 2 * fold))
               + 0.006 * demo_normal (demo);
      if (s == 3)
        y[25] = NAN;   /* an epoch without a validation pass: a gap */
      series[s] = (PbPlotSeries) { .label = labels[s], .y = y, .n = n, .color = (int) fold,
                                   .dashed = valid };
    }

  demo->data.line = (PbPlotLineData) {
    .title = "Loss per epoch",
    .x_label = "Epoch",
    .y_label = "Loss",
    .series = series,
    .n_series = 6,
  };
  demo->figure.data = &demo->data.line;
}

/* A sparse perturbation, stored (T, F) as the engine stores it. */
static double *
demo_perturbation (PbPlotDemo *demo)
{
  double *p = demo_alloc (demo, N_HOURS * N_FEATURES * sizeof *p);

  for (guint k = 0; k < 30; k++)
    {
      guint t = (guint) (N_HOURS - 1 - floor (fabs (demo_normal (demo)) * 10)) % N_HOURS;
      guint f = (guint) (demo_uniform (demo) * N_FEATURES) % N_FEATURES;

      p[t * N_FEATURES + f] = 0.4 * demo_normal (demo);
    }
  return p;
}

static void
demo_heatmap (PbPlotDemo *demo)
{
  demo->data.heatmap = (PbPlotHeatmapData) {
    .title = "Perturbation of stay 1042 (0 → 1)",
    .x_label = "Elapsed time (h)",
    .value_label = "Perturbation",
    .matrix = { .values = demo_perturbation (demo), .n_rows = N_FEATURES, .n_cols = N_HOURS,
                .transposed = TRUE, .row_labels = feature_names, .col_tick_step = 6 },
    .color_map = PB_PLOT_COLOR_MAP_DIVERGING,
  };
  demo->figure.data = &demo->data.heatmap;
}

static void
demo_triple (PbPlotDemo *demo)
{
  double *x = demo_alloc (demo, N_HOURS * N_FEATURES * sizeof *x);
  double *p = demo_perturbation (demo);
  double *xp = demo_alloc (demo, N_HOURS * N_FEATURES * sizeof *xp);

  for (guint f = 0; f < N_FEATURES; f++)
    {
      double level = 0.2 + 0.6 * demo_uniform (demo);

      for (guint t = 0; t < N_HOURS; t++)
        {
          guint i = t * N_FEATURES + f;

          level = CLAMP (level + 0.03 * demo_normal (demo), 0, 1);
          x[i] = level;
          xp[i] = CLAMP (x[i] + p[i], 0, 1);   /* the attack clips to the feature range */
          p[i] = xp[i] - x[i];
        }
    }

  demo->data.triple = (PbPlotHeatmapTripleData) {
    .title = "Stay 1042: 0 → 1 attack",
    .x_label = "Elapsed time (h)",
    .original = x,
    .perturbation = p,
    .perturbed = xp,
    .n_rows = N_FEATURES,
    .n_cols = N_HOURS,
    .transposed = TRUE,
    .row_labels = feature_names,
    .col_tick_step = 6,
  };
  demo->figure.data = &demo->data.triple;
}

static void
demo_susceptibility (PbPlotDemo *demo)
{
  double *gpp = demo_alloc (demo, N_FEATURES * N_HOURS * sizeof *gpp);

  /* more perturbations late in the stay and on a few features */
  for (guint f = 0; f < N_FEATURES; f++)
    {
      double w = (f == 4 || f == 13 || f == 18) ? 1.0 : 0.25 + 0.2 * demo_uniform (demo);

      for (guint t = 0; t < N_HOURS; t++)
        gpp[f * N_HOURS + t] = w * exp (-(N_HOURS - 1.0 - t) / 8.0) * (0.7 + 0.3 * demo_uniform (demo)) * 0.6;
    }

  demo->data.susceptibility = (PbPlotSusceptibilityData) {
    .title = "0 → 1 attack, first examples",
    .x_label = "Elapsed time (h)",
    .value_label = "Perturbation probability",
    .matrix = { .values = gpp, .n_rows = N_FEATURES, .n_cols = N_HOURS,
                .row_labels = feature_names, .col_tick_step = 6 },
    .color_map = PB_PLOT_COLOR_MAP_VIRIDIS,
    .marginal = PB_PLOT_MARGINAL_SUM,
  };
  demo->figure.data = &demo->data.susceptibility;
}

static void
demo_study (PbPlotDemo *demo)
{
  static const char * const optimizers[] = { "Adam", "RMSprop", "SGD" };
  PbPlotParam *params = demo_alloc (demo, 4 * sizeof *params);
  PbPlotTrial *trials = demo_alloc (demo, N_TRIALS * sizeof *trials);

  params[0] = (PbPlotParam) { .name = "lr", .log = TRUE };
  params[1] = (PbPlotParam) { .name = "hidden_size" };
  params[2] = (PbPlotParam) { .name = "dropout" };
  params[3] = (PbPlotParam) { .name = "optimizer", .choices = optimizers, .n_choices = 3 };

  for (guint i = 0; i < N_TRIALS; i++)
    {
      double *p = demo_alloc (demo, 4 * sizeof *p);
      double *iv = demo_alloc (demo, N_EPOCHS * sizeof *iv);
      double lr, final, d;
      guint n_steps = N_EPOCHS;

      /* later trials concentrate near the optimum, as TPE's would */
      d = i < 10 ? 1.0 : 0.4;
      lr = pow (10, CLAMP (-2.5 + d * 1.5 * (2 * demo_uniform (demo) - 1), -4, -1));
      p[0] = lr;
      p[1] = round (CLAMP (128 + d * 110 * (2 * demo_uniform (demo) - 1), 16, 256));
      p[2] = CLAMP (0.2 + d * 0.3 * (2 * demo_uniform (demo) - 1), 0, 0.5);
      p[3] = floor (demo_uniform (demo) * (i < 10 ? 3 : 1.6));
      final = 0.34 + 0.02 * pow (log10 (lr) + 2.5, 2) + 0.05 * fabs (p[2] - 0.2)
              + 0.01 * p[3] + 0.004 * demo_normal (demo);

      for (guint e = 0; e < N_EPOCHS; e++)
        iv[e] = final + 0.25 * exp (-(double) e / 4) + 0.003 * demo_normal (demo);
      if (final > 0.37 && i > 3)
        n_steps = 3 + (i % 5);   /* pruned */

      trials[i] = (PbPlotTrial) {
        .number = i,
        .state = n_steps < N_EPOCHS ? PB_PLOT_TRIAL_PRUNED : PB_PLOT_TRIAL_COMPLETE,
        .value = n_steps < N_EPOCHS ? NAN : iv[N_EPOCHS - 1],
        .params = p,
        .intermediate = iv,
        .n_intermediate = n_steps,
      };
    }

  demo->data.study = (PbPlotStudyData) {
    .title = NULL,
    .objective_label = "Validation loss",
    .step_label = "Epoch",
    .params = params,
    .n_params = 4,
    .trials = trials,
    .n_trials = N_TRIALS,
  };
  demo->figure.data = &demo->data.study;
}

static void
demo_histogram (PbPlotDemo *demo)
{
  PbPlotSample *samples = demo_alloc (demo, 2 * sizeof *samples);
  guint n = 400;

  for (guint s = 0; s < 2; s++)
    {
      double *v = demo_alloc (demo, n * sizeof *v);
      double mean = s == 0 ? 9 : 4;

      for (guint i = 0; i < n; i++)   /* geometric-like counts ≥ 1 */
        v[i] = 1 + floor (-log (MAX (demo_uniform (demo), 1e-12)) * (mean - 1));
      samples[s] = (PbPlotSample) { .label = s == 0 ? "First" : "Best", .values = v, .n = n };
    }

  demo->data.histogram = (PbPlotHistogramData) {
    .title = "0 → 1 attack",
    .x_label = "Number of perturbed elements",
    .samples = samples,
    .n_samples = 2,
    .n_bins = 40,
    .range_fixed = TRUE,
    .lo = 0,
    .hi = 40,
  };
  demo->figure.data = &demo->data.histogram;
}

static void
demo_bars (PbPlotDemo *demo)
{
  static const char * const categories[] = { "0 → 1", "1 → 0" };
  PbPlotBarGroup *groups = demo_alloc (demo, 2 * sizeof *groups);
  double *a = demo_alloc (demo, 2 * sizeof *a), *b = demo_alloc (demo, 2 * sizeof *b);
  double *ea = demo_alloc (demo, 2 * sizeof *ea), *eb = demo_alloc (demo, 2 * sizeof *eb);

  a[0] = 0.972; a[1] = 0.861; b[0] = 0.948; b[1] = 0.803;
  ea[0] = 0.008; ea[1] = 0.021; eb[0] = 0.011; eb[1] = 0.025;
  groups[0] = (PbPlotBarGroup) { .label = "standard", .values = a, .errors = ea };
  groups[1] = (PbPlotBarGroup) { .label = "seed", .values = b, .errors = eb };

  demo->data.bars = (PbPlotBarData) {
    .title = "Attack success rate by class",
    .x_label = "Attack",
    .y_label = "Success rate",
    .categories = categories,
    .n_categories = 2,
    .groups = groups,
    .n_groups = 2,
    .y_fixed = TRUE,
    .y_min = 0,
    .y_max = 1,
    .value_labels = TRUE,
  };
  demo->figure.data = &demo->data.bars;
}

/**
 * pb_plot_demo_new:
 * @kind: the figure kind
 *
 * Returns: (transfer full): demo data for @kind, the same on every run
 */
PbPlotDemo *
pb_plot_demo_new (PbPlotKind kind)
{
  PbPlotDemo *demo = g_new0 (PbPlotDemo, 1);

  demo->owned = g_ptr_array_new_with_free_func (g_free);
  demo->rng = 20231104;
  demo->figure.kind = kind;

  switch (kind)
    {
    case PB_PLOT_KIND_LINE:
      demo_line (demo);
      break;

    case PB_PLOT_KIND_HEATMAP:
      demo_heatmap (demo);
      break;

    case PB_PLOT_KIND_HEATMAP_TRIPLE:
      demo_triple (demo);
      break;

    case PB_PLOT_KIND_SUSCEPTIBILITY:
      demo_susceptibility (demo);
      break;

    case PB_PLOT_KIND_HISTORY:
    case PB_PLOT_KIND_INTERMEDIATE:
    case PB_PLOT_KIND_SLICE:
    case PB_PLOT_KIND_PARALLEL:
      demo_study (demo);
      break;

    case PB_PLOT_KIND_HISTOGRAM:
      demo_histogram (demo);
      break;

    case PB_PLOT_KIND_BARS:
      demo_bars (demo);
      break;

    default:
      g_return_val_if_reached (demo);
    }

  return demo;
}

const PbPlotFigure *
pb_plot_demo_get_figure (PbPlotDemo *demo)
{
  g_return_val_if_fail (demo != NULL, NULL);

  return &demo->figure;
}

void
pb_plot_demo_free (PbPlotDemo *demo)
{
  if (demo == NULL)
    return;

  g_ptr_array_unref (demo->owned);
  g_free (demo);
}
