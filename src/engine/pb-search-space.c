/* pb-search-space.c — the parameters a study tunes, declared as data (JSON).
 *
 * A search space is an ordered list of parameters (the order is the order in
 * which a trial suggests them, as the reference's `from_optuna_trial` does). It
 * is stored as JSON so that the app can edit it:
 *
 *   {"params": [
 *     {"name": "dropout", "type": "float", "low": 0.0, "high": 0.5},
 *     {"name": "learning_rate", "type": "float", "low": 1e-5, "high": 0.1, "log": true},
 *     {"name": "log_batch_size", "type": "int", "low": 5, "high": 8, "step": 1},
 *     {"name": "optimizer_name", "type": "categorical", "choices": ["Adam", "SGD"]}]}
 *
 * Each parameter also converts to and from the `distribution_json` that Optuna
 * writes into `trial_params` (engine-notes §3.3).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "pb-search-space.h"

#include "pb-error.h"

#include <json-glib/json-glib.h>
#include <math.h>
#include <string.h>

struct _PbSearchSpace
{
  gatomicrefcount  ref_count;
  GPtrArray       *params; /* PbParam */
};

/* SPEC §5.1 (tuner_helpers.py from_optuna_trial order) */
static const char builtin_model_json[] =
  "{\"params\": ["
  "{\"name\": \"log_lstm_hidden_size\", \"type\": \"int\", \"low\": 5, \"high\": 7},"
  "{\"name\": \"lstm_act_name\", \"type\": \"categorical\", \"choices\": [\"ReLU\", \"Tanh\"]},"
  "{\"name\": \"dropout\", \"type\": \"float\", \"low\": 0.0, \"high\": 0.5},"
  "{\"name\": \"log_fc_hidden_size\", \"type\": \"int\", \"low\": 4, \"high\": 8},"
  "{\"name\": \"fc_act_name\", \"type\": \"categorical\", \"choices\": [\"ReLU\", \"Tanh\"]},"
  "{\"name\": \"optimizer_name\", \"type\": \"categorical\","
  " \"choices\": [\"Adam\", \"RMSprop\", \"SGD\"]},"
  "{\"name\": \"learning_rate\", \"type\": \"float\", \"low\": 1e-05, \"high\": 0.1, \"log\": true},"
  "{\"name\": \"log_batch_size\", \"type\": \"int\", \"low\": 5, \"high\": 8}"
  "]}";

/* SPEC §8.1; the notebook era offered SGD only */
static const char builtin_attack_json[] =
  "{\"params\": ["
  "{\"name\": \"kappa\", \"type\": \"float\", \"low\": 0.0, \"high\": 2.0},"
  "{\"name\": \"lambda_1\", \"type\": \"float\", \"low\": 1e-07, \"high\": 1.0, \"log\": true},"
  "{\"name\": \"optimizer_name\", \"type\": \"categorical\", \"choices\": [\"SGD\"]},"
  "{\"name\": \"learning_rate\", \"type\": \"float\", \"low\": 1e-05, \"high\": 1.0, \"log\": true},"
  "{\"name\": \"log_batch_size\", \"type\": \"int\", \"low\": 5, \"high\": 7}"
  "]}";

static const char builtin_attack_full_json[] =
  "{\"params\": ["
  "{\"name\": \"kappa\", \"type\": \"float\", \"low\": 0.0, \"high\": 2.0},"
  "{\"name\": \"lambda_1\", \"type\": \"float\", \"low\": 1e-07, \"high\": 1.0, \"log\": true},"
  "{\"name\": \"optimizer_name\", \"type\": \"categorical\","
  " \"choices\": [\"Adam\", \"RMSprop\", \"SGD\"]},"
  "{\"name\": \"learning_rate\", \"type\": \"float\", \"low\": 1e-05, \"high\": 1.0, \"log\": true},"
  "{\"name\": \"log_batch_size\", \"type\": \"int\", \"low\": 5, \"high\": 7}"
  "]}";

