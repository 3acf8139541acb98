/* pb-fashion-mnist.c — read the gzip'd IDX files of Fashion-MNIST.
 *
 * IDX: big-endian u32 magic (0x801 labels, 0x803 images), u32 counts (n; for
 * images also rows, cols), then one unsigned byte per label or pixel. Each
 * 28×28 image becomes a sequence of 28 time steps (rows) × 28 features
 * (columns), pixel / 255 in [0, 1], every sequence full length.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "pb-fashion-mnist.h"

#include "pb-error.h"

#include <zlib.h>

#define IDX_LABELS 0x00000801
#define IDX_IMAGES 0x00000803
#define N_CLASSES  10

typedef struct
{
  gzFile      gz;
  const char *path;
} Reader;

static gboolean
read_exact (Reader   *r,
            void     *buf,
            gsize     size,
            GError  **error)
{
  guint8 *p = buf;

  while (size > 0)
    {
      unsigned chunk = (unsigned) MIN (size, (gsize) G_MAXINT / 2);
      int got = gzread (r->gz, p, chunk);

      if (got < 0)
        {
          int errnum;
          const char *msg = gzerror (r->gz, &errnum);

          g_set_error (error, PB_ENGINE_ERROR, PB_ENGINE_ERROR_CORRUPT,
                       "%s: cannot decompress: %s", r->path, msg);
          return FALSE;
        }
      if (got == 0)
        {
          g_set_error (error, PB_ENGINE_ERROR, PB_ENGINE_ERROR_CORRUPT,
                       "%s: truncated (%" G_GSIZE_FORMAT " more bytes expected)",
                       r->path, size);
          return FALSE;
        }
      p += got;
      size -= (gsize) got;
    }

  return TRUE;
}

static gboolean
read_u32 (Reader   *r,
          guint32  *out,
          GError  **error)
{
  guint32 v;

  if (!read_exact (r, &v, 4, error))
    return FALSE;
  *out = GUINT32_FROM_BE (v);
  return TRUE;
}

static gboolean
open_reader (Reader      *r,
             const char  *path,
             GError     **error)
{
  r->path = path;
  if (!g_file_test (path, G_FILE_TEST_IS_REGULAR))
    {
      g_set_error (error, PB_ENGINE_ERROR, PB_ENGINE_ERROR_NOT_FOUND,
                   "%s: no such file (is the dataset-fashion-mnist package installed?)",
                   path);
      return FALSE;
    }
  r->gz = gzopen (path, "rb");
  if (r->gz == NULL)
    {
      g_set_error (error, PB_ENGINE_ERROR, PB_ENGINE_ERROR_FAILED,
                   "%s: cannot open", path);
      return FALSE;
    }
  return TRUE;
}

static void
close_reader (Reader *r)
{
  if (r->gz != NULL)
    gzclose (r->gz);
  r->gz = NULL;
}

static gboolean
read_header (Reader     *r,
             guint32     magic,
             guint       n_dims,
             guint32    *dims,
             GError    **error)
{
  guint32 m;

  if (!read_u32 (r, &m, error))
    return FALSE;
  if (m != magic)
    {
      g_set_error (error, PB_ENGINE_ERROR, PB_ENGINE_ERROR_CORRUPT,
                   "%s: not an IDX %s file (magic 0x%08x, expected 0x%08x)",
                   r->path, magic == IDX_LABELS ? "label" : "image", m, magic);
      return FALSE;
    }
  for (guint d = 0; d < n_dims; d++)
    if (!read_u32 (r, &dims[d], error))
      return FALSE;

  return TRUE;
}

/**
 * pb_fashion_mnist_is_available:
 * @dir: (nullable): where the `*-ubyte.gz` files are; %NULL for
 *   %PB_FASHION_MNIST_DEFAULT_DIR
 *
 * Returns: whether all four files exist
 */
gboolean
pb_fashion_mnist_is_available (const char *dir)
{
  const char *files[] = {
    "train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz",
    "t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz",
  };

  if (dir == NULL)
    dir = PB_FASHION_MNIST_DEFAULT_DIR;

  for (guint i = 0; i < G_N_ELEMENTS (files); i++)
    {
      g_autofree char *path = g_build_filename (dir, files[i], NULL);

      if (!g_file_test (path, G_FILE_TEST_IS_REGULAR))
        return FALSE;
    }

  return TRUE;
}

