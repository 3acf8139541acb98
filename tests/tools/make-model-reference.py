#!/usr/bin/python3
# make-model-reference.py — PyTorch 1.13 reference fixtures for test-model-parity.
#
# SPDX-License-Identifier: GPL-3.0-or-later
#
# Builds the reference module tree of SPEC.md §3.1 (nn.Sequential of 7 children,
# module 0 wrapping nn.LSTM on a packed batch), loads fixed small weights, runs a
# mixed-length batch and writes one little-endian file per case:
#
#   header   int32[16]: magic 0x314d4250 ("PBM1"), version 1, F, H, K (n_fc), C,
#            act_lstm, act_fc (0 ReLU, 1 Tanh), protocol (0 standard, 1 seed),
#            B, T, n_params, n_tensors (12), 0, 0, 0
#   sizes    int32[n_tensors]     elements of each state_dict tensor, in order
#   params   float32[n_params]    the state_dict, concatenated
#   lengths  int32[B]
#   labels   int32[B]
#   x        float32[B*T*F]       padding (t >= length) holds junk on purpose
#   logits   float32[B*C]         eval mode (dropout off)
#   probs    float32[B*C]         softmax of the logits (module 6)
#   loss     float64              mean CE per preset (on logits / on probs)
#   grads    float32[n_params]    d loss / d params
#   dx       float32[B*T*F]       d loss / d x (zero on padding)
#   up       float32[B*C]         an arbitrary upstream gradient on the logits
#   dx_up    float32[B*T*F]       d (sum up * logits) / d x
#   grads_up float32[n_params]    d (sum up * logits) / d params
#
# Regenerate (writes tests/data/model-*.bin):
#   /usr/bin/python3 tests/tools/make-model-reference.py tests/data

import struct
import sys
from pathlib import Path

import numpy as np
import torch
from torch import nn
from torch.nn.utils.rnn import pack_padded_sequence, pad_packed_sequence

MAGIC = 0x314D4250
VERSION = 1

STANDARD, SEED = 0, 1
RELU, TANH = 0, 1


class BidirectionalLSTMX19(nn.Module):
    """Module 0 of the reference (lstm_model_stc.py); the summary follows the preset."""

    def __init__(self, input_size, hidden_size, protocol):
        super().__init__()
        self.lstm = nn.LSTM(input_size=input_size, hidden_size=hidden_size,
                            num_layers=1, bidirectional=True, batch_first=True)
        self.protocol = protocol

    def forward(self, inputs):
        x, lengths = inputs
        packed = pack_padded_sequence(x, lengths, batch_first=True, enforce_sorted=False)
        out, (h_n, _) = self.lstm(packed)
        if self.protocol == SEED:
            # reference: output row at t = L - 1 (backward half has seen one step)
            unpacked, lens = pad_packed_sequence(out, batch_first=True)
            return unpacked[torch.arange(unpacked.shape[0]), lens - 1, :]
        # standard: [forward final state, backward final state (after t = 0)]
        return torch.cat([h_n[0], h_n[1]], dim=1)


def activation(kind):
    return nn.ReLU() if kind == RELU else nn.Tanh()


def build(F, H, K, C, act_lstm, act_fc, p, protocol):
    return nn.Sequential(
        BidirectionalLSTMX19(F, H, protocol),
        activation(act_lstm),
        nn.Dropout(p),
        nn.Linear(2 * H, K),
        activation(act_fc),
        nn.Linear(K, C),
        nn.Softmax(dim=1),
    )


STATE_DICT_KEYS = [
    "0.lstm.weight_ih_l0", "0.lstm.weight_hh_l0", "0.lstm.bias_ih_l0", "0.lstm.bias_hh_l0",
    "0.lstm.weight_ih_l0_reverse", "0.lstm.weight_hh_l0_reverse",
    "0.lstm.bias_ih_l0_reverse", "0.lstm.bias_hh_l0_reverse",
    "3.weight", "3.bias", "5.weight", "5.bias",
]


