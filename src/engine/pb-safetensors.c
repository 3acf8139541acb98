/* pb-safetensors.c — read and write the safetensors format (engine-notes §7).
 *
 * Layout: u64 little-endian header length N, N bytes of UTF-8 JSON (padded with
 * spaces), then the tensors' bytes, row-major, little-endian, tiling the data
 * region from offset 0 without gaps. Reading checks every rule the reference
 * Rust reader checks, so a file we accept is one PyTorch accepts and the other
 * way round.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "pb-safetensors.h"

#include "pb-error.h"

#include <json-glib/json-glib.h>
#include <string.h>

/* the reference reader's limit on the header */
#define MAX_HEADER_SIZE 100000000

struct _PbSafetensors
{
  GPtrArray  *tensors;   /* (element-type PbTensor), file/insertion order */
  GHashTable *by_name;   /* name → PbTensor, borrowed */
  GHashTable *metadata;  /* string → string */
};

typedef struct
{
  PbTensor *tensor;
  guint64   begin;
  guint64   end;
  guint     elem_size;
} Entry;

static void
pb_tensor_free (PbTensor *tensor)
{
  g_free (tensor->name);
  g_free (tensor->data);
  g_free (tensor);
}

PbSafetensors *
pb_safetensors_new (void)
{
  PbSafetensors *self = g_new0 (PbSafetensors, 1);

  self->tensors = g_ptr_array_new_with_free_func ((GDestroyNotify) pb_tensor_free);
  self->by_name = g_hash_table_new (g_str_hash, g_str_equal);
  self->metadata = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);

  return self;
}

void
pb_safetensors_free (PbSafetensors *self)
{
  if (self == NULL)
    return;

  g_hash_table_unref (self->by_name);
  g_ptr_array_unref (self->tensors);
  g_hash_table_unref (self->metadata);
  g_free (self);
}

guint
pb_safetensors_get_n_tensors (const PbSafetensors *self)
{
  g_return_val_if_fail (self != NULL, 0);

  return self->tensors->len;
}

const PbTensor *
pb_safetensors_get_nth (const PbSafetensors *self,
                        guint                i)
{
  g_return_val_if_fail (self != NULL, NULL);
  g_return_val_if_fail (i < self->tensors->len, NULL);

  return g_ptr_array_index (self->tensors, i);
}

/**
 * pb_safetensors_lookup:
 *
 * Returns: (nullable) (transfer none): the tensor called @name, or %NULL
 */
const PbTensor *
pb_safetensors_lookup (const PbSafetensors *self,
                       const char          *name)
{
  g_return_val_if_fail (self != NULL, NULL);
  g_return_val_if_fail (name != NULL, NULL);

  return g_hash_table_lookup (self->by_name, name);
}

static gboolean
shape_product (guint        n_dims,
               const gsize *shape,
               gsize       *n_elements)
{
  gsize n = 1;

  for (guint d = 0; d < n_dims; d++)
    {
      if (shape[d] != 0 && n > G_MAXSIZE / 4 / shape[d])
        return FALSE;
      n *= shape[d];
    }

  *n_elements = n;
  return TRUE;
}

/**
 * pb_safetensors_add:
 * @name: the tensor's name; replaces a tensor of the same name
 * @shape: (array length=n_dims)
 * @data: (nullable): prod(@shape) floats to copy, or %NULL for zeros
 *
 * Returns: (transfer none): the new tensor, owned by @self
 */
PbTensor *
pb_safetensors_add (PbSafetensors *self,
                    const char    *name,
                    guint          n_dims,
                    const gsize   *shape,
                    const float   *data)
{
  PbTensor *tensor;
  PbTensor *old;
  gsize n_elements;

  g_return_val_if_fail (self != NULL, NULL);
  g_return_val_if_fail (name != NULL && *name != '\0', NULL);
  g_return_val_if_fail (!g_str_equal (name, "__metadata__"), NULL);
  g_return_val_if_fail (n_dims <= PB_TENSOR_MAX_DIMS, NULL);
  g_return_val_if_fail (n_dims == 0 || shape != NULL, NULL);

  if (!shape_product (n_dims, shape, &n_elements))
    g_return_val_if_reached (NULL);

  old = g_hash_table_lookup (self->by_name, name);
  if (old != NULL)
    {
      g_hash_table_remove (self->by_name, name);
      g_ptr_array_remove (self->tensors, old);
    }

  tensor = g_new0 (PbTensor, 1);
  tensor->name = g_strdup (name);
  tensor->n_dims = n_dims;
  for (guint d = 0; d < n_dims; d++)
    tensor->shape[d] = shape[d];
  tensor->n_elements = n_elements;
  tensor->data = g_new0 (float, MAX (n_elements, 1));
  if (data != NULL && n_elements > 0)
    memcpy (tensor->data, data, n_elements * sizeof (float));
  tensor->file_dtype = PB_TENSOR_DTYPE_F32;

  g_ptr_array_add (self->tensors, tensor);
  g_hash_table_insert (self->by_name, tensor->name, tensor);

  return tensor;
}

