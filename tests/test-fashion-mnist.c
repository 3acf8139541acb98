/* test-fashion-mnist.c — the Fashion-MNIST loader: real files when Debian's
 * dataset-fashion-mnist is installed (skipped otherwise), and bad input made
 * here (missing files, wrong magic, truncated data).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "pb-error.h"
#include "pb-fashion-mnist.h"

#include "pb-test-util.h"

#include <string.h>
#include <zlib.h>

static void
test_real_files (void)
{
  g_autoptr(PbDataset) train = NULL;
  g_autoptr(PbDataset) test = NULL;
  g_autoptr(GError) error = NULL;
  const gint first_labels[] = { 9, 0, 0, 3, 0, 2, 7, 2 };
  const gint first_test_labels[] = { 9, 2, 1, 1, 6, 1, 4, 6 };
  float *seq;

  if (!pb_fashion_mnist_is_available (NULL))
    {
      g_test_skip ("dataset-fashion-mnist is not installed (" PB_FASHION_MNIST_DEFAULT_DIR ")");
      return;
    }

  train = pb_fashion_mnist_load (NULL, PB_FASHION_MNIST_SPLIT_TRAIN, 100, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (train->n, ==, 100);
  g_assert_cmpuint (train->max_len, ==, 28);
  g_assert_cmpuint (train->n_features, ==, 28);
  g_assert_cmpuint (train->n_classes, ==, 10);
  g_assert_true (pb_dataset_validate (train, &error));
  g_assert_no_error (error);
  for (guint i = 0; i < G_N_ELEMENTS (first_labels); i++)
    g_assert_cmpint (train->labels[i], ==, first_labels[i]);
  g_assert_cmpuint (train->lengths[0], ==, 28);
  g_assert_cmpint (train->sample_ids[7], ==, 7);

  /* pixel (row 14, column 20) of image 0 is 216; (5, 5) of image 1 is 226 */
  seq = pb_dataset_get_sequence (train, 0);
  g_assert_cmpfloat (seq[0], ==, 0.0f);
  g_assert_cmpfloat (seq[14 * 28 + 20], ==, 216 / 255.0f);
  seq = pb_dataset_get_sequence (train, 1);
  g_assert_cmpfloat (seq[5 * 28 + 5], ==, 226 / 255.0f);
  g_assert_cmpfloat (seq[20 * 28 + 14], ==, 213 / 255.0f);
  for (gsize k = 0; k < (gsize) train->n * 28 * 28; k++)
    g_assert_true (train->x[k] >= 0.0f && train->x[k] <= 1.0f);

  test = pb_fashion_mnist_load (NULL, PB_FASHION_MNIST_SPLIT_TEST, 0, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (test->n, ==, 10000);
  for (guint i = 0; i < G_N_ELEMENTS (first_test_labels); i++)
    g_assert_cmpint (test->labels[i], ==, first_test_labels[i]);
  g_assert_cmpfloat (pb_dataset_get_sequence (test, 0)[14 * 28 + 20], ==, 149 / 255.0f);
  g_assert_cmpstr (test->name, ==, "fashion-mnist-test");
}

static void
write_gz (const char   *dir,
          const char   *name,
          const guint8 *data,
          gsize         size)
{
  g_autofree char *path = g_build_filename (dir, name, NULL);
  gzFile gz = gzopen (path, "wb");

  g_assert_nonnull (gz);
  if (size > 0)
    g_assert_cmpint (gzwrite (gz, data, (unsigned) size), ==, (int) size);
  g_assert_cmpint (gzclose (gz), ==, Z_OK);
}

static gsize
put_u32 (guint8  *buf,
         guint32  v)
{
  v = GUINT32_TO_BE (v);
  memcpy (buf, &v, 4);
  return 4;
}

/* n images of 28×28 (pixel value = image index) and n labels (index % 10) */
static void
write_fake (const char *dir,
            guint32     label_magic,
            guint32     image_magic,
            guint       n,
            gsize       cut_images)
{
  g_autofree guint8 *labels = g_malloc (8 + n);
  g_autofree guint8 *images = g_malloc (16 + (gsize) n * 784);
  gsize pos;

  pos = put_u32 (labels, label_magic);
  pos += put_u32 (labels + pos, n);
  for (guint i = 0; i < n; i++)
    labels[pos + i] = i % 10;
  write_gz (dir, "train-labels-idx1-ubyte.gz", labels, pos + n);

  pos = put_u32 (images, image_magic);
  pos += put_u32 (images + pos, n);
  pos += put_u32 (images + pos, 28);
  pos += put_u32 (images + pos, 28);
  memset (images + pos, 0, (gsize) n * 784);
  for (guint i = 0; i < n; i++)
    images[pos + (gsize) i * 784 + 100] = (guint8) (i * 10);
  write_gz (dir, "train-images-idx3-ubyte.gz", images, pos + (gsize) n * 784 - cut_images);
}

