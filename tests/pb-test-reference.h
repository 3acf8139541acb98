/* pb-test-reference.h — reading the reference files in tests/data that the
 * parity tests compare against (header-only): JSON ones whole; binary ones
 * through a bounds-checked cursor, int32 sections as lengths and labels, and
 * the model that the header words 2–8 describe (tests/tools/make-*-reference.py
 * write them the same way).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>
#include <json-glib/json-glib.h>
#include <math.h>
#include <string.h>

#include "pb-model.h"

/* Loads $PB_TEST_DATA/@name into @parser; returns its root object (owned by
 * @parser). */
static inline JsonObject *
pb_test_load_json (JsonParser *parser,
                   const char *name)
{
  g_autofree char *path = g_build_filename (g_getenv ("PB_TEST_DATA"), name, NULL);
  g_autoptr(GError) error = NULL;

  json_parser_load_from_file (parser, path, &error);
  g_assert_no_error (error);
  return json_node_get_object (json_parser_get_root (parser));
}

typedef struct
{
  const char *data;
  gsize       len;
  gsize       pos;
} PbTestReader;

/* Reads $PB_TEST_DATA/@name whole into @r; returns the bytes (owned by the
 * caller, what @r takes points into them) and sets @path (owned) for messages. */
static inline char *
pb_test_reader_open (PbTestReader  *r,
                     const char    *name,
                     char         **path)
{
  g_autoptr(GError) error = NULL;
  char *contents = NULL;

  *path = g_build_filename (g_getenv ("PB_TEST_DATA"), name, NULL);
  g_file_get_contents (*path, &contents, &r->len, &error);
  g_assert_no_error (error);
  r->data = contents;
  r->pos = 0;
  return contents;
}

/* The next @n bytes, in place: the files keep each section 4-byte aligned. */
static inline gpointer
pb_test_reader_take (PbTestReader *r,
                     gsize         n)
{
  gpointer p = (gpointer) (r->data + r->pos);

  g_assert_cmpuint (r->pos + n, <=, r->len);
  r->pos += n;
  return p;
}

/* The next @n int32 values as a new array of lengths. */
static inline guint *
pb_test_reader_take_lengths (PbTestReader *r,
                             gsize         n)
{
  const gint32 *ints = pb_test_reader_take (r, sizeof (gint32) * n);
  guint *lengths = g_new (guint, n);

  for (gsize i = 0; i < n; i++)
    lengths[i] = ints[i];
  return lengths;
}

/* The next @n int32 values as a new array of labels. */
static inline gint *
pb_test_reader_take_labels (PbTestReader *r,
                            gsize         n)
{
  const gint32 *ints = pb_test_reader_take (r, sizeof (gint32) * n);
  gint *labels = g_new (gint, n);

  for (gsize i = 0; i < n; i++)
    labels[i] = ints[i];
  return labels;
}

/* Header words 2–8: F, H, n_fc, C, the LSTM and FC activations (0 = ReLU,
 * else Tanh) and the protocol (0 = standard, else seed); @dropout is not in
 * the file. */
static inline void
pb_test_reference_model_config (PbModelConfig *config,
                                const gint32  *h,
                                double         dropout)
{
  config->n_features = h[2];
  config->n_hidden = h[3];
  config->n_fc = h[4];
  config->n_classes = h[5];
  config->act_lstm = h[6] == 0 ? PB_ACTIVATION_RELU : PB_ACTIVATION_TANH;
  config->act_fc = h[7] == 0 ? PB_ACTIVATION_RELU : PB_ACTIVATION_TANH;
  config->protocol = h[8] == 0 ? PB_PROTOCOL_STANDARD : PB_PROTOCOL_SEED;
  config->dropout = dropout;
}

/* A model of @config carrying the reference's @n_params weights, which must be
 * exactly as many as the model has. */
static inline PbModel *
pb_test_reference_model (const PbModelConfig *config,
                         const float         *params,
                         gsize                n_params)
{
  g_autoptr(GError) error = NULL;
  PbModel *model = pb_model_new (config, &error);

  g_assert_no_error (error);
  g_assert_cmpuint (pb_model_get_n_params (model), ==, n_params);
  memcpy (pb_model_get_params (model), params, sizeof (float) * n_params);
  return model;
}

/* max |a − b| over @n values, in double */
static inline double
pb_test_max_abs_diff_f (const float *a,
                        const float *b,
                        gsize        n)
{
  double m = 0.0;

  for (gsize i = 0; i < n; i++)
    m = MAX (m, fabs ((double) a[i] - (double) b[i]));
  return m;
}
