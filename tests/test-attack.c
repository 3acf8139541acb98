/* test-attack.c — the sparse L1 attack against PyTorch 1.13, its invariants, its store.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Parity fixtures come from tests/tools/make-attack-reference.py (its header
 * documents the format). Tolerance ≤ 1e-5 absolute on every perturbation element
 * and loss, after up to 20 iterations: one iteration's float32 forward/backward
 * differs from torch by a few ulps (≈1e-7, see test-model-parity), and the step
 * sizes (lr·gradient ≲ 0.5) keep the accumulated drift two orders below 1e-5.
 */

#include "config.h"

#include <glib.h>
#include <math.h>
#include <string.h>

#include "pb-attack.h"
#include "pb-attack-tune.h"
#include "pb-error.h"
#include "pb-test-reference.h"
#include "pb-test-util.h"

#define REF_MAGIC   0x31414250
#define REF_VERSION 1
#define REGENERATE  "regenerate with: /usr/bin/python3 tests/tools/make-attack-reference.py tests/data"
#define TOL         1e-5

typedef struct
{
  PbModelConfig  config;
  PbAttackParams params;
  guint          B;
  guint          T;
  guint          E;
  gsize          n_params;
  float         *weights;
  guint         *lengths;
  gint          *labels;
  float         *x;
  double        *losses;    /* (E, B) */
  float         *perts;     /* (E, B, T, F) */
  gint32        *rec_iteration[2];
  double        *rec_loss[2];
  float         *rec_pert[2];
} Reference;

static void
reference_free (Reference *ref)
{
  g_free (ref->weights);
  g_free (ref->lengths);
  g_free (ref->labels);
  g_free (ref->x);
  g_free (ref->losses);
  g_free (ref->perts);
  for (guint k = 0; k < 2; k++)
    {
      g_free (ref->rec_iteration[k]);
      g_free (ref->rec_loss[k]);
      g_free (ref->rec_pert[k]);
    }
  g_free (ref);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Reference, reference_free)

/* a copy of the next @n bytes: the file's sections are not aligned for their types */
static gpointer
take (const char *data,
      gsize       len,
      gsize      *pos,
      gsize       n)
{
  g_assert_cmpuint (*pos + n, <=, len);
  *pos += n;
  return g_memdup2 (data + *pos - n, MAX (n, 1));
}

static Reference *
reference_load (const char *name)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *path = g_build_filename (g_getenv ("PB_TEST_DATA"), name, NULL);
  g_autofree char *contents = NULL;
  g_autofree gint32 *h = NULL;
  g_autofree double *hyper = NULL;
  g_autofree gint32 *ints = NULL;
  Reference *ref = g_new0 (Reference, 1);
  gsize len, pos = 0, n_cells;

  g_file_get_contents (path, &contents, &len, &error);
  g_assert_no_error (error);
#define TAKE(n) take (contents, len, &pos, (n))
  h = TAKE (sizeof (gint32) * 16);
  if (h[0] != REF_MAGIC || h[1] != REF_VERSION)
    g_error ("%s: header (magic %#x, version %d) is not what this test reads; " REGENERATE,
             path, h[0], h[1]);
  hyper = TAKE (sizeof (double) * 4);

  pb_test_reference_model_config (&ref->config, h, 0.0);
  ref->B = h[9];
  ref->T = h[10];
  ref->n_params = h[11];
  ref->E = h[12];

  pb_attack_params_init (&ref->params);
  ref->params.preset = ref->config.protocol;
  pb_optim_config_init (&ref->params.optim, h[13] == 0 ? PB_OPTIM_KIND_SGD
                                            : h[13] == 1 ? PB_OPTIM_KIND_RMSPROP
                                            : PB_OPTIM_KIND_ADAM);
  ref->params.kappa = hyper[0];
  ref->params.lambda = hyper[1];
  ref->params.optim.lr = hyper[2];
  ref->params.iterations = ref->E;
  ref->params.batch_size = ref->B;

  n_cells = (gsize) ref->B * ref->T * ref->config.n_features;
  ref->weights = TAKE (sizeof (float) * ref->n_params);
  ints = TAKE (sizeof (gint32) * ref->B);
  ref->lengths = g_new (guint, ref->B);
  for (guint b = 0; b < ref->B; b++)
    ref->lengths[b] = ints[b];
  g_free (ints);
  ints = TAKE (sizeof (gint32) * ref->B);
  ref->labels = g_new (gint, ref->B);
  for (guint b = 0; b < ref->B; b++)
    ref->labels[b] = ints[b];
  ref->x = TAKE (sizeof (float) * n_cells);
  /* the trace interleaves each iteration's losses and perturbation */
  ref->losses = g_new (double, (gsize) ref->E * ref->B);
  ref->perts = g_new (float, ref->E * n_cells);
  for (guint e = 0; e < ref->E; e++)
    {
      g_autofree double *l = TAKE (sizeof (double) * ref->B);
      g_autofree float *p = TAKE (sizeof (float) * n_cells);

      memcpy (ref->losses + (gsize) e * ref->B, l, sizeof (double) * ref->B);
      memcpy (ref->perts + e * n_cells, p, sizeof (float) * n_cells);
    }
  for (guint k = 0; k < 2; k++)
    {
      ref->rec_iteration[k] = TAKE (sizeof (gint32) * ref->B);
      ref->rec_loss[k] = TAKE (sizeof (double) * ref->B);
      ref->rec_pert[k] = TAKE (sizeof (float) * n_cells);
    }
  g_assert_cmpuint (pos, ==, len);
