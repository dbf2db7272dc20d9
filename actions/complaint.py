"""Complaint routing: the complaint form, its summary (deadline, where to send it, rights,
free help) and a draft letter. The date maths and the rules live in knowledge/complaint.py."""
from __future__ import annotations

from datetime import date

from rasa_sdk import Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.forms import FormValidationAction

from knowledge.complaint import (
    authority_for,
    deadline_for,
    help_channels,
    is_dont_know,
    parse_date,
)
from knowledge.dates import danish_date_with_weekday
from knowledge.municipalities import channels_with_role
from knowledge.municipalities import official_name as official_kommune_name

from .common import (
    UNKNOWN,
    SafeAction,
    article_link,
    channel_lines,
    channel_links,
    crisis_first,
    links_text,
    metadata,
    municipality,
    phrase,
    send_custom,
    service,
)
from .stopping import meant_as_stop

FORM_SLOTS = ("complaint_about", "complaint_date", "kommune")
FORM_STOPPED = "utter_form_stopped"
MAX_ABOUT = 200
DEADLINE_RESPONSES = {
    "ok": "utter_complaint_deadline_ok",
    "close": "utter_complaint_deadline_close",
    "tomorrow": "utter_complaint_deadline_tomorrow",
    "today": "utter_complaint_deadline_today",
    "passed": "utter_complaint_deadline_passed",
}
# Articles to link from the summary, when the knowledge base has them.
SUMMARY_ARTICLES = ("klage-over-afgoerelse", "klagefrist", "bisidder", "aktindsigt")


def today() -> date:
    """The date the deadline is counted against (a function, so tests can set it)."""
    return date.today()


def received_date(tracker: Tracker) -> date | None:
    value = tracker.get_slot("complaint_date")
    if not value or value == UNKNOWN:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        return parse_date(value, today())


def authority_name(domain: dict, kb, about: str | None, place) -> tuple[str, object | None]:
    """Who decided, so who gets the complaint: (name to show, its Channel if national)."""
    authority = authority_for(about)
    if authority != "kommunen" and authority in kb.channels:
        return kb.channels[authority].name, kb.channels[authority]
    if place is not None:
        return official_kommune_name(place.name), None
    return phrase(domain, "utter_fmt_your_kommune"), kb.channels.get("kommunen")


class ActionStartComplaint(SafeAction):
    """Before the form: forget an earlier complaint's answers, and take the kommune from the
    widget (data-kommune) if the citizen has not named one."""

    def name(self) -> str:
        return "action_start_complaint"

    async def act(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: dict) -> list[dict]:
        # Only slots that hold something are cleared: a SlotSet(None) would be "validated"
        # by the form like an answer.
        events = [SlotSet(slot, None) for slot in ("complaint_about", "complaint_date")
                  if tracker.get_slot(slot) is not None]
        if not tracker.get_slot("kommune") and metadata(tracker).get("kommune"):
            place = service().kb.resolver.find(str(metadata(tracker)["kommune"]))
            if place:
                events.append(SlotSet("kommune", place.name))
        return events


def form_ended() -> list[dict]:
    """The form ends with no answers kept, so action_complaint_summary, which follows, says
    nothing more (after the crisis lines, or "vi stopper med klagen")."""
    return [SlotSet("complaint_about", None), SlotSet("complaint_date", None),
            SlotSet("requested_slot", None)]