def make_case(path, seed, F, H, K, C, act_lstm, act_fc, protocol, lengths):
    rng = np.random.default_rng(seed)
    B, T = len(lengths), max(lengths) + 1
    model = build(F, H, K, C, act_lstm, act_fc, 0.25, protocol)
    model.eval()  # dropout off: masks cannot match across generators

    sd = model.state_dict()
    assert list(sd.keys()) == STATE_DICT_KEYS, list(sd.keys())
    with torch.no_grad():
        for key, t in sd.items():
            scale = 0.6 if "lstm" in key else 0.5
            t.copy_(torch.from_numpy(rng.uniform(-scale, scale, t.shape).astype(np.float32)))

    x = rng.uniform(-1.0, 1.0, (B, T, F)).astype(np.float32)
    for b, L in enumerate(lengths):
        x[b, L:, :] = rng.uniform(5.0, 9.0, (T - L, F))  # junk that must never be read
    labels = rng.integers(0, C, B).astype(np.int32)
    up = rng.normal(0.0, 1.0, (B, C)).astype(np.float32)

    xt = torch.from_numpy(x).requires_grad_(True)
    lt = torch.tensor(lengths, dtype=torch.int64)
    logits = model[:6]((xt, lt))
    probs = model[6](logits)
    ce = nn.CrossEntropyLoss()
    loss = ce(logits if protocol == STANDARD else probs, torch.from_numpy(labels).long())
    model.zero_grad()
    loss.backward()
    grads = [p.grad.detach().numpy().ravel().copy() for p in model.parameters()]
    dx = xt.grad.detach().numpy().copy()

    xt.grad = None
    model.zero_grad()
    logits2 = model[:6]((xt, lt))
    (logits2 * torch.from_numpy(up)).sum().backward()
    grads_up = [p.grad.detach().numpy().ravel().copy() for p in model.parameters()]
    dx_up = xt.grad.detach().numpy().copy()

    params = [t.numpy().ravel() for t in model.state_dict().values()]
    sizes = [a.size for a in params]
    n_params = sum(sizes)

    with open(path, "wb") as f:
        f.write(struct.pack("<16i", MAGIC, VERSION, F, H, K, C, act_lstm, act_fc, protocol,
                            B, T, n_params, len(sizes), 0, 0, 0))
        f.write(struct.pack(f"<{len(sizes)}i", *sizes))
        f.write(np.concatenate(params).astype("<f4").tobytes())
        f.write(np.asarray(lengths, dtype="<i4").tobytes())
        f.write(labels.astype("<i4").tobytes())
        f.write(x.astype("<f4").tobytes())
        f.write(logits.detach().numpy().astype("<f4").tobytes())
        f.write(probs.detach().numpy().astype("<f4").tobytes())
        f.write(struct.pack("<d", loss.item()))
        f.write(np.concatenate(grads).astype("<f4").tobytes())
        f.write(dx.astype("<f4").tobytes())
        f.write(up.astype("<f4").tobytes())
        f.write(dx_up.astype("<f4").tobytes())
        f.write(np.concatenate(grads_up).astype("<f4").tobytes())
    print(f"{path}: B={B} T={T} F={F} H={H} K={K} C={C} loss={loss.item():.6f}")


def main():
    out = Path(sys.argv[1] if len(sys.argv) > 1 else "tests/data")
    torch.set_num_threads(1)
    lengths = [7, 3, 7, 1, 5, 2]   # mixed, unsorted, ties and a length-1 sequence
    make_case(out / "model-relu-c2-standard.bin", 1, 5, 8, 6, 2, RELU, RELU, STANDARD, lengths)
    make_case(out / "model-tanh-c2-seed.bin", 2, 5, 8, 6, 2, TANH, TANH, SEED, lengths)
    make_case(out / "model-tanh-relu-c10-standard.bin", 3, 4, 6, 5, 10, TANH, RELU, STANDARD,
              [4, 6, 2, 6, 1])
    make_case(out / "model-relu-tanh-c10-seed.bin", 4, 4, 6, 5, 10, RELU, TANH, SEED,
              [4, 6, 2, 6, 1])


if __name__ == "__main__":
    main()
