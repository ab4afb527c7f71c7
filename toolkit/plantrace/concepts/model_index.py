"""pkuseg's default model, ready in a fraction of a second when only a few clauses need it.

Why: after a lexicon edit, a fresh ``plantrace count`` has only the clauses around the
new candidates to segment (a few thousand characters), but loading pkuseg means
unpickling its 2.6 M-entry feature dictionary: about 2.4 s, most of the command. The
model itself is not changed here. Its files are copied, once per machine, into a form
that opens without building anything (:func:`build_index`):

* the feature strings, sorted, as a NumPy byte-string array, with their indices;
* the weights as a ``.npy`` file, memory-mapped copy-on-write (pkuseg's Viterbi wants a
  writable float64 array; pages are read only where features point);
* pkuseg's unigram word list (116 k words, a set in 20 ms), and the 390 k words of its
  post-processing dictionary (``dicts/default.pkl``: 0.35 s to unpickle into a set) as a
  sorted array, looked up one word at a time (:class:`SortedWords`).

:class:`LazyFeatureExtractor` is pkuseg's own ``FeatureExtractor`` with one change: before
pkuseg computes a clause's feature indices it looks up, in the sorted array, every
feature string pkuseg's template can form from that clause (:func:`candidate_features`)
and adds the ones the model has to its ``feature_to_idx`` dict. pkuseg's compiled code
then runs unchanged on that dict. Because the dict holds every feature of the model the
clause can reach, the tokens are pkuseg's own; ``tests/concepts/test_model_index.py``
checks them, token for token and feature index for feature index, against the full model.

Looking features up costs 11-14 µs per character more than the full model's
segmentation over 200 k characters of clauses (more at first, when most features are
new), so the full model is still loaded when a process has much to segment
(``LAZY_CHARS`` in :mod:`plantrace.concepts.segment`, measured by
``benchmarks/lazy_model.py``). Two things keep the lookups few: a character's, a
character pair's and a word's feature strings are formed once per process
(``candidate_features(seen=...)``), and the post-processing word list is asked once
per clause for all its runs of tokens (:meth:`SortedWords.prefetch`).

>>> sorted(candidate_features(["公", "园"], {"公园"}))[:4]
['c-1.公', 'c-1.园', 'c-1c.公.园', 'c-2.公']
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import tempfile
import time
import warnings
from pathlib import Path
from typing import Any, Iterable, Sequence

#: Bump when the files written by :func:`build_index` change shape.
INDEX_FORMAT = 3
_FILES = ("keys.npy", "idx.npy", "w.npy", "sizes.npy", "unigram.txt", "words.npy", "long_words.txt", "meta.json")
#: Post-processing words longer than this (in UTF-8 bytes: 3,007 of 390 k, up to 312
#: bytes) go to a small text file, so the array of the others stays 9 MB, not 120.
_WORD_BYTES = 24


def cache_root() -> Path:
    """Where derived files live: ``$PLANTRACE_CACHE``, else ``$XDG_CACHE_HOME/plantrace``,
    else ``~/.cache/plantrace`` (never inside a corpus or the package)."""
    env = os.environ.get("PLANTRACE_CACHE")
    if env:
        return Path(env)
    xdg = os.environ.get("XDG_CACHE_HOME")
    return (Path(xdg) if xdg else Path.home() / ".cache") / "plantrace"


#: pkuseg's ``__init__`` imports its model downloader, which imports requests and tqdm
#: (0.1 s of a 2 s command-line run). plantrace never downloads a model (the default one
#: ships in pkuseg's sdist), so the downloader is put in place as a stand-in that
#: imports the real module only if something calls it (another model, in the user's
#: own code), so pkuseg behaves as before for everyone else.
_DOWNLOADER = "pkuseg.download"


def _deferred_download_model(*args: Any, **kwargs: Any) -> Any:
    import importlib
    import sys

    if getattr(sys.modules.get(_DOWNLOADER), "_plantrace_stand_in", False):
        del sys.modules[_DOWNLOADER]
    return importlib.import_module(_DOWNLOADER).download_model(*args, **kwargs)


def import_pkuseg() -> Any:
    """The ``pkuseg`` package, imported without its downloader's dependencies.

    >>> import_pkuseg().__name__
    'pkuseg'
    """
    import sys
    import types

    if "pkuseg" not in sys.modules and _DOWNLOADER not in sys.modules:
        stand_in = types.ModuleType(_DOWNLOADER, "plantrace's stand-in: the real module loads when called")
        stand_in.download_model = _deferred_download_model  # type: ignore[attr-defined]
        stand_in._plantrace_stand_in = True  # type: ignore[attr-defined]
        sys.modules[_DOWNLOADER] = stand_in
    try:
        import pkuseg
    except ImportError as exc:  # pragma: no cover - a declared dependency
        if getattr(sys.modules.get(_DOWNLOADER), "_plantrace_stand_in", False):
            del sys.modules[_DOWNLOADER]
        raise ImportError(
            "pkuseg is missing. Install it with: pip install numpy cython && "
            "pip install --no-build-isolation pkuseg==0.0.25"
        ) from exc
    return pkuseg


def model_dir() -> Path:
    pkuseg = import_pkuseg()
    return Path(pkuseg.__file__).resolve().parent / "models" / "default"


def _source_key(model: Path) -> str:
    """Names the index after the model files it came from (size and mtime: hashing
    180 MB on every start would cost what the index saves)."""
    parts = [f"format={INDEX_FORMAT}"]
    for name in ("features.pkl", "weights.npz"):
        st = (model / name).stat()
        parts.append(f"{name}:{st.st_size}:{st.st_mtime_ns}")
    return hashlib.sha256("|".join(parts).encode()).hexdigest()[:16]


def index_dir(model: Path | None = None) -> Path:
    model = model or model_dir()
    return cache_root() / f"pkuseg-default-{_source_key(model)}"


def index_ready(path: Path | None = None) -> bool:
    path = path or index_dir()
    return all((path / f).is_file() for f in _FILES)


def build_index(feature_to_idx: dict[str, int], unigram: Iterable[str], w: Any, sizes: Any,
                tag_to_idx: dict[str, int], target: Path | None = None) -> Path:
    """Write the index from a loaded model's parts (atomically: a folder renamed into
    place, so a crash leaves no half index and two processes may race)."""
    import numpy as np

    target = target or index_dir()
    if any("**noWord" in k for k in feature_to_idx if k.startswith("ww.")):
        # candidate_features() leaves out pair features with a non-word side; a model
        # that has them must be loaded whole.
        raise ValueError("this pkuseg model has word-pair features with a non-word side")
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=".building-", dir=target.parent))
    try:
        keys = np.array([k.encode("utf-8") for k in feature_to_idx])
        values = np.fromiter(feature_to_idx.values(), dtype=np.int32, count=len(feature_to_idx))
        order = np.argsort(keys, kind="stable")
        np.save(tmp / "keys.npy", keys[order])
        np.save(tmp / "idx.npy", values[order])
        np.save(tmp / "w.npy", np.ascontiguousarray(w, dtype=np.float64))
        np.save(tmp / "sizes.npy", np.asarray(sizes))
        (tmp / "unigram.txt").write_text("\n".join(sorted(unigram)), encoding="utf-8")
        words = sorted(w.encode("utf-8") for w in _post_words())
        np.save(tmp / "words.npy", np.array([w for w in words if len(w) <= _WORD_BYTES], dtype=f"S{_WORD_BYTES}"))
        (tmp / "long_words.txt").write_bytes(b"\n".join(w for w in words if len(w) > _WORD_BYTES))
        (tmp / "meta.json").write_text(json.dumps(
            {"format": INDEX_FORMAT, "features": len(feature_to_idx), "tag_to_idx": tag_to_idx,
             "source": str(model_dir())}, ensure_ascii=False), encoding="utf-8")
        try:
            os.replace(tmp, target)
        except OSError:
            if not index_ready(target):  # a folder left half-written (a crash, a disk full): replace it
                shutil.rmtree(target, ignore_errors=True)
                os.replace(tmp, target)
            # else another process put its index there first: keep that one
        _remove_outdated(target)
    finally:
        if tmp.exists():
            shutil.rmtree(tmp, ignore_errors=True)
    return target


class ModelIndexNote(UserWarning):
    """The fast-load index was written (once per machine: say where the space went) or
    could not be (the next start loads the full model again, as before)."""


def _remove_outdated(current: Path) -> None:
    """Indexes of an earlier INDEX_FORMAT next to this one (200-350 MB each) are never read
    again; those of another pkuseg install (same format, other files) are left alone."""
    for other in current.parent.glob("pkuseg-default-*"):
        if other == current or not other.is_dir():
            continue
        try:
            fmt = json.loads((other / "meta.json").read_text(encoding="utf-8")).get("format")
        except (OSError, ValueError):
            continue  # not an index we wrote in full: not ours to judge
        if isinstance(fmt, int) and fmt < INDEX_FORMAT:
            shutil.rmtree(other, ignore_errors=True)


def _post_words_file() -> Path:
    pkuseg = import_pkuseg()
    return Path(pkuseg.__file__).resolve().parent / "dicts" / "default.pkl"


def _post_words() -> set[str]:
    """The words pkuseg's Postprocesser merges back (what ``Postprocesser(None,
    [dicts/default.pkl])`` reads)."""
    import pickle

    with open(_post_words_file(), "rb") as f:
        return set(pickle.load(f).strip().split("\n"))


class SortedWords:
    """Membership in a sorted byte-string array: pkuseg's Postprocesser asks ``word in
    other_words`` for every run of 2-7 tokens of a clause, mostly words it lacks.
    :meth:`prefetch` answers all of a clause's runs with one binary search over the
    batch; a run formed only after a merge is looked up on its own."""

    def __init__(self, path: Path, long_words: Path) -> None:
        import numpy as np

        self._words = np.load(path, mmap_mode="r")
        self._width = self._words.dtype.itemsize
        self._long = set(long_words.read_text(encoding="utf-8").split("\n")) - {""}
        self._batch: dict[str, bool] = {}

    def prefetch(self, tokens: Sequence[str], longest: int = 7) -> None:
        """Look up, at once, every token and run of up to ``longest`` tokens (what
        ``Postprocesser.post_process`` will ask); kept until the next clause's prefetch."""
        n = len(tokens)
        runs = {"".join(tokens[i:i + m]) for m in range(1, longest + 1) for i in range(n - m + 1)}
        self._batch = dict(zip(runs, self._search_many(list(runs))))

    def _search_many(self, words: list[str]) -> list[bool]:
        import numpy as np

        encoded = [w.encode("utf-8") for w in words]
        fits = [0 < len(b) <= self._width for b in encoded]
        q = np.array([b for b, ok in zip(encoded, fits) if ok], dtype=self._words.dtype)
        hits: list[bool] = []
        if len(q):
            pos = np.searchsorted(self._words, q)
            np.minimum(pos, len(self._words) - 1, out=pos)
            hits = (self._words[pos] == q).tolist()
        found = iter(hits)
        return [next(found) if ok else w in self._long for w, ok in zip(words, fits)]

    def __contains__(self, word: object) -> bool:
        if not isinstance(word, str):
            return False
        known = self._batch.get(word)
        return self._search_many([word])[0] if known is None else known


