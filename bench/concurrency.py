"""Twenty sessions stepping through the months at once for two minutes, on one server over loopback.

    .venv/bin/python bench/concurrency.py [--sessions 20] [--browsers 4] [--seconds 120] [--scale 1]

What runs (all on this machine's 2 cores, beside the server):
  - `browsers` sessions are real pages, one Chromium context each (one headless Chromium process for all):
    focus the time bar's month slider in the map, ArrowRight (or ArrowLeft on the way back), wait until the
    map frame's `data-date` takes the wanted month-end date, then until the app has taken the month up (the
    URL says so) and Streamlit reports the rerun finished;
  - the other sessions speak Streamlit's own WebSocket protocol from Python (the `websockets` package and
    Streamlit's protobuf classes): the same BackMsg a browser sends when the map reports a month (rerun_script
    with the map component's value, the id of the fragment that holds the map, and the page's query string),
    then read the ForwardMsgs until script_finished.
    A browser's work per step (React, the map frame) would run on the same 2 cores as the server and slow it
    down in a way remote users' browsers never would; these clients cost almost no CPU, so the server load is
    the load of 20 users. Their numbers do not include drawing: see `update_msg_ms` below.
Each session walks the months between 2014-01 and 2019-12 back and forth (sessions start at different
months), one step at a time, until the time is up; every step has a timeout (30 s), so every loop stops by
itself within `seconds` + 30 s.

Latency per step, from the moment the step is sent:
  update_msg_ms  until the WebSocket message that carries the stats of the new month arrives (the map itself
                 has drawn the month before anything was sent): both kinds of session, the same measure;
  in_page_ms     browser sessions only: keydown to `data-date` changed in the map frame (what a user sees);
  done_ms        until the rerun finished (script_finished / Streamlit's script state back to notRunning).
Errors: exceptions on the page (`.stException`) or in the ForwardMsgs (an Exception delta), timeouts,
responses with status >= 400, failed requests, WebSocket connections closed before the end, runs that did
not finish successfully, map updates that never came.

Server memory: VmRSS of the streamlit process and its descendants from /proc every 0.5 s: idle after start,
with 1 session (after `single` seconds of stepping alone), with all sessions open, peak and end of the loop,
after all sessions closed. The app keeps the layers once per process (st.cache_resource); to tell whether
sessions copy them, the growth per added session is compared with the memory the layers take when loaded
in a fresh Python process (`layers_mb`).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import subprocess
import sys
import time
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import websockets  # noqa: E402
from playwright.async_api import async_playwright  # noqa: E402
from streamlit.proto.BackMsg_pb2 import BackMsg  # noqa: E402
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg  # noqa: E402

from common import (SCRIPT_IDLE, WS_HOOK, ForeignWork, app_version, load_snapshot, machine,  # noqa: E402
                    summary, write_results)
from devtools.browser import CHROMIUM, CHROMIUM_FLAGS, MAP_FRAME, ROOT, start_server, stop_server  # noqa: E402
from geo.view import month_date, shift_month  # noqa: E402
from scale import data_for, tree_rss_mb  # noqa: E402

FIRST, LAST = "2014-01", "2019-12"
STEP_TIMEOUT = 30.0
MARKER = "Area held at the end of"  # the area panel's caption (its html element): what the rerun after a step sends
EXCEPTIONS = "() => document.querySelectorAll('.stException, [data-testid=\"stException\"]').length"

# Map frame: log every value data-date takes (dates repeat when walking back and forth), and let a caller wait
# for the first wanted date logged after a given index.
FRAME_LOG = """() => {
  if (window.__dateLog) return;
  window.__dateLog = []; window.__dateWaiters = []; window.__keyAt = [];
  window.addEventListener('keydown', e => {
    if (e.key === 'ArrowRight' || e.key === 'ArrowLeft') window.__keyAt.push(performance.timeOrigin + performance.now());
  }, true);
  const box = document.querySelector('.leaflet-container');
  new MutationObserver(() => {
    const e = {date: box.dataset.date, at: performance.timeOrigin + performance.now()};
    window.__dateLog.push(e);
    window.__dateWaiters = window.__dateWaiters.filter(w => !w(e));
  }).observe(box, {attributes: true, attributeFilter: ['data-date']});
}"""
FRAME_WAIT = """([from, date]) => new Promise(resolve => {
  const hit = window.__dateLog.slice(from).find(e => e.date === date);
  if (hit) return resolve(hit);
  window.__dateWaiters.push(e => { if (e.date === date) { resolve(e); return true; } return false; });
})"""
RESET_WS = "() => { window.__ws = {sent: null, marker: null, bytes: 0, messages: 0}; window.__url = null; }"


def iso(month: str) -> str:
    return month_date(month, date.today()).isoformat()


def walk(month: str, direction: int) -> tuple[str, int]:
    """The next month between FIRST and LAST, turning around at either end."""
    if (direction > 0 and month >= LAST) or (direction < 0 and month <= FIRST):
        direction = -direction
    return shift_month(month, direction), direction


def start_month(i: int) -> str:
    return shift_month(FIRST, (i * 7) % 60)


class Session:
    """One session's numbers."""

    def __init__(self, name: str, kind: str) -> None:
        self.name, self.kind = name, kind
        self.rows: list[dict] = []
        self.errors: list[str] = []
        self.open_ms: float | None = None
        self.opened = asyncio.Event()  # set once the session is open, or has failed to open
        self.error_at: list[float] = []  # time.monotonic() of each error (to tell those of a failover)
        # A run that kills a server on purpose (bench/cluster.py) sets reconnect: a closed WebSocket is then a
        # disconnect to recover from (a browser's frontend reconnects by itself; a Python client opens again),
        # counted apart from errors, with the time it took to step again.
        self.reconnect = False
        self.disconnects: list[dict] = []

    def error(self, text: str, at: float | None = None) -> None:
        """at: when what failed began (a step that timed out: when it was sent), default now."""
        self.errors.append(f"{time.strftime('%H:%M:%S')} {text}")
        self.error_at.append(time.monotonic() if at is None else at)

    def disconnected(self, text: str) -> None:
        self.disconnects.append({"at": time.monotonic(), "what": text, "recovered_ms": None})

    def report(self, phase: str | None = None) -> dict:
        rows = [r for r in self.rows if phase is None or r["phase"] == phase]
        out = {"name": self.name, "kind": self.kind, "open_ms": self.open_ms, "steps": len(rows),
               "errors": len(self.errors), "error_samples": self.errors[:5], "disconnects": len(self.disconnects)}
        for key in ("update_msg_ms", "in_page_ms", "done_ms"):
            values = [r[key] for r in rows if r.get(key) is not None]
            if values:
                out[key] = summary(values)
        return out