/* demo/test objective of `perturb tune --objective quadratic` */
static const char builtin_quadratic_json[] =
  "{\"params\": ["
  "{\"name\": \"x\", \"type\": \"float\", \"low\": -10.0, \"high\": 10.0},"
  "{\"name\": \"y\", \"type\": \"float\", \"low\": -10.0, \"high\": 10.0}"
  "]}";

static gboolean
check_name (const char  *name,
            GError     **error)
{
  if (name == NULL || *name == '\0')
    {
      g_set_error (error, PB_ENGINE_ERROR, PB_ENGINE_ERROR_INVALID_ARGUMENT,
                   "A search-space parameter has no name");
      return FALSE;
    }
  if (strlen (name) > 512)
    {
      g_set_error (error, PB_ENGINE_ERROR, PB_ENGINE_ERROR_INVALID_ARGUMENT,
                   "Parameter name “%.32s…” is longer than 512 bytes", name);
      return FALSE;
    }
  return TRUE;
}

static gboolean
check_range (const char  *name,
             double       low,
             double       high,
             gboolean     log,
             GError     **error)
{
  if (!isfinite (low) || !isfinite (high))
    {
      g_set_error (error, PB_ENGINE_ERROR, PB_ENGINE_ERROR_INVALID_ARGUMENT,
                   "Parameter %s: bounds must be finite numbers", name);
      return FALSE;
    }
  if (low > high)
    {
      g_set_error (error, PB_ENGINE_ERROR, PB_ENGINE_ERROR_INVALID_ARGUMENT,
                   "Parameter %s: empty range, low %g is greater than high %g", name, low, high);
      return FALSE;
    }
  if (log && low <= 0.0)
    {
      g_set_error (error, PB_ENGINE_ERROR, PB_ENGINE_ERROR_INVALID_ARGUMENT,
                   "Parameter %s: a log range needs low > 0 (got low = %g)", name, low);
      return FALSE;
    }
  return TRUE;
}

/**
 * pb_param_new_float:
 * @step: grid step, or 0 for a continuous parameter
 *
 * Returns: (transfer full): a float parameter, or %NULL with @error set when the
 *   range is empty, not finite, log with low ≤ 0, or log combined with a step
 *   (Optuna refuses that combination too).
 */
PbParam *
pb_param_new_float (const char  *name,
                    double       low,
                    double       high,
                    double       step,
                    gboolean     log,
                    GError     **error)
{
  PbParam *param;

  if (!check_name (name, error) || !check_range (name, low, high, log, error))
    return NULL;
  if (step < 0.0 || !isfinite (step))
    {
      g_set_error (error, PB_ENGINE_ERROR, PB_ENGINE_ERROR_INVALID_ARGUMENT,
                   "Parameter %s: step must be positive (got %g)", name, step);
      return NULL;
    }
  if (step > 0.0 && log)
    {
      g_set_error (error, PB_ENGINE_ERROR, PB_ENGINE_ERROR_INVALID_ARGUMENT,
                   "Parameter %s: a float parameter cannot have both a step and a log scale",
                   name);
      return NULL;
    }

  param = g_new0 (PbParam, 1);
  param->name = g_strdup (name);
  param->kind = PB_PARAM_KIND_FLOAT;
  param->low = low;
  param->high = high;
  param->step = step;
  param->log = log;

  /* As Optuna: high is lowered to the last grid point. */
  if (step > 0.0)
    param->high = low + floor ((high - low) / step + 1e-9) * step;

  return param;
}

/**
 * pb_param_new_int:
 * @step: grid step ≥ 1; must be 1 with @log
 *
 * Returns: (transfer full): an int parameter, or %NULL with @error set.
 */