def _lazy_postprocesser_class() -> Any:
    base: Any = import_pkuseg().Postprocesser

    class LazyPostprocesser(base):
        """pkuseg's Postprocesser, its word list (:class:`SortedWords`) asked once per clause."""

        def post_process(self, sent: list[str], check_seperated: bool) -> list[str]:
            self.other_words.prefetch(sent)
            result: list[str] = super().post_process(sent, check_seperated)
            return result

    return LazyPostprocesser


def build_index_from_model(model: Any) -> Path | None:
    """The index of an already loaded ``pkuseg.pkuseg`` (its dict is in memory, so this
    costs the sort and the writes, about 3 s, once per machine). None if the cache
    folder cannot be written: the next start then loads the full model, as before."""
    fe = model.feature_extractor
    t0 = time.perf_counter()
    try:
        path = build_index(fe.feature_to_idx, fe.unigram, model.model.w,
                           [model.model.n_tag, model.model.n_feature], fe.tag_to_idx)
    except ValueError:
        return None
    except OSError as exc:
        warnings.warn(ModelIndexNote(
            f"pkuseg's fast-load index not written to {cache_root()} ({exc.strerror or exc}); "
            "set PLANTRACE_CACHE to a writable folder"), stacklevel=2)
        return None
    size = sum(f.stat().st_size for f in path.iterdir()) / 1e6
    warnings.warn(ModelIndexNote(
        f"wrote pkuseg's fast-load index ({size:.0f} MB, {time.perf_counter() - t0:.1f} s, once per machine) "
        f"to {path}; PLANTRACE_CACHE chooses another folder"), stacklevel=2)
    return path


