"""Channels to the company's other tools: touchpoint events in, department alerts out.

Inbound events are verified, validated and stored, then start a survey through Rasa's HTTP
API; outbound alerts go to Slack, Teams or a signed JSON webhook. Everything that leaves the
process goes through the durable ``outbox`` table so a peer that is down loses nothing.
"""