# ---------------------------------------------------------------- sessions over Streamlit's WebSocket protocol

class WsClient:
    """A Streamlit session driven from Python: the messages a browser sends, none of its drawing."""

    def __init__(self, url: str, session: Session) -> None:
        self.url = url.replace("http://", "ws://") + "/_stcore/stream"
        self.session = session
        self.query = ""
        self.page_hash = ""
        self.map_widget: str | None = None
        self.map_fragment = ""  # the fragment holding the map: a browser reruns only that one after a step
        self.ws = None
        self.anatomy: list[dict] | None = None  # when a list: one entry per ForwardMsg of the current run

    async def open(self, month: str) -> None:
        started = time.perf_counter()
        self.ws = await websockets.connect(self.url, subprotocols=["streamlit"], max_size=None,
                                           open_timeout=STEP_TIMEOUT, ping_interval=None)
        result = await self.rerun(month, f"date={month}", first=True)
        self.session.open_ms = round((time.perf_counter() - started) * 1000, 1)
        if not self.map_widget:
            raise RuntimeError(f"no map in the first run ({result})")

    async def rerun(self, month: str, query: str, first: bool = False) -> dict:
        msg = BackMsg()
        msg.rerun_script.query_string = query
        msg.rerun_script.page_script_hash = self.page_hash
        if not first:  # what the map's time bar reports after drawing the month (static/ismap.js, report())
            msg.rerun_script.fragment_id = self.map_fragment
            state = msg.rerun_script.widget_states.widgets.add()
            state.id = self.map_widget
            state.json_value = json.dumps({"center": {"lat": 34.8, "lng": 40.2}, "zoom": 6,
                                           "ismap_month": month})
        wanted = f"{MARKER} {month_date(month, date.today()):%B %Y}"
        sent = time.perf_counter()
        await self.ws.send(msg.SerializeToString())
        result = {"update_msg_ms": None, "done_ms": None, "bytes": 0}
        while True:
            data = await asyncio.wait_for(self.ws.recv(), STEP_TIMEOUT)
            result["bytes"] += len(data)
            fwd = ForwardMsg()
            fwd.ParseFromString(data)
            kind = fwd.WhichOneof("type")
            if self.anatomy is not None:
                self.anatomy.append(describe(fwd, len(data)))
            if kind == "new_session":
                self.page_hash = fwd.new_session.page_script_hash
            elif kind == "page_info_changed":
                self.query = fwd.page_info_changed.query_string
            elif kind == "delta" and fwd.delta.WhichOneof("type") == "new_element":
                element = fwd.delta.new_element
                which = element.WhichOneof("type")
                if which == "exception":
                    self.session.error(f"exception shown: {element.exception.type}: {element.exception.message[:200]}")
                elif which == "component_instance" and "folium" in element.component_instance.component_name:
                    self.map_widget = element.component_instance.id
                    self.map_fragment = fwd.delta.fragment_id
                elif (which in ("markdown", "html") and result["update_msg_ms"] is None
                      and wanted in getattr(element, which).body):
                    result["update_msg_ms"] = round((time.perf_counter() - sent) * 1000, 1)
            elif kind == "script_finished":
                result["done_ms"] = round((time.perf_counter() - sent) * 1000, 1)
                if fwd.script_finished not in (ForwardMsg.FINISHED_SUCCESSFULLY,
                                               ForwardMsg.FINISHED_FRAGMENT_RUN_SUCCESSFULLY):
                    self.session.error(f"run finished with status {fwd.script_finished}")
                if result["update_msg_ms"] is None:
                    self.session.error(f"run for {month} finished without the map update")
                return result

    async def drain(self) -> bool:
        """After a timeout: read until the late run finishes, so the next step starts clean."""
        try:
            while True:
                fwd = ForwardMsg()
                fwd.ParseFromString(await asyncio.wait_for(self.ws.recv(), STEP_TIMEOUT))
                if fwd.WhichOneof("type") == "script_finished":
                    return True
        except (asyncio.TimeoutError, websockets.ConnectionClosed):
            return False

    async def close(self) -> None:
        if self.ws is not None:
            await self.ws.close()