static char *
format_shape (guint        n_dims,
              const gsize *shape)
{
  GString *s = g_string_new ("[");

  for (guint d = 0; d < n_dims; d++)
    g_string_append_printf (s, "%s%" G_GSIZE_FORMAT, d > 0 ? ", " : "", shape[d]);
  g_string_append_c (s, ']');

  return g_string_free (s, FALSE);
}

/**
 * pb_safetensors_get_checked:
 * @shape: (array length=n_dims): the shape the caller expects
 * @out: where to copy prod(@shape) floats
 *
 * Copies the tensor @name into @out after checking that it exists and has
 * exactly @shape.
 *
 * Returns: %TRUE on success; otherwise @error names the tensor and the problem
 */
gboolean
pb_safetensors_get_checked (const PbSafetensors *self,
                            const char          *name,
                            guint                n_dims,
                            const gsize         *shape,
                            float               *out,
                            GError             **error)
{
  const PbTensor *tensor;
  gboolean same;

  g_return_val_if_fail (self != NULL, FALSE);
  g_return_val_if_fail (name != NULL, FALSE);

  tensor = pb_safetensors_lookup (self, name);
  if (tensor == NULL)
    {
      g_set_error (error, PB_ENGINE_ERROR, PB_ENGINE_ERROR_INVALID_DATA,
                   "Tensor “%s” is missing", name);
      return FALSE;
    }

  same = tensor->n_dims == n_dims;
  for (guint d = 0; same && d < n_dims; d++)
    same = tensor->shape[d] == shape[d];
  if (!same)
    {
      g_autofree char *want = format_shape (n_dims, shape);
      g_autofree char *have = format_shape (tensor->n_dims, tensor->shape);

      g_set_error (error, PB_ENGINE_ERROR, PB_ENGINE_ERROR_INVALID_DATA,
                   "Tensor “%s” has shape %s, expected %s", name, have, want);
      return FALSE;
    }

  if (tensor->n_elements > 0)
    memcpy (out, tensor->data, tensor->n_elements * sizeof (float));

  return TRUE;
}

void
pb_safetensors_set_metadata (PbSafetensors *self,
                             const char    *key,
                             const char    *value)
{
  g_return_if_fail (self != NULL);
  g_return_if_fail (key != NULL);

  if (value == NULL)
    g_hash_table_remove (self->metadata, key);
  else
    g_hash_table_insert (self->metadata, g_strdup (key), g_strdup (value));
}

const char *
pb_safetensors_get_metadata (const PbSafetensors *self,
                             const char          *key)
{
  g_return_val_if_fail (self != NULL, NULL);
  g_return_val_if_fail (key != NULL, NULL);

  return g_hash_table_lookup (self->metadata, key);
}

/**
 * pb_safetensors_get_all_metadata:
 *
 * Returns: (transfer none): the `__metadata__` map, string → string
 */
GHashTable *
pb_safetensors_get_all_metadata (const PbSafetensors *self)
{
  g_return_val_if_fail (self != NULL, NULL);

  return self->metadata;
}

/* Writing */

static void
append_json_string (GString    *s,
                    const char *str)
{
  g_string_append_c (s, '"');
  for (const unsigned char *p = (const unsigned char *) str; *p != '\0'; p++)
    {
      if (*p == '"' || *p == '\\')
        {
          g_string_append_c (s, '\\');
          g_string_append_c (s, (char) *p);
        }
      else if (*p < 0x20)
        g_string_append_printf (s, "\\u%04x", *p);
      else
        g_string_append_c (s, (char) *p);
    }
  g_string_append_c (s, '"');
}