PbParam *
pb_param_new_int (const char  *name,
                  gint64       low,
                  gint64       high,
                  gint64       step,
                  gboolean     log,
                  GError     **error)
{
  PbParam *param;

  if (!check_name (name, error) || !check_range (name, low, high, log, error))
    return NULL;
  if (step < 1)
    {
      g_set_error (error, PB_ENGINE_ERROR, PB_ENGINE_ERROR_INVALID_ARGUMENT,
                   "Parameter %s: an int step must be at least 1 (got %" G_GINT64_FORMAT ")",
                   name, step);
      return NULL;
    }
  if (log && step != 1)
    {
      g_set_error (error, PB_ENGINE_ERROR, PB_ENGINE_ERROR_INVALID_ARGUMENT,
                   "Parameter %s: a log-scale int parameter must have step 1", name);
      return NULL;
    }

  param = g_new0 (PbParam, 1);
  param->name = g_strdup (name);
  param->kind = PB_PARAM_KIND_INT;
  param->low = (double) low;
  param->high = (double) (low + (high - low) / step * step);
  param->step = (double) step;
  param->log = log;
  return param;
}

/**
 * pb_param_new_categorical:
 * @choices: %NULL-terminated, at least one, no duplicates
 *
 * Returns: (transfer full): a categorical parameter, or %NULL with @error set.
 */
PbParam *
pb_param_new_categorical (const char         *name,
                          const char * const *choices,
                          GError            **error)
{
  PbParam *param;
  guint n;

  if (!check_name (name, error))
    return NULL;
  n = choices != NULL ? g_strv_length ((char **) choices) : 0;
  if (n == 0)
    {
      g_set_error (error, PB_ENGINE_ERROR, PB_ENGINE_ERROR_INVALID_ARGUMENT,
                   "Parameter %s: a categorical parameter needs at least one choice", name);
      return NULL;
    }
  for (guint i = 0; i < n; i++)
    for (guint j = 0; j < i; j++)
      if (g_str_equal (choices[i], choices[j]))
        {
          g_set_error (error, PB_ENGINE_ERROR, PB_ENGINE_ERROR_INVALID_ARGUMENT,
                       "Parameter %s: choice “%s” appears twice", name, choices[i]);
          return NULL;
        }

  param = g_new0 (PbParam, 1);
  param->name = g_strdup (name);
  param->kind = PB_PARAM_KIND_CATEGORICAL;
  param->choices = g_strdupv ((char **) choices);
  param->n_choices = n;
  param->low = 0;
  param->high = n - 1;
  return param;
}

PbParam *
pb_param_copy (const PbParam *param)
{
  PbParam *copy = g_memdup2 (param, sizeof *param);

  copy->name = g_strdup (param->name);
  copy->choices = g_strdupv (param->choices);
  return copy;
}

void
pb_param_free (PbParam *param)
{
  if (param == NULL)
    return;
  g_free (param->name);
  g_strfreev (param->choices);
  g_free (param);
}

/**
 * pb_param_is_compatible:
 *
 * Optuna's rule for a parameter name that reappears in a study: same kind, same
 * log flag, identical categorical choices; ranges may differ.
 */
gboolean
pb_param_is_compatible (const PbParam *a,
                        const PbParam *b)
{
  if (a->kind != b->kind)
    return FALSE;
  if (a->kind == PB_PARAM_KIND_CATEGORICAL)
    {
      if (a->n_choices != b->n_choices)
        return FALSE;
      for (guint i = 0; i < a->n_choices; i++)
        if (!g_str_equal (a->choices[i], b->choices[i]))
          return FALSE;
      return TRUE;
    }
  return a->log == b->log;
}

gboolean
pb_param_equal (const PbParam *a,
                const PbParam *b)
{
  return g_str_equal (a->name, b->name) && pb_param_is_compatible (a, b) &&
         a->low == b->low && a->high == b->high && a->step == b->step;
}

