/* pb-figure-private.h — what the figure loaders of src/figures share: the
 * PbFigure struct and helpers that hand memory over to a figure.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "pb-figure.h"

G_BEGIN_DECLS

/* The data struct comes first: a PbFigure * is also a pointer to its data, so
 * pb_plot_view_set_figure (view, kind, figure, pb_figure_free) works. */
struct _PbFigure
{
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
  PbPlotKind    kind;
  PbPlotFigure  plot;
  GArray       *owned;    /* Owned: what the data borrows */
  char         *caption;
};

gpointer     _pb_figure_take         (PbFigure       *figure,
                                      gpointer        data,
                                      GDestroyNotify  destroy);
const char  *_pb_figure_take_string  (PbFigure       *figure,
                                      char           *string);
void         _pb_figure_set_caption  (PbFigure       *figure,
                                      char           *caption);
char       **_pb_figure_dup_row_labels (char * const *names,
                                        guint         n);

G_END_DECLS
