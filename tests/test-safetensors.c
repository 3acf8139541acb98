/* test-safetensors.c — safetensors: round trip, files written from PyTorch,
 * files PyTorch loads, and every malformed case the reader must reject.
 *
 * Fixtures: tests/tools/make-safetensors-reference.py.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "pb-error.h"
#include "pb-safetensors.h"

#include "pb-test-util.h"

#include <json-glib/json-glib.h>
#include <math.h>
#include <string.h>

/* The reference module tree of SPEC §3.1 with F=3, H=4, n_fc=5, C=2, in
 * state_dict() order. */
static const struct
{
  const char *name;
  guint       n_dims;
  gsize       shape[2];
} model_tensors[] = {
  { "0.lstm.weight_ih_l0",         2, { 16, 3 } },
  { "0.lstm.weight_hh_l0",         2, { 16, 4 } },
  { "0.lstm.bias_ih_l0",           1, { 16 } },
  { "0.lstm.bias_hh_l0",           1, { 16 } },
  { "0.lstm.weight_ih_l0_reverse", 2, { 16, 3 } },
  { "0.lstm.weight_hh_l0_reverse", 2, { 16, 4 } },
  { "0.lstm.bias_ih_l0_reverse",   1, { 16 } },
  { "0.lstm.bias_hh_l0_reverse",   1, { 16 } },
  { "3.weight",                    2, { 5, 8 } },
  { "3.bias",                      1, { 5 } },
  { "5.weight",                    2, { 2, 5 } },
  { "5.bias",                      1, { 2 } },
};

static char *
data_path (const char *name)
{
  return g_build_filename (g_getenv ("PB_TEST_DATA"), name, NULL);
}

/* The values make-safetensors-reference.py expects in safetensors-pb.safetensors */
static float
pattern (guint index,
         gsize k)
{
  return (float) sin (0.1 * (double) k + index) * 0.5f;
}

static PbSafetensors *
make_model_tensors (void)
{
  PbSafetensors *st = pb_safetensors_new ();

  for (guint i = 0; i < G_N_ELEMENTS (model_tensors); i++)
    {
      PbTensor *t = pb_safetensors_add (st, model_tensors[i].name, model_tensors[i].n_dims,
                                        model_tensors[i].shape, NULL);

      for (gsize k = 0; k < t->n_elements; k++)
        t->data[k] = pattern (i, k);
    }

  return st;
}

