// Buurtbot web chat: the page polls a small JSON API; the server's transcript is the truth,
// so a reload shows the whole conversation again and nothing typed is lost.
(() => {
  "use strict";
  const simulator = document.body.dataset.mode === "simulator";
  // The simulator (behind the dashboard login) has an API of its own, in the same shapes.
  const api = simulator ? "/simulator/api" : "/chat/api";
  const list = document.getElementById("messages");
  const buttons = document.getElementById("buttons");
  const form = document.getElementById("composer");
  const input = document.getElementById("text");
  const status = document.getElementById("status");
  const language = document.getElementById("language");
  let last = 0;
  let sendError = "";
  let retrying = "";
  // A send whose answer never came may still have been handled. Sent again, it carries the
  // same id, and the server handles it once. Forgotten once the page shows anything new:
  // then the resident can see whether it arrived, and the same words again are a new message.
  let unanswered = null; // { sent: JSON of the message, id }

  const newBelow = document.getElementById("new-below");
  const notice = document.querySelector('[data-testid="bot-notice"]');
  const attention = window.BuurtbotAttention;
  let texts = {};
  let caseOpen = false;

  // Within a few pixels of the end of the list: the resident reads the newest messages. Only
  // then does the list follow what comes in; a resident reading back up is never moved.
  function atBottom() {
    return list.scrollHeight - list.scrollTop - list.clientHeight <= 48;
  }

  function toBottom() {
    list.scrollTop = list.scrollHeight;
  }

  function looked() {
    if (document.hidden || !atBottom()) return;
    newBelow.hidden = true;
    attention.seen();
  }

  function showPerson(person) {
    // The header says who answers now: the bot, or a person of the buurtteam by name.
    const name = person && person.name;
    document.body.classList.toggle("with-person", Boolean(name));
    if (name && texts.person) notice.textContent = texts.person.replaceAll("{name}", name);
    else if (texts.notice) notice.textContent = texts.notice;
  }

  function bubble(m) {
    const li = document.createElement("li");
    li.className = m.from;
    li.dir = "auto";
    li.dataset.testid = `${m.from}-message`;
    if (m.from === "worker") {
      const who = document.createElement("span");
      who.className = "sender";
      who.dataset.testid = "sender";
      who.textContent = `${m.name} · ${texts.team || "buurtteam"}`;
      li.append(who);
    }
    li.append(window.BuurtbotLinks.fragment(m.text));
    return li;
  }

  function show(data) {
    if (data.languages && !language.options.length) {
      language.add(new Option("Taal · اللغة · ቋንቋ · Language", ""));
      for (const l of data.languages) language.add(new Option(l.name, l.code));
    }
    if (data.ui) {
      texts = data.ui;
      input.placeholder = data.ui.placeholder;
      input.setAttribute("aria-label", data.ui.message);
      form.querySelector('button[type="submit"]').setAttribute("aria-label", data.ui.send);
      newBelow.textContent = `${data.ui.new} ↓`;
      sendError = data.ui.error;
      retrying = data.ui.retrying;
    }
    if ("person" in data) showPerson(data.person);
    if ("case" in data) caseOpen = Boolean(data.case);
    document.documentElement.dir = data.dir;
    if (data.language) {
      language.value = data.language;
      document.documentElement.lang = data.language;
    }
    const first = last === 0;
    const follow = first || atBottom();
    let added = false;
    for (const m of data.messages) {
      if (m.id <= last) continue;
      last = m.id;
      unanswered = null;
      const li = bubble(m);
      list.appendChild(li);
      added = true;
      if (m.from !== "resident") showButtons(m.buttons);
      if (m.from === "resident") showButtons([]);
      if (simulator && m.from === "resident") showRisk(m.risk);
      if (m.from === "worker" && !first) attention.answered(li, texts, m.name, follow && !document.hidden);
    }
    if (added && follow) toBottom();
    else if (added) newBelow.hidden = false;
    if (simulator && data.state !== undefined) showState(data.state);
  }

  function showButtons(items) {
    buttons.replaceChildren();
    for (const [label, payload] of items) {
      const b = document.createElement("button");
      b.type = "button";
      b.dir = "auto";
      b.textContent = label;
      b.dataset.testid = "chat-button";
      b.addEventListener("click", () => {
        post({ text: label, payload });
        toBottom(); // an answer pressed: the resident wants to see what comes next
      });
      buttons.appendChild(b);
    }
  }

  function showRisk(risk) {
    const field = document.getElementById("sim-risk");
    if (!risk) { field.textContent = "–"; return; }
    const phrases = risk.matches.map((m) => `${m.phrase} (${m.category}, ${m.language})`);
    field.textContent = `${risk.level}: ${phrases.join("; ")}`;
  }

  function showState(state) {
    document.getElementById("panel").hidden = false;
    document.getElementById("sim-flow").textContent = state?.flow ?? "–";
    document.getElementById("sim-node").textContent = state?.node ?? "–";
    document.getElementById("sim-vars").textContent = JSON.stringify(state?.vars ?? {}, null, 1);
  }

  function newId() {
    if (crypto.randomUUID) return crypto.randomUUID();
    // randomUUID needs https (or localhost); getRandomValues works on plain http as well.
    const bytes = crypto.getRandomValues(new Uint8Array(16));
    return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
  }

  // Sends go out one after another, in the order the resident made them; none is dropped.
  let queue = Promise.resolve();
  function post(body) {
    if (caseOpen) attention.askPermission(); // something the resident did: the browser may ask
    queue = queue.then(() => send(body));
    return queue;
  }

  // A send that fails for a passing reason (no connection, the server or the database away)
  // is tried again by itself, with the same id, after 1, 2, 4 ... up to 15 seconds; later
  // messages wait behind it, so the order holds. Pressing send again tries at once. It stops
  // at a refusal (4xx), or after TRIES tries (about two minutes), so that one message the
  // server keeps failing on cannot hold up the rest: then the text stays in the box.
  const RETRY_MAX_MS = 15000;
  const TRIES = 10;
  let wake = null; // ends the wait before the next try
  let trying = null; // JSON of the message on its way, until it arrived or was given up

  function pause(ms) {
    return new Promise((resolve) => {
      const timer = setTimeout(resolve, ms);
      wake = () => { clearTimeout(timer); resolve(); };
    });
  }

  function showDirect(lines) {
    for (const text of lines) list.appendChild(bubble({ from: "bot", text }));
    toBottom();
  }

  // One try: "done", "refused" (4xx: trying again will not help), "direct" (not stored, the
  // crisis lines came straight from the server) or "again".
  async function attempt(body, id, directShown) {
    let r;
    try {
      r = await fetch(`${api}/send`, {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify({ ...body, id, after: last }),
      });
    } catch (e) {
      return "again"; // no connection
    }
    if (r.status === 429) {
      // Too many messages in a short time: the reason in the resident's language, and the
      // crisis lines when the message showed risk. The text stays in the box.
      const data = await r.json().catch(() => ({}));
      if (!directShown) showDirect(data.direct || []);
      if (data.error) status.dataset.reason = data.error;
      return "refused";
    }
    if (r.status >= 400 && r.status < 500) return "refused";
    if (!r.ok) return "again";
    const data = await r.json();
    if (data.stored === false) {
      // Storage is down: crisis lines came straight from the server. The message is sent
      // again until it is stored, so that a social worker sees it.
      if (!directShown) showDirect(data.direct || []);
      return "direct";
    }
    show(data);
    if (body.text === input.value.trim()) input.value = "";
    return "done";
  }

  async function send(body) {
    status.textContent = "";
    const sent = JSON.stringify(body);
    const id = unanswered && unanswered.sent === sent ? unanswered.id : newId();
    unanswered = { sent, id };
    trying = sent;
    let delay = 1000;
    let directShown = false;
    for (let tries = 1; ; tries++) {
      const outcome = await attempt(body, id, directShown);
      if (outcome === "done") {
        unanswered = null;
        trying = null;
        status.textContent = "";
        return;
      }
      if (outcome === "refused" || tries >= TRIES) {
        // Keep what the resident typed in the box so nothing is lost.
        trying = null;
        status.textContent =
          status.dataset.reason || sendError || "Versturen lukt nu niet. Probeer het zo opnieuw.";
        delete status.dataset.reason;
        return;
      }
      directShown = directShown || outcome === "direct";
      status.textContent = retrying || "Versturen lukt nu even niet. Ik probeer het vanzelf opnieuw.";
      await pause(delay);
      wake = null;
      delay = Math.min(delay * 2, RETRY_MAX_MS);
    }
  }

  async function poll() {
    try {
      const r = await fetch(`${api}/messages?after=${last}`);
      if (r.ok) show(await r.json());
    } catch (e) { /* offline for a moment: try again on the next tick */ }
  }

  // A photo, PDF or voice recording (issue 19): sent once, in order with the messages; the
  // server checks what it is and answers like any message (too large, not allowed, arrived).
  const file = document.getElementById("file");
  if (simulator) document.getElementById("attach").hidden = true;
  file.addEventListener("change", () => {
    const chosen = file.files && file.files[0];
    if (!chosen) return;
    queue = queue.then(async () => {
      const data = new FormData();
      data.append("id", newId());
      data.append("after", String(last));
      data.append("file", chosen);
      try {
        const r = await fetch(`${api}/upload`, { method: "POST", body: data });
        if (r.ok) show(await r.json());
        else status.textContent = sendError || "Versturen lukt nu niet. Probeer het zo opnieuw.";
      } catch (e) {
        status.textContent = sendError || "Versturen lukt nu niet. Probeer het zo opnieuw.";
      }
      file.value = "";
      toBottom();
    });
  });

  form.addEventListener("submit", (ev) => {
    ev.preventDefault();
    const text = input.value.trim();
    if (!text) return;
    if (trying === JSON.stringify({ text })) {
      // The same message, still on its way (the box keeps it until it arrived): not twice;
      // if it waits for its next try, try at once.
      if (wake) wake();
      return;
    }
    post({ text });
    toBottom(); // the resident wrote: they want to see the answer
  });
  list.addEventListener("scroll", looked, { passive: true });
  document.addEventListener("visibilitychange", looked);
  window.addEventListener("focus", looked);
  newBelow.addEventListener("click", () => { toBottom(); looked(); });
  language.addEventListener("change", () => {
    const name = language.options[language.selectedIndex].text;
    if (language.value) post({ text: name, payload: `lang:${language.value}` });
  });
  document.getElementById("reset").addEventListener("click", async () => {
    await fetch(`${api}/reset`, { method: "POST" });
    list.replaceChildren();
    buttons.replaceChildren();
    attention.seen();
    last = 0;
    unanswered = null;
    post({ text: "/start" });
  });

  (async () => {
    await poll();
    if (last === 0) await post({ text: "/start" });
    setInterval(poll, 2000);
  })();
})();
