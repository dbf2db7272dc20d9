"""The custom actions, called as rasa-sdk calls them, against the real knowledge YAML and the
real domain.yml. The search is replaced by a stub so that each test picks what it returns;
everything else (channels, municipalities, responses, crisis net, dates) is the real thing."""
from __future__ import annotations

import asyncio
import re
from dataclasses import replace
from datetime import date
from pathlib import Path

import pytest
import yaml
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

import actions.advice
import actions.answer
import actions.common
import actions.complaint
from actions.advice import ActionAdvice
from actions.answer import ActionAnswerFromKnowledge
from actions.common import MARK, SafeAction
from actions.complaint import (
    ActionComplaintDraft,
    ActionComplaintSummary,
    ActionStartComplaint,
    ValidateComplaintForm,
)
from actions.crisis import ActionCrisis
from actions.reply import ActionReply
from knowledge import crisis
from knowledge.loader import load_knowledge
from knowledge.models import Channel, KnowledgeBase
from knowledge.search import Hit, SearchResult

REPO = Path(__file__).resolve().parents[1]
DOMAIN = yaml.safe_load((REPO / "bot" / "domain.yml").read_text(encoding="utf-8"))
TODAY = date(2026, 11, 23)


@pytest.fixture(scope="module")
def kb() -> KnowledgeBase:
    result = load_knowledge(REPO / "knowledge")
    assert result.kb is not None, result.errors
    return result.kb


class StubService:
    """The KnowledgeService surface the actions use, with a search that returns `answer`."""

    threshold = 0.8

    def __init__(self, kb: KnowledgeBase, answer: str | None = "klagefrist",
                 related: tuple[str, ...] = (), step: float = 0.02):
        self.kb, self.answer, self.related, self.step = kb, answer, related, step
        self.questions: list[tuple[str, str | None]] = []
        # questions with no article (a crisis message: the real search finds none either)
        self.unsure: set[str] = set()
        self.possible_crisis: set[str] = set()   # what the meaning check would flag

    def crisis_possible(self, text: str) -> bool:
        return text in self.possible_crisis

    def search(self, query: str, k: int = 3, kommune: str | None = None) -> SearchResult:
        self.questions.append((query, kommune))
        if self.answer is None or crisis.detect(query) or query in self.unsure:
            hits = [Hit(self.kb.article("bisidder"), 0.5, None)]
            return SearchResult(query, False, hits)
        ids = (self.answer, *self.related)[:k]
        scores = [0.95 - n * self.step for n in range(len(ids))]
        hits = [Hit(self.kb.article(i), score, None, score) for i, score in zip(ids, scores)]
        return SearchResult(query, True, hits)


@pytest.fixture
def svc(kb, monkeypatch) -> StubService:
    stub = StubService(kb)
    monkeypatch.setattr(actions.common, "SERVICE_OVERRIDE", stub)
    monkeypatch.setattr(actions.complaint, "today", lambda: TODAY)
    return stub


def tracker(text: str, intent: str, slots: dict | None = None, events: list | None = None,
            metadata: dict | None = None, entities: list | None = None,
            extracted: dict | None = None) -> Tracker:
    """A tracker after the user said `text`; `extracted` are the slots action_extract_slots
    set from that message (the ones a form validates)."""
    latest = {"text": text, "intent": {"name": intent, "confidence": 0.9},
              "entities": entities or [], "metadata": metadata or {}}
    user = {"event": "user", "text": text, "parse_data": latest}
    after = [{"event": "slot", "name": k, "value": v} for k, v in (extracted or {}).items()]
    return Tracker("test", {**(slots or {}), **(extracted or {})}, latest,
                   [*(events or []), user, *after], False, None, None, "action_listen")


def run(action, t: Tracker) -> tuple[list[dict], list[dict]]:
    dispatcher = CollectingDispatcher()
    events = asyncio.run(action.run(dispatcher, t, DOMAIN))
    return dispatcher.messages, events