def describe(fwd: ForwardMsg, size: int) -> dict:
    """What one ForwardMsg is: its size, the element it draws, that element's label and option count."""
    kind = fwd.WhichOneof("type")
    out = {"bytes": size, "type": kind}
    if kind == "delta" and fwd.delta.WhichOneof("type") == "new_element":
        which = fwd.delta.new_element.WhichOneof("type")
        element = getattr(fwd.delta.new_element, which)
        out["type"] = which
        out["label"] = str(getattr(element, "label", "") or getattr(element, "component_name", ""))[:60]
        if hasattr(element, "options"):
            out["options"] = len(element.options)
    return out


async def rerun_anatomy(url: str, month: str, steps: int = 5) -> dict:
    """One session over the WebSocket protocol, `steps` month steps: the server's time per step with no
    browser at all, and what one rerun sends (every message in full: this client announces no cache)."""
    session = Session("anatomy", "websocket")
    client = WsClient(url, session)
    rows = []
    try:
        await client.open(month)
        for i in range(1, steps + 1):
            client.anatomy = []
            rows.append(await client.rerun(shift_month(month, i), client.query))
    finally:
        await client.close()
    last = client.anatomy or []
    return {"steps": len(rows), "update_msg_ms": summary([r["update_msg_ms"] for r in rows if r["update_msg_ms"]]),
            "done_ms": summary([r["done_ms"] for r in rows]), "bytes_per_rerun": sum(e["bytes"] for e in last),
            "messages_per_rerun": len(last), "biggest": sorted(last, key=lambda e: -e["bytes"])[:8],
            "errors": session.errors}


