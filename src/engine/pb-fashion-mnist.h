/* pb-fashion-mnist.h — Debian's dataset-fashion-mnist as 28-step sequences.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

#include "pb-dataset.h"

G_BEGIN_DECLS

#define PB_FASHION_MNIST_DEFAULT_DIR "/usr/share/datasets/fashion-mnist"

/**
 * PbFashionMnistSplit:
 * @PB_FASHION_MNIST_SPLIT_TRAIN: the 60,000 training images (`train-*`)
 * @PB_FASHION_MNIST_SPLIT_TEST: the 10,000 test images (`t10k-*`)
 */
typedef enum
{
  PB_FASHION_MNIST_SPLIT_TRAIN,
  PB_FASHION_MNIST_SPLIT_TEST,
} PbFashionMnistSplit;

gboolean   pb_fashion_mnist_is_available (const char           *dir);
PbDataset *pb_fashion_mnist_load         (const char           *dir,
                                          PbFashionMnistSplit   split,
                                          guint                 limit,
                                          GError              **error);

G_END_DECLS
