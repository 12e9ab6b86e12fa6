// When a social worker answers and the resident is not looking (another tab, or reading back
// up): the tab's title says so, a soft sound plays, a browser notification shows where the
// resident allowed it, and "New message" stays above the message until the resident sees it.
(() => {
  "use strict";
  const title = document.title;
  let audio = null;
  let unseen = null; // the marker <li> above the first message not seen yet

  // Browsers let a page play sound only after the resident did something on it: the sound is
  // made ready on the first tap or key.
  function ready() {
    if (audio || !(window.AudioContext || window.webkitAudioContext)) return;
    audio = new (window.AudioContext || window.webkitAudioContext)();
  }
  addEventListener("pointerdown", ready, { once: true, capture: true });
  addEventListener("keydown", ready, { once: true, capture: true });

  function chime() {
    document.body.dataset.chimes = String(Number(document.body.dataset.chimes || 0) + 1);
    if (!audio) return;
    audio.resume?.();
    const now = audio.currentTime;
    const gain = audio.createGain();
    gain.gain.setValueAtTime(0.0001, now);
    gain.gain.exponentialRampToValueAtTime(0.06, now + 0.03); // soft
    gain.gain.exponentialRampToValueAtTime(0.0001, now + 0.6);
    gain.connect(audio.destination);
    for (const [freq, start] of [[660, 0], [880, 0.18]]) {
      const tone = audio.createOscillator();
      tone.type = "sine";
      tone.frequency.value = freq;
      tone.connect(gain);
      tone.start(now + start);
      tone.stop(now + start + 0.42);
    }
  }

  // Asked once, while a case is open, on something the resident does (browsers allow the
  // question only then).
  function askPermission() {
    if ("Notification" in window && Notification.permission === "default") {
      Notification.requestPermission().catch(() => {});
    }
  }

  function notify(text, body) {
    if (!("Notification" in window) || Notification.permission !== "granted") return;
    try {
      const n = new Notification(text, { body, tag: "buurtbot", lang: document.documentElement.lang });
      n.onclick = () => { window.focus(); n.close(); };
      document.body.dataset.notified = String(Number(document.body.dataset.notified || 0) + 1);
    } catch (e) { /* some browsers allow notifications from a service worker only */ }
  }

  // A person answered. `looking`: the resident sees the message right now.
  function answered(li, texts, name, looking) {
    chime();
    if (looking) return;
    const line = (texts.answered || "{name}").replaceAll("{name}", name);
    document.title = `● ${line}`;
    notify(line, li.textContent.slice(0, 160));
    if (!unseen) {
      unseen = document.createElement("li");
      unseen.className = "marker";
      unseen.setAttribute("role", "status");
      unseen.dataset.testid = "new-message";
      unseen.textContent = texts.new || "Nieuw bericht";
      li.before(unseen);
    }
  }

  function seen() {
    unseen?.remove();
    unseen = null;
    document.title = title;
  }

  window.BuurtbotAttention = { answered, seen, askPermission, pending: () => unseen !== null };
})();
