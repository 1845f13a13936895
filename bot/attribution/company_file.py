"""Reading a company's labelled history for ``siloscope learn``.

Two shapes, because that is what companies have:
- the evaluation contract, ``text,silo`` (several silos joined by ``|``);
- a helpdesk export, with a small YAML mapping that names the text column, the column saying where the
  ticket went (team, group, queue...), and which silo each of its values means:

      text: description
      label: group
      silos:
        Billing: finance
        Shipping team: delivery
      ignore: [Spam, Internal]

A file is read whole and checked before anything is stored: one bad row refuses the file with one
line saying what to fix, so a half-learnt file never happens.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from bot.evaluation import DatasetError, csv_records

MAX_TEXT_CHARS = 20_000  # a long ticket is fine; a whole mailbox pasted into one cell is a mistake
SHOWN_LINES = 5


@dataclass(frozen=True)
class ColumnMapping:
    """Which columns hold the text and the label, and which silo each label value means."""

    text: str = "text"
    label: str = "silo"
    silos: dict[str, str] = field(default_factory=dict)  # empty: the label already is a silo name
    ignore: frozenset[str] = frozenset()


def read_mapping(path: Path, known_silos: Sequence[str]) -> ColumnMapping:
    """The mapping file, checked: every silo it maps to must exist in silos.yml."""
    try:
        data = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    except OSError as exc:
        raise DatasetError(f"{path}: cannot read ({exc.strerror})") from exc
    except (UnicodeDecodeError, yaml.YAMLError) as exc:
        raise DatasetError(f"{path}: not a YAML mapping file ({exc.__class__.__name__})") from exc
    if not isinstance(data, dict) or not isinstance(data.get("silos"), dict) or not data["silos"]:
        raise DatasetError(f"{path}: needs 'silos:', a mapping from the label column's values to silo names")
    unknown_keys = sorted(set(data) - {"text", "label", "silos", "ignore"})
    if unknown_keys:
        raise DatasetError(f"{path}: unknown key(s) {', '.join(unknown_keys)} (expected text, label, silos, ignore)")
    silos = {str(value).strip(): str(silo).strip() for value, silo in data["silos"].items()}
    wrong = sorted({silo for silo in silos.values() if silo not in known_silos})
    if wrong:
        known = ", ".join(known_silos)
        raise DatasetError(f"{path}: maps to unknown silo(s) {', '.join(wrong)} (silos.yml has: {known})")
    ignore = data.get("ignore") or []
    if not isinstance(ignore, list):
        raise DatasetError(f"{path}: 'ignore' must be a list of label values")
    return ColumnMapping(
        text=str(data.get("text", "text")).strip(),
        label=str(data.get("label", "silo")).strip(),
        silos=silos,
        ignore=frozenset(str(value).strip() for value in ignore),
    )


def _lines(numbers: Sequence[int]) -> str:
    shown = ", ".join(str(n) for n in numbers[:SHOWN_LINES])
    return f"line {shown}" if len(numbers) == 1 else f"lines {shown}" + (" ..." if len(numbers) > SHOWN_LINES else "")


def read_company_file(
    path: Path, known_silos: Sequence[str], mapping: ColumnMapping | None = None
) -> list[tuple[str, str]]:
    """(text, silo) pairs from the file; any problem raises DatasetError and nothing is returned.

    A row naming several silos gives one pair per silo. Rows whose label the mapping ignores are skipped.
    """
    mapping = mapping or ColumnMapping()
    header, records = csv_records(path)
    for needed in (mapping.text, mapping.label):
        if needed not in header:
            raise DatasetError(f"{path}: missing column '{needed}' (header is: {','.join(header)})")
    pairs: list[tuple[str, str]] = []
    empty: list[int] = []
    too_long: list[int] = []
    unlabelled: list[int] = []
    unknown: dict[str, list[int]] = defaultdict(list)
    for line, record in records:
        text = (record.get(mapping.text) or "").strip()
        values = [v.strip() for v in (record.get(mapping.label) or "").split("|") if v.strip()]
        if values and all(v in mapping.ignore for v in values):
            continue
        if not text:
            empty.append(line)
            continue
        if len(text) > MAX_TEXT_CHARS:
            too_long.append(line)
            continue
        if not values:
            unlabelled.append(line)
            continue
        for value in values:
            if value in mapping.ignore:
                continue
            silo = mapping.silos.get(value, value if not mapping.silos else None)
            if silo is None or silo not in known_silos:
                unknown[value].append(line)
            else:
                pairs.append((text, silo))
    if empty:
        raise DatasetError(f"{path}: empty text on {_lines(empty)}: fill it in or remove the row")
    if too_long:
        raise DatasetError(f"{path}: text over {MAX_TEXT_CHARS} characters on {_lines(too_long)}")
    if unlabelled:
        raise DatasetError(f"{path}: empty '{mapping.label}' on {_lines(unlabelled)}")
    if unknown:
        value, lines = next(iter(unknown.items()))
        others = f" and {len(unknown) - 1} more value(s)" if len(unknown) > 1 else ""
        fix = (
            "add it to the mapping's silos: or ignore:" if mapping.silos
            else f"use one of: {', '.join(known_silos)}, or give --mapping"
        )
        raise DatasetError(f"{path}: unknown {mapping.label} '{value}' on {_lines(lines)}{others}; {fix}")
    if not pairs:
        raise DatasetError(f"{path}: no labelled rows to learn from")
    return list(dict.fromkeys(pairs))