/**
 * pb_fashion_mnist_load:
 * @dir: (nullable): %NULL for %PB_FASHION_MNIST_DEFAULT_DIR
 * @split: train or test files
 * @limit: keep only the first @limit images; 0 for all
 *
 * Returns: (transfer full) (nullable): n × 28 × 28 sequences in [0, 1], 10
 *   classes, sample ids = image index; or %NULL with @error set
 *   (%PB_ENGINE_ERROR_NOT_FOUND for a missing file, %PB_ENGINE_ERROR_CORRUPT
 *   for a wrong magic, mismatched counts or a truncated file)
 */
PbDataset *
pb_fashion_mnist_load (const char           *dir,
                       PbFashionMnistSplit   split,
                       guint                 limit,
                       GError              **error)
{
  const char *prefix = split == PB_FASHION_MNIST_SPLIT_TRAIN ? "train" : "t10k";
  g_autofree char *images_name = g_strdup_printf ("%s-images-idx3-ubyte.gz", prefix);
  g_autofree char *labels_name = g_strdup_printf ("%s-labels-idx1-ubyte.gz", prefix);
  g_autofree char *images_path = NULL;
  g_autofree char *labels_path = NULL;
  g_autoptr(PbDataset) ds = NULL;
  g_autofree guint8 *pixels = NULL;
  g_autofree guint8 *labels = NULL;
  Reader r = { 0 };
  guint32 n_labels;
  guint32 dims[3];
  guint n;
  gsize image_size;

  if (dir == NULL)
    dir = PB_FASHION_MNIST_DEFAULT_DIR;
  images_path = g_build_filename (dir, images_name, NULL);
  labels_path = g_build_filename (dir, labels_name, NULL);

  /* labels */
  if (!open_reader (&r, labels_path, error))
    return NULL;
  if (!read_header (&r, IDX_LABELS, 1, &n_labels, error))
    {
      close_reader (&r);
      return NULL;
    }
  n = limit > 0 ? MIN (limit, n_labels) : n_labels;
  labels = g_malloc (MAX (n, 1));
  if (!read_exact (&r, labels, n, error))
    {
      close_reader (&r);
      return NULL;
    }
  close_reader (&r);

  /* images */
  if (!open_reader (&r, images_path, error))
    return NULL;
  if (!read_header (&r, IDX_IMAGES, 3, dims, error))
    {
      close_reader (&r);
      return NULL;
    }
  if (dims[0] != n_labels || dims[1] != 28 || dims[2] != 28)
    {
      g_set_error (error, PB_ENGINE_ERROR, PB_ENGINE_ERROR_CORRUPT,
                   "%s: holds %u images of %u×%u, expected %u images of 28×28",
                   images_path, dims[0], dims[1], dims[2], n_labels);
      close_reader (&r);
      return NULL;
    }
  image_size = (gsize) dims[1] * dims[2];
  pixels = g_malloc (MAX ((gsize) n * image_size, 1));
  if (!read_exact (&r, pixels, (gsize) n * image_size, error))
    {
      close_reader (&r);
      return NULL;
    }
  close_reader (&r);

  ds = pb_dataset_new (n, dims[1], dims[2], N_CLASSES);
  for (guint i = 0; i < n; i++)
    {
      if (labels[i] >= N_CLASSES)
        {
          g_set_error (error, PB_ENGINE_ERROR, PB_ENGINE_ERROR_CORRUPT,
                       "%s: label %u of image %u is not in 0…9", labels_path, labels[i], i);
          return NULL;
        }
      ds->labels[i] = labels[i];
      ds->lengths[i] = dims[1];
      ds->sample_ids[i] = i;
    }
  for (gsize k = 0; k < (gsize) n * image_size; k++)
    ds->x[k] = pixels[k] / 255.0f;

  ds->feature_names = g_new0 (char *, dims[2] + 1);
  for (guint j = 0; j < dims[2]; j++)
    ds->feature_names[j] = g_strdup_printf ("column %u", j);
  ds->name = g_strdup_printf ("fashion-mnist-%s", split == PB_FASHION_MNIST_SPLIT_TRAIN
                              ? "train" : "test");

  return g_steal_pointer (&ds);
}
