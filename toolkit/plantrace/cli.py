"""The ``plantrace`` command: a thin layer over the API.

Computation happens in the API; this module parses options, shows progress and
hands results to :mod:`plantrace.report` for printing. User mistakes exit with
code 2 and one line naming the file; ``--debug`` shows the traceback.
"""

from __future__ import annotations

import json
import os
import signal
import sys
import warnings
from pathlib import Path
from typing import Annotated, Any, Callable, Optional, TypeVar

import pandas as pd
import typer
from typer.core import TyperGroup

from ._version import __version__
from .concepts.lexicon import Lexicon, load_lexicon, load_lexicons
from .concepts.segment import WORKER_SETUP
from .corpus import Corpus, load_corpus
from .engine.runner import LocalRunner, Runner, make_runner
from .errors import PlantraceError, ValidationError
from .ingest.read import DEFAULT_MAX_BYTES
from .measure.counts import describe_kwic_query
from .report.console import (
    print_alignment,
    print_corpus_table,
    print_diff,
    print_explanation,
    print_formulation_changes,
    print_formulations,
    print_frame,
    print_report,
    progress_loader,
    step_progress,
)
from .report.guard import MARKER, MARKER_TEXT, check_not_input, check_output, check_writable, os_error

# The compare stage is imported by the commands that use it (see corpus.py).
from .report.tables import write_frame, write_text_atomic


class _GlobalOptionsAnywhere(TyperGroup):
    """Global options (``--jobs``, ``--quiet``, ``--store``, ``--where`` …) are accepted
    after the command as well: ``plantrace count corpora/chengdu --quiet`` is
    ``plantrace --quiet count corpora/chengdu``. Everything after ``--`` stays put."""

    def parse_args(self, ctx: Any, args: list[str]) -> list[str]:
        return super().parse_args(ctx, hoist_global_options(self, args))

    def get_command(self, ctx: Any, cmd_name: str) -> Any:
        command = super().get_command(ctx, cmd_name)
        _flags_as_flags(command)
        return command

    def format_help(self, ctx: Any, formatter: Any) -> None:
        _flags_as_flags(self)
        super().format_help(ctx, formatter)

    def get_help_option(self, ctx: Any) -> Any:
        return _flag_metavar(super().get_help_option(ctx))


def _flag_metavar(option: Any) -> Any:
    if option is not None and option.metavar is None:
        option.metavar = ""
    return option


def _flags_as_flags(command: Any) -> None:
    """Help shows a plain flag (``--json``) as a flag, without a ``<bool>`` value."""
    for param in getattr(command, "params", None) or []:
        if getattr(param, "is_flag", False) and param.metavar is None:
            param.metavar = ""
    if command is not None and not getattr(command, "_plantrace_help_flag", False):
        original = command.get_help_option
        command.get_help_option = lambda ctx: _flag_metavar(original(ctx))
        command._plantrace_help_flag = True
    for sub in (getattr(command, "commands", None) or {}).values():
        _flags_as_flags(sub)


def hoist_global_options(group: TyperGroup, args: list[str]) -> list[str]:
    """``args`` with the group's own options found after the command moved before it."""
    takes_value: dict[str, bool] = {}
    for param in group.params:
        if param.param_type_name == "option":
            for name in [*param.opts, *getattr(param, "secondary_opts", [])]:
                takes_value[name] = not (getattr(param, "is_flag", False) or getattr(param, "count", False))
    position, i = None, 0
    while i < len(args):  # the command is the first word that is no option nor an option's value
        token = args[i]
        if token == "--":
            break
        if token.startswith("-"):
            i += 2 if takes_value.get(token, False) else 1
            continue
        if token in group.commands:
            position = i
        break
    if position is None:
        return args
    head, command, tail = args[:position], args[position], args[position + 1:]
    moved: list[str] = []
    kept: list[str] = []
    i = 0
    while i < len(tail):
        token = tail[i]
        if token == "--":
            kept.extend(tail[i:])
            break
        name = token.split("=", 1)[0]
        if name in takes_value and token.startswith("-"):
            moved.append(token)
            if takes_value[name] and "=" not in token and i + 1 < len(tail):
                moved.append(tail[i + 1])
                i += 1
        else:
            kept.append(token)
        i += 1
    return [*head, *moved, command, *kept]


def _version_callback(value: bool) -> None:
    if value:
        typer.echo(f"plantrace {__version__}")
        raise typer.Exit()