#undef TAKE
  return ref;
}

static const double *
ref_losses (const Reference *ref,
            guint            e)
{
  return ref->losses + (gsize) e * ref->B;
}

static const float *
ref_pert (const Reference *ref,
          guint            e)
{
  return ref->perts + (gsize) e * ref->B * ref->T * ref->config.n_features;
}

static void
test_attack_parity (gconstpointer data)
{
  const char *name = data;
  g_autoptr(Reference) ref = reference_load (name);
  g_autoptr(PbModel) model = pb_test_reference_model (&ref->config, ref->weights, ref->n_params);
  g_autoptr(PbAttacker) attacker = NULL;
  g_autoptr(GError) error = NULL;
  const gsize n_cells = (gsize) ref->B * ref->T * ref->config.n_features;
  double worst_p = 0.0, worst_l = 0.0;
  guint n_found = 0;

  attacker = pb_attacker_new (model, &ref->params, &error);
  g_assert_no_error (error);
  pb_attacker_begin (attacker, ref->x, ref->lengths, ref->labels, ref->B, ref->T, &error);
  g_assert_no_error (error);

  for (guint e = 0; e < ref->E; e++)
    {
      const double *losses;
      double dp, dl = 0.0;

      pb_attacker_step (attacker, &error);
      g_assert_no_error (error);
      losses = pb_attacker_get_losses (attacker);
      for (guint b = 0; b < ref->B; b++)
        dl = MAX (dl, fabs (losses[b] - ref_losses (ref, e)[b]));
      dp = pb_test_max_abs_diff_f (pb_attacker_get_perturbation (attacker), ref_pert (ref, e),
                                   n_cells);
      if (e < 2 || dp > TOL || dl > TOL)
        g_test_message ("%s iteration %u: loss[0] %.8f vs %.8f, maxdiff loss %.3g, P %.3g",
                        name, e, losses[0], ref_losses (ref, e)[0], dl, dp);
      g_assert_cmpfloat (dl, <=, TOL);
      g_assert_cmpfloat (dp, <=, TOL);
      worst_p = MAX (worst_p, dp);
      worst_l = MAX (worst_l, dl);
    }

  for (guint k = 0; k < PB_ATTACK_N_EXAMPLES; k++)
    {
      const PbAttackRecord *rec = pb_attacker_get_record (attacker, k);

      for (guint b = 0; b < ref->B; b++)
        {
          g_assert_cmpint (rec->iteration[b], ==, ref->rec_iteration[k][b]);
          if (rec->iteration[b] < 0)
            {
              g_assert_true (isinf (rec->loss[b]) && isinf (ref->rec_loss[k][b]));
              continue;
            }
          n_found += k == 0;
          g_assert_cmpfloat_with_epsilon (rec->loss[b], ref->rec_loss[k][b], TOL);
        }
      g_assert_cmpfloat (pb_test_max_abs_diff_f (rec->pert, ref->rec_pert[k], n_cells), <=, TOL);
    }
  /* the fixtures are chosen so that most, not all, samples flip */
  g_assert_cmpuint (n_found, >=, 2);
  g_assert_cmpuint (n_found, <, ref->B);
  g_test_message ("%s: maxdiff P %.3g, loss %.3g over %u iterations", name, worst_p, worst_l,
                  ref->E);
}

/* ---- the soft threshold, case by case ------------------------------------- */