static void
test_round_trip (void)
{
  g_autoptr(PbSafetensors) st = make_model_tensors ();
  g_autoptr(PbSafetensors) back = NULL;
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(GError) error = NULL;
  const guint8 *data;
  gsize size;
  guint64 n;
  gsize scalar_shape[1] = { 0 };
  gsize empty_shape[2] = { 0, 7 };

  pb_safetensors_add (st, "scalar", 0, scalar_shape, (float[]) { -3.5f });
  pb_safetensors_add (st, "empty", 2, empty_shape, NULL);
  pb_safetensors_set_metadata (st, "format", "pt");
  pb_safetensors_set_metadata (st, "quote\"d", "tab\there");

  bytes = pb_safetensors_to_bytes (st);
  data = g_bytes_get_data (bytes, &size);
  memcpy (&n, data, 8);
  n = GUINT64_FROM_LE (n);
  g_assert_cmpuint ((8 + n) % 8, ==, 0);

  back = pb_safetensors_new_from_data (data, size, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (pb_safetensors_get_n_tensors (back), ==, G_N_ELEMENTS (model_tensors) + 2);
  for (guint i = 0; i < pb_safetensors_get_n_tensors (st); i++)
    {
      const PbTensor *a = pb_safetensors_get_nth (st, i);
      const PbTensor *b = pb_safetensors_get_nth (back, i);

      g_assert_cmpstr (a->name, ==, b->name);
      g_assert_cmpuint (a->n_dims, ==, b->n_dims);
      for (guint d = 0; d < a->n_dims; d++)
        g_assert_cmpuint (a->shape[d], ==, b->shape[d]);
      g_assert_cmpuint (a->n_elements, ==, b->n_elements);
      g_assert_cmpmem (a->data, a->n_elements * 4, b->data, b->n_elements * 4);
      g_assert_true (b->file_dtype == PB_TENSOR_DTYPE_F32);
    }
  g_assert_cmpfloat (pb_safetensors_lookup (back, "scalar")->data[0], ==, -3.5f);
  g_assert_cmpuint (pb_safetensors_lookup (back, "empty")->n_elements, ==, 0);
  g_assert_cmpstr (pb_safetensors_get_metadata (back, "format"), ==, "pt");
  g_assert_cmpstr (pb_safetensors_get_metadata (back, "quote\"d"), ==, "tab\there");
  g_assert_null (pb_safetensors_lookup (back, "missing"));
}

static void
test_replace_and_checked_get (void)
{
  g_autoptr(PbSafetensors) st = pb_safetensors_new ();
  g_autoptr(GError) error = NULL;
  gsize s3[1] = { 3 };
  gsize s2[1] = { 2 };
  gsize s13[2] = { 1, 3 };
  float out[3];

  pb_safetensors_add (st, "a", 1, s3, (float[]) { 1, 2, 3 });
  pb_safetensors_add (st, "a", 1, s2, (float[]) { 4, 5 });
  g_assert_cmpuint (pb_safetensors_get_n_tensors (st), ==, 1);

  g_assert_true (pb_safetensors_get_checked (st, "a", 1, s2, out, &error));
  g_assert_no_error (error);
  g_assert_cmpfloat (out[1], ==, 5.0f);

  g_assert_false (pb_safetensors_get_checked (st, "a", 2, s13, out, &error));
  g_assert_error (error, PB_ENGINE_ERROR, PB_ENGINE_ERROR_INVALID_DATA);
  g_assert_nonnull (strstr (error->message, "has shape [2], expected [1, 3]"));
  g_clear_error (&error);

  g_assert_false (pb_safetensors_get_checked (st, "b", 1, s2, out, &error));
  g_assert_error (error, PB_ENGINE_ERROR, PB_ENGINE_ERROR_INVALID_DATA);
  g_assert_nonnull (strstr (error->message, "“b” is missing"));
}

/* A file PyTorch wrote (by hand, in the format's layout) reads back value for value */
static void
test_read_torch_file (void)
{
  g_autofree char *path = data_path ("safetensors-torch.safetensors");
  g_autofree char *json_path = data_path ("safetensors-torch.json");
  g_autoptr(PbSafetensors) st = NULL;
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;
  JsonArray *tensors;

  st = pb_safetensors_load (path, &error);
  g_assert_no_error (error);
  json_parser_load_from_file (parser, json_path, &error);
  g_assert_no_error (error);

  tensors = json_object_get_array_member (json_node_get_object (json_parser_get_root (parser)),
                                          "tensors");
  g_assert_cmpuint (json_array_get_length (tensors), ==, G_N_ELEMENTS (model_tensors));
  g_assert_cmpuint (pb_safetensors_get_n_tensors (st), ==, G_N_ELEMENTS (model_tensors));

  for (guint i = 0; i < json_array_get_length (tensors); i++)
    {
      JsonObject *o = json_array_get_object_element (tensors, i);
      JsonArray *values = json_object_get_array_member (o, "data");
      const PbTensor *t = pb_safetensors_get_nth (st, i);
      float *copy;

      /* file order is state_dict order */
      g_assert_cmpstr (t->name, ==, json_object_get_string_member (o, "name"));
      g_assert_cmpstr (t->name, ==, model_tensors[i].name);
      g_assert_cmpuint (t->n_elements, ==, json_array_get_length (values));
      for (gsize k = 0; k < t->n_elements; k++)
        g_assert_cmpfloat (t->data[k], ==, (float) json_array_get_double_element (values, k));

      copy = g_new (float, t->n_elements);
      g_assert_true (pb_safetensors_get_checked (st, model_tensors[i].name,
                                                 model_tensors[i].n_dims,
                                                 model_tensors[i].shape, copy, &error));
      g_assert_no_error (error);
      g_free (copy);
    }
}

static void
test_read_dtypes (void)
{
  g_autofree char *path = data_path ("safetensors-dtypes.safetensors");
  g_autoptr(PbSafetensors) st = NULL;
  g_autoptr(GError) error = NULL;
  const char *names[] = { "f64", "f16", "bf16" };
  PbTensorDtype dtypes[] = { PB_TENSOR_DTYPE_F64, PB_TENSOR_DTYPE_F16, PB_TENSOR_DTYPE_BF16 };
  const PbTensor *t;

  st = pb_safetensors_load (path, &error);
  g_assert_no_error (error);

  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    {
      t = pb_safetensors_lookup (st, names[i]);
      g_assert_nonnull (t);
      g_assert_true (t->file_dtype == dtypes[i]);
      g_assert_cmpuint (t->n_elements, ==, 12);
      for (gsize k = 0; k < 12; k++)
        g_assert_cmpfloat (t->data[k], ==, ((float) k - 6.0f) * 0.25f);
    }
  t = pb_safetensors_lookup (st, "f16");
  g_assert_cmpuint (t->n_dims, ==, 2);
  g_assert_cmpuint (t->shape[0], ==, 2);
  g_assert_cmpuint (t->shape[1], ==, 6);

  t = pb_safetensors_lookup (st, "scalar");
  g_assert_cmpuint (t->n_dims, ==, 0);
  g_assert_cmpuint (t->n_elements, ==, 1);
  g_assert_cmpfloat (t->data[0], ==, 2.5f);

  t = pb_safetensors_lookup (st, "empty");
  g_assert_cmpuint (t->n_elements, ==, 0);
  g_assert_cmpuint (t->shape[1], ==, 4);

  g_assert_cmpstr (pb_safetensors_get_metadata (st, "format"), ==, "pt");
  g_assert_cmpstr (pb_safetensors_get_metadata (st, "note"), ==, "dtype fixture");
}

/* What we write is byte for byte the file that make-safetensors-reference.py
 * checked PyTorch loads with load_state_dict(strict=True). */
static void
test_torch_loads_ours (void)
{
  g_autofree char *path = data_path ("safetensors-pb.safetensors");
  g_autoptr(PbSafetensors) st = make_model_tensors ();
  g_autoptr(GBytes) bytes = pb_safetensors_to_bytes (st);
  g_autoptr(GError) error = NULL;
  g_autofree char *contents = NULL;
  gsize size;

  if (g_getenv ("PB_SAFETENSORS_WRITE") != NULL)
    {
      g_assert_true (pb_safetensors_save (st, g_getenv ("PB_SAFETENSORS_WRITE"), &error));
      g_assert_no_error (error);
    }

  g_file_get_contents (path, &contents, &size, &error);
  g_assert_no_error (error);
  g_assert_cmpmem (contents, size, g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes));
}

