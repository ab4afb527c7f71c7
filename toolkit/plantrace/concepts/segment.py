"""Segmentation with pkuseg's default model: loaded lazily, once per process, cached.

The concept job never segments whole documents: it asks only about the clauses
that hold a candidate (:func:`segment_clause`, cached per clause string). Word
tables and keyness segment whole documents (:func:`segment_document`, cached per
document hash, model and user-dictionary hash).

>>> segment_clause("推动创新经济发展")
('推动', '创新', '经济', '发展')
>>> is_word("创新"), is_word("抢抓成渝")
(True, False)
"""

from __future__ import annotations

import hashlib
import itertools
import os
import threading
from typing import Any, Sequence

from ..engine.runner import Runner, WorkerSetup, worth_parallel
from ..engine.store import fresh_copy
from . import model_index

MODEL_NAME = "pkuseg-0.0.25/default"
_lock = threading.Lock()
_models: dict[str, Any] = {}
#: How many characters were segmented in this process (tests use it to prove a run
#: did no segmentation; benchmarks report it).
stats = {"clause_chars": 0, "document_chars": 0, "lazy_chars": 0}


#: Characters a process segments with the lazily loaded model (:mod:`.model_index`)
#: before it loads pkuseg's whole feature dict. Measured by ``benchmarks/lazy_model.py
#: 200000`` (2026-12-03, 2 cores, two runs): the whole dict loads in 2.4-2.8 s against
#: 0.03 s for the lazy model, which segments 11-14 µs a character slower (27.7-30.8 k
#: against 46.2 k characters/s), so the load pays past 170-255 k characters. 200 k is
#: taken, towards the lazy side because the whole dict also costs some 680 MB of memory
#: per process: a cold run over the four bundled corpora segments 168 k characters of
#: clauses and now does it without. (The 2026-12-02 figure, 68 µs, came from 40 k
#: characters, where most features are still new, and before the lazy model skipped the
#: strings of characters, pairs and words already looked up.)
LAZY_CHARS = 200_000


def _default_model() -> Any:
    """The default model: from the fast-load index when there is one (a fraction of a
    second), else pkuseg's own load, after which the index is written for next time."""
    pkuseg = model_index.import_pkuseg()
    if os.environ.get("PLANTRACE_FAST_LOAD", "1") != "0":
        lazy = model_index.open_lazy_model()
        if lazy is not None:
            return lazy
    # pkuseg's default model ships inside its sdist: nothing is downloaded.
    model = pkuseg.pkuseg(user_dict="default")
    if os.environ.get("PLANTRACE_FAST_LOAD", "1") != "0":
        model_index.build_index_from_model(model)
    return model


def _load(user_dict: tuple[str, ...] = (), *, full: bool = False) -> Any:
    """The model (default, or with a user dictionary); ``full``: with its whole feature
    dict, for whole documents."""
    key = hashlib.sha256("\n".join(user_dict).encode()).hexdigest() if user_dict else ""
    with _lock:
        if key not in _models:
            if key:
                _models[key] = model_index.import_pkuseg().pkuseg(user_dict=list(user_dict))
            else:
                _models[key] = _default_model()
        model = _models[key]
        if full or stats["lazy_chars"] > LAZY_CHARS:
            model_index.make_full(model)
        return model


def load_model() -> None:
    """Load the default model now, whole (a runner's per-worker setup: once per worker,
    and workers segment whole documents)."""
    _load(full=True)


#: The setup a runner's workers run when they start: the model loaded once per worker.
WORKER_SETUP: WorkerSetup = (load_model, ())


def user_dict_hash(words: Sequence[str]) -> str:
    return hashlib.sha256("\n".join(sorted(set(words))).encode()).hexdigest()[:16] if words else "none"


_clauses: dict[str, tuple[str, ...]] = {}
#: At most this many segmentations are kept in memory, the oldest dropped first: a cold
#: run over 1,400 distinct documents segments some 200,000 clauses, about 0.3 GB held to
#: the end of the process though each is written to the store with its document's
#: candidates. 50,000 is several times what the bundled corpora (140 documents) need,
#: so nothing is dropped there; a dropped clause asked for again is segmented again.
MAX_CLAUSES = 50_000
#: Clauses asked for since the last take_new_clauses(), with their tokens: what a
#: document's judgement used, so the store can hold them even when this process had
#: them cached already (kept here, so a clause dropped from the cache meanwhile is not lost).
_used: dict[str, tuple[str, ...]] = {}


def _trim() -> None:
    extra = len(_clauses) - MAX_CLAUSES
    if extra > 0:
        for clause in list(itertools.islice(_clauses, extra)):
            del _clauses[clause]


def segment_clause(clause: str) -> tuple[str, ...]:
    """Tokens of one clause with the default model (no user dictionary); cached, and
    preloaded from the store so a clause is never segmented twice."""
    tokens = _clauses.get(clause)
    if tokens is None:
        stats["clause_chars"] += len(clause)
        model = _load()
        if not getattr(model.feature_extractor, "full", True):
            stats["lazy_chars"] += len(clause)
        tokens = tuple(model.cut(clause))
        _clauses[clause] = tokens
        _trim()
    _used[clause] = tokens
    return tokens