async def ws_session(url: str, session: Session, month: str, go: asyncio.Event, stop: dict) -> None:
    client = WsClient(url, session)
    try:
        await client.open(month)
    except Exception as exc:  # recorded as the session's error; the other sessions go on
        session.error(f"open failed: {type(exc).__name__}: {exc}")
        session.opened.set()
        await client.close()
        return
    session.opened.set()
    direction = 1
    try:
        await go.wait()
        while time.monotonic() < stop["at"]:
            month, direction = walk(month, direction)
            try:
                result = await client.rerun(month, client.query)
            except asyncio.TimeoutError:
                session.error(f"timeout: no end of run for {month} within {STEP_TIMEOUT:.0f} s")
                if not await client.drain():
                    session.error("session abandoned: the late run never finished")
                    break
                continue
            except websockets.ConnectionClosed as exc:
                if not session.reconnect:
                    session.error(f"WebSocket closed by the server: {exc}")
                    break
                session.disconnected(f"WebSocket closed: {exc}")
                await client.close()
                client = WsClient(url, session)
                lost = time.monotonic()
                try:  # what a browser's frontend does: a new WebSocket, a first run of the page's query
                    await client.open(month)
                except Exception as again:  # the session is lost: counted as an error
                    session.error(f"reconnect failed: {type(again).__name__}: {again}")
                    break
                session.disconnects[-1]["recovered_ms"] = round((time.monotonic() - lost) * 1000, 1)
                continue
            session.rows.append({"phase": stop["phase"], "month": month, "update_msg_ms": result["update_msg_ms"],
                                 "done_ms": result["done_ms"], "bytes": result["bytes"]})
    finally:
        await client.close()


# ---------------------------------------------------------------- browser sessions

