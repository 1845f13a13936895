"""Siloscope core: everything the product knows, independent of Rasa."""

__version__ = "0.1.0"
