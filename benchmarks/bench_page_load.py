"""What a reader waits for: bytes moved and time to rendered math on a throttled network.

Serves a built site (``rlref build kb --out DIR``; pass ``DIR/site``) from a loopback server
that answers with gzip (level 6) when the browser asks for it, as any web server would, and
opens each page in headless Chromium with the network throttled through the DevTools
protocol (default 10 Mbit/s down, 40 ms round trip, empty cache). For each page it reports:

- ``kB`` — bytes transferred (the encoded body sizes Chromium counts, so gzip is counted);
- ``requests``;
- ``text`` — when the note's first paragraph is painted (visible, with its fonts laid out);
- ``math`` — when the first formula is rendered: a ``.katex`` element laid out with KaTeX's
  stylesheet applied and KaTeX's main font loaded (formulas are rendered at build time, so
  this waits on CSS and fonts, not on a script);
- ``raw`` — whether any ``\\(``/``\\[`` LaTeX is left as text in the page (should be 0).

    .venv/bin/python benchmarks/bench_page_load.py SITE_DIR [--mbit 10] [--rtt 40]
        [--page notes/AI/LLM/RL/PPO/PPO 原理.html ...]
"""

from __future__ import annotations

import argparse
import contextlib
import functools
import gzip
import http.server
import io
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote

CHROMIUM = "/usr/bin/chromium"
FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
PAGES = [
    "notes/AI/LLM/RL/PPO/PPO 原理.html",
    "notes/AI/LLM/RL/GRPO/GRPO 深度理解.html",
    "notes/AI/LLM/RL/DPO/DPO 原理.html",
    "notes/AI/LLM/RL/Fundamentals/KL散度.html",
    "notes/AI/LLM/RL/Fundamentals/GAE.html",
]
COMPRESSIBLE = (".html", ".js", ".css", ".json", ".svg", ".xml", ".txt", ".map")

# Runs in the page before its scripts: records when the first paragraph and the first formula
# are on screen, polled every animation frame.
PROBE = """
(() => {
  const seen = {};
  window.__rlrefSeen = seen;
  const katexFont = () => document.fonts && document.fonts.check('16px KaTeX_Main');
  function tick() {
    const now = performance.now();
    if (!('text' in seen)) {
      const p = document.querySelector('article p');
      if (p && p.getBoundingClientRect().height > 0) seen.text = now;
    }
    if (!('math' in seen)) {
      const k = document.querySelector('article .katex');
      if (k && k.getBoundingClientRect().height > 0 && katexFont()) {
        const family = getComputedStyle(k).fontFamily || '';
        if (family.includes('KaTeX')) seen.math = now;
      }
    }
    if (!('text' in seen && 'math' in seen)) requestAnimationFrame(tick);
  }
  requestAnimationFrame(tick);
})();
"""


class GzipHandler(http.server.SimpleHTTPRequestHandler):
    """Static files, gzip-encoded (level 6) when the client accepts it."""

    def log_message(self, *args: object) -> None:  # quiet
        pass

    def send_head(self):  # type: ignore[override]
        path = Path(self.translate_path(self.path))
        if path.is_dir():
            path = path / "index.html"
        accepts = "gzip" in self.headers.get("Accept-Encoding", "")
        if not (path.is_file() and accepts and path.suffix in COMPRESSIBLE):
            return super().send_head()
        body = gzip.compress(path.read_bytes(), 6)
        self.send_response(200)
        self.send_header("Content-Type", self.guess_type(str(path)))
        self.send_header("Content-Encoding", "gzip")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()

        return io.BytesIO(body)


@contextlib.contextmanager
def serve(root: Path) -> Iterator[str]:
    handler = functools.partial(GzipHandler, directory=str(root))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()


def measure(browser, base: str, page_path: str, mbit: float, rtt_ms: float) -> dict:
    context = browser.new_context(viewport={"width": 1440, "height": 900})
    page = context.new_page()
    page.add_init_script(PROBE)
    cdp = context.new_cdp_session(page)
    cdp.send("Network.enable")
    cdp.send("Network.setCacheDisabled", {"cacheDisabled": True})
    cdp.send(
        "Network.emulateNetworkConditions",
        {
            "offline": False,
            "latency": rtt_ms,
            "downloadThroughput": mbit * 1e6 / 8,
            "uploadThroughput": mbit * 1e6 / 8,
        },
    )
    moved = {"bytes": 0, "requests": 0}

    def finished(event: dict) -> None:
        moved["bytes"] += event.get("encodedDataLength", 0)
        moved["requests"] += 1

    cdp.on("Network.loadingFinished", finished)
    started = time.perf_counter()
    page.goto(base + quote(page_path), wait_until="domcontentloaded", timeout=180_000)
    page.wait_for_function(
        "() => window.__rlrefSeen && 'text' in window.__rlrefSeen && "
        "('math' in window.__rlrefSeen || !document.querySelector('article .katex'))",
        timeout=180_000,
    )
    page.wait_for_timeout(1500)  # late requests (deferred scripts) still count as weight
    seen = page.evaluate("window.__rlrefSeen")
    raw = page.evaluate(
        r"""() => {
          const root = document.querySelector('article') || document.body;
          const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
          let n = 0;
          for (let node = walker.nextNode(); node; node = walker.nextNode()) {
            if (node.parentElement.closest('pre, code, annotation, script, style')) continue;
            if (/\\\(|\\\[/.test(node.nodeValue)) n++;
          }
          return n;
        }"""
    )
    context.close()
    return {
        "page": page_path,
        "kB": moved["bytes"] / 1000,
        "requests": moved["requests"],
        "text_s": seen.get("text", float("nan")) / 1000,
        "math_s": seen.get("math", float("nan")) / 1000,
        "raw": raw,
        "wall_s": time.perf_counter() - started,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("site", type=Path)
    parser.add_argument("--mbit", type=float, default=10.0)
    parser.add_argument("--rtt", type=float, default=40.0)
    parser.add_argument("--page", action="append", dest="pages")
    args = parser.parse_args()
    from playwright.sync_api import sync_playwright

    with serve(args.site) as base, sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        print(f"{args.mbit:g} Mbit/s, {args.rtt:g} ms round trip, gzip -6, empty cache")
        print(f"{'page':58} {'kB':>8} {'req':>4} {'text s':>7} {'math s':>7} {'raw':>4}")
        for page_path in args.pages or PAGES:
            row = measure(browser, base, page_path, args.mbit, args.rtt)
            print(
                f"{row['page']:58} {row['kB']:8.0f} {row['requests']:4d} "
                f"{row['text_s']:7.2f} {row['math_s']:7.2f} {row['raw']:4d}"
            )
        browser.close()


if __name__ == "__main__":
    main()
