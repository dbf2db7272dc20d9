"""Shared fixtures: one real embedder per test session (loading it is the slow part)."""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from knowledge.embedder import make_embedder
from knowledge.settings import Settings

DATA = Path(__file__).parent / "data"


@pytest.fixture(scope="session")
def e5():
    return make_embedder("e5")


@pytest.fixture
def mini_settings(tmp_path: Path) -> Settings:
    """A writable copy of the small fixture knowledge set, with its own index folder."""
    knowledge_dir = tmp_path / "knowledge"
    shutil.copytree(DATA / "mini", knowledge_dir)
    return Settings(knowledge_dir=knowledge_dir, index_dir=tmp_path / "index", embedder="e5",
                    st_model="", public_url="http://test.local")