static void
test_attack_soft_threshold (void)
{
  /* below, at, inside and above the threshold (0.1), both signs, and at the
   * bounds: x = 0.95 caps P at 0.05, x = 0.02 floors it at −0.02 */
  const float x[] =    { 0.5f, 0.5f, 0.5f, 0.5f,  0.5f,  0.5f, 0.95f, 0.02f, 0.0f, 1.0f };
  float p[] =          { 0.05f, 0.1f, 0.3f, -0.05f, -0.1f, -0.3f, 0.5f, -0.5f, 0.0f, 0.2f };
  const float want[] = { 0.0f, 0.0f, 0.2f, 0.0f,  0.0f,  -0.2f, 0.05f, -0.02f, 0.0f, 0.0f };

  pb_attack_soft_threshold (p, x, G_N_ELEMENTS (p), 0.1);
  for (guint k = 0; k < G_N_ELEMENTS (p); k++)
    g_assert_cmpfloat_with_epsilon (p[k], want[k], 1e-7);

  /* threshold 0: only the clamp acts */
  {
    float q[] = { 0.3f, -0.7f, 0.0f };
    const float xq[] = { 0.9f, 0.5f, 0.2f };

    pb_attack_soft_threshold (q, xq, 3, 0.0);
    g_assert_cmpfloat_with_epsilon (q[0], 0.1f, 1e-7);
    g_assert_cmpfloat_with_epsilon (q[1], -0.5f, 1e-7);
    g_assert_cmpfloat (q[2], ==, 0.0f);
  }
}

/* ---- invariants on a larger random batch ---------------------------------- */

static PbModel *
random_model (guint        F,
              PbProtocol   protocol,
              guint64      seed)
{
  g_autoptr(GError) error = NULL;
  PbModelConfig config;
  PbModel *model;
  PbRng rng;

  pb_model_config_init (&config);
  config.n_features = F;
  config.n_hidden = 8;
  config.n_fc = 4;
  config.n_classes = 2;
  config.act_lstm = PB_ACTIVATION_TANH;
  config.act_fc = PB_ACTIVATION_TANH;
  config.dropout = 0.0;
  config.protocol = protocol;
  model = pb_model_new (&config, &error);
  g_assert_no_error (error);
  pb_rng_init (&rng, seed);
  for (gsize k = 0; k < pb_model_get_n_params (model); k++)
    pb_model_get_params (model)[k] = pb_rng_uniform_range (&rng, -0.8, 0.8);
  return model;
}

static void
predict (PbModel     *model,
         const float *x,
         const guint *lengths,
         guint        B,
         guint        T,
         gint        *pred)
{
  g_autoptr(GError) error = NULL;
  const float *z;

  pb_model_forward (model, PB_MODEL_MODE_LOGITS, x, lengths, B, T, NULL, &error);
  g_assert_no_error (error);
  z = pb_model_get_logits (model);
  for (guint b = 0; b < B; b++)
    pred[b] = z[2 * b + 1] > z[2 * b] ? 1 : 0;
}

static void
test_attack_invariants (gconstpointer data)
{
  const PbProtocol preset = GPOINTER_TO_INT (data);
  const guint B = 12, T = 9, F = 4;
  g_autoptr(PbModel) model = random_model (F, preset, 7);
  g_autoptr(PbAttacker) attacker = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree float *x = g_new0 (float, B * T * F);
  g_autofree float *xp = g_new0 (float, B * T * F);
  guint lengths[12];
  gint labels[12], pred[12];
  PbAttackParams params;
  PbRng rng;
  guint n_found = 0;

  pb_rng_init (&rng, 99);
  for (guint b = 0; b < B; b++)
    {
      lengths[b] = 1 + b % T;
      for (guint k = 0; k < lengths[b] * F; k++)
        x[b * T * F + k] = pb_rng_uniform (&rng);
    }
  predict (model, x, lengths, B, T, labels);

  pb_attack_params_init (&params);
  params.preset = preset;
  params.kappa = 0.2;
  params.lambda = 0.001;
  params.optim.lr = 8.0;
  params.iterations = 40;
  params.batch_size = B;
  attacker = pb_attacker_new (model, &params, &error);
  g_assert_no_error (error);
  pb_attacker_begin (attacker, x, lengths, labels, B, T, &error);
  g_assert_no_error (error);

  for (guint e = 0; e < params.iterations; e++)
    {
      const float *p;

      pb_attacker_step (attacker, &error);
      g_assert_no_error (error);
      p = pb_attacker_get_perturbation (attacker);
      for (guint b = 0; b < B; b++)
        for (guint t = 0; t < T; t++)
          for (guint j = 0; j < F; j++)
            {
              gsize k = ((gsize) b * T + t) * F + j;

              if (t >= lengths[b])
                g_assert_cmpfloat (p[k], ==, 0.0f);
              g_assert_cmpfloat (x[k] + p[k], >=, 0.0f);
              g_assert_cmpfloat (x[k] + p[k], <=, 1.0f);
            }
      if (e == 0)
        {
          /* P = 0 at iteration 0: a correctly classified sample cannot flip */
          const PbAttackRecord *first = pb_attacker_get_record (attacker, PB_ATTACK_EXAMPLE_FIRST);

          for (guint b = 0; b < B; b++)
            g_assert_cmpint (first->iteration[b], ==, -1);
        }
    }

  for (guint k = 0; k < PB_ATTACK_N_EXAMPLES; k++)
    {
      const PbAttackRecord *rec = pb_attacker_get_record (attacker, k);

      for (gsize c = 0; c < (gsize) B * T * F; c++)
        xp[c] = x[c] + rec->pert[c];
      predict (model, xp, lengths, B, T, pred);
      for (guint b = 0; b < B; b++)
        if (rec->iteration[b] >= 0)
          {
            g_assert_cmpint (pred[b], !=, labels[b]);
            n_found += k == 0;
          }
    }
  {
    const PbAttackRecord *first = pb_attacker_get_record (attacker, PB_ATTACK_EXAMPLE_FIRST);
    const PbAttackRecord *best = pb_attacker_get_record (attacker, PB_ATTACK_EXAMPLE_BEST);

    for (guint b = 0; b < B; b++)
      {
        g_assert_cmpint (first->iteration[b] >= 0, ==, best->iteration[b] >= 0);
        if (first->iteration[b] < 0)
          continue;
        g_assert_cmpfloat (best->loss[b], <=, first->loss[b]);
        g_assert_cmpint (best->iteration[b], >=, first->iteration[b]);
      }
  }
  g_test_message ("%u of %u samples flipped", n_found, B);
  g_assert_cmpuint (n_found, >, 0);
}

