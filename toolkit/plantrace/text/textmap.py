"""Text that remembers where each character came from.

Normalisation rewrites the raw file (drops glosses, joins wrapped lines, converts
traditional characters); researchers still have to cite the original. A
:class:`MappedText` carries, for every character of the current text, the raw
span it was made from, so any normalised span maps back with :meth:`raw_span`.

>>> m = MappedText.from_raw("公园 城市")
>>> m2 = m.apply([(2, 3, "")])          # drop the PDF-wrap space
>>> m2.text
'公园城市'
>>> m2.raw_span(1, 3)                   # "园城" came from "园 城"
(1, 4)
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

import numpy as np

#: One edit: replace ``text[start:end]`` by ``replacement``.
Edit = tuple[int, int, str]


def apply_edits_str(text: str, edits: Sequence[Edit]) -> str:
    """Apply sorted, non-overlapping edits to a plain string.

    >>> apply_edits_str("國(guó)家", [(1, 6, "")])
    '國家'
    """
    if not edits:
        return text
    out: list[str] = []
    pos = 0
    for start, end, repl in edits:
        out.append(text[pos:start])
        out.append(repl)
        pos = end
    out.append(text[pos:])
    return "".join(out)


@dataclass(frozen=True)
class MappedText:
    """A string plus, per character, the ``[start, end)`` raw span it derives from."""

    text: str
    starts: np.ndarray
    ends: np.ndarray
    raw_length: int

    @classmethod
    def from_raw(cls, raw: str) -> "MappedText":
        idx = np.arange(len(raw), dtype=np.int32 if len(raw) < 2**31 - 1 else np.int64)
        return cls(raw, idx, idx + 1, len(raw))

    def __len__(self) -> int:
        return len(self.text)

    def with_text(self, text: str) -> "MappedText":
        """Same offsets, new text of the same length (a 1:1 character fold)."""
        if len(text) != len(self.text):
            raise ValueError("with_text needs a text of the same length")
        return MappedText(text, self.starts, self.ends, self.raw_length)

    def apply(self, edits: Sequence[Edit]) -> "MappedText":
        """Apply sorted, non-overlapping edits and carry the offsets along.

        A replacement of the same length maps character by character (a
        character fold or an OpenCC conversion); any other replacement maps
        each new character to the whole raw span it replaced, so a citation
        never cuts a rewritten unit in half.
        """
        if not edits:
            return self
        text = self.text
        starts, ends = self.starts, self.ends
        s_parts: list[np.ndarray] = []
        e_parts: list[np.ndarray] = []
        pieces: list[str] = []
        pos = 0
        for start, end, repl in edits:
            if start < pos or end < start:
                raise ValueError(f"edits overlap or are unsorted at {start}")
            s_parts.append(starts[pos:start])
            e_parts.append(ends[pos:start])
            pieces.append(text[pos:start])
            k = len(repl)
            if k:
                if k == end - start:
                    s_parts.append(starts[start:end])
                    e_parts.append(ends[start:end])
                else:
                    if end > start:
                        lo, hi = starts[start], ends[end - 1]
                    else:  # an insertion sits where the next character starts
                        lo = hi = starts[start] if start < len(text) else self.raw_length
                    s_parts.append(np.full(k, lo, dtype=starts.dtype))
                    e_parts.append(np.full(k, hi, dtype=ends.dtype))
                pieces.append(repl)
            pos = end
        s_parts.append(starts[pos:])
        e_parts.append(ends[pos:])
        pieces.append(text[pos:])
        return MappedText(
            "".join(pieces), np.concatenate(s_parts), np.concatenate(e_parts), self.raw_length
        )

    def raw_span(self, start: int, end: int) -> tuple[int, int]:
        """Raw ``[start, end)`` for the normalised span ``[start, end)``."""
        if not 0 <= start <= end <= len(self.text):
            raise IndexError(f"span {start}:{end} outside text of length {len(self.text)}")
        if start == end:
            at = int(self.starts[start]) if start < len(self.text) else self.raw_length
            return at, at
        return int(self.starts[start]), int(self.ends[end - 1])
