/* pb-json.c — JSON text that parses back, whatever the numbers.
 *
 * json-glib 1.6 (Debian 12) prints a double in %g form and then appends ".0"
 * when the text has no '.', so 1e-08 comes out as `1e-08.0`, which no JSON
 * parser (json-glib's own included) accepts. Every JSON the engine, CLI and app
 * write goes through pb_json_to_string(), which generates with json-glib and
 * drops that ".0" from numbers in exponent form. Newer json-glib does not
 * append it, and then this changes nothing.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "pb-json.h"

#include <string.h>

static gboolean
is_number_char (char c)
{
  return g_ascii_isdigit (c) || c == '-' || c == '+' || c == '.' || c == 'e' || c == 'E';
}

/* Fixes `…e±NN.0` number tokens outside strings, in place. */
static void
repair_exponents (char *text)
{
  gboolean in_string = FALSE;
  char *out = text;

  for (const char *p = text; *p != '\0'; )
    {
      if (in_string)
        {
          if (*p == '\\' && p[1] != '\0')
            {
              *out++ = *p++;
              *out++ = *p++;
              continue;
            }
          if (*p == '"')
            in_string = FALSE;
          *out++ = *p++;
          continue;
        }

      if (*p == '"')
        {
          in_string = TRUE;
          *out++ = *p++;
          continue;
        }

      if (g_ascii_isdigit (*p) || (*p == '-' && g_ascii_isdigit (p[1])))
        {
          const char *start = p;
          const char *end = p;
          const char *exponent;
          gsize len;

          while (is_number_char (*end))
            end++;
          len = end - start;
          exponent = memchr (start, 'e', len);
          if (exponent == NULL)
            exponent = memchr (start, 'E', len);
          if (exponent != NULL && len >= 2 && end[-2] == '.' && end[-1] == '0' &&
              memchr (exponent, '.', end - exponent) == end - 2)
            len -= 2;

          memmove (out, start, len);
          out += len;
          p = end;
          continue;
        }

      *out++ = *p++;
    }

  *out = '\0';
}

/**
 * pb_json_to_string:
 * @root: a JSON tree
 * @pretty: indent the output
 *
 * Returns: (transfer full): valid JSON text for @root
 */
char *
pb_json_to_string (JsonNode *root,
                   gboolean  pretty)
{
  g_autoptr(JsonGenerator) generator = json_generator_new ();
  char *text;

  g_return_val_if_fail (root != NULL, NULL);

  json_generator_set_root (generator, root);
  json_generator_set_pretty (generator, pretty);
  text = json_generator_to_data (generator, NULL);
  repair_exponents (text);

  return text;
}

/**
 * pb_json_format_double:
 * @buf: where to write, at least %G_ASCII_DTOSTR_BUF_SIZE bytes
 * @size: its size
 * @v: a finite number
 *
 * The shortest of %.15g … %.17g that reads back as @v (a JSON number, for the
 * settings written by hand: json-glib 1.6 writes 1e-05 as "1e-05.0").
 *
 * Returns: @buf
 */
char *
pb_json_format_double (char   *buf,
                       gsize   size,
                       double  v)
{
  for (int prec = 15; prec <= 17; prec++)
    {
      g_ascii_formatd (buf, size, prec == 15 ? "%.15g" : prec == 16 ? "%.16g" : "%.17g", v);
      if (g_ascii_strtod (buf, NULL) == v)
        break;
    }
  return buf;
}