def render(message: dict) -> str:
    """The text the engine would send: the domain response with the message's variables."""
    template = DOMAIN["responses"][message["response"]][0]["text"]
    return template.format(**message)


def said_by(messages: list[dict], response: str) -> str:
    """The rendered text of the first message made from `response`."""
    return render(next(m for m in messages if m.get("response") == response))


def responses(messages: list[dict]) -> list[str]:
    return [m["response"] for m in messages if m.get("response")]


def custom(messages: list[dict]) -> list[dict]:
    return [m["custom"][MARK] for m in messages if m.get("custom")]


# --- the crisis safety net in every action ------------------------------------------------

ALL_ACTIONS = [ActionReply(), ActionCrisis(), ActionAnswerFromKnowledge(), ActionAdvice(),
               ActionStartComplaint(), ActionComplaintSummary(), ActionComplaintDraft()]


@pytest.mark.parametrize("action", ALL_ACTIONS + [ValidateComplaintForm()],
                         ids=lambda a: a.name())
@pytest.mark.parametrize("text, intent, first", [
    ("hej, jeg vil ikke leve mere", "greet", "utter_crisis_suicide"),
    ("min kæreste slår mig", "inform", "utter_crisis_violence"),
    ("min far slår mig", "ask_rights", "utter_crisis_child"),
])
def test_every_action_sends_the_crisis_lines_first(svc, kb, action, text, intent, first):
    messages, _ = run(action, tracker(text, intent))
    assert responses(messages)[0] == first
    rendered = render(messages[0])
    phones = [c.phone for c in kb.crisis_channels()]
    assert any(p in rendered for p in phones), rendered
    assert "112" in rendered
    marks = custom(messages)
    assert marks[0]["crisis"] is True
    assert any(link["url"].startswith("tel:") for link in marks[0]["links"])
    # nothing but the lines: no answer, no form question, no small talk
    assert responses(messages) == [first]


def test_the_crisis_intent_without_keywords_gets_every_line(svc, kb):
    svc.unsure.add("jeg har det så skidt, hjælp")
    messages, _ = run(ActionCrisis(), tracker("jeg har det så skidt, hjælp", "crisis"))
    assert responses(messages) == ["utter_crisis_any"]
    text = render(messages[0])
    for channel in kb.crisis_channels():
        if channel.phone:
            assert channel.phone in text


def test_a_crisis_that_is_also_a_rights_question_gets_the_lines_and_its_article_offered(
        svc, kb):
    # the NLU said crisis, no keyword matched, and the search is sure of an article: it is
    # offered as a button under the lines, not answered there (the lines stay what is read)
    messages, _ = run(ActionCrisis(), tracker("min søn er anbragt og jeg må ikke se ham",
                                              "crisis"))
    assert responses(messages)[0] == "utter_crisis_any"          # the lines first, always
    assert "utter_suggest" in responses(messages) and "utter_article" not in responses(messages)
    buttons = [b["title"] for m in messages for b in m.get("buttons") or []]
    assert kb.article("klagefrist").title in buttons
    assert custom(messages)[0]["crisis"] is True


def test_a_possible_crisis_by_meaning_gets_the_lines_and_the_usual_reply(svc):
    svc.possible_crisis.add("farvel til alle")
    messages, _ = run(ActionReply(), tracker("farvel til alle", "goodbye"))
    assert responses(messages) == ["utter_crisis_any", "utter_goodbye"]


def test_suicide_lines_start_with_livslinien(svc, kb):
    messages, _ = run(ActionReply(), tracker("jeg vil slå mig selv ihjel", "greet"))
    text = render(messages[0])
    assert text.index(kb.channels["livslinien"].phone) < text.index(kb.channels["alarm-112"].phone)


def test_crisis_lines_are_sent_once_per_message(svc):
    earlier = {"event": "bot", "text": "...", "data": {"custom": {MARK: {"crisis": True}}}}
    t = tracker("jeg vil ikke leve mere", "crisis")
    t.events.append(earlier)          # an earlier action in this turn already sent them
    messages, _ = run(ActionComplaintSummary(), t)
    assert messages == []


