/* pb-plot-csv.c — CSV fields for the figures' data, and shared checks.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "pb-plot-private.h"

#include <math.h>
#include <string.h>

/* CSV ------------------------------------------------------------------- */

static void
csv_separator (PbPlotCsv *csv)
{
  if (csv->column++ > 0)
    g_string_append_c (csv->text, ',');
}

void
_pb_plot_csv_field (PbPlotCsv  *csv,
                    const char *text)
{
  csv_separator (csv);
  if (text == NULL)
    return;

  if (strpbrk (text, ",\"\n\r") != NULL)
    {
      g_string_append_c (csv->text, '"');
      for (const char *p = text; *p != '\0'; p++)
        {
          if (*p == '"')
            g_string_append_c (csv->text, '"');
          g_string_append_c (csv->text, *p);
        }
      g_string_append_c (csv->text, '"');
    }
  else
    g_string_append (csv->text, text);
}

/* The shortest of %.15g / %.17g that reads back exactly; empty for NaN. */
void
_pb_plot_csv_number (PbPlotCsv *csv,
                     double     value)
{
  char buf[G_ASCII_DTOSTR_BUF_SIZE];

  csv_separator (csv);
  if (isnan (value))
    return;
  if (isinf (value))
    {
      g_string_append (csv->text, value > 0 ? "inf" : "-inf");
      return;
    }

  g_ascii_formatd (buf, sizeof buf, "%.15g", value);
  if (g_ascii_strtod (buf, NULL) != value)
    g_ascii_formatd (buf, sizeof buf, "%.17g", value);
  g_string_append (csv->text, buf);
}

void
_pb_plot_csv_end_row (PbPlotCsv *csv)
{
  g_string_append_c (csv->text, '\n');
  csv->column = 0;
}

/* checks ---------------------------------------------------------------- */

gboolean
_pb_plot_check_size (double   width,
                     double   height,
                     GError **error)
{
  if (!(width > 0 && height > 0 && isfinite (width) && isfinite (height)))
    {
      g_set_error (error, PB_PLOT_ERROR, PB_PLOT_ERROR_INVALID_ARGUMENT,
                   "Figure size %g × %g must be positive", width, height);
      return FALSE;
    }

  return TRUE;
}