/**
 * pb_safetensors_to_bytes:
 *
 * Serialises every tensor as F32 in insertion order, with the metadata (if
 * any) as `__metadata__`. The header is padded with spaces to a multiple of 8
 * bytes so the data region is 8-byte aligned, as the reference writer does.
 *
 * Returns: (transfer full): the file's bytes
 */
GBytes *
pb_safetensors_to_bytes (const PbSafetensors *self)
{
  g_autoptr(GString) header = g_string_new ("{");
  g_autoptr(GList) keys = NULL;
  guint64 offset = 0;
  guint64 header_len;
  guint64 header_len_le;
  guint8 *buf;
  gsize total;
  gsize pos;
  gboolean first = TRUE;

  g_return_val_if_fail (self != NULL, NULL);

  if (g_hash_table_size (self->metadata) > 0)
    {
      keys = g_list_sort (g_hash_table_get_keys (self->metadata), (GCompareFunc) strcmp);
      g_string_append (header, "\"__metadata__\":{");
      for (GList *l = keys; l != NULL; l = l->next)
        {
          if (l != keys)
            g_string_append_c (header, ',');
          append_json_string (header, l->data);
          g_string_append_c (header, ':');
          append_json_string (header, g_hash_table_lookup (self->metadata, l->data));
        }
      g_string_append_c (header, '}');
      first = FALSE;
    }

  for (guint i = 0; i < self->tensors->len; i++)
    {
      const PbTensor *t = g_ptr_array_index (self->tensors, i);
      guint64 nbytes = (guint64) t->n_elements * 4;

      if (!first)
        g_string_append_c (header, ',');
      first = FALSE;
      append_json_string (header, t->name);
      g_string_append (header, ":{\"dtype\":\"F32\",\"shape\":[");
      for (guint d = 0; d < t->n_dims; d++)
        g_string_append_printf (header, "%s%" G_GUINT64_FORMAT, d > 0 ? "," : "",
                                (guint64) t->shape[d]);
      g_string_append_printf (header, "],\"data_offsets\":[%" G_GUINT64_FORMAT ",%"
                              G_GUINT64_FORMAT "]}", offset, offset + nbytes);
      offset += nbytes;
    }
  g_string_append_c (header, '}');
  while (header->len % 8 != 0)
    g_string_append_c (header, ' ');

  header_len = header->len;
  total = 8 + header->len + offset;
  buf = g_malloc (total);
  header_len_le = GUINT64_TO_LE (header_len);
  memcpy (buf, &header_len_le, 8);
  memcpy (buf + 8, header->str, header->len);
  pos = 8 + header->len;

  for (guint i = 0; i < self->tensors->len; i++)
    {
      const PbTensor *t = g_ptr_array_index (self->tensors, i);

#if G_BYTE_ORDER == G_LITTLE_ENDIAN
      memcpy (buf + pos, t->data, t->n_elements * 4);
#else
      for (gsize k = 0; k < t->n_elements; k++)
        {
          guint32 u;

          memcpy (&u, &t->data[k], 4);
          u = GUINT32_TO_LE (u);
          memcpy (buf + pos + 4 * k, &u, 4);
        }
#endif
      pos += t->n_elements * 4;
    }
  g_assert (pos == total);

  return g_bytes_new_take (buf, total);
}

gboolean
pb_safetensors_save (const PbSafetensors *self,
                     const char          *path,
                     GError             **error)
{
  g_autoptr(GBytes) bytes = NULL;
  gsize size;
  const char *data;

  g_return_val_if_fail (self != NULL, FALSE);
  g_return_val_if_fail (path != NULL, FALSE);

  bytes = pb_safetensors_to_bytes (self);
  data = g_bytes_get_data (bytes, &size);
  if (!g_file_set_contents (path, data, size, error))
    {
      g_prefix_error (error, "Writing %s: ", path);
      return FALSE;
    }

  return TRUE;
}

/* Reading */

static float
half_to_float (guint16 h)
{
  guint32 sign = (guint32) (h & 0x8000) << 16;
  guint32 exp = (h >> 10) & 0x1f;
  guint32 mant = h & 0x3ff;
  guint32 bits;
  float f;

  if (exp == 0)
    {
      /* zero or subnormal: mant · 2^-24 */
      f = (float) mant * (1.0f / 16777216.0f);
      return sign ? -f : f;
    }
  else if (exp == 31)
    bits = sign | 0x7f800000 | (mant << 13);
  else
    bits = sign | ((exp + 112) << 23) | (mant << 13);

  memcpy (&f, &bits, 4);
  return f;
}

