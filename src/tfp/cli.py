"""The ``tfp`` command line.

``tfp report`` runs the PP 0093 reporting pipeline (:func:`tfp.app.run`) and writes the
HTML/PDF/Excel/CSV/JSON report (file names in the report's language); with no arguments it
uses the embedded data (the 2020 records transcribed from PRODUCE's follow-up report and a
simulated ENE-like panel). Errors in the
input (config, records, panel) are printed without a traceback and exit with code 2;
nothing is written then.

Examples
--------
::

    tfp report                                  # embedded data, Spanish, ./tfp-report
    tfp report --lang en --out informe
    tfp report --config examples/pipeline.toml
    python -m tfp.cli report --out tmp
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from tfp._labels import label, labels

__all__ = ["app", "main"]

#: Exit code for bad input (config, records, panel, options).
EXIT_BAD_INPUT = 2

app = typer.Typer(
    name="tfp",
    help="Production functions, TFP and the PP 0093 programme report.",
    add_completion=False,
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)


@app.callback()
def _root() -> None:
    """Production functions, TFP and the PP 0093 programme report."""


@app.command()
def report(
    config: Annotated[
        Path | None,
        typer.Option(
            "--config",
            "-c",
            help="Pipeline config (TOML) naming the panel, records and options.",
        ),
    ] = None,
    out: Annotated[
        Path | None,
        typer.Option("--out", "-o", help="Output directory (default: tfp-report)."),
    ] = None,
    lang: Annotated[
        str | None,
        typer.Option("--lang", "-l", help="Report language: es (default) or en."),
    ] = None,
    quiet: Annotated[
        bool, typer.Option("--quiet", "-q", help="No progress bar.")
    ] = False,
) -> None:
    """Write the PP 0093 report (HTML, PDF, Excel, CSV, JSON); no arguments: embedded data."""
    from rich.console import Console

    from tfp._optional import require_extra
    from tfp._progress import quiet as no_bars
    from tfp._progress import tracker
    from tfp.exceptions import TFPError

    err = Console(stderr=True)
    try:
        require_extra("report", what="tfp report")
        from tfp.app import PipelineConfig, run
        from tfp.app.run import STEPS

        cfg = PipelineConfig() if config is None else PipelineConfig.from_toml(config)
        if lang is not None and lang not in ("es", "en"):
            err.print(
                f"[bold red]Error:[/] --lang {lang!r} is not one of 'es', 'en'. "
                "Fix: pass --lang es or --lang en."
            )
            raise typer.Exit(EXIT_BAD_INPUT)
        words = labels("step", lang or cfg.lang)
        if quiet:
            with no_bars():  # nor the estimation's bootstrap bar
                result = run(cfg, out=out, lang=lang)
        else:
            # the same bars as tfp.estimate's: the bootstrap's shows under this one
            with tracker(words["records"], len(STEPS), progress=True) as bar:

                def progress(step: str, completed: int, total: int) -> None:
                    bar.update(
                        description=words.get(step, step),
                        completed=completed,
                        total=total,
                    )

                result = run(cfg, out=out, lang=lang, progress=progress)
    except TFPError as exc:
        from rich.markup import escape

        err.print(
            f"[bold red]Error:[/] {escape(str(exc))}", highlight=False, soft_wrap=True
        )
        raise typer.Exit(EXIT_BAD_INPUT) from None
    html_path = result.paths.get("html")
    where = html_path if html_path is not None else result.config.out.resolve()
    typer.echo(f"{label('written', result.config.lang, domain='step')}: {where}")
    typer.echo(f"({result.elapsed:.1f} s; {', '.join(sorted(result.paths))})")


@app.command()
def version() -> None:
    """Print the tfp version."""
    from tfp._version import __version__

    typer.echo(__version__)


def main() -> None:
    """Entry point of the ``tfp`` console script."""
    app()


if __name__ == "__main__":
    main()
