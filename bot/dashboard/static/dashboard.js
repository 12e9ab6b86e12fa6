// Buurtbot dashboard: live updates (Server-Sent Events), waiting times, the urgent signal,
// and small comforts (canned replies, Ctrl+Enter, the close dialog). Everything works without
// this script too, with a reload.
(() => {
  "use strict";

  const body = document.body;
  const page = body.dataset.page;
  const csrf = document.querySelector('meta[name="csrf-token"]')?.content || "";
  const live = body.dataset.live === "1";

  function toLogin() {
    const next = encodeURIComponent(location.pathname + location.search);
    location.href = `/dashboard/login?expired=1&next=${next}`;
  }

  async function get(url) {
    const response = await fetch(url, {
      credentials: "same-origin",
      headers: { Accept: "application/json, text/html" },
    });
    if (response.status === 401) {
      toLogin();
      throw new Error("logged out");
    }
    if (!response.ok) throw new Error(`${url}: ${response.status}`);
    return response;
  }

  // --- sound: a short, soft two-tone beep made with WebAudio (no files) ----------------------

  let audio = null;
  let soundOn = localStorage.getItem("buurtbot.sound") !== "off";
  const soundButton = document.getElementById("sound-toggle");

  function ensureAudio() {
    const Context = window.AudioContext || window.webkitAudioContext;
    if (!Context) return null;
    if (!audio) audio = new Context();
    if (audio.state === "suspended") audio.resume().catch(() => {});
    return audio;
  }
  // Browsers allow sound only after the person touched the page once.
  for (const type of ["pointerdown", "keydown"]) {
    addEventListener(type, ensureAudio, { passive: true });
  }

  function beep() {
    window.__buurtbotBeeps = (window.__buurtbotBeeps || 0) + 1; // for tests
    if (!soundOn) return;
    const context = ensureAudio();
    if (!context) return;
    const start = context.currentTime + 0.01;
    [880, 660].forEach((frequency, i) => {
      const at = start + i * 0.22;
      const oscillator = context.createOscillator();
      const gain = context.createGain();
      oscillator.type = "sine";
      oscillator.frequency.value = frequency;
      gain.gain.setValueAtTime(0.0001, at);
      gain.gain.exponentialRampToValueAtTime(0.18, at + 0.02);
      gain.gain.exponentialRampToValueAtTime(0.0001, at + 0.18);
      oscillator.connect(gain).connect(context.destination);
      oscillator.start(at);
      oscillator.stop(at + 0.2);
    });
  }

  function showSound() {
    if (!soundButton) return;
    soundButton.setAttribute("aria-pressed", String(soundOn));
    soundButton.textContent = soundOn ? soundButton.dataset.on : soundButton.dataset.off;
  }
  soundButton?.addEventListener("click", () => {
    soundOn = !soundOn;
    localStorage.setItem("buurtbot.sound", soundOn ? "on" : "off");
    showSound();
    if (soundOn) beep();
  });
  showSound();

  // --- waiting times ---------------------------------------------------------------------

  function waited(since) {
    const minutes = Math.max(0, Math.floor((Date.now() - Date.parse(since)) / 60000));
    const hours = Math.floor(minutes / 60);
    const days = Math.floor(hours / 24);
    const fill = (format, values) => format.replace(/%\((\w)\)s/g, (_, k) => values[k]);
    if (days) return fill(body.dataset.waitedD, { d: days, h: hours % 24 });
    if (hours) return fill(body.dataset.waitedH, { h: hours, m: String(minutes % 60).padStart(2, "0") });
    if (!minutes) return body.dataset.waitedNow;
    return fill(body.dataset.waitedM, { m: minutes });
  }

  function tick() {
    for (const element of document.querySelectorAll("time[data-since]")) {
      element.textContent = waited(element.dataset.since);
    }
  }
  setInterval(tick, 30000);

  // --- the urgent signal -------------------------------------------------------------------

  const banner = document.getElementById("urgent-banner");
  const count = document.getElementById("waiting-count");
  const title = document.title;
  let knownUrgent = new Set((body.dataset.urgent || "").split(",").filter(Boolean));

  function onSummary(summary) {
    if (count) count.textContent = String(summary.waiting);
    const urgent = new Set(summary.urgent.map(String));
    if (banner) banner.hidden = urgent.size === 0;
    document.title = (urgent.size ? `(! ${urgent.size}) ` : summary.waiting ? `(${summary.waiting}) ` : "") + title;
    const fresh = [...urgent].filter((id) => !knownUrgent.has(id));
    knownUrgent = urgent;
    if (fresh.length) {
      beep();
      banner?.classList.remove("flash");
      void banner?.offsetWidth; // restart the animation
      banner?.classList.add("flash");
    }
  }
  // A gentle reminder while an urgent case waits for somebody.
  setInterval(() => {
    if (knownUrgent.size) beep();
  }, 120000);

  // --- the queue ---------------------------------------------------------------------------

  const lists = document.getElementById("queue-lists");
  let queueBusy = null;

  async function refreshQueue() {
    if (!lists) return;
    if (queueBusy) return queueBusy.then(refreshQueue);
    queueBusy = (async () => {
      const before = new Set([...lists.querySelectorAll("[data-case]")].map((e) => e.dataset.case));
      const html = await (await get("/dashboard/queue/rows" + location.search)).text();
      lists.innerHTML = html;
      for (const row of lists.querySelectorAll("[data-case]")) {
        if (!before.has(row.dataset.case)) row.classList.add("arrived");
      }
      tick();
    })().finally(() => {
      queueBusy = null;
    });
    return queueBusy;
  }

  // --- a case ------------------------------------------------------------------------------

  const caseBox = document.getElementById("case");
  const transcript = document.getElementById("transcript");
  const noteList = document.getElementById("note-list");
  const changed = document.getElementById("case-changed");
  let caseBusy = null;

  function nearBottom(element) {
    return element.scrollHeight - element.scrollTop - element.clientHeight < 120;
  }

  function toBottom(element) {
    if (element) element.scrollTop = element.scrollHeight;
  }

  async function refreshCase() {
    if (!caseBox) return;
    if (caseBusy) return caseBusy.then(refreshCase);
    caseBusy = (async () => {
      const id = caseBox.dataset.case;
      const after = caseBox.dataset.lastEntry;
      const notesAfter = caseBox.dataset.lastNote;
      const response = await get(`/dashboard/cases/${id}/updates?after=${after}&notes_after=${notesAfter}`);
      const update = await response.json();
      if (update.messages.trim()) {
        const stick = nearBottom(transcript);
        transcript.insertAdjacentHTML("beforeend", update.messages);
        if (stick) toBottom(transcript);
      }
      if (update.notes.trim()) noteList.insertAdjacentHTML("beforeend", update.notes);
      caseBox.dataset.lastEntry = update.last_entry;
      caseBox.dataset.lastNote = update.last_note;
      const status = document.getElementById("case-status");
      if (status) status.innerHTML = update.status_text;
      if (update.status !== caseBox.dataset.status || update.worker !== caseBox.dataset.worker) {
        changed.querySelector("span").innerHTML = update.status_text;
        changed.hidden = false;
      }
    })().finally(() => {
      caseBusy = null;
    });
    return caseBusy;
  }

  // --- the live connection -------------------------------------------------------------------

  const offline = document.getElementById("offline");
  let offlineTimer = null;

  function connect() {
    const source = new EventSource("/dashboard/events");
    source.addEventListener("open", () => {
      clearTimeout(offlineTimer);
      if (offline) offline.hidden = true;
      // Catch up on what happened between rendering the page and (re)connecting.
      if (caseBox) refreshCase().catch(() => {});
    });
    source.addEventListener("summary", (event) => {
      onSummary(JSON.parse(event.data));
      if (page === "queue") refreshQueue().catch(() => {});
    });
    source.addEventListener("cases", (event) => {
      const ids = JSON.parse(event.data).ids.map(String);
      if (caseBox && ids.includes(caseBox.dataset.case)) refreshCase().catch(() => {});
    });
    source.addEventListener("logout", () => {
      source.close();
      toLogin();
    });
    source.addEventListener("error", () => {
      clearTimeout(offlineTimer);
      offlineTimer = setTimeout(() => {
        if (offline) offline.hidden = false;
      }, 4000);
      if (source.readyState === EventSource.CLOSED) {
        // The server said no (e.g. 401): is the session still there?
        get("/dashboard/api/whoami").then(
          () => setTimeout(connect, 3000),
          () => setTimeout(connect, 10000),
        );
      }
    });
  }

  // --- activity (the idle timeout counts what a person does, not what this script does) ----

  let active = false;
  for (const type of ["keydown", "pointerdown", "pointermove", "scroll", "focus"]) {
    addEventListener(type, () => (active = true), { passive: true, capture: true });
  }
  if (live) {
    setInterval(() => {
      if (!active) return;
      active = false;
      fetch("/dashboard/api/alive", {
        method: "POST",
        credentials: "same-origin",
        headers: { "X-CSRF-Token": csrf },
      }).then((r) => r.status === 401 && toLogin(), () => {});
    }, 60000);
  }

  // --- forms -------------------------------------------------------------------------------

  // One press sends once: buttons are disabled right after the form went.
  for (const form of document.querySelectorAll("form[method=post]")) {
    form.addEventListener("submit", () => {
      setTimeout(() => {
        for (const button of form.querySelectorAll("button[type=submit]")) button.disabled = true;
      }, 0);
    });
  }

  const replyText = document.getElementById("reply-text");
  replyText?.addEventListener("keydown", (event) => {
    if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) {
      event.preventDefault();
      replyText.form.requestSubmit();
    }
  });

  const canned = document.getElementById("canned");
  canned?.addEventListener("change", () => {
    const option = canned.selectedOptions[0];
    if (!option?.dataset.text) return;
    const current = replyText.value.trim();
    replyText.value = current ? `${current}\n\n${option.dataset.text}` : option.dataset.text;
    canned.value = "";
    replyText.focus();
  });

  const dialog = document.getElementById("close-dialog");
  const closeCase = document.getElementById("close-case");
  if (dialog && closeCase && typeof dialog.showModal === "function") {
    closeCase.addEventListener("click", (event) => {
      event.preventDefault();
      dialog.showModal();
    });
    for (const cancel of dialog.querySelectorAll("[data-close-dialog]")) {
      cancel.addEventListener("click", (event) => {
        event.preventDefault();
        dialog.close();
      });
    }
  }

  // --- start -------------------------------------------------------------------------------

  toBottom(transcript);
  if (live) {
    connect();
    // A safety net under the live events (a proxy that buffers, a missed event): look again
    // now and then anyway.
    setInterval(() => {
      if (page === "queue") refreshQueue().catch(() => {});
      if (caseBox) refreshCase().catch(() => {});
    }, 15000);
  }
})();