static void
convert_data (PbTensor     *tensor,
              const guint8 *src)
{
  for (gsize k = 0; k < tensor->n_elements; k++)
    {
      switch (tensor->file_dtype)
        {
        case PB_TENSOR_DTYPE_F32:
          {
            guint32 u;

            memcpy (&u, src + 4 * k, 4);
            u = GUINT32_FROM_LE (u);
            memcpy (&tensor->data[k], &u, 4);
          }
          break;

        case PB_TENSOR_DTYPE_F64:
          {
            guint64 u;
            double d;

            memcpy (&u, src + 8 * k, 8);
            u = GUINT64_FROM_LE (u);
            memcpy (&d, &u, 8);
            tensor->data[k] = (float) d;
          }
          break;

        case PB_TENSOR_DTYPE_F16:
          {
            guint16 u;

            memcpy (&u, src + 2 * k, 2);
            tensor->data[k] = half_to_float (GUINT16_FROM_LE (u));
          }
          break;

        case PB_TENSOR_DTYPE_BF16:
          {
            guint16 u;
            guint32 bits;

            memcpy (&u, src + 2 * k, 2);
            bits = (guint32) GUINT16_FROM_LE (u) << 16;
            memcpy (&tensor->data[k], &bits, 4);
          }
          break;

        default:
          g_assert_not_reached ();
        }
    }
}

static gboolean
parse_dtype (const char    *name,
             const char    *dtype,
             PbTensorDtype *out,
             guint         *elem_size,
             GError       **error)
{
  static const char *const known_other[] = {
    "BOOL", "U8", "I8", "I16", "U16", "I32", "U32", "I64", "U64",
    "F8_E5M2", "F8_E4M3", "F8_E8M0", "F8_E4M3FNUZ", "F8_E5M2FNUZ",
    "F4", "F6_E2M3", "F6_E3M2", "C64",
  };

  if (g_str_equal (dtype, "F32"))
    *out = PB_TENSOR_DTYPE_F32, *elem_size = 4;
  else if (g_str_equal (dtype, "F64"))
    *out = PB_TENSOR_DTYPE_F64, *elem_size = 8;
  else if (g_str_equal (dtype, "F16"))
    *out = PB_TENSOR_DTYPE_F16, *elem_size = 2;
  else if (g_str_equal (dtype, "BF16"))
    *out = PB_TENSOR_DTYPE_BF16, *elem_size = 2;
  else
    {
      for (guint i = 0; i < G_N_ELEMENTS (known_other); i++)
        {
          if (g_str_equal (dtype, known_other[i]))
            {
              g_set_error (error, PB_ENGINE_ERROR, PB_ENGINE_ERROR_UNSUPPORTED,
                           "Tensor “%s” has dtype %s; only F32, F64, F16 and BF16 "
                           "tensors can be read", name, dtype);
              return FALSE;
            }
        }
      g_set_error (error, PB_ENGINE_ERROR, PB_ENGINE_ERROR_CORRUPT,
                   "Tensor “%s” has unknown dtype “%s”", name, dtype);
      return FALSE;
    }

  return TRUE;
}

static gboolean
get_uint (JsonNode   *node,
          guint64    *out)
{
  gint64 v;

  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node) ||
      json_node_get_value_type (node) != G_TYPE_INT64)
    return FALSE;

  v = json_node_get_int (node);
  if (v < 0)
    return FALSE;

  *out = (guint64) v;
  return TRUE;
}