class BrowserClient:
    def __init__(self, browser, url: str, session: Session) -> None:
        self.browser, self.url, self.session = browser, url, session
        self.context = self.page = self.frame = None
        self.done = False

    async def open(self, month: str) -> None:
        started = time.perf_counter()
        self.context = await self.browser.new_context(viewport={"width": 1400, "height": 1000})
        page = self.page = await self.context.new_page()
        page.on("response", lambda r: self.session.error(f"HTTP {r.status} {r.url}") if r.status >= 400 else None)
        page.on("requestfailed", lambda r: None if self.done else self.session.error(
            f"request failed {r.url} {r.failure}"))
        page.on("websocket", lambda ws: ws.on("close", lambda _: None if self.done else (
            self.session.disconnected("WebSocket closed") if self.session.reconnect
            else self.session.error("WebSocket closed before the end"))))
        page.on("pageerror", lambda exc: self.session.error(f"page error: {exc}"))
        await page.add_init_script(WS_HOOK)
        await page.goto(f"{self.url}/?date={month}", timeout=120_000)
        await page.wait_for_function(
            "(d) => [...document.querySelectorAll('%s')].some(f => f.contentDocument && "
            "f.contentDocument.querySelector('.leaflet-container[data-ready=\"1\"][data-date=\"' + d + '\"]'))"
            % MAP_FRAME, arg=iso(month), timeout=120_000, polling=100)
        await page.wait_for_function(SCRIPT_IDLE, timeout=120_000, polling=100)
        self.session.open_ms = round((time.perf_counter() - started) * 1000, 1)
        await page.evaluate("(m) => { window.__marker = m; }", MARKER)
        self.frame = await (await page.query_selector(MAP_FRAME)).content_frame()
        await self.frame.evaluate(FRAME_LOG)

    async def step(self, month: str, key: str) -> dict:
        page = self.page
        logged = await self.frame.evaluate("() => window.__dateLog.length")
        await page.evaluate(RESET_WS)
        await self.frame.locator(".ismap-tb-slider").focus()
        sent = time.perf_counter()
        await page.keyboard.press(key)
        hit = await asyncio.wait_for(self.frame.evaluate(FRAME_WAIT, [logged, iso(month)]), STEP_TIMEOUT)
        seen = time.perf_counter()
        await page.wait_for_function("(m) => window.__url && window.__url.date === m", arg=month,
                                     timeout=STEP_TIMEOUT * 1000, polling=50)
        await page.wait_for_function(SCRIPT_IDLE, timeout=STEP_TIMEOUT * 1000, polling=50)
        done = time.perf_counter()
        info = await page.evaluate("() => ({ws: window.__ws})")
        info["key"] = await self.frame.evaluate("() => window.__keyAt[window.__keyAt.length - 1]")
        exceptions = await page.evaluate(EXCEPTIONS)
        if exceptions:
            self.session.error(f"{exceptions} exception(s) shown on the page at {month}")
        key_at, marker = info["key"], info["ws"]["marker"]
        return {"in_page_ms": round(hit["at"] - key_at, 1) if key_at else round((seen - sent) * 1000, 1),
                "update_msg_ms": round(marker - key_at, 1) if marker and key_at else None,
                "done_ms": round((done - sent) * 1000, 1), "bytes": info["ws"]["bytes"]}

    async def resync(self) -> str | None:
        """After a timeout: the month the page now shows, once its run is over."""
        try:
            await self.page.wait_for_function(SCRIPT_IDLE, timeout=STEP_TIMEOUT * 1000, polling=200)
            if self.session.reconnect:  # after a reconnection the map may be a new frame
                await self.page.wait_for_function(
                    "(d) => [...document.querySelectorAll('%s')].some(f => f.contentDocument && "
                    "f.contentDocument.querySelector('.leaflet-container[data-ready=\"1\"]'))" % MAP_FRAME,
                    timeout=STEP_TIMEOUT * 1000, polling=200)
                self.frame = await (await self.page.query_selector(MAP_FRAME)).content_frame()
                if not await self.frame.evaluate("() => Array.isArray(window.__dateLog)"):
                    await self.frame.evaluate(FRAME_LOG)
            shown = await self.frame.evaluate("() => document.querySelector('.leaflet-container').dataset.date")
            return shown[:7] if shown else None
        except Exception as exc:  # the page is gone or stuck: the session ends, recorded
            self.session.error(f"resync failed: {type(exc).__name__}: {exc}")
            return None

    async def close(self) -> None:
        self.done = True
        if self.context is not None:
            await self.context.close()


async def browser_loop(client: BrowserClient, month: str, stop: dict, go: asyncio.Event | None = None) -> str:
    """Step until stop['at']; return the month the page shows at the end."""
    session = client.session
    direction = 1
    if go is not None:
        await go.wait()
    while time.monotonic() < stop["at"]:
        wanted, turned = walk(month, direction)
        key = "ArrowRight" if turned > 0 else "ArrowLeft"
        began = time.monotonic()
        try:
            row = await client.step(wanted, key)
        except (asyncio.TimeoutError, Exception) as exc:  # a timeout or a page failure: counted, then resync
            session.error(f"step to {wanted} failed: {type(exc).__name__}: {str(exc)[:200]}", at=began)
            shown = await client.resync()
            if shown is None:
                break
            month = shown
            continue
        month, direction = wanted, turned
        session.rows.append({"phase": stop["phase"], "month": month, **row})
        if session.disconnects and session.disconnects[-1]["recovered_ms"] is None:
            session.disconnects[-1]["recovered_ms"] = round((time.monotonic() - session.disconnects[-1]["at"]) * 1000, 1)
    return month


# ---------------------------------------------------------------- memory and CPU

async def sample_rss(pid: int, samples: list, state: dict) -> None:
    while not state.get("stop"):
        samples.append({"t": round(time.monotonic() - state["t0"], 1), "phase": state["phase"],
                        "rss_mb": tree_rss_mb(pid)})
        await asyncio.sleep(0.5)  # a sampling period, not a wait for a condition


def cpu_totals() -> tuple[int, int]:
    fields = [int(v) for v in Path("/proc/stat").read_text().splitlines()[0].split()[1:]]
    return sum(fields), fields[3] + fields[4]