def candidate_features(nodes: Sequence[str], unigram: set[str] | frozenset[str],
                       word_min: int = 2, word_max: int = 6, seen: set[str] | None = None) -> set[str]:
    """Every feature string pkuseg's template (``feature_extractor.pyx``,
    ``__get_node_features_idx``) can look up for a clause's nodes: the eight character
    features, the word features of words that start or end at each character, and the
    word-pair features of the words on either side. A superset is harmless (a string
    the model lacks is simply not found); a missing string would change the tokens,
    which is what the tests check against the full model.

    ``seen``: the characters, adjacent character pairs and words whose strings earlier
    calls gave (updated here). Their strings are left out, as already looked up: a
    character's five strings and a pair's three are formed whatever their position,
    so they are all known once it has been met anywhere."""
    n = len(nodes)
    out: set[str] = set()
    add = out.add
    seen = set() if seen is None else seen
    for i, c in enumerate(nodes):
        if c not in seen:
            seen.add(c)
            for prefix in ("c.", "c-1.", "c1.", "c-2.", "c2."):
                add(prefix + c)
        if i + 1 < n:
            pair = c + "\x00" + nodes[i + 1]  # NUL: in no node, so no pair looks like another
            if pair not in seen:
                seen.add(pair)
                joined = c + "." + nodes[i + 1]
                add("c-1c." + joined)
                add("cc1." + joined)
                add("c-2c-1." + joined)
    starts: list[list[str]] = [[] for _ in range(n + 1)]  # words beginning at s
    ends: list[list[str]] = [[] for _ in range(n + 1)]  # words ending just before e
    for s in range(n):
        for length in range(word_min, min(word_max, n - s) + 1):
            w = "".join(nodes[s:s + length])
            if w in unigram:
                starts[s].append(w)
                ends[s + length].append(w)
                key = "\x01" + w
                if key not in seen:
                    seen.add(key)
                    add("w-1." + w)
                    add("w1." + w)
    for i in range(n):
        pre_in, post_in, pre_ex, post_ex = ends[i + 1], starts[i], ends[i], starts[i + 1]
        # A pair feature with a non-word side ("**noWord") never exists: the model's pair
        # features were all formed from its bigram list of word pairs (build_index checks).
        for a in pre_ex:
            for b in post_in:
                add("ww.l." + a + "*" + b)
        for a in pre_in:
            for b in post_ex:
                add("ww.r." + a + "*" + b)
    return out