def test_crisis_lines_again_on_the_next_message(svc):
    earlier = {"event": "bot", "text": "...", "data": {"custom": {MARK: {"crisis": True}}}}
    t = tracker("jeg vil stadig ikke leve", "crisis", events=[earlier])
    messages, _ = run(ActionCrisis(), t)
    assert responses(messages) == ["utter_crisis_suicide"]


def test_a_crisis_inside_the_form_ends_it(svc):
    t = tracker("jeg orker ikke at leve længere", "inform",
                slots={"requested_slot": "complaint_date", "complaint_about": "kontanthjælp"},
                extracted={"complaint_date": "jeg orker ikke at leve længere"})
    messages, events = run(ValidateComplaintForm(), t)
    assert responses(messages) == ["utter_crisis_suicide"]
    assert {"event": "slot", "timestamp": None, "name": "requested_slot", "value": None} in events


# --- small talk ---------------------------------------------------------------------------

@pytest.mark.parametrize("text, intent, response", [
    ("hej", "greet", "utter_greet"), ("farvel", "goodbye", "utter_goodbye"),
    ("tak", "thanks", "utter_thanks"), ("er du en robot", "bot_challenge", "utter_bot_challenge"),
    ("hvad bliver vejret", "out_of_scope", "utter_out_of_scope"), ("stop", "stop", "utter_stop"),
])
def test_small_talk(svc, text, intent, response):
    svc.unsure.add(text)                 # no article for small talk
    messages, _ = run(ActionReply(), tracker(text, intent))
    assert responses(messages) == [response]


@pytest.mark.parametrize("text", ["klagefirst", "kan kommunen stoppe min kontanthjælp?"])
def test_a_question_taken_for_a_stop_is_answered(svc, text):
    for intent in ("stop", "goodbye"):
        messages, _ = run(ActionReply(), tracker(text, intent))
        assert responses(messages)[0] == "utter_article", (text, intent)


@pytest.mark.parametrize("text, intent", [("glem det", "stop"), ("jeg vil ikke mere", "stop"),
                                          ("farvel", "goodbye"), ("stop", "stop")])
def test_a_real_stop_inside_the_form_ends_it(svc, text, intent):
    t = tracker(text, intent, slots={"requested_slot": "complaint_date",
                                     "complaint_about": "kontanthjælp"},
                extracted={"complaint_date": text})
    messages, events = run(ValidateComplaintForm(), t)
    assert responses(messages) == ["utter_form_stopped"]
    assert {"event": "slot", "timestamp": None, "name": "requested_slot", "value": None} in events
    assert {"event": "slot", "timestamp": None, "name": "complaint_about", "value": None} in events


def test_a_stop_the_nlu_is_unsure_of_does_not_end_the_form(svc):
    t = tracker("afbryd", "stop", slots={"requested_slot": "complaint_about"},
                extracted={"complaint_about": "afbryd"})
    t.latest_message["intent"]["confidence"] = 0.55
    messages, events = run(ValidateComplaintForm(), t)
    assert "utter_form_stopped" not in responses(messages)
    assert {"event": "slot", "timestamp": None, "name": "complaint_about",
            "value": "afbryd"} in events


@pytest.mark.parametrize("text", ["klagefirst", "kan de stoppe min kontanthjælp?"])
def test_a_typo_the_nlu_took_for_a_stop_is_an_answer_in_the_form(svc, text):
    t = tracker(text, "stop", slots={"requested_slot": "complaint_about"},
                extracted={"complaint_about": text})
    messages, events = run(ValidateComplaintForm(), t)
    assert "utter_form_stopped" not in responses(messages)
    assert {"event": "slot", "timestamp": None, "name": "complaint_about", "value": text} in events


# --- answers from the knowledge base ------------------------------------------------------

