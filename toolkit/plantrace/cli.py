"""The ``plantrace`` command: a thin layer over the API.

Computation happens in the API; this module parses options, shows progress and
hands results to :mod:`plantrace.report` for printing. User mistakes exit with
code 2 and one line naming the file; ``--debug`` shows the traceback.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated, Callable, Optional, TypeVar

import typer

from .errors import PlantraceError

app = typer.Typer(
    name="plantrace",
    help="Measure how Chinese planning language changes between levels of government and years.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)

T = TypeVar("T")
_state = {"debug": False, "quiet": False}

CorpusArg = Annotated[list[Path], typer.Argument(help="Corpus folder(s), each with manifest.csv.")]


def _run(fn: Callable[[], T]) -> T:
    """Run a command body; a user mistake becomes one line on stderr and exit code 2."""
    try:
        return fn()
    except PlantraceError as exc:
        if _state["debug"]:
            raise
        typer.echo(f"plantrace: error: {exc}", err=True)
        raise typer.Exit(2) from None
    except KeyboardInterrupt:
        typer.echo("plantrace: interrupted", err=True)
        raise typer.Exit(130) from None
    except typer.Exit:
        raise
    except Exception as exc:  # an internal error: say so, keep it short unless --debug
        if _state["debug"]:
            raise
        typer.echo(f"plantrace: internal error: {exc.__class__.__name__}: {exc} "
                   "(run again with --debug for the traceback and report it)", err=True)
        raise typer.Exit(1) from None


@app.callback()
def _main(
    debug: Annotated[bool, typer.Option("--debug", help="Show tracebacks.")] = False,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No progress bars.")] = False,
) -> None:
    _state["debug"], _state["quiet"] = debug, quiet


def _load(paths: list[Path], skip_bad: bool = False):  # type: ignore[no-untyped-def]
    from .corpus import load_corpus
    from .report import progress_loader

    with progress_loader(quiet=_state["quiet"]) as progress:
        return load_corpus(paths, skip_bad=skip_bad, progress=progress)


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
        from .report import print_corpus_table

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
        from .export import write_text_atomic
        from .report import print_explanation

        c = _load(corpus)
        docs = [c[d] for d in doc] if doc else list(c)
        if out is not None:
            out.mkdir(parents=True, exist_ok=True)
            targets = [out / f"{d.doc_id}.txt" for d in docs]
            clash = [str(t) for t in targets if t.exists()]
            if clash and not force:
                raise PlantraceError("output file exists", file=clash[0],
                                     hint="pass --force to overwrite, or choose another --out")
            for d, t in zip(docs, targets):
                write_text_atomic(t, d.body_text.strip() + "\n")
        if explain:
            if as_json:
                import pandas as pd

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
    skip_bad: Annotated[bool, typer.Option("--skip-bad", help="Go on without unreadable documents (recorded).")] = False,
) -> None:
    """The main job: load, clean and summarise a corpus.

    Example: plantrace report corpora/chengdu
    """
    def body() -> None:
        from .report import print_overview

        c = _load(corpus, skip_bad)
        print_overview(c)

    _run(body)


def main() -> None:
    """Console-script entry point."""
    app()


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
