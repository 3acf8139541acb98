/* pb-plot-axis.h — tick positions: "nice numbers" on linear axes, decades on log axes.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

/**
 * PbPlotTicks:
 * @lo: first tick (the axis starts here)
 * @hi: last tick (the axis ends here)
 * @step: distance between ticks; on a log axis a factor (10 = one per decade)
 * @n_ticks: number of ticks from @lo to @hi inclusive
 * @log: whether the ticks are logarithmic
 */
typedef struct
{
  double   lo;
  double   hi;
  double   step;
  guint    n_ticks;
  gboolean log;
} PbPlotTicks;

gboolean pb_plot_ticks_init_nice  (PbPlotTicks       *ticks,
                                   double             min,
                                   double             max);
gboolean pb_plot_ticks_init_log   (PbPlotTicks       *ticks,
                                   double             min,
                                   double             max);
double   pb_plot_ticks_get_value  (const PbPlotTicks *ticks,
                                   guint              index);
char    *pb_plot_format_number    (double             value,
                                   double             step);

G_END_DECLS
