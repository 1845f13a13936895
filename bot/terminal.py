"""Tables for the terminal that fit it: every command's human-readable output goes through here.

A report or a list is read in a terminal of about 100 columns, often narrower: ``rich`` wraps long
cells and shrinks columns to the width instead of printing 188-column lines. Output to a pipe or a
file gets the same width (100), so what a test or a log sees is what a person sees. Columns are
separated by spaces, not box lines: on 100 columns every character goes to the numbers.
"""

from __future__ import annotations

import io
import shutil
import sys
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from typing import IO

from rich import box
from rich.console import Console, RenderableType
from rich.measure import Measurement
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn, TimeRemainingColumn
from rich.table import Table
from rich.text import Text

MAX_WIDTH = 100
# A rule under the headers and above a total, spaces between the columns (see Box's docstring for the rows).
RULED = box.Box("    \n    \n ── \n    \n ── \n    \n    \n    \n")


def width(stream: IO[str] | None = None) -> int:
    """``MAX_WIDTH``, or the terminal's width when ``stream`` (stdout) is a narrower terminal."""
    stream = stream or sys.stdout
    return min(MAX_WIDTH, shutil.get_terminal_size((MAX_WIDTH, 24)).columns) if stream.isatty() else MAX_WIDTH


def console(file: IO[str] | None = None) -> Console:
    """A console on ``file`` (stdout) at most ``MAX_WIDTH`` columns wide, narrower if the terminal is."""
    stream = file or sys.stdout
    return Console(file=stream, width=width(stream), highlight=False, soft_wrap=False)


def render(*renderables: RenderableType) -> str:
    """The renderables as plain text (no colour codes) at the width stdout would get; a str is text, not markup."""
    buffer = io.StringIO()
    fits = width()
    out = Console(file=buffer, width=fits, highlight=False, soft_wrap=False, color_system=None)
    for renderable in renderables:
        item = Text(renderable) if isinstance(renderable, str) else renderable
        # Squeezed below its natural width, rich crops a table's last columns: on a narrower terminal
        # a table keeps its width up to MAX_WIDTH (the terminal wraps the lines) rather than lose numbers.
        natural = Measurement.get(out, out.options.update_width(MAX_WIDTH), item).maximum
        out.width = max(fits, natural) if isinstance(item, Table) else fits
        out.print(item)
    # rich pads every line of a table to its width: trailing blanks only cost columns in a pipe.
    return "".join(line.rstrip() + "\n" for line in buffer.getvalue().splitlines())


def table(
    headers: Sequence[str],
    rows: Sequence[Sequence[str]],
    *,
    title: str | None = None,
    numeric: Sequence[int] = (),
    total: bool = False,
) -> Table:
    """A plain table: headers, rows of already formatted cells; columns in ``numeric`` align right.

    Cells and title are plain text, never rich markup: a customer's "[email]" or "[bold]" is printed as written.
    With ``total`` the last row is a total and gets a rule above it.
    """
    grid = Table(title=Text(title) if title else None, title_justify="left", box=RULED, show_edge=False,
                 header_style="bold", padding=(0, 1, 0, 0), pad_edge=False)
    for index, (header, least) in enumerate(zip(headers, _least_widths(headers, rows), strict=True)):
        grid.add_column(Text(header), justify="right" if index in numeric else "left", overflow="fold",
                        min_width=least)
    for index, row in enumerate(rows):
        cells = (Text(cell) if isinstance(cell, str) else cell for cell in row)
        grid.add_row(*cells, end_section=total and index == len(rows) - 2)
    return grid


def _least_widths(headers: Sequence[str], rows: Sequence[Sequence[object]]) -> list[int | None]:
    """Each column's longest word, as its least width, while they all fit ``MAX_WIDTH``.

    rich shrinks every wrappable column alike, and a word cut in two ("manageme/nt") reads worse
    than a header on two lines. Least widths that do not fit together make rich crop cells, so the
    longest words (a URL in an error) lose theirs first and are folded instead.
    """
    least: list[int | None] = [
        max((len(word) for cell in (header, *(row[i] for row in rows)) for word in str(cell).split()), default=1)
        for i, header in enumerate(headers)
    ]
    gaps = 2 * (len(headers) - 1)
    while sum(w or 1 for w in least) + gaps > MAX_WIDTH:
        least[least.index(max(w or 0 for w in least))] = None
    return least


@contextmanager
def progress(description: str, total: int | None) -> Iterator[Callable[[int], None]]:
    """``advance(n)`` for long work: a bar on stderr when stderr is a terminal, else nothing at all.

    Only a person watching needs it; a pipe, a log or ``--json`` output stays exactly as before.
    """
    if not sys.stderr.isatty():
        yield lambda _n: None
        return
    bar = Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                   TimeRemainingColumn(), console=Console(file=sys.stderr, width=width(sys.stderr)), transient=True,
                   redirect_stdout=False, redirect_stderr=False)
    with bar:
        task = bar.add_task(description, total=total)
        yield lambda n: bar.advance(task, n)


def tracked[T](items: Iterable[T], description: str, total: int | None, every: int = 1000) -> Iterator[T]:
    """The items, with a progress bar (see ``progress``) moved every ``every`` items, not each one."""
    with progress(description, total) as advance:
        pending = 0
        for item in items:
            yield item
            pending += 1
            if pending == every:
                advance(pending)
                pending = 0
        advance(pending)