def process_cpu_s(pid: int) -> float:
    """User + system CPU seconds of one process (the server; Streamlit runs every session in it)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / 100


def layers_mb(directory: Path) -> dict:
    """RSS growth of a fresh Python process when it loads the three layers the way the app does."""
    code = (
        "import json, sys; from pathlib import Path\n"
        "import geopandas, shapely, pandas\n"
        "from geo.export import load_layer\n"
        "def rss():\n"
        "    return next(int(l.split()[1]) for l in open('/proc/self/status') if l.startswith('VmRSS')) / 1024\n"
        "before = rss()\n"
        "frames = {l: load_layer(l, Path(sys.argv[1])) for l in ('territory', 'affiliates', 'plots')}\n"
        "after = rss()\n"
        "deep = sum(int(f.memory_usage(deep=True).sum()) for f in frames.values()) / 2**20\n"
        "print(json.dumps({'rss_growth_mb': round(after - before, 1), 'pandas_deep_mb': round(deep, 1)}))\n"
    )
    out = subprocess.run([sys.executable, "-c", code, str(directory)], cwd=ROOT, capture_output=True, text=True,
                         timeout=300, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def at_phase(samples: list, phase: str, last: bool = True) -> float | None:
    values = [s["rss_mb"] for s in samples if s["phase"] == phase]
    return (values[-1] if last else max(values)) if values else None


# ---------------------------------------------------------------- the run

async def run_async(url: str, pid: int, sessions: int, browsers: int, seconds: float, single: float,
                    during=None, reconnect: bool = False) -> dict:
    """during: an optional coroutine function, called with (state, seconds) as everybody starts stepping (the
    cluster benchmark's kill and per-replica sampling); reconnect: sessions recover from a closed WebSocket."""
    state = {"phase": "idle", "t0": time.monotonic()}
    samples: list = []
    sampler = asyncio.create_task(sample_rss(pid, samples, state))
    marks: dict = {"idle_after_start_mb": tree_rss_mb(pid)}
    people = [Session(f"b{i + 1:02d}", "browser") for i in range(browsers)] + \
        [Session(f"w{i + 1:02d}", "websocket") for i in range(sessions - browsers)]
    for person in people:
        person.reconnect = reconnect
    clients: list = []
    solo = None
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS, headless=True)
        try:
            # 1. one session alone (a browser if there is one), stepping for `single` seconds
            state["phase"] = "single"
            first = people[0]
            if first.kind == "browser":
                solo = BrowserClient(browser, url, first)
                await solo.open(start_month(0))
                stop = {"at": time.monotonic() + single, "phase": "single"}
                solo_month = await browser_loop(solo, start_month(0), stop)
            else:
                raise SystemExit("the single-session phase needs --browsers >= 1")
            marks["one_session_mb"] = tree_rss_mb(pid)
            print(f"  1 session: {len(first.rows)} steps in {single:.0f} s, server RSS {marks['one_session_mb']} MB",
                  flush=True)
            # 2. open the others (browsers one after another, WebSocket sessions together), nobody stepping
            state["phase"] = "opening"
            go = asyncio.Event()
            stop = {"at": float("inf"), "phase": "all"}
            tasks = []
            for i, person in enumerate(people[1:], start=1):
                if person.kind == "browser":
                    client = BrowserClient(browser, url, person)
                    try:
                        await client.open(start_month(i))
                    except Exception as exc:  # counted; the run goes on with the sessions that opened
                        person.error(f"open failed: {type(exc).__name__}: {exc}")
                        continue
                    clients.append(client)
                    tasks.append(asyncio.create_task(browser_loop(client, start_month(i), stop, go)))
            ws_tasks = [asyncio.create_task(ws_session(url, p, start_month(i), go, stop))
                        for i, p in enumerate(people) if p.kind == "websocket"]
            opened = asyncio.gather(*[p.opened.wait() for p in people if p.kind == "websocket"])
            await asyncio.wait_for(opened, 300)
            marks["all_open_mb"] = tree_rss_mb(pid)
            print(f"  {sessions} sessions open: server RSS {marks['all_open_mb']} MB; open ms "
                  f"{[p.open_ms for p in people]}", flush=True)
            # 3. everybody steps for `seconds`
            state["phase"] = "all"
            cpu0, server0, t0 = cpu_totals(), process_cpu_s(pid), time.monotonic()
            stop["at"] = t0 + seconds
            tasks.append(asyncio.create_task(browser_loop(solo, solo_month, stop)))
            go.set()
            side = asyncio.create_task(during(state, seconds)) if during is not None else None
            _, pending = await asyncio.wait(tasks + ws_tasks, timeout=seconds + 2 * STEP_TIMEOUT + 30)
            for task in pending:  # cannot happen with the per-step timeouts; kept as a hard bound
                task.cancel()
                people[0].error("a session loop had to be cancelled")
            elapsed = time.monotonic() - t0
            if side is not None:
                state["side"] = await side
            cpu1, server1 = cpu_totals(), process_cpu_s(pid)
            marks["end_of_loop_mb"] = tree_rss_mb(pid)
            marks["peak_mb"] = max(s["rss_mb"] for s in samples if s["phase"] == "all") if samples else None
            load = {"seconds": round(elapsed, 1),
                    "machine_cpu_busy_pct": round(100 * (1 - (cpu1[1] - cpu0[1]) / max(1, cpu1[0] - cpu0[0])), 1),
                    "server_cpu_pct_of_one_core": round(100 * (server1 - server0) / elapsed, 1)}
        finally:
            state["phase"] = "closing"
            for client in clients + ([solo] if solo is not None else []):
                try:
                    await client.close()
                except Exception as exc:  # a page that is already gone
                    print(f"  closing {client.session.name}: {type(exc).__name__}", flush=True)
            await browser.close()
    state["phase"] = "closed"
    marks["after_close_mb"] = tree_rss_mb(pid)
    state["stop"] = True
    await sampler
    return {"people": people, "marks": marks, "samples": samples, "load": load, "side": state.get("side")}