static gboolean
parse_entry (const char  *name,
             JsonNode    *node,
             Entry       *entry,
             GError     **error)
{
  g_autofree char *ename = g_strescape (name, NULL);
  JsonObject *obj;
  JsonNode *dtype_node;
  JsonArray *shape;
  JsonArray *offsets;
  PbTensorDtype dtype;
  guint elem_size;
  gsize dims[PB_TENSOR_MAX_DIMS];
  guint n_dims;
  gsize n_elements;
  guint64 begin;
  guint64 end;

  if (!JSON_NODE_HOLDS_OBJECT (node))
    {
      g_set_error (error, PB_ENGINE_ERROR, PB_ENGINE_ERROR_CORRUPT,
                   "Header entry “%s” is not an object", ename);
      return FALSE;
    }
  obj = json_node_get_object (node);

  dtype_node = json_object_get_member (obj, "dtype");
  if (dtype_node == NULL || !JSON_NODE_HOLDS_VALUE (dtype_node) ||
      json_node_get_value_type (dtype_node) != G_TYPE_STRING)
    {
      g_set_error (error, PB_ENGINE_ERROR, PB_ENGINE_ERROR_CORRUPT,
                   "Tensor “%s” has no dtype string", ename);
      return FALSE;
    }
  if (!parse_dtype (ename, json_node_get_string (dtype_node), &dtype, &elem_size, error))
    return FALSE;

  if (!json_object_has_member (obj, "shape") ||
      !JSON_NODE_HOLDS_ARRAY (json_object_get_member (obj, "shape")))
    {
      g_set_error (error, PB_ENGINE_ERROR, PB_ENGINE_ERROR_CORRUPT,
                   "Tensor “%s” has no shape array", ename);
      return FALSE;
    }
  shape = json_object_get_array_member (obj, "shape");
  n_dims = json_array_get_length (shape);
  if (n_dims > PB_TENSOR_MAX_DIMS)
    {
      g_set_error (error, PB_ENGINE_ERROR, PB_ENGINE_ERROR_UNSUPPORTED,
                   "Tensor “%s” has %u dimensions; at most %u are supported",
                   ename, n_dims, PB_TENSOR_MAX_DIMS);
      return FALSE;
    }
  for (guint d = 0; d < n_dims; d++)
    {
      guint64 v;

      if (!get_uint (json_array_get_element (shape, d), &v) || v > G_MAXSIZE)
        {
          g_set_error (error, PB_ENGINE_ERROR, PB_ENGINE_ERROR_CORRUPT,
                       "Tensor “%s”: shape entry %u is not a non-negative integer",
                       ename, d);
          return FALSE;
        }
      dims[d] = (gsize) v;
    }
  if (!shape_product (n_dims, dims, &n_elements) || n_elements > G_MAXSIZE / 8)
    {
      g_set_error (error, PB_ENGINE_ERROR, PB_ENGINE_ERROR_CORRUPT,
                   "Tensor “%s”: shape is too large", ename);
      return FALSE;
    }

  if (!json_object_has_member (obj, "data_offsets") ||
      !JSON_NODE_HOLDS_ARRAY (json_object_get_member (obj, "data_offsets")) ||
      json_array_get_length (json_object_get_array_member (obj, "data_offsets")) != 2)
    {
      g_set_error (error, PB_ENGINE_ERROR, PB_ENGINE_ERROR_CORRUPT,
                   "Tensor “%s” has no data_offsets [begin, end]", ename);
      return FALSE;
    }
  offsets = json_object_get_array_member (obj, "data_offsets");
  if (!get_uint (json_array_get_element (offsets, 0), &begin) ||
      !get_uint (json_array_get_element (offsets, 1), &end) || end < begin)
    {
      g_set_error (error, PB_ENGINE_ERROR, PB_ENGINE_ERROR_CORRUPT,
                   "Tensor “%s”: data_offsets must be integers with begin ≤ end", ename);
      return FALSE;
    }
  if (end - begin != (guint64) n_elements * elem_size)
    {
      g_autofree char *s = format_shape (n_dims, dims);

      g_set_error (error, PB_ENGINE_ERROR, PB_ENGINE_ERROR_CORRUPT,
                   "Tensor “%s”: data_offsets [%" G_GUINT64_FORMAT ", %" G_GUINT64_FORMAT
                   "] span %" G_GUINT64_FORMAT " bytes, but shape %s of %s needs %"
                   G_GUINT64_FORMAT, ename, begin, end, end - begin, s,
                   json_node_get_string (dtype_node), (guint64) n_elements * elem_size);
      return FALSE;
    }

  entry->tensor = g_new0 (PbTensor, 1);
  entry->tensor->name = g_strdup (name);
  entry->tensor->n_dims = n_dims;
  for (guint d = 0; d < n_dims; d++)
    entry->tensor->shape[d] = dims[d];
  entry->tensor->n_elements = n_elements;
  entry->tensor->file_dtype = dtype;
  entry->begin = begin;
  entry->end = end;
  entry->elem_size = elem_size;

  return TRUE;
}

