"""Every sentence the web app itself says (CONTRIBUTING.md: "Where words live").

Only the web app's own words live here: the fallback when Rasa cannot answer and the API's
error messages. Channel names and phone numbers come from knowledge/channels.yml, article text
from knowledge/articles/*.yml, the bot's phrases from bot/domain.yml. Plain Danish, short
sentences, "du" form: many readers have low literacy or Danish as a second language.
"""

# Rasa or the action server is down, slow or answered with nothing usable.
FALLBACK = (
    "Undskyld, jeg kan ikke svare lige nu. Prøv igen om lidt.\n"
    "Du kan også få hjælp fra et menneske. Her er nogle steder, du kan ringe eller skrive til."
)
FALLBACK_CRISIS_TITLE = "Har du brug for hjælp nu? Du kan ringe døgnet rundt:"
# Said before the crisis lines when the message sounds like a crisis (knowledge.crisis).
CRISIS_FIRST = (
    "Det lyder som om, du har det svært lige nu. Du er ikke alene. "
    "Ring til en af dem her. De lytter, og det er gratis."
)
EMERGENCY = "Er der fare for liv, så ring 112."
# Rasa answered, but with no message at all.
EMPTY_ANSWER = (
    "Jeg forstod ikke helt dit spørgsmål. Prøv at skrive det med andre ord. "
    "Du kan også spørge et menneske hos et af de her steder."
)
CHANNEL_LINK = "{name}: {phone}"   # a phone link's title, e.g. "Livslinien: 70 201 201"

# /api/* errors. The widget shows `error` to the citizen, so these are plain Danish too.
ERR_JSON_TYPE = "Send data som JSON (Content-Type: application/json)."
ERR_JSON = "Beskeden kunne ikke læses. Send et JSON-objekt."
ERR_MISSING = "Feltet mangler."
ERR_EMPTY = "Skriv en besked."
ERR_TYPE_STR = "Feltet skal være tekst."
ERR_TYPE_BOOL = "Feltet skal være true eller false."
ERR_TOO_LONG = "Beskeden er for lang. Skriv højst {limit} tegn."
ERR_CONTROL = "Beskeden indeholder tegn, der ikke er tilladt."
ERR_SENDER = "Ugyldigt afsender-id."
ERR_KOMMUNE = "Ugyldigt kommunenavn."
ERR_UNKNOWN_KOMMUNE = "Kommunen findes ikke."
ERR_ARTICLE = "Artiklen findes ikke."
ERR_K = "k skal være et tal fra 1 til {limit}."
ERR_BUSY = "Vent, til du har fået svar på din sidste besked."
ERR_RATE = "Du har sendt mange beskeder på kort tid. Vent lidt, og prøv igen."
ERR_TOO_LARGE = "Beskeden er for stor."
ERR_ORIGIN = "Siden må ikke bruge denne chat."
ERR_NOT_FOUND = "Findes ikke."
ERR_METHOD = "Metoden er ikke tilladt."
ERR_AUTH = "Log ind med en gyldig nøgle (Authorization: Bearer …)."
ERR_FORBIDDEN = "Nøglen er forkert."
ERR_KNOWLEDGE = "Vidensbasen er ikke klar endnu. Prøv igen om lidt."
ERR_SERVER = "Der skete en fejl. Prøv igen om lidt."
# The councils' report page (/rapport): its filters.
ERR_REPORT_DATE = "»{text}« er ikke en dato. Skriv den som 2026-11-30."
ERR_REPORT_PERIOD = "Fra-datoen ligger efter til-datoen."
