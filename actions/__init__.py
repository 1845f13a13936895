"""Rasa custom actions: thin glue between the chat (trackers, slots, messages) and ``bot/``.

Run with ``rasa run actions`` (port 5055). No business rule lives here: what an answer does
(stored, asked again, given up, small talk) is decided by ``bot.survey_policy``, answers are
read by ``bot.answers``, languages by ``bot.language``, and everything is stored by ``bot.feedback``.
"""
