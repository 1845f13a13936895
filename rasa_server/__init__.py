"""Code that runs inside the Rasa server (not the action server): it may import Rasa itself."""
