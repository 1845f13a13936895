"""Code that runs inside the Rasa server (not the action server), so it may import Rasa itself.

- Siloscope's input channels (registered in credentials.yml): the decisions live in
  ``bot.channels.chat_door``; these classes apply them at Rasa's REST, socket.io and callback doors.
- ``main``: the ``rasa run`` entry the launcher starts, with ``durability`` installed.

Not in ``bot/`` (the core knows nothing of Rasa) nor in ``actions/`` (the action server imports
every module there and will run without Rasa installed).
"""
