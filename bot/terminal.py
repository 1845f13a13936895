"""Tables for the terminal that fit it: every command's human-readable output goes through here.

A report or a list is read in a terminal of about 100 columns, often narrower: ``rich`` wraps long
cells and shrinks columns to the width instead of printing 188-column lines. Output to a pipe or a
file gets the same width (100), so what a test or a log sees is what a person sees.
"""

from __future__ import annotations

import shutil
import sys
from collections.abc import Sequence
from typing import IO

from rich.console import Console
from rich.table import Table
from rich.text import Text

MAX_WIDTH = 100


def console(file: IO[str] | None = None) -> Console:
    """A console on ``file`` (stdout) at most ``MAX_WIDTH`` columns wide, narrower if the terminal is."""
    stream = file or sys.stdout
    width = min(MAX_WIDTH, shutil.get_terminal_size((MAX_WIDTH, 24)).columns) if stream.isatty() else MAX_WIDTH
    return Console(file=stream, width=width, highlight=False, soft_wrap=False)


def table(
    headers: Sequence[str],
    rows: Sequence[Sequence[str]],
    *,
    title: str | None = None,
    numeric: Sequence[int] = (),
) -> Table:
    """A plain table: headers, rows of already formatted cells; columns in ``numeric`` align right.

    Cells and title are plain text, never rich markup: a customer's "[email]" or "[bold]" is printed as written.
    """
    grid = Table(title=Text(title) if title else None, title_justify="left", show_edge=False, header_style="bold",
                 pad_edge=False)
    for index, header in enumerate(headers):
        grid.add_column(header, justify="right" if index in numeric else "left", overflow="fold")
    for row in rows:
        grid.add_row(*(Text(cell) for cell in row))
    return grid