def test_a_confident_answer_has_summary_source_link_channels_and_buttons(svc, kb):
    svc.related = ("klage-over-afgoerelse",)
    messages, _ = run(ActionAnswerFromKnowledge(),
                      tracker("hvor lang tid har jeg mon til at klage", "ask_rights"))
    article = kb.article("klagefrist")
    assert responses(messages)[0] == "utter_article"
    text = render(messages[0])
    assert article.summary in text and article.title in text
    buttons = DOMAIN["responses"]["utter_article"][0]["buttons"]
    assert {"/complain", "/want_human"} <= {b["payload"] for b in buttons}
    mark = custom(messages)[0]
    assert mark["article_id"] == "klagefrist" and mark["confident"] is True
    assert mark["links"][0]["url"] == article.url
    assert mark["links"][0]["title"].startswith("Læs mere")
    phones = [kb.channels[c] for c in article.channels if kb.channels[c].phone]
    for channel in phones:
        assert {"title": f"Ring til {channel.name}: {channel.phone}",
                "url": channel.tel_url} in mark["links"]
    # the custom message comes right after the answer (the web folds it into that one)
    assert messages[1].get("custom") and len(messages) == 2
    # the related articles are buttons on the answer itself: standard clients show the quick
    # replies of a turn's last message only
    assert messages[0]["buttons"][0]["title"] == kb.article("klage-over-afgoerelse").title


def test_an_answer_is_readable_without_the_custom_message(svc, kb):
    """Standard clients (rasa-webchat) show the text only: its links are Markdown there, and
    the custom message says which Markdown repeats its links (the web app cuts it off)."""
    messages, _ = run(ActionAnswerFromKnowledge(), tracker("klagefrist", "ask_rights"))
    article = kb.article("klagefrist")
    text = render(messages[0])
    assert "](http" in text and f"({article.url})" in text
    read_more = r"^- \[Læs mere[^\]]*\]\(" + re.escape(article.url) + r"\)$"
    assert re.search(read_more, text, re.MULTILINE)
    for source in article.sources:
        assert f"({source})" in text
    for channel in (kb.channels[c] for c in article.channels if kb.channels[c].phone):
        assert f"]({channel.tel_url})" in text
    mark = custom(messages)[0]
    assert text.endswith("\n\n" + mark["markdown"])
    assert "\n\n- " in text           # a list starts after a blank line


def test_crisis_lines_are_a_markdown_list_with_tel_links(svc, kb):
    messages, _ = run(ActionCrisis(), tracker("jeg vil ikke leve mere", "crisis"))
    text = render(messages[0])
    livslinien = kb.channels["livslinien"]
    assert f"- {livslinien.name}: [{livslinien.phone}]({livslinien.tel_url})" in text
    # the list stands between blank lines, so no sentence after it joins its last item
    _intro, lines, outro = text.split("\n\n")
    assert all(line.startswith("- ") for line in lines.split("\n"))
    assert not outro.startswith("- ")


def test_related_articles_only_when_nearly_as_good(svc, kb):
    svc.related, svc.step = ("bisidder",), 0.1
    messages, _ = run(ActionAnswerFromKnowledge(), tracker("klagefrist", "ask_rights"))
    offered = [b["title"] for m in messages for b in m.get("buttons", [])]
    assert kb.article("bisidder").title not in offered          # a far runner-up: not offered
    # the article's own next steps (related: in its YAML) are
    assert [kb.article(a).title for a in kb.article("klagefrist").related[:2]] == [
        b["title"] for m in messages if m.get("response") == "utter_article"
        for b in m["buttons"]]


def test_not_confident_means_no_answer_and_people_to_ask(svc, kb):
    svc.answer = None
    messages, _ = run(ActionAnswerFromKnowledge(), tracker("hvad koster en bil", "nlu_fallback"))
    assert responses(messages) == ["utter_not_sure"]
    text = render(messages[0])
    assert kb.channels["sociale-retshjaelp"].phone in text
    assert kb.article("bisidder").summary not in text       # never the unsure guess
    mark = custom(messages)[0]
    assert mark["confident"] is False and "article_id" not in mark