app = typer.Typer(
    cls=_GlobalOptionsAnywhere,
    name="plantrace",
    help="Measure how Chinese planning language changes between levels of government and years.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)

T = TypeVar("T")
_state: dict[str, object] = {"debug": False, "quiet": False, "store": None}

CorpusArg = Annotated[list[Path], typer.Argument(help="Corpus folder(s), each with manifest.csv.")]


def _run(fn: Callable[[], T]) -> T:
    """Run a command body; a user mistake becomes one line on stderr and exit code 2."""
    _state.pop("aborted_pool", None)
    try:
        return _with_runner_closed(fn)
    except PlantraceError as exc:
        if _state["debug"]:
            raise
        if isinstance(exc, ValidationError) and len(exc.problems) > 1:
            # Every problem at once, one per line, so the user fixes them in one pass.
            typer.echo(f"plantrace: error: {len(exc.problems)} problems in {exc.file}:", err=True)
            typer.echo(exc.report(), err=True)
        else:
            typer.echo(f"plantrace: error: {exc}", err=True)
        raise typer.Exit(2) from None
    except KeyboardInterrupt as exc:
        typer.echo("plantrace: interrupted", err=True)
        code = 128 + int(exc.args[0]) if isinstance(exc, _Terminated) else 130
        if _state.pop("aborted_pool", False):
            # The workers are stopped and partial outputs removed: leave now. A worker
            # killed mid-write can leave the pool's manager thread waiting for the rest of
            # a result forever, and the interpreter's exit joins that thread (a SIGTERM'd
            # `report` hung about one time in six). The finalizers of priority >= 0 run
            # first, as at a normal exit (multiprocessing's own exit runs them before it
            # touches any process or thread): they unlink the pool queues' semaphores,
            # without which the resource tracker warns of "leaked semaphore objects".
            from multiprocessing import util as mp_util

            mp_util._run_finalizers(0)  # type: ignore[attr-defined]
            sys.stdout.flush()
            sys.stderr.flush()
            os._exit(code)
        raise typer.Exit(code) from None
    except typer.Exit:
        raise
    except Exception as exc:  # an internal error: say so, keep it short unless --debug
        if _state["debug"]:
            raise
        typer.echo(f"plantrace: internal error: {exc.__class__.__name__}: {exc} "
                   "(run again with --debug for the traceback and report it)", err=True)
        raise typer.Exit(1) from None


def _show_warning(message: Warning | str, category: type[Warning], filename: str, lineno: int,
                  file: object = None, line: str | None = None) -> None:
    """A warning is one plain line (no Python source line), e.g. the store set aside."""
    typer.echo(f"plantrace: warning: {message}", err=True)


class _Terminated(KeyboardInterrupt):
    """SIGTERM or SIGHUP: unwound like Ctrl-C, so workers stop and partial outputs go."""


def _on_signal(signum: int, frame: object) -> None:
    raise _Terminated(signum)


def _with_runner_closed(fn: Callable[[], T]) -> T:
    abort = True
    try:
        result = fn()
        abort = False
        runner = _state.get("runner")
        note = runner.note() if isinstance(runner, Runner) else None
        if note and not _state["quiet"]:
            # How the run used (or did not use) the --jobs workers: one line, so a run
            # that is serial on purpose does not look like a parallel run gone slow.
            typer.echo(f"note: {note}", err=True)
        return result
    finally:
        runner = _state.pop("runner", None)
        if isinstance(runner, Runner):
            if abort and isinstance(runner, LocalRunner) and runner.started:
                _state["aborted_pool"] = True
            runner.close(abort=abort)  # an error or a signal: stop the workers now


@app.callback()
def _main(
    debug: Annotated[bool, typer.Option("--debug", help="Show tracebacks.")] = False,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No progress bars.")] = False,
    store: Annotated[Optional[Path], typer.Option(
        "--store", help="DuckDB store of processed documents (default CORPUS/.plantrace/store.duckdb).")] = None,
    no_store: Annotated[bool, typer.Option("--no-store", help="Keep nothing between runs.")] = False,
    jobs: Annotated[Optional[int], typer.Option("--jobs", "-j", min=1, help="Local worker processes (default: one per core); "
                                                "they start only when the new work is big enough to pay for them.")] = None,
    force_pool: Annotated[bool, typer.Option("--force-pool", help="Start the --jobs workers even for work below the size "
                                             "where they pay off (timing experiments).")] = False,
    dask_scheduler: Annotated[Optional[str], typer.Option("--dask-scheduler", help="Run on a Dask cluster at ADDRESS.")] = None,
    dask_local: Annotated[Optional[int], typer.Option("--dask-local", min=1, help="Run on a Dask LocalCluster of N workers.")] = None,
    max_mb: Annotated[float, typer.Option("--max-mb", help="Refuse documents larger than this (MB).")] = DEFAULT_MAX_BYTES / 2**20,
    where: Annotated[Optional[list[str]], typer.Option(
        "--where", metavar="CONDITION", help="Only documents meeting COLUMN=VALUE, COLUMN!=VALUE or COLUMN>=NUMBER over manifest "
                        "columns and docvars (repeatable: all must hold), e.g. year>=2000, level=city,district.")] = None,
    version: Annotated[bool, typer.Option("--version", callback=_version_callback, is_eager=True,
                                          help="Print the plantrace version and exit.")] = False,
) -> None:
    """Global options may also follow the command: plantrace count corpora/chengdu --where year>=2021 --quiet"""
    _state["where"] = list(where or [])
    if not max_mb > 0:  # also NaN
        raise typer.BadParameter(f"{max_mb} is not a size; give a number of MB above 0, e.g. --max-mb 50",
                                 param_hint="'--max-mb'")
    _state["debug"], _state["quiet"] = debug, quiet
    if not debug:
        warnings.showwarning = _show_warning
    for sig in (signal.SIGTERM, getattr(signal, "SIGHUP", None)):
        if sig is not None:
            try:
                signal.signal(sig, _on_signal)
            except ValueError:  # not the main thread (e.g. a notebook's runner thread)
                pass
    _state["store"] = False if no_store else store
    _state["parallel"] = {"jobs": jobs, "dask_scheduler": dask_scheduler, "dask_local": dask_local, "force": force_pool}
    _state["max_bytes"] = int(max_mb * 2**20)


def _runner() -> Runner:
    """The per-document runner the global options ask for (made once per command)."""
    runner = _state.get("runner")
    if not isinstance(runner, Runner):
        opts = _state.get("parallel") or {}
        assert isinstance(opts, dict)
        runner = make_runner(opts.get("jobs"), dask_scheduler=opts.get("dask_scheduler"),
                             dask_local=opts.get("dask_local"), worker_setup=WORKER_SETUP,
                             force=bool(opts.get("force")))
        _state["runner"] = runner
    return runner


def _store() -> str | Path | bool | None:
    store = _state["store"]
    assert store is None or isinstance(store, (str, Path, bool))
    return store


def _max_bytes() -> int:
    value = _state["max_bytes"]
    assert isinstance(value, int)
    return value


def _where() -> list[str]:
    where = _state.get("where") or []
    assert isinstance(where, list)
    return where


def _load(paths: list[Path], skip_bad: bool = False) -> Corpus:
    with progress_loader(quiet=bool(_state["quiet"])) as progress:
        corpus = load_corpus(paths, skip_bad=skip_bad, progress=progress, store=_store(),
                             runner=_runner(), max_bytes=_max_bytes())
    return corpus.subset(*_where())


@app.command("corpus")
def corpus_cmd(
    corpus: CorpusArg,
    as_json: Annotated[bool, typer.Option("--json", help="Machine-readable output.")] = False,
    skip_bad: Annotated[bool, typer.Option("--skip-bad", help="Go on without unreadable documents (recorded).")] = False,
) -> None:
    """List a corpus's documents: metadata, size, encoding, script, zone sizes.

    Example: plantrace corpus corpora/chengdu
    """
    def body() -> None:
        c = _load(corpus, skip_bad)
        frame = c.to_frame()
        if as_json:
            typer.echo(frame.to_json(orient="records", force_ascii=False))
        else:
            print_corpus_table(frame, c.skipped)

    _run(body)


@app.command("clean")
def clean_cmd(
    corpus: CorpusArg,
    doc: Annotated[Optional[list[str]], typer.Option("--doc", help="Only this doc_id (repeatable).")] = None,
    explain: Annotated[bool, typer.Option("--explain", help="Show what each normalisation step changed.")] = False,
    out: Annotated[Optional[Path], typer.Option("--out", help="Write DOC_ID.txt (body text) per document here.")] = None,
    force: Annotated[bool, typer.Option("--force", help="Overwrite files in --out.")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Machine-readable explanation.")] = False,
) -> None:
    """Normalised body text per document, and what each step did.

    Example: plantrace clean corpora/chengdu --doc xindu_2021_signed_article --explain
    """
    def body() -> None:
        if out is not None:
            check_not_input(out, _inputs(corpus))  # an existing folder is written into
            if out.exists() and not out.is_dir():
                raise PlantraceError("the output exists and is not a folder", file=str(out), hint="choose another --out")
            check_writable(out)
        c = _load(corpus)
        docs = [c[d] for d in doc] if doc else list(c)
        if out is not None:
            targets = [out / f"{d.doc_id}.txt" for d in docs]
            clash = [str(t) for t in targets if t.exists() or t.is_symlink()]
            if clash and not force:
                raise PlantraceError("output file exists", file=clash[0],
                                     hint="pass --force to overwrite, or choose another --out")
            if clash and not (out / MARKER).is_file():
                raise PlantraceError(f"--force overwrites files only in a folder plantrace wrote (it holds {MARKER})",
                                     file=clash[0], hint="choose another --out, or move the files away yourself")
            if not out.exists():
                out.mkdir(parents=True)
                (out / MARKER).write_text(MARKER_TEXT, encoding="utf-8")
            for d, t in zip(docs, targets):
                try:
                    write_text_atomic(t, d.body_text.strip() + "\n")
                except OSError as exc:
                    raise os_error(exc, t) from exc
        if explain:
            if as_json:
                frame = pd.concat([d.explain_frame() for d in docs], ignore_index=True)
                typer.echo(frame.to_json(orient="records", force_ascii=False))
            else:
                print_explanation(docs)
        elif out is None:
            for d in docs:
                typer.echo(d.body_text.strip())

    _run(body)


@app.command("report")
def report_cmd(
    corpus: CorpusArg,
    out: Annotated[Optional[Path], typer.Option("--out", help="Output folder (default out/<corpus>).")] = None,
    lexicon: Annotated[Optional[list[Path]], typer.Option("--lexicon", "-l", help="Lexicon file(s); default the bundled one.")] = None,
    fmt: Annotated[str, typer.Option("--format", help="Table format: csv or parquet.")] = "csv",
    excel: Annotated[bool, typer.Option("--excel", help="CSV with a BOM so Excel opens Chinese correctly.")] = False,
    force: Annotated[bool, typer.Option("--force", help="Replace an existing output folder.")] = False,
    no_charts: Annotated[bool, typer.Option("--no-charts", help="Skip PNG/SVG charts and report.html.")] = False,
    skip_bad: Annotated[bool, typer.Option("--skip-bad", help="Go on without unreadable documents (recorded).")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print the list of written files as JSON.")] = False,
    verbose: Annotated[bool, typer.Option("--verbose", "-v", help="Print every table (documents, top concepts, "
                                          "changes per pair, targets), not only the one-screen summary.")] = False,
) -> None:
    """The main job: load, clean, count, diff by level and year, extract targets, write everything.

    Example: plantrace report corpora/chengdu --out out/chengdu
    """
    def body() -> None:
        target = out or Path("out") / "+".join(Path(os.path.abspath(p)).name or "corpus" for p in corpus)
        check_output(target, _inputs(corpus, lexicon), folder=True, force=force)  # before any work
        check_writable(target.parent)
        if fmt not in ("csv", "parquet"):
            raise PlantraceError(f"unknown format {fmt!r}", hint="use --format csv or --format parquet")
        quiet = bool(_state["quiet"])
        from .report.pipeline import run_report  # here: it brings the compare stage

        with progress_loader(quiet=quiet) as progress, step_progress(quiet=quiet) as step:
            result = run_report(corpus, lexicons=lexicon, skip_bad=skip_bad, progress=progress, step=step,
                                store=_store(), runner=_runner(), max_bytes=_max_bytes(), where=_where())
            from .report.outputs import write_report  # here: it brings altair (0.6 s)

            files = write_report(result, target, fmt=fmt, excel=excel, force=force,
                                 charts=not no_charts, html=not no_charts, inputs=_inputs(corpus, lexicon))
        if as_json:
            typer.echo(json.dumps([str(f) for f in files], ensure_ascii=False))
        elif not _state["quiet"]:
            print_report(result, verbose=verbose, out=target, files=len(files))
            notes = result.provenance.get("notes")
            for note in notes if isinstance(notes, list) else []:
                typer.echo(f"note: {note}", err=True)

    _run(body)


LexiconOpt = Annotated[Optional[list[Path]], typer.Option(
    "--lexicon", "-l", help="Lexicon file (YAML or CSV concept,alias); repeatable. Default: the bundled lexicon.")]
ForceOpt = Annotated[bool, typer.Option("--force", help="Overwrite existing output files.")]
ExcelOpt = Annotated[bool, typer.Option("--excel", help="CSV with a BOM so Excel opens Chinese correctly.")]


def _lexicon(paths: Optional[list[Path]]) -> Lexicon:
    return load_lexicons(paths)


def _inputs(corpus: list[Path], lexicon: Optional[list[Path]] = None) -> list[Path]:
    """Everything a command reads: no output may be, contain or lie inside one of them."""
    return [*corpus, *(lexicon or [])]


def _refuse_existing(paths: list[Optional[Path]], force: bool, inputs: list[Path] | None = None) -> None:
    """Check every output path before any work, so nothing is written if one would clash:
    never an input, never a folder, an existing file only with --force, each path once."""
    given = [p for p in paths if p is not None]
    for p in given:
        check_output(p, inputs or [], folder=False, force=force, option="output path")
        check_writable(p.parent, option="output path")
    seen: dict[str, Path] = {}
    for p in given:
        key = os.path.realpath(p)
        if key in seen:
            raise PlantraceError(f"two outputs go to the same file ({seen[key]} and {p})", file=str(p),
                                 hint="give each output its own file name")
        seen[key] = p


def _emit(frame: pd.DataFrame, out: Optional[Path], *, as_json: bool, title: str, force: bool = False,
          excel: bool = False, limit: int | None = 40, priority: list[str] | None = None) -> None:
    if out is not None:
        write_frame(frame, out, excel=excel, force=force)
        if not _state["quiet"]:
            typer.echo(f"wrote {len(frame):,} rows to {out}", err=True)
    if as_json:
        typer.echo(frame.to_json(orient="records", force_ascii=False))
    elif out is None:
        print_frame(frame, title=title, limit=limit, priority=priority)


@app.command("count")
def count_cmd(
    corpus: CorpusArg,
    lexicon: LexiconOpt = None,
    out: Annotated[Optional[Path], typer.Option("--out", help="Write counts here: .csv, .xlsx, .parquet or .json.")] = None,
    mentions: Annotated[Optional[Path], typer.Option("--mentions", help="Write every mention here.")] = None,
    rejected: Annotated[Optional[Path], typer.Option("--rejected", help="Write rejected candidates and reasons here.")] = None,
    zeros: Annotated[bool, typer.Option("--zeros", help="Include concepts a document never mentions.")] = False,
    wide: Annotated[bool, typer.Option("--wide", help="A document × concept matrix (a dfm) for Stata and Excel.")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print the table as JSON records instead.")] = False,
    force: ForceOpt = False,
    excel: ExcelOpt = False,
) -> None:
    """Concept counts per document (body text), with rate per 10,000 characters.

    Example: plantrace count corpora/chengdu --out counts.csv --mentions mentions.csv
    """
    def body() -> None:
        _refuse_existing([out, mentions, rejected], force, _inputs(corpus, lexicon))
        lex = _lexicon(lexicon)
        c = _load(corpus)
        frame = c.counts(lex, zeros=zeros, wide=wide)
        if mentions is not None:
            _emit(c.mentions(lex), mentions, as_json=False, title="mentions", force=force, excel=excel)
        if rejected is not None:
            _emit(c.rejected(lex), rejected, as_json=False, title="rejected", force=force, excel=excel)
        shown = frame if (out is not None or as_json or wide) else frame.sort_values(["doc_id", "count"], ascending=[True, False])[
            ["doc_id", "concept_id", "label", "count", "rate_per_10k"]]
        _emit(shown, out, as_json=as_json, title=f"concept counts ({lex.name}, sha256 {lex.sha256[:12]})",
              force=force, excel=excel, limit=60)

    _run(body)


@app.command("kwic")
def kwic_cmd(
    corpus: Annotated[Path, typer.Argument(help="Corpus folder with manifest.csv.")],
    term: Annotated[str, typer.Argument(help="Concept id, alias or any word.")],
    window: Annotated[int, typer.Option("--window", "-w", min=0, help="Characters of context each side.")] = 20,
    lexicon: LexiconOpt = None,
    out: Annotated[Optional[Path], typer.Option("--out", help="Write the KWIC table here: .csv, .xlsx, .parquet or .json.")] = None,
    literal: Annotated[bool, typer.Option("--literal", help="Search TERM as typed, even when it names a concept.")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print the table as JSON records instead.")] = False,
    force: ForceOpt = False,
    excel: ExcelOpt = False,
) -> None:
    """Keywords in context, with the raw text each hit is cited from; says what TERM expanded to.

    Example: plantrace kwic corpora/chengdu park_city --window 15
    """
    def body() -> None:
        _refuse_existing([out], force, _inputs([corpus], lexicon))
        c = _load([corpus])
        frame = c.kwic(term, window=window, lexicon=_lexicon(lexicon), literal=literal)
        said = describe_kwic_query(frame)
        if not as_json and (out is not None or frame.empty or not _state["quiet"]):
            typer.echo(said, err=out is not None)
        if frame.empty and out is None and not as_json:
            return
        _emit(frame[["doc_id", "pre", "keyword", "post", "raw_keyword"]] if out is None and not as_json else frame,
              out, as_json=as_json, title=f"KWIC {term}", force=force, excel=excel, limit=None,
              priority=["keyword", "pre", "post", "doc_id"])

    _run(body)


@app.command("words")
def words_cmd(
    corpus: CorpusArg,
    top: Annotated[int, typer.Option("--top", "-n", min=0, help="How many words.")] = 40,
    per_document: Annotated[bool, typer.Option("--per-document", help="Top words of each document.")] = False,
    out: Annotated[Optional[Path], typer.Option("--out", help="Write the table here: .csv, .xlsx, .parquet or .json.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the table as JSON records instead.")] = False,
    force: ForceOpt = False,
    excel: ExcelOpt = False,
) -> None:
    """Word frequencies from pkuseg tokens (stop words removed; concept phrases kept whole).

    Example: plantrace words corpora/chengdu --top 30
    """
    def body() -> None:
        _refuse_existing([out], force, _inputs(corpus))
        c = _load(corpus)
        _emit(c.words(top=top, per_document=per_document), out, as_json=as_json,
              title="word frequencies", force=force, excel=excel, limit=None)

    _run(body)


@app.command("keyness")
def keyness_cmd(
    corpus: CorpusArg,
    target: Annotated[str, typer.Option("--target", help="COLUMN=VALUE selecting the target group, e.g. level=city.")],
    top: Annotated[int, typer.Option("--top", "-n", min=0, help="How many rows to show.")] = 30,
    measure: Annotated[str, typer.Option("--measure", help="lr (G², default) or chi2.")] = "lr",
    out: Annotated[Optional[Path], typer.Option("--out", help="Write the table here: .csv, .xlsx, .parquet or .json.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the table as JSON records instead.")] = False,
    force: ForceOpt = False,
    excel: ExcelOpt = False,
) -> None:
    """Keyness of words in a target group against the rest (quanteda's textstat_keyness).

    Example: plantrace keyness corpora/chengdu --target level=city
    """
    def body() -> None:
        _refuse_existing([out], force, _inputs(corpus))
        c = _load(corpus)
        frame = c.keyness(target, measure=measure)  # an unknown measure raises here
        _emit(frame if out is not None else frame.head(top), out, as_json=as_json,
              title=f"keyness: {target} vs the rest", force=force, excel=excel, limit=None)

    _run(body)


@app.command("diff")
def diff_cmd(
    corpus: CorpusArg,
    pair: Annotated[Optional[tuple[str, str]], typer.Option("--pair", help="Compare doc A (reference) with doc B.")] = None,
    by: Annotated[Optional[str], typer.Option("--by", help="year: successive documents; level: each document against its parent's.")] = None,
    lexicon: LexiconOpt = None,
    status: Annotated[Optional[list[str]], typer.Option("--status", help="Only these statuses (repeatable).")] = None,
    max_gap: Annotated[Optional[int], typer.Option(
        "--max-gap", min=1, help="Leave out pairs more than N years apart (1: consecutive years only).")] = None,
    out: Annotated[Optional[Path], typer.Option("--out", help="Write the diff table here (.csv or .parquet).")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the table as JSON records instead.")] = False,
    force: ForceOpt = False,
    excel: ExcelOpt = False,
) -> None:
    """Concepts added, dropped, escalated or softened, with reasons and evidence sentences.

    Pairs across missing years (1988 → 1992) are flagged; --max-gap 1 leaves them out.

    Example: plantrace diff corpora/chengdu --pair chengdu_2020_party_proposal qingyang_2021_plan_outline
    """
    def body() -> None:
        if pair is None and by is None:
            raise PlantraceError("say what to compare", hint="give --pair A B, --by year or --by level")
        if by is not None and by not in ("year", "level"):
            raise PlantraceError(f"unknown --by {by!r}", hint="use --by year or --by level")
        from .compare.diff import check_statuses

        check_statuses(status)  # before any work
        _refuse_existing([out], force, _inputs(corpus, lexicon))
        lex = _lexicon(lexicon)
        c = _load(corpus)
        frame = c.diff(by=by, pair=(pair[0], pair[1]) if pair else None, lexicon=lex, statuses=status,
                       max_gap=max_gap)
        if out is not None or as_json:
            _emit(frame, out, as_json=as_json, title="diff", force=force, excel=excel)
        else:
            print_diff(frame)

    _run(body)


@app.command("formulations")
def formulations_cmd(
    corpus: CorpusArg,
    pair: Annotated[Optional[tuple[str, str]], typer.Option("--pair", help="Formulations B brings compared with A.")] = None,
    by: Annotated[Optional[str], typer.Option("--by", help="year: successive documents; level: each document against its parent's.")] = None,
    top: Annotated[int, typer.Option("--top", "-n", min=0, help="Rows shown per document or pair.")] = 15,
    status: Annotated[Optional[list[str]], typer.Option("--status", help="new, kept or dropped (repeatable; shown: new).")] = None,
    kind: Annotated[Optional[list[str]], typer.Option("--kind", help="quoted, numbered or compound (repeatable).")] = None,
    lexicon: LexiconOpt = None,
    out: Annotated[Optional[Path], typer.Option("--out", help="Write the whole table here (.csv or .parquet).")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the table as JSON records instead.")] = False,
    force: ForceOpt = False,
    excel: ExcelOpt = False,
) -> None:
    """Formulations (提法): quoted, numbered and compound phrases per document, or per pair new / kept / dropped.

    Example: plantrace formulations corpora/chengdu --pair chengdu_2020_party_proposal qingyang_2021_plan_outline
    """
    def body() -> None:
        if by is not None and by not in ("year", "level"):
            raise PlantraceError(f"unknown --by {by!r}", hint="use --by year or --by level")
        if pair is not None and by is not None:
            raise PlantraceError("give either --pair A B or --by, not both")
        from .compare.formulations import KINDS as FORMULATION_KINDS
        from .compare.formulations import check_formulation_statuses

        check_formulation_statuses(status)  # before any work
        bad = [k for k in kind or () if k not in FORMULATION_KINDS]
        if bad:
            raise PlantraceError(f"unknown --kind {bad[0]!r}", hint=f"use one of {', '.join(FORMULATION_KINDS)}")
        _refuse_existing([out], force, _inputs(corpus, lexicon))
        lex = _lexicon(lexicon)
        c = _load(corpus)
        if pair is None and by is None:
            frame = c.formulations(lex, kinds=kind)
            if out is not None or as_json:
                _emit(frame, out, as_json=as_json, title="formulations", force=force, excel=excel)
            else:
                print_formulations(frame, top=top)
            return
        frame = c.formulation_changes(by=by, pair=(pair[0], pair[1]) if pair else None, lexicon=lex,
                                      statuses=status)
        if kind:
            frame = frame[frame["kind"].isin(kind)].reset_index(drop=True)
        if out is not None or as_json:
            _emit(frame, out, as_json=as_json, title="formulation changes", force=force, excel=excel)
        else:
            print_formulation_changes(frame, top=top, statuses=status or ("new",))

    _run(body)


@app.command("targets")
def targets_cmd(
    corpus: CorpusArg,
    compare_parent: Annotated[bool, typer.Option("--compare-parent", help="Each document's own targets against its parent document's.")] = False,
    compare_previous: Annotated[bool, typer.Option("--compare-previous", help="Each document's own targets against the same issuer's previous document (same region and doc_type).")] = False,
    indicator: Annotated[Optional[str], typer.Option("--indicator", help="Only this indicator id, e.g. gdp_growth.")] = None,
    kind: Annotated[Optional[str], typer.Option("--kind", help="target, achievement, forecast or not_set.")] = None,
    out: Annotated[Optional[Path], typer.Option("--out", help="Write the table here: .csv, .xlsx, .parquet or .json.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the table as JSON records instead.")] = False,
    force: ForceOpt = False,
    excel: ExcelOpt = False,
) -> None:
    """Numeric targets (主要预期目标) and, with --compare-parent, 层层加码 against the parent
    (or, with --compare-previous, against the same issuer's previous document).

    Example: plantrace targets corpora/gwr-national corpora/gwr-provincial-2025 --compare-parent --indicator gdp_growth
    """
    def body() -> None:
        from .compare.targets.tables import check_kinds, missing_parent_note

        check_kinds([kind] if kind else None)  # before any work
        _refuse_existing([out], force, _inputs(corpus))
        c = _load(corpus)
        if compare_parent and compare_previous:
            raise PlantraceError("--compare-parent and --compare-previous are two tables",
                                 hint="ask for one at a time")
        if compare_parent or compare_previous:
            frame = c.compare_targets(indicator=indicator,
                                      against="parent" if compare_parent else "previous")
            cols = ["doc_child", "indicator_id", "parent_year", "value_parent", "value_high_parent",
                    "qualifier_parent", "value_child", "value_high_child", "qualifier_child", "status"]
            if compare_parent and not _state["quiet"]:
                note = missing_parent_note(c.missing_parent_year())
                if note:
                    typer.echo("note: " + note, err=True)
        else:
            frame = c.targets(kinds=[kind] if kind else None, indicator=indicator)
            cols = ["doc_id", "indicator_id", "value", "value_high", "qualifier", "kind", "scope", "text"]
        shown = frame if (out is not None or as_json) else frame[[x for x in cols if x in frame.columns]]
        # Which columns give way first on a narrow terminal: the value and its sentence stay.
        priority = (["doc_child", "indicator_id", "value_parent", "value_child", "status", "region"] if compare_parent
                    else None if compare_previous else ["doc_id", "indicator_id", "value", "qualifier", "text", "kind"])
        _emit(shown, out, as_json=as_json, title="targets" + (" vs parent" if compare_parent else " vs previous" if compare_previous else ""),
              force=force, excel=excel, limit=80, priority=priority)

    _run(body)


@app.command("align")
def align_cmd(
    corpus: Annotated[list[Path], typer.Option("--corpus", "-c", help="Corpus folder(s).")],
    a: Annotated[str, typer.Argument(help="Reference document id.")],
    b: Annotated[str, typer.Argument(help="Compared document id.")],
    out: Annotated[Optional[Path], typer.Option("--out", help="Write the table here: .csv, .xlsx, .parquet or .json.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the table as JSON records instead.")] = False,
    force: ForceOpt = False,
    excel: ExcelOpt = False,
) -> None:
    """Align B's sentences to A's: copied (≥90), rewritten (60-90), new; A's removed.

    Example: plantrace align -c corpora/gwr-national gwr_national_2024 gwr_national_2025
    """
    def body() -> None:
        _refuse_existing([out], force, _inputs(corpus))
        c = _load(corpus)
        frame = c.align(a, b)
        if out is not None or as_json:
            _emit(frame, out, as_json=as_json, title="alignment", force=force, excel=excel)
        else:
            from .compare.reuse import frame_reuse_share

            print_alignment(frame, frame_reuse_share(frame))

    _run(body)


lexicon_app = typer.Typer(help="Check lexicons and suggest aliases.", no_args_is_help=True)
app.add_typer(lexicon_app, name="lexicon")


@lexicon_app.command("check")
def lexicon_check_cmd(
    files: Annotated[list[Path], typer.Argument(help="Lexicon files to check.")],
    as_json: Annotated[bool, typer.Option("--json", help="Print the table as JSON records instead.")] = False,
) -> None:
    """Validate lexicon files: ids, aliases, parents; print a summary and sha256.

    Example: plantrace lexicon check my_concepts.yaml
    """
    def body() -> None:
        summaries = []
        for f in files:
            try:
                lex = load_lexicon(f)
            except ValidationError as exc:
                typer.echo(exc.report(), err=True)
                raise typer.Exit(2) from None
            summaries.append({"file": str(f), "name": lex.name, "concepts": len(lex.concepts),
                              "aliases": len(lex.alias_index),
                              "exclusions": sum(len(v) for v in lex.exclusions.values()), "sha256": lex.sha256})
        _emit(pd.DataFrame(summaries), None, as_json=as_json, title="lexicons OK")

    _run(body)


@lexicon_app.command("suggest")
def lexicon_suggest_cmd(
    corpus: CorpusArg,
    lexicon: LexiconOpt = None,
    top: Annotated[int, typer.Option("--top", "-n", min=0, help="How many rows to show.")] = 30,
    min_score: Annotated[float, typer.Option("--min-score", min=0, max=100, help="rapidfuzz ratio threshold (0-100).")] = 75.0,
    as_json: Annotated[bool, typer.Option("--json", help="Print the table as JSON records instead.")] = False,
    from_formulations: Annotated[bool, typer.Option(
        "--from-formulations", help="Write a YAML lexicon stub of the corpus's formulations the lexicon lacks.")] = False,
    out: Annotated[Optional[Path], typer.Option("--out", help="With --from-formulations: the stub file (default: print).")] = None,
    force: ForceOpt = False,
) -> None:
    """Variants of existing aliases that occur in the corpus but not in the lexicon; with
    --from-formulations, a YAML stub (id, label, aliases, first source) of uncovered formulations.

    Example: plantrace lexicon suggest corpora/chengdu --lexicon my_concepts.csv
    Example: plantrace lexicon suggest --from-formulations corpora/chengdu --out stub.yaml
    """
    def body() -> None:
        if from_formulations:
            _refuse_existing([out], force, _inputs(corpus, lexicon))
            lex = _lexicon(lexicon)
            from .compare.formulations import suggest_from_formulations

            text = suggest_from_formulations(_load(corpus).formulations(lex), lex)
            if out is None:
                typer.echo(text, nl=False)
            else:
                try:
                    write_text_atomic(out, text)
                except OSError as exc:
                    raise os_error(exc, out) from exc
                if not _state["quiet"]:
                    typer.echo(f"wrote {text.count(chr(10) + '- id: ')} suggested concepts to {out} "
                               f"(check it with: plantrace lexicon check {out})", err=True)
            return
        if out is not None:
            raise PlantraceError("--out is for --from-formulations", hint="add --from-formulations, or drop --out")
        c = _load(corpus)
        frame = c.suggest_aliases(_lexicon(lexicon), min_score=min_score)
        _emit(frame.head(top), None, as_json=as_json, title="alias suggestions", limit=None)

    _run(body)


def _show_flags_as_flags() -> None:
    """typer 0.29's rich help labels every boolean flag ``<bool>``, as if ``--json`` took a
    value; a plain on/off flag is shown bare. (A no-op where typer has no such hook.)"""
    from typer import core

    option = getattr(core, "TyperOption", None)
    original = getattr(option, "display_type_rich", None)
    if option is None or original is None or getattr(original, "_plantrace_flags", False):
        return

    def display_type_rich(self: Any, ctx: Any) -> str | None:
        if getattr(self, "is_bool_flag", False) and not getattr(self, "secondary_opts", None):
            return None
        result: str | None = original(self, ctx)
        return result

    display_type_rich._plantrace_flags = True  # type: ignore[attr-defined]
    option.display_type_rich = display_type_rich


_show_flags_as_flags()


def main() -> None:
    """Console-script entry point."""
    app()


if __name__ == "__main__":  # pragma: no cover
    main()
    sys.exit(0)