gboolean
pb_param_contains (const PbParam *param,
                   double         internal)
{
  if (isnan (internal))
    return FALSE;
  if (param->kind == PB_PARAM_KIND_CATEGORICAL)
    return internal >= 0 && internal < param->n_choices && internal == floor (internal);
  if (internal < param->low || internal > param->high)
    return FALSE;
  if (param->kind == PB_PARAM_KIND_INT && internal != floor (internal))
    return FALSE;
  return TRUE;
}

/* Shortest text that reads back as the same double, spelled as Python's repr
 * spells floats (a whole number keeps its ".0"). */
static void
append_python_float (GString *out,
                     double   v)
{
  char buf[G_ASCII_DTOSTR_BUF_SIZE];

  if (isinf (v))
    {
      g_string_append (out, v > 0 ? "Infinity" : "-Infinity");
      return;
    }
  if (isnan (v))
    {
      g_string_append (out, "NaN");
      return;
    }
  for (int precision = 15; precision <= 17; precision++)
    {
      g_ascii_formatd (buf, sizeof buf, precision == 15 ? "%.15g" : precision == 16 ? "%.16g"
                                                                                     : "%.17g", v);
      if (g_ascii_strtod (buf, NULL) == v)
        break;
    }
  g_string_append (out, buf);
  if (strpbrk (buf, ".en") == NULL)
    g_string_append (out, ".0");
}

/* JSON string literal (UTF-8 kept as is; quotes, backslashes and controls escaped). */
static void
append_json_string (GString    *out,
                    const char *s)
{
  g_string_append_c (out, '"');
  for (const char *p = s; *p != '\0'; p++)
    {
      if (*p == '"' || *p == '\\')
        g_string_append_printf (out, "\\%c", *p);
      else if ((guchar) *p < 0x20)
        g_string_append_printf (out, "\\u%04x", (guchar) *p);
      else
        g_string_append_c (out, *p);
    }
  g_string_append_c (out, '"');
}

/**
 * pb_param_format_value:
 *
 * Returns: (transfer full): the external value as text: the choice for a
 *   categorical, an integer for int, the shortest round-trip number for float.
 */
char *
pb_param_format_value (const PbParam *param,
                       double         internal)
{
  GString *out;

  switch (param->kind)
    {
    case PB_PARAM_KIND_CATEGORICAL:
      if (pb_param_contains (param, internal))
        return g_strdup (param->choices[(guint) internal]);
      return g_strdup_printf ("?%g", internal);

    case PB_PARAM_KIND_INT:
      return g_strdup_printf ("%" G_GINT64_FORMAT, (gint64) llround (internal));

    case PB_PARAM_KIND_FLOAT:
    default:
      out = g_string_new (NULL);
      append_python_float (out, internal);
      return g_string_free (out, FALSE);
    }
}

/**
 * pb_param_to_distribution_json:
 *
 * Returns: (transfer full): the `trial_params.distribution_json` Optuna writes for
 *   this parameter, keys in Optuna's order (engine-notes §3.3).
 */
char *
pb_param_to_distribution_json (const PbParam *param)
{
  GString *out = g_string_new (NULL);

  switch (param->kind)
    {
    case PB_PARAM_KIND_FLOAT:
      g_string_append (out, "{\"name\": \"FloatDistribution\", \"attributes\": {\"step\": ");
      if (param->step > 0)
        append_python_float (out, param->step);
      else
        g_string_append (out, "null");
      g_string_append (out, ", \"low\": ");
      append_python_float (out, param->low);
      g_string_append (out, ", \"high\": ");
      append_python_float (out, param->high);
      g_string_append_printf (out, ", \"log\": %s}}", param->log ? "true" : "false");
      break;

    case PB_PARAM_KIND_INT:
      g_string_append_printf (out, "{\"name\": \"IntDistribution\", \"attributes\": "
                              "{\"log\": %s, \"step\": %" G_GINT64_FORMAT ", \"low\": %"
                              G_GINT64_FORMAT ", \"high\": %" G_GINT64_FORMAT "}}",
                              param->log ? "true" : "false", (gint64) param->step,
                              (gint64) param->low, (gint64) param->high);
      break;

    case PB_PARAM_KIND_CATEGORICAL:
    default:
      g_string_append (out, "{\"name\": \"CategoricalDistribution\", \"attributes\": "
                            "{\"choices\": [");
      for (guint i = 0; i < param->n_choices; i++)
        {
          if (i > 0)
            g_string_append (out, ", ");
          append_json_string (out, param->choices[i]);
        }
      g_string_append (out, "]}}");
      break;
    }

  return g_string_free (out, FALSE);
}

