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

from typing import Any, Sequence

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


def encode_runs(values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``values`` as runs: the positions ``i`` where ``values[i] != values[i - 1] + 1``
    (always 0) and the value there. Normalisation edits touch few places, so an offset
    map is a handful of runs instead of one integer per character (0.3 % of the
    characters of the bundled corpora start a run).

    >>> pos, val = encode_runs(np.array([0, 1, 2, 5, 6, 6, 6]))
    >>> pos.tolist(), val.tolist()
    ([0, 3, 5, 6], [0, 5, 6, 6])
    >>> decode_runs(pos, val, 7).tolist()
    [0, 1, 2, 5, 6, 6, 6]
    """
    v = np.asarray(values, dtype=np.int64)
    if not len(v):
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
    brk = np.empty(len(v), dtype=bool)
    brk[0] = True
    np.not_equal(v[1:], v[:-1] + 1, out=brk[1:])
    pos = np.flatnonzero(brk)
    return pos, v[pos]


def decode_runs(pos: np.ndarray, val: np.ndarray, n: int) -> np.ndarray:
    """The ``n`` values that :func:`encode_runs` encoded."""
    if not n:
        return np.zeros(0, dtype=np.int64)
    lengths = np.diff(pos, append=n)
    return np.repeat(val - pos, lengths) + np.arange(n, dtype=np.int64)


class MappedText:
    """A string plus, per character, the ``[start, end)`` raw span it derives from.

    The two offset maps are held run-encoded (:func:`encode_runs`): a document keeps a
    few hundred integers instead of two per character (8 bytes a character, four times
    its text), so a large corpus fits in memory. ``starts`` and ``ends`` give the full
    arrays when asked; :meth:`raw_span` looks a span up without them.
    """

    __slots__ = ("_end_runs", "_start_runs", "raw_length", "text")

    text: str
    raw_length: int

    def __init__(self, text: str, starts: np.ndarray, ends: np.ndarray, raw_length: int) -> None:
        if len(starts) != len(text) or len(ends) != len(text):
            raise ValueError("an offset map needs one start and one end per character")
        self.text = text
        self.raw_length = raw_length
        self._start_runs = encode_runs(starts)
        self._end_runs = encode_runs(ends)

    @classmethod
    def _from_runs(cls, text: str, start_runs: tuple[np.ndarray, np.ndarray],
                   end_runs: tuple[np.ndarray, np.ndarray], raw_length: int) -> "MappedText":
        out = cls.__new__(cls)
        out.text, out.raw_length, out._start_runs, out._end_runs = text, raw_length, start_runs, end_runs
        return out

    @property
    def starts(self) -> np.ndarray:
        """Raw start of every character (built from the runs on each call)."""
        return decode_runs(*self._start_runs, len(self.text))

    @property
    def ends(self) -> np.ndarray:
        """Raw end of every character (built from the runs on each call)."""
        return decode_runs(*self._end_runs, len(self.text))

    def run_pairs(self) -> tuple[np.ndarray, np.ndarray]:
        """Each map's runs as one int32 array of (position, value) pairs: how the store
        keeps them (:meth:`from_run_pairs` reads them back)."""
        return tuple(np.stack(r, axis=1).astype(np.int32).ravel()  # type: ignore[return-value]
                     for r in (self._start_runs, self._end_runs))

    @classmethod
    def from_run_pairs(cls, text: str, starts: np.ndarray, ends: np.ndarray, raw_length: int) -> "MappedText":
        """The inverse of :meth:`run_pairs`.

        >>> m = MappedText.from_raw("公园 城市").apply([(2, 3, "")])
        >>> back = MappedText.from_run_pairs(m.text, *m.run_pairs(), m.raw_length)
        >>> back == m, back.raw_span(1, 3)
        (True, (1, 4))
        """
        def runs(pairs: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
            flat = np.asarray(pairs, dtype=np.int64)
            if len(flat) % 2 or (len(text) and (not len(flat) or flat[0] != 0)):
                raise ValueError("not an offset map's run pairs")
            return flat[0::2].copy(), flat[1::2].copy()

        return cls._from_runs(text, runs(starts), runs(ends), raw_length)

    @property
    def runs(self) -> int:
        """How many runs the two maps hold (what the map costs in memory)."""
        return len(self._start_runs[0]) + len(self._end_runs[0])

    def __reduce__(self) -> tuple[object, tuple[object, ...]]:
        # pickled as runs, so a worker sends back a few hundred integers, not two per character
        return (MappedText._from_runs, (self.text, self._start_runs, self._end_runs, self.raw_length))

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, MappedText):
            return NotImplemented
        return (self.text == other.text and self.raw_length == other.raw_length
                and all(np.array_equal(a, b) for a, b in zip((*self._start_runs, *self._end_runs),
                                                             (*other._start_runs, *other._end_runs))))

    def __hash__(self) -> int:
        return hash((self.text, self.raw_length))

    def __repr__(self) -> str:
        return f"MappedText({len(self.text):,} characters, {self.runs} offset runs, raw_length={self.raw_length:,})"

    @staticmethod
    def _at(runs: tuple[np.ndarray, np.ndarray], i: int) -> int:
        return int(MappedText._at_many(runs, np.int64(i)))

    @classmethod
    def from_raw(cls, raw: str) -> "MappedText":
        one = np.zeros(1 if raw else 0, dtype=np.int64)
        return cls._from_runs(raw, (one, one.copy()), (one.copy(), one + 1), len(raw))

    def __len__(self) -> int:
        return len(self.text)

    def with_text(self, text: str) -> "MappedText":
        """Same offsets, new text of the same length (a 1:1 character fold)."""
        if len(text) != len(self.text):
            raise ValueError("with_text needs a text of the same length")
        return MappedText._from_runs(text, self._start_runs, self._end_runs, self.raw_length)

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

    def raw_spans(self, starts: Sequence[int], ends: Sequence[int]) -> list[tuple[int, int]]:
        """:meth:`raw_span` of many spans at once: one binary search over the offset runs
        for all of them (a document's mentions), not two NumPy calls per span.

        >>> m = MappedText.from_raw("推動發展").with_text("推动发展")
        >>> m.raw_spans([0, 2], [2, 4]) == [m.raw_span(0, 2), m.raw_span(2, 4)]
        True
        """
        s = np.asarray(starts, dtype=np.int64)
        e = np.asarray(ends, dtype=np.int64)
        if s.shape != e.shape:
            raise ValueError(f"{len(s)} starts but {len(e)} ends")
        if not len(s):
            return []
        if (s < 0).any() or (e < s).any() or (e > len(self.text)).any():
            bad = next(i for i in range(len(s)) if not 0 <= s[i] <= e[i] <= len(self.text))
            raise IndexError(f"span {s[bad]}:{e[bad]} outside text of length {len(self.text)}")
        empty = s == e
        if empty.any():  # an empty span has its own rule (raw_span); rare, so one at a time
            return [self.raw_span(int(a), int(b)) for a, b in zip(s, e)]
        a = self._at_many(self._start_runs, s)
        b = self._at_many(self._end_runs, e - 1)
        return list(zip(a.tolist(), b.tolist()))

    @staticmethod
    def _at_many(runs: tuple[np.ndarray, np.ndarray], i: Any) -> Any:
        """The raw offset of normalised offset(s) ``i`` (an array, or one NumPy integer)."""
        pos, val = runs
        j = np.searchsorted(pos, i, side="right") - 1
        return val[j] + i - pos[j]

    def raw_span(self, start: int, end: int) -> tuple[int, int]:
        """Raw ``[start, end)`` for the normalised span ``[start, end)``."""
        if not 0 <= start <= end <= len(self.text):
            raise IndexError(f"span {start}:{end} outside text of length {len(self.text)}")
        if start == end:
            at = self._at(self._start_runs, start) if start < len(self.text) else self.raw_length
            return at, at
        return self._at(self._start_runs, start), self._at(self._end_runs, end - 1)
