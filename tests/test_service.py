"""The running knowledge service: reload on edit, refuse a broken edit, rebuild only on change."""
from __future__ import annotations

import json
import time
from pathlib import Path

import pytest

from knowledge.index import LAST_GOOD
from knowledge.loader import KnowledgeError
from knowledge.service import KnowledgeService
from knowledge.settings import Settings


def touch_edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new), encoding="utf-8")


def test_search_finds_article_and_urls_follow_public_url(mini_settings: Settings, e5) -> None:
    service = KnowledgeService(mini_settings, embedder=e5)
    result = service.search("hvor lang tid har jeg til at klage over kommunen", k=2)
    assert result.confident
    assert result.hits[0].article.id == "klagefrist"
    assert result.to_json()["results"][0]["url"] == "http://test.local/artikel/klagefrist"
    assert len(result.hits) == 2
    again = service.search("hvor lang tid har jeg til at klage over kommunen", k=2)
    assert [h.article.id for h in again.hits] == [h.article.id for h in result.hits]
    assert service.status()["query_cache"]["hits"] == 1  # the repeat was not embedded again


def test_kommune_adds_local_channels_and_unknown_kommune_is_an_error(mini_settings, e5) -> None:
    service = KnowledgeService(mini_settings, embedder=e5)
    article = service.kb.article("klagefrist")
    names = [c.id for c in service.kb.channels_for(article, "Århus Kommune")]
    # the kommune's own after the national ones: its borgerrådgiver, then the kommune itself
    assert names == ["ankestyrelsen", "sociale-retshjaelp", "aarhus-borgerraadgiver",
                     "aarhus-kommune"]
    assert service.search("klagefrist", kommune="aarhus").to_json()["kommune"] == "Aarhus"
    with pytest.raises(ValueError, match="ukendt kommune"):
        service.search("klagefrist", kommune="Gotham")
    with pytest.raises(ValueError):
        service.search("   ")


def test_index_is_built_once_and_rebuilt_only_when_text_changes(mini_settings, e5) -> None:
    first = KnowledgeService(mini_settings, embedder=e5)
    key = first.status()["index"]
    folder = mini_settings.index_dir / key
    manifest = json.loads((folder / "manifest.json").read_text())
    assert manifest["backend"] == "e5" and manifest["articles"] == 3
    built = (folder / "index.faiss").stat().st_mtime_ns

    second = KnowledgeService(mini_settings, embedder=e5)  # nothing changed: reuse
    assert second.status()["index"] == key
    assert (folder / "index.faiss").stat().st_mtime_ns == built

    # A channel edit does not touch any indexed text: same index.
    touch_edit(mini_settings.knowledge_dir / "channels.yml", "Alle, der har brug for gratis råd.",
               "Alle, der vil have gratis råd.")
    assert KnowledgeService(mini_settings, embedder=e5).status()["index"] == key

    touch_edit(mini_settings.knowledge_dir / "articles" / "socialt-frikort.yml",
               "  - må jeg arbejde lidt", "  - må jeg have et lille job ved siden af")
    assert KnowledgeService(mini_settings, embedder=e5).status()["index"] != key


def test_reload_swaps_in_valid_edit_and_refuses_broken_one(mini_settings, e5) -> None:
    service = KnowledgeService(mini_settings, embedder=e5)
    article = mini_settings.knowledge_dir / "articles" / "klagefrist.yml"
    touch_edit(article, "title: Hvor lang tid har jeg til at klage?",
               "title: Klagefristen er 4 uger")
    assert service.refresh_if_changed() is True
    assert service.kb.article("klagefrist").title == "Klagefristen er 4 uger"

    touch_edit(article, "topic: klage", "topic: [klage")  # a council's typo
    assert service.refresh_if_changed() is False
    assert service.stale
    assert service.kb.article("klagefrist").title == "Klagefristen er 4 uger"
    assert service.search("hvornår er det for sent at klage").best.article.id == "klagefrist"
    assert any("klagefrist.yml" in e and "yaml" in e for e in service.status()["errors"])

    touch_edit(article, "topic: [klage", "topic: klage")
    assert service.refresh_if_changed() is True and not service.stale


def test_watcher_picks_up_an_edit_by_itself(mini_settings, e5) -> None:
    service = KnowledgeService(mini_settings, embedder=e5, watch=True, poll_seconds=0.1)
    try:
        touch_edit(mini_settings.knowledge_dir / "articles" / "hjemloeshed.yml",
                   "title: Jeg har ikke et sted at bo", "title: Jeg er hjemløs")
        deadline = time.monotonic() + 20
        while service.kb.article("hjemloeshed").title != "Jeg er hjemløs":
            assert time.monotonic() < deadline, "the watcher never reloaded the edit"
            time.sleep(0.1)
    finally:
        service.close()


def test_broken_yaml_at_start_serves_last_good_set(mini_settings, e5) -> None:
    KnowledgeService(mini_settings, embedder=e5)  # a good start saves the last good set
    assert (mini_settings.index_dir / LAST_GOOD).exists()
    touch_edit(mini_settings.knowledge_dir / "channels.yml", "kind: krise", "kind: [krise")
    restarted = KnowledgeService(mini_settings, embedder=e5)
    assert restarted.stale
    assert sorted(restarted.kb.articles) == ["hjemloeshed", "klagefrist", "socialt-frikort"]
    assert restarted.search("hvor kan jeg sove i nat").best.article.id == "hjemloeshed"


def test_broken_yaml_with_no_last_good_set_refuses_to_start(mini_settings, e5) -> None:
    touch_edit(mini_settings.knowledge_dir / "channels.yml", "kind: krise", "kind: [krise")
    with pytest.raises(KnowledgeError, match="channels.yml"):
        KnowledgeService(mini_settings, embedder=e5)