static gboolean
member_double (JsonObject  *object,
               const char  *member,
               double      *out)
{
  JsonNode *node = json_object_get_member (object, member);

  if (node == NULL || JSON_NODE_TYPE (node) != JSON_NODE_VALUE)
    return FALSE;
  switch (json_node_get_value_type (node))
    {
    case G_TYPE_INT64:
      *out = (double) json_node_get_int (node);
      return TRUE;

    case G_TYPE_DOUBLE:
      *out = json_node_get_double (node);
      return TRUE;

    default:
      return FALSE;
    }
}

static gboolean
member_bool (JsonObject *object,
             const char *member)
{
  JsonNode *node = json_object_get_member (object, member);

  return node != NULL && JSON_NODE_HOLDS_VALUE (node) &&
         json_node_get_value_type (node) == G_TYPE_BOOLEAN && json_node_get_boolean (node);
}

static char **
member_choices (JsonObject  *object,
                const char  *member,
                const char  *name,
                GError     **error)
{
  JsonNode *node = json_object_get_member (object, member);
  g_autoptr(GPtrArray) choices = g_ptr_array_new_with_free_func (g_free);
  JsonArray *array;

  if (node == NULL || !JSON_NODE_HOLDS_ARRAY (node))
    {
      g_set_error (error, PB_ENGINE_ERROR, PB_ENGINE_ERROR_INVALID_ARGUMENT,
                   "Parameter %s: “choices” must be a list", name);
      return NULL;
    }
  array = json_node_get_array (node);
  for (guint i = 0; i < json_array_get_length (array); i++)
    {
      JsonNode *item = json_array_get_element (array, i);

      if (!JSON_NODE_HOLDS_VALUE (item) || json_node_get_value_type (item) != G_TYPE_STRING)
        {
          g_set_error (error, PB_ENGINE_ERROR, PB_ENGINE_ERROR_UNSUPPORTED,
                       "Parameter %s: only text choices are supported", name);
          return NULL;
        }
      g_ptr_array_add (choices, g_strdup (json_node_get_string (item)));
    }
  g_ptr_array_add (choices, NULL);
  return (char **) g_ptr_array_steal (choices, NULL);
}

static PbParam *
param_from_object (const char  *name,
                   const char  *kind,
                   JsonObject  *attributes,
                   GError     **error)
{
  double low = 0, high = 0, step = 0;
  gboolean log = member_bool (attributes, "log");

  if (g_strcmp0 (kind, "float") == 0 || g_strcmp0 (kind, "int") == 0)
    {
      if (!member_double (attributes, "low", &low) || !member_double (attributes, "high", &high))
        {
          g_set_error (error, PB_ENGINE_ERROR, PB_ENGINE_ERROR_INVALID_ARGUMENT,
                       "Parameter %s: “low” and “high” must be numbers", name);
          return NULL;
        }
      if (!member_double (attributes, "step", &step))
        step = g_str_equal (kind, "int") ? 1 : 0;
      if (g_str_equal (kind, "float"))
        return pb_param_new_float (name, low, high, step, log, error);
      if (low != floor (low) || high != floor (high) || step != floor (step))
        {
          g_set_error (error, PB_ENGINE_ERROR, PB_ENGINE_ERROR_INVALID_ARGUMENT,
                       "Parameter %s: an int parameter needs whole-number bounds and step", name);
          return NULL;
        }
      return pb_param_new_int (name, (gint64) low, (gint64) high, (gint64) step, log, error);
    }

  if (g_strcmp0 (kind, "categorical") == 0)
    {
      g_auto(GStrv) choices = member_choices (attributes, "choices", name, error);

      if (choices == NULL)
        return NULL;
      return pb_param_new_categorical (name, (const char * const *) choices, error);
    }

  g_set_error (error, PB_ENGINE_ERROR, PB_ENGINE_ERROR_INVALID_ARGUMENT,
               "Parameter %s: unknown parameter type “%s” (expected float, int or categorical)",
               name, kind != NULL ? kind : "(none)");
  return NULL;
}