def preload_clauses(segmented: dict[str, tuple[str, ...]]) -> None:
    """Make stored segmentations known to :func:`segment_clause` (the newest
    :data:`MAX_CLAUSES` of them)."""
    _clauses.update(segmented)
    _trim()


def clauses_setup() -> WorkerSetup | None:
    """A worker setup that hands this process's known segmentations to each worker."""
    return (preload_clauses, (dict(_clauses),)) if _clauses else None


def take_new_clauses() -> dict[str, tuple[str, ...]]:
    """Clauses used since the last call, with their tokens (to be written to the store)."""
    out = dict(_used)
    _used.clear()
    return out


def is_word(token: str) -> bool:
    """Does the model keep ``token`` whole when it stands alone?

    This tells a real word (创新, 全新) from a segmentation error that glued two
    words together (抢抓成渝 → 抢/抓/成渝).
    """
    return len(token) > 1 and len(segment_clause(token)) == 1


_doc_cache: dict[tuple[str, str, str], tuple[str, ...]] = {}


def _doc_key(text: str, user_dict: Sequence[str]) -> tuple[str, str, str]:
    return (hashlib.sha256(text.encode()).hexdigest(), MODEL_NAME, user_dict_hash(user_dict))


def _cut_lines(text: str, user_dict: Sequence[str]) -> tuple[str, ...]:
    model = _load(tuple(sorted(set(user_dict))), full=True)
    tokens: list[str] = []
    for line in text.split("\n"):
        if line.strip():
            tokens.extend(model.cut(line))
    stats["document_chars"] += len(text)
    return tuple(tokens)


def segment_document(text: str, user_dict: Sequence[str] = ()) -> tuple[str, ...]:
    """All tokens of a text, line by line; cached per (text hash, model, user dict)."""
    key = _doc_key(text, user_dict)
    if key not in _doc_cache:
        _doc_cache[key] = _cut_lines(text, user_dict)
    return _doc_cache[key]


def _segment_task(args: tuple[str, tuple[str, ...]]) -> tuple[str, int]:
    """One document's tokens for the trip back from a worker: one string, the tokens
    joined by newlines (no token holds one: text is cut line by line), and their count.
    A tuple of strings pickles an opcode and a length per token; for the 1× corpora that
    was 0.55 s of the workers' and 0.23 s of the driver's CPU, against 0.06 + 0.15 s."""
    tokens = _cut_lines(*args)
    return "\n".join(tokens), len(tokens)


def _tokens(packed: tuple[str, int]) -> tuple[str, ...]:
    r"""
    >>> _tokens(("建设\n公园", 2)), _tokens(("", 0))
    (('建设', '公园'), ())
    """
    joined, count = packed
    return tuple(joined.split("\n")) if count else ()


def segment_documents(texts: Sequence[str], user_dict: Sequence[str] = (),
                      runner: Runner | None = None) -> list[tuple[str, ...]]:
    """:func:`segment_document` over many texts; the ones not cached yet go to ``runner``
    (a :mod:`plantrace.engine.runner` runner: a local pool or Dask, one model per worker)
    when there is enough of them to pay for a model load per worker.

    >>> segment_documents(["建设公园城市", "发展新经济"])
    [('建设', '公园', '城市'), ('发展', '新', '经济')]
    """
    keys = [_doc_key(t, user_dict) for t in texts]
    todo = {k: t for k, t in zip(keys, texts) if k not in _doc_cache}  # a repeated text once
    if todo and runner is not None and worth_parallel(runner, map(len, todo.values()), "segment"):
        user = tuple(user_dict)
        texts_todo = list(todo.values())
        # Sizes: the longest documents go first, so no worker is left with a long one
        # while the other idles at the end of the map.
        # Copies: pickling a str leaves its UTF-8 form inside it (fresh_copy), and a text
        # may be a document's own
        done = runner.map(_segment_task, [(fresh_copy(t), user) for t in texts_todo],
                          sizes=[len(t) for t in texts_todo])
        _doc_cache.update(zip(todo, map(_tokens, done)))
        stats["document_chars"] += sum(map(len, todo.values()))
    else:
        for k, t in todo.items():
            _doc_cache[k] = _cut_lines(t, user_dict)
    return [_doc_cache[k] for k in keys]


def token_spans(clause: str, tokens: Sequence[str]) -> list[tuple[int, int]]:
    """Character spans of tokens within the clause they came from.

    >>> token_spans("推动 创新", ("推动", "创新"))
    [(0, 2), (3, 5)]
    """
    spans, pos = [], 0
    for tok in tokens:
        i = clause.find(tok, pos)
        if i < 0:  # pkuseg drops whitespace; anything else would be a bug upstream
            continue
        spans.append((i, i + len(tok)))
        pos = i + len(tok)
    return spans


def segmenter_info() -> dict[str, str]:
    return {"segmenter": "pkuseg", "segmenter_model": MODEL_NAME}
