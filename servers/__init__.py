"""Entry points that start the Rasa server and the action server the way Siloscope needs them.

Rasa and rasa_sdk start from their own command lines; these small entries wrap them where the
stock command cannot do what we need (a shared secret on the action server, no token in argv).
"""
