"""Formulations (提法): the new language a planning document marks itself, found
before any lexicon exists (issue 17).

Three kinds of candidate are read from the normalised **body** of a document:

``quoted``
    A span in “…”, 「…」 or 『…』 of 2 to ``max_quote`` characters: “双城记”, “三步走”,
    “3+6+N”. Refused, each with a named reason (see :func:`quote_reason`): one
    character (“稳”, “新”: emphasis), longer than ``max_quote``, sentence
    punctuation inside (a quoted speech), a plan-period name (“十四五”), an honour
    or award title (获评“全国示范步行街”), a quote after a colon (a speech), and a
    scare-quoted ordinary word of at most three characters that pkuseg keeps whole
    (“东风”, “帽子”, “组合拳”) unless it holds a numeral, 双 or ``+``.
``numbered``
    Numbered formulas: a numeral 两…十 with 个 or 大 and the word it binds
    (两个确立, 四个全面, 三大攻坚战, 十大工程), an alternating numeral chain
    (一核四区, 三街两坊五景, 一国两制, 两不愁三保障) and ``+`` formulas
    (人工智能+, 旅游+文创, 3+6+N). Plain quantities are refused: 一个 (an article,
    not a formula), a measure or time word after the numeral (两个月, 五个百分点,
    三年翻一番), a numeral inside a larger number (二十大, 十九大), a 个/大 formula
    that runs on into the next word (十大文化地标, 两个负面清单), one that sums up
    the list before it (金融、文博、商务三大主导产业: a count label), a numbered
    formula inside a quoted name right after a character of it (十大行动 in
    “碳达峰十大行动”: the quoted name is the candidate), a ``+`` operand longer than
    six characters (a fragment of a longer formula). Plan-period
    names (十三五, 十四五, 十五五) are **not** formulations: they name a period,
    occur in every document of the era and would fill every "kept" list; they are
    refused in quotes too (decision recorded for issue 17).
``compound``
    A run of at most ``max_tokens`` pkuseg tokens of one clause whose last tokens
    end in a head word of ``data/formulation_heads.txt`` (经济, 城市, 经济圈 …),
    starting on a word boundary, not starting with a verb or function word
    (发展, 推动, 的 …), containing no function word, not a two-word compound with a
    generic first word (工作机制, 保障体系, 国家战略), not a duration (三年行动), seen at
    least ``min_compound_count`` times in the document and at least once at the end
    of its phrase (成都经济 only ever occurs in 成都经济社会发展: a fragment). When
    every occurrence of a candidate lies inside a longer candidate, only the longer
    is kept (成渝地区双城经济圈, not 双城经济圈 as well).

Precision on a hand-checked sample of 105 candidates of seven documents
(``tests/golden/formulations_sample.json``): quoted 47/49, numbered 10/14,
compound 33/42, overall 90/105. The rules were tuned on the same documents.

Every candidate starts and ends on a pkuseg word boundary of its clause (quoted
spans end on the quotation marks, which pkuseg always cuts), and carries its
normalised and raw offsets and its sentence id, so it can be cited.

A document's formulations are the distinct candidate texts; their ``count`` is the
number of boundary-checked occurrences of the text in the body (quoted or not).
Comparison counts a formulation of either document in both with the same rule, so
"new" means: its text does not occur (on word boundaries) in the body of A.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd
import yaml

from ..concepts.intensity import CLAUSE_DELIMITERS, clause_bounds
from ..concepts.lexicon import default_lexicon
from ..concepts.segment import preload_clauses, segment_clause, take_new_clauses, token_spans
from ..engine.cache import CacheKey
from ..engine.collection import DocumentSet, add_docvars, add_pair_docvars
from ..engine.store import Store
from ..errors import PlantraceError
from ..measure.provenance import lexicon_key, provenance
from ..measure.stats import g2, log_ratio
from ..resources import data_path
from .pairs import pairs_by_level, pairs_by_year, parent_document

if TYPE_CHECKING:  # types only: documents are taken as arguments
    from ..concepts.lexicon import Lexicon
    from ..structure.document import Document

__all__ = [
    "CHANGE_COLUMNS",
    "FORMULATION_COLUMNS",
    "KINDS",
    "STATUSES",
    "Formulation",
    "check_formulation_statuses",
    "compare_formulations",
    "corpus_formulation_changes",
    "corpus_formulations",
    "count_occurrences",
    "document_formulations",
    "formulation_candidates",
    "formulation_id",
    "load_heads",
    "quote_reason",
    "suggest_from_formulations",
    "text_candidates",
]

KINDS = ("quoted", "numbered", "compound")
HEADS_PATH = data_path("formulation_heads.txt")
HEADER_FIELDS = ("name", "version", "source", "format")

QUOTES = {"“": "”", "「": "」", "『": "』"}
_QUOTE_RE = re.compile("|".join(f"{re.escape(o)}([^{re.escape(o + c)}\n]*){re.escape(c)}" for o, c in QUOTES.items()))
# Inside a formulation a comma or 、 may separate its parts (“先确权,后转化”,
# “双随机、一公开”); these end a sentence or introduce speech, so a quote holding one
# is a quoted sentence, not a name.
_SENTENCE_PUNCT = frozenset("。！？；：!?;:…")
# Plan periods: 十一五 … 十五五 (十五 alone is the 10th plan).
_PERIOD_RE = re.compile(r"^十[一二三四五六七八九]?五$")
# 获评“全国示范步行街”, 荣获“……”称号: an honour the place received, not its own language.
_HONOUR_BEFORE_RE = re.compile(r"(获评|荣获|被评为|评为|获得|授予|入选|荣膺|命名为|获批|创建全国首批|创建首批)"
                               r"(全国|国家|省级|[\u4e00-\u9fff]{0,3}首批|第.批)*$")
_HONOUR_AFTER = ("称号", "荣誉", "奖")
_FORMULA_MARK = re.compile(r"[一二三四五六七八九十两双百千万0-9+]")

def _words(spaced: str) -> frozenset[str]:
    """A word list written space-separated (easier to read and extend than a literal)."""
    return frozenset(spaced.split())


NUM = "一二三四五六七八九十两百"
_CJK = r"\u4e00-\u9fff"
# 两个确立, 三大攻坚战: the numeral must not continue a larger number (二十大, 十九大, 第三个).
_MEASURE_RE = re.compile(rf"(?<![{NUM}\d第届])([两三四五六七八九十])(个|大)(?=[{_CJK}])")
# 一核四区, 三组团四区, 一心三轴多中心: numeral, 1-3 other characters, at least twice.
_CHAIN_RE = re.compile(rf"(?<![{NUM}\d第届])[{NUM}](?:(?![{NUM}多])[{_CJK}]){{1,3}}"
                       rf"(?:[{NUM}多](?:(?![{NUM}多])[{_CJK}]){{1,3}})+")
_CHAIN_PART_RE = re.compile(rf"[{NUM}多]((?:(?![{NUM}多])[{_CJK}]){{1,3}})")
# 一体的一站式 is a phrase, not a chain
_CHAIN_STOP = frozenset("的和与及了是在对为")
_ASCII_PLUS_RE = re.compile(r"(?<![0-9A-Za-z+])[0-9A-Za-z]{1,3}(?:\+[0-9A-Za-z]{1,3})+(?![0-9A-Za-z+])")
# After a numeral these make a quantity, not a formula: 两个月, 五个百分点, 三年翻一番.
QUANTITY_WORDS = _words(
    "年 月 日 天 周 次 倍 番 批 轮 届 期 项 条 种 类 家 所 座 户 人 名 位 只 个 亿 万 千 百 元 米 吨 度 点 成 层 份 步 套 级 季 "
    "部分 百分点 小时 季度 方面 阶段 层次 以上 左右 多月 国家 地区 城市 省份 项目 企业 部门 单位 领域 行业 重点 环节 问题 方向 目标 任务 措施 主粮 标志"
)
# Verbs and function words that cannot start a compound formulation (发展数字经济 is an
# action on the formulation 数字经济, not a formulation) or, for FUNCTION_WORDS, sit
# inside one (产业和数字经济).
START_STOP = _words("""
发展 推动 推进 加快 加强 建设 打造 实施 促进 培育 壮大 构建 完善 深化 提升 创建 支持 做强 做优 做大
大力 积极 全面 坚持 加速 强化 优化 深入 落实 持续 不断 着力 聚焦 围绕 依托 实现 形成 建立 健全 提高
引进 引导 鼓励 服务 融入 参与 开展 探索 创新 争创 争取 助力 共建 共同 联合 统筹 协同 推广 扩大 培养
发挥 巩固 拓展 拓宽 用好 抓好 唱好 办好 建好 做好 抢抓 抓住 把握 立足 面向 对接 承接 引领 带动 增强
全力 奋力 努力 加大 突出 重点 主要 相关 各类 各 该 本 其 我们 我国 全国 全省 全市 全区 我市 我区
以上 以下 如期 打赢 全年 今年 去年 明年 时期 扛起 其中 通过 进一步 已 正 要 能 可 会
以 为 在 对 把 将 和 与 及 等 或 了 是 的 地 得 之 也 都 又 并 而 从 向 由 于 按 让 使 被 给 同 跟 至
""")
# Generic first words: 工作机制, 保障体系, 体现城市 (体现城市温度): a two-token compound
# starting with one is an ordinary phrase, not a named formulation.
GENERIC_FIRST = _words("""
工作 管理 治理 保障 激励 监管 监督 评价 评估 合作 联动 共享 保护 处置 经营 解决 支撑 监测 制度 政策 服务
设施 教育 信用 网络 供给 体制 长效 防控 保险 指标 工作 组织 运行 协调 保障 投入 考核 责任 市场 现代 重大
体现 构筑 作为 成为 到 结合 展现 重塑 赋能 扛起 时期 分析 变革 驱动 关联 面向 进入 建成 形成 打响 彰显
城市 经济 产业 国家 世界 全球 区域 地区 国际 国内 重要 新兴 主导 关键 核心 基础 一流 高端 实体 国民
专项 行动 调整 增长 标准 空间 实践 技术 中央 南北向 传统 开放 公共 现代化 生命线 美食
""")
# 三年行动, 五年行动计划: a duration label, not a name
_YEARS_RE = re.compile(f"^[{NUM}\\d]+年")
# Words after which a compound still ends its phrase (数字经济加快发展, 公园城市示范区 is
# its own candidate): verbs and predicates seen after compounds in the documents.
COMPOUND_FOLLOW = _words("取得 加快 蓬勃 有序 全面 迈 迈向 实现 成为 不断 持续 稳步 深入 上升 迈上 提质 走在 形成 目标 定位")
# Words that may follow a numbered formula without extending it (“十大工程”建设, 三大布局和…).
PHRASE_END_WORDS = _words("建设 实施 工作 要求 原则 方针 战略 为 重要 决定性 理念")
FUNCTION_WORDS = _words("和 与 及 以及 或 等 的 了 是 在 对 把 将 为 并 而 从 向 由 于 按 让 使 被 同")


@dataclass(frozen=True)
class Formulation:
    """One candidate occurrence: ``text`` as normalised, its kind and its place.

    ``start``/``end`` are offsets in the normalised text (for a quoted candidate,
    inside the quotation marks), ``raw_start``/``raw_end`` the raw file span behind
    them (``doc.raw_offsets``), ``sentence_id`` the body sentence that holds it.
    """

    text: str
    kind: str
    start: int
    end: int
    raw_start: int
    raw_end: int
    sentence_id: int
    doc_id: str


# --------------------------------------------------------------------------- heads

def _read_header_file(path: Path) -> tuple[dict[str, str], list[str]]:
    header: dict[str, str] = {}
    words: list[str] = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.startswith("#"):
            key, _, value = line[1:].strip().partition(":")
            header[key.strip()] = value.strip()
        elif line.strip():
            words.append(line.strip())
    return header, words


@lru_cache(maxsize=8)
def load_heads(path: str | Path = HEADS_PATH) -> frozenset[str]:
    """The head words of compound formulations (``data/formulation_heads.txt``).

    >>> {"经济", "城市", "经济圈"} <= load_heads()
    True
    """
    _, words = _read_header_file(Path(path))
    return frozenset(words)


def heads_file_header(path: str | Path = HEADS_PATH) -> tuple[dict[str, str], list[str]]:
    """Header fields and head words in file order (for the data-file test)."""
    return _read_header_file(Path(path))


# --------------------------------------------------------------------------- boundaries

def _clause_tokens(text: str, lo: int, hi: int) -> list[tuple[int, int, str]]:
    clause = text[lo:hi]
    toks = segment_clause(clause) if clause.strip() else ()
    out = []
    for a, b in token_spans(clause, toks):
        # pkuseg glues '+' to a neighbour ('+物', '联网'): a formula's '+' is a boundary
        tok = clause[a:b]
        if "+" in tok and tok != "+":
            for m in re.finditer(r"\+|[^+]+", tok):
                out.append((lo + a + m.start(), lo + a + m.end(), m.group()))
        else:
            out.append((lo + a, lo + b, tok))
    return out


def _boundaries(text: str, start: int, end: int) -> tuple[set[int], set[int]]:
    lo, hi = clause_bounds(text, start, end)
    toks = _clause_tokens(text, lo, hi)
    return {lo} | {a for a, _, _ in toks}, {hi} | {b for _, b, _ in toks}


def on_word_boundaries(text: str, start: int, end: int) -> bool:
    """Do both ends of ``text[start:end]`` fall on pkuseg word boundaries of its clause?

    >>> s = "推动创新经济发展"
    >>> on_word_boundaries(s, s.index("新经济"), s.index("新经济") + 3)
    False
    >>> on_word_boundaries(s, s.index("创新"), s.index("创新") + 2)
    True
    """
    starts, ends = _boundaries(text, start, end)
    return start in starts and end in ends


def count_occurrences(text: str, needle: str, start: int = 0, end: int | None = None) -> list[int]:
    """Start offsets of ``needle`` in ``text[start:end]`` with both ends on word boundaries.

    >>> count_occurrences("发展新经济,推动创新经济发展", "新经济")
    [2]
    """
    end = len(text) if end is None else end
    out: list[int] = []
    i = text.find(needle, start, end)
    while i >= 0:
        if on_word_boundaries(text, i, i + len(needle)):
            out.append(i)
        i = text.find(needle, i + 1, end)
    return out


def body_occurrences(doc: Document, needle: str) -> list[int]:
    """:func:`count_occurrences` in each body zone of ``doc``: a repeated copy of a block
    (zone ``duplicate``) between two body zones is not counted."""
    return [i for z in doc.body_zones for i in count_occurrences(doc.text, needle, z.start, z.end)]


# --------------------------------------------------------------------------- quoted

def quote_reason(inner: str, before: str = "", after: str = "", *, max_quote: int = 16) -> str | None:
    """Why a quoted span is not a formulation candidate, or None when it is one.

    ``before``/``after`` are a few characters of context outside the marks.

    >>> quote_reason("双城记") is None
    True
    >>> quote_reason("十四五"), quote_reason("稳"), quote_reason("东风")
    ('period_name', 'too_short', 'scare_quote')
    >>> quote_reason("全国示范步行街", before="获评")
    'honour_title'
    """
    if len(inner.strip()) < 2:
        return "too_short"
    if len(inner) > max_quote:
        return "too_long"
    if any(ch in _SENTENCE_PUNCT for ch in inner):
        return "sentence_inside"
    if _PERIOD_RE.match(inner):
        return "period_name"
    if _HONOUR_BEFORE_RE.search(before) or after.startswith(_HONOUR_AFTER):
        return "honour_title"
    if before.endswith(("：", ":")):
        return "speech"
    if len(inner) <= 3 and not _FORMULA_MARK.search(inner) and len(segment_clause(inner)) == 1:
        return "scare_quote"
    return None


def _quoted(text: str, lo: int, hi: int, max_quote: int) -> Iterable[tuple[int, int, str]]:
    prev_end, prev_reason = -1, None
    for m in _QUOTE_RE.finditer(text, lo, hi):
        g = next(i for i in range(1, m.re.groups + 1) if m.group(i) is not None)
        a, b = m.span(g)
        inner = text[a:b]
        reason = quote_reason(inner, text[max(0, m.start() - 8):m.start()], text[m.end():m.end() + 2],
                              max_quote=max_quote)
        # 获评“A”“B”“C”: a quote right after an honour title is the next title of the list
        if m.start() == prev_end and prev_reason == "honour_title":
            reason = "honour_title"
        prev_end, prev_reason = m.end(), reason
        if reason is None:
            yield a, b, "quoted"


# --------------------------------------------------------------------------- numbered

def _chain_is_quantity(chain: str) -> bool:
    return any(part[0] in QUANTITY_WORDS or part in QUANTITY_WORDS for part in _CHAIN_PART_RE.findall(chain))


def _numbered(text: str, lo: int, hi: int, heads: frozenset[str] = frozenset()) -> Iterable[tuple[int, int, str]]:
    seen: set[tuple[int, int]] = set()
    for m in _MEASURE_RE.finditer(text, lo, hi):
        a = m.start()
        after = m.end()
        c_lo, c_hi = clause_bounds(text, a, after)
        toks = _clause_tokens(text, c_lo, c_hi)
        starts = {t[0] for t in toks} | {c_lo}
        nexts = [t for t in toks if t[0] >= after]
        # the numeral starts a word and 个/大 ends one: 两个/确立, not 两/个人
        if a not in starts or not nexts or nexts[0][0] != after:
            continue
        noun = nexts[0][2]
        b = nexts[0][1]
        if len(noun) == 1 and len(nexts) > 1 and nexts[1][0] == b and len(noun + nexts[1][2]) <= 4:
            noun, b = noun + nexts[1][2], nexts[1][1]
        elif m.group(2) == "大" and heads:
            # 三大主导产业, 四大夜间经济地标: run on to a head word within three tokens
            run, end = noun, b
            for t in nexts[1:3]:
                if t[0] != end or not re.fullmatch(f"[{_CJK}]+", t[2]) or t[2] in FUNCTION_WORDS:
                    break
                run, end = run + t[2], t[1]
                if any(run.endswith(h) for h in heads):
                    noun, b = run, end
        # the formula ends a phrase: 十大文化地标 is not 十大文化, 两个负面清单 not 两个负面
        follow = next((t for t in toks if t[0] >= b), None)
        if follow is not None and follow[0] == b and re.match(f"[{_CJK}]", follow[2]) \
                and follow[2] not in FUNCTION_WORDS and follow[2] not in PHRASE_END_WORDS:
            continue
        # 金融、文博、商务三大主导产业: a count label summing up the list before it
        if "、" in text[c_lo:a] and re.match(f"[{_CJK}]", text[a - 1:a] or " "):
            continue
        if (len(noun) < 2 or not re.fullmatch(f"[{_CJK}]+", noun) or noun in QUANTITY_WORDS
                or re.search(f"[{NUM}]", noun)
                or noun[0] in QUANTITY_WORDS or noun in FUNCTION_WORDS):
            continue
        seen.add((a, b))
        yield a, b, "numbered"
    for m in _CHAIN_RE.finditer(text, lo, hi):
        a, b = m.span()
        if _chain_is_quantity(m.group()) or (a, b) in seen or any(ch in _CHAIN_STOP for ch in m.group()):
            continue
        # a chain may run into the next word (一核四区建设 is not matched because 建
        # is no numeral, but 两山夹一城市 would be): keep the longest prefix that ends
        # on a word boundary and still holds two numeral parts.
        starts, ends = _boundaries(text, a, b)
        if a not in starts:
            continue
        while b > a and b not in ends:
            b -= 1
        if b > a and len(_CHAIN_PART_RE.findall(text[a:b])) >= 2 and not _chain_is_quantity(text[a:b]):
            yield a, b, "numbered"
    for m in _ASCII_PLUS_RE.finditer(text, lo, hi):
        if re.search("[A-Za-z]", m.group()) or m.group().count("+") >= 2:  # 3+6+N, 1+N; not 1+2 arithmetic
            yield m.start(), m.end(), "numbered"
    i = text.find("+", lo, hi)
    while i >= 0:
        span = _plus_formula(text, i)
        if span is not None:
            yield span[0], span[1], "numbered"
            i = span[1] - 1  # a chain a+b+c is one formula
        i = text.find("+", i + 1, hi)


def _plus_formula(text: str, plus: int) -> tuple[int, int] | None:
    """人工智能+, 旅游+文创: the CJK words (≤ 6 characters a side) the ``+`` binds."""
    c_lo, c_hi = clause_bounds(text, plus, plus + 1)
    toks = _clause_tokens(text, c_lo, c_hi)
    left = [t for t in toks if t[1] <= plus]
    a = plus
    for t in reversed(left):
        if t[1] != a or not re.fullmatch(f"[{_CJK}]+", t[2]) or t[2] in START_STOP:
            break
        if plus - t[0] > 6:  # the operand runs on: a fragment of a longer formula
            return None
        a = t[0]
    if a == plus:  # no CJK word on the left: an ASCII formula or arithmetic
        return None
    b, op = plus + 1, plus + 1
    for t in (t for t in toks if t[0] > plus):
        if t[0] != b:
            break
        if t[2] == "+":  # the next operand of a chain 农业大数据+物联网+区块链
            b, op = t[1], t[1]
            continue
        if not re.fullmatch(f"[{_CJK}]+", t[2]) or t[2] in FUNCTION_WORDS:
            break
        if t[1] - op > 6:
            return None
        b = t[1]
    return a, b


# --------------------------------------------------------------------------- compound

def _compound_spans(text: str, lo: int, hi: int, heads: frozenset[str], max_tokens: int
                    ) -> Iterable[tuple[int, int, bool]]:
    toks = _clause_tokens(text, lo, hi)
    for i, (_, end_i, _tok_i) in enumerate(toks):
        # The head must end the token run and start on a token boundary: 新/经济,
        # 经济圈, 示范/区; a token that holds more than the head (数字经济 as one
        # token) is itself a compound.
        for k in (1, 2):
            if i - k + 1 < 0:
                continue
            tail = "".join(t[2] for t in toks[i - k + 1:i + 1])
            head = next((h for h in heads if tail.endswith(h) and (tail == h or k == 1)), None)
            if head is None:
                continue
            for j in range(i, max(-1, i - max_tokens), -1):
                run = toks[j:i + 1]
                span_text = text[run[0][0]:end_i]
                if span_text == head or any(run[x][1] != run[x + 1][0] for x in range(len(run) - 1)):
                    continue
                if not all(re.fullmatch(f"[{_CJK}]+", t[2]) for t in run):
                    break
                if run[0][2] in START_STOP or any(t[2] in FUNCTION_WORDS for t in run[:len(run) - k]):
                    continue
                if len(run) - k == 1 and k == 1 and run[0][2] in GENERIC_FIRST and len(run) == 2:
                    continue
                if len(span_text) <= len(head) or _YEARS_RE.match(span_text):
                    continue
                # Does the compound end its noun phrase here? 成都经济社会发展 does not
                # (成都经济 is a fragment), 数字经济加快发展 does.
                nxt = toks[i + 1][2] if i + 1 < len(toks) and toks[i + 1][0] == end_i else ""
                phrase_end = not re.match(f"[{_CJK}]", nxt) or nxt in FUNCTION_WORDS or nxt in START_STOP \
                    or nxt in PHRASE_END_WORDS or nxt in COMPOUND_FOLLOW
                yield run[0][0], end_i, phrase_end
            break


def _covered(text: str, a: int, w: str, longer: Sequence[str]) -> bool:
    """Is the occurrence of ``w`` at ``a`` part of an occurrence of a longer candidate?"""
    for v in longer:
        k = v.find(w)
        while k >= 0:
            if text[a - k:a - k + len(v)] == v:
                return True
            k = v.find(w, k + 1)
    return False


def _clauses(text: str, lo: int, hi: int) -> Iterable[tuple[int, int]]:
    a = lo
    for i in range(lo, hi):
        if text[i] in CLAUSE_DELIMITERS:
            if i > a:
                yield a, i
            a = i + 1
    if hi > a:
        yield a, hi


def _scan(text: str, sentences: Sequence[tuple[int, int, int]], doc_id: str,
          raw_offsets: Callable[[int, int], tuple[int, int]],
          heads: frozenset[str], max_quote: int, min_compound_count: int, max_tokens: int) -> list[Formulation]:
    found: list[tuple[int, int, str, int]] = []
    compounds: dict[str, list[tuple[int, int, int]]] = {}
    standalone: set[str] = set()
    for sid, s, e in sentences:
        found.extend((a, b, kind, sid) for a, b, kind in _quoted(text, s, e, max_quote))
        quoted = [(a, b) for a, b, _ in _quoted(text, s, e, max_quote)]
        for a, b, kind in _numbered(text, s, e, heads):
            # a '+' fragment of a longer quoted formula (“城市机会清单+城市未来场景实验室+…”)
            if "+" in text[a:b] and any(qa <= a and b <= qb and (qa, qb) != (a, b) for qa, qb in quoted):
                continue
            # 十大工程 inside “幸福美好生活十大工程”, 十大行动 inside “碳达峰十大行动”: a
            # fragment of the quoted name (三组团四区 after 、 in “两轴两翼、三组团四区” is not)
            if any(qa < a and b <= qb for qa, qb in quoted) and re.match(f"[{_CJK}]", text[a - 1]):
                continue
            found.append((a, b, kind, sid))
        for c_lo, c_hi in _clauses(text, s, e):
            for a, b, phrase_end in _compound_spans(text, c_lo, c_hi, heads, max_tokens):
                compounds.setdefault(text[a:b], []).append((a, b, sid))
                if phrase_end:
                    standalone.add(text[a:b])
    # frequent, and at least once at the end of its phrase (成都经济 only ever occurs in
    # 成都经济社会发展, 通信枢纽 only in 通信枢纽核心功能: fragments)
    frequent = {w: occ for w, occ in compounds.items() if len(occ) >= min_compound_count and w in standalone}
    for w, occ in frequent.items():
        # Nested: 双城经济圈 never occurs outside 成渝地区双城经济圈, 现代总部经济 never
        # outside 现代总部经济高地: keep the longer one only.
        longer = [v for v in frequent if v != w and w in v]
        if longer and all(_covered(text, a, w, longer) for a, _, _ in occ):
            continue
        found.extend((a, b, "compound", sid) for a, b, sid in occ)
    out = []
    for a, b, kind, sid in sorted(set(found), key=lambda f: (f[0], f[1], KINDS.index(f[2]))):
        ra, rb = raw_offsets(a, b)
        out.append(Formulation(text[a:b], kind, a, b, ra, rb, sid, doc_id))
    return out


def formulation_candidates(doc: Document, *, heads: Iterable[str] | None = None, max_quote: int = 16,
                           min_compound_count: int = 2, max_tokens: int = 5) -> list[Formulation]:
    """Formulation candidates of a document's body, in text order.

    >>> import plantrace
    >>> doc = plantrace.load_corpus("corpora/chengdu")["chengdu_2020_party_proposal"]
    >>> cands = formulation_candidates(doc)
    >>> [c.text for c in cands if c.kind == "quoted"][:3]
    ['最适宜新经济发展的城市', '东进、南拓、西控、北改、中优', '两山夹一城']
    >>> any(c.text == "公园城市" and c.kind == "compound" for c in cands)
    True
    """
    hs = load_heads() if heads is None else frozenset(heads)
    sents = [(s.id, s.start, s.end) for s in doc.sentences if s.zone == "body"]
    return _scan(doc.text, sents, doc.doc_id, doc.raw_offsets, hs, max_quote, min_compound_count, max_tokens)


def text_candidates(text: str, *, heads: Iterable[str] | None = None, max_quote: int = 16,
                    min_compound_count: int = 2, max_tokens: int = 5, doc_id: str = "") -> list[Formulation]:
    """Candidates of a bare text (one sentence per 。！？ or line; raw = normalised offsets).

    >>> [(c.text, c.kind) for c in text_candidates("坚持“两个毫不动摇”,推动实现“两个确立”。")]
    [('两个毫不动摇', 'quoted'), ('两个毫不动摇', 'numbered'), ('两个确立', 'quoted'), ('两个确立', 'numbered')]
    """
    hs = load_heads() if heads is None else frozenset(heads)
    sents: list[tuple[int, int, int]] = []
    a = 0
    for i, ch in enumerate(text):
        if ch in "。！？\n":
            sents.append((len(sents), a, i + 1))
            a = i + 1
    if a < len(text):
        sents.append((len(sents), a, len(text)))
    return _scan(text, sents, doc_id, lambda s, e: (s, e), hs, max_quote, min_compound_count, max_tokens)


# --------------------------------------------------------------------------- per document

FORMULATION_COLUMNS = ["doc_id", "formulation", "kind", "kinds", "count", "first_sentence", "first_sentence_id",
                       "first_start", "first_raw_start", "first_raw_end", "concept_id", "concept_rule",
                       "year", "level", "doc_type"]
CHANGE_COLUMNS = ["formulation", "kind", "status", "count_a", "count_b", "g2", "log_ratio", "taken_up_from_parent",
                  "concept_id", "doc_a", "doc_b", "parent", "evidence_doc", "evidence_sentence", "evidence_start",
                  "evidence_raw_start", "evidence_raw_end"]
STATUSES = ("new", "kept", "dropped")

def _concept_of(formulation: str, aliases: dict[str, str]) -> tuple[str, str]:
    if formulation in aliases:
        return aliases[formulation], "alias_equals"
    inside = [a for a in aliases if len(a) >= 2 and a in formulation]
    if inside:
        best = max(inside, key=lambda a: (len(a), a))
        return aliases[best], "alias_contained"
    return "", ""


def _body_sentence_text(doc: Document, sid: int) -> str:
    return doc.sentences[sid].text if 0 <= sid < len(doc.sentences) else ""


def document_formulations(docs: Iterable[Document], *, lexicon: Lexicon | None = None,
                          heads: Iterable[str] | None = None, max_quote: int = 16,
                          min_compound_count: int = 2, max_tokens: int = 5) -> pd.DataFrame:
    """One row per document and formulation.

    Columns: doc_id, formulation, kind (quoted > numbered > compound when a text is
    found as several), kinds, count (boundary-checked occurrences in the body),
    first_sentence, first_sentence_id, first_start, first_raw_start, first_raw_end,
    concept_id and concept_rule (``alias_equals``: a lexicon alias is the
    formulation; ``alias_contained``: the longest alias inside it), year, level,
    doc_type. Sorted by document order given, then first_start.

    >>> import plantrace
    >>> doc = plantrace.load_corpus("corpora/chengdu")["xindu_2021_signed_article"]
    >>> from plantrace.concepts.lexicon import default_lexicon
    >>> f = document_formulations([doc], lexicon=default_lexicon())
    >>> f.loc[f.formulation == "双城记", ["kind", "concept_id", "concept_rule"]].values.tolist()
    [['quoted', 'chengyu_economic_circle', 'alias_equals']]
    """
    aliases = lexicon.alias_index if lexicon is not None else {}
    rows = []
    for doc in docs:
        cands = formulation_candidates(doc, heads=heads, max_quote=max_quote,
                                       min_compound_count=min_compound_count, max_tokens=max_tokens)
        by_text: dict[str, list[Formulation]] = {}
        for c in cands:
            by_text.setdefault(c.text, []).append(c)
        meta = doc.meta
        for text, cs in by_text.items():
            spans = {c.start for c in cs} | set(body_occurrences(doc, text))
            first = min(cs, key=lambda c: c.start)
            first_start = min(spans)
            if first_start != first.start:  # an earlier unquoted occurrence
                sent = doc.sentence_at(first_start)
                sid = sent.id if sent is not None else -1
                ra, rb = doc.raw_offsets(first_start, first_start + len(text))
            else:
                sid, ra, rb = first.sentence_id, first.raw_start, first.raw_end
            kinds = sorted({c.kind for c in cs}, key=KINDS.index)
            cid, rule = _concept_of(text, aliases)
            rows.append({
                "doc_id": doc.doc_id, "formulation": text, "kind": kinds[0], "kinds": "|".join(kinds),
                "count": len(spans), "first_sentence": _body_sentence_text(doc, sid), "first_sentence_id": sid,
                "first_start": first_start, "first_raw_start": ra, "first_raw_end": rb,
                "concept_id": cid, "concept_rule": rule,
                "year": meta.get("year"), "level": meta.get("level"), "doc_type": meta.get("doc_type"),
            })
    frame = pd.DataFrame(rows, columns=FORMULATION_COLUMNS)
    order = {doc_id: i for i, doc_id in enumerate(dict.fromkeys(frame["doc_id"]))}
    return (frame.assign(_d=frame["doc_id"].map(order)).sort_values(["_d", "first_start", "formulation"], kind="stable")
            .drop(columns="_d").reset_index(drop=True))


# --------------------------------------------------------------------------- pairs

_STATUS_ORDER = {"new": 0, "kept": 1, "dropped": 2}


def compare_formulations(doc_a: Document, doc_b: Document, *, parent: Document | None = None,
                         lexicon: Lexicon | None = None, **options: Any) -> pd.DataFrame:
    """Formulations of A and B compared: new (in B, not in A), kept, dropped.

    A formulation of either document is counted in both bodies with the same
    boundary rule (``count_a``, ``count_b``); ``g2`` and ``log_ratio`` (B against A,
    :mod:`plantrace.measure.stats`, totals = body characters without whitespace) rank it.
    ``taken_up_from_parent`` is True for a ``new`` formulation of B that occurs in
    ``parent``'s body (None when no parent is given). The evidence is B's first
    sentence holding it (A's for a dropped one), with normalised and raw offsets.
    Sorted: new by g2 descending, kept by g2 descending, dropped by g2 ascending.

    >>> import plantrace
    >>> c = plantrace.load_corpus("corpora/gwr-national")
    >>> d = compare_formulations(c["gwr_national_2024"], c["gwr_national_2025"])
    >>> d.loc[d.formulation.isin(["两重", "两新"]), ["formulation", "status", "count_a"]].values.tolist()
    [['两重', 'new', 0], ['两新', 'new', 0]]
    """
    fa = document_formulations([doc_a], lexicon=lexicon, **options)
    fb = document_formulations([doc_b], lexicon=lexicon, **options)
    return compare_formulation_frames(doc_a, doc_b, fa, fb, parent=parent)


def compare_formulation_frames(doc_a: Document, doc_b: Document, fa: pd.DataFrame, fb: pd.DataFrame, *,
                               parent: Document | None = None) -> pd.DataFrame:
    """:func:`compare_formulations` from the two documents' :func:`document_formulations`
    frames already computed (what :func:`corpus_formulation_changes` reuses from the cache)."""
    info: dict[str, dict[str, object]] = {}
    for frame in (fb, fa):
        for r in frame.itertuples(index=False):
            info.setdefault(str(r.formulation), {"kind": r.kind, "concept_id": r.concept_id})
    ta, tb = doc_a.body_chars, doc_b.body_chars
    rows = []
    for text, meta in info.items():
        occ_a = body_occurrences(doc_a, text)
        occ_b = body_occurrences(doc_b, text)
        # a candidate's own occurrence counts even if the plain search misses it
        occ_a = sorted(set(occ_a) | set(fa.loc[fa.formulation == text, "first_start"]))
        occ_b = sorted(set(occ_b) | set(fb.loc[fb.formulation == text, "first_start"]))
        ca, cb = len(occ_a), len(occ_b)
        status = "new" if ca == 0 else ("dropped" if cb == 0 else "kept")
        ev_doc, ev_at = (doc_a, occ_a[0]) if status == "dropped" else (doc_b, occ_b[0])
        sent = ev_doc.sentence_at(ev_at)
        ra, rb = ev_doc.raw_offsets(ev_at, ev_at + len(text))
        taken: bool | None = None
        if parent is not None:
            taken = status == "new" and bool(body_occurrences(parent, text))
        rows.append({
            "formulation": text, "kind": meta["kind"], "status": status, "count_a": ca, "count_b": cb,
            "g2": g2(cb, ca, tb, ta), "log_ratio": log_ratio(cb, ca, tb, ta),
            "taken_up_from_parent": taken, "concept_id": meta["concept_id"],
            "doc_a": doc_a.doc_id, "doc_b": doc_b.doc_id, "parent": parent.doc_id if parent is not None else "",
            "evidence_doc": ev_doc.doc_id, "evidence_sentence": sent.text if sent else "",
            "evidence_start": ev_at, "evidence_raw_start": ra, "evidence_raw_end": rb,
        })
    out = pd.DataFrame(rows, columns=CHANGE_COLUMNS)
    if out.empty:
        return out
    key = out["status"].map(_STATUS_ORDER) * 1e9 + out["g2"].where(out["status"] == "dropped", -out["g2"])
    return out.assign(_k=key).sort_values(["_k", "formulation"], kind="stable").drop(columns="_k").reset_index(drop=True)


# --------------------------------------------------------------------------- corpus

def check_formulation_statuses(statuses: Sequence[str] | None) -> None:
    """An unknown status is a user mistake, not an empty table."""
    bad = [x for x in statuses or () if x not in STATUSES]
    if bad:
        raise PlantraceError(f"unknown formulation status {bad[0]!r}", hint=f"use one of {', '.join(STATUSES)}")


def _options_key(options: dict[str, Any]) -> str:
    opts = dict(options)
    heads = opts.pop("heads", None)
    hs = load_heads() if heads is None else frozenset(heads)
    digest = hashlib.sha256("\n".join(sorted(hs)).encode("utf-8")).hexdigest()[:16]
    return repr((sorted(opts.items()), digest))


def _formulation_provenance(corpus: DocumentSet, lexicon: Lexicon, **extra: Any) -> dict[str, object]:
    return provenance(corpus, lexicon, formulation_heads_sha256=hashlib.sha256(
        HEADS_PATH.read_bytes()).hexdigest(), **extra)


def _formulations_key(doc: Document, lexicon: Lexicon, options: dict[str, Any]) -> CacheKey:
    return CacheKey("formulations", (doc.doc_id, doc.raw_sha256, lexicon_key(lexicon), _options_key(options)))


def _cached_document_formulations(corpus: DocumentSet, doc: Document, lexicon: Lexicon,
                                  options: dict[str, Any]) -> pd.DataFrame:
    key = _formulations_key(doc, lexicon, options)
    cached: pd.DataFrame | None = corpus.cache.get(key)
    if cached is not None:
        return cached
    return corpus.cache.put(key, document_formulations([doc], lexicon=lexicon, **options))


def _ensure_formulations(corpus: DocumentSet, docs: Sequence[Document], lexicon: Lexicon,
                         options: dict[str, Any]) -> None:
    """Compute the documents' formulations not cached yet, with the pkuseg segmentations of
    the corpus's store preloaded and the new ones written back (so a second run of the
    report never loads pkuseg for them); without a store (or while another process holds
    it) they are computed all the same."""
    todo = [d for d in docs if _formulations_key(d, lexicon, options) not in corpus.cache]
    if not todo:
        return
    store = None
    if corpus.store_path is not None:
        try:
            store = Store(corpus.store_path)
        except PlantraceError:
            store = None
    try:
        if store is not None:
            preload_clauses(store.get_clauses())
            take_new_clauses()
        for doc in todo:
            _cached_document_formulations(corpus, doc, lexicon, options)
            if store is not None:
                store.put_clauses(take_new_clauses())
    finally:
        if store is not None:
            store.close()


def corpus_formulations(corpus: DocumentSet, lexicon: Lexicon | None = None, *,
                        doc_ids: Sequence[str] | None = None, kinds: Sequence[str] | None = None,
                        **options: Any) -> pd.DataFrame:
    """:func:`document_formulations` of the corpus's documents (or of ``doc_ids``), each
    document computed once per lexicon and options (the corpus's result cache), with
    ``attrs["provenance"]``. ``kinds`` keeps only formulations of those kinds.

    >>> import plantrace
    >>> c = plantrace.load_corpus("corpora/chengdu")
    >>> f = c.formulations(doc_ids=["xindu_2021_signed_article"], kinds=["quoted"])
    >>> f.loc[f.formulation == "五绿润城", ["kind", "count"]].values.tolist()
    [['quoted', 1]]
    >>> {"formulation_heads_sha256", "lexicon", "lexicon_sha256"} <= set(f.attrs["provenance"])
    True
    """
    bad = [k for k in kinds or () if k not in KINDS]
    if bad:
        raise PlantraceError(f"unknown formulation kind {bad[0]!r}", hint=f"use one of {', '.join(KINDS)}")
    lex = lexicon or default_lexicon()
    docs = [corpus[d] for d in doc_ids] if doc_ids is not None else list(corpus.docs)
    _ensure_formulations(corpus, docs, lex, options)
    frames = [_cached_document_formulations(corpus, d, lex, options) for d in docs]
    frames = [f for f in frames if not f.empty]
    out = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=FORMULATION_COLUMNS)
    if kinds:
        out = out[out["kind"].isin(kinds)].reset_index(drop=True)
    out = add_docvars(out, docs)
    out.attrs = {"provenance": _formulation_provenance(corpus, lex)}
    return out


def corpus_formulation_changes(corpus: DocumentSet, *, by: str | None = "level", pair: tuple[str, str] | None = None,
                               pairs: Sequence[tuple[str, str]] | None = None, lexicon: Lexicon | None = None,
                               statuses: Sequence[str] | None = None, **options: Any) -> pd.DataFrame:
    """Formulations new, kept and dropped for every pair: an explicit ``pair`` (A, B), a
    list of ``pairs``, or the pairs ``by`` "year" or "level" of :mod:`plantrace.compare.pairs`.

    ``parent`` is B's parent document (:func:`~plantrace.compare.pairs.parent_document`):
    ``taken_up_from_parent`` says whether a new formulation of B is in it (for a level
    pair A is that parent, so it is always False there; None when B has no parent).
    Each document's formulations are computed once (cached), then compared.

    >>> import plantrace
    >>> c = plantrace.load_corpus("corpora/chengdu")
    >>> d = c.formulation_changes(pair=("xindu_2021_signed_article", "qingyang_2021_plan_outline"))
    >>> r = d.set_index("formulation").loc["三城三都"]
    >>> r.status, bool(r.taken_up_from_parent), r.parent
    ('new', True, 'chengdu_2020_party_proposal')
    """
    check_formulation_statuses(statuses)
    todo: list[tuple[str, str]]
    if pair is not None:
        todo = [(pair[0], pair[1])]
    elif pairs is not None:
        todo = [(p[0], p[1]) for p in pairs]
    elif by == "year":
        todo = list(pairs_by_year(corpus))
    elif by == "level":
        todo = list(pairs_by_level(corpus))
    else:
        raise PlantraceError(f"unknown comparison {by!r}", hint="use --by year, --by level or --pair A B")
    for a, b in todo:
        corpus[a], corpus[b]  # unknown ids raise a clear error before any work
    lex = lexicon or default_lexicon()
    okey = _options_key(options)
    _ensure_formulations(corpus, [corpus[d] for d in dict.fromkeys(x for p in todo for x in p)], lex, options)
    frames = []
    for a, b in todo:
        doc_a, doc_b = corpus[a], corpus[b]
        parent = parent_document(corpus, doc_b)
        key = CacheKey("formulation_changes", (a, b, parent.doc_id if parent else "", lexicon_key(lex), okey))
        frame: pd.DataFrame | None = corpus.cache.get(key)
        if frame is None:
            fa = _cached_document_formulations(corpus, doc_a, lex, options)
            fb = _cached_document_formulations(corpus, doc_b, lex, options)
            frame = corpus.cache.put(key, compare_formulation_frames(doc_a, doc_b, fa, fb, parent=parent))
        frames.append(frame)
    frames = [f for f in frames if not f.empty]
    out = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=CHANGE_COLUMNS)
    if statuses:
        out = out[out["status"].isin(statuses)].reset_index(drop=True)
    out = add_pair_docvars(out, corpus)
    out.attrs = {"provenance": _formulation_provenance(corpus, lex), "pairs": todo}
    return out


# --------------------------------------------------------------------------- lexicon stub

def formulation_id(text: str) -> str:
    """An ASCII id for a formulation: ``f_`` and 8 hex digits of its UTF-8 sha1.

    No romanisation is available offline, so the id is a stable hash the
    researcher renames when curating.

    >>> formulation_id("双城记")
    'f_74eb7c68'
    """
    return "f_" + hashlib.sha1(text.encode("utf-8")).hexdigest()[:8]


def suggest_from_formulations(frame: pd.DataFrame, lexicon: Lexicon | None = None) -> str:
    """A YAML lexicon stub for the formulations of ``frame`` no concept covers.

    ``frame`` is :func:`document_formulations` output; a row is covered when its
    ``concept_id`` is set or, with ``lexicon``, an alias of it equals or is inside
    the formulation. Each suggestion: id (:func:`formulation_id`), label, aliases,
    category ``suggested``, parent null, source "first seen in <doc_id> <year>"
    (earliest year, then frame order), note. The text loads with
    :func:`plantrace.concepts.lexicon.lexicon_from_mapping`.

    >>> f = pd.DataFrame([{"doc_id": "d1", "formulation": "双城记", "kind": "quoted",
    ...                    "concept_id": "", "year": 2021}])
    >>> print(suggest_from_formulations(f).split("concepts:")[1].strip())
    - id: f_74eb7c68
      label: 双城记
      category: suggested
      aliases:
      - 双城记
      parent: null
      source: first seen in d1 2021
      note: suggested from formulations (quoted); curate before use
    """
    aliases = lexicon.alias_index if lexicon is not None else {}
    seen: dict[str, dict[str, object]] = {}
    ordered = frame.assign(_o=range(len(frame))).sort_values(["year", "_o"], kind="stable")
    for r in ordered.itertuples(index=False):
        text = str(r.formulation)
        if text in seen or (isinstance(r.concept_id, str) and r.concept_id):
            continue
        if aliases and _concept_of(text, aliases)[0]:
            continue
        seen[text] = {
            "id": formulation_id(text), "label": text, "category": "suggested",
            "aliases": [text], "parent": None,
            "source": f"first seen in {r.doc_id} {r.year}",
            "note": f"suggested from formulations ({r.kind}); curate before use",
        }
    data = {
        "name": "formulation_suggestions", "version": "0.0.1", "language": "zh-Hans",
        "source": "plantrace formulations: candidates no concept of the lexicon covers",
        "license": "CC0-1.0",
        "categories": {"suggested": "提法候选 / formulations suggested for curation"},
        "concepts": list(seen.values()),
    }
    return "# Suggested from formulations; curate before use (ids are sha1 slugs: rename them).\n" + \
        yaml.safe_dump(data, allow_unicode=True, sort_keys=False)
