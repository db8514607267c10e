"""all-mpnet-base-v2 on ONNX Runtime: its packaged files, its pieces, its graph and its vectors."""

import json
import struct

import numpy as np
import pytest

from shire.consult import mpnet, themes

BUS = "The bus to our village has been cut and older people cannot get to town."
BUS_AGAIN = "Rural bus services are being reduced, so elderly residents are stranded."
LIBRARY = "Please keep the library open on Saturdays."
PASTA = "I enjoy cooking pasta with fresh tomatoes."


@pytest.fixture(scope="module")
def model():
    # The engine's own encoder (loaded by mpnet.load once per process), shared with the other tests.
    encoder = themes.default_embedder()._encoder(*themes.MODELS[2])
    return encoder.model, encoder.tokenizer


def _batch(tokenizer, texts):
    encodings = tokenizer.encode_batch(texts)
    width = max(len(e.ids) for e in encodings)
    ids = np.full((len(texts), width), mpnet.PADDING_ID, dtype=np.int64)
    mask = np.zeros((len(texts), width), dtype=np.int64)
    for row, encoding in enumerate(encodings):
        ids[row, : len(encoding.ids)] = encoding.ids
        mask[row, : len(encoding.ids)] = 1
    return ids, mask


def test_the_parts_are_read_as_one_file(tmp_path):
    parts = [b"first part|", b"", b"second|", b"third and last"]
    paths = []
    for number, data in enumerate(parts):
        path = tmp_path / f"part{number}"
        path.write_bytes(data)
        paths.append(path)
    joined = b"".join(parts)
    with mpnet._JoinedFiles(paths) as file:
        assert file.read() == joined
        # Reads that cross from one part into the next, after seeking.
        for start in (0, 5, 10, 11, 17, len(joined) - 3):
            file.seek(start)
            assert file.read(9) == joined[start : start + 9]
        assert file.seek(-4, 2) == len(joined) - 4 and file.read() == b"last"


def test_safetensors_are_read_as_views_of_the_buffer():
    weights = np.arange(6, dtype=np.float32).reshape(2, 3)
    ids = np.array([[7, 8]], dtype=np.int64)
    header = {
        "__metadata__": {"format": "pt"},
        "w": {"dtype": "F32", "shape": [2, 3], "data_offsets": [0, 24]},
        "ids": {"dtype": "I64", "shape": [1, 2], "data_offsets": [24, 40]},
    }
    text = json.dumps(header).encode()
    buffer = bytearray(struct.pack("<Q", len(text)) + text + weights.tobytes() + ids.tobytes())
    tensors = mpnet.read_safetensors(buffer)
    assert set(tensors) == {"w", "ids"}
    assert np.array_equal(tensors["w"], weights) and np.array_equal(tensors["ids"], ids)
    buffer[8 + len(text)] = 0xFF  # a view, not a copy
    assert tensors["w"][0, 0] != 0


def test_relative_positions_fall_in_hugging_faces_buckets():
    # Exact up to 8 apart, then logarithmic to 128; keys after the query take the upper half.
    distance = np.array([0, 1, 7, 8, 11, 12, 16, 32, 64, 127, 128, 500])
    expected = np.array([0, 1, 7, 8, 8, 9, 10, 12, 14, 15, 15, 15])
    assert np.array_equal(mpnet.relative_position_bucket(-distance), expected)
    assert np.array_equal(mpnet.relative_position_bucket(distance)[1:], expected[1:] + 16)
    assert mpnet.relative_position_bucket(np.array([0]))[0] == 0


def test_the_model_loads_from_the_five_packages(model):
    encoder, tokenizer = model
    assert encoder.relative_bias.shape == (mpnet.BUCKETS, mpnet.HEADS)
    assert tokenizer.encode("Bus").tokens == ["<s>", "bus", "</s>"]
    assert len(tokenizer.encode("word " * 500).ids) == mpnet.MAX_TOKENS


def test_a_padded_batch_gives_what_each_sentence_gives_alone(model):
    encoder, tokenizer = model
    texts = [BUS, "Buses.", LIBRARY, PASTA + " " + BUS_AGAIN]
    together = encoder.encode(*_batch(tokenizer, texts))
    alone = np.vstack([encoder.encode(*_batch(tokenizer, [text])) for text in texts])
    assert together.shape == (4, 768)
    assert np.allclose(together, alone, atol=1e-5)


def test_sentences_alike_in_meaning_are_close():
    vectors = themes.default_embedder().embed([BUS, BUS_AGAIN, LIBRARY, PASTA], models=themes.MODELS[2:3])
    cosine = vectors @ vectors.T
    # Pinned from the int8 graph (float32 gives 0.728, below).
    assert cosine[0, 1] == pytest.approx(0.723, abs=5e-4)
    assert cosine[0, 1] > 0.6
    assert cosine[0, 3] < 0.3 and cosine[1, 3] < 0.3 and cosine[2, 3] < 0.3
    assert cosine[0, 2] < 0.3


def test_int8_weights_give_the_vectors_of_the_float32_model(model):
    # The float32 graph is the model as trained: 0.728 between the two bus sentences is what the
    # earlier numpy forward pass gave, written from Hugging Face's MPNetModel. The int8 graph must
    # stay close to it for every sentence, short or long, alone or padded in a batch.
    encoder, tokenizer = model
    float32, _ = mpnet.load(quantized=False)
    texts = [BUS, BUS_AGAIN, LIBRARY, PASTA, "Buses.", " ".join([BUS, LIBRARY, PASTA, BUS_AGAIN] * 3)]
    exact = float32.encode(*_batch(tokenizer, texts))
    exact /= np.linalg.norm(exact, axis=1, keepdims=True)
    assert float(exact[0] @ exact[1]) == pytest.approx(0.728, abs=5e-4)
    quick = encoder.encode(*_batch(tokenizer, texts))
    quick /= np.linalg.norm(quick, axis=1, keepdims=True)
    assert (np.sum(exact * quick, axis=1) > 0.99).all()
    assert not np.allclose(exact, quick, atol=1e-4)  # the int8 graph really is another computation