typedef struct
{
  const char *what;
  const char *header;    /* NULL: use raw */
  gsize       data_len;  /* bytes of data after the header */
  gint64      header_len_delta;
  int         code;
  const char *message;
} BadCase;

static GBytes *
build_file (const char *header,
            gsize       data_len,
            gint64      header_len_delta)
{
  gsize hlen = strlen (header);
  guint64 n = GUINT64_TO_LE ((guint64) ((gint64) hlen + header_len_delta));
  guint8 *buf = g_malloc0 (8 + hlen + data_len);

  memcpy (buf, &n, 8);
  memcpy (buf + 8, header, hlen);
  return g_bytes_new_take (buf, 8 + hlen + data_len);
}

static void
test_malformed (void)
{
  static const BadCase cases[] = {
    { "header length beyond the file", "{}", 0, 100, PB_ENGINE_ERROR_CORRUPT,
      "exceeds the file size" },
    { "header length over the limit", "{}", 0, 200000000, PB_ENGINE_ERROR_CORRUPT,
      "exceeds the file size" },
    { "bad JSON", "{\"a\": {\"dtype\": \"F32\",", 0, 0, PB_ENGINE_ERROR_CORRUPT,
      "not valid JSON" },
    { "bad UTF-8", "{\"\xff\": 1}", 0, 0, PB_ENGINE_ERROR_CORRUPT, "not valid UTF-8" },
    { "not an object", "[1, 2, 3]", 0, 0, PB_ENGINE_ERROR_CORRUPT, "not a JSON object" },
    { "entry not an object", "{\"a\": 3}", 0, 0, PB_ENGINE_ERROR_CORRUPT,
      "“a” is not an object" },
    { "unknown dtype", "{\"a\":{\"dtype\":\"F33\",\"shape\":[1],\"data_offsets\":[0,4]}}",
      4, 0, PB_ENGINE_ERROR_CORRUPT, "unknown dtype “F33”" },
    { "integer dtype", "{\"a\":{\"dtype\":\"I64\",\"shape\":[1],\"data_offsets\":[0,8]}}",
      8, 0, PB_ENGINE_ERROR_UNSUPPORTED, "dtype I64" },
    { "missing dtype", "{\"a\":{\"shape\":[1],\"data_offsets\":[0,4]}}", 4, 0,
      PB_ENGINE_ERROR_CORRUPT, "no dtype" },
    { "negative shape", "{\"a\":{\"dtype\":\"F32\",\"shape\":[-1],\"data_offsets\":[0,4]}}",
      4, 0, PB_ENGINE_ERROR_CORRUPT, "shape entry 0" },
    { "fractional shape", "{\"a\":{\"dtype\":\"F32\",\"shape\":[1.5],\"data_offsets\":[0,4]}}",
      4, 0, PB_ENGINE_ERROR_CORRUPT, "shape entry 0" },
    { "missing shape", "{\"a\":{\"dtype\":\"F32\",\"data_offsets\":[0,4]}}", 4, 0,
      PB_ENGINE_ERROR_CORRUPT, "no shape" },
    { "three offsets", "{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4,8]}}",
      8, 0, PB_ENGINE_ERROR_CORRUPT, "no data_offsets" },
    { "reversed offsets", "{\"a\":{\"dtype\":\"F32\",\"shape\":[0],\"data_offsets\":[4,0]}}",
      4, 0, PB_ENGINE_ERROR_CORRUPT, "begin ≤ end" },
    { "shape/offset mismatch", "{\"a\":{\"dtype\":\"F32\",\"shape\":[2,3],\"data_offsets\":[0,20]}}",
      20, 0, PB_ENGINE_ERROR_CORRUPT, "span 20 bytes, but shape [2, 3] of F32 needs 24" },
    { "overlap", "{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},"
                 "\"b\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[4,12]}}",
      12, 0, PB_ENGINE_ERROR_CORRUPT, "overlap" },
    { "gap", "{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]},"
             "\"b\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[8,12]}}",
      12, 0, PB_ENGINE_ERROR_CORRUPT, "leave a gap" },
    { "not starting at 0", "{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[4,8]}}",
      8, 0, PB_ENGINE_ERROR_CORRUPT, "expected 0" },
    { "out of range / truncated",
      "{\"a\":{\"dtype\":\"F32\",\"shape\":[4],\"data_offsets\":[0,16]}}",
      10, 0, PB_ENGINE_ERROR_CORRUPT, "truncated: tensors need 16 data bytes, the file has 10" },
    { "trailing bytes", "{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]}}",
      9, 0, PB_ENGINE_ERROR_CORRUPT, "5 bytes after the last tensor" },
    { "duplicate name", "{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]},"
                        "\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[4,8]}}",
      8, 0, PB_ENGINE_ERROR_CORRUPT, NULL },
    { "metadata not strings", "{\"__metadata__\":{\"epoch\":3}}", 0, 0,
      PB_ENGINE_ERROR_CORRUPT, "“epoch” is not a string" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GBytes) bytes = build_file (cases[i].header, cases[i].data_len,
                                            cases[i].header_len_delta);
      g_autoptr(PbSafetensors) st = NULL;
      g_autoptr(GError) error = NULL;
      gsize size;
      const guint8 *data = g_bytes_get_data (bytes, &size);

      g_test_message ("case: %s", cases[i].what);
      st = pb_safetensors_new_from_data (data, size, &error);
      g_assert_null (st);
      g_assert_error (error, PB_ENGINE_ERROR, cases[i].code);
      if (cases[i].message != NULL && strstr (error->message, cases[i].message) == NULL)
        g_error ("case %s: unexpected message “%s”", cases[i].what, error->message);
    }
}

