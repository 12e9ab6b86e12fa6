// Phone numbers and web addresses in a message become links: `tel:` and `https:`. Built as DOM
// nodes from the text, never as HTML, so nothing a resident or worker writes can become markup.
// The same patterns as bot/channels/links.py, which marks them for Telegram.
(() => {
  "use strict";
  const EDGE = "[^\\s<>\"'\\u2066-\\u2069]";
  const TAIL = "[^\\s<>\"'\\u2066-\\u2069.,;:!?)\\]»]";
  const URL = `https?://${EDGE}*${TAIL}`;
  const DOMAIN = `(?:www\\.)?[a-z0-9][a-z0-9-]*(?:\\.[a-z0-9-]+)*\\.(?:nl|com|org|net|eu|info)(?:/(?:${EDGE}*${TAIL})?)?(?![\\w])`;
  const PHONE = "(?<![\\d€.,/-])(?:0\\d{2,3}-\\d{4,7}|0\\d{9}|11[23])(?![\\d]|[.,]\\d)";
  const PATTERN = new RegExp(`(?<![\\w@./-])(${URL}|${DOMAIN})|(${PHONE})`, "giu");

  function href(web, phone) {
    if (phone) return `tel:${phone.replace(/[^\d+]/g, "")}`;
    return /^https?:\/\//i.test(web) ? web : `https://${web}`;
  }

  function fragment(text) {
    const out = document.createDocumentFragment();
    let at = 0;
    for (const m of text.matchAll(PATTERN)) {
      if (m.index > at) out.append(document.createTextNode(text.slice(at, m.index)));
      const a = document.createElement("a");
      a.href = href(m[1], m[2]);
      a.textContent = m[0];
      if (m[1]) { a.target = "_blank"; a.rel = "noopener noreferrer"; }
      a.dir = "ltr";
      out.append(a);
      at = m.index + m[0].length;
    }
    if (at < text.length) out.append(document.createTextNode(text.slice(at)));
    return out;
  }

  window.BuurtbotLinks = { fragment };
})();
