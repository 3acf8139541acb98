/* test-optim.c — SGD, RMSprop, Adam against three steps of torch 1.13
 * (fixture: tests/tools/make-optim-reference.py), state save/restore, bad settings.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "pb-error.h"
#include "pb-optim.h"

#include "pb-test-reference.h"

#include <json-glib/json-glib.h>
#include <math.h>
#include <string.h>

/* Issue 4: max relative error ≤ 1e-5 with an absolute floor of 1e-6. We run
 * the same float32 operations in the same order, so differences are a few ulps
 * (one-ulp differences can come from torch dividing by a scalar differently). */
#define REL_TOL 1e-5
#define ABS_FLOOR 1e-6

typedef struct
{
  JsonParser *parser;
  JsonArray  *cases;
} Fixture;

static void
fixture_setup (Fixture       *f,
               gconstpointer  data)
{
  f->parser = json_parser_new ();
  f->cases = json_object_get_array_member (pb_test_load_json (f->parser, "optim-reference.json"),
                                           "cases");
}

static void
fixture_tear (Fixture       *f,
              gconstpointer  data)
{
  g_clear_object (&f->parser);
}

static void
config_from_case (PbOptimConfig *config,
                  JsonObject    *c)
{
  JsonObject *s = json_object_get_object_member (c, "settings");
  PbOptimKind kind;

  g_assert_true (pb_optim_kind_from_name (json_object_get_string_member (c, "optimizer"),
                                          &kind));
  pb_optim_config_init (config, kind);
  config->lr = json_object_get_double_member (s, "lr");
  config->weight_decay = json_object_get_double_member (s, "weight_decay");
  config->maximize = json_object_get_boolean_member (s, "maximize");
  if (json_object_has_member (s, "momentum"))
    config->momentum = json_object_get_double_member (s, "momentum");
  if (json_object_has_member (s, "dampening"))
    config->dampening = json_object_get_double_member (s, "dampening");
  if (json_object_has_member (s, "nesterov"))
    config->nesterov = json_object_get_boolean_member (s, "nesterov");
  if (json_object_has_member (s, "alpha"))
    config->alpha = json_object_get_double_member (s, "alpha");
  if (json_object_has_member (s, "centered"))
    config->centered = json_object_get_boolean_member (s, "centered");
  if (json_object_has_member (s, "eps"))
    config->eps = json_object_get_double_member (s, "eps");
  if (json_object_has_member (s, "amsgrad"))
    config->amsgrad = json_object_get_boolean_member (s, "amsgrad");
  if (json_object_has_member (s, "betas"))
    {
      JsonArray *b = json_object_get_array_member (s, "betas");

      config->beta1 = json_array_get_double_element (b, 0);
      config->beta2 = json_array_get_double_element (b, 1);
    }
}

static float *
floats_of (JsonArray *a,
           gsize     *n)
{
  float *v = g_new (float, json_array_get_length (a));

  for (guint i = 0; i < json_array_get_length (a); i++)
    v[i] = (float) json_array_get_double_element (a, i);
  if (n != NULL)
    *n = json_array_get_length (a);
  return v;
}

static void
test_three_steps (Fixture       *f,
                  gconstpointer  data)
{
  for (guint k = 0; k < json_array_get_length (f->cases); k++)
    {
      JsonObject *c = json_array_get_object_element (f->cases, k);
      JsonArray *grads = json_object_get_array_member (c, "grads");
      JsonArray *after = json_object_get_array_member (c, "after");
      g_autoptr(PbOptim) opt = NULL;
      g_autoptr(GError) error = NULL;
      g_autofree float *params = NULL;
      PbOptimConfig config;
      gsize n;

      config_from_case (&config, c);
      params = floats_of (json_object_get_array_member (c, "params"), &n);
      opt = pb_optim_new (&config, n, &error);
      g_assert_no_error (error);

      for (guint s = 0; s < 3; s++)
        {
          g_autofree float *g = floats_of (json_array_get_array_element (grads, s), NULL);
          g_autofree float *want = floats_of (json_array_get_array_element (after, s), NULL);
          double maxdiff = 0;

          pb_optim_step (opt, params, g);
          for (gsize i = 0; i < n; i++)
            {
              double diff = fabs ((double) params[i] - want[i]);
              double tol = MAX (REL_TOL * fabs (want[i]), ABS_FLOOR);

              maxdiff = MAX (maxdiff, diff);
              if (diff > tol)
                g_error ("%s step %u element %" G_GSIZE_FORMAT ": %.9g vs torch %.9g",
                         json_object_get_string_member (c, "name"), s + 1, i,
                         params[i], want[i]);
            }
          g_test_message ("%s step %u: maxdiff %.3g", json_object_get_string_member (c, "name"),
                          s + 1, maxdiff);
        }
      g_assert_cmpint (pb_optim_get_step (opt), ==, 3);
    }
}

/* Saving after step 1 and restoring into a fresh optimiser continues
 * bit-identically (what checkpoints rely on). */
