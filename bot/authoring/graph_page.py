"""`buurtbot flows graph <flow> --html FILE`: a web page that draws one flow, with the Mermaid
the dashboard vendors (bot/dashboard/static/vendor/README.md) inside the page, so it opens in
any browser, offline too, with nothing fetched from elsewhere."""

from __future__ import annotations

import html
from pathlib import Path

from bot.engine.model import Flow

VENDOR = Path(__file__).resolve().parents[1] / "dashboard" / "static" / "vendor"
MERMAID = VENDOR / "mermaid.min.js"

PAGE = """<!doctype html>
<html lang="nl">
<head>
<meta charset="utf-8">
<title>Flow {id} · Buurtbot</title>
<style>
body {{ font-family: system-ui, sans-serif; margin: 1.5rem; }}
pre.mermaid {{ background: #fff; }}
</style>
</head>
<body>
<h1>Flow <code>{id}</code>: {title}</h1>
<p>Gemaakt met <code>buurtbot flows graph {id} --html</code>. Rechthoek: de bot zegt iets;
parallellogram: een vraag; ruit: een keuze op een opgeslagen antwoord; rood: een medewerker
neemt het over.</p>
<pre class="mermaid" data-flow="{id}">{diagram}</pre>
<script>{mermaid}</script>
<script>
mermaid.initialize({{
  startOnLoad: false, securityLevel: "strict", flowchart: {{ htmlLabels: false }}
}});
mermaid.run({{ querySelector: "pre.mermaid" }});
</script>
</body>
</html>
"""


def write_page(path: Path, flow: Flow, diagram: str) -> Path:
    """Write the page to `path` (a folder gets `<flow>.html` in it); returns where."""
    if path.is_dir():
        path = path / f"{flow.id}.html"
    script = MERMAID.read_text(encoding="utf-8").replace("</script", "<\\/script")
    page = PAGE.format(
        id=html.escape(flow.id),
        title=html.escape(flow.title or ""),
        diagram=html.escape(diagram),
        mermaid=script,
    )
    path.write_text(page, encoding="utf-8")
    return path
