"""The crisis safety net: words about suicide, violence or a child at risk, found in any message.

Every custom action and the web app call `detect()` before anything else, so a message like
"hej, jeg vil ikke leve mere" gets the crisis lines even when the NLU took it for a greeting,
or arrives in the middle of a complaint form. A false alarm costs one extra message with phone
numbers; a missed alarm can cost a life. The patterns are therefore broad, and the text is
folded so that missing æøå ("sla mig ihjel"), doubled letters ("slaa") and one-letter typos
("selvmrod", "ihel") still match.

Which lines to show comes from `knowledge/channels.yml` (channels of kind `krise`): this
module only names channel ids, never phone numbers.
"""
from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache

from .text import skeleton

SUICIDE, VIOLENCE, CHILD = "suicide", "violence", "child"
KINDS = (CHILD, SUICIDE, VIOLENCE)  # priority order for CrisisMatch.kind

# Channel ids (knowledge/channels.yml) to show first for each kind; the emergency line
# (EMERGENCY) always comes along.
LINES_BY_KIND: dict[str, tuple[str, ...]] = {
    SUICIDE: ("livslinien",),
    VIOLENCE: ("lev-uden-vold",),
    CHILD: ("boernetelefonen",),
}
EMERGENCY = "alarm-112"


@dataclass(frozen=True)
class CrisisMatch:
    kind: str                  # the most specific kind: child, then suicide, then violence
    kinds: tuple[str, ...]     # every kind found, in priority order
    phrase: str                # the folded words that matched (for logs and tests)


fold = skeleton  # the patterns below are written in this folded form


# -- typo tolerance -----------------------------------------------------------------------------
# Distinctive words are spell-corrected before the patterns run: a token (or the start of a
# compound such as "selvmordstanker") within a small edit distance of one of these becomes it.
# Only long, rare words are listed, so ordinary words are not "corrected" into alarms.
_VOCABULARY = (
    "selvmord", "suicid", "ihjel", "voldtaget", "voldtagt", "voldelig", "overdosis",
    "livstrat", "selvskad", "mishandl", "overfald", "kareste", "myself",
)


def _distance(a: str, b: str, limit: int) -> int:
    """Optimal string alignment distance (a transposition counts as one edit), capped."""
    if abs(len(a) - len(b)) > limit:
        return limit + 1
    prev2: list[int] = []
    prev = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        cur = [i] + [0] * len(b)
        for j, cb in enumerate(b, 1):
            cur[j] = min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (ca != cb))
            if i > 1 and j > 1 and ca == b[j - 2] and a[i - 2] == cb:
                cur[j] = min(cur[j], prev2[j - 2] + 1)
        if min(cur) > limit:
            return limit + 1
        prev2, prev = prev, cur
    return prev[-1]


def _allowed_edits(word: str) -> int:
    return 1 if len(word) <= 8 else 2


@lru_cache(maxsize=50_000)
def _correct_token(token: str) -> str:
    """Cached: citizens use few distinct words, and the edit distance is pure Python (it was
    a third of the action server's CPU under load before the cache)."""
    if len(token) < 4:
        return token
    letters = set(token)
    for word in _VOCABULARY:
        limit = _allowed_edits(word)
        if token.startswith(word):
            return token
        # Each letter of `word` that the token lacks costs at least one edit, whatever the
        # cut: most words are ruled out here, before the quadratic distance runs.
        if sum(ch not in letters for ch in word) > limit:
            continue
        # the whole token, or its first len(word) ± 1 letters for compounds
        for cut in (len(token), len(word) - 1, len(word), len(word) + 1):
            head = token[:cut]
            if len(head) < len(word) - limit or len(head) < 4:
                continue
            if _distance(head, word, limit) <= limit:
                return word + token[cut:]
    return token


def _correct(folded: str) -> str:
    tokens = folded.split()
    # "selv mord", "ih jel": glue neighbours that form a vocabulary word when joined
    out: list[str] = []
    i = 0
    while i < len(tokens):
        if i + 1 < len(tokens):
            joined = tokens[i] + tokens[i + 1]
            fixed = _correct_token(joined)
            if any(fixed.startswith(w) for w in _VOCABULARY) and not any(
                    _correct_token(tokens[i]).startswith(w) for w in _VOCABULARY):
                out.append(fixed)
                i += 2
                continue
        out.append(_correct_token(tokens[i]))
        i += 1
    return " ".join(out)


