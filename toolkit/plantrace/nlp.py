"""A spaCy bridge: a ``zh`` pipeline whose tokenizer is pkuseg's local default model.

spaCy's own pkuseg option needs the ``spacy-pkuseg`` fork and a model download; this
tokenizer uses the pkuseg model plantrace already has, so nothing is downloaded.
spaCy is optional: ``pip install 'plantrace[nlp]'``.

>>> nlp = plantrace_nlp()
>>> [t.text for t in nlp("推动成渝地区双城经济圈建设")]
['推动', '成渝', '地区', '双城', '经济圈', '建设']
"""

from __future__ import annotations

from functools import lru_cache
from typing import TYPE_CHECKING, Any

from .concepts.segment import segment_document
from .engine.collection import DocumentSet
from .frames import records
from .measure.matching import corpus_mentions
from .structure.document import Document, register_spacy_bridge

if TYPE_CHECKING:
    from spacy.language import Language
    from spacy.tokens import Doc

INSTALL_HINT = "spaCy is not installed: pip install 'plantrace[nlp]'  (or: pip install spacy)"


def _spacy() -> Any:
    try:
        import spacy
    except ImportError as exc:
        raise ImportError(INSTALL_HINT) from exc
    return spacy


class PkusegTokenizer:
    """Callable spaCy tokenizer: text → Doc of pkuseg tokens (whitespace kept as spaces)."""

    def __init__(self, vocab: Any) -> None:
        self.vocab = vocab

    def __call__(self, text: str) -> "Doc":
        from spacy.tokens import Doc

        words: list[str] = []
        spaces: list[bool] = []
        pos = 0
        for line_no, line in enumerate(text.split("\n")):
            if line_no:
                # Keep line breaks as tokens so character offsets match the text exactly.
                words.append("\n")
                spaces.append(False)
                pos += 1
            for tok in segment_document(line) if line.strip() else ():
                i = text.find(tok, pos)
                gap = text[pos:i]
                if gap:
                    if words and gap == " ":
                        spaces[-1] = True
                    else:
                        words.append(gap)
                        spaces.append(False)
                words.append(tok)
                spaces.append(False)
                pos = i + len(tok)
            rest_end = text.find("\n", pos)
            rest_end = len(text) if rest_end < 0 else rest_end
            if text[pos:rest_end]:
                words.append(text[pos:rest_end])
                spaces.append(False)
                pos = rest_end
        return Doc(self.vocab, words=words, spaces=spaces)


@lru_cache(maxsize=1)
def plantrace_nlp() -> "Language":
    """A blank spaCy ``zh`` pipeline tokenised by pkuseg (built once per process)."""
    spacy = _spacy()
    nlp = spacy.blank("zh")
    nlp.tokenizer = PkusegTokenizer(nlp.vocab)
    return nlp


def document_to_spacy(doc: Document, lexicon: Any = None, *, zone: str | None = "body") -> "Doc":
    """A spaCy Doc of the normalised text with concept mentions in ``doc.spans['concepts']``.

    Mentions whose edges fall inside a pkuseg token are aligned outward
    (``alignment_mode='expand'``), so a span always covers the whole mention.
    """
    nlp = plantrace_nlp()
    sdoc = nlp(doc.text)
    corpus = DocumentSet([doc], [], doc.config)
    mentions = corpus_mentions(corpus, lexicon)
    if zone:
        mentions = mentions[mentions["zone"] == zone]
    spans = []
    for m in records(mentions):
        span = sdoc.char_span(int(m.start), int(m.end), label=m.concept_id, alignment_mode="expand")
        if span is not None:
            spans.append(span)
    sdoc.spans["concepts"] = spans
    return sdoc


register_spacy_bridge(document_to_spacy)
