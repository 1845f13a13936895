"""Siloscope's default training sentences, one file per default silo, kept out of ``silos.yml``.

``silos.yml`` is what a company writes about its departments; the two thousand default example
sentences are Siloscope's, so they live here (``<name>.yml``, a list under ``examples:``). A silo
in ``silos.yml`` learns from them by naming them (``corpus: delivery``, or a list when a company
merges departments); its own ``examples:`` there add to them, and a silo that names no corpus
learns from its own phrases and examples only (a renamed or split silo says which corpus fits).
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import yaml

from bot.taxonomy import Silo, TaxonomyError
from bot.word_yaml import load_words

CORPUS_DIR = Path(__file__).parent


class CorpusError(TaxonomyError):
    """A corpus file is unreadable or malformed: reported at start-up like a broken ``silos.yml``."""


def corpus_names(directory: Path | None = None) -> tuple[str, ...]:
    """The corpora that ship, by file name: what ``corpus:`` in ``silos.yml`` may name."""
    return tuple(sorted(p.stem for p in (directory or CORPUS_DIR).glob("*.yml")))


def corpus_file(name: str, directory: Path | None = None) -> Path:
    return (directory or CORPUS_DIR) / f"{name}.yml"


@lru_cache(maxsize=64)
def _read(path: Path, _mtime_ns: int, _size: int) -> tuple[str, ...]:
    """One file's sentences; keyed by modification time and size too, so an edited file is read again."""
    try:
        doc = load_words(path.read_bytes().decode("utf-8")) or {}
    except UnicodeDecodeError as exc:
        raise CorpusError(f"{path}: not UTF-8 text (byte 0x{exc.object[exc.start]:02x} at offset {exc.start})") from exc
    except yaml.YAMLError as exc:
        raise CorpusError(f"{path}: not valid YAML ({getattr(exc, 'problem', None) or exc})") from exc
    sentences = doc.get("examples") if isinstance(doc, dict) else None
    if not isinstance(sentences, list) or not all(isinstance(s, str) and s.strip() for s in sentences):
        raise CorpusError(f"{path}: needs 'examples:', a list of non-empty sentences")
    return tuple(s.strip() for s in sentences)


def corpus_examples(name: str, directory: Path | None = None) -> tuple[str, ...]:
    path = corpus_file(name, directory)
    try:
        status = path.stat()
        return _read(path, status.st_mtime_ns, status.st_size)
    except OSError as exc:
        raise CorpusError(f"{path}: cannot read ({exc.strerror})") from exc


def training_examples(silo: Silo) -> tuple[str, ...]:
    """Everything a silo learns from besides its phrases: the corpora it names, then its own examples."""
    shipped = tuple(sentence for name in silo.corpus for sentence in corpus_examples(name))
    return shipped + silo.examples