static void
test_short_and_missing_files (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(PbSafetensors) st = NULL;
  g_autofree char *dir = pb_test_mkdtemp ();
  g_autofree char *path = g_build_filename (dir, "cut.safetensors", NULL);
  g_autofree char *torch_path = data_path ("safetensors-torch.safetensors");
  g_autofree char *contents = NULL;
  gsize size;

  st = pb_safetensors_new_from_data ((const guint8 *) "abc", 3, &error);
  g_assert_null (st);
  g_assert_error (error, PB_ENGINE_ERROR, PB_ENGINE_ERROR_CORRUPT);
  g_assert_nonnull (strstr (error->message, "shorter than the 8-byte header length"));
  g_clear_error (&error);

  st = pb_safetensors_load ("/nonexistent/model.safetensors", &error);
  g_assert_null (st);
  g_assert_error (error, PB_ENGINE_ERROR, PB_ENGINE_ERROR_NOT_FOUND);
  g_clear_error (&error);

  /* the PyTorch file cut short by one byte: truncated, and the path is named */
  g_file_get_contents (torch_path, &contents, &size, &error);
  g_assert_no_error (error);
  g_file_set_contents (path, contents, size - 1, &error);
  g_assert_no_error (error);
  st = pb_safetensors_load (path, &error);
  g_assert_null (st);
  g_assert_error (error, PB_ENGINE_ERROR, PB_ENGINE_ERROR_CORRUPT);
  g_assert_nonnull (strstr (error->message, "truncated"));
  g_assert_nonnull (strstr (error->message, path));

  pb_test_rmdir (dir);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/pb/safetensors/round-trip", test_round_trip);
  g_test_add_func ("/pb/safetensors/replace-and-checked-get", test_replace_and_checked_get);
  g_test_add_func ("/pb/safetensors/reads-torch-file", test_read_torch_file);
  g_test_add_func ("/pb/safetensors/reads-f64-f16-bf16", test_read_dtypes);
  g_test_add_func ("/pb/safetensors/torch-loads-ours", test_torch_loads_ours);
  g_test_add_func ("/pb/safetensors/rejects-malformed", test_malformed);
  g_test_add_func ("/pb/safetensors/rejects-short-and-missing", test_short_and_missing_files);

  return g_test_run ();
}