static int
compare_entries (gconstpointer a,
                 gconstpointer b)
{
  const Entry *ea = a;
  const Entry *eb = b;

  if (ea->begin != eb->begin)
    return ea->begin < eb->begin ? -1 : 1;
  if (ea->end != eb->end)
    return ea->end < eb->end ? -1 : 1;
  return 0;
}

static void
clear_entry (Entry *entry)
{
  if (entry->tensor != NULL)
    pb_tensor_free (entry->tensor);
  entry->tensor = NULL;
}

static gboolean
parse_metadata (PbSafetensors *self,
                JsonNode      *node,
                GError       **error)
{
  JsonObject *obj;
  g_autoptr(GList) members = NULL;

  if (!JSON_NODE_HOLDS_OBJECT (node))
    {
      g_set_error (error, PB_ENGINE_ERROR, PB_ENGINE_ERROR_CORRUPT,
                   "__metadata__ is not an object");
      return FALSE;
    }
  obj = json_node_get_object (node);
  members = json_object_get_members (obj);
  for (GList *l = members; l != NULL; l = l->next)
    {
      JsonNode *v = json_object_get_member (obj, l->data);

      if (!JSON_NODE_HOLDS_VALUE (v) || json_node_get_value_type (v) != G_TYPE_STRING)
        {
          g_set_error (error, PB_ENGINE_ERROR, PB_ENGINE_ERROR_CORRUPT,
                       "__metadata__ value of “%s” is not a string", (const char *) l->data);
          return FALSE;
        }
      pb_safetensors_set_metadata (self, l->data, json_node_get_string (v));
    }

  return TRUE;
}

/**
 * pb_safetensors_new_from_data:
 * @data: (array length=size): a whole safetensors file
 *
 * Parses and validates @data. Tensors come back in file (offset) order, as
 * float32 whatever their dtype was.
 *
 * Returns: (transfer full) (nullable): the tensors, or %NULL with @error set
 *   (%PB_ENGINE_ERROR_CORRUPT for malformed files, %PB_ENGINE_ERROR_UNSUPPORTED
 *   for valid files with non-float tensors)
 */