static void
test_state_round_trip (Fixture       *f,
                       gconstpointer  data)
{
  for (guint k = 0; k < json_array_get_length (f->cases); k++)
    {
      JsonObject *c = json_array_get_object_element (f->cases, k);
      JsonArray *grads = json_object_get_array_member (c, "grads");
      g_autoptr(PbOptim) a = NULL;
      g_autoptr(PbOptim) b = NULL;
      g_autoptr(PbSafetensors) st = pb_safetensors_new ();
      g_autoptr(PbSafetensors) back = NULL;
      g_autoptr(GBytes) bytes = NULL;
      g_autoptr(GError) error = NULL;
      g_autofree float *pa = NULL;
      g_autofree float *pb = NULL;
      g_autofree float *g0 = floats_of (json_array_get_array_element (grads, 0), NULL);
      PbOptimConfig config;
      gsize n;

      config_from_case (&config, c);
      pa = floats_of (json_object_get_array_member (c, "params"), &n);
      a = pb_optim_new (&config, n, &error);
      g_assert_no_error (error);
      pb_optim_step (a, pa, g0);

      pb_optim_save_state (a, st);
      bytes = pb_safetensors_to_bytes (st);
      back = pb_safetensors_new_from_data (g_bytes_get_data (bytes, NULL),
                                           g_bytes_get_size (bytes), &error);
      g_assert_no_error (error);

      b = pb_optim_new (&config, n, &error);
      g_assert_true (pb_optim_load_state (b, back, &error));
      g_assert_no_error (error);
      g_assert_cmpint (pb_optim_get_step (b), ==, 1);
      pb = g_memdup2 (pa, n * sizeof (float));

      for (guint s = 1; s < 3; s++)
        {
          g_autofree float *g = floats_of (json_array_get_array_element (grads, s), NULL);

          pb_optim_step (a, pa, g);
          pb_optim_step (b, pb, g);
        }
      g_assert_cmpmem (pa, n * sizeof (float), pb, n * sizeof (float));
    }
}

static void
test_bad_settings (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(PbOptim) opt = NULL;
  g_autoptr(PbOptim) adam = NULL;
  g_autoptr(PbSafetensors) st = pb_safetensors_new ();
  g_autofree char *json = NULL;
  PbOptimConfig config;
  PbOptimKind kind;

  pb_optim_config_init (&config, PB_OPTIM_KIND_SGD);
  config.nesterov = TRUE;
  opt = pb_optim_new (&config, 3, &error);
  g_assert_null (opt);
  g_assert_error (error, PB_ENGINE_ERROR, PB_ENGINE_ERROR_INVALID_ARGUMENT);
  g_assert_nonnull (strstr (error->message, "Nesterov"));
  g_clear_error (&error);

  pb_optim_config_init (&config, PB_OPTIM_KIND_ADAM);
  config.beta2 = 1.0;
  g_assert_false (pb_optim_config_validate (&config, &error));
  g_assert_nonnull (strstr (error->message, "beta2"));
  g_clear_error (&error);

  config.beta2 = 0.999;
  config.lr = -1;
  g_assert_false (pb_optim_config_validate (&config, &error));
  g_assert_nonnull (strstr (error->message, "learning rate"));
  g_clear_error (&error);

  config.lr = NAN;
  g_assert_false (pb_optim_config_validate (&config, &error));
  g_clear_error (&error);

  g_assert_true (pb_optim_kind_from_name ("adam", &kind));
  g_assert_true (kind == PB_OPTIM_KIND_ADAM);
  g_assert_true (pb_optim_kind_from_name ("RMSprop", &kind));
  g_assert_true (kind == PB_OPTIM_KIND_RMSPROP);
  g_assert_false (pb_optim_kind_from_name ("Adagrad", &kind));

  pb_optim_config_init (&config, PB_OPTIM_KIND_ADAM);
  json = pb_optim_config_to_json (&config);
  g_assert_cmpstr (json, ==, "{\"optimizer\":\"Adam\",\"lr\":0.001,\"weight_decay\":0,"
                             "\"betas\":[0.9,0.999],\"eps\":1e-08,\"amsgrad\":false}");

  /* restoring SGD state into Adam, or state of another size, is refused */
  pb_optim_config_init (&config, PB_OPTIM_KIND_SGD);
  config.momentum = 0.9;
  opt = pb_optim_new (&config, 3, &error);
  pb_optim_save_state (opt, st);
  pb_optim_config_init (&config, PB_OPTIM_KIND_ADAM);
  adam = pb_optim_new (&config, 3, &error);
  g_assert_false (pb_optim_load_state (adam, st, &error));
  g_assert_error (error, PB_ENGINE_ERROR, PB_ENGINE_ERROR_INVALID_DATA);
  g_assert_nonnull (strstr (error->message, "SGD optimiser state, the run uses Adam"));
  g_clear_error (&error);

  g_clear_pointer (&adam, pb_optim_free);
  pb_optim_config_init (&config, PB_OPTIM_KIND_SGD);
  config.momentum = 0.9;
  adam = pb_optim_new (&config, 4, &error);
  g_assert_false (pb_optim_load_state (adam, st, &error));
  g_assert_error (error, PB_ENGINE_ERROR, PB_ENGINE_ERROR_INVALID_DATA);
  g_assert_nonnull (strstr (error->message, "momentum_buffer"));
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add ("/pb/optim/three-steps-match-torch", Fixture, NULL,
              fixture_setup, test_three_steps, fixture_tear);
  g_test_add ("/pb/optim/state-round-trip", Fixture, NULL,
              fixture_setup, test_state_round_trip, fixture_tear);
  g_test_add_func ("/pb/optim/bad-settings", test_bad_settings);

  return g_test_run ();
}