/* ---- the store: round trip, cancel and resume ----------------------------- */

typedef struct
{
  char      *dir;
  PbProject *project;
  PbModel   *model;
  PbDataset *dataset;
} Fixture;

#define FX_N 40
#define FX_T 8
#define FX_F 4

static void
fixture_setup (Fixture       *fx,
               gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *path = NULL;
  gint pred[FX_N];
  PbRng rng;

  fx->dir = pb_test_mkdtemp ();
  path = g_build_filename (fx->dir, "a.perturb", NULL);
  fx->project = pb_project_create (path, &error);
  g_assert_no_error (error);
  fx->model = random_model (FX_F, PB_PROTOCOL_SEED, 3);

  fx->dataset = pb_dataset_new (FX_N, FX_T, FX_F, 2);
  pb_rng_init (&rng, 5);
  for (guint i = 0; i < FX_N; i++)
    {
      fx->dataset->lengths[i] = 2 + i % (FX_T - 1);
      fx->dataset->sample_ids[i] = 1000 + i;
      for (guint k = 0; k < fx->dataset->lengths[i] * FX_F; k++)
        pb_dataset_get_sequence (fx->dataset, i)[k] = pb_rng_uniform (&rng);
    }
  predict (fx->model, fx->dataset->x, fx->dataset->lengths, FX_N, FX_T, pred);
  /* every fifth sample misclassified: those are not attacked */
  for (guint i = 0; i < FX_N; i++)
    fx->dataset->labels[i] = i % 5 == 4 ? 1 - pred[i] : pred[i];
  pb_dataset_save (fx->dataset, fx->project, "cohort", "{}", &error);
  g_assert_no_error (error);
}

static void
fixture_tear (Fixture       *fx,
              gconstpointer  data)
{
  pb_dataset_free (fx->dataset);
  pb_model_free (fx->model);
  g_object_unref (fx->project);
  pb_test_rmdir (fx->dir);
  g_free (fx->dir);
}

static void
store_params (PbAttackParams *params,
              gconstpointer   data)
{
  pb_attack_params_init (params);
  params->preset = GPOINTER_TO_INT (data);
  params->kappa = 0.1;
  params->lambda = 0.003;
  if (params->preset == PB_PROTOCOL_SEED)
    {
      /* Adam: its state must carry over between batches, also across a resume */
      pb_optim_config_init (&params->optim, PB_OPTIM_KIND_ADAM);
      params->optim.lr = 0.05;
    }
  else
    params->optim.lr = 3.0;
  params->iterations = 25;
  params->batch_size = 7;
}

typedef struct
{
  GCancellable *cancellable;
  double        cancel_at;
} CancelAt;

