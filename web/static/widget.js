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

  function link(title, url) {
    var href = safeHref(url);
    if (!href) return el("span", null, title);
    var a = el("a", "rb-link", title);
    a.href = href;
    if (href.indexOf("tel:") === 0) {
      a.className += " rb-tel";
    } else {
      a.target = "_blank";
      a.rel = "noopener noreferrer";
      a.appendChild(srOnly(T.newWindow));
    }
    return a;
  }

  // Phone numbers (70 201 201, 12 34 56 78, +45 1234 5678, 112) and web addresses in a text
  // become links; the rest stays text nodes.
  var LINKIFY = new RegExp(
    "(https?:\\/\\/[^\\s<>\"]+[^\\s<>\".,;:!?)])" +
    "|((?:\\+45[\\s\\u00a0]?)?(?:\\d{2}[\\s\\u00a0]?\\d{2}[\\s\\u00a0]?\\d{2}[\\s\\u00a0]?\\d{2}" +
    "|\\d{2}[\\s\\u00a0]\\d{3}[\\s\\u00a0]\\d{3}|\\d{4}[\\s\\u00a0]\\d{4}))(?![\\d])" +
    "|(\\b112\\b)", "g");

  function telHref(number) {
    var digits = number.replace(/\D/g, "");
    if (digits.length === 10 && digits.indexOf("45") === 0) digits = digits.slice(2);
    return digits.length === 8 ? "tel:+45" + digits : "tel:" + digits;
  }

  function linkify(text, parent) {
    var last = 0;
    var match;
    LINKIFY.lastIndex = 0;
    while ((match = LINKIFY.exec(text)) !== null) {
      var before = text.charAt(match.index - 1);
      if (match[2] && /[\d.,\/-]/.test(before)) continue;       // part of a longer number
      if (match.index > last) parent.appendChild(document.createTextNode(text.slice(last, match.index)));
      if (match[1]) {
        parent.appendChild(link(match[1], match[1]));
      } else {
        parent.appendChild(link(match[0], telHref(match[0])));
      }
      last = match.index + match[0].length;
    }
    if (last < text.length) parent.appendChild(document.createTextNode(text.slice(last)));
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

  function removeQuickReplies() {
    var old = log.querySelectorAll(".rb-quick");
    for (var i = 0; i < old.length; i++) old[i].parentNode.removeChild(old[i]);
  }

  function renderUser(msg) {
    var node = el("div", "rb-msg rb-user");
    node.appendChild(srOnly(T.you + " "));
    node.appendChild(el("span", "rb-text", msg.text));
    log.appendChild(node);
  }

  function renderBot(msg, index, withButtons) {
    var node = el("div", "rb-msg rb-bot" + (msg.notice ? " rb-notice" : ""));
    node.appendChild(srOnly(T.bot + " "));
    if (msg.text) {
      var text = el("div", "rb-text");
      linkify(msg.text, text);
      node.appendChild(text);
    }
    if (msg.links && msg.links.length) {
      var list = el("ul", "rb-links");
      msg.links.forEach(function (l) {
        var item = el("li");
        item.appendChild(link(String(l.title), l.url));
        list.appendChild(item);
      });
      node.appendChild(list);
    }
    if (withButtons && msg.buttons && msg.buttons.length) {
      var quick = el("div", "rb-quick");
      msg.buttons.forEach(function (b) {
        var button = el("button", "rb-quick-button", String(b.title));
        button.type = "button";
        button.addEventListener("click", function () {
          ask(String(b.title), typeof b.payload === "string" ? b.payload : String(b.title));
        });
        quick.appendChild(button);
      });
      node.appendChild(quick);
    }
    if (msg.article_id) node.appendChild(renderFeedback(msg, index));
    log.appendChild(node);
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

  function renderAll() {
    log.textContent = "";
    var lastUser = -1;
    state.messages.forEach(function (m, i) { if (m.from === "user") lastUser = i; });
    state.messages.forEach(function (m, i) {
      if (m.from === "user") renderUser(m);
      else renderBot(m, i, i > lastUser);
    });
    scrollDown();
  }

  function addBot(msg) {
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
        addBot({ from: "bot", text: text, notice: true, links: [], buttons: [] });
      }
    }).catch(function () {
      addBot({ from: "bot", text: T.network, notice: true, links: [], buttons: [] });
    }).then(function () {
      var added = state.messages.length - firstNew;
      busy = false;
      setTyping(false);
      save();
      showLast(added);
    });
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
    scrollDown();
    if (focus) input.focus();
  }

  function close() {
    panel.hidden = true;
    launcher.hidden = false;
    launcher.setAttribute("aria-expanded", "false");
    state.open = false;
    save();
    launcher.focus();
  }

  launcher.addEventListener("click", function () { open(true); });
  closeButton.addEventListener("click", close);
  // "Ny samtale" and "Slet min samtale" both delete the conversation on the server (its
  // tracker events) and here; the server keeps nothing that links back to it.
  function forgetConversation(then) {
    var old = state.sender;
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
    }
    css.addEventListener("load", show);
    css.addEventListener("error", show);
    setTimeout(show, 3000);
    (document.head || document.documentElement).appendChild(css);
    document.body.appendChild(root);
    renderAll();
    if (state.open) open(false);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
