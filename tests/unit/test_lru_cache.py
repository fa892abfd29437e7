"""The in-process LRU (`adapters/lru.py`) and what keeps values in it: query vectors shared by
search and the tutor, and Markdown rendered lately (which pages then show without a thread hop)."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from learning_app.adapters.embeddings import query_vector
from learning_app.adapters.lru import LruCache
from learning_app.services.markdown_render import render_all, rendered_lately
from learning_app.services.search.text import document_text


def test_the_least_recently_used_entry_goes_first() -> None:
    cache: LruCache[str, int] = LruCache(2)
    cache.put("a", 1)
    cache.put("b", 2)
    assert cache.get("a") == 1  # now "b" is the least recently used
    cache.put("c", 3)
    assert (cache.get("a"), cache.get("b"), cache.get("c")) == (1, None, 3)


def test_a_weight_bound_drops_old_entries_and_refuses_one_too_heavy_alone() -> None:
    cache: LruCache[str, str] = LruCache(100, max_weight=10, weigh=lambda _k, v: len(v))
    cache.put("a", "xxxx")
    cache.put("b", "yyyy")
    cache.put("c", "zzzz")  # 12 > 10: "a" goes
    assert (cache.get("a"), len(cache)) == (None, 2)
    cache.put("huge", "w" * 11)
    assert cache.get("huge") is None and len(cache) == 2
    cache.put("b", "y")  # replacing an entry replaces its weight
    cache.put("d", "dddd")
    assert [cache.get(k) for k in "bcd"] == ["y", "zzzz", "dddd"]


class _Counting:
    name, dimensions = "test/counting", 2

    def __init__(self) -> None:
        self.calls: list[list[str]] = []

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        self.calls.append(list(texts))
        return np.ones((len(texts), 2), dtype=np.float32)


def test_a_query_is_embedded_once_in_any_case() -> None:
    embedder = _Counting()
    first = query_vector(embedder, "What causes the tides?")
    again = query_vector(embedder, "what causes THE tides?")
    assert embedder.calls == [["What causes the tides?"]]
    assert again is first  # its text for Postgres too (`QueryVector`)


def test_markdown_rendered_lately_is_found_without_rendering() -> None:
    texts = ["# A lesson only this test renders", "", "Its *summary*"]
    assert rendered_lately(texts) is None
    html = render_all(texts)
    assert rendered_lately(texts) == html
    assert html[1] == "" and "<em>summary</em>" in html[2]


def test_building_index_documents_leaves_what_the_pages_show_rendered() -> None:
    """A drift check or a reindex renders thousands of texts; none of them may push out the
    Markdown the pages are showing (nor be taken for it)."""
    shown = ["# A page a whole class has open", "Its *first* paragraph"]
    render_all(shown)
    built = [f"# Lesson {n}\n\nA passage no page shows, *number {n}*." for n in range(3_000)]
    texts = [document_text(text) for text in built]
    assert texts[7] == "Lesson 7 A passage no page shows, number 7."
    assert rendered_lately(shown) is not None
    assert rendered_lately(built[:1]) is None
