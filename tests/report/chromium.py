"""A small Chrome DevTools client for headless Chromium over a pipe (standard library only).

Chromium is Debian's (``/usr/bin/chromium``, or ``$CHROMIUM``), never a downloaded build. It
is started with ``--remote-debugging-pipe``: commands go to its file descriptor 3 and replies
come from 4, as NUL-terminated JSON, so no port is opened and no extra package is needed.

Used by the report's browser tests and, from the command line, to take pictures of a report::

    .venv/bin/python -m tests.report.chromium REPORT.html OUT.png            # first page, print
    .venv/bin/python -m tests.report.chromium REPORT.html DIR --all-pages    # every page
"""

from __future__ import annotations

import argparse
import base64
import contextlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Mapping
from pathlib import Path
from typing import Any

#: Flags for a headless run as root on a machine without a display or network.
FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
    "--hide-scrollbars",
    "--mute-audio",
)
#: A4 in CSS pixels (96 per inch): 210 mm x 297 mm.
A4_WIDTH_PX = 210 / 25.4 * 96
A4_HEIGHT_PX = 297 / 25.4 * 96


def find_chromium() -> str | None:
    """Path of the system Chromium (``$CHROMIUM`` first), or None."""
    for name in (os.environ.get("CHROMIUM"), "chromium", "chromium-browser"):
        if name and (path := shutil.which(name)):
            return path
    return None


class Chromium:
    """One headless Chromium with one page, driven through the DevTools protocol.

    Events received while waiting for replies are kept in :attr:`events`.
    """

    def __init__(self, binary: str, *, timeout: float = 60.0) -> None:
        self.timeout = timeout
        self.events: list[dict[str, Any]] = []
        self._profile = tempfile.mkdtemp(prefix="tfp-chromium-")
        to_child, self._write = os.pipe()
        self._read, from_child = os.pipe()

        def fds() -> (
            None
        ):  # in the child: its fd 3 reads our commands, fd 4 writes replies
            a, b = os.dup(to_child), os.dup(from_child)
            os.dup2(a, 3)
            os.dup2(b, 4)

        self._proc = subprocess.Popen(
            [
                binary,
                *FLAGS,
                f"--user-data-dir={self._profile}",
                "--remote-debugging-pipe",
                "about:blank",
            ],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            preexec_fn=fds,
            pass_fds=(3, 4),
            close_fds=True,
        )
        os.close(to_child)
        os.close(from_child)
        self._buffer = b""
        self._id = 0
        self.session: str | None = None
        targets = self.send("Target.getTargets")["targetInfos"]
        page = next(t for t in targets if t["type"] == "page")
        attached = self.send(
            "Target.attachToTarget", targetId=page["targetId"], flatten=True
        )
        self.session = attached["sessionId"]
        for domain in ("Page", "Runtime", "Log"):
            self.send(f"{domain}.enable")

    # -- protocol ------------------------------------------------------------------------

    def _message(self) -> dict[str, Any]:
        deadline = time.monotonic() + self.timeout
        while b"\0" not in self._buffer:
            if time.monotonic() > deadline:
                raise TimeoutError("Chromium did not answer in time")
            chunk = os.read(self._read, 1 << 20)
            if not chunk:
                raise RuntimeError("Chromium closed the DevTools pipe")
            self._buffer += chunk
        raw, self._buffer = self._buffer.split(b"\0", 1)
        message: dict[str, Any] = json.loads(raw)
        return message

    def send(self, method: str, **params: Any) -> dict[str, Any]:
        """Send one command and return its result (raises on a protocol error)."""
        self._id += 1
        msg: dict[str, Any] = {"id": self._id, "method": method, "params": params}
        if self.session is not None and not method.startswith("Target."):
            msg["sessionId"] = self.session
        os.write(self._write, json.dumps(msg).encode() + b"\0")
        while True:
            reply = self._message()
            if reply.get("id") == self._id:
                if "error" in reply:
                    raise RuntimeError(f"{method}: {reply['error']}")
                result: dict[str, Any] = reply.get("result", {})
                return result
            if "method" in reply:
                self.events.append(reply)

    def wait_for(self, event: str, *, timeout: float | None = None) -> dict[str, Any]:
        """Wait for an event (already received ones count)."""
        deadline = time.monotonic() + (timeout or self.timeout)
        seen = 0
        while time.monotonic() < deadline:
            for e in self.events[seen:]:
                if e.get("method") == event:
                    return e
            seen = len(self.events)
            reply = self._message()
            if "method" in reply:
                self.events.append(reply)
        raise TimeoutError(f"no {event} event")

    # -- page ----------------------------------------------------------------------------

    def load(self, path: Path, *, width: int = 1100, height: int = 1400) -> None:
        """Open a local file and wait until it and its images have loaded."""
        self.viewport(width, height)
        self.events.clear()
        self.send("Page.navigate", url=Path(path).resolve().as_uri())
        self.wait_for("Page.loadEventFired")

    def viewport(self, width: int, height: int) -> None:
        """Set the layout viewport (CSS pixels, device scale 1)."""
        self.send(
            "Emulation.setDeviceMetricsOverride",
            width=int(width),
            height=int(height),
            deviceScaleFactor=1,
            mobile=False,
        )

    def media(self, media: str) -> None:
        """Emulate a CSS media type: ``"print"`` or ``"screen"``; ``""`` ends emulation."""
        self.send("Emulation.setEmulatedMedia", media=media)

    def evaluate(self, expression: str) -> Any:
        """Evaluate JavaScript in the page and return its value (JSON)."""
        out = self.send(
            "Runtime.evaluate",
            expression=expression,
            returnByValue=True,
            awaitPromise=True,
        )
        if "exceptionDetails" in out:
            raise RuntimeError(f"JavaScript error: {out['exceptionDetails']}")
        return out["result"].get("value")

    def console_errors(self) -> list[str]:
        """Console errors, uncaught exceptions and failed loads seen since :meth:`load`."""
        errors = []
        for e in self.events:
            p: Mapping[str, Any] = e.get("params", {})
            if e["method"] == "Runtime.exceptionThrown":
                errors.append(str(p.get("exceptionDetails", {}).get("text")))
            elif e["method"] == "Runtime.consoleAPICalled" and p.get("type") in (
                "error",
                "assert",
            ):
                errors.append(" ".join(str(a.get("value")) for a in p.get("args", [])))
            elif e["method"] == "Log.entryAdded" and p["entry"]["level"] == "error":
                errors.append(str(p["entry"].get("text")))
        return errors

    def screenshot(self, path: Path, *, full_page: bool = False) -> None:
        """Save a PNG of the viewport (or of the whole page)."""
        params: dict[str, Any] = {"format": "png"}
        if full_page:
            size = self.evaluate(
                "[document.documentElement.scrollWidth, document.documentElement.scrollHeight]"
            )
            params |= {
                "captureBeyondViewport": True,
                "clip": {
                    "x": 0,
                    "y": 0,
                    "width": size[0],
                    "height": size[1],
                    "scale": 1,
                },
            }
        data = self.send("Page.captureScreenshot", **params)["data"]
        Path(path).write_bytes(base64.b64decode(data))

    def print_pdf(self, path: Path) -> None:
        """Print the page to PDF as the browser would (A4, the page's @page rules)."""
        data = self.send(
            "Page.printToPDF",
            preferCSSPageSize=True,
            printBackground=True,
            paperWidth=210 / 25.4,
            paperHeight=297 / 25.4,
        )["data"]
        Path(path).write_bytes(base64.b64decode(data))

    def close(self) -> None:
        """Close the browser (its own process only) and remove the profile."""
        with contextlib.suppress(RuntimeError, TimeoutError, OSError):
            self.send("Browser.close")
        try:
            self._proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self._proc.kill()
            self._proc.wait()
        for fd in (self._read, self._write):
            with contextlib.suppress(OSError):
                os.close(fd)
        shutil.rmtree(self._profile, ignore_errors=True)

    def __enter__(self) -> Chromium:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _pdf_pages(pdf: Path, out: Path, first_only: bool) -> list[Path]:
    """PNG pictures of a PDF's pages with pdftoppm (poppler-utils)."""
    args = ["pdftoppm", "-png", "-r", "100"]
    args += ["-f", "1", "-l", "1", "-singlefile"] if first_only else []
    subprocess.run([*args, str(pdf), str(out)], check=True)
    return sorted(out.parent.glob(out.name + "*.png"))