# -- patterns (on folded, corrected text: no æøå, no "aa"/"ae"/"oe") --------------------------
_W = r"(?:\w+ ){0,3}"          # up to three filler words
_ME = r"(?:mig|mi|mg)"
_OTHER = (r"(?:han|hun|de|den|min \w+|mine \w+|hans \w+|hendes \w+|faren|moren|kareste\w*|"
          r"manden|konen|fyren|typen|eksen)")
_CHILD_ADULT = (r"(?:far|fars|mor|mors|farmor|morfar|farfar|mormor|stedfar|stedmor|papfar|"
                r"papmor|bonusfar|bonusmor|forald\w*|onkel|plejefar|plejemor|plejeforald\w*|"
                r"papa|mama|storebror|lararen|padagogen)")
_HARM = (r"(?:slar|slog|slat|taver|tavet|banker|bankede|banket|sparker|sparkede|sparket|kvaler|"
         r"kvalte|truer|truede|skader|skadede|mishandl\w*|rorer ved|rorte ved|beforer|voldtog|"
         r"voldtaget|krank\w*|misbruger mig|misbrugte mig|skubber|kaster ting)")
# "kan ikke leve af kontanthjælpen", "vil ikke leve sådan": about money or housing, not life
_NOT_AFTER_LEVE = (r"(?! (?:af|for|pa|med|i|uden|sammen|op|under|som|hos|hjemme|alene|"
                   r"her|der|nar|til|et|en)\b)")
_NOT_AFTER_SLA = r"(?! (?:op|sammen|fast|ned|igennem|lost|sig|til|af|an|selv)\b)"