class ValidateComplaintForm(FormValidationAction):
    def name(self) -> str:
        return "validate_complaint_form"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: dict) -> list[dict]:
        # The safety net comes first here too. A crisis ends the form: the lines go out now
        # (and action_complaint_summary, which follows, sees they were sent and stays quiet).
        if crisis_first(dispatcher, tracker, domain):
            return form_ended()
        # possible only (by meaning): the lines went out, and the form goes on
        if meant_as_stop(tracker.latest_message or {}):
            # The form takes stop-like messages as answers (bot/domain.yml), so that a typo
            # the NLU reads as `stop` ("klagefirst") is an answer and only a real stop ends it.
            dispatcher.utter_message(response=FORM_STOPPED)
            return form_ended()
        return await super().run(dispatcher, tracker, domain)

    def validate_complaint_about(self, value, dispatcher, tracker, domain) -> dict:
        if value is None:
            return {"complaint_about": None}
        text = " ".join(str(value).split())
        if len(text) < 2:
            return {"complaint_about": None}
        return {"complaint_about": text[:MAX_ABOUT]}

    def validate_complaint_date(self, value, dispatcher, tracker, domain) -> dict:
        if value is None:
            return {"complaint_date": None}
        text = str(value)
        if is_dont_know(text):
            return {"complaint_date": UNKNOWN}
        found = parse_date(text, today())
        if found is None:
            dispatcher.utter_message(response="utter_invalid_date")
            return {"complaint_date": None}
        if found > today():
            dispatcher.utter_message(response="utter_future_date")
            return {"complaint_date": None}
        return {"complaint_date": found.isoformat()}

    def validate_kommune(self, value, dispatcher, tracker, domain) -> dict:
        if value is None:
            return {"kommune": None}
        asked = tracker.get_slot("requested_slot") == "kommune"
        text = str(value)
        if asked and is_dont_know(text):
            return {"kommune": UNKNOWN}
        place = service().kb.resolver.find(text)
        if place is None:
            if asked:
                dispatcher.utter_message(response="utter_invalid_kommune")
            return {"kommune": None}
        return {"kommune": place.name}


class ActionComplaintSummary(SafeAction):
    """After the form: the deadline, where to send the complaint, rights, and free help."""

    def name(self) -> str:
        return "action_complaint_summary"

    async def act(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: dict) -> list[dict]:
        about = tracker.get_slot("complaint_about")
        if not about and not tracker.get_slot("complaint_date"):
            return []       # the form ended without answers (left or interrupted)
        kb = service().kb
        place = municipality(tracker, kb)
        authority, authority_channel = authority_name(domain, kb, about, place)

        received = received_date(tracker)
        if received is None:
            dispatcher.utter_message(response="utter_complaint_deadline_unknown")
        else:
            d = deadline_for(received, today())
            dispatcher.utter_message(response=DEADLINE_RESPONSES[d.status],
                                     deadline=danish_date_with_weekday(d.deadline),
                                     days_left=d.days_left)
            if d.extended_to and d.status != "passed":
                dispatcher.utter_message(response="utter_complaint_deadline_weekend",
                                         deadline=danish_date_with_weekday(d.deadline),
                                         extended=danish_date_with_weekday(d.extended_to))

        dispatcher.utter_message(response="utter_complaint_where", authority=authority)
        articles = [kb.article(a) for a in SUMMARY_ARTICLES if kb.article(a)]
        links = [article_link(domain, a) for a in articles]
        if authority_channel is not None:
            links += channel_links(domain, [authority_channel])
        more = links_text(links)
        dispatcher.utter_message(response="utter_complaint_how", more=more)
        send_custom(dispatcher, tracker, links, article_id=articles[0].id if articles else None,
                    markdown=more)

        advisers = channels_with_role(place, "borgerraadgiver")
        if advisers:
            dispatcher.utter_message(response="utter_complaint_borgerraadgiver",
                                     kommune=official_kommune_name(place.name),
                                     lines=channel_lines(domain, advisers))
            send_custom(dispatcher, tracker, channel_links(domain, advisers))

        helpers = help_channels(kb, kb.article("klage-over-afgoerelse"))
        dispatcher.utter_message(response="utter_complaint_help",
                                 lines=channel_lines(domain, helpers))
        send_custom(dispatcher, tracker, channel_links(domain, helpers))
        return []


class ActionComplaintDraft(SafeAction):
    """A plain-text complaint letter, filled with what the citizen told the form."""

    def name(self) -> str:
        return "action_complaint_draft"

    async def act(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: dict) -> list[dict]:
        about = tracker.get_slot("complaint_about")
        if not about:
            dispatcher.utter_message(response="utter_draft_missing")
            return []
        kb = service().kb
        place = municipality(tracker, kb)
        authority, _ = authority_name(domain, kb, about, place)
        received = received_date(tracker)
        if received is None:
            received_text = phrase(domain, "utter_fmt_date_unknown")
            deadline_text = phrase(domain, "utter_fmt_deadline_unknown")
        else:
            d = deadline_for(received, today())
            received_text = danish_date_with_weekday(received)
            deadline_text = danish_date_with_weekday(d.extended_to or d.deadline)
        dispatcher.utter_message(response="utter_complaint_draft", authority=authority,
                                 about=about, received=received_text, deadline=deadline_text)
        return []
