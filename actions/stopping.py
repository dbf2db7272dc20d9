"""When a message ends something. The NLU alone is not trusted with it: "klagefirst" (a typo for
klagefrist) was read as `stop` and ended the complaint form. A stop must also *look* like one."""
from __future__ import annotations

from knowledge.text import fold

END_INTENTS = ("stop", "goodbye")
# And the NLU must be this sure of it ("klagefirst" was `stop` at 0.53; "glem det" is 0.99).
STOP_CONFIDENCE = 0.7
# Said as a message of its own, these end a conversation; anything longer is a question.
STOP_MAX_WORDS = 5
_STOP_WORDS = frozenset(["stop", "stopp", "slut", "afslut", "afbryd", "annuller", "farvel", "bye", "goodbye", "quit", "exit", "ses", "glem"])
_STOP_PHRASES = frozenset({"hej hej", "nej tak", "det var det", "tak for nu", "vi ses",
                           "jeg vil ikke mere", "jeg gider ikke mere", "ikke mere"})
_QUESTION_WORDS = frozenset(["kan", "maa", "skal", "vil", "hvad", "hvordan", "hvorfor", "hvem", "hvornaar", "hvor", "er", "har", "can", "may", "what", "how", "why", "when"])


def looks_like_stop(text: str) -> bool:
    """A stop or goodbye is short and says so ("stop", "farvel", "glem det"). "klagefirst"
    or "kan kommunen stoppe min kontanthjælp?" is a question."""
    folded = fold(text)
    words = folded.split()
    if not 0 < len(words) <= STOP_MAX_WORDS or "?" in text or words[0] in _QUESTION_WORDS:
        return False
    return folded in _STOP_PHRASES or any(w in _STOP_WORDS for w in words)


def meant_as_stop(latest_message: dict) -> bool:
    """The NLU is sure it heard a stop or goodbye, and the words look like one."""
    intent = latest_message.get("intent") or {}
    return (intent.get("name") in END_INTENTS
            and float(intent.get("confidence") or 0.0) >= STOP_CONFIDENCE
            and looks_like_stop(str(latest_message.get("text") or "")))