_SUICIDE = (
    r"\bselvmord\w*", r"\bsuicid\w*", r"\bselvskad\w*", r"\blivstrat\w*",
    r"\bdods?tank\w*", r"\bdods?onsk\w*",
    # slå mig selv ihjel / jeg vil slå mig ihjel / tage mit liv
    rf"\b{_ME} selv ihjel\b", rf"\bjeg {_W}sla\w* {_ME} ihjel\b", rf"\bihjel {_ME}\b",
    r"\b(?:tage?|tager|tog) (?:jeg )?(?:mit|mit eget|sit|sit eget) liv\b",
    r"\blivet af (?:mig|mig selv|mg)\b",
    # vil ikke leve mere / gider ikke leve / har ikke lyst til at leve
    # (but not "kan ikke leve af kontanthjælpen": that is a money question)
    rf"\bikke (?:\w+ ){{0,4}}lev(?:e|er)?\b{_NOT_AFTER_LEVE}",
    r"\bikke (?:\w+ ){0,4}lev(?:e|er)? (?:mere|langere)\b",
    r"\bingen grund til at leve\b", r"\bikke vard at leve\b", r"\bikke vart at leve\b",
    rf"\b(?:orker|gider|magter|kan) ikke (?:mere )?(?:livet|at leve|leve)\b{_NOT_AFTER_LEVE}",
    # "jeg kan ikke mere" said on its own is a warning sign; "kan ikke mere end 3.000 kr" is not.
    r"\b(?:orker|magter|kan) ikke mere(?:$| (?:jeg|alt|det hele|hjalp|help)\b)",
    # vil dø / ønsker at dø / bedre hvis jeg var død
    (r"\b(?:vil|ville|onsker|onske|lyst til|hellere|bare|gerne|skal) (?:at )?(?:gerne |bare |"
     r"hellere )?(?:do|dor)\b"),
    (r"\b(?:gid|ville onske|bedre hvis|bedre at|bedst hvis) (?:at )?jeg (?:var|er|bare var) "
     r"(?:dod|dd)\b"),
    r"\bbedre (?:uden|for alle uden) mig\b",
    # ende det hele / gøre en ende på det / ikke være her mere
    r"\bend(?:e|er)? (?:det hele|det alt|mit liv|livet|alt sammen)\b",
    r"\ben ende pa (?:det|mit liv|livet|alt|det hele)\b",
    r"\bikke (?:at )?(?:vare|vere|var) her (?:mere|langere)\b",
    r"\bforsvinde for altid\b",
    r"\bskar(?:e|er)? i (?:mig|mine arme|min arm|mine handled\w*)\b",
    r"\bcutt(?:er|e|ing)\b", r"\bhang(?:e|er) mig\b", r"\boverdosis\b",
    (r"\b(?:springe|springer|hoppe|hopper|kaste|kaster) (?:mig )?(?:ud foran|ud fra|ud over|"
     r"ud af vinduet|foran toget|foran en bil)\b"),
    # English
    r"\bkill(?:ing)? (?:my ?self|me)\b", r"\bend(?:ing)? (?:my life|it all|my ?self)\b",
    r"\bwant(?:s)? to die\b", r"\bwish i (?:was|were) dead\b",
    r"\b(?:dont|do not) want to (?:live|be alive|be here)\b",
    r"\bhurt(?:ing)? my ?self\b", r"\bself ?harm\w*", r"\btake my (?:own )?life\b",
    r"\bno reason to live\b", r"\bbetter off dead\b",
)
_VIOLENCE = (
    # vold, voldelig, voldtaget, kærestevold, partnervold — not the intensifier "voldsomt"
    r"vold(?!som)\w*",
    # han slår mig / bliver slået — not "det slår mig" (it strikes me) or "slå op" (look up)
    (rf"(?<!\bdet )\b(?:slar|slog|sla|slas) (?:{_ME}|os|hende|ham|mit barn|min son|min datter|"
     rf"mine born|barnet|ungerne|min mor|min kareste){_NOT_AFTER_SLA}"),
    (r"\b(?:bliver|blev|blevet|er blevet|bli|blir) (?:\w+ ){0,2}(?:slat|banket|tavet|tasket|"
     r"sparket|kvalt|overfald\w*|voldtaget|mishandl\w*|misbrugt)\b(?! (?:op|sammen|fast|ned)\b)"),
    rf"\b(?:taver|tasker|banker|sparker|kvaler|skubber|skader) (?:{_ME}|os|hende|ham)\b",
    rf"\b(?:truer|truede|truet) (?:{_ME}|os|hende|ham|mit barn|mine born)\b",
    r"\btruer med at (?:sla|drabe|skade|dra\w*)\b",
    r"\btruet (?:pa livet|med (?:vold|kniv|pistol|at blive sla\w*|bank|tav|dod))\b",
    r"\btruet af (?:min|mit|mine|en|hans|hendes|ham|hende|kareste\w*|eks\w*)\b",
    r"\btrusl\w* om (?:vold|at (?:sla|drabe|skade))\b", r"\bdodstrusl\w*",
    rf"\b{_OTHER} (?:\w+ ){{0,2}}(?:sla\w*|drab\w*|drabe) {_ME} ihjel\b",
    rf"\b{_OTHER} (?:vil|skal|prover|har) (?:\w+ ){{0,2}}(?:sla|drabe|skade) {_ME}\b",
    r"\bbange for (?:min (?:kareste|mand|kone|far|mor|ex|eks|kaste)\w*|ham|hende|at ga hjem)\b",
    r"\btor ikke (?:ga|tage|komme) hjem\b", r"\boverfald\w*", r"\bmishandl\w*",
    r"\bseksuel\w* (?:misbrug\w*|overgreb|krank\w*|vold)\b", r"\bovergreb\w*",
    r"\btvunget til (?:sex|at have sex|at arbejde|at gifte mig)\b", r"\bincest\b",
    r"\bstalk\w*", r"\b(?:last|lukket) inde\b", r"\btaget mit pas\b",
    r"\bgifte mig (?:bort|vak) mod min vilje\b", r"\blocked (?:me )?in\b",
    # English
    r"\b(?:hits|hit|beats|beat|beating|kicks|kicked|chokes|choked|strangl\w*|punch\w*) me\b",
    r"\b(?:threatens|threatened|threatening) (?:me|to kill|to hurt)\b",
    r"\braped?\b|\bsexual(?:ly)? (?:abuse|assault)\w*", r"\babused\b|\babuses me\b",
    r"\bdomestic (?:violence|abuse)\b", r"\bviolen(?:ce|t)\b", r"\bwants to kill me\b",
    r"\bafraid of my (?:husband|wife|boyfriend|girlfriend|partner|father|mother|dad|mum|mom)\b",
)
# A child being harmed: Børnetelefonen first.
_CHILD_HARM = (
    rf"\b(?:min|mine) {_CHILD_ADULT} (?:\w+ ){{0,2}}{_HARM}",
    (r"\b(?:mit|et|vores) barn (?:\w+ ){0,3}(?:slat|banket|tavet|sparket|mishandl\w*|misbrugt|"
     r"vold\w*|krank\w*|selvmord\w*|ihjel|ikke leve|vil do|truet)\b"),
    (r"\b(?:bornene|born|ungerne|min son|min datter|mine born|barnet|min lillebror|min "
     r"lillesoster) (?:\w+ ){0,3}(?:bliver|blev|er blevet) (?:\w+ ){0,2}(?:slat|banket|tavet|"
     r"sparket|mishandl\w*|misbrugt|voldtaget|truet)\b"),
    (r"\b(?:dad|father|mum|mom|mother|stepdad|stepfather|parents) (?:hits|beats|hurts|abuses|"
     r"touches|kicks)\b"),
    # a small child left alone, or cared for by a drunk adult, now
    (r"\b(?:barn|baby|babyen|born|bornene|ungerne|lille \w+) (?:\w+ ){0,4}alene (?:\w+ ){0,12}"
     r"(?:dage|dogn|nat|natten|timer)\b"),
    r"\b(?:fuld|beruset|skav|pavirket) og passer (?:sin|sit|sine|en|et|min|mit) \w+",
    # grooming: an adult who wants to meet a child in secret, or asks for nude pictures
    r"\bvoksen (?:\w+ ){0,2}vil (?:\w+ ){0,2}(?:mode|modes|made) (?:\w+ ){0,2}mig\b",
    r"\bnogenbilled\w*", r"\bnude (?:pictures|photos|pics)\b",
)
# The writer is a child: with any crisis words, Børnetelefonen comes first.
_CHILD_SELF = re.compile(r"\bjeg er (?:et barn|under 18|under atten|kun \d{1,2} ar)\b|"
                         r"\bi am a child\b|\bim a child\b")
