"""Reading the YAML files that hold customers' words (silos.yml, lexicon.yml, language.yml).

YAML 1.1 reads a bare ``no``, ``yes``, ``on`` or ``off`` as a boolean, so a word list that says
``negations: [not, no]`` silently loses "no" (it happened: "no" was never a negation, "on" never a
stopword). In these files only ``true``/``false`` mean booleans; every other plain word stays a word.
"""

from __future__ import annotations

import re
from typing import Any

import yaml

_BOOL_TAG = "tag:yaml.org,2002:bool"


class WordLoader(yaml.SafeLoader):
    """A safe loader for which yes/no/on/off are words; subclass it to add constructors."""


WordLoader.yaml_implicit_resolvers = {
    first: [(tag, pattern) for tag, pattern in resolvers if tag != _BOOL_TAG]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
WordLoader.add_implicit_resolver(_BOOL_TAG, re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), list("tTfF"))


def load_words(text: str) -> Any:
    """Parse a word file's text (empty -> None, like ``yaml.safe_load``)."""
    return yaml.load(text, Loader=WordLoader)  # noqa: S506 - a SafeLoader subclass
