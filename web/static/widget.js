/*
 * rettighedsbot chat widget. Embed on any page with one tag:
 *
 *   <script src="https://…/static/widget.js" data-kommune="Aarhus" defer></script>
 *
 * No framework, no build step, nothing from a CDN, no cookies. The API address is taken from
 * this script's own src, so the widget works on a council's site while the API lives here.
 * Every text from the server is put in the page with textContent, never as HTML.
 * The conversation is kept in sessionStorage: it survives a reload but not closing the tab,
 * which is what you want on a library's or a shelter's shared computer.
 */
(function () {
  "use strict";

  if (window.__rettighedsbot) return;          // the tag pasted twice: one widget
  window.__rettighedsbot = true;

  var script = document.currentScript || (function () {
    var all = document.querySelectorAll("script[src*='widget.js']");
    return all[all.length - 1];
  })();
  if (!script) return;
  var BASE = new URL(script.src, document.baseURI).href.replace(/\/static\/widget\.js([?#].*)?$/, "");
  var KOMMUNE = (script.getAttribute("data-kommune") || "").trim();
  var STORE_KEY = "rettighedsbot:" + BASE;
  var MAX_CHARS = 1000;
  var MAX_KEPT = 60;
  var TIMEOUT_MS = 10000;

  // The widget's own words (plain Danish, short sentences).
  var T = {
    open: "Spørg om dine rettigheder",
    title: "Spørg om dine rettigheder",
    close: "Luk chatten",
    restart: "Ny samtale",
    restartLabel: "Start en ny samtale og slet den her",
    privacy: "Skriv ikke dit CPR-nummer eller andre personlige oplysninger. " +
      "Samtalen slettes efter 30 dage.",
    forget: "Slet min samtale",
    forgotten: "Din samtale er slettet.",
    label: "Skriv dit spørgsmål",
    placeholder: "Skriv her …",
    send: "Send",
    typing: "Rettighedsbot skriver …",
    you: "Dig:",
    bot: "Rettighedsbot:",
    log: "Samtale",
    helpful: "Hjalp svaret?",
    yes: "Ja",
    no: "Nej",
    thanks: "Tak for dit svar.",
    newWindow: " (åbner i et nyt vindue)",
    network: "Beskeden kunne ikke sendes. Tjek din internetforbindelse, og prøv igen. " +
      "Er der fare for liv, så ring 112.",
    notAllowed: "Chatten virker ikke på denne side endnu. Det er ikke din fejl. " +
      "Er der fare for liv, så ring 112.",
    speak: "Læs op",
    welcome: "Hej! Jeg kan fortælle dig om dine rettigheder. For eksempel om at klage, " +
      "om bolig og om penge. Skriv dit spørgsmål med dine egne ord.",
    starters: ["Hvordan klager jeg?", "Jeg har ikke et sted at bo", "Jeg har brug for penge"]
  };

  // ---- state (sessionStorage, or memory if storage is blocked) ----------------------------

  var storage = null;
  try {
    storage = window.sessionStorage;
    storage.setItem(STORE_KEY + ":test", "1");
    storage.removeItem(STORE_KEY + ":test");
  } catch (e) {
    storage = null;
  }

  function newSender() {
    var bytes = new Uint8Array(16);
    (window.crypto || window.msCrypto).getRandomValues(bytes);
    return "w" + Array.prototype.map.call(bytes, function (b) {
      return ("0" + b.toString(16)).slice(-2);
    }).join("");
  }

  function load() {
    try {
      var data = storage && JSON.parse(storage.getItem(STORE_KEY) || "null");
      if (data && typeof data.sender === "string" && Array.isArray(data.messages)) return data;
    } catch (e) { /* a broken entry starts a new conversation */ }
    return { sender: newSender(), messages: [], open: false };
  }

  var state = load();

  function save() {
    state.messages = state.messages.slice(-MAX_KEPT);
    try {
      if (storage) storage.setItem(STORE_KEY, JSON.stringify(state));
    } catch (e) { /* full or blocked: the conversation just isn't kept */ }
  }

  // ---- small DOM helpers ------------------------------------------------------------------

  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (text != null) node.textContent = text;
    return node;
  }

  function srOnly(text) {
    return el("span", "rb-sr", text);
  }

  // Only http(s) and tel: links; relative links resolve against the API's site.
  function safeHref(url) {
    if (typeof url !== "string") return null;
    if (/^tel:\+?[0-9]+$/.test(url)) return url;
    try {
      var u = new URL(url, BASE + "/");
      return u.protocol === "https:" || u.protocol === "http:" ? u.href : null;
    } catch (e) {
      return null;
    }
  }

  // An article page opened from the chat shows the kommune's own channels too.
  function withKommune(href) {
    if (!KOMMUNE || href.indexOf(BASE + "/artikel/") !== 0) return href;
    var u = new URL(href);
    if (!u.searchParams.has("kommune")) u.searchParams.set("kommune", KOMMUNE);
    return u.href;
  }

  // `icon`: a phone sign before a tel: link, hidden from screen readers (not part of its name).
  function link(title, url, icon) {
    var href = safeHref(url);
    if (!href) return el("span", null, title);
    var a = el("a", "rb-link");
    a.href = withKommune(href);
    if (href.indexOf("tel:") === 0 && icon) {
      a.appendChild(el("span", "rb-tel-icon", "☎ ")).setAttribute("aria-hidden", "true");
    }
    a.appendChild(document.createTextNode(title));
    if (href.indexOf("tel:") === 0) {
      a.className += " rb-tel";
    } else {
      a.target = "_blank";
      a.rel = "noopener noreferrer";
      a.appendChild(srOnly(T.newWindow));
    }
    return a;
  }

  // In a bot's text: Markdown links ([70 201 201](tel:+4570201201), what standard Rasa clients
  // show), phone numbers (70 201 201, 12 34 56 78, +45 1234 5678, 112) and web addresses
  // become links; the rest stays text nodes.
  var LINKIFY = new RegExp(
    "\\[([^\\]\\n]+)\\]\\(([^)\\s]+)\\)" +
    "|(https?:\\/\\/[^\\s<>\"]+[^\\s<>\".,;:!?)])" +
    "|((?:\\+45[\\s\\u00a0]?)?(?:\\d{2}[\\s\\u00a0]?\\d{2}[\\s\\u00a0]?\\d{2}[\\s\\u00a0]?\\d{2}" +
    "|\\d{2}[\\s\\u00a0]\\d{3}[\\s\\u00a0]\\d{3}|\\d{4}[\\s\\u00a0]\\d{4}))(?![\\d])" +
    "|(\\b112\\b)", "g");
  var MARKDOWN_LINK = /\[([^\]\n]+)\]\(([^)\s]+)\)/g;

  function telHref(number) {
    var digits = number.replace(/\D/g, "");
    if (digits.length === 10 && digits.indexOf("45") === 0) digits = digits.slice(2);
    return digits.length === 8 ? "tel:+45" + digits : "tel:" + digits;
  }

  // The addresses a message's link list already gives (tel: numbers compared by digits).
  function linkKeys(links) {
    var keys = {};
    (links || []).forEach(function (l) { keys[linkKey(l.url)] = true; });
    return keys;
  }

  function linkKey(url) {
    url = safeHref(url) || "";
    return url.indexOf("tel:") === 0 ? telHref(url) : url;
  }

  // A line made only of links the list below already gives ("[Læs mere](…)") is left out.
  function withoutDuplicateLines(text, known) {
    return text.split("\n").filter(function (line) {
      var links = line.match(MARKDOWN_LINK);
      if (!links) return true;
      var allKnown = links.every(function (md) { return known[linkKey(md.replace(MARKDOWN_LINK, "$2"))]; });
      return !(allKnown && !/[\w\u00c0-\u024f]/.test(line.replace(MARKDOWN_LINK, "")));
    }).join("\n");
  }

  // `known`: addresses already in the message's link list. Those stay text here, so a crisis
  // reply has one link to 112, not one in each line that names it.
  function linkify(text, parent, known) {
    known = known || {};
    var last = 0;
    var match;
    LINKIFY.lastIndex = 0;
    while ((match = LINKIFY.exec(text)) !== null) {
      var before = text.charAt(match.index - 1);
      if (match[4] && /[\d.,\/-]/.test(before)) continue;       // part of a longer number
      if (match.index > last) parent.appendChild(document.createTextNode(text.slice(last, match.index)));
      parent.appendChild(textLink(match, known));
      last = match.index + match[0].length;
    }
    if (last < text.length) parent.appendChild(document.createTextNode(text.slice(last)));
  }

  function textLink(match, known) {
    var shown = match[1] || match[0];
    var url = match[1] ? match[2] : match[3] ? match[3] : telHref(match[0]);
    if (known[linkKey(url)] || !safeHref(url)) return document.createTextNode(shown);
    return link(shown, url);
  }

  // ---- the widget's elements --------------------------------------------------------------

  var root = el("div", "rb-root");
  root.lang = "da";
  root.hidden = true;                       // shown when its stylesheet has loaded

  var launcher = el("button", "rb-launcher");
  launcher.type = "button";
  launcher.setAttribute("aria-expanded", "false");
  launcher.setAttribute("aria-controls", "rb-panel");
  launcher.appendChild(el("span", "rb-launcher-icon")).setAttribute("aria-hidden", "true");
  launcher.appendChild(el("span", "rb-launcher-text", T.open));

  var panel = el("div", "rb-panel");            // a div: host sites often style <section>
  panel.id = "rb-panel";
  panel.hidden = true;
  panel.setAttribute("role", "dialog");
  panel.setAttribute("aria-modal", "false");
  panel.setAttribute("aria-labelledby", "rb-title");

  var header = el("div", "rb-header");
  var title = el("h2", "rb-title", T.title);
  title.id = "rb-title";
  var restart = el("button", "rb-restart", T.restart);
  restart.type = "button";
  restart.setAttribute("aria-label", T.restartLabel);
  var closeButton = el("button", "rb-close");
  closeButton.type = "button";
  closeButton.setAttribute("aria-label", T.close);
  closeButton.appendChild(el("span", null, "×")).setAttribute("aria-hidden", "true");
  header.appendChild(title);
  header.appendChild(restart);
  header.appendChild(closeButton);

  var privacy = el("p", "rb-privacy", T.privacy);
  privacy.id = "rb-privacy";
  var forget = el("button", "rb-forget", T.forget);
  forget.type = "button";
  privacy.appendChild(document.createTextNode(" "));
  privacy.appendChild(forget);

  var log = el("div", "rb-log");
  log.setAttribute("role", "log");
  log.setAttribute("aria-live", "polite");
  log.setAttribute("aria-relevant", "additions");
  log.setAttribute("aria-label", T.log);
  log.tabIndex = 0;                         // scrollable with the keyboard

  var typing = el("div", "rb-typing");
  typing.setAttribute("role", "status");
  var typingText = el("span", "rb-typing-text");
  typing.appendChild(typingText);

  var form = el("form", "rb-form");
  form.noValidate = true;
  var label = el("label", "rb-label", T.label);
  label.htmlFor = "rb-input";
  var input = el("textarea", "rb-input");
  input.id = "rb-input";
  input.name = "message";
  input.rows = 2;
  input.maxLength = MAX_CHARS;
  input.placeholder = T.placeholder;
  input.autocomplete = "off";
  input.setAttribute("aria-describedby", "rb-privacy");
  var send = el("button", "rb-send", T.send);
  send.type = "submit";
  var row = el("div", "rb-row");
  row.appendChild(input);
  row.appendChild(send);
  form.appendChild(label);
  form.appendChild(row);

  panel.appendChild(header);
  panel.appendChild(privacy);
  panel.appendChild(log);
  panel.appendChild(typing);
  panel.appendChild(form);
  root.appendChild(launcher);
  root.appendChild(panel);

  // ---- reading aloud ("Læs op") ------------------------------------------------------------
  // The browser's own speech synthesis, in Danish; nothing is sent anywhere. The buttons are
  // shown only while the browser has a Danish voice (voices often arrive late: voiceschanged).

  var speech = { voice: null, button: null };

  function danishVoice() {
    var synth = window.speechSynthesis;
    if (!synth || !window.SpeechSynthesisUtterance) return null;
    var voices = synth.getVoices() || [];
    for (var i = 0; i < voices.length; i++) {
      if (/^da([-_]|$)/i.test(voices[i].lang || "")) return voices[i];
    }
    return null;
  }

  function updateVoices() {
    speech.voice = danishVoice();
    root.classList.toggle("rb-can-speak", !!speech.voice);
  }

  function watchVoices() {
    var synth = window.speechSynthesis;
    if (!synth) return;
    if (synth.addEventListener) synth.addEventListener("voiceschanged", updateVoices);
    else synth.onvoiceschanged = updateVoices;
    updateVoices();
  }

  function stopSpeaking() {
    if (window.speechSynthesis && speech.button) window.speechSynthesis.cancel();
    speech.button = null;
  }

  // Pressed again while it reads, it stops.
  function speakText(text, button) {
    var again = speech.button === button && window.speechSynthesis.speaking;
    stopSpeaking();
    if (again || !speech.voice) return;
    var utterance = new window.SpeechSynthesisUtterance(text);
    utterance.lang = "da-DK";
    utterance.voice = speech.voice;
    utterance.onend = function () { if (speech.button === button) speech.button = null; };
    speech.button = button;
    window.speechSynthesis.speak(utterance);
  }

  function renderSpeak(textNode) {
    var button = el("button", "rb-speak", T.speak);
    button.type = "button";
    button.addEventListener("click", function () { speakText(textNode.textContent, button); });
    return button;
  }

  // ---- rendering messages -----------------------------------------------------------------

  function scrollDown() {
    log.scrollTop = log.scrollHeight;
  }

  // Scroll so a new answer is read from its start (a crisis answer's first line matters most),
  // or to the bottom if the whole answer fits.
  function showLast(count) {
    scrollDown();
    var nodes = log.querySelectorAll(".rb-msg");
    var first = count > 0 ? nodes[nodes.length - count] : null;
    if (!first) return;
    var offset = first.getBoundingClientRect().top - log.getBoundingClientRect().top;
    if (offset < 0) log.scrollTop += offset - 8;
  }

  // Buttons answer only the newest message. Focus in one of them (a quick reply pressed with
  // the keyboard) goes to the input first, so it does not fall to <body>.
  function removeQuickReplies() {
    if (log.contains(document.activeElement)) input.focus();
    var old = log.querySelectorAll(".rb-quick, .rb-lead");
    for (var i = 0; i < old.length; i++) old[i].parentNode.removeChild(old[i]);
  }

  function renderUser(msg) {
    var node = el("div", "rb-msg rb-user");
    node.appendChild(srOnly(T.you + " "));
    node.appendChild(el("span", "rb-text", msg.text));
    log.appendChild(node);
  }

  // A bubble whose text only leads in to its buttons ("Måske kan du også bruge:") goes when
  // its buttons go: left alone it would dangle.
  function isLead(msg) {
    return !!(msg.buttons && msg.buttons.length && !(msg.links && msg.links.length) &&
      !msg.article_id && /:\s*$/.test(msg.text || ""));
  }

  function renderBot(msg, index, withButtons) {
    if (msg.lead && !withButtons) return;
    var node = el("div", "rb-msg rb-bot" + (msg.notice ? " rb-notice" : "") + (msg.lead ? " rb-lead" : ""));
    node.appendChild(srOnly(T.bot + " "));
    if (msg.text) {
      var text = el("div", "rb-text");
      linkify(withoutDuplicateLines(msg.text, linkKeys(msg.links)), text, linkKeys(msg.links));
      node.appendChild(text);
      node.appendChild(renderSpeak(text));
    }
    if (msg.links && msg.links.length) node.appendChild(renderLinks(msg.links));
    if (withButtons && msg.buttons && msg.buttons.length) node.appendChild(renderQuick(msg.buttons));
    if (msg.article_id) node.appendChild(renderFeedback(msg, index));
    log.appendChild(node);
  }

  function renderLinks(links) {
    var list = el("ul", "rb-links");
    links.forEach(function (l) {
      var item = el("li");
      item.appendChild(link(String(l.title), l.url, true));
      list.appendChild(item);
    });
    return list;
  }

  function renderQuick(buttons) {
    var quick = el("div", "rb-quick");
    buttons.forEach(function (b) {
      var button = el("button", "rb-quick-button", String(b.title));
      button.type = "button";
      button.addEventListener("click", function () {
        ask(String(b.title), typeof b.payload === "string" ? b.payload : String(b.title));
      });
      quick.appendChild(button);
    });
    return quick;
  }

  function renderFeedback(msg, index) {
    var box = el("div", "rb-feedback");
    if (msg.feedback) {
      box.appendChild(el("span", "rb-thanks", T.thanks));
      return box;
    }
    box.setAttribute("role", "group");
    var question = el("span", "rb-feedback-q", T.helpful);
    question.id = "rb-fb-" + index;
    box.setAttribute("aria-labelledby", question.id);
    box.appendChild(question);
    [[T.yes, true], [T.no, false]].forEach(function (pair) {
      var button = el("button", "rb-fb-button", pair[0]);
      button.type = "button";
      button.addEventListener("click", function () {
        msg.feedback = pair[1] ? "yes" : "no";
        save();
        sendFeedback(msg.article_id, pair[1], msg.query);
        var thanks = el("span", "rb-thanks", T.thanks);
        thanks.tabIndex = -1;
        box.textContent = "";
        box.removeAttribute("role");
        box.appendChild(thanks);
        thanks.focus();                      // the pressed button is gone; keep focus here
      });
      box.appendChild(button);
    });
    return box;
  }

  function lastUserIndex() {
    var lastUser = -1;
    state.messages.forEach(function (m, i) { if (m.from === "user") lastUser = i; });
    return lastUser;
  }

  function renderAll() {
    log.textContent = "";
    var lastUser = lastUserIndex();
    state.messages.forEach(function (m, i) {
      if (m.from === "user") renderUser(m);
      else renderBot(m, i, i > lastUser);
    });
  }

  // After a reload or reopening: the latest answer, read from its start.
  function showLatestAnswer() {
    var count = 0;
    var nodes = log.querySelectorAll(".rb-msg");
    for (var i = nodes.length - 1; i >= 0 && !/\brb-user\b/.test(nodes[i].className); i--) count++;
    showLast(count);
  }

  function addBot(msg) {
    msg.lead = isLead(msg);
    state.messages.push(msg);
    renderBot(msg, state.messages.length - 1, true);
  }

  function welcome() {
    if (state.messages.length) return;
    addBot({
      from: "bot",
      text: T.welcome,
      buttons: T.starters.map(function (s) { return { title: s, payload: s }; }),
      links: []
    });
    save();
  }

  // ---- talking to the server --------------------------------------------------------------

  var busy = false;

  function setTyping(on) {
    typing.classList.toggle("rb-on", on);
    typingText.textContent = on ? T.typing : "";
  }

  function post(path, body) {
    var controller = window.AbortController ? new AbortController() : null;
    var timer = controller && setTimeout(function () { controller.abort(); }, TIMEOUT_MS);
    return fetch(BASE + path, {
      method: "POST",
      mode: "cors",
      credentials: "omit",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify(body),
      signal: controller ? controller.signal : undefined
    }).then(function (response) {
      if (timer) clearTimeout(timer);
      return response.json().catch(function () { return {}; }).then(function (data) {
        return { ok: response.ok, status: response.status, data: data };
      });
    }, function (error) {
      if (timer) clearTimeout(timer);
      throw error;
    });
  }

  function ask(shown, message) {
    message = (message || "").trim();
    if (!message || busy) return;
    busy = true;
    removeQuickReplies();
    var user = { from: "user", text: shown.trim() || message };
    state.messages.push(user);
    renderUser(user);
    save();
    scrollDown();
    setTyping(true);
    var body = { sender: state.sender, message: message.slice(0, MAX_CHARS) };
    if (KOMMUNE) body.kommune = KOMMUNE;
    var firstNew = state.messages.length;      // the answer's messages start here
    post("/api/chat", body).then(function (result) {
      if (result.ok && result.data && Array.isArray(result.data.messages)) {
        result.data.messages.forEach(function (m) {
          addBot({
            from: "bot",
            text: typeof m.text === "string" ? m.text : "",
            buttons: Array.isArray(m.buttons) ? m.buttons : [],
            links: Array.isArray(m.links) ? m.links : [],
            article_id: typeof m.article_id === "string" ? m.article_id : null,
            query: m.article_id ? user.text : null     // the words, not a button's payload
          });
        });
      } else {
        var text = result.data && typeof result.data.error === "string" ? result.data.error : T.network;
        addNotice(text);
      }
    }).catch(function () {
      return originRefused().then(function (refused) {
        if (refused) hintWebEditor();
        addNotice(refused ? T.notAllowed : T.network);
      });
    }).then(function () {
      var added = state.messages.length - firstNew;
      busy = false;
      setTyping(false);
      save();
      showLast(added);
    });
  }

  function addNotice(text) {
    addBot({ from: "bot", text: text, notice: true, links: [], buttons: [] });
  }

  // To a script, a request the server's CORS_ORIGINS refuses looks like a network error. Ask
  // the server (an address any page may read) whether this page's origin is on its list.
  function originRefused() {
    if (new URL(BASE).origin === window.location.origin) return Promise.resolve(false);
    return fetch(BASE + "/api/origin", { mode: "cors", credentials: "omit", cache: "no-store" })
      .then(function (r) { return r.json(); })
      .then(function (d) { return !!d && d.allowed === false; }, function () { return false; });
  }

  var hinted = false;

  // For the council's web editor, who opens the console when the chat does not work.
  function hintWebEditor() {
    if (hinted || !window.console) return;
    hinted = true;
    var origin = window.location.origin;
    console.error("rettighedsbot: serveren " + BASE + " tillader ikke chatten på " + origin +
      ". Tilføj " + origin + " til CORS_ORIGINS på serveren (kommasepareret), og genstart " +
      "web-appen. Se README, afsnittet \"For web editors\".");
  }

  function sendFeedback(articleId, helpful, query) {
    var body = { article_id: articleId, helpful: helpful };
    if (query) body.query = query;
    if (KOMMUNE) body.kommune = KOMMUNE;      // counted per kommune in the council's report
    post("/api/feedback", body).catch(function () { /* feedback is best effort */ });
  }

  // ---- opening, closing, keys -------------------------------------------------------------

  function open(focus) {
    panel.hidden = false;
    launcher.hidden = true;
    launcher.setAttribute("aria-expanded", "true");
    state.open = true;
    welcome();
    save();
    showLatestAnswer();
    if (focus) input.focus();
  }

  function close() {
    panel.hidden = true;
    launcher.hidden = false;
    launcher.setAttribute("aria-expanded", "false");
    state.open = false;
    save();
    stopSpeaking();
    launcher.focus();
  }

  launcher.addEventListener("click", function () { open(true); });
  closeButton.addEventListener("click", close);
  // "Ny samtale" and "Slet min samtale" both delete the conversation on the server (its
  // tracker events) and here; the server keeps nothing that links back to it.
  function forgetConversation(then) {
    var old = state.sender;
    stopSpeaking();
    post("/api/conversation/delete", { sender: old }).catch(function () { return null; });
    state = { sender: newSender(), messages: [], open: true };
    log.textContent = "";
    save();
    then();
    input.focus();
  }
  restart.addEventListener("click", function () { forgetConversation(welcome); });
  forget.addEventListener("click", function () {
    forgetConversation(function () {
      var note = { from: "bot", text: T.forgotten };
      state.messages.push(note);
      renderBot(note);
      save();
    });
  });
  panel.addEventListener("keydown", function (event) {
    if (event.key === "Escape" || event.key === "Esc") {
      event.preventDefault();
      close();
    }
  });
  input.addEventListener("keydown", function (event) {
    // Enter sends, Shift+Enter makes a new line; not while an IME is composing a word.
    if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
      event.preventDefault();
      form.requestSubmit ? form.requestSubmit() : submit();
    }
  });
  form.addEventListener("submit", function (event) {
    event.preventDefault();
    submit();
  });

  function submit() {
    var text = input.value.trim();
    if (!text || busy) return;
    input.value = "";
    ask(text, text);
    input.focus();
  }

  // ---- start ------------------------------------------------------------------------------

  function start() {
    var css = document.createElement("link");
    css.rel = "stylesheet";
    css.href = BASE + "/static/widget.css";
    var shown = false;
    function show() {
      if (shown) return;
      shown = true;
      root.hidden = false;
      if (state.open) showLatestAnswer();     // only now has the log a height to scroll
    }
    css.addEventListener("load", show);
    css.addEventListener("error", show);
    setTimeout(show, 3000);
    (document.head || document.documentElement).appendChild(css);
    document.body.appendChild(root);
    watchVoices();
    renderAll();
    if (state.open) open(false);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