def run(sessions: int = 20, browsers: int = 4, seconds: float = 120, single: float = 20, scale: int = 1) -> dict:
    directory = data_for(scale)
    results = {"machine": machine(), "load_at_start": load_snapshot(), "method": __doc__.strip().split("\n\n", 1)[1],
               "sessions": sessions, "browser_sessions": browsers, "websocket_sessions": sessions - browsers,
               "seconds": seconds, "single_seconds": single, "scale": scale, "data_dir": str(directory),
               "step_timeout_s": STEP_TIMEOUT, "layers_mb": layers_mb(directory), "app_files_at_start": app_version()}
    env = None if scale == 1 else {"ISMAP_GEOJSON_DIR": str(directory)}
    with ForeignWork() as watch:
        process, url = start_server(env=env)
        out = run_server(process, url, sessions, browsers, seconds, single, directory)
    results["other_processes"] = watch.report()
    people = out["people"]
    results.update(summarise(people, out["marks"], results["layers_mb"], sessions))
    results["cpu_during_loop"] = out["load"]
    results["rss_samples"] = out["samples"]
    results["load_at_end"] = load_snapshot()
    results["app_changed_during_run"] = sorted(name for name, digest in app_version().items()
                                               if results["app_files_at_start"].get(name) != digest)
    path = write_results("concurrency", results)
    print(f"wrote {path}")
    return results


def run_server(process, url: str, sessions: int, browsers: int, seconds: float, single: float,
               directory: Path) -> dict:
    try:
        print(f"concurrency: {sessions} sessions ({browsers} in Chromium, {sessions - browsers} over the "
              f"WebSocket protocol) for {seconds:.0f} s at {url}, data {directory}", flush=True)
        return asyncio.run(run_async(url, process.pid, sessions, browsers, seconds, single))
    finally:
        stop_server(process)


