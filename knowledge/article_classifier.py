"""Which article a question is about, learned from the articles' own example questions; or
which known topic without an article (knowledge/gaps.yml, learned from its questions).

Why: sibling articles (krisecenter / krisecenter for mænd, ankestyrelsen / ombudsmanden,
kontanthjælp / ydelse ikke udbetalt) lie so close in the embedding space that the cosine
margin between them is often under ANSWER_MARGIN even when the question plainly names one of
them; the search then asks "Mente du …?" about a question it has right 9 times out of 10.
Cosine treats every direction of the embedding alike. A softmax classifier trained on the
example questions (and titles) learns the few directions that tell siblings apart ("mænd",
"min sag er for gammel"), so when it is sure of the same article as the search, the search
may answer without the margin (knowledge/search.py, CLASSIFIER_SURE). The topics without an
article are classes too ("gap:barsel"): probability the classifier gives one of them is
probability it does not give a neighbouring article, and when it is sure of one the bot says
it has no article on that topic, even when none of the topic's words was used.

It is trained when the index is built, from vectors the index already holds: numpy only,
full-batch Adam from zeros, so the same knowledge gives the same weights (~1 s at 123
articles). Above MAX_ARTICLES training would take minutes; such an index has no classifier and
the search keeps to its margins.
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

import numpy as np

MAX_ARTICLES = 600
STEPS = 300
L2 = 1e-3            # weight decay: keeps the classifier from memorising single questions
LEARNING_RATE = 0.005
BETA1, BETA2, EPSILON = 0.9, 0.999, 1e-8
FILE = "classifier.npz"
# A class whose label starts with this is a topic without an article ("gap:barsel"); article
# ids are slugs and never contain a colon.
GAP_PREFIX = "gap:"


def gap_label(gap_id: str) -> str:
    """The class of a topic without an article (knowledge/gaps.yml)."""
    return GAP_PREFIX + gap_id


@dataclass(frozen=True)
class Reading:
    label: str              # the most probable class: an article id, or "gap:<id>"
    probability: float
    # the probability of every topic without an article together (the gap labels): how
    # likely the question is about something the knowledge has no article on
    without_article: float

    @property
    def gap_id(self) -> str | None:
        """The topic without an article it names first, if it does."""
        return self.label[len(GAP_PREFIX):] if self.label.startswith(GAP_PREFIX) else None


@dataclass(frozen=True)
class ArticleClassifier:
    classes: tuple[str, ...]   # article ids and gap labels, one per column of `weights`
    mean: np.ndarray           # inputs are standardised per dimension first
    scale: np.ndarray
    weights: np.ndarray        # dim x classes
    bias: np.ndarray

    @classmethod
    def train(cls, vectors: np.ndarray, labels: list[str]) -> ArticleClassifier | None:
        """None when there is nothing to tell apart (fewer than two articles) or too much."""
        classes, y = np.unique(np.asarray(labels), return_inverse=True)
        if len(classes) < 2 or len(classes) > MAX_ARTICLES:
            return None
        x = vectors.astype(np.float32)
        mean = x.mean(axis=0)
        scale = x.std(axis=0) + 1e-6
        z = (x - mean) / scale
        targets = np.eye(len(classes), dtype=np.float32)[y]
        weights = np.zeros((x.shape[1], len(classes)), dtype=np.float32)
        bias = np.zeros(len(classes), dtype=np.float32)
        moments = [[np.zeros_like(p), np.zeros_like(p)] for p in (weights, bias)]
        for step in range(1, STEPS + 1):
            error = (_softmax(z @ weights + bias) - targets) / len(z)
            grads = (z.T @ error + L2 * weights, error.sum(axis=0))
            for param, grad, (m, v) in zip((weights, bias), grads, moments):
                m *= BETA1
                m += (1 - BETA1) * grad
                v *= BETA2
                v += (1 - BETA2) * grad * grad
                m_hat = m / (1 - BETA1 ** step)
                v_hat = v / (1 - BETA2 ** step)
                param -= LEARNING_RATE * m_hat / (np.sqrt(v_hat) + EPSILON)
        return cls(tuple(str(c) for c in classes), mean, scale, weights, bias)

    def read(self, vector: np.ndarray) -> Reading:
        """What the classifier makes of a query vector."""
        p = _softmax(((vector - self.mean) / self.scale) @ self.weights + self.bias)
        i = int(np.argmax(p))
        return Reading(self.classes[i], float(p[i]), float(p[self._gap_columns].sum()))

    @cached_property
    def _gap_columns(self) -> np.ndarray:
        return np.array([label.startswith(GAP_PREFIX) for label in self.classes], dtype=bool)

    def save(self, folder: Path) -> None:
        np.savez(folder / FILE, classes=np.array(self.classes), mean=self.mean,
                 scale=self.scale, weights=self.weights, bias=self.bias)

    @classmethod
    def load(cls, folder: Path) -> ArticleClassifier | None:
        path = folder / FILE
        if not path.exists():
            return None
        with np.load(path, allow_pickle=False) as data:
            return cls(tuple(str(c) for c in data["classes"]), data["mean"], data["scale"],
                       data["weights"], data["bias"])


def _softmax(logits: np.ndarray) -> np.ndarray:
    shifted = np.exp(logits - logits.max(axis=-1, keepdims=True))
    return shifted / shifted.sum(axis=-1, keepdims=True)