def _lazy_extractor_class() -> type:
    from pkuseg.config import config
    from pkuseg.feature_extractor import FeatureExtractor

    class LazyFeatureExtractor(FeatureExtractor):
        """pkuseg's extractor whose ``feature_to_idx`` grows with the clauses it meets."""

        def __init__(self, path: Path) -> None:
            import numpy as np

            super().__init__()
            meta = json.loads((path / "meta.json").read_text(encoding="utf-8"))
            self.tag_to_idx = dict(meta["tag_to_idx"])
            self.unigram = set((path / "unigram.txt").read_text(encoding="utf-8").split("\n"))
            self._keys = np.load(path / "keys.npy", mmap_mode="r")
            self._idx = np.load(path / "idx.npy", mmap_mode="r")
            hit = self._lookup(["$$"])  # the start feature every node has
            self.feature_to_idx = dict(hit)
            self._absent: set[str] = set()
            #: the characters, pairs and words whose feature strings were looked up
            self._seen: set[str] = set()
            self._prepared: object = None
            self.full = False

        def _lookup(self, strings: list[str]) -> list[tuple[str, int]]:
            import numpy as np

            if not strings:
                return []
            q = np.array([s.encode("utf-8") for s in strings], dtype=self._keys.dtype)
            pos = np.searchsorted(self._keys, q)
            np.minimum(pos, len(self._keys) - 1, out=pos)
            found = self._keys[pos] == q
            # A query longer than the stored width is cut by the cast: never a feature.
            found &= np.array([len(s.encode("utf-8")) <= self._keys.dtype.itemsize for s in strings])
            idx = self._idx[pos]
            return [(s, int(i)) for s, i, f in zip(strings, idx, found) if f]

        def prepare(self, nodes: list[str]) -> None:
            known, absent = self.feature_to_idx, self._absent
            todo = [f for f in candidate_features(nodes, self.unigram, config.wordMin, config.wordMax, self._seen)
                    if f not in known and f not in absent]
            hits = dict(self._lookup(todo))
            known.update(hits)
            absent.update(f for f in todo if f not in hits)

        def get_node_features_idx(self, idx: int, nodes: list[str]) -> list[int]:
            # pkuseg's _cut calls this once per node with the same list: prepare once.
            if not self.full and nodes is not self._prepared:
                self.prepare(nodes)
                self._prepared = nodes
            result: list[int] = super().get_node_features_idx(idx, nodes)
            return result

    return LazyFeatureExtractor