/**
 * pb_param_new_from_distribution_json:
 *
 * Parses Optuna's `distribution_json` (the current names FloatDistribution,
 * IntDistribution, CategoricalDistribution and the legacy Uniform/LogUniform/
 * DiscreteUniform/IntUniform/IntLogUniform ones).
 *
 * Returns: (transfer full): the parameter, or %NULL with @error set.
 */
PbParam *
pb_param_new_from_distribution_json (const char  *name,
                                     const char  *json,
                                     GError     **error)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  JsonObject *root, *attributes;
  const char *cls;
  double low = 0, high = 0, step = 0;

  if (!json_parser_load_from_data (parser, json, -1, NULL) ||
      !JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)))
    goto bad;
  root = json_node_get_object (json_parser_get_root (parser));
  cls = json_object_get_string_member_with_default (root, "name", NULL);
  if (cls == NULL || !json_object_has_member (root, "attributes") ||
      !JSON_NODE_HOLDS_OBJECT (json_object_get_member (root, "attributes")))
    goto bad;
  attributes = json_object_get_object_member (root, "attributes");

  if (g_str_equal (cls, "FloatDistribution"))
    return param_from_object (name, "float", attributes, error);
  if (g_str_equal (cls, "IntDistribution"))
    return param_from_object (name, "int", attributes, error);
  if (g_str_equal (cls, "CategoricalDistribution"))
    return param_from_object (name, "categorical", attributes, error);

  member_double (attributes, "low", &low);
  member_double (attributes, "high", &high);
  if (g_str_equal (cls, "UniformDistribution"))
    return pb_param_new_float (name, low, high, 0, FALSE, error);
  if (g_str_equal (cls, "LogUniformDistribution"))
    return pb_param_new_float (name, low, high, 0, TRUE, error);
  if (g_str_equal (cls, "DiscreteUniformDistribution") && member_double (attributes, "q", &step))
    return pb_param_new_float (name, low, high, step, FALSE, error);
  if (g_str_equal (cls, "IntUniformDistribution"))
    {
      if (!member_double (attributes, "step", &step))
        step = 1;
      return pb_param_new_int (name, (gint64) low, (gint64) high, (gint64) step, FALSE, error);
    }
  if (g_str_equal (cls, "IntLogUniformDistribution"))
    return pb_param_new_int (name, (gint64) low, (gint64) high, 1, TRUE, error);

bad:
  g_set_error (error, PB_ENGINE_ERROR, PB_ENGINE_ERROR_INVALID_DATA,
               "Parameter %s: unreadable Optuna distribution %s", name, json);
  return NULL;
}

PbSearchSpace *
pb_search_space_new (void)
{
  PbSearchSpace *self = g_new0 (PbSearchSpace, 1);

  g_atomic_ref_count_init (&self->ref_count);
  self->params = g_ptr_array_new_with_free_func ((GDestroyNotify) pb_param_free);
  return self;
}

PbSearchSpace *
pb_search_space_ref (PbSearchSpace *self)
{
  g_return_val_if_fail (self != NULL, NULL);
  g_atomic_ref_count_inc (&self->ref_count);
  return self;
}