def test_the_kommune_from_the_widget_goes_into_the_search(svc):
    run(ActionAnswerFromKnowledge(),
        tracker("kan jeg få kontanthjælp", "ask_rights", metadata={"kommune": "Århus"}))
    assert svc.questions == [("kan jeg få kontanthjælp", "Aarhus")]


# --- advice routing -----------------------------------------------------------------------

def test_want_human_lists_people_with_phones_and_asks_for_the_kommune(svc, kb):
    messages, _ = run(ActionAdvice(), tracker("/want_human", "want_human"))
    assert responses(messages) == ["utter_want_human", "utter_advice_ask_kommune"]
    text = render(messages[0])
    assert kb.channels["sociale-retshjaelp"].phone in text
    assert kb.channels["gadejuristen"].name in text
    links = custom(messages)[0]["links"]
    assert kb.channels["sociale-retshjaelp"].tel_url in [link["url"] for link in links]


def test_a_request_for_help_with_a_topic_puts_that_topics_advisers_first(svc, kb):
    svc.answer = "gaeldsraadgivning"
    messages, _ = run(ActionAdvice(), tracker("hvor kan jeg få hjælp til min gæld",
                                              "want_human"))
    assert svc.questions == [("hvor kan jeg få hjælp til min gæld", None)]
    assert custom(messages)[0]["article_id"] == "gaeldsraadgivning"
    first = kb.channels["forbrugerraadet-taenk"]
    assert said_by(messages, "utter_want_human").index(first.name) < \
        said_by(messages, "utter_want_human").index(kb.channels["gadejuristen"].name)


def test_a_button_press_is_not_searched(svc):
    run(ActionAdvice(), tracker("/want_human", "want_human"))
    assert svc.questions == []


def test_advice_for_a_kommune_with_local_channels(svc, kb, monkeypatch):
    local = Channel(id="odense-borgerraadgiver", name="Borgerrådgiveren i Odense", kind="klage",
                    role="borgerraadgiver",
                    for_whom="Borgere i Odense", phone="65 51 10 10", url="https://odense.dk")
    odense = replace(kb.municipalities["odense"], channels=(local,))
    kb2 = replace(kb, municipalities={**kb.municipalities, "odense": odense})
    svc.kb = kb2
    messages, events = run(ActionAdvice(), tracker("jeg bor i Odense", "inform"))
    # the kommune's own people first, then the national free advice
    assert responses(messages) == ["utter_advice", "utter_advice_more"]
    assert "Odense Kommune" in render(messages[0]) and "65 51 10 10" in render(messages[0])
    assert "Den Sociale Retshjælp" in render(messages[2])
    assert {"event": "slot", "timestamp": None, "name": "kommune", "value": "Odense"} in events


def test_inform_without_a_kommune_asks_what_they_want(svc):
    messages, _ = run(ActionAdvice(), tracker("i går", "inform"))
    assert responses(messages) == ["utter_inform"]


# --- the complaint form -------------------------------------------------------------------

def validate(slot: str, value, requested: str | None = None, slots: dict | None = None):
    t = tracker(str(value), "inform", slots={**(slots or {}), "requested_slot": requested or slot},
                extracted={slot: value})
    return run(ValidateComplaintForm(), t)


@pytest.mark.parametrize("text, stored", [
    ("i går", "2026-11-22"), ("for to uger siden", "2026-11-09"), ("3/11", "2026-11-03"),
    ("sidste mandag", "2026-11-16"), ("den 3.11.2026", "2026-11-03"), ("ved ikke", "ukendt"),
])
def test_the_date_slot_understands_danish_dates(svc, text, stored):
    messages, events = validate("complaint_date", text)
    assert messages == []
    assert {"event": "slot", "timestamp": None, "name": "complaint_date", "value": stored} in events