static void
test_bad_input (void)
{
  g_autofree char *dir = pb_test_mkdtemp ();
  g_autoptr(PbDataset) ds = NULL;
  g_autoptr(GError) error = NULL;

  /* nothing there */
  ds = pb_fashion_mnist_load (dir, PB_FASHION_MNIST_SPLIT_TRAIN, 0, &error);
  g_assert_null (ds);
  g_assert_error (error, PB_ENGINE_ERROR, PB_ENGINE_ERROR_NOT_FOUND);
  g_assert_nonnull (strstr (error->message, "train-labels-idx1-ubyte.gz"));
  g_clear_error (&error);
  g_assert_false (pb_fashion_mnist_is_available (dir));

  /* good fake files load */
  write_fake (dir, 0x801, 0x803, 5, 0);
  ds = pb_fashion_mnist_load (dir, PB_FASHION_MNIST_SPLIT_TRAIN, 0, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (ds->n, ==, 5);
  g_assert_cmpint (ds->labels[3], ==, 3);
  g_assert_cmpfloat (pb_dataset_get_sequence (ds, 4)[100], ==, 40 / 255.0f);
  g_clear_pointer (&ds, pb_dataset_free);

  /* test split files missing */
  ds = pb_fashion_mnist_load (dir, PB_FASHION_MNIST_SPLIT_TEST, 0, &error);
  g_assert_error (error, PB_ENGINE_ERROR, PB_ENGINE_ERROR_NOT_FOUND);
  g_clear_error (&error);

  /* wrong magic: labels and images swapped */
  write_fake (dir, 0x803, 0x803, 5, 0);
  ds = pb_fashion_mnist_load (dir, PB_FASHION_MNIST_SPLIT_TRAIN, 0, &error);
  g_assert_null (ds);
  g_assert_error (error, PB_ENGINE_ERROR, PB_ENGINE_ERROR_CORRUPT);
  g_assert_nonnull (strstr (error->message, "not an IDX label file"));
  g_clear_error (&error);

  write_fake (dir, 0x801, 0x801, 5, 0);
  ds = pb_fashion_mnist_load (dir, PB_FASHION_MNIST_SPLIT_TRAIN, 0, &error);
  g_assert_error (error, PB_ENGINE_ERROR, PB_ENGINE_ERROR_CORRUPT);
  g_assert_nonnull (strstr (error->message, "not an IDX image file"));
  g_clear_error (&error);

  /* truncated image data; a limit that stops before the cut still loads */
  write_fake (dir, 0x801, 0x803, 5, 300);
  ds = pb_fashion_mnist_load (dir, PB_FASHION_MNIST_SPLIT_TRAIN, 0, &error);
  g_assert_null (ds);
  g_assert_error (error, PB_ENGINE_ERROR, PB_ENGINE_ERROR_CORRUPT);
  g_assert_nonnull (strstr (error->message, "truncated"));
  g_clear_error (&error);

  ds = pb_fashion_mnist_load (dir, PB_FASHION_MNIST_SPLIT_TRAIN, 4, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (ds->n, ==, 4);
  g_clear_pointer (&ds, pb_dataset_free);

  /* a file that is not gzip at all reads as raw bytes with zlib: wrong magic */
  {
    g_autofree char *path = g_build_filename (dir, "train-labels-idx1-ubyte.gz", NULL);

    g_assert_true (g_file_set_contents (path, "hello", 5, NULL));
    ds = pb_fashion_mnist_load (dir, PB_FASHION_MNIST_SPLIT_TRAIN, 0, &error);
    g_assert_null (ds);
    g_assert_error (error, PB_ENGINE_ERROR, PB_ENGINE_ERROR_CORRUPT);
    g_clear_error (&error);
  }

  pb_test_rmdir (dir);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/pb/fashion-mnist/real-files", test_real_files);
  g_test_add_func ("/pb/fashion-mnist/bad-input", test_bad_input);

  return g_test_run ();
}
