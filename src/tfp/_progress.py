"""Progress bars: one helper for the bootstrap, ``estimate_many``, ``estimate_by`` and the CLI.

Every long loop in tfp reports through :func:`tracker`, so a user sees the same bars
(`rich <https://rich.readthedocs.io>`_: description, bar, done/total, elapsed, remaining)
whether the work runs from Python, a notebook or ``tfp report``. A ``progress`` argument
takes three values:

* ``None`` (default, "auto"): a bar appears when the work is long and someone is watching:
  standard error is a terminal, or a Jupyter notebook with ipywidgets, and the work has
  run for :data:`AUTO_DELAY_S` seconds without finishing (so a fit of a second shows
  nothing). In a pipeline (standard error redirected, CI, a log file) nothing is drawn.
* ``True``: a bar from the start, wherever standard error goes.
* ``False``: no bar.

Bars nest: a bootstrap inside ``estimate_many`` (or inside ``tfp report``) shows as a
second line under the outer bar and disappears when it is done. Whatever is displayed, the
work and its results are the same: trackers only count what the caller tells them.

An auto bar can carry a note, printed once above it when it appears (e.g. that
``se="auto"`` chose a 199-replicate bootstrap); the note is also logged at INFO level on
the ``"tfp"`` logger, bar or not.
"""

from __future__ import annotations

import importlib.util
import logging
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any

from tfp.exceptions import SpecificationError

__all__ = [
    "AUTO_DELAY_S",
    "Tracker",
    "check_progress",
    "interactive",
    "quiet",
    "tracker",
]

#: An automatic bar appears once the work has run this long (seconds) and is not finished.
AUTO_DELAY_S = 1.0

LOG = logging.getLogger("tfp")


@dataclass(eq=False)
class _Display:
    """The rich live display shared by nested trackers (one per context)."""

    progress: Any = None

    def start(self) -> Any:
        if self.progress is None:
            from rich.console import Console
            from rich.progress import (
                BarColumn,
                MofNCompleteColumn,
                Progress,
                TextColumn,
                TimeElapsedColumn,
                TimeRemainingColumn,
            )

            self.progress = Progress(
                TextColumn("{task.description}"),
                BarColumn(),
                MofNCompleteColumn(),
                TimeElapsedColumn(),
                TimeRemainingColumn(),
                console=Console(stderr=True),
            )
            self.progress.start()
        return self.progress

    def stop(self) -> None:
        if self.progress is not None:
            self.progress.stop()
        self.progress = None


_DISPLAY: ContextVar[_Display | None] = ContextVar("tfp_progress_display", default=None)
_QUIET: ContextVar[bool] = ContextVar("tfp_progress_quiet", default=False)


def check_progress(value: object, *, name: str = "progress") -> bool | None:
    """Validate a ``progress`` argument: ``None`` (auto), ``True`` or ``False``."""
    if value is not None and not isinstance(value, bool):
        raise SpecificationError(
            f"{name}={value!r} must be None, True or False",
            fix=f"pass {name}=None (a bar when the work is long and runs in a terminal or "
            f"notebook), {name}=True or {name}=False",
        )
    return value


def interactive() -> bool:
    """Whether someone watches standard error: a terminal, or Jupyter with ipywidgets."""
    from rich.console import Console

    console = Console(stderr=True)
    if console.is_jupyter:
        return importlib.util.find_spec("ipywidgets") is not None
    return bool(console.is_terminal) and not console.is_dumb_terminal


@contextmanager
def quiet() -> Iterator[None]:
    """Within this block automatic bars stay hidden (``tfp report --quiet``)."""
    token = _QUIET.set(True)
    try:
        yield
    finally:
        _QUIET.reset(token)


@dataclass(eq=False)
class Tracker:
    """Counts work done and shows it when its mode says so (see the module docstring).

    Use through :func:`tracker`; call :meth:`advance` as units finish.
    """

    description: str
    total: int
    mode: str  # "on", "auto" or "off"
    note: str = ""
    done: int = 0
    task: Any = None
    _display: _Display | None = field(default=None, repr=False)
    _t0: float = field(default_factory=time.monotonic, repr=False)

    @property
    def shown(self) -> bool:
        """Whether the bar is on screen."""
        return self.task is not None

    def advance(self, n: int = 1) -> None:
        """Count ``n`` more units done (a bar appears now if auto and the work is long)."""
        self.done += n
        if (
            self.task is None
            and self.mode == "auto"
            and self.done < self.total
            and time.monotonic() - self._t0 >= AUTO_DELAY_S
        ):
            self._show()
        if self.task is not None:
            self._progress().update(self.task, completed=self.done)

    def update(
        self,
        *,
        completed: int | None = None,
        total: int | None = None,
        description: str | None = None,
    ) -> None:
        """Set the count, the total or the description (the CLI's steps)."""
        self.done = self.done if completed is None else completed
        self.total = self.total if total is None else total
        self.description = self.description if description is None else description
        if self.task is not None:
            self._progress().update(
                self.task,
                completed=self.done,
                total=self.total,
                description=self.description,
            )

    def _progress(self) -> Any:
        assert self._display is not None and self._display.progress is not None
        return self._display.progress

    def _show(self) -> None:
        if self._display is None:
            return
        progress = self._display.start()
        if self.note:
            progress.console.print(f"[dim]tfp:[/] {self.note}", highlight=False)
        self.task = progress.add_task(
            self.description, total=self.total, completed=self.done
        )


@contextmanager
def tracker(
    description: str, total: int, *, progress: bool | None = None, note: str = ""
) -> Iterator[Tracker]:
    """A :class:`Tracker` for ``total`` units of work, shown as ``progress`` says.

    Parameters
    ----------
    description : str
        The bar's label (``"ACF bootstrap"``).
    total : int
        Units of work (replicates, methods, groups).
    progress : bool or None
        ``None``: a bar when the work is long and someone is watching; ``True``: always;
        ``False``: never. Inside a shown bar, ``None`` shows at once (nested line).
    note : str
        Printed above the bar when it appears, and logged at INFO level either way.
    """
    check_progress(progress)
    if note:
        LOG.info(note)
    outer = _DISPLAY.get()
    outer_shown = outer is not None and outer.progress is not None
    if progress is False:
        mode = "off"
    elif progress is True or outer_shown:
        mode = "on"
    elif _QUIET.get() or not interactive():
        mode = "off"
    else:
        mode = "auto"
    display = outer if outer is not None else _Display()
    token = _DISPLAY.set(display) if outer is None else None
    t = Tracker(description, total, mode, note, _display=display)
    try:
        if mode == "on":
            t._show()
        yield t
    finally:
        live = display.progress
        if token is not None:  # the outermost tracker: its bar stays on screen
            display.stop()
            _DISPLAY.reset(token)
        elif t.task is not None and live is not None:  # a nested line: gone when done
            live.remove_task(t.task)
            if not live.tasks:
                display.stop()


def as_finished(n_jobs: int, calls: Iterable[Any]) -> Iterator[Any]:
    """Run joblib ``delayed`` calls on ``n_jobs`` workers; yield each result as it finishes
    (in submission order on a backend that cannot, e.g. ``multiprocessing``), so that a bar
    can count them. The caller orders the results."""
    from joblib import Parallel
    from joblib.parallel import get_active_backend

    unordered = getattr(get_active_backend()[0], "supports_return_generator", False)
    return_as = "generator_unordered" if unordered else "list"
    yield from Parallel(n_jobs=n_jobs, return_as=return_as)(calls)