static void
cancel_progress (double        fraction,
                 const char   *message,
                 gconstpointer details,
                 gpointer      user_data)
{
  CancelAt *c = user_data;

  if (fraction >= c->cancel_at)
    g_cancellable_cancel (c->cancellable);
}

static void
assert_same_results (const PbAttackResult *a,
                     const PbAttackResult *b)
{
  g_assert_cmpuint (a->n, ==, b->n);
  for (guint i = 0; i < a->n; i++)
    {
      g_assert_cmpuint (a->dataset_index[i], ==, b->dataset_index[i]);
      g_assert_cmpuint (a->iterations_run[i], ==, b->iterations_run[i]);
      for (guint k = 0; k < PB_ATTACK_N_EXAMPLES; k++)
        {
          const PbAttackExampleData *ea = &a->examples[k][i], *eb = &b->examples[k][i];

          g_assert_cmpint (ea->iteration, ==, eb->iteration);
          g_assert_cmpfloat (ea->loss, ==, eb->loss);
          g_assert_cmpuint (ea->n_nonzero, ==, eb->n_nonzero);
          for (guint c = 0; c < ea->n_nonzero; c++)
            {
              g_assert_cmpuint (ea->index[c], ==, eb->index[c]);
              g_assert_cmpfloat (ea->value[c], ==, eb->value[c]);
            }
        }
    }
}

