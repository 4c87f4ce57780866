"""The HTML report in a real headless browser (Chromium): the page the dry-run writes is served
from 127.0.0.1, loaded, and then

* the browser asks for nothing but the page (self-contained: no script, font, image or style
  fetched from anywhere);
* the DOM it builds has every plot and table the page's markup has (nothing dropped by a
  browser's error recovery);
* its screenshot shows the plots drawn: the rulesets' series colours are on the screen.

Skipped where no Chromium is installed; CI installs one (.ci/run) and there a missing browser
fails the test instead."""
from __future__ import annotations

import http.server
import os
import shutil
import struct
import subprocess
import threading
import zlib
from pathlib import Path

import pytest

import slarules
from slarules.tools.htmlreport import PALETTE, render_report
from slarules.tools.simulate import simulate
from tests.conftest import ROOT

BROWSER = next((found for name in ("chromium", "chromium-browser", "google-chrome")
                if (found := shutil.which(name))), None)
if BROWSER is None:
    if os.environ.get("CI"):
        raise RuntimeError("CI installs Chromium for the report's browser test (.ci/run); none was found")
    pytest.skip("no Chromium installed", allow_module_level=True)

FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--hide-scrollbars"]


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    """The dry-run page (proposed against Acme, simulated) served on 127.0.0.1; yields its address,
    its markup and the list of paths the server was asked for."""
    folder = tmp_path_factory.mktemp("page")
    current = slarules.load(ROOT / "rulesets" / "acme_contact_center.sla")
    proposed = slarules.load(ROOT / "tests" / "golden" / "dryrun" / "acme_proposed.sla")
    history = slarules.read_history(current, ROOT / "rulesets" / "acme_contact_center.csv")
    page = render_report({"proposed": (proposed, proposed.evaluate(history)),
                          "current": (current, current.evaluate(history))},
                         history, simulate({"proposed": proposed, "current": current}, history, 200, 3))
    (folder / "report.html").write_text(page, encoding="utf-8")
    asked: list[str] = []

    class Handler(http.server.SimpleHTTPRequestHandler):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, directory=str(folder), **kwargs)

        def do_GET(self):
            asked.append(self.path)
            super().do_GET()

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/report.html", page, asked
    finally:
        server.shutdown()
        server.server_close()


def _browser(args: list[str], profile: Path) -> subprocess.CompletedProcess:
    return subprocess.run([BROWSER, *FLAGS, f"--user-data-dir={profile}", *args], capture_output=True,
                          text=True, timeout=180)


def test_the_browser_builds_every_plot_and_table_and_fetches_nothing_else(served, tmp_path):
    address, page, asked = served
    done = _browser(["--dump-dom", address], tmp_path / "profile")
    assert done.returncode == 0, done.stderr[-2000:]
    dom = done.stdout
    for element in ("<svg", "<table", "<h2", "<title"):
        assert dom.count(element) == page.count(element) > 0, element
    assert 'id="simulation-table"' in dom and 'id="difference"' in dom
    assert [path for path in asked if path != "/favicon.ico"] == ["/report.html"]


def _pixels(png: bytes) -> set[tuple[int, int, int]]:
    """The distinct RGB colours of an 8-bit RGB or RGBA PNG (the screenshot Chromium writes)."""
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    position, data, header = 8, b"", None
    while position < len(png):
        length, kind = struct.unpack(">I4s", png[position:position + 8])
        body = png[position + 8:position + 8 + length]
        if kind == b"IHDR":
            header = struct.unpack(">IIBBBBB", body)
        elif kind == b"IDAT":
            data += body
        position += 12 + length
    width, height, depth, colour, _, _, interlace = header
    assert depth == 8 and colour in (2, 6) and interlace == 0, header
    channels = 3 if colour == 2 else 4
    raw, stride = zlib.decompress(data), width * channels
    previous, colours = bytearray(stride), set()
    for row in range(height):
        start = row * (stride + 1)
        kind, line = raw[start], bytearray(raw[start + 1:start + 1 + stride])
        for i in range(stride):
            left = line[i - channels] if i >= channels else 0
            up, corner = previous[i], previous[i - channels] if i >= channels else 0
            if kind == 1:
                line[i] = (line[i] + left) & 255
            elif kind == 2:
                line[i] = (line[i] + up) & 255
            elif kind == 3:
                line[i] = (line[i] + (left + up) // 2) & 255
            elif kind == 4:
                guess = left + up - corner
                near = min((abs(guess - left), 0, left), (abs(guess - up), 1, up), (abs(guess - corner), 2, corner))
                line[i] = (line[i] + near[2]) & 255
        colours.update(tuple(line[i:i + 3]) for i in range(0, stride, channels))
        previous = line
    return colours


def test_the_screenshot_shows_the_plots_drawn(served, tmp_path):
    address, _, _ = served
    shot = tmp_path / "report.png"
    # the top of the page: the totals, the difference per period and the first curves
    done = _browser([f"--screenshot={shot}", "--window-size=800,1800", address], tmp_path / "profile")
    assert done.returncode == 0 and shot.exists(), done.stderr[-2000:]
    colours = _pixels(shot.read_bytes())
    # the two rulesets' series colours (proposed, current), as the curves and bars draw them
    for hex_colour in PALETTE[:2]:
        rgb = tuple(int(hex_colour[i:i + 2], 16) for i in (1, 3, 5))
        assert rgb in colours, hex_colour
    assert len(colours) > 50  # text, axes, anti-aliased curves: not a blank or one-colour page