PbSafetensors *
pb_safetensors_new_from_data (const guint8  *data,
                              gsize          size,
                              GError       **error)
{
  g_autoptr(PbSafetensors) self = NULL;
  g_autoptr(JsonParser) parser = NULL;
  g_autoptr(GArray) entries = NULL;
  g_autoptr(GList) members = NULL;
  g_autoptr(GError) local_error = NULL;
  JsonNode *root;
  JsonObject *obj;
  guint64 header_len;
  guint64 expect;
  const char *header;

  g_return_val_if_fail (data != NULL || size == 0, NULL);

  if (size < 8)
    {
      g_set_error (error, PB_ENGINE_ERROR, PB_ENGINE_ERROR_CORRUPT,
                   "Not a safetensors file: %" G_GSIZE_FORMAT " bytes is shorter than "
                   "the 8-byte header length", size);
      return NULL;
    }

  memcpy (&header_len, data, 8);
  header_len = GUINT64_FROM_LE (header_len);
  if (header_len > MAX_HEADER_SIZE || header_len > size - 8)
    {
      g_set_error (error, PB_ENGINE_ERROR, PB_ENGINE_ERROR_CORRUPT,
                   "Not a safetensors file: header length %" G_GUINT64_FORMAT
                   " exceeds the file size (%" G_GSIZE_FORMAT " bytes) or the limit of %d",
                   header_len, size, MAX_HEADER_SIZE);
      return NULL;
    }
  if (header_len < 2)
    {
      g_set_error (error, PB_ENGINE_ERROR, PB_ENGINE_ERROR_CORRUPT,
                   "Not a safetensors file: header length %" G_GUINT64_FORMAT
                   " is too short for a JSON object", header_len);
      return NULL;
    }

  header = (const char *) data + 8;
  if (!g_utf8_validate (header, (gssize) header_len, NULL))
    {
      g_set_error (error, PB_ENGINE_ERROR, PB_ENGINE_ERROR_CORRUPT,
                   "Safetensors header is not valid UTF-8");
      return NULL;
    }

  parser = json_parser_new_immutable ();
  if (!json_parser_load_from_data (parser, header, (gssize) header_len, &local_error))
    {
      g_set_error (error, PB_ENGINE_ERROR, PB_ENGINE_ERROR_CORRUPT,
                   "Safetensors header is not valid JSON: %s", local_error->message);
      return NULL;
    }
  root = json_parser_get_root (parser);
  if (root == NULL || !JSON_NODE_HOLDS_OBJECT (root))
    {
      g_set_error (error, PB_ENGINE_ERROR, PB_ENGINE_ERROR_CORRUPT,
                   "Safetensors header is not a JSON object");
      return NULL;
    }

  self = pb_safetensors_new ();
  entries = g_array_new (FALSE, TRUE, sizeof (Entry));
  g_array_set_clear_func (entries, (GDestroyNotify) clear_entry);

  obj = json_node_get_object (root);
  members = json_object_get_members (obj);
  for (GList *l = members; l != NULL; l = l->next)
    {
      const char *name = l->data;
      JsonNode *node = json_object_get_member (obj, name);
      Entry entry = { 0 };

      if (g_str_equal (name, "__metadata__"))
        {
          if (!parse_metadata (self, node, error))
            return NULL;
          continue;
        }
      if (!parse_entry (name, node, &entry, error))
        return NULL;
      g_array_append_val (entries, entry);
    }

  g_array_sort (entries, compare_entries);

  expect = 0;
  for (guint i = 0; i < entries->len; i++)
    {
      Entry *e = &g_array_index (entries, Entry, i);

      if (e->begin != expect)
        {
          g_set_error (error, PB_ENGINE_ERROR, PB_ENGINE_ERROR_CORRUPT,
                       "Tensor “%s” starts at data offset %" G_GUINT64_FORMAT
                       ", expected %" G_GUINT64_FORMAT " (tensors %s)",
                       e->tensor->name, e->begin, expect,
                       e->begin < expect ? "overlap" : "leave a gap");
          return NULL;
        }
      expect = e->end;
    }

  if (expect != size - 8 - header_len)
    {
      if (expect > size - 8 - header_len)
        g_set_error (error, PB_ENGINE_ERROR, PB_ENGINE_ERROR_CORRUPT,
                     "Safetensors file is truncated: tensors need %" G_GUINT64_FORMAT
                     " data bytes, the file has %" G_GUINT64_FORMAT,
                     expect, (guint64) (size - 8 - header_len));
      else
        g_set_error (error, PB_ENGINE_ERROR, PB_ENGINE_ERROR_CORRUPT,
                     "Safetensors file has %" G_GUINT64_FORMAT " bytes after the last "
                     "tensor", (guint64) (size - 8 - header_len) - expect);
      return NULL;
    }

  for (guint i = 0; i < entries->len; i++)
    {
      Entry *e = &g_array_index (entries, Entry, i);
      PbTensor *t = g_steal_pointer (&e->tensor);

      t->data = g_new0 (float, MAX (t->n_elements, 1));
      convert_data (t, data + 8 + header_len + e->begin);
      g_ptr_array_add (self->tensors, t);
      g_hash_table_insert (self->by_name, t->name, t);
    }

  return g_steal_pointer (&self);
}

/**
 * pb_safetensors_load:
 *
 * Returns: (transfer full) (nullable): the tensors of the file at @path
 */
PbSafetensors *
pb_safetensors_load (const char  *path,
                     GError     **error)
{
  g_autoptr(GMappedFile) file = NULL;
  g_autoptr(GError) local_error = NULL;
  PbSafetensors *self;

  g_return_val_if_fail (path != NULL, NULL);

  file = g_mapped_file_new (path, FALSE, &local_error);
  if (file == NULL)
    {
      g_set_error (error, PB_ENGINE_ERROR,
                   g_error_matches (local_error, G_FILE_ERROR, G_FILE_ERROR_NOENT)
                   ? PB_ENGINE_ERROR_NOT_FOUND : PB_ENGINE_ERROR_FAILED,
                   "%s", local_error->message);
      return NULL;
    }

  self = pb_safetensors_new_from_data ((const guint8 *) g_mapped_file_get_contents (file),
                                       g_mapped_file_get_length (file), error);
  if (self == NULL)
    g_prefix_error (error, "%s: ", path);

  return self;
}
