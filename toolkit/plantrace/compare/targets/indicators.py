"""The indicator lexicon of target extraction (``data/indicators.yaml``): ids, labels,
units, the better direction and the surface forms a report writes them with."""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import yaml

from ...errors import PlantraceError

Better = Literal["higher", "lower", "none"]
_BETTER_VALUES: frozenset[str] = frozenset({"higher", "lower", "none"})


# --------------------------------------------------------------------------
# Indicator lexicon
# --------------------------------------------------------------------------


class IndicatorLexiconError(PlantraceError, ValueError):
    """Raised for an unreadable or malformed indicator lexicon; ``str()``
    starts with the file name (or ``<mapping>``), as the CLI expects."""

    def __init__(self, message: str, *, file: str, problems: list[str] | None = None) -> None:
        self.problems = problems or [message]
        super().__init__(message, file=file)


@dataclass(frozen=True)
class Indicator:
    """One indicator: its id, label, unit, better direction and surface forms
    (NFKC-folded, longest first)."""

    id: str
    label: str
    unit: str
    better: Better
    surface_forms: tuple[str, ...]


@dataclass(frozen=True)
class IndicatorLexicon:
    """The indicators of ``data/indicators.yaml`` plus the file's sha256,
    so that results can cite the exact lexicon they were produced with."""

    name: str
    version: str
    indicators: tuple[Indicator, ...]
    sha256: str = ""
    source: str = "<mapping>"
    # Lookup tables built once in __post_init__ (excluded from eq/repr).
    _by_form: dict[str, Indicator] = field(init=False, repr=False, compare=False)
    _form_re: re.Pattern[str] | None = field(init=False, repr=False, compare=False)
    _stem_re: re.Pattern[str] | None = field(init=False, repr=False, compare=False)
    _stems: dict[str, Indicator] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        by_form: dict[str, Indicator] = {}
        for ind in self.indicators:
            for form in ind.surface_forms:
                by_form[form] = ind
        forms = sorted(by_form, key=len, reverse=True)  # longest form wins at a position
        # Stems: a form ending in 增长 minus that suffix, for 'level, growth'
        # results such as 国内生产总值达到134.9万亿元、增长5%.  Stems shorter
        # than two characters would match too much.
        stems = {f[: -len("增长")]: by_form[f] for f in forms if f.endswith("增长") and len(f) >= 4}
        object.__setattr__(self, "_by_form", by_form)
        object.__setattr__(
            self, "_form_re", re.compile("|".join(map(re.escape, forms))) if forms else None
        )
        object.__setattr__(self, "_stems", stems)
        object.__setattr__(
            self,
            "_stem_re",
            re.compile("|".join(map(re.escape, sorted(stems, key=len, reverse=True))))
            if stems
            else None,
        )

    # -- construction ------------------------------------------------------

    @classmethod
    def from_mapping(
        cls, data: Any, *, source: str = "<mapping>", sha256: str = ""
    ) -> IndicatorLexicon:
        """Validate a parsed YAML document (see :func:`load_indicators`)."""

        def fail(problem: str) -> IndicatorLexiconError:
            return IndicatorLexiconError(problem, file=source)

        if not isinstance(data, Mapping):
            raise fail(f"top level must be a mapping, got {type(data).__name__}")
        entries = data.get("indicators")
        if not isinstance(entries, list) or not entries:
            raise fail("'indicators' must be a non-empty list")
        problems: list[str] = []  # every problem of the file at once
        seen_ids: set[str] = set()
        seen_forms: dict[str, str] = {}
        indicators: list[Indicator] = []
        for i, entry in enumerate(entries):
            where = f"indicators[{i}]"
            if not isinstance(entry, Mapping):
                problems.append(f"{where} must be a mapping")
                continue
            ind_id = entry.get("id")
            if not isinstance(ind_id, str) or not ind_id.strip():
                problems.append(f"{where}: 'id' must be a non-empty string")
                continue
            where = f"indicator {ind_id!r}"
            if ind_id in seen_ids:
                problems.append(f"{where}: duplicate id")
                continue
            seen_ids.add(ind_id)
            label = entry.get("label", ind_id)
            if not isinstance(label, str):
                problems.append(f"{where}: 'label' must be a string")
                continue
            # A figure without a unit is too ambiguous (years, counts), so the
            # unit defaults to '%' -- the unit of every growth indicator.
            unit = entry.get("unit", "%")
            if not isinstance(unit, str) or not unit.strip():
                problems.append(f"{where}: 'unit' must be a non-empty string")
                continue
            better = entry.get("better", "none")
            if better not in _BETTER_VALUES:
                problems.append(f"{where}: 'better' must be one of higher, lower, none; got {better!r}")
                continue
            raw_forms = entry.get("surface_forms", [label])
            if not isinstance(raw_forms, list) or not raw_forms:
                problems.append(f"{where}: 'surface_forms' must be a non-empty list")
                continue
            forms: list[str] = []
            for form in raw_forms:
                if not isinstance(form, str) or not form.strip():
                    problems.append(f"{where}: surface forms must be non-empty strings, got {form!r}")
                    continue
                # Texts arrive NFKC-folded, so the forms must be too (ＧＤＰ → GDP).
                norm = unicodedata.normalize("NFKC", form.strip())
                if norm in seen_forms and seen_forms[norm] != ind_id:
                    problems.append(f"{where}: surface form {norm!r} already belongs to {seen_forms[norm]!r}")
                    continue
                seen_forms[norm] = ind_id
                if norm not in forms:
                    forms.append(norm)
            if not forms:
                continue  # its forms were all reported
            indicators.append(
                Indicator(
                    id=ind_id,
                    label=label,
                    unit=unicodedata.normalize("NFKC", unit.strip()),
                    better=better,
                    surface_forms=tuple(sorted(forms, key=len, reverse=True)),
                )
            )
        if problems:
            raise IndicatorLexiconError(problems[0] if len(problems) == 1 else
                                        f"{len(problems)} problems: " + "; ".join(problems), file=source,
                                        problems=problems)
        return cls(
            name=str(data.get("name", "indicators")),
            version=str(data.get("version", "")),
            indicators=tuple(indicators),
            sha256=sha256,
            source=source,
        )

    # -- access ------------------------------------------------------------

    def __iter__(self) -> Iterator[Indicator]:
        return iter(self.indicators)

    def __len__(self) -> int:
        return len(self.indicators)

    def get(self, indicator_id: str) -> Indicator | None:
        """The indicator with this id, or ``None``."""
        for ind in self.indicators:
            if ind.id == indicator_id:
                return ind
        return None

    @property
    def better(self) -> dict[str, str]:
        """``{indicator_id: better}``, the mapping :func:`compare_targets` wants."""
        return {ind.id: ind.better for ind in self.indicators}


def load_indicators(path: str | Path) -> IndicatorLexicon:
    """Read and validate an indicator lexicon YAML file (``yaml.safe_load``).

    Errors are :class:`IndicatorLexiconError` naming the file and the problem.
    The sha256 of the file bytes is kept on the result.
    """
    p = Path(path)
    try:
        raw = p.read_bytes()
    except OSError as exc:
        raise IndicatorLexiconError(f"cannot read file ({exc.strerror or exc})", file=str(p)) from exc
    try:
        data = yaml.safe_load(raw.decode("utf-8"))
    except UnicodeDecodeError as exc:
        raise IndicatorLexiconError(f"not UTF-8 ({exc})", file=str(p)) from exc
    except yaml.YAMLError as exc:
        raise IndicatorLexiconError(f"invalid YAML ({exc})", file=str(p)) from exc
    return IndicatorLexicon.from_mapping(data, source=str(p), sha256=hashlib.sha256(raw).hexdigest())