static void
test_attack_store_resume (Fixture       *fx,
                          gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(PbAttackResult) whole = NULL;
  g_autoptr(PbAttackResult) resumed = NULL;
  g_autoptr(PbAttackResult) partial = NULL;
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GPtrArray) runs = NULL;
  g_autoptr(PbAttacker) attacker = NULL;
  PbAttackParams params;
  CancelAt cancel = { cancellable, 0.45 };
  gint64 run1, run2;
  guint n_expected = 0, n_found = 0;
  gboolean ok;

  store_params (&params, data);
  run1 = pb_attack_run_create (fx->project, "cohort", fx->model, 0, &params, NULL, &error);
  g_assert_no_error (error);
  pb_attack_run_execute (fx->project, run1, NULL, NULL, NULL, &error);
  g_assert_no_error (error);
  whole = pb_attack_result_load (fx->project, run1, &error);
  g_assert_no_error (error);

  for (guint i = 0; i < FX_N; i++)
    n_expected += i % 5 != 4;
  g_assert_cmpuint (whole->n, ==, n_expected);
  g_assert_cmpuint (whole->n_done, ==, n_expected);
  g_assert_cmpuint (whole->n_candidates, ==, FX_N);
  for (guint i = 0; i < whole->n; i++)
    {
      g_assert_cmpuint (whole->dataset_index[i] % 5, !=, 4);
      g_assert_cmpint (whole->sample_ids[i], ==, 1000 + whole->dataset_index[i]);
      g_assert_cmpuint (whole->iterations_run[i], ==, params.iterations);
      n_found += pb_attack_result_is_success (whole, i);
    }
  g_test_message ("%u of %u attacked samples flipped", n_found, whole->n);
  g_assert_cmpuint (n_found, >, 0);

  /* round trip: the stored sparse examples are the attacker's, batch by batch */
  attacker = pb_attacker_new (fx->model, &params, &error);
  g_assert_no_error (error);
  for (guint first = 0; first < whole->n; first += params.batch_size)
    {
      guint nb = MIN (params.batch_size, whole->n - first);
      g_autofree float *x = g_new (float, (gsize) nb * FX_T * FX_F);
      g_autofree float *dense = g_new (float, FX_T * FX_F);
      guint lengths[7];
      gint labels[7];

      for (guint b = 0; b < nb; b++)
        {
          guint row = whole->dataset_index[first + b];

          memcpy (x + (gsize) b * FX_T * FX_F, pb_dataset_get_sequence (fx->dataset, row),
                  sizeof (float) * FX_T * FX_F);
          lengths[b] = fx->dataset->lengths[row];
          labels[b] = fx->dataset->labels[row];
          g_assert_cmpuint (whole->lengths[first + b], ==, lengths[b]);
          g_assert_cmpint (whole->labels[first + b], ==, labels[b]);
        }
      pb_attacker_begin (attacker, x, lengths, labels, nb, FX_T, &error);
      g_assert_no_error (error);
      pb_attacker_run (attacker, NULL, &error);
      g_assert_no_error (error);
      for (guint k = 0; k < PB_ATTACK_N_EXAMPLES; k++)
        {
          const PbAttackRecord *rec = pb_attacker_get_record (attacker, k);

          for (guint b = 0; b < nb; b++)
            {
              const PbAttackExampleData *e = &whole->examples[k][first + b];

              g_assert_cmpint (e->iteration, ==, rec->iteration[b]);
              if (e->iteration < 0)
                {
                  g_assert_cmpuint (e->n_nonzero, ==, 0);
                  continue;
                }
              g_assert_cmpfloat (e->loss, ==, rec->loss[b]);
              pb_attack_result_get_dense (whole, k, first + b, dense);
              g_assert_cmpmem (dense, sizeof (float) * FX_T * FX_F,
                               rec->pert + (gsize) b * FX_T * FX_F, sizeof (float) * FX_T * FX_F);
              for (guint c = 0; c < e->n_nonzero; c++)
                g_assert_cmpfloat (e->value[c], !=, 0.0f);
            }
        }
    }

  /* the same run, cancelled part-way, then resumed */
  run2 = pb_attack_run_create (fx->project, "cohort", fx->model, 0, &params, NULL, &error);
  g_assert_no_error (error);
  ok = pb_attack_run_execute (fx->project, run2, cancel_progress, &cancel, cancellable, &error);
  g_assert_false (ok);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_clear_error (&error);

  partial = pb_attack_result_load (fx->project, run2, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (partial->n_done, >, 0);
  g_assert_cmpuint (partial->n_done, <, partial->n);
  g_assert_cmpuint (partial->n_done % params.batch_size, ==, 0);

  runs = pb_attack_run_list (fx->project, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (runs->len, ==, 2);
  g_assert_true (((PbAttackRunInfo *) runs->pdata[0])->complete);
  g_assert_false (((PbAttackRunInfo *) runs->pdata[1])->complete);
  g_assert_cmpuint (((PbAttackRunInfo *) runs->pdata[1])->n_batches_done, ==,
                    partial->n_done / params.batch_size);

  pb_attack_run_execute (fx->project, run2, NULL, NULL, NULL, &error);
  g_assert_no_error (error);
  resumed = pb_attack_result_load (fx->project, run2, &error);
  g_assert_no_error (error);
  assert_same_results (whole, resumed);

  /* executing a complete run again is a no-op */
  g_assert_true (pb_attack_run_execute (fx->project, run2, NULL, NULL, NULL, &error));
  g_assert_no_error (error);
}

/* ---- bad input ------------------------------------------------------------ */

static void
test_attack_bad_params (void)
{
  g_autoptr(PbModel) model = random_model (3, PB_PROTOCOL_STANDARD, 1);
  PbAttackParams params;
  struct { const char *what; double kappa, lambda; guint iterations, batch; } cases[] = {
    { "lambda", 0.1, -1e-3, 10, 4 },
    { "kappa", -0.5, 1e-3, 10, 4 },
    { "iterations", 0.1, 1e-3, 0, 4 },
    { "batch size", 0.1, 1e-3, 10, 0 },
    { "lambda", 0.1, NAN, 10, 4 },
  };

  for (guint c = 0; c < G_N_ELEMENTS (cases); c++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(PbAttacker) attacker = NULL;

      pb_attack_params_init (&params);
      params.kappa = cases[c].kappa;
      params.lambda = cases[c].lambda;
      params.iterations = cases[c].iterations;
      params.batch_size = cases[c].batch;
      attacker = pb_attacker_new (model, &params, &error);
      g_assert_null (attacker);
      g_assert_error (error, PB_ENGINE_ERROR, PB_ENGINE_ERROR_INVALID_ARGUMENT);
      g_assert_nonnull (strstr (error->message, cases[c].what));
    }

  /* the parameters survive a JSON round trip */
  {
    g_autoptr(GError) error = NULL;
    g_autofree char *json = NULL;
    PbAttackParams back;

    pb_attack_params_init (&params);
    params.preset = PB_PROTOCOL_SEED;
    pb_optim_config_init (&params.optim, PB_OPTIM_KIND_ADAM);
    params.optim.lr = 0.0123;
    params.max_samples = 520;
    params.sample_seed = 13579;
    json = pb_attack_params_to_json (&params);
    pb_attack_params_from_json (json, &back, &error);
    g_assert_no_error (error);
    g_assert_cmpint (back.preset, ==, PB_PROTOCOL_SEED);
    g_assert_cmpfloat (back.kappa, ==, params.kappa);
    g_assert_cmpfloat (back.lambda, ==, params.lambda);
    g_assert_cmpint (back.optim.kind, ==, PB_OPTIM_KIND_ADAM);
    g_assert_cmpfloat (back.optim.lr, ==, 0.0123);
    g_assert_cmpfloat (back.optim.beta2, ==, 0.999);
    g_assert_cmpuint (back.max_samples, ==, 520);
    g_assert_cmpuint (back.sample_seed, ==, 13579);
    g_assert_cmpuint (back.iterations, ==, params.iterations);
  }
}

static void
test_attack_bad_store (Fixture       *fx,
                       gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(PbModel) wrong = random_model (FX_F + 1, PB_PROTOCOL_SEED, 3);
  g_autoptr(PbModel) missing = NULL;
  g_autoptr(PbAttackResult) result = NULL;
  PbAttackParams params;
  gint64 run;

  store_params (&params, data);

  /* a model whose input width does not match the dataset */
  run = pb_attack_run_create (fx->project, "cohort", wrong, 0, &params, NULL, &error);
  g_assert_cmpint (run, ==, 0);
  g_assert_error (error, PB_ENGINE_ERROR, PB_ENGINE_ERROR_INVALID_DATA);
  g_assert_nonnull (strstr (error->message, "features"));
  g_clear_error (&error);

  /* no such dataset, no such checkpoint, no such run */
  run = pb_attack_run_create (fx->project, "nope", fx->model, 0, &params, NULL, &error);
  g_assert_cmpint (run, ==, 0);
  g_assert_error (error, PB_ENGINE_ERROR, PB_ENGINE_ERROR_NOT_FOUND);
  g_clear_error (&error);
  missing = pb_attack_load_checkpoint (fx->project, 42, &error);
  g_assert_null (missing);
  g_assert_error (error, PB_ENGINE_ERROR, PB_ENGINE_ERROR_NOT_FOUND);
  g_assert_nonnull (strstr (error->message, "checkpoint 42"));
  g_clear_error (&error);
  g_assert_false (pb_attack_run_execute (fx->project, 77, NULL, NULL, NULL, &error));
  g_assert_error (error, PB_ENGINE_ERROR, PB_ENGINE_ERROR_NOT_FOUND);
  g_clear_error (&error);

  /* an empty sample set (the store refuses empty datasets already) */
  {
    g_autoptr(PbAttacker) attacker = pb_attacker_new (fx->model, &params, &error);
    guint len = 1;
    gint label = 0;

    g_assert_no_error (error);
    g_assert_false (pb_attacker_begin (attacker, fx->dataset->x, &len, &label, 0, FX_T, &error));
    g_assert_error (error, PB_ENGINE_ERROR, PB_ENGINE_ERROR_INVALID_ARGUMENT);
    g_assert_nonnull (strstr (error->message, "empty batch"));
    g_clear_error (&error);
  }

  /* no correctly classified sample: an empty, complete run */
  {
    gint pred[FX_N];

    predict (fx->model, fx->dataset->x, fx->dataset->lengths, FX_N, FX_T, pred);
    for (guint i = 0; i < FX_N; i++)
      fx->dataset->labels[i] = 1 - pred[i];
  }
  pb_dataset_save (fx->dataset, fx->project, "all-wrong", "{}", &error);
  g_assert_no_error (error);
  run = pb_attack_run_create (fx->project, "all-wrong", fx->model, 0, &params, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpint (run, >, 0);
  g_assert_true (pb_attack_run_execute (fx->project, run, NULL, NULL, NULL, &error));
  g_assert_no_error (error);
  result = pb_attack_result_load (fx->project, run, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (result->n, ==, 0);
  g_assert_cmpuint (result->n_candidates, ==, FX_N);
}

/* ---- tuning --------------------------------------------------------------- */

static void
test_attack_tune (Fixture       *fx,
                  gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(PbSearchSpace) space = pb_search_space_new_builtin (PB_SEARCH_SPACE_ATTACK_FULL,
                                                                &error);
  g_autoptr(PbStudy) study = NULL;
  g_autoptr(PbStudy) wrong = NULL;
  g_autoptr(PbSearchSpace) quadratic = NULL;
  g_autoptr(GPtrArray) trials = NULL;
  g_autoptr(GPtrArray) runs = NULL;
  PbStorage *storage;
  PbStudyOptions options;
  PbAttackTuneConfig config;
  guint n_run = 0;

  g_assert_no_error (error);
  storage = pb_storage_open (pb_project_get_path (fx->project), &error);
  g_assert_no_error (error);
  pb_study_options_init_default (&options);
  options.direction = PB_STUDY_DIRECTION_MAXIMIZE;
  options.budget = 3;
  options.tpe.seed = 1;
  study = pb_study_open (storage, "attack-sparsity", space, &options, &error);
  g_assert_no_error (error);

  pb_attack_tune_config_init (&config);
  config.objective = PB_ATTACK_OBJECTIVE_SPARSITY;
  config.iterations = 8;
  config.max_samples = 25;
  pb_attack_tune (study, fx->project, "cohort", fx->model, 0, &config, -1, &n_run, NULL, NULL,
                  NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (n_run, ==, 3);

  /* one stored attack run per trial, in order; the trial value is its objective */
  trials = pb_study_load_trials (study, &error);
  g_assert_no_error (error);
  runs = pb_attack_run_list (fx->project, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (trials->len, ==, 3);
  g_assert_cmpuint (runs->len, ==, 3);
  for (guint t = 0; t < 3; t++)
    {
      const PbTrial *trial = trials->pdata[t];
      const PbAttackRunInfo *info = runs->pdata[trial->number];
      g_autoptr(PbAttackResult) result = pb_attack_result_load (fx->project, info->run_id, &error);
      PbAttackParams params;

      g_assert_no_error (error);
      g_assert_cmpint (trial->state, ==, PB_TRIAL_STATE_COMPLETE);
      g_assert_true (trial->has_value);
      g_assert_cmpfloat (trial->value, ==,
                         pb_attack_objective_evaluate (PB_ATTACK_OBJECTIVE_SPARSITY, result, 1));
      g_assert_cmpuint (result->n_candidates, ==, 25);
      g_assert_true (info->complete);
      pb_attack_params_from_json (info->params_json, &params, &error);
      g_assert_no_error (error);
      g_assert_cmpuint (params.iterations, ==, 8);
      g_assert_cmpuint (params.batch_size, >=, 32);
      g_assert_cmpfloat (params.kappa, ==, pb_trial_lookup_param (trial, "kappa")->internal);
    }

  /* a study over another space, or one that minimises, cannot tune an attack */
  quadratic = pb_search_space_new_builtin (PB_SEARCH_SPACE_QUADRATIC, &error);
  g_assert_no_error (error);
  options.budget = 1;
  wrong = pb_study_open (storage, "quadratic", quadratic, &options, &error);
  g_assert_no_error (error);
  g_assert_false (pb_attack_tune (wrong, fx->project, "cohort", fx->model, 0, &config, -1, NULL,
                                  NULL, NULL, NULL, &error));
  g_assert_error (error, PB_ENGINE_ERROR, PB_ENGINE_ERROR_INVALID_ARGUMENT);
  g_assert_nonnull (strstr (error->message, "kappa"));
  g_clear_error (&error);

  g_clear_pointer (&study, pb_study_free);
  g_clear_pointer (&wrong, pb_study_free);
  pb_storage_free (storage);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_data_func ("/pb/attack/parity/standard-sgd", "attack-standard-sgd.bin",
                        test_attack_parity);
  g_test_add_data_func ("/pb/attack/parity/seed-sgd", "attack-seed-sgd.bin",
                        test_attack_parity);
  g_test_add_data_func ("/pb/attack/parity/standard-adam", "attack-standard-adam.bin",
                        test_attack_parity);
  g_test_add_data_func ("/pb/attack/parity/seed-rmsprop", "attack-seed-rmsprop.bin",
                        test_attack_parity);
  g_test_add_func ("/pb/attack/soft-threshold/case-by-case", test_attack_soft_threshold);
  g_test_add_data_func ("/pb/attack/invariants/standard", GINT_TO_POINTER (PB_PROTOCOL_STANDARD),
                        test_attack_invariants);
  g_test_add_data_func ("/pb/attack/invariants/seed", GINT_TO_POINTER (PB_PROTOCOL_SEED),
                        test_attack_invariants);
  g_test_add ("/pb/attack/store/resume-equals-uninterrupted/standard", Fixture,
              GINT_TO_POINTER (PB_PROTOCOL_STANDARD), fixture_setup, test_attack_store_resume,
              fixture_tear);
  g_test_add ("/pb/attack/store/resume-equals-uninterrupted/seed-adam", Fixture,
              GINT_TO_POINTER (PB_PROTOCOL_SEED), fixture_setup, test_attack_store_resume,
              fixture_tear);
  g_test_add ("/pb/attack/tune/trials-are-stored-attack-runs", Fixture,
              GINT_TO_POINTER (PB_PROTOCOL_STANDARD), fixture_setup, test_attack_tune,
              fixture_tear);
  g_test_add_func ("/pb/attack/bad-input/params", test_attack_bad_params);
  g_test_add ("/pb/attack/bad-input/store", Fixture, GINT_TO_POINTER (PB_PROTOCOL_STANDARD),
              fixture_setup, test_attack_bad_store, fixture_tear);

  return g_test_run ();
}
