"""Mentions with their commitment intensity, rolled up to parent concepts, and the
per-document concept profile the diff and trajectories compare."""

from __future__ import annotations

from bisect import bisect_left

import pandas as pd

from ..concepts.intensity import IntensityLexicon, load_intensity, mention_intensity
from ..concepts.lexicon import Lexicon, default_lexicon
from ..engine.cache import CacheKey
from ..engine.collection import DocumentSet
from ..frames import records
from ..measure.counts import credits
from ..measure.matching import match_corpus
from ..measure.provenance import intensity_key, lexicon_key
from ..resources import data_path

_intensity_cache: dict[str, IntensityLexicon] = {}


def default_intensity() -> IntensityLexicon:
    """The bundled ``data/intensity.yaml`` (loaded once)."""
    if "default" not in _intensity_cache:
        _intensity_cache["default"] = load_intensity(data_path("intensity.yaml"))
    return _intensity_cache["default"]


def corpus_intensity(corpus: DocumentSet, lexicon: Lexicon | None = None,
                     intensity: IntensityLexicon | None = None) -> pd.DataFrame:
    """Body mentions with their commitment intensity (grade, governing marker) and
    ``contains`` (from :func:`plantrace.measure.matching.match_corpus`): the concepts
    their alias contains, "|"-joined."""
    lexicon = lexicon or default_lexicon()
    intensity = intensity or default_intensity()
    key = CacheKey("intensity", (lexicon_key(lexicon), intensity_key(intensity)))
    cached: pd.DataFrame | None = corpus.cache.get(key)
    if cached is not None:
        return cached
    mentions = match_corpus(corpus, lexicon).mentions
    body = mentions[mentions["zone"] == "body"].copy()
    # pandas deep-copies attrs on every operation; internal frames carry none.
    body.attrs = {}
    docs = {d.doc_id: d for d in corpus.docs}
    # Every mention's span, per document: a marker inside another concept's wording
    # (the 发展 of 新发展理念) governs nothing.
    spans: dict[str, list[tuple[int, int]]] = {}
    for doc_id, s, e in zip(mentions["doc_id"], mentions["start"], mentions["end"]):
        spans.setdefault(str(doc_id), []).append((int(s), int(e)))
    for v in spans.values():
        v.sort()
    grades, markers = [], []
    for row in records(body):
        s, e = int(row.start), int(row.end)
        own = spans.get(row.doc_id, [])
        # Clauses are short: only the spans starting up to 200 characters before count.
        near = own[bisect_left(own, (s - 200, -1)):bisect_left(own, (s, -1))]
        found = mention_intensity(docs[row.doc_id].text, s, e, intensity, blocked=near)
        grades.append(found.grade if found else None)
        markers.append(found.marker if found else "")
    body["intensity"] = pd.array(grades, dtype="Int64")
    body["marker"] = markers
    body = body.reset_index(drop=True)
    return corpus.cache.put(key, body)


def rolled(frame: pd.DataFrame, lexicon: Lexicon) -> pd.DataFrame:
    """Each mention once for its own concept and once for every ancestor (the frame form
    of :func:`plantrace.measure.counts.roll_up`)."""
    rows = [frame.assign(credit=frame["concept_id"])]
    for cid in frame["concept_id"].unique():
        for anc in credits(cid, lexicon)[1:]:
            part = frame[frame["concept_id"] == cid]
            rows.append(part.assign(credit=anc))
    return pd.concat(rows, ignore_index=True) if rows else frame.assign(credit=[])


def profile(corpus: DocumentSet, lexicon: Lexicon, intensity: IntensityLexicon) -> pd.DataFrame:
    """Per (document, concept, rolled up): count, heading mentions, strongest and mean intensity."""
    key = CacheKey("profile", (lexicon_key(lexicon), intensity_key(intensity)))
    cached: pd.DataFrame | None = corpus.cache.get(key)
    if cached is not None:
        return cached
    m = rolled(corpus_intensity(corpus, lexicon, intensity), lexicon)
    g = m.groupby(["doc_id", "credit"])
    prof = pd.DataFrame({
        "count": g.size(),
        "heading": g["in_heading"].sum(),
        "intensity_max": g["intensity"].max(),
        "intensity_mean": g["intensity"].mean(),
    }).reset_index().rename(columns={"credit": "concept_id"})
    return corpus.cache.put(key, prof)




def rolled_intensity(corpus: DocumentSet, lexicon: Lexicon, intensity: IntensityLexicon) -> pd.DataFrame:
    """:func:`corpus_intensity` with every mention credited to its concept and ancestors."""
    key = CacheKey("rolled", (lexicon_key(lexicon), intensity_key(intensity)))
    cached: pd.DataFrame | None = corpus.cache.get(key)
    if cached is not None:
        return cached
    return corpus.cache.put(key, rolled(corpus_intensity(corpus, lexicon, intensity), lexicon))