_AGE = re.compile(r"\bjeg er (?:kun )?(\d{1,2}) ar\b|\bi(?: am|m) (\d{1,2})(?: years old)?\b")

_PATTERNS: dict[str, tuple[str, ...]] = {SUICIDE: _SUICIDE, VIOLENCE: _VIOLENCE, CHILD: _CHILD_HARM}
_COMPILED = {kind: re.compile("|".join(f"(?:{p})" for p in pats))
             for kind, pats in _PATTERNS.items()}


def detect(text: str | None) -> CrisisMatch | None:
    """Return what kind of crisis the message speaks of, or None.

    Tolerant of missing æøå, doubled letters and one-letter typos; errs on the side of alarm.
    """
    folded = _correct(fold(text or ""))
    if not folded:
        return None
    found: dict[str, str] = {}
    for kind, pattern in _COMPILED.items():
        m = pattern.search(folded)
        if m:
            found[kind] = m.group(0)
    if not found:
        return None
    if CHILD not in found:
        age = _AGE.search(folded)
        if _CHILD_SELF.search(folded) or (age and int(age.group(1) or age.group(2)) < 18):
            found[CHILD] = (_CHILD_SELF.search(folded) or age).group(0)
    kinds = tuple(k for k in KINDS if k in found)
    return CrisisMatch(kinds[0], kinds, " / ".join(found[k] for k in kinds))


def line_ids(match: CrisisMatch | None) -> list[str]:
    """Channel ids to show, most specific first, then the emergency line. No match: every
    kind's line."""
    kinds: Sequence[str] = match.kinds if match else KINDS
    ids: list[str] = []
    for kind in kinds:
        for channel_id in LINES_BY_KIND[kind]:
            if channel_id not in ids:
                ids.append(channel_id)
    ids.append(EMERGENCY)
    return ids


def lines_for(match: CrisisMatch | None, crisis_channels: Iterable) -> list:
    """The crisis channels (knowledge.models.Channel) to show for a match, in order.

    Channels are looked up by id among `kb.crisis_channels()`. If the YAML lacks one of them,
    every crisis channel is shown rather than too few: more numbers beat no number.
    """
    channels = list(crisis_channels)
    by_id = {c.id: c for c in channels}
    wanted = line_ids(match)
    chosen = [by_id[i] for i in wanted if i in by_id]
    if len(chosen) < len(wanted):
        chosen += [c for c in channels if c not in chosen]
    return chosen
