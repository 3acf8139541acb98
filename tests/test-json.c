/* test-json.c — pb_json_to_string writes numbers json-glib 1.6 gets wrong.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "pb-json.h"

#include <math.h>
#include <string.h>

static void
test_numbers_parse_back (void)
{
  const double values[] = { 1e-8, 1e-5, 3e-12, 1e300, -2.5e-7, 0.001, 42, -1, 0, 123456789.0,
                            1.5e20, 6.02214076e23 };
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonNode) root = NULL;
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *text = NULL;
  JsonArray *array;

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "label \"e-08.0\" stays");
  json_builder_add_string_value (builder, "text 1e-08.0 in a string is kept");
  json_builder_set_member_name (builder, "values");
  json_builder_begin_array (builder);
  for (guint i = 0; i < G_N_ELEMENTS (values); i++)
    json_builder_add_double_value (builder, values[i]);
  json_builder_add_int_value (builder, 7);
  json_builder_end_array (builder);
  json_builder_end_object (builder);
  root = json_builder_get_root (builder);

  for (int pretty = 0; pretty <= 1; pretty++)
    {
      g_clear_pointer (&text, g_free);
      text = pb_json_to_string (root, pretty);
      g_assert_null (strstr (text, "e-08.0,"));
      g_assert_nonnull (strstr (text, "text 1e-08.0 in a string is kept"));
      g_assert_true (json_parser_load_from_data (parser, text, -1, &error));
      g_assert_no_error (error);

      array = json_object_get_array_member (json_node_get_object (json_parser_get_root (parser)),
                                            "values");
      g_assert_cmpuint (json_array_get_length (array), ==, G_N_ELEMENTS (values) + 1);
      for (guint i = 0; i < G_N_ELEMENTS (values); i++)
        g_assert_cmpfloat (json_array_get_double_element (array, i), ==, values[i]);
      g_assert_cmpint (json_array_get_int_element (array, G_N_ELEMENTS (values)), ==, 7);
    }
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/pb/json/numbers-parse-back", test_numbers_parse_back);

  return g_test_run ();
}
