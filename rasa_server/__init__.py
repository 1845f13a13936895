"""Code that runs inside the Rasa server (not the action server), so it may import Rasa itself.

- Siloscope's input channels (registered in credentials.yml): the decisions live in
  ``bot.channels.chat_door``; these classes apply them at Rasa's REST, socket.io and callback doors.
- ``main``: the ``rasa run`` entry the launcher starts, with ``durability`` installed.

Not in ``bot/`` (the core knows nothing of Rasa) nor in ``actions/`` (the action server imports
every module there and will run without Rasa installed).
"""

# This runs in the Rasa server's own environment (Python 3.10, SQLAlchemy 1.4, sanic 21), not the core's
# (Python 3.12): these are the only modules of the core it imports, each written to run on both.
# tests/rasa_server/test_import_surface.py holds the list to what the imports load; pyproject.toml lints
# these files for Python 3.10.
CORE_MODULES = (
    "bot",
    "bot.channels",
    "bot.channels.chat_door",
    "bot.channels.chat_text",
    "bot.channels.conversation_ids",
    "bot.channels.events",
    "bot.channels.page_context",
    "bot.channels.references",
    "bot.errors",
    "bot.intent_certainty",
    "bot.privacy",
    "bot.privacy.files",
    "bot.privacy.redaction",
    "bot.privacy.text",
    "bot.settings",
    "bot.settings.parse",
    "bot.settings.sections",
    "bot.sticky",
    "bot.store",
    "bot.store.sqlite_file",
    "bot.taxonomy",
    "bot.tokens",
    "bot.word_yaml",
)
