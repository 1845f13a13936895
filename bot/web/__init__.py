"""Siloscope's own web service on port 8000: dashboard, webhooks and the demo page."""
