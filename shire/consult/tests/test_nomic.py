"""nomic-embed-text-v1.5 on ONNX Runtime: its packaged file, its pieces, its graph and its vectors."""

import json
import struct

import numpy as np
import pytest

from shire.consult import nomic, themes

BUS = "The bus to our village has been cut and I can no longer get to work."
BUS_AGAIN = "Rural bus services are being reduced, leaving people isolated."
LIBRARY = "I love the new library opening hours."
WEATHER = "The weather today is sunny and warm."
# Cosines between the four sentences above, each prefixed "clustering: ", from llama.cpp's own
# implementation of this model (through the libembedding-ng package, from the same GGUF file,
# mean pooling): an independent check of the graph built here.
LLAMA_CPP = {(0, 1): 0.8232, (0, 2): 0.6874, (0, 3): 0.6857, (1, 2): 0.5977, (1, 3): 0.6266, (2, 3): 0.6632}


@pytest.fixture(scope="module")
def encoder():
    # The engine's own encoder (loaded once per process), shared with the other tests.
    return themes.default_embedder()._encoder(*themes.MODELS[2])


def _batch(texts):
    tokenizer = themes.default_embedder()._load_tokenizer()
    encodings = tokenizer.encode_batch(texts)
    width = max(len(e.ids) for e in encodings)
    ids = np.zeros((len(texts), width), dtype=np.int64)
    mask = np.zeros((len(texts), width), dtype=np.int64)
    for row, encoding in enumerate(encodings):
        ids[row, : len(encoding.ids)] = encoding.ids
        mask[row, : len(encoding.ids)] = 1
    return ids, mask


def _unit(vectors):
    return vectors / np.linalg.norm(vectors, axis=1, keepdims=True)


def test_the_parts_are_read_as_one_file(tmp_path):
    parts = [b"first part|", b"", b"second|", b"third and last"]
    paths = []
    for number, data in enumerate(parts):
        path = tmp_path / f"part{number}"
        path.write_bytes(data)
        paths.append(path)
    joined = b"".join(parts)
    with nomic._JoinedFiles(paths) as file:
        assert file.read() == joined
        # Reads that cross from one part into the next, after seeking.
        for start in (0, 5, 10, 11, 17, len(joined) - 3):
            file.seek(start)
            assert file.read(9) == joined[start : start + 9]
        assert file.seek(-4, 2) == len(joined) - 4 and file.read() == b"last"


def _gguf(metadata, tensors, alignment=32):
    """A GGUF version 3 file: metadata of strings, integers and string arrays; float tensors."""

    def string(text):
        data = text.encode()
        return struct.pack("<Q", len(data)) + data

    out = b"GGUF" + struct.pack("<IQQ", 3, len(tensors), len(metadata))
    for key, value in metadata.items():
        out += string(key)
        if isinstance(value, str):
            out += struct.pack("<I", 8) + string(value)
        elif isinstance(value, list):
            out += struct.pack("<IIQ", 9, 8, len(value)) + b"".join(string(v) for v in value)
        else:
            out += struct.pack("<Iq", 11, value)
    offset, blobs = 0, []
    for name, array in tensors.items():
        out += string(name) + struct.pack("<I", array.ndim) + struct.pack(f"<{array.ndim}Q", *array.shape[::-1])
        out += struct.pack("<IQ", {np.float32: 0, np.float16: 1}[array.dtype.type], offset)
        blobs.append(array.tobytes() + b"\0" * (-array.nbytes % alignment))
        offset += len(blobs[-1])
    return bytearray(out + b"\0" * (-len(out) % alignment) + b"".join(blobs))


def test_a_gguf_file_gives_its_metadata_and_tensors_as_views():
    weight = np.arange(6, dtype=np.float16).reshape(2, 3)  # (out, in), as PyTorch holds it
    bias = np.array([0.5, -1.5, 2.25], dtype=np.float32)
    buffer = _gguf({"general.name": "tiny", "layers": 2, "tokens": ["[CLS]", "bus"]}, {"w": weight, "b": bias})
    metadata, tensors = nomic.read_gguf(buffer)
    assert metadata == {"general.name": "tiny", "layers": 2, "tokens": ["[CLS]", "bus"]}
    assert tensors["w"].dtype == np.float16 and np.array_equal(tensors["w"], weight)
    assert np.array_equal(tensors["b"], bias)
    assert not tensors["w"].flags.owndata  # a view of the buffer, not a copy


def test_a_file_that_is_not_gguf_is_refused():
    with pytest.raises(ValueError, match="not a GGUF file"):
        nomic.read_gguf(bytearray(json.dumps({"not": "gguf"}).encode()))
    other = _gguf({}, {})
    other[4:8] = struct.pack("<I", 1)
    with pytest.raises(ValueError, match="version 1"):
        nomic.read_gguf(other)


def test_the_model_loads_from_the_four_packages(encoder, monkeypatch):
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    assert len(nomic._part_paths()) == 4
    vectors = encoder.encode(*_batch([BUS, "Buses."]))
    assert vectors.shape == (2, nomic.HIDDEN) and np.isfinite(vectors).all()


def test_the_float32_graph_gives_llama_cpps_vectors():
    exact = _unit(nomic.load(quantized=False).encode(*_batch(["clustering: " + t for t in (BUS, BUS_AGAIN, LIBRARY, WEATHER)])))
    cosine = exact @ exact.T
    for (first, second), expected in LLAMA_CPP.items():
        assert cosine[first, second] == pytest.approx(expected, abs=5e-4)


def test_int8_weights_keep_the_vectors_of_the_float32_model(encoder):
    texts = [nomic.PREFIX + t for t in (BUS, BUS_AGAIN, LIBRARY, WEATHER, "Buses.", " ".join([BUS, LIBRARY, WEATHER] * 3))]
    exact = _unit(nomic.load(quantized=False).encode(*_batch(texts)))
    quick = _unit(encoder.encode(*_batch(texts)))
    assert (np.sum(exact * quick, axis=1) > 0.98).all()
    assert not np.allclose(exact, quick, atol=1e-4)  # the int8 graph really is another computation


def test_a_padded_batch_gives_what_each_sentence_gives_alone(encoder):
    texts = [BUS, "Buses.", LIBRARY, WEATHER + " " + BUS_AGAIN]
    together = encoder.encode(*_batch(texts))
    alone = np.vstack([encoder.encode(*_batch([text])) for text in texts])
    assert np.allclose(together, alone, atol=1e-5)


def test_sentences_alike_in_meaning_are_closest():
    vectors = themes.default_embedder().embed([BUS, BUS_AGAIN, LIBRARY, WEATHER], models=themes.MODELS[2:])
    cosine = vectors @ vectors.T
    # Pinned from the int8 graph with the engine's prefix.
    assert cosine[0, 1] == pytest.approx(0.763, abs=5e-3)
    assert cosine[0, 1] > max(cosine[0, 2], cosine[0, 3], cosine[1, 2], cosine[1, 3]) + 0.1
