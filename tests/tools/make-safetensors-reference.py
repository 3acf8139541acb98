#!/usr/bin/python3
"""Fixtures for tests/test-safetensors.c.

Writes, with Debian's python3-torch 1.13 (python3-safetensors is not packaged,
so the format is written by hand exactly as engine-notes §7 describes):

  tests/data/safetensors-torch.safetensors  state_dict() of the reference module
      tree (SPEC §3.1, F=3, H=4, n_fc=5, C=2), float32, tensors in state_dict order
  tests/data/safetensors-torch.json         the same values (names, shapes, data)
  tests/data/safetensors-dtypes.safetensors F64, F16, BF16, a scalar and an empty
      tensor, with __metadata__, values exactly representable in every dtype

and, when tests/data/safetensors-pb.safetensors exists (written by OUR writer:
`PB_SAFETENSORS_WRITE=tests/data/safetensors-pb.safetensors build/tests/test-safetensors`),
checks that PyTorch loads it with load_state_dict(strict=True) into the reference
module tree and that every value is the pattern the C test writes.

Run from the repository root: /usr/bin/python3 tests/tools/make-safetensors-reference.py
"""
import json
import math
import os
import struct
import sys

import torch
from torch import nn

DATA = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "data")
DTYPES = {"F32": (torch.float32, 4), "F64": (torch.float64, 8),
          "F16": (torch.float16, 2), "BF16": (torch.bfloat16, 2)}


class BidirectionalLSTMX19(nn.Module):
    def __init__(self, input_size, hidden_size):
        super().__init__()
        self.lstm = nn.LSTM(input_size=input_size, hidden_size=hidden_size,
                            num_layers=1, bidirectional=True, batch_first=True)


def reference_tree(n_features=3, hidden=4, n_fc=5, n_classes=2):
    return nn.Sequential(BidirectionalLSTMX19(n_features, hidden), nn.Tanh(),
                         nn.Dropout(0.1), nn.Linear(2 * hidden, n_fc), nn.Tanh(),
                         nn.Linear(n_fc, n_classes), nn.Softmax(dim=1))


def write_safetensors(path, tensors, metadata=None):
    """tensors: list of (name, dtype string, torch tensor)."""
    header = {}
    if metadata:
        header["__metadata__"] = metadata
    blobs = []
    offset = 0
    for name, dtype, t in tensors:
        t = t.detach().to(DTYPES[dtype][0]).contiguous()
        raw = t.reshape(-1).view(torch.uint8).numpy().tobytes() if t.numel() else b""
        header[name] = {"dtype": dtype, "shape": list(t.shape),
                        "data_offsets": [offset, offset + len(raw)]}
        blobs.append(raw)
        offset += len(raw)
    h = json.dumps(header, separators=(",", ":")).encode()
    h += b" " * ((8 - len(h) % 8) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(h)))
        f.write(h)
        for b in blobs:
            f.write(b)


def read_safetensors(path):
    with open(path, "rb") as f:
        data = f.read()
    (n,) = struct.unpack("<Q", data[:8])
    header = json.loads(data[8:8 + n].decode())
    base = 8 + n
    out = {}
    last = 0
    for name, info in header.items():
        if name == "__metadata__":
            continue
        b, e = info["data_offsets"]
        last = max(last, e)
        dt, size = DTYPES[info["dtype"]]
        t = torch.frombuffer(bytearray(data[base + b:base + e]), dtype=dt) if e > b \
            else torch.empty(0, dtype=dt)
        out[name] = t.reshape(info["shape"]).float()
    assert len(data) == base + last, "file size is not 8 + N + last_end"
    return out, header


def pattern(index, k):
    """What test-safetensors.c writes into element k of the index-th tensor."""
    return float(torch.tensor(math.sin(0.1 * k + index), dtype=torch.float32)) * 0.5


def main():
    torch.manual_seed(1234)
    model = reference_tree()
    sd = model.state_dict()
    write_safetensors(os.path.join(DATA, "safetensors-torch.safetensors"),
                      [(k, "F32", v) for k, v in sd.items()])
    with open(os.path.join(DATA, "safetensors-torch.json"), "w") as f:
        json.dump({"tensors": [{"name": k, "shape": list(v.shape),
                                "data": [float(x) for x in v.flatten()]}
                               for k, v in sd.items()]}, f, indent=0)

    quarter = torch.arange(-6, 6, dtype=torch.float32) * 0.25
    write_safetensors(os.path.join(DATA, "safetensors-dtypes.safetensors"),
                      [("f64", "F64", quarter.reshape(3, 4)),
                       ("f16", "F16", quarter.reshape(2, 6)),
                       ("bf16", "BF16", quarter.reshape(12)),
                       ("scalar", "F32", torch.tensor(2.5)),
                       ("empty", "F32", torch.zeros(0, 4))],
                      metadata={"format": "pt", "note": "dtype fixture"})

    ours = os.path.join(DATA, "safetensors-pb.safetensors")
    if os.path.exists(ours):
        tensors, header = read_safetensors(ours)
        model = reference_tree()
        model.load_state_dict(tensors, strict=True)
        for index, (name, t) in enumerate(model.state_dict().items()):
            want = torch.tensor([pattern(index, k) for k in range(t.numel())])
            assert torch.equal(t.flatten(), want), name
            assert header[name]["data_offsets"][0] % 4 == 0
        assert (8 + struct.unpack("<Q", open(ours, "rb").read(8))[0]) % 8 == 0
        print("torch loads safetensors-pb.safetensors into the reference tree: OK")
    else:
        print("note: %s not present; generate it with the C test first" % ours,
              file=sys.stderr)


if __name__ == "__main__":
    main()