def main(argv: list[str] | None = None) -> int:
    """Pictures of a report: its first printed page, or every page (screen and print)."""
    ap = argparse.ArgumentParser(description=main.__doc__)
    ap.add_argument("html", type=Path)
    ap.add_argument("out", type=Path, help="PNG file, or a directory with --all-pages")
    ap.add_argument("--all-pages", action="store_true")
    args = ap.parse_args(argv)
    binary = find_chromium()
    if binary is None:
        print("no chromium found", file=sys.stderr)
        return 1
    with Chromium(binary) as browser:
        browser.load(args.html, width=int(A4_WIDTH_PX), height=int(A4_HEIGHT_PX))
        with tempfile.TemporaryDirectory() as tmp:
            pdf = Path(tmp) / "print.pdf"
            browser.print_pdf(pdf)
            if not args.all_pages:
                (page,) = _pdf_pages(pdf, Path(tmp) / "page", first_only=True)
                shutil.copyfile(page, args.out)
                return 0
            args.out.mkdir(parents=True, exist_ok=True)
            for i, page in enumerate(_pdf_pages(pdf, Path(tmp) / "print", False), 1):
                shutil.copyfile(page, args.out / f"print-{i:02d}.png")
        browser.load(args.html, width=1100, height=1400)
        height = browser.evaluate("document.documentElement.scrollHeight")
        for i, top in enumerate(range(0, int(height), 1400), 1):
            browser.evaluate(f"window.scrollTo(0, {top})")
            browser.screenshot(args.out / f"screen-{i:02d}.png")
    return 0


if __name__ == "__main__":
    sys.exit(main())
