/* Leerwijzer advisor console. Plain JS over the documented JSON API (/api/openapi.json).
   Every text from users or advisors is put in the page with textContent, never as HTML. */
(function () {
  "use strict";
  var state = { me: null, csrf: null, current: null, events: null, refreshTimer: null };
  var $ = function (id) { return document.getElementById(id); };
  var LABELS = {
    role: "Rol", goal: "Doel", topic: "Onderwerp", municipality: "Gemeente", budget: "Budget",
    time_preference: "Tijd", hours_per_week: "Uren per week", mode_preference: "Vorm", constraints: "Voorwaarden",
    offers_shown: "Aanbod al getoond", language: "Taal", channel: "Kanaal", reason: "Reden",
    sensitive: "Gevoelig onderwerp", last_user_message: "Laatste bericht"
  };
  var AUTHORS = { user: "Gebruiker", bot: "Bot", advisor: "Adviseur", system: "" };
  var REASONS = {
    asked_for_person: "Vraagt om een mens", two_fallbacks: "Bot begreep het twee keer niet",
    sensitive_topic: "Gevoelig onderwerp", intake: "Na de intake", callback: "Terugbellen", walk_in: "Inloopspreekuur"
  };

  function el(tag, attrs, text) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) { node.setAttribute(k, attrs[k]); });
    if (text !== undefined && text !== null) node.textContent = String(text);
    return node;
  }

  function status(text) { $("status").textContent = text || ""; }

  function api(method, path, body) {
    var headers = { "Accept": "application/json" };
    if (body !== undefined) headers["Content-Type"] = "application/json";
    if (method !== "GET" && state.csrf) headers["X-CSRF-Token"] = state.csrf;
    return fetch(path, {
      method: method, headers: headers, credentials: "same-origin",
      body: body === undefined ? undefined : JSON.stringify(body)
    }).then(function (reply) {
      return reply.json().catch(function () { return {}; }).then(function (data) {
        if (reply.status === 401 && path !== "/api/login") { showLogin(); }
        if (!reply.ok) { var e = new Error(data.error || ("HTTP " + reply.status)); e.status = reply.status; throw e; }
        return data;
      });
    });
  }

  function minutes(seconds) {
    var m = Math.floor(seconds / 60);
    return m < 1 ? "< 1 min" : m + " min";
  }

  function showLogin() {
    if (state.events) { state.events.close(); state.events = null; }
    state.me = null; state.csrf = null;
    $("app-view").hidden = true; $("logout").hidden = true; $("whoami").textContent = "";
    $("login-view").hidden = false;
  }

  function showApp(me) {
    state.me = me.advisor; state.csrf = me.csrf_token;
    $("login-view").hidden = true; $("app-view").hidden = false; $("logout").hidden = false;
    $("whoami").textContent = me.advisor.display_name + " (" + me.advisor.role + ")";
    $("admin").hidden = me.advisor.role !== "admin";
    connectEvents();
    refreshAll();
  }

  function caseItem(item, list) {
    var late = item.owner === "waiting" && item.waiting_too_long;
    var li = el("li", { "class": "case" + (state.current === item.id ? " selected" : "") + (late ? " late" : ""),
                        "data-id": String(item.id), tabindex: "0", role: "button" });
    var s = item.summary || {};
    li.appendChild(el("strong", {}, String(s.goal || s.topic || REASONS[item.reason] || item.reason || "gesprek")));
    li.appendChild(el("div", { "class": "meta" },
      [item.channel, s.municipality, s.language || item.language, "wacht " + minutes(item.waiting_seconds)]
        .filter(Boolean).join(" · ")));
    if (late) {
      li.appendChild(el("div", { "class": "meta late-label" },
        "Wacht te lang (meer dan " + state.waitWarning + " min). Na " + state.waitTimeout + " min neemt de bot het over."));
    }
    if (item.advisor) li.appendChild(el("div", { "class": "meta" }, "bij " + item.advisor.display_name));
    var open = function () { openConversation(item.id); };
    li.addEventListener("click", open);
    li.addEventListener("keydown", function (e) { if (e.key === "Enter") open(); });
    list.appendChild(li);
  }

  function refreshQueue() {
    return api("GET", "/api/queue").then(function (q) {
      state.waitWarning = q.wait_warning_minutes; state.waitTimeout = q.wait_timeout_minutes;
      var waiting = $("queue-waiting"), active = $("queue-active");
      waiting.replaceChildren(); active.replaceChildren();
      q.waiting.forEach(function (i) { caseItem(i, waiting); });
      q.active.forEach(function (i) { caseItem(i, active); });
      if (!q.waiting.length) waiting.appendChild(el("li", {}, "Niemand wacht."));
    });
  }

  function refreshTasks() {
    return api("GET", "/api/tasks").then(function (data) {
      var list = $("tasks");
      list.replaceChildren();
      if (!data.tasks.length) list.appendChild(el("li", {}, "Geen open taken."));
      data.tasks.forEach(function (t) {
        var li = el("li", { "class": "case task" });
        var what = t.kind === "callback"
          ? "Terugbellen: " + (t.phone || "") + " (" + (t.preferred_time || "") + ")"
          : "Inloopspreekuur: " + (t.offer_title || "") + " – " + (t.schedule || "");
        li.appendChild(el("strong", {}, what));
        li.appendChild(el("div", { "class": "meta" }, [t.channel, t.language, t.created_at].join(" · ")));
        var done = el("button", { type: "button" }, "Gedaan");
        done.addEventListener("click", function () {
          api("POST", "/api/tasks/" + t.id + "/done").then(refreshTasks).catch(function (e) { status(e.message); });
        });
        li.appendChild(done);
        list.appendChild(li);
      });
    });
  }

  function refreshAdvisors() {
    if (!state.me || state.me.role !== "admin") return Promise.resolve();
    return api("GET", "/api/advisors").then(function (data) {
      var list = $("advisors");
      list.replaceChildren();
      data.advisors.forEach(function (a) {
        var li = el("li", {}, a.display_name + " (" + a.username + ", " + a.role + (a.active ? "" : ", uit") + ") ");
        if (a.id !== state.me.id) {
          var toggle = el("button", { type: "button" }, a.active ? "Uitzetten" : "Aanzetten");
          toggle.addEventListener("click", function () {
            api("POST", "/api/advisors/" + a.id, { active: !a.active }).then(refreshAdvisors)
              .catch(function (e) { status(e.message); });
          });
          li.appendChild(toggle);
        }
        list.appendChild(li);
      });
    });
  }

  function renderSummary(conv) {
    var dl = $("summary");
    dl.replaceChildren();
    var s = conv.summary || {};
    Object.keys(LABELS).forEach(function (key) {
      var value = s[key];
      if (key === "channel") value = value || conv.channel;
      if (key === "language") value = value || conv.language;
      if (key === "reason") value = REASONS[value || conv.reason] || value || conv.reason;
      if (value === undefined || value === null || value === "") return;
      if (Array.isArray(value)) { if (!value.length) return; value = value.join(", "); }
      else if (typeof value === "object") {
        var parts = Object.keys(value).map(function (k) { return (LABELS[k] || k) + ": " + value[k]; });
        if (!parts.length) return;
        value = parts.join("; ");
      }
      dl.appendChild(el("dt", {}, LABELS[key]));
      dl.appendChild(el("dd", { "data-key": key }, value));
    });
    dl.appendChild(el("dt", {}, "Status"));
    dl.appendChild(el("dd", { id: "owner" }, conv.owner + (conv.advisor ? " (" + conv.advisor.display_name + ")" : "")));
  }

  function renderTranscript(conv) {
    var list = $("transcript");
    var atBottom = list.scrollTop + list.clientHeight >= list.scrollHeight - 20;
    list.replaceChildren();
    conv.transcript.forEach(function (m) {
      var li = el("li", { "class": "msg " + m.author, "data-id": String(m.id) });
      var who = m.author === "advisor" ? (m.advisor || "Adviseur") : AUTHORS[m.author];
      if (who) li.appendChild(el("span", { "class": "who" }, who));
      li.appendChild(el("span", { "class": "text" }, m.text));
      (m.media || []).forEach(function (item) {
        li.appendChild(el("span", { "class": "who" }, "[bijlage: " + item.content_type + "]"));
      });
      list.appendChild(li);
    });
    if (atBottom) list.scrollTop = list.scrollHeight;
    var notes = $("notes");
    notes.replaceChildren();
    conv.notes.forEach(function (n) { notes.appendChild(el("li", {}, n.advisor + ": " + n.text)); });
  }

  function openConversation(id) {
    state.current = id;
    return api("GET", "/api/conversations/" + id).then(function (conv) {
      $("conversation").hidden = false;
      $("conv-title").textContent = "Gesprek " + conv.id + " – " + conv.channel;
      renderSummary(conv);
      renderTranscript(conv);
      var mine = conv.owner === "advisor" && conv.mine;
      $("claim").hidden = conv.owner !== "waiting";
      $("release").hidden = !(state.me && state.me.role === "admin" &&
                              (conv.owner === "waiting" || conv.owner === "advisor"));
      ["handback", "close", "outcome"].forEach(function (k) { $(k).disabled = !mine; });
      $("reply").disabled = !mine;
      $("reply-form").querySelector("button").disabled = !mine;
      document.querySelectorAll(".case").forEach(function (node) {
        node.classList.toggle("selected", node.getAttribute("data-id") === String(id));
      });
    }).catch(function (e) { status(e.message); });
  }

  function refreshAll() {
    status("");
    var work = [refreshQueue(), refreshTasks(), refreshAdvisors()];
    if (state.current) work.push(openConversation(state.current));
    return Promise.all(work).catch(function (e) { status(e.message); });
  }

  function scheduleRefresh() {
    if (state.refreshTimer) return;
    state.refreshTimer = setTimeout(function () { state.refreshTimer = null; refreshAll(); }, 150);
  }

  function connectEvents() {
    if (state.events) return;
    var source = new EventSource("/api/events");
    state.events = source;
    source.addEventListener("hello", function () { $("live").textContent = "live"; $("live").classList.add("on"); });
    source.addEventListener("change", scheduleRefresh);
    source.onerror = function () { $("live").textContent = "offline"; $("live").classList.remove("on"); };
  }

  function act(path, body) {
    return api("POST", path, body).then(function (data) {
      refreshAll();
      // refreshAll clears the status line first; say it after, so the advisor sees it.
      if (data && data.notice_sent === false) {
        status("Let op: de gebruiker kreeg geen bericht dat je het gesprek overneemt of afsluit. Stuur zelf een bericht.");
      }
    }).catch(function (e) { status(e.message); return refreshAll(); });
  }

  document.addEventListener("DOMContentLoaded", function () {
    $("login-form").addEventListener("submit", function (e) {
      e.preventDefault();
      $("login-error").textContent = "";
      api("POST", "/api/login", { username: $("username").value, password: $("password").value })
        .then(function () { $("password").value = ""; return api("GET", "/api/me"); })
        .then(showApp)
        .catch(function (err) { $("login-error").textContent = err.status === 429 ? "Te vaak mislukt. Wacht even." : "Inloggen mislukt."; });
    });
    $("logout").addEventListener("click", function () { api("POST", "/api/logout").finally(showLogin); });
    $("claim").addEventListener("click", function () { act("/api/conversations/" + state.current + "/claim"); });
    $("handback").addEventListener("click", function () { act("/api/conversations/" + state.current + "/handback"); });
    $("release").addEventListener("click", function () {
      if (!window.confirm("Dit gesprek teruggeven aan de bot? De gebruiker krijgt daar een bericht over.")) return;
      act("/api/conversations/" + state.current + "/release");
    });
    $("password-form").addEventListener("submit", function (e) {
      e.preventDefault();
      api("POST", "/api/me/password", {
        current_password: $("current-password").value, new_password: $("own-new-password").value
      }).then(function (data) {
        state.csrf = data.csrf_token;
        $("password-form").reset();
        status("Je wachtwoord is gewijzigd. Op andere apparaten ben je uitgelogd.");
      }).catch(function (err) {
        status(err.status === 403 ? "Het huidige wachtwoord klopt niet." :
               err.status === 429 ? "Te vaak mislukt. Wacht even." : err.message);
      });
    });
    $("close").addEventListener("click", function () {
      act("/api/conversations/" + state.current + "/close", { outcome: $("outcome").value });
    });
    $("reply-form").addEventListener("submit", function (e) {
      e.preventDefault();
      var text = $("reply").value.trim();
      if (!text) return;
      api("POST", "/api/conversations/" + state.current + "/messages", { text: text })
        .then(function () { $("reply").value = ""; return openConversation(state.current); })
        .catch(function (err) { status(err.message); });
    });
    $("note-form").addEventListener("submit", function (e) {
      e.preventDefault();
      var text = $("note").value.trim();
      if (!text) return;
      api("POST", "/api/conversations/" + state.current + "/notes", { text: text })
        .then(function () { $("note").value = ""; return openConversation(state.current); })
        .catch(function (err) { status(err.message); });
    });
    $("offer-search").addEventListener("submit", function (e) {
      e.preventDefault();
      api("GET", "/api/offers?q=" + encodeURIComponent($("offer-q").value)).then(function (data) {
        var list = $("offer-results");
        list.replaceChildren();
        data.offers.forEach(function (o) {
          var li = el("li", { "class": "case" });
          li.appendChild(el("strong", {}, o.title));
          li.appendChild(el("div", { "class": "meta" }, [o.provider, o.place, o.price].filter(Boolean).join(" · ")));
          var send = el("button", { type: "button" }, "Stuur naar gebruiker");
          send.addEventListener("click", function () {
            act("/api/conversations/" + state.current + "/offers", { offer_id: o.offer_id });
          });
          li.appendChild(send);
          list.appendChild(li);
        });
        if (!data.offers.length) list.appendChild(el("li", {}, "Niets gevonden."));
      }).catch(function (err) { status(err.message); });
    });
    $("advisor-form").addEventListener("submit", function (e) {
      e.preventDefault();
      api("POST", "/api/advisors", {
        username: $("new-username").value, display_name: $("new-display-name").value,
        password: $("new-password").value, role: $("new-role").value
      }).then(function () { $("advisor-form").reset(); return refreshAdvisors(); })
        .catch(function (err) { status(err.message); });
    });
    api("GET", "/api/me").then(showApp).catch(function () { showLogin(); });
  });
})();