@pytest.mark.parametrize("text, response", [("blåbær", "utter_invalid_date"),
                                            ("3/12-2026", "utter_future_date")])
def test_the_date_slot_asks_again(svc, text, response):
    messages, events = validate("complaint_date", text)
    assert responses(messages) == [response]
    assert {"event": "slot", "timestamp": None, "name": "complaint_date", "value": None} in events


@pytest.mark.parametrize("text, stored", [("Århus", "Aarhus"), ("Københavns Kommune", "København"),
                                          ("jeg bor i kobenhavn", "København"),
                                          ("ved ikke", "ukendt")])
def test_the_kommune_slot(svc, text, stored):
    _, events = validate("kommune", text)
    assert {"event": "slot", "timestamp": None, "name": "kommune", "value": stored} in events


def test_an_unknown_kommune_is_asked_again_only_when_asked_for(svc):
    messages, _ = validate("kommune", "Narnia")
    assert responses(messages) == ["utter_invalid_kommune"]
    messages, events = validate("kommune", "Narnia", requested="complaint_date")
    assert messages == []
    assert {"event": "slot", "timestamp": None, "name": "kommune", "value": None} in events


def test_start_takes_the_kommune_from_the_widget_and_forgets_an_old_complaint(svc):
    t = tracker("jeg vil klage", "complain", slots={"complaint_about": "bolig"},
                metadata={"kommune": "aarhus"})
    _, events = run(ActionStartComplaint(), t)
    names = {(e["name"], e["value"]) for e in events}
    assert ("complaint_about", None) in names and ("kommune", "Aarhus") in names
    assert ("complaint_date", None) not in names      # was empty: not touched


def summary(svc, about="kontanthjælp", received="2026-11-09", kommune="Aarhus"):
    t = tracker("Aarhus", "inform", slots={"complaint_about": about,
                                           "complaint_date": received, "kommune": kommune})
    return run(ActionComplaintSummary(), t)


def test_summary_with_time_left(svc, kb):
    messages, _ = summary(svc)
    names = responses(messages)
    assert names[0] == "utter_complaint_deadline_ok"
    assert "mandag den 7. december 2026" in render(messages[0])
    assert "14 dage" in render(messages[0])
    where = said_by(messages, "utter_complaint_where")
    assert "Aarhus Kommune" in where and "Ankestyrelsen" in where
    assert "utter_complaint_how" in names and names[-1] == "utter_complaint_help"
    help_text = said_by(messages, "utter_complaint_help")
    assert kb.channels["sociale-retshjaelp"].phone in help_text
    assert kb.channels["gadejuristen"].name in help_text
    buttons = DOMAIN["responses"]["utter_complaint_help"][0]["buttons"]
    assert "/show_draft" in {b["payload"] for b in buttons}


@pytest.mark.parametrize("received, response", [
    ("2026-10-01", "utter_complaint_deadline_passed"),
    ("2026-10-30", "utter_complaint_deadline_close"),
    ("2026-10-27", "utter_complaint_deadline_tomorrow"),
    ("2026-10-26", "utter_complaint_deadline_today"),
    ("ukendt", "utter_complaint_deadline_unknown"),
])
def test_summary_warns_when_the_deadline_is_close_or_gone(svc, received, response):
    messages, _ = summary(svc, received=received)
    assert responses(messages)[0] == response
    if response == "utter_complaint_deadline_passed":
        text = render(messages[0])
        assert "Klag alligevel" in text and "Ankestyrelsen" in text


def test_summary_sends_boligstoette_to_udbetaling_danmark(svc, kb):
    messages, _ = summary(svc, about="de har sat min boligstøtte ned")
    where = said_by(messages, "utter_complaint_where")
    assert kb.channels["udbetaling-danmark"].name in where
    assert "Aarhus Kommune" not in where


