"""The organisation as the company describes it in ``silos.yml``.

A company renames, splits or adds silos by editing that file, never the code. The file is
validated on load; every error names the line and the problem, so a typo fails at start-up
rather than as a silent mis-attribution weeks later.

``load_taxonomy`` is the one way in, with one cache rule: a file is parsed again exactly when its
content changed. The chat's touchpoint buttons, attribution, the webhooks and the dashboard therefore
all see the same version of ``silos.yml``, the edited one included, without a restart.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from bot.word_yaml import WordLoader

UNATTRIBUTED = "unattributed"


class TaxonomyError(ValueError):
    """``silos.yml`` is not usable; the message says where and why."""


@dataclass(frozen=True)
class Silo:
    name: str
    description: str
    touchpoints: tuple[str, ...]
    phrases: tuple[str, ...]
    examples: tuple[str, ...]  # the company's own sentences
    corpus: tuple[str, ...] = ()  # the shipped default corpora it also learns from (bot/attribution/corpus)


@dataclass(frozen=True)
class Touchpoint:
    name: str
    label: str
    silo: str


@dataclass(frozen=True, eq=False)  # one object per version of the file: compared (and cached) by identity
class Taxonomy:
    silos: dict[str, Silo]
    touchpoints: dict[str, Touchpoint]
    threshold: float
    touchpoint_prior: float
    source: str = "silos.yml"

    def owner(self, touchpoint: str | None) -> str | None:
        """The silo that owns a touchpoint, or None for an unknown or missing one."""
        found = self.touchpoints.get(touchpoint or "")
        return found.silo if found else None


class _LineLoader(WordLoader):
    """A YAML loader that remembers the line of every mapping, for error messages (phrases stay words)."""


def _construct_mapping(loader: _LineLoader, node: yaml.MappingNode) -> dict[str, Any]:
    seen: set[Any] = set()
    for key_node, _ in node.value:
        key = loader.construct_object(key_node, deep=True)
        if key in seen:  # plain YAML keeps the last one silently: a pasted silo would vanish
            raise yaml.constructor.ConstructorError(
                problem=f"'{key}' is defined twice in the same mapping", problem_mark=key_node.start_mark
            )
        seen.add(key)
    mapping = loader.construct_mapping(node, deep=True)
    mapping["__line__"] = node.start_mark.line + 1
    return mapping


_LineLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)


def _fail(source: str, line: int | None, problem: str) -> TaxonomyError:
    where = f"{source}:{line}" if line else source
    return TaxonomyError(f"{where}: {problem}")


def _strings(value: Any, source: str, line: int, what: str) -> tuple[str, ...]:
    if value is None:
        return ()
    if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
        raise _fail(source, line, f"{what} must be a list of non-empty strings")
    return tuple(v.strip() for v in value)


TOP_KEYS = {"version", "attribution", "touchpoints", "silos"}
ATTRIBUTION_KEYS = {"threshold", "touchpoint_prior"}
SILO_KEYS = {"description", "touchpoints", "phrases", "examples", "corpus"}


def _corpus(value: Any, source: str, line: int, silo: str) -> tuple[str, ...]:
    """``corpus: delivery`` or a list of names; each must be one of the shipped corpus files."""
    from bot.attribution.corpus import corpus_names  # here, not at the top: bot.attribution imports this module

    names = _strings([value] if isinstance(value, str) else value, source, line, f"silo '{silo}' corpus")
    shipped = corpus_names()
    for name in names:
        if name not in shipped:
            problem = f"silo '{silo}' names corpus '{name}', which does not exist (shipped: {', '.join(shipped)})"
            raise _fail(source, line, problem)
    return names


def _check_keys(mapping: dict[str, Any], allowed: set[str], source: str, what: str) -> None:
    """A misspelt key ("exmaples") would silently drop data; name it instead."""
    for key in mapping:
        if key != "__line__" and key not in allowed:
            expected = ", ".join(sorted(allowed))
            raise _fail(source, mapping.get("__line__"), f"unknown key '{key}' in {what} (expected: {expected})")


def parse_taxonomy(text: str, source: str = "silos.yml") -> Taxonomy:
    """Validate and build a taxonomy from the text of a ``silos.yml``."""
    try:
        doc = yaml.load(text, Loader=_LineLoader)  # noqa: S506 - safe loader subclass
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        problem = getattr(exc, "problem", None) or str(exc)
        raise _fail(source, mark.line + 1 if mark else None, f"not valid YAML ({problem})") from exc
    if not isinstance(doc, dict):
        raise _fail(source, None, "must be a mapping with 'silos' and 'touchpoints'")
    top = doc.get("__line__")
    _check_keys(doc, TOP_KEYS, source, "the top level")
    settings = doc.get("attribution") or {}
    if not isinstance(settings, dict):
        raise _fail(source, top, "'attribution' must be a mapping with threshold and touchpoint_prior")
    _check_keys(settings, ATTRIBUTION_KEYS, source, "attribution")
    threshold = settings.get("threshold", 0.35)
    prior = settings.get("touchpoint_prior", 0.15)
    for key, value in (("threshold", threshold), ("touchpoint_prior", prior)):
        if not isinstance(value, (int, float)) or not 0 <= value <= 1:
            raise _fail(source, settings.get("__line__", top), f"attribution.{key} must be a number between 0 and 1")

    raw_silos = doc.get("silos")
    if not isinstance(raw_silos, dict) or len([k for k in raw_silos if k != "__line__"]) == 0:
        raise _fail(source, top, "needs a 'silos' mapping with at least one silo")
    raw_touchpoints = doc.get("touchpoints") or {}
    if not isinstance(raw_touchpoints, dict):
        raise _fail(source, top, "'touchpoints' must be a mapping of name to {label}")

    silos: dict[str, Silo] = {}
    owners: dict[str, str] = {}
    for name, body in raw_silos.items():
        if name == "__line__":
            continue
        if not isinstance(body, dict):
            raise _fail(source, raw_silos["__line__"], f"silo '{name}' must be a mapping")
        line = body["__line__"]
        _check_keys(body, SILO_KEYS, source, f"silo '{name}'")
        if not str(name).replace("_", "").isalnum() or name == UNATTRIBUTED:
            problem = f"silo name '{name}' must be letters, digits and underscores, not '{UNATTRIBUTED}'"
            raise _fail(source, line, problem)
        description = body.get("description")
        if not isinstance(description, str) or not description.strip():
            raise _fail(source, line, f"silo '{name}' needs a description")
        touchpoints = _strings(body.get("touchpoints"), source, line, f"silo '{name}' touchpoints")
        for touchpoint in touchpoints:
            if touchpoint in owners:
                problem = f"touchpoint '{touchpoint}' is owned by both '{owners[touchpoint]}' and '{name}'"
                raise _fail(source, line, problem)
            if touchpoint not in raw_touchpoints:
                problem = f"silo '{name}' owns touchpoint '{touchpoint}', which is not listed under 'touchpoints'"
                raise _fail(source, line, problem)
            owners[touchpoint] = name
        silos[name] = Silo(
            name=name,
            description=description.strip(),
            touchpoints=touchpoints,
            phrases=_strings(body.get("phrases"), source, line, f"silo '{name}' phrases"),
            examples=_strings(body.get("examples"), source, line, f"silo '{name}' examples"),
            corpus=_corpus(body.get("corpus"), source, line, name),
        )
        if not silos[name].phrases and not silos[name].examples and not silos[name].corpus:
            problem = f"silo '{name}' needs phrases, examples or a corpus, or attribution can never name it"
            raise _fail(source, line, problem)

    touchpoints: dict[str, Touchpoint] = {}
    for name, body in raw_touchpoints.items():
        if name == "__line__":
            continue
        line = body.get("__line__") if isinstance(body, dict) else raw_touchpoints["__line__"]
        if not isinstance(body, dict) or not isinstance(body.get("label"), str):
            raise _fail(source, line, f"touchpoint '{name}' needs a label")
        if name not in owners:
            raise _fail(source, line, f"touchpoint '{name}' is not owned by any silo")
        touchpoints[name] = Touchpoint(name=name, label=body["label"], silo=owners[name])

    return Taxonomy(
        silos=silos, touchpoints=touchpoints, threshold=float(threshold), touchpoint_prior=float(prior), source=source
    )


_versions: dict[Path, tuple[bytes, Taxonomy]] = {}
_versions_lock = threading.Lock()


def load_taxonomy(path: Path | None = None) -> Taxonomy:
    """The taxonomy in ``path`` (the configured ``silos.yml`` by default), parsed again only when it changed.

    The file is read on every call (it is small): comparing its content, not its modification time,
    also catches an edit within the clock's resolution. An unchanged file gives the same object.
    """
    if path is None:
        from bot.settings import get_settings

        path = get_settings().silos_file
    path = Path(path).resolve()
    try:
        content = path.read_bytes()
    except OSError as exc:
        raise TaxonomyError(f"{path}: cannot read ({exc.strerror})") from exc
    known = _versions.get(path)
    if known is not None and known[0] == content:
        return known[1]
    try:
        text = content.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise TaxonomyError(f"{path}: not UTF-8 text ({exc.reason} at byte {exc.start})") from exc
    taxonomy = parse_taxonomy(text, source=str(path))
    with _versions_lock:
        _versions[path] = (content, taxonomy)
    return taxonomy