def open_lazy_model(path: Path | None = None) -> Any | None:
    """A ``pkuseg.pkuseg`` on the index (default model, default user dictionary), or None
    when there is no index yet."""
    import numpy as np

    pkuseg = import_pkuseg()
    from pkuseg.model import Model

    path = path or index_dir()
    if not index_ready(path):
        return None
    fe = _lazy_extractor_class()(path)
    sizes = np.load(path / "sizes.npy")
    model = Model.__new__(Model)
    model.n_tag, model.n_feature = int(sizes[0]), int(sizes[1])
    model.n_transition_feature = model.n_tag * (model.n_feature + model.n_tag)
    model.w = np.load(path / "w.npy", mmap_mode="c")
    # What pkuseg.__init__ sets for model_name="default", user_dict="default", postag=False.
    seg = pkuseg.pkuseg.__new__(pkuseg.pkuseg)
    seg.postag = False
    seg.preprocesser = pkuseg.Preprocesser(None)
    post_class = _lazy_postprocesser_class()
    post = post_class.__new__(post_class)
    post.do_process, post.common_words, post.other_words = True, set(), SortedWords(path / "words.npy", path / "long_words.txt")
    seg.postprocesser = post
    seg.feature_extractor = fe
    seg.model = model
    seg.idx_to_tag = {i: t for t, i in fe.tag_to_idx.items()}
    seg.n_feature = model.n_feature
    seg.n_tag = len(fe.tag_to_idx)
    return seg


def make_full(seg: Any) -> None:
    """Give a lazy model pkuseg's whole feature dict (when a process turns out to have
    much to segment, looking features up clause by clause costs more than the load)."""
    from pkuseg.feature_extractor import FeatureExtractor

    fe = seg.feature_extractor
    if getattr(fe, "full", True):
        return
    full = FeatureExtractor.load(str(model_dir()))
    fe.feature_to_idx = full.feature_to_idx
    fe.unigram = full.unigram
    seg.postprocesser.other_words = _post_words()
    seg.postprocesser.__class__ = import_pkuseg().Postprocesser  # a set needs no prefetch
    fe.full = True



def ensure_index() -> str:
    """Build the index now if there is none (the set-up step); what happened, in a line."""
    if index_ready():
        return f"pkuseg's fast-load index: {index_dir()}"
    pkuseg = import_pkuseg()

    with warnings.catch_warnings(record=True) as said:
        warnings.simplefilter("always", ModelIndexNote)
        build_index_from_model(pkuseg.pkuseg())
    return "; ".join(str(w.message) for w in said) or "pkuseg's fast-load index not written"
