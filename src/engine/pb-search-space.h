/* pb-search-space.h — the parameters a study tunes, declared as data (JSON).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef enum
{
  PB_PARAM_KIND_FLOAT,
  PB_PARAM_KIND_INT,
  PB_PARAM_KIND_CATEGORICAL,
} PbParamKind;

/**
 * PbParam:
 * @name: the Optuna parameter name
 * @kind: float, int or categorical
 * @low: lower bound (inclusive); numeric kinds only
 * @high: upper bound (inclusive); lowered to the last grid point when a step is set
 * @step: grid step, 0 for none (float only; int always has a step ≥ 1)
 * @log: sample on a log scale (low must be > 0)
 * @choices: (categorical) the choices, %NULL-terminated
 * @n_choices: number of @choices
 *
 * One parameter, with exactly the semantics of Optuna's FloatDistribution,
 * IntDistribution and CategoricalDistribution (string choices only). Values
 * travel in Optuna's *internal representation*: a double that is the value for
 * float and int and the index into @choices for categorical.
 */
typedef struct
{
  char        *name;
  PbParamKind  kind;
  double       low;
  double       high;
  double       step;
  gboolean     log;
  char       **choices;
  guint        n_choices;
} PbParam;

typedef struct _PbSearchSpace PbSearchSpace;

/* Built-in spaces: "model" = SPEC §5.1, "attack" = SPEC §8.1 as the notebook ran
 * it (optimizer SGD only), "attack-full" = §8.1 with Adam, RMSprop and SGD,
 * "quadratic" = x, y ∈ [−10, 10] for the demo/test objective of `perturb tune`. */
#define PB_SEARCH_SPACE_MODEL       "model"
#define PB_SEARCH_SPACE_ATTACK      "attack"
#define PB_SEARCH_SPACE_ATTACK_FULL "attack-full"
#define PB_SEARCH_SPACE_QUADRATIC   "quadratic"

PbParam       *pb_param_new_float                (const char           *name,
                                                  double                low,
                                                  double                high,
                                                  double                step,
                                                  gboolean              log,
                                                  GError              **error);
PbParam       *pb_param_new_int                  (const char           *name,
                                                  gint64                low,
                                                  gint64                high,
                                                  gint64                step,
                                                  gboolean              log,
                                                  GError              **error);
PbParam       *pb_param_new_categorical          (const char           *name,
                                                  const char * const   *choices,
                                                  GError              **error);
PbParam       *pb_param_copy                     (const PbParam        *param);
void           pb_param_free                     (PbParam              *param);
gboolean       pb_param_is_compatible            (const PbParam        *a,
                                                  const PbParam        *b);
gboolean       pb_param_equal                    (const PbParam        *a,
                                                  const PbParam        *b);
gboolean       pb_param_contains                 (const PbParam        *param,
                                                  double                internal);
char          *pb_param_format_value             (const PbParam        *param,
                                                  double                internal);
char          *pb_param_to_distribution_json     (const PbParam        *param);
PbParam       *pb_param_new_from_distribution_json (const char         *name,
                                                  const char           *json,
                                                  GError              **error);

PbSearchSpace *pb_search_space_new               (void);
PbSearchSpace *pb_search_space_ref               (PbSearchSpace        *self);
void           pb_search_space_unref             (PbSearchSpace        *self);
gboolean       pb_search_space_add               (PbSearchSpace        *self,
                                                  PbParam              *param,
                                                  GError              **error);
guint          pb_search_space_get_n_params      (PbSearchSpace        *self);
const PbParam *pb_search_space_get_param         (PbSearchSpace        *self,
                                                  guint                 index);
const PbParam *pb_search_space_lookup            (PbSearchSpace        *self,
                                                  const char           *name,
                                                  guint                *index);
gboolean       pb_search_space_equal             (PbSearchSpace        *a,
                                                  PbSearchSpace        *b);
PbSearchSpace *pb_search_space_new_from_json     (const char           *json,
                                                  GError              **error);
char          *pb_search_space_to_json           (PbSearchSpace        *self);
PbSearchSpace *pb_search_space_new_builtin       (const char           *name,
                                                  GError              **error);
const char    *pb_search_space_get_builtin_json  (const char           *name);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (PbParam, pb_param_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (PbSearchSpace, pb_search_space_unref)

G_END_DECLS
