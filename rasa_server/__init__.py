"""Code that runs inside the Rasa server: Siloscope's input channels (registered in credentials.yml).

Not in ``bot/`` (the core knows nothing of Rasa) nor in ``actions/`` (the action server imports
every module there and will run without Rasa installed). The decisions themselves live in
``bot.channels.chat_door``; these classes apply them at Rasa's REST, socket.io and callback doors.
"""
