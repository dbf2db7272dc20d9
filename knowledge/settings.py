"""Paths and knobs read from the environment, in one place, with the defaults `make run` uses."""
from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent
REPO_DIR = PACKAGE_DIR.parent


@dataclass(frozen=True)
class Settings:
    knowledge_dir: Path
    index_dir: Path
    embedder: str
    st_model: str
    public_url: str

    @classmethod
    def from_env(cls) -> Settings:
        return cls(
            knowledge_dir=Path(os.environ.get("RETTIGHEDSBOT_KNOWLEDGE_DIR", PACKAGE_DIR)),
            index_dir=Path(os.environ.get("RETTIGHEDSBOT_INDEX_DIR", REPO_DIR / ".cache" / "index")),
            embedder=os.environ.get("RETTIGHEDSBOT_EMBEDDER", "e5"),
            st_model=os.environ.get("RETTIGHEDSBOT_ST_MODEL", "intfloat/multilingual-e5-small"),
            public_url=os.environ.get("RETTIGHEDSBOT_PUBLIC_URL", "http://127.0.0.1:8000").rstrip("/"),
        )
