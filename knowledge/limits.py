"""How much of a message the bot reads, in one place for every process that reads one.

Standard library only: the Rasa venv's channels (bot/redacting_channels.py) import it beside
the web app, the search and the advisers' lookup, and a test holds widget.js to it.
"""
from __future__ import annotations

# The longest message or search the bot reads, in characters: the web app's checks, Rasa's
# channels, the advisers' search box and the widget all cut or refuse beyond it.
MAX_QUERY_CHARS = 1000