void
pb_search_space_unref (PbSearchSpace *self)
{
  if (self != NULL && g_atomic_ref_count_dec (&self->ref_count))
    {
      g_ptr_array_unref (self->params);
      g_free (self);
    }
}

/**
 * pb_search_space_add:
 * @param: (transfer full): the parameter to append
 *
 * Returns: %FALSE with @error set if a parameter of that name exists.
 */
gboolean
pb_search_space_add (PbSearchSpace  *self,
                     PbParam        *param,
                     GError        **error)
{
  g_return_val_if_fail (self != NULL && param != NULL, FALSE);

  if (pb_search_space_lookup (self, param->name, NULL) != NULL)
    {
      g_set_error (error, PB_ENGINE_ERROR, PB_ENGINE_ERROR_INVALID_ARGUMENT,
                   "Parameter %s is declared twice", param->name);
      pb_param_free (param);
      return FALSE;
    }
  g_ptr_array_add (self->params, param);
  return TRUE;
}

guint
pb_search_space_get_n_params (PbSearchSpace *self)
{
  return self->params->len;
}

const PbParam *
pb_search_space_get_param (PbSearchSpace *self,
                           guint          index)
{
  g_return_val_if_fail (index < self->params->len, NULL);
  return g_ptr_array_index (self->params, index);
}

const PbParam *
pb_search_space_lookup (PbSearchSpace *self,
                        const char    *name,
                        guint         *index)
{
  for (guint i = 0; i < self->params->len; i++)
    {
      const PbParam *param = g_ptr_array_index (self->params, i);

      if (g_str_equal (param->name, name))
        {
          if (index != NULL)
            *index = i;
          return param;
        }
    }
  return NULL;
}

gboolean
pb_search_space_equal (PbSearchSpace *a,
                       PbSearchSpace *b)
{
  if (a->params->len != b->params->len)
    return FALSE;
  for (guint i = 0; i < a->params->len; i++)
    if (!pb_param_equal (g_ptr_array_index (a->params, i), g_ptr_array_index (b->params, i)))
      return FALSE;
  return TRUE;
}

/**
 * pb_search_space_new_from_json:
 *
 * Returns: (transfer full): the space described by @json (format in the file
 *   comment), or %NULL with @error set naming the offending parameter.
 */
PbSearchSpace *
pb_search_space_new_from_json (const char  *json,
                               GError     **error)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(PbSearchSpace) self = NULL;
  g_autoptr(GError) local_error = NULL;
  JsonObject *root;
  JsonNode *params;
  JsonArray *array;

  if (!json_parser_load_from_data (parser, json, -1, &local_error))
    {
      g_set_error (error, PB_ENGINE_ERROR, PB_ENGINE_ERROR_INVALID_DATA,
                   "Search space is not valid JSON: %s", local_error->message);
      return NULL;
    }
  if (!JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)) ||
      (root = json_node_get_object (json_parser_get_root (parser))) == NULL ||
      (params = json_object_get_member (root, "params")) == NULL ||
      !JSON_NODE_HOLDS_ARRAY (params))
    {
      g_set_error (error, PB_ENGINE_ERROR, PB_ENGINE_ERROR_INVALID_DATA,
                   "Search space JSON must be an object with a “params” list");
      return NULL;
    }

  self = pb_search_space_new ();
  array = json_node_get_array (params);
  if (json_array_get_length (array) == 0)
    {
      g_set_error (error, PB_ENGINE_ERROR, PB_ENGINE_ERROR_INVALID_ARGUMENT,
                   "Search space has no parameters");
      return NULL;
    }
  for (guint i = 0; i < json_array_get_length (array); i++)
    {
      JsonNode *node = json_array_get_element (array, i);
      JsonObject *object;
      const char *name, *type;
      PbParam *param;

      if (!JSON_NODE_HOLDS_OBJECT (node))
        {
          g_set_error (error, PB_ENGINE_ERROR, PB_ENGINE_ERROR_INVALID_DATA,
                       "Search space: entry %u is not an object", i);
          return NULL;
        }
      object = json_node_get_object (node);
      name = json_object_get_string_member_with_default (object, "name", NULL);
      type = json_object_get_string_member_with_default (object, "type", NULL);
      if (!check_name (name, error))
        return NULL;
      param = param_from_object (name, type, object, error);
      if (param == NULL || !pb_search_space_add (self, param, error))
        return NULL;
    }

  return g_steal_pointer (&self);
}

