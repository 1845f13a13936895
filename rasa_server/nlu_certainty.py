"""The NLU pipeline step that keeps an uncertain restart or stop from being acted on.

It runs right after the intent classifier and before the FallbackClassifier (config.yml), so
every later reader (the form's slot mappings, the rules, Rasa's built-in restart) sees the
settled intent: a complaint that only sounds like "start again" reaches the form as an answer.
The rule itself is ``bot.intent_certainty``; this module only applies it to Rasa's messages.
"""

from __future__ import annotations

import logging
from typing import Any

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.classifiers.classifier import IntentClassifier
from rasa.shared.constants import DEFAULT_NLU_FALLBACK_INTENT_NAME
from rasa.shared.nlu.constants import (
    INTENT,
    INTENT_NAME_KEY,
    INTENT_RANKING_KEY,
    PREDICTED_CONFIDENCE_KEY,
    TEXT,
)
from rasa.shared.nlu.training_data.message import Message

from bot.intent_certainty import DESTRUCTIVE_INTENTS, CertaintyRules, demote, judge

logger = logging.getLogger(__name__)


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=False)
class DestructiveIntentCertainty(GraphComponent, IntentClassifier):
    """Demotes ``restart`` and ``stop`` to the next intent unless they are a clear, short request."""

    @classmethod
    def required_components(cls) -> list[type]:
        return [IntentClassifier]

    @staticmethod
    def get_default_config() -> dict[str, Any]:
        defaults = CertaintyRules()
        return {
            "min_confidence": defaults.min_confidence,
            "min_margin": defaults.min_margin,
            "max_words": defaults.max_words,
        }

    def __init__(self, config: dict[str, Any]) -> None:
        self.rules = CertaintyRules(
            min_confidence=float(config["min_confidence"]),
            min_margin=float(config["min_margin"]),
            max_words=int(config["max_words"]),
        )

    @classmethod
    def create(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> DestructiveIntentCertainty:
        return cls(config)

    def process(self, messages: list[Message]) -> list[Message]:
        for message in messages:
            self._settle(message)
        return messages

    def _settle(self, message: Message) -> None:
        intent = message.get(INTENT) or {}
        name = intent.get(INTENT_NAME_KEY)
        if name not in DESTRUCTIVE_INTENTS:
            return
        entries = message.get(INTENT_RANKING_KEY) or [intent]
        ranking = [(e.get(INTENT_NAME_KEY), float(e.get(PREDICTED_CONFIDENCE_KEY) or 0.0)) for e in entries]
        verdict = judge(name, ranking, message.get(TEXT) or "", self.rules)
        if verdict.certain:
            return
        by_name = {e.get(INTENT_NAME_KEY): e for e in entries}
        reordered = [by_name[n] for n, _ in demote(ranking)]
        top = reordered[0] if reordered and reordered[0].get(INTENT_NAME_KEY) not in DESTRUCTIVE_INTENTS else None
        # Only destructive guesses: the message is unclear, which the survey reads as an answer.
        top = top or {INTENT_NAME_KEY: DEFAULT_NLU_FALLBACK_INTENT_NAME, PREDICTED_CONFIDENCE_KEY: 0.0}
        logger.debug("'%s' not acted on (%s): read as '%s'", name, verdict.reason, top[INTENT_NAME_KEY])
        message.set(INTENT, top, add_to_output=True)
        message.set(INTENT_RANKING_KEY, reordered, add_to_output=True)