def summarise(people: list[Session], marks: dict, layers: dict, sessions: int) -> dict:
    per_session = [p.report("all") for p in people]
    rows = [r for p in people for r in p.rows if r["phase"] == "all"]
    browser_rows = [r for p in people if p.kind == "browser" for r in p.rows if r["phase"] == "all"]
    ws_rows = [r for p in people if p.kind == "websocket" for r in p.rows if r["phase"] == "all"]
    growth = (marks["all_open_mb"] - marks["one_session_mb"]) / max(1, sessions - 1)
    return {
        "single_session": people[0].report("single"),
        "per_session": per_session,
        "overall": {
            "steps": len(rows),
            "errors": sum(len(p.errors) for p in people),
            "update_msg_ms_all_sessions": summary([r["update_msg_ms"] for r in rows if r["update_msg_ms"]]),
            "in_page_ms_browsers": summary([r["in_page_ms"] for r in browser_rows]),
            "done_ms_browsers": summary([r["done_ms"] for r in browser_rows]),
            "update_msg_ms_websocket": summary([r["update_msg_ms"] for r in ws_rows if r["update_msg_ms"]]),
            "done_ms_websocket": summary([r["done_ms"] for r in ws_rows]),
            "worst_session_p95_update_msg_ms": max((s["update_msg_ms"]["p95"] for s in per_session
                                                    if "update_msg_ms" in s), default=None),
        },
        "server_rss_mb": {**marks, "growth_per_added_session_mb": round(growth, 1),
                          "if_each_session_copied_the_layers_mb": round(
                              marks["one_session_mb"] + (sessions - 1) * layers["rss_growth_mb"], 1)},
        "errors": {p.name: p.errors for p in people if p.errors},
    }


def print_summary(results: dict) -> None:
    o, m = results["overall"], results["server_rss_mb"]
    single = results["single_session"]
    print(f"1 session alone ({single['steps']} steps): update message p50 {single['update_msg_ms']['p50']} ms, "
          f"in page p50 {single['in_page_ms']['p50']} / p95 {single['in_page_ms']['p95']} ms")
    print(f"{results['sessions']} sessions, {o['steps']} steps in {results['cpu_during_loop']['seconds']} s, "
          f"{o['errors']} errors")
    print(f"  update message, all sessions: p50 {o['update_msg_ms_all_sessions']['p50']} / p95 "
          f"{o['update_msg_ms_all_sessions']['p95']} ms; worst session p95 {o['worst_session_p95_update_msg_ms']} ms")
    print(f"  in page, browser sessions: p50 {o['in_page_ms_browsers'].get('p50')} / p95 "
          f"{o['in_page_ms_browsers'].get('p95')} ms")
    for s in results["per_session"]:
        extra = f", in page p95 {s['in_page_ms']['p95']}" if "in_page_ms" in s else ""
        print(f"    {s['name']} {s['kind']:9s} {s['steps']:4d} steps, update p95 "
              f"{s.get('update_msg_ms', {}).get('p95')} ms{extra}, done p95 {s.get('done_ms', {}).get('p95')} ms, "
              f"{s['errors']} errors")
    print(f"  server RSS MB: idle {m['idle_after_start_mb']}, 1 session {m['one_session_mb']}, all open "
          f"{m['all_open_mb']}, peak {m['peak_mb']}, end {m['end_of_loop_mb']}, after close {m['after_close_mb']}; "
          f"{m['growth_per_added_session_mb']} MB per added session vs layers {results['layers_mb']}")
    if results["app_changed_during_run"]:
        print(f"  WARNING: {results['app_changed_during_run']} changed during the run: Streamlit reran the new code "
              "in the open sessions; errors at that moment may come from the edit, not from load")
    work = results["other_processes"]
    print(f"  other processes: {work['busy_pct_of_one_cpu']}% of one CPU" + (
        "" if work["clean"] else f" (NOT clean, top: {work['top'][:1]}): the numbers are skewed"))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sessions", type=int, default=20)
    parser.add_argument("--browsers", type=int, default=4, help="how many of the sessions are Chromium pages")
    parser.add_argument("--seconds", type=float, default=120, help="how long all sessions step together")
    parser.add_argument("--single", type=float, default=20, help="seconds the first session steps alone first")
    parser.add_argument("--scale", type=int, default=1, help="1 (real data), 10 or 100 (bench/synthetic.py)")
    args = parser.parse_args()
    print_summary(run(args.sessions, args.browsers, args.seconds, args.single, args.scale))


if __name__ == "__main__":
    main()
