// Buurtbot web chat: the page polls a small JSON API; the server's transcript is the truth,
// so a reload shows the whole conversation again and nothing typed is lost.
(() => {
  "use strict";
  const simulator = document.body.dataset.mode === "simulator";
  const list = document.getElementById("messages");
  const buttons = document.getElementById("buttons");
  const form = document.getElementById("composer");
  const input = document.getElementById("text");
  const status = document.getElementById("status");
  const language = document.getElementById("language");
  let last = 0;
  let sendError = "";
  // A send whose answer never came may still have been handled. Sent again, it carries the
  // same id, and the server handles it once. Forgotten once the page shows anything new:
  // then the resident can see whether it arrived, and the same words again are a new message.
  let unanswered = null; // { sent: JSON of the message, id }

  function show(data) {
    if (data.languages && !language.options.length) {
      language.add(new Option("Taal · اللغة · ቋንቋ · Language", ""));
      for (const l of data.languages) language.add(new Option(l.name, l.code));
    }
    if (data.ui) {
      document.querySelector('[data-testid="bot-notice"]').textContent = data.ui.notice;
      input.placeholder = data.ui.placeholder;
      input.setAttribute("aria-label", data.ui.message);
      form.querySelector('button[type="submit"]').setAttribute("aria-label", data.ui.send);
      sendError = data.ui.error;
    }
    document.documentElement.dir = data.dir;
    if (data.language) {
      language.value = data.language;
      document.documentElement.lang = data.language;
    }
    for (const m of data.messages) {
      if (m.id <= last) continue;
      last = m.id;
      unanswered = null;
      const li = document.createElement("li");
      li.className = m.from;
      li.dir = "auto";
      li.textContent = m.text;
      li.dataset.testid = m.from === "bot" ? "bot-message" : "resident-message";
      list.appendChild(li);
      if (m.from === "bot") showButtons(m.buttons);
      if (m.from === "resident") showButtons([]);
      if (simulator && m.from === "resident") showRisk(m.risk);
    }
    list.lastElementChild?.scrollIntoView({ block: "end" });
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
      b.addEventListener("click", () => post({ text: label, payload }));
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
    queue = queue.then(() => send(body));
    return queue;
  }

  async function send(body) {
    status.textContent = "";
    const sent = JSON.stringify(body);
    const id = unanswered && unanswered.sent === sent ? unanswered.id : newId();
    unanswered = { sent, id };
    try {
      const r = await fetch("/chat/api/send", {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify({ ...body, id, after: last }),
      });
      if (!r.ok) throw new Error(String(r.status));
      const data = await r.json();
      if (data.stored === false) {
        // Not stored (storage down): crisis lines straight from the server; the text stays.
        for (const text of data.direct || []) {
          const li = document.createElement("li");
          li.className = "bot";
          li.dir = "auto";
          li.textContent = text;
          li.dataset.testid = "bot-message";
          list.appendChild(li);
        }
        throw new Error("not stored");
      }
      show(data);
      unanswered = null;
      if (body.text === input.value.trim()) input.value = "";
    } catch (e) {
      // Keep what the resident typed in the box so nothing is lost.
      status.textContent = sendError || "Versturen lukt nu niet. Probeer het zo opnieuw.";
    }
  }

  async function poll() {
    try {
      const r = await fetch(`/chat/api/messages?after=${last}`);
      if (r.ok) show(await r.json());
    } catch (e) { /* offline for a moment: try again on the next tick */ }
  }

  form.addEventListener("submit", (ev) => {
    ev.preventDefault();
    const text = input.value.trim();
    if (text) post({ text });
  });
  language.addEventListener("change", () => {
    const name = language.options[language.selectedIndex].text;
    if (language.value) post({ text: name, payload: `lang:${language.value}` });
  });
  document.getElementById("reset").addEventListener("click", async () => {
    await fetch("/chat/api/reset", { method: "POST" });
    list.replaceChildren();
    buttons.replaceChildren();
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
