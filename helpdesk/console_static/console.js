/* Leerwijzer advisor console. Plain JS over the documented JSON API (/api/openapi.json).
   Every text from users or advisors is put in the page with textContent, never as HTML. */
(function () {
  "use strict";
  var state = { me: null, csrf: null, current: null, events: null, refreshTimer: null };
  var $ = function (id) { return document.getElementById(id); };
  var LABELS = {
    question: "Vraag", role: "Rol", goal: "Doel", topic: "Onderwerp", municipality: "Gemeente", budget: "Budget",
    time_preference: "Tijd", hours_per_week: "Uren per week", mode_preference: "Vorm", constraints: "Voorwaarden",
    offers_shown: "Aanbod al getoond", language: "Taal", channel: "Kanaal", reason: "Reden",
    sensitive: "Gevoelig onderwerp", last_user_message: "Laatste bericht"
  };
  var CHANNELS = { whatsapp: "WhatsApp", sms: "SMS", telegram: "Telegram", webchat: "Website", rest: "Website" };
  var MAX_MESSAGE = 2000;  // helpdesk/web.py MAX_TEXT
  var ROLES = { advisor: "adviseur", coordinator: "coördinator", admin: "admin" };
  var LANGUAGES = { nl: "Nederlands", en: "Engels" };
  var OWNERS = { bot: "Bij de bot", waiting: "Wacht op een adviseur", advisor: "Bij adviseur", closed: "Afgesloten" };
  var TASK_OUTCOMES = [
    ["helped", "Geholpen"], ["not_reached", "Niet bereikt"], ["came_by", "Is langsgekomen"],
    ["did_not_come", "Niet gekomen"], ["no_longer_needed", "Niet meer nodig"]
  ];
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
    if (m < 1) return "< 1 min";
    if (m < 60) return m + " min";
    return Math.floor(m / 60) + " uur " + (m % 60) + " min";
  }

  // Times as an advisor reads them: "14:05" (today) or "3 dec. 14:05", in the helpdesk's
  // zone (from /api/me), and "3 min geleden". The full date and time is the tooltip.
  function zone() { return (state.me && state.timezone) || "Europe/Amsterdam"; }

  function clock(iso) {
    if (!iso) return "";
    var when = new Date(iso), now = new Date();
    var day = function (d) { return d.toLocaleDateString("nl-NL", { timeZone: zone() }); };
    var time = when.toLocaleTimeString("nl-NL", { timeZone: zone(), hour: "2-digit", minute: "2-digit" });
    if (day(when) === day(now)) return time;
    return when.toLocaleDateString("nl-NL", { timeZone: zone(), day: "numeric", month: "short" }) + " " + time;
  }

  function ago(iso) {
    if (!iso) return "";
    var seconds = Math.max(0, (Date.now() - new Date(iso).getTime()) / 1000);
    if (seconds < 60) return "zojuist";
    var words = new Intl.RelativeTimeFormat("nl", { numeric: "auto" });
    if (seconds < 3600) return words.format(-Math.floor(seconds / 60), "minute");
    if (seconds < 86400) return words.format(-Math.floor(seconds / 3600), "hour");
    return words.format(-Math.floor(seconds / 86400), "day");
  }

  function timeNode(iso, text) {
    var full = iso ? new Date(iso).toLocaleString("nl-NL", { timeZone: zone() }) : "";
    return el("time", { datetime: iso || "", title: full }, text);
  }

  function showLogin() {
    if (state.events) { state.events.close(); state.events = null; }
    state.me = null; state.csrf = null; state.phones = {};
    $("app-view").hidden = true; $("logout").hidden = true; $("whoami").textContent = "";
    $("login-view").hidden = false;
  }

  function showApp(me) {
    state.me = me.advisor; state.csrf = me.csrf_token; state.timezone = me.timezone;
    $("login-view").hidden = true; $("app-view").hidden = false; $("logout").hidden = false;
    $("whoami").textContent = me.advisor.display_name + " (" + (ROLES[me.advisor.role] || me.advisor.role) + ")";
    $("admin").hidden = me.advisor.role !== "admin";
    $("replies-admin").hidden = !coordinating();
    $("ambassadors-admin").hidden = !coordinating();
    $("insight-link").hidden = !coordinating();
    $("events-admin").hidden = !coordinating();
    connectEvents();
    refreshAll();
    // Replies and ambassadors change rarely: at login, on a "replies" event, and every 30 s.
    refreshReplies().catch(function (e) { status(e.message); });
    refreshAmbassadors().catch(function (e) { status(e.message); });
    loadEventOptions().then(refreshEvents).catch(function (e) { status(e.message); });
  }

  function coordinating() { return !!state.me && (state.me.role === "admin" || state.me.role === "coordinator"); }

  function caseItem(item, list) {
    var late = item.owner === "waiting" && item.waiting_too_long;
    // A list item with a real button in it (a list may only hold list items: axe "list").
    var li = el("li", { "class": "case" + (state.current === item.id ? " selected" : "") + (late ? " late" : ""),
                        "data-id": String(item.id) });
    var s = item.summary || {};
    var title = el("button", { type: "button", "class": "case-open" },
      String(s.goal || s.topic || REASONS[item.reason] || item.reason || "gesprek"));
    li.appendChild(title);
    li.appendChild(el("div", { "class": "meta" },
      [CHANNELS[item.channel] || item.channel, s.municipality, (s.language || item.language || "").toUpperCase()]
        .filter(Boolean).join(" · ")));
    var since = el("div", { "class": "meta wait" });
    since.appendChild(document.createTextNode((item.owner === "waiting" ? "Wacht " : "Gevraagd ") +
      minutes(item.waiting_seconds) + (item.owner === "waiting" ? "" : " geleden") + " · sinds "));
    since.appendChild(timeNode(item.requested_at, clock(item.requested_at)));
    li.appendChild(since);
    if (late) {
      li.appendChild(el("div", { "class": "meta late-label" },
        "Wacht te lang (meer dan " + state.waitWarning + " min). Na " + state.waitTimeout + " min neemt de bot het over."));
    }
    if (item.advisor) li.appendChild(el("div", { "class": "meta" }, "bij " + item.advisor.display_name));
    li.addEventListener("click", function () { openConversation(item.id); });
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
      state.waitingIds = q.waiting.map(function (i) { return i.id; });
      badge(q.waiting.length);
    });
  }

  // The tab's title counts the waiting chats, so a new chat shows in another tab too.
  var TITLE = document.title;
  function badge(count) {
    document.title = count ? "(" + count + ") " + TITLE : TITLE;
    $("waiting-count").textContent = count ? String(count) : "";
  }

  function taskSummary(t) {
    var s = t.summary || {};
    var about = s.question || s.topic || s.goal || (s.themes || []).join(", ");
    return [about ? "Vraag: " + about : "", s.municipality].filter(Boolean).join(" · ");
  }

  // Opened numbers stay open while the page is (the list is redrawn on every change).
  function phoneLine(t, li) {
    if (!t.has_phone) return;
    state.phones = state.phones || {};
    var line = el("div", { "class": "meta phone" });
    var number = el("span", { "class": "number" });
    line.appendChild(document.createTextNode("Telefoon: "));
    line.appendChild(number);
    var showNumber = function (phone) {
      number.replaceChildren(el("a", { href: "tel:" + phone.replace(/[^+\d]/g, "") }, phone));
    };
    if (state.phones[t.id]) {
      showNumber(state.phones[t.id]);
    } else {
      number.textContent = t.phone_masked;
      var show = el("button", { type: "button", "class": "small" }, "Toon nummer");
      show.setAttribute("aria-label", "Toon nummer (wordt vastgelegd)");
      show.addEventListener("click", function () {
        api("POST", "/api/tasks/" + t.id + "/phone").then(function (data) {
          state.phones[t.id] = data.phone;
          showNumber(data.phone);
          show.remove();
        }).catch(function (e) { status(e.message); });
      });
      line.appendChild(show);
    }
    li.appendChild(line);
  }

  function refreshTasks() {
    return api("GET", "/api/tasks").then(function (data) {
      var list = $("tasks");
      list.replaceChildren();
      if (!data.tasks.length) list.appendChild(el("li", {}, "Geen open taken."));
      data.tasks.forEach(function (t) {
        var li = el("li", { "class": "case task", "data-id": String(t.id) });
        var s = t.summary || {};
        var what = t.kind === "callback" ? "Terugbellen" : "Inloopspreekuur";
        // The name the person gave (the bot asks it, optionally); "geen naam" when they did not.
        var name = t.name || s.name;
        li.appendChild(el("strong", {}, what + ": " + (name || "geen naam gegeven")));
        var made = el("div", { "class": "meta" });
        made.appendChild(document.createTextNode(
          [CHANNELS[t.channel] || t.channel, (t.language || "").toUpperCase(), ago(t.created_at)].join(" · ") + " ("));
        made.appendChild(timeNode(t.created_at, clock(t.created_at)));
        made.appendChild(document.createTextNode(")"));
        li.appendChild(made);
        var about = taskSummary(t);
        if (about) li.appendChild(el("div", { "class": "meta question" }, about));
        if (t.kind === "callback") {
          phoneLine(t, li);
          if (t.preferred_time) li.appendChild(el("div", { "class": "meta" }, "Liefst: " + t.preferred_time));
        } else {
          li.appendChild(el("div", { "class": "meta" }, [t.offer_title, t.schedule].filter(Boolean).join(" – ")));
        }
        var form = el("div", { "class": "task-done" });
        var label = el("label", {}, "Uitkomst ");
        var pick = el("select", {});
        // No outcome chosen until the advisor picks one (the list is redrawn on every change,
        // so the pick is kept per task); "Gedaan" without one gets the server's refusal.
        state.outcomes = state.outcomes || {};
        pick.appendChild(el("option", { value: "" }, "Kies…"));
        TASK_OUTCOMES.filter(function (o) {
          return t.kind === "callback" ? ["came_by", "did_not_come"].indexOf(o[0]) < 0 : o[0] !== "not_reached";
        }).forEach(function (o) { pick.appendChild(el("option", { value: o[0] }, o[1])); });
        pick.value = state.outcomes[t.id] || "";
        pick.addEventListener("change", function () { state.outcomes[t.id] = pick.value; });
        label.appendChild(pick);
        form.appendChild(label);
        var done = el("button", { type: "button" }, "Gedaan");
        done.addEventListener("click", function () {
          if (!pick.value) { status("Kies eerst hoe het afliep."); pick.focus(); return; }
          api("POST", "/api/tasks/" + t.id + "/done", { outcome: pick.value }).then(refreshTasks)
            .catch(function (e) { status(e.message); });
        });
        form.appendChild(done);
        li.appendChild(form);
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
      if (key === "channel") value = CHANNELS[value || conv.channel] || value || conv.channel;
      if (key === "language") value = LANGUAGES[value || conv.language] || value || conv.language;
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
    dl.appendChild(el("dd", { id: "owner", "data-owner": conv.owner },
      (OWNERS[conv.owner] || conv.owner) + (conv.advisor ? " " + conv.advisor.display_name : "")));
  }

  function renderTranscript(conv) {
    var list = $("transcript");
    var atBottom = list.scrollTop + list.clientHeight >= list.scrollHeight - 20;
    list.replaceChildren();
    conv.transcript.forEach(function (m) {
      var li = el("li", { "class": "msg " + m.author, "data-id": String(m.id) });
      var who = m.author === "advisor" ? (m.advisor || "Adviseur") : AUTHORS[m.author];
      var head = el("span", { "class": "who" }, who ? who + " · " : "");
      head.appendChild(timeNode(m.at, clock(m.at)));
      li.appendChild(head);
      li.appendChild(el("span", { "class": "text" }, m.text));
      (m.media || []).forEach(function (item) {
        li.appendChild(el("span", { "class": "who" }, "[bijlage: " + item.content_type + "]"));
      });
      list.appendChild(li);
    });
    if (atBottom) list.scrollTop = list.scrollHeight;
    var notes = $("notes");
    notes.replaceChildren();
    conv.notes.forEach(function (n) {
      var li = el("li", {}, n.advisor + " (");
      li.appendChild(timeNode(n.at, clock(n.at)));
      li.appendChild(document.createTextNode("): " + n.text));
      notes.appendChild(li);
    });
  }

  function openConversation(id) {
    state.current = id;
    return api("GET", "/api/conversations/" + id).then(function (conv) {
      $("conversation").hidden = false;
      $("conv-title").textContent = "Gesprek " + conv.id + " – " + (CHANNELS[conv.channel] || conv.channel);
      if (state.currentLanguage !== conv.language) { state.currentLanguage = conv.language; renderReplyPicker(); }
      renderSummary(conv);
      renderTranscript(conv);
      var mine = conv.owner === "advisor" && conv.mine;
      $("claim").hidden = conv.owner !== "waiting";
      $("release").hidden = !(state.me && state.me.role === "admin" &&
                              (conv.owner === "waiting" || conv.owner === "advisor"));
      ["handback", "close", "outcome"].forEach(function (k) { $(k).disabled = !mine; });
      $("reply").disabled = !mine; $("canned").disabled = !mine;
      $("reply-form").querySelector("button").disabled = !mine;
      document.querySelectorAll(".case").forEach(function (node) {
        node.classList.toggle("selected", node.getAttribute("data-id") === String(id));
      });
    }).catch(function (e) { status(e.message); });
  }

  // Standard replies: the advisor picks one in the conversation's language; it goes into the
  // message box to read and change before sending, never straight to the user.
  function refreshReplies() {
    return api("GET", "/api/replies").then(function (data) {
      state.replies = data.replies;
      renderReplyPicker();
      renderReplyAdmin();
    });
  }

  function renderReplyPicker() {
    var pick = $("canned"), language = state.currentLanguage || "nl";
    pick.replaceChildren(el("option", { value: "" }, "Standaardantwoord kiezen…"));
    (state.replies || []).filter(function (r) { return r.language === language; }).forEach(function (r) {
      pick.appendChild(el("option", { value: String(r.id) }, r.title));
    });
  }

  function renderReplyAdmin() {
    if (!coordinating()) return;
    var list = $("replies");
    list.replaceChildren();
    (state.replies || []).forEach(function (r) {
      var li = el("li", { "class": "reply-item" });
      li.appendChild(el("strong", {}, r.title + " (" + r.language.toUpperCase() + ")"));
      li.appendChild(el("div", { "class": "meta" }, r.text));
      var edit = el("button", { type: "button", "class": "small" }, "Wijzigen");
      edit.setAttribute("aria-label", "Wijzig " + r.title);
      edit.addEventListener("click", function () {
        $("reply-id").value = String(r.id); $("reply-language").value = r.language;
        $("reply-title").value = r.title; $("reply-text").value = r.text;
        $("reply-title").focus();
      });
      var drop = el("button", { type: "button", "class": "small warn" }, "Verwijderen");
      drop.setAttribute("aria-label", "Verwijder " + r.title);
      drop.addEventListener("click", function () {
        if (!window.confirm("Standaardantwoord '" + r.title + "' verwijderen? Dit geldt voor alle adviseurs.")) return;
        api("DELETE", "/api/replies/" + r.id).then(refreshReplies).catch(function (e) { status(e.message); });
      });
      li.appendChild(edit); li.appendChild(drop);
      list.appendChild(li);
    });
  }

  // Learning ambassadors (coordinators): their link, QR code and WhatsApp link for a flyer,
  // and how many chats they started and how far those came. Never who the people were.
  var STAGES = [["started", "gestart"], ["intake_done", "intake klaar"], ["offer_shown", "aanbod gezien"],
                ["handed_off", "bij adviseur"]];

  function refreshAmbassadors() {
    if (!coordinating()) return Promise.resolve();
    return api("GET", "/api/ambassadors").then(function (data) {
      var list = $("ambassadors");
      list.replaceChildren();
      if (!data.ambassadors.length) list.appendChild(el("li", {}, "Nog geen ambassadeurs."));
      data.ambassadors.forEach(function (a) {
        var li = el("li", { "class": "reply-item ambassador" + (a.active ? "" : " off"), "data-code": a.code });
        li.appendChild(el("strong", {}, a.name + " – " + a.place + (a.active ? "" : " (uit)")));
        li.appendChild(el("div", { "class": "meta" }, "Code " + a.code +
          (a.contact ? " · contact: " + a.contact : "")));
        li.appendChild(el("div", { "class": "meta counts" },
          STAGES.map(function (s) { return s[1] + " " + (a.counts[s[0]] === null ? "<5" : a.counts[s[0]]); })
            .join(" · ")));
        var links = el("div", { "class": "meta" });
        links.appendChild(el("a", { href: a.links.web, target: "_blank", rel: "noopener" }, "Chatlink"));
        links.appendChild(document.createTextNode(" · "));
        links.appendChild(el("a", { href: "/api/ambassadors/" + a.id + "/qr?format=png", download: "leerwijzer-" + a.code + ".png" }, "QR (PNG)"));
        links.appendChild(document.createTextNode(" · "));
        links.appendChild(el("a", { href: "/api/ambassadors/" + a.id + "/qr?format=svg", download: "leerwijzer-" + a.code + ".svg" }, "QR (SVG)"));
        links.appendChild(document.createTextNode(" · "));
        links.appendChild(el("a", { href: "/api/ambassadors/" + a.id + "/flyer", target: "_blank", rel: "noopener" }, "Flyer"));
        if (a.links.whatsapp) {
          links.appendChild(document.createTextNode(" · "));
          links.appendChild(el("a", { href: a.links.whatsapp, target: "_blank", rel: "noopener" }, "WhatsApp-link"));
        }
        li.appendChild(links);
        if (!a.links_public) {
          li.appendChild(el("div", { "class": "meta late-label" },
            "Let op: deze link werkt alleen op deze computer. Stel LEERWIJZER_PUBLIC_URL in voordat je flyers print."));
        }
        var toggle = el("button", { type: "button", "class": "small" + (a.active ? " warn" : "") },
          a.active ? "Code uitzetten" : "Code aanzetten");
        toggle.setAttribute("aria-label", (a.active ? "Code uitzetten van " : "Code aanzetten van ") + a.name);
        toggle.addEventListener("click", function () {
          api("POST", "/api/ambassadors/" + a.id, { active: !a.active }).then(refreshAmbassadors)
            .catch(function (e) { status(e.message); });
        });
        li.appendChild(toggle);
        if (a.name !== "(verwijderd)") {
          var forget = el("button", { type: "button", "class": "small warn" }, "Vergeten");
          forget.setAttribute("aria-label", "Vergeet " + a.name);
          forget.addEventListener("click", function () {
            if (!window.confirm("Naam, plek en contact van " + a.name + " wissen? De code werkt dan nooit meer. De tellingen blijven.")) return;
            api("POST", "/api/ambassadors/" + a.id + "/forget").then(refreshAmbassadors)
              .catch(function (e) { status(e.message); });
          });
          li.appendChild(forget);
        }
        list.appendChild(li);
      });
    });
  }

  // Pinned events and campaigns (coordinators).
  function loadEventOptions() {
    if (!coordinating() || state.eventOptions) return Promise.resolve();
    return api("GET", "/api/pinned-events/options").then(function (data) {
      state.eventOptions = data;
      data.municipalities.forEach(function (m) { $("event-municipality").appendChild(el("option", { value: m }, m)); });
      data.themes.forEach(function (t) { $("event-themes").appendChild(el("option", { value: t.id }, t.name)); });
    });
  }

  function refreshEvents() {
    if (!coordinating()) return Promise.resolve();
    return api("GET", "/api/pinned-events").then(function (data) {
      var list = $("pinned-events"), names = {};
      ((state.eventOptions || {}).themes || []).forEach(function (t) { names[t.id] = t.name; });
      list.replaceChildren();
      if (!data.events.length) list.appendChild(el("li", {}, "Geen evenementen vastgezet."));
      data.events.forEach(function (ev) {
        var li = el("li", { "class": "reply-item" + (ev.active ? "" : " off") });
        li.appendChild(el("strong", {}, ev.title + (ev.active ? "" : " (losgemaakt)")));
        var days = ev.starts_on === ev.ends_on ? ev.starts_on : ev.starts_on + " t/m " + ev.ends_on;
        li.appendChild(el("div", { "class": "meta" }, [days, ev.place, ev.municipality || "hele regio",
          ev.themes.length ? ev.themes.map(function (t) { return names[t] || t; }).join(", ") : "elk onderwerp"]
          .join(" · ")));
        if (ev.active) {
          var unpin = el("button", { type: "button", "class": "small warn" }, "Losmaken");
          unpin.setAttribute("aria-label", "Losmaken: " + ev.title);
          unpin.addEventListener("click", function () {
            api("POST", "/api/pinned-events/" + ev.id + "/unpin").then(refreshEvents)
              .catch(function (e) { status(e.message); });
          });
          li.appendChild(unpin);
        }
        list.appendChild(li);
      });
    });
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
    source.addEventListener("change", function (e) {
      var kind = "";
      try { kind = JSON.parse(e.data).kind; } catch (err) { kind = ""; }
      if (kind === "replies") refreshReplies().catch(function () {});
      else if (kind === "pinned") refreshEvents().catch(function () {});
      else scheduleRefresh();
    });
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

  // Keyboard shortcuts (also in each button's aria-keyshortcuts): Alt+O claim, Alt+T hand back,
  // Alt+N open the chat that waits longest, Ctrl+Enter send.
  function press(id) { var b = $(id); if (b && !b.hidden && !b.disabled) b.click(); }

  function shortcut(e) {
    if (!state.me) return;
    if (e.key === "Enter" && (e.ctrlKey || e.metaKey) && document.activeElement === $("reply")) {
      e.preventDefault();
      $("reply-form").requestSubmit();
      return;
    }
    if (!e.altKey || e.ctrlKey || e.metaKey) return;
    // e.code, not e.key: Alt+letter types another character on some keyboards (macOS).
    if (e.code === "KeyO") { e.preventDefault(); press("claim"); }
    else if (e.code === "KeyT") { e.preventDefault(); press("handback"); }
    else if (e.code === "KeyN" && (state.waitingIds || []).length) {
      e.preventDefault();
      openConversation(state.waitingIds[0]).then(function () { $("claim").focus(); });
    }
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
      // A standard reply added to a long text can pass the limit; the server would cut it.
      if (text.length > MAX_MESSAGE) {
        status("Je bericht is " + text.length + " tekens. Het mag er " + MAX_MESSAGE + " zijn. Maak het korter.");
        return;
      }
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
    $("canned").addEventListener("change", function () {
      var chosen = (state.replies || []).filter(function (r) { return String(r.id) === $("canned").value; })[0];
      if (!chosen) return;
      var box = $("reply");
      box.value = box.value ? box.value.replace(/\s*$/, " ") + chosen.text : chosen.text;
      $("canned").value = "";
      box.focus();
    });
    $("ambassador-form").addEventListener("submit", function (e) {
      e.preventDefault();
      api("POST", "/api/ambassadors", {
        name: $("ambassador-name").value, place: $("ambassador-place").value, contact: $("ambassador-contact").value
      }).then(function () {
        $("ambassador-form").reset();
        status("Ambassadeur toegevoegd.");
        return refreshAmbassadors();
      }).catch(function (err) { status(err.message); });
    });
    $("event-form").addEventListener("submit", function (e) {
      e.preventDefault();
      var chosen = Array.prototype.map.call($("event-themes").selectedOptions, function (o) { return o.value; });
      api("POST", "/api/pinned-events", {
        title: $("event-title").value, title_en: $("event-title-en").value, place: $("event-place").value,
        starts_on: $("event-starts").value, ends_on: $("event-ends").value || $("event-starts").value,
        municipality: $("event-municipality").value, themes: chosen, link: $("event-link").value
      }).then(function () {
        $("event-form").reset();
        status("Evenement vastgezet.");
        return refreshEvents();
      }).catch(function (err) { status(err.message); });
    });
    $("reply-admin-form").addEventListener("submit", function (e) {
      e.preventDefault();
      var id = $("reply-id").value;
      api("POST", "/api/replies" + (id ? "/" + id : ""), {
        language: $("reply-language").value, title: $("reply-title").value, text: $("reply-text").value
      }).then(function () {
        $("reply-admin-form").reset(); $("reply-id").value = "";
        status("Standaardantwoord opgeslagen.");
        return refreshReplies();
      }).catch(function (err) { status(err.message); });
    });
    document.addEventListener("keydown", shortcut);
    // Times like "3 min geleden" stay true while the page is open.
    setInterval(function () {
      if (!state.me) return;
      [refreshQueue, refreshTasks, refreshAmbassadors, refreshEvents].forEach(function (f) { f().catch(function () {}); });
    }, 30000);
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