def test_summary_names_the_borgerraadgiver_when_the_kommune_has_one(svc, kb):
    local = Channel(id="aarhus-borgerraadgiver", name="Borgerrådgiveren", kind="klage",
                    role="borgerraadgiver",
                    for_whom="Borgere i Aarhus", phone="89 40 20 00", url="https://aarhus.dk")
    aarhus = replace(kb.municipalities["aarhus"], channels=(local,))
    svc.kb = replace(kb, municipalities={**kb.municipalities, "aarhus": aarhus})
    messages, _ = summary(svc)
    texts = [render(m) for m in messages if m.get("response") == "utter_complaint_borgerraadgiver"]
    assert texts and "89 40 20 00" in texts[0] and "Aarhus Kommune" in texts[0]
    # a kommune with no borgerrådgiver in municipalities.yml gets none
    assert not [c for c in kb.municipalities["billund"].channels if c.role == "borgerraadgiver"]
    messages, _ = summary(svc, kommune="Billund")
    assert "utter_complaint_borgerraadgiver" not in responses(messages)


def test_draft_letter_is_filled_in(svc):
    t = tracker("/show_draft", "show_draft", slots={
        "complaint_about": "afslag på efterværn", "complaint_date": "2026-11-09",
        "kommune": "København"})
    messages, _ = run(ActionComplaintDraft(), t)
    text = render(messages[0])
    assert "Til Københavns Kommune" in text
    assert "afslag på efterværn" in text
    assert "mandag den 9. november 2026" in text
    assert "mandag den 7. december 2026" in text
    # Markdown (standard clients): every part a paragraph of its own, so no lines run together
    # and no "-----" turns the line above it into a heading
    parts = text.split("\n\n")
    assert "Venlig hilsen" in parts and "[dit navn]" in parts and "----------" in parts
    assert all("\n" not in part for part in parts)


def test_draft_without_a_complaint_offers_to_start_one(svc):
    messages, _ = run(ActionComplaintDraft(), tracker("/show_draft", "show_draft"))
    assert responses(messages) == ["utter_draft_missing"]


# --- words live in domain.yml -------------------------------------------------------------

def test_every_response_the_actions_use_is_in_the_domain():
    used = set()
    for path in (REPO / "actions").glob("*.py"):
        used |= set(re.findall(r"[\"'](utter_\w+)[\"']", path.read_text(encoding="utf-8")))
    missing = sorted(used - set(DOMAIN["responses"]))
    assert not missing, missing


def test_every_domain_action_runs_the_safety_net():
    """Each custom action in domain.yml is a SafeAction or the form validator (which runs the
    crisis check itself, tested above), so no action can skip the crisis check."""
    safe = {cls().name() for cls in SafeAction.__subclasses__()}
    assert set(DOMAIN["actions"]) == safe | {ValidateComplaintForm().name()}


def test_no_phone_numbers_in_python_or_domain():
    """Numbers come from channels.yml; a number typed into code would go stale silently."""
    phone = re.compile(r"(?<![-\w])(?:112|1888|116 ?111|70 ?20 ?12 ?01|70 ?22 ?93 ?30)\b")
    for path in [*(REPO / "actions").glob("*.py"), REPO / "knowledge" / "crisis.py",
                 REPO / "bot" / "domain.yml"]:
        assert not phone.search(path.read_text(encoding="utf-8")), path


def test_over_socketio_the_custom_message_is_wrapped_for_emit(svc, kb):
    """Rasa's socket.io channel emits a custom message's keys as arguments: wrap in "data"."""
    t = tracker("jeg vil ikke leve mere", "crisis")
    t.events[-1]["input_channel"] = "socketio"
    messages, _ = run(ActionCrisis(), t)
    wrapped = next(m["custom"] for m in messages if m.get("custom"))
    assert set(wrapped) == {"data"} and wrapped["data"][MARK]["crisis"] is True
    # and the once-per-turn check still sees it
    t.events.append({"event": "bot", "data": {"custom": wrapped}})
    assert run(ActionReply(), t)[0] == []