/**
 * pb_search_space_to_json:
 *
 * Returns: (transfer full): the space as JSON that pb_search_space_new_from_json()
 *   reads back to an equal space.
 */
char *
pb_search_space_to_json (PbSearchSpace *self)
{
  GString *out = g_string_new ("{\"params\": [");

  for (guint i = 0; i < self->params->len; i++)
    {
      const PbParam *param = g_ptr_array_index (self->params, i);

      g_string_append_printf (out, "%s\n  {\"name\": ", i > 0 ? "," : "");
      append_json_string (out, param->name);
      g_string_append (out, ", ");
      switch (param->kind)
        {
        case PB_PARAM_KIND_FLOAT:
          g_string_append (out, "\"type\": \"float\", \"low\": ");
          append_python_float (out, param->low);
          g_string_append (out, ", \"high\": ");
          append_python_float (out, param->high);
          if (param->step > 0)
            {
              g_string_append (out, ", \"step\": ");
              append_python_float (out, param->step);
            }
          break;

        case PB_PARAM_KIND_INT:
          g_string_append_printf (out, "\"type\": \"int\", \"low\": %" G_GINT64_FORMAT
                                  ", \"high\": %" G_GINT64_FORMAT ", \"step\": %" G_GINT64_FORMAT,
                                  (gint64) param->low, (gint64) param->high,
                                  (gint64) param->step);
          break;

        case PB_PARAM_KIND_CATEGORICAL:
        default:
          g_string_append (out, "\"type\": \"categorical\", \"choices\": [");
          for (guint c = 0; c < param->n_choices; c++)
            {
              if (c > 0)
                g_string_append (out, ", ");
              append_json_string (out, param->choices[c]);
            }
          g_string_append (out, "]");
          break;
        }
      if (param->log)
        g_string_append (out, ", \"log\": true");
      g_string_append (out, "}");
    }
  g_string_append (out, "\n]}\n");
  return g_string_free (out, FALSE);
}

/**
 * pb_search_space_get_builtin_json:
 * @name: %PB_SEARCH_SPACE_MODEL, %PB_SEARCH_SPACE_ATTACK, %PB_SEARCH_SPACE_ATTACK_FULL
 *   or %PB_SEARCH_SPACE_QUADRATIC
 *
 * Returns: (nullable): the built-in space's JSON, or %NULL for an unknown name.
 */
const char *
pb_search_space_get_builtin_json (const char *name)
{
  if (g_strcmp0 (name, PB_SEARCH_SPACE_MODEL) == 0)
    return builtin_model_json;
  if (g_strcmp0 (name, PB_SEARCH_SPACE_ATTACK) == 0)
    return builtin_attack_json;
  if (g_strcmp0 (name, PB_SEARCH_SPACE_ATTACK_FULL) == 0)
    return builtin_attack_full_json;
  if (g_strcmp0 (name, PB_SEARCH_SPACE_QUADRATIC) == 0)
    return builtin_quadratic_json;
  return NULL;
}

PbSearchSpace *
pb_search_space_new_builtin (const char  *name,
                             GError     **error)
{
  const char *json = pb_search_space_get_builtin_json (name);

  if (json == NULL)
    {
      g_set_error (error, PB_ENGINE_ERROR, PB_ENGINE_ERROR_NOT_FOUND,
                   "No built-in search space called “%s” "
                   "(known: model, attack, attack-full, quadratic)",
                   name);
      return NULL;
    }
  return pb_search_space_new_from_json (json, error);
}
