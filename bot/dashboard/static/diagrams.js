// Draws the flows on the Flows page with the vendored Mermaid (static/vendor/README.md).
"use strict";
(function () {
  if (!window.mermaid) return;
  window.mermaid.initialize({ startOnLoad: false, securityLevel: "strict", flowchart: { htmlLabels: false } });
  // Drawing a closed <details> gives a drawing of size zero: draw each one when it opens.
  async function draw(details) {
    const pre = details.querySelector("pre.mermaid:not([data-processed])");
    if (pre) await window.mermaid.run({ nodes: [pre] });
  }
  for (const details of document.querySelectorAll("details.diagram")) {
    if (details.open) draw(details);
    details.addEventListener("toggle", () => { if (details.open) draw(details); });
  }
})();
