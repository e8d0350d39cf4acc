/* Leerwijzer web chat widget. Embed with one tag:
 *   <script src="https://HOST/webhooks/webchat/static/widget.js" data-lang="nl" defer></script>
 * Options (data- attributes): data-lang="nl|en", data-open="true" (start opened),
 * data-inline="true" (fill the page instead of a floating panel).
 * The conversation id and transcript live in this browser's localStorage, so a reload
 * continues the same conversation. Everything the bot or user wrote is inserted as text,
 * never as HTML.
 */
(function () {
  "use strict";
  var script = document.currentScript;
  var base = new URL(script.src).href.replace(/\/static\/widget\.js.*$/, "");
  var origin = new URL(script.src).origin;
  var opts = script.dataset || {};
  var STORE = "leerwijzer.webchat";
  var TEXTS = {
    nl: {
      open: "Chat met Leerwijzer", close: "Chat sluiten", title: "Leerwijzer",
      subtitle: "Hulp bij leren en werken", label: "Typ je bericht", send: "Versturen",
      you: "Jij", bot: "Leerwijzer", offline: "Geen verbinding. We proberen het opnieuw.",
      online: "Verbonden", log: "Gesprek", start: "Hoi"
    },
    en: {
      open: "Chat with Leerwijzer", close: "Close chat", title: "Leerwijzer",
      subtitle: "Help with learning and work", label: "Type your message", send: "Send",
      you: "You", bot: "Leerwijzer", offline: "No connection. We will try again.",
      online: "Connected", log: "Conversation", start: "Hello"
    }
  };
  // Interface language: the tag's data-lang, else the page's lang, else the browser's.
  var wanted = opts.lang || document.documentElement.lang || navigator.language || "nl";
  var lang = wanted.slice(0, 2).toLowerCase() === "en" ? "en" : "nl";
  var t = TEXTS[lang];
  var state = load();

  // One <script> tag is enough: fetch the bundled socket.io client when the page has none.
  if (window.io) { start(); } else {
    var loader = document.createElement("script");
    loader.src = base + "/static/vendor/socket.io.min.js";
    loader.onload = start;
    document.head.appendChild(loader);
  }

  function load() {
    try { return JSON.parse(localStorage.getItem(STORE)) || {}; } catch (e) { return {}; }
  }
  function save() {
    try { localStorage.setItem(STORE, JSON.stringify(state)); } catch (e) { /* private mode */ }
  }
  function newId() {
    var a = new Uint8Array(16); crypto.getRandomValues(a);
    return Array.prototype.map.call(a, function (b) { return ("0" + b.toString(16)).slice(-2); }).join("");
  }
  function el(tag, attrs, text) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) { node.setAttribute(k, attrs[k]); });
    if (text !== undefined) node.textContent = text;
    return node;
  }

  function start() {
  state.messages = state.messages || [];
  var css = el("link", { rel: "stylesheet", href: base + "/static/widget.css" });
  document.head.appendChild(css);

  var inline = opts.inline === "true";
  var root = el("div", { "class": "lw-root" + (inline ? " lw-inline" : ""), lang: lang });
  var toggle = el("button", { type: "button", "class": "lw-toggle", "aria-expanded": "false", "aria-controls": "lw-panel" }, t.open);
  var panel = el("section", { id: "lw-panel", "class": "lw-panel", "aria-label": t.title, hidden: "" });
  var header = el("header", { "class": "lw-header" });
  var heading = el("h2", { "class": "lw-title" }, t.title);
  var sub = el("p", { "class": "lw-subtitle" }, t.subtitle);
  var closeBtn = el("button", { type: "button", "class": "lw-close", "aria-label": t.close }, "×");
  header.appendChild(heading); header.appendChild(sub);
  if (!inline) header.appendChild(closeBtn);
  var log = el("div", { "class": "lw-log", role: "log", "aria-live": "polite", "aria-label": t.log, tabindex: "0" });
  var status = el("p", { "class": "lw-status", role: "status" });
  var form = el("form", { "class": "lw-form" });
  var label = el("label", { "for": "lw-input", "class": "lw-visually-hidden" }, t.label);
  var input = el("input", { id: "lw-input", type: "text", autocomplete: "off", maxlength: "2000", placeholder: t.label });
  var send = el("button", { type: "submit", "class": "lw-send" }, t.send);
  form.appendChild(label); form.appendChild(input); form.appendChild(send);
  panel.appendChild(header); panel.appendChild(log); panel.appendChild(status); panel.appendChild(form);
  if (!inline) root.appendChild(toggle);
  root.appendChild(panel);
  document.body.appendChild(root);

  function setOpen(open) {
    if (open) { panel.removeAttribute("hidden"); } else { panel.setAttribute("hidden", ""); }
    toggle.setAttribute("aria-expanded", String(open));
    // The toggle keeps its name; aria-expanded tells screen readers whether it is open.
    state.open = open; save();
    if (open) { input.focus(); log.scrollTop = log.scrollHeight; }
  }
  toggle.addEventListener("click", function () { setOpen(panel.hasAttribute("hidden")); });
  closeBtn.addEventListener("click", function () { setOpen(false); toggle.focus(); });

  function render(msg) {
    var item = el("div", { "class": "lw-msg lw-" + msg.from });
    item.appendChild(el("span", { "class": "lw-visually-hidden" }, (msg.from === "user" ? t.you : t.bot) + ": "));
    msg.text.split("\n").forEach(function (line, i) {
      if (i > 0) item.appendChild(el("br"));
      item.appendChild(document.createTextNode(line));
    });
    log.appendChild(item);
    if (msg.buttons && msg.buttons.length && msg.active) {
      var group = el("div", { "class": "lw-buttons", role: "group", "aria-label": msg.text.slice(0, 60) });
      msg.buttons.forEach(function (b) {
        var btn = el("button", { type: "button", "class": "lw-choice" }, b.title);
        btn.addEventListener("click", function () { choose(b, msg); });
        group.appendChild(btn);
      });
      log.appendChild(group);
    }
    log.scrollTop = log.scrollHeight;
  }
  function rerender() { log.textContent = ""; state.messages.forEach(render); }
  function add(msg) {
    state.messages.forEach(function (m) { m.active = false; });  // old choices expire
    state.messages.push(msg);
    if (state.messages.length > 200) state.messages = state.messages.slice(-200);
    save();
    if (msg.buttons && msg.buttons.length) { rerender(); } else {
      // a new message without buttons also retires earlier choice buttons
      var groups = log.querySelectorAll(".lw-buttons");
      Array.prototype.forEach.call(groups, function (g) { g.remove(); });
      render(msg);
    }
  }

  var socket = io(origin, { path: "/socket.io", transports: ["websocket", "polling"] });
  function sendToBot(text, shown) {
    var value = (text || "").trim();
    if (!value) return;
    add({ from: "user", text: shown || value });
    socket.emit("user_uttered", { message: value, session_id: state.session_id, message_id: newId() });
  }
  function choose(button) { sendToBot(button.payload, button.title); input.focus(); }
  form.addEventListener("submit", function (e) {
    e.preventDefault();
    sendToBot(input.value.slice(0, 2000));
    input.value = "";
  });

  socket.on("connect", function () {
    status.textContent = "";
    // The server signs the session; a new one starts with a greeting in the page's language,
    // which the server sends to the bot itself (no client text is ever taken as a command).
    // A learning ambassador's link or QR code opens the page with ?ref=CODE (or a partner's
    // page sets data-ref): the server checks it and counts the chat for them, never the browser.
    var ref = opts.ref || new URLSearchParams(window.location.search).get("ref") || undefined;
    socket.emit("session_request", { session_id: state.session_id, language: lang,
      greet: state.messages.length === 0 && opts.greet !== "false", ref: ref });
  });
  socket.on("session_confirm", function (sessionId) {
    state.session_id = sessionId; save();
  });
  socket.on("disconnect", function () { status.textContent = t.offline; });
  socket.on("bot_uttered", function (data) {
    if (!data) return;
    var text = data.text || "";
    var buttons = (data.quick_replies || data.buttons || []).map(function (b) {
      return { title: String(b.title), payload: String(b.payload) };
    });
    if (!text && !buttons.length) return;
    add({ from: "bot", text: text, buttons: buttons, active: true });
  });

  rerender();
  setOpen(inline || opts.open === "true" || !!state.open);
  }
})();
