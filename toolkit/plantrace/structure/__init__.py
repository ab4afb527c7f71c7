"""Structure layer: zones (labelled, never deleted), paragraphs, headings, sentences, and
the :class:`~plantrace.structure.document.Document` that holds them.

The names of the former ``plantrace.structure`` module (now
:mod:`plantrace.structure.structure`) are re-exported here for one release.
"""

from .structure import Heading, Paragraph, Sentence, Structure, heading_level, split_sentences, split_structure

__all__ = ["Heading", "Paragraph", "Sentence", "Structure", "heading_level", "split_sentences", "split_structure"]
