"""Shared helpers for the benchmarks: paths, statistics, machine description, results files, slider steps."""

from __future__ import annotations

import hashlib
import json
import os
import platform
import subprocess
import sys
import threading
import time
from datetime import date, datetime, timezone
from importlib import metadata
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # `python bench/x.py` puts only bench/ on the path
    sys.path.insert(0, str(ROOT))

from devtools.browser import CHROMIUM, MAP_FRAME  # noqa: E402
from geo.view import month_date, shift_month  # noqa: E402

RESULTS = ROOT / "bench" / "results"
FOREIGN_LIMIT_PCT = 5.0  # CPU used by other processes, in % of one CPU, above which a run is not clean
PACKAGES = ("streamlit", "streamlit-folium", "folium", "branca", "geopandas", "shapely", "playwright")

# What the real app's rerun after a step carries (the area panel's caption of the month): its arrival is `update_msg`.
REAL_MARKER = "Area held at the end of"

# Main page, before any script runs: count what the Streamlit WebSocket receives, and note when the rerun
# request leaves and when the first message holding `window.__marker` (the map's update) arrives. Also note
# when the app writes a new `date` into the URL (`__url`): the moment the app has taken up a month.
WS_HOOK = """(() => {
  window.__url = null;
  for (const name of ['replaceState', 'pushState']) {
    const native = history[name].bind(history);
    history[name] = function () {
      const out = native.apply(null, arguments);
      const d = new URLSearchParams(location.search).get('date');
      if (!window.__url || window.__url.date !== d) window.__url = {date: d, at: performance.timeOrigin + performance.now()};
      return out;
    };
  }
  const Native = window.WebSocket;
  const decoder = new TextDecoder('latin1');
  window.__ws = {sent: null, marker: null, bytes: 0, messages: 0};
  function Hooked(url, protocols) {
    const ws = new Native(url, protocols);
    const send = ws.send.bind(ws);
    ws.send = (data) => {
      if (window.__ws.sent === null) window.__ws.sent = performance.timeOrigin + performance.now();
      return send(data);
    };
    ws.addEventListener('message', (e) => {
      const at = performance.timeOrigin + performance.now(), w = window.__ws;
      const size = e.data.byteLength !== undefined ? e.data.byteLength : (e.data.size || e.data.length || 0);
      w.bytes += size; w.messages += 1;
      if (w.marker === null && window.__marker && e.data.byteLength !== undefined &&
          decoder.decode(e.data).includes(window.__marker)) w.marker = at;
    });
    return ws;
  }
  Hooked.prototype = Native.prototype;
  Object.assign(Hooked, {CONNECTING: 0, OPEN: 1, CLOSING: 2, CLOSED: 3});
  window.WebSocket = Hooked;
})();"""

# Main page (naive app: its slider is there) or map frame (real app: the time bar is there): remember when each
# ArrowRight/ArrowLeft arrives (epoch-based ms, comparable across same-origin frames).
KEY_CLOCK = """(marker) => {
  window.__marker = marker;
  window.__keyAt = [];
  window.addEventListener('keydown', e => {
    if (e.key === 'ArrowRight' || e.key === 'ArrowLeft') {
      window.__keyAt.push(performance.timeOrigin + performance.now());
    }
  }, true);
}"""

# Map frame of the real app: remember when data-date first takes each value, and when the first render
# message of a step from Streamlit (st_folium's new arguments) was dispatched to the frame (its timeStamp:
# the listener itself runs only after st_folium's handler has already applied the state).
DATE_CLOCK = """() => {
  if (window.__drawnAt) return;
  window.__drawnAt = {};
  window.__paintedAt = {};
  window.__keyAt = [];
  window.addEventListener('keydown', e => {
    if (e.key === 'ArrowRight' || e.key === 'ArrowLeft') window.__keyAt.push(performance.timeOrigin + performance.now());
  }, true);
  window.__renderAt = null;
  const box = document.querySelector('.leaflet-container');
  new MutationObserver(() => {
    const d = box.dataset.date;
    if (d && !(d in window.__drawnAt)) {
      window.__drawnAt[d] = performance.timeOrigin + performance.now();
      // The next paint: after the frame's animation callbacks (where Leaflet redraws a canvas) have run.
      requestAnimationFrame(() => setTimeout(() => {
        if (!(d in window.__paintedAt)) window.__paintedAt[d] = performance.timeOrigin + performance.now();
      }, 0));
    }
  }).observe(box, {attributes: true, attributeFilter: ['data-date']});
  window.addEventListener('message', e => {  // runs after st_folium's handler: use the event's own time stamp
    if (e.data && e.data.type === 'streamlit:render' && !window.__renderAt) {
      window.__renderAt = performance.timeOrigin + e.timeStamp;
    }
  });
}"""

RESET_STEP = """() => {
  window.__ws = {sent: null, marker: null, bytes: 0, messages: 0};
  window.__url = null;
  for (const f of document.querySelectorAll('%s')) { try { f.contentWindow.__renderAt = null; } catch (e) {} }
}""" % MAP_FRAME

# Main page: is the wanted date drawn in any st_folium frame (the naive app's frame is a new one each rerun)?
DRAWN = """(date) => {
  for (const f of document.querySelectorAll('%s')) {
    const doc = f.contentDocument;
    const box = doc && doc.querySelector('.leaflet-container[data-date="' + date + '"]');
    if (!box) continue;
    const w = f.contentWindow;
    const at = Number(box.dataset.drawnAt || (w.__drawnAt && w.__drawnAt[date]) || 0);
    const keys = (w.__keyAt && w.__keyAt.length ? w.__keyAt : window.__keyAt) || [];
    return {drawnAt: at, keyAt: keys.length ? keys[keys.length - 1] : 0, renderAt: w.__renderAt || null,
            paintedAt: (w.__paintedAt && w.__paintedAt[date]) || null,
            counts: box.dataset.counts || null, frames: document.querySelectorAll('%s').length};
  }
  return null;
}""" % (MAP_FRAME, MAP_FRAME)

SCRIPT_IDLE = """() => {
  const el = document.querySelector('[data-test-script-state]');
  return !!el && el.getAttribute('data-test-script-state') === 'notRunning';
}"""

# Main page: centre and zoom of the Leaflet map in the frame that shows `date` (ISMap's map, or folium's map_* global).
VIEW = """(date) => {
  for (const f of document.querySelectorAll('%s')) {
    const doc = f.contentDocument, w = f.contentWindow;
    if (!doc || !doc.querySelector('.leaflet-container[data-date="' + date + '"]')) continue;
    let m = w.ISMap && w.ISMap.map;
    if (!m) m = Object.keys(w).filter(k => k.startsWith('map_')).map(k => w[k]).find(v => v instanceof w.L.Map);
    if (!m) return null;
    const c = m.getCenter();
    return [c.lat, c.lng, m.getZoom()];
  }
  return null;
}""" % MAP_FRAME

# Main page: set the view of the only map on the page.
SET_VIEW = """([lat, lon, zoom]) => {
  const w = document.querySelector('%s').contentWindow;
  let m = w.ISMap && w.ISMap.map;
  if (!m) m = Object.keys(w).filter(k => k.startsWith('map_')).map(k => w[k]).find(v => v instanceof w.L.Map);
  m.setView([lat, lon], zoom, {animate: false});
}""" % MAP_FRAME


def expected_date(month: str, steps: int, today: date | None = None) -> str:
    """The `data-date` the map shows after `steps` ArrowRight presses from `month`."""
    return month_date(shift_month(month, steps), today or date.today()).isoformat()


def summary(values: list[float]) -> dict:
    """p50, p95 (linear interpolation between closest ranks, like numpy's default), max, mean, n."""
    if not values:
        return {"n": 0}
    ordered = sorted(values)

    def pct(p: float) -> float:
        k = (len(ordered) - 1) * p / 100
        low, high = int(k), min(int(k) + 1, len(ordered) - 1)
        return ordered[low] + (ordered[high] - ordered[low]) * (k - low)

    return {"n": len(ordered), "p50": round(pct(50), 1), "p95": round(pct(95), 1), "max": round(ordered[-1], 1),
            "min": round(ordered[0], 1), "mean": round(sum(ordered) / len(ordered), 1)}


def wait_idle(page, timeout: int = 60_000) -> None:
    """Wait until Streamlit says no script run is in progress."""
    page.wait_for_function(SCRIPT_IDLE, timeout=timeout)


def since(at: float | None, key: float) -> float | None:
    return round(at - key, 1) if at and key else None


def month_slider(page):
    """The month slider a step presses a key on: the real app's time bar in the map frame, else the page's."""
    frame = page.locator(MAP_FRAME).last.content_frame
    bar = frame.locator(".ismap-tb-slider")
    return bar if bar.count() else page.get_by_role("slider").first


def step(page, wanted: str, timeout: int = 60_000, key: str = "ArrowRight") -> dict:
    """One ArrowRight (or `key`) on the month slider: times from the keydown to each stage and to the date drawn.

    in_page_ms    `data-date` takes the new value in the map frame (the headline number);
    painted_ms    the next paint after that (a canvas layer is redrawn in the frame's animation callbacks);
    send_ms       the rerun request leaves the page (real app: the map's report of its month);
    update_msg_ms the WebSocket message holding the rerun's answer arrives (real app: the stats of the month;
                  naive app: the new map);
    frame_msg_ms  st_folium's new arguments reach the map frame (real app: none, the map is sent nothing new);
    synced_ms     real app: the app writes the month into the URL (stats, exports and link now follow);
    wall_ms       Python's perf_counter around keyboard.press + wait_for_function;
    rerun_done_ms Python's perf_counter until Streamlit reports the script run finished.
    """
    slider = month_slider(page)
    slider.focus()
    page.evaluate(RESET_STEP)
    started = time.perf_counter()
    page.keyboard.press(key)
    handle = page.wait_for_function(DRAWN, arg=wanted, timeout=timeout, polling="raf")
    seen = time.perf_counter()
    info = handle.json_value()
    real = slider.get_attribute("class") == "ismap-tb-slider"
    if real:
        page.wait_for_function("(m) => window.__url && window.__url.date === m", arg=wanted[:7], timeout=timeout)
    wait_idle(page, timeout)
    idle = time.perf_counter()
    painted = (page.evaluate(DRAWN, wanted) or {}).get("paintedAt")
    ws = page.evaluate("() => window.__ws")
    url = page.evaluate("() => window.__url")
    key = info["keyAt"]
    return {"date": wanted, "in_page_ms": since(info["drawnAt"], key), "painted_ms": since(painted, key),
            "wall_ms": round((seen - started) * 1000, 1),
            "rerun_done_ms": round((idle - started) * 1000, 1), "send_ms": since(ws["sent"], key),
            "update_msg_ms": since(ws["marker"], key), "frame_msg_ms": since(info["renderAt"], key),
            "synced_ms": since(url["at"], key) if real and url else None,
            "ws_bytes": ws["bytes"], "ws_messages": ws["messages"],
            "counts": json.loads(info["counts"]) if info["counts"] else None, "frames": info["frames"]}


def machine() -> dict:
    """What the numbers were measured on."""
    try:
        chromium = subprocess.run([CHROMIUM, "--version"], capture_output=True, text=True, timeout=30).stdout.strip()
    except OSError as exc:
        chromium = f"unknown ({exc})"
    cpu = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                if line.startswith("model name")), platform.processor())
    mem_kb = next(int(line.split()[1]) for line in Path("/proc/meminfo").read_text().splitlines()
                  if line.startswith("MemTotal"))
    versions = {}
    for name in PACKAGES:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            versions[name] = None
    return {"cpus": len(os.sched_getaffinity(0)), "cpu_model": cpu, "memory_gib": round(mem_kb / 2**20, 1),
            "os": platform.platform(), "python": platform.python_version(), "chromium": chromium,
            "packages": versions}


def cpu_busy_pct(window: float = 1.0) -> float:
    """Share of all CPUs busy over a short window (from /proc/stat), whoever the work belongs to."""
    def totals() -> tuple[int, int]:
        fields = [int(v) for v in Path("/proc/stat").read_text().splitlines()[0].split()[1:]]
        idle = fields[3] + fields[4]
        return sum(fields), idle
    total0, idle0 = totals()
    time.sleep(window)  # a measuring window, not a wait for a condition
    total1, idle1 = totals()
    return round(100 * (1 - (idle1 - idle0) / max(1, total1 - total0)), 1)


def load_snapshot() -> dict:
    """How busy the machine is before a benchmark starts: other servers, test runs or browsers skew the numbers."""
    others = []
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit() or int(proc.name) == os.getpid():
            continue
        try:
            cmd = (proc / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace").strip()
        except OSError:
            continue
        if any(word in cmd for word in ("streamlit run", "pytest", "chromium --type=renderer")):
            others.append(cmd[:120])
    return {"loadavg_1_5_15": [round(v, 2) for v in os.getloadavg()], "cpu_busy_pct_1s": cpu_busy_pct(),
            "other_streamlit_pytest_renderers": len(others), "others": others[:10]}


def _process_table() -> dict[int, tuple[int, float, str]]:
    """pid -> (parent pid, CPU seconds used so far, command line) for every process we may read."""
    tick = os.sysconf("SC_CLK_TCK")
    table = {}
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit():
            continue
        try:
            stat = (proc / "stat").read_text()
            cmd = (proc / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace").strip()
        except OSError:
            continue
        fields = stat[stat.rindex(")") + 2:].split()
        table[int(proc.name)] = (int(fields[1]), (int(fields[11]) + int(fields[12])) / tick, cmd)
    return table


class ForeignWork:
    """Measures, in a background thread, the CPU time used by processes that are not this one or its children
    (test runs, other benchmarks, other browsers): a benchmark is only clean if that stays near zero."""

    def __init__(self, every: float = 0.5) -> None:
        self.every = every
        self.cpu_s: dict[int, float] = {}
        self.commands: dict[int, str] = {}
        self.wall_s = 0.0
        self._base: dict[int, float] = {}
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._watch, daemon=True)

    def _foreign(self, table: dict[int, tuple[int, float, str]]) -> dict[int, tuple[float, str]]:
        me, out = os.getpid(), {}
        for pid, (ppid, cpu, cmd) in table.items():
            chain, seen = pid, set()
            while chain and chain not in seen and chain != me:
                seen.add(chain)
                chain = table.get(chain, (0, 0.0, ""))[0]
            if chain != me and cmd:  # kernel threads have no command line
                out[pid] = (cpu, cmd)
        return out

    def _sample(self) -> None:
        for pid, (cpu, cmd) in self._foreign(_process_table()).items():
            used = cpu - self._base.get(pid, 0.0)
            if used > self.cpu_s.get(pid, 0.0):
                self.cpu_s[pid] = used
                self.commands[pid] = cmd[:120]

    def _watch(self) -> None:
        while not self._stop.wait(self.every):
            self._sample()

    @property
    def busy_pct(self) -> float:
        """Foreign CPU time as a share of one CPU over the watched time."""
        return round(100 * sum(self.cpu_s.values()) / max(self.wall_s, 1e-9), 1)

    @property
    def top(self) -> list[str]:
        ranked = sorted(self.cpu_s, key=lambda pid: -self.cpu_s[pid])
        return [f"{self.cpu_s[pid]:.1f} s {self.commands[pid]}" for pid in ranked[:5] if self.cpu_s[pid] >= 0.5]

    def report(self) -> dict:
        return {"busy_pct_of_one_cpu": self.busy_pct, "top": self.top,
                "clean": self.busy_pct <= FOREIGN_LIMIT_PCT}

    def __enter__(self) -> "ForeignWork":
        self._base = {pid: cpu for pid, (cpu, _) in self._foreign(_process_table()).items()}
        self._started = time.monotonic()
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()
        self._sample()
        self.wall_s = time.monotonic() - self._started


def warn_if_busy(load: dict) -> None:
    """Say so when the machine is already busy before benchmarks start: their numbers would be skewed."""
    if load["cpu_busy_pct_1s"] > 20 or load["other_streamlit_pytest_renderers"] > 1:
        print(f"WARNING: the machine is busy before the benchmarks start ({load['cpu_busy_pct_1s']}% CPU, "
              f"{load['other_streamlit_pytest_renderers']} other Streamlit/pytest/renderer processes): "
              "the numbers will be slower than on a quiet machine.", flush=True)


def print_foreign_work(foreign: dict[str, dict]) -> None:
    """One line per benchmark: how much CPU other processes used while it ran, and a warning if too much."""
    for name, work in foreign.items():
        print(f"other processes during {name}: {work['busy_pct_of_one_cpu']}% of one CPU"
              + (f" (top: {work['top'][0]})" if work["top"] else ""))
        if not work["clean"]:
            print(f"WARNING: other work shared the CPUs during '{name}': its numbers are skewed; run again.")


def app_version() -> dict[str, str]:
    """Content hashes of the files that decide the numbers (the app changes while benchmarks run)."""
    files = [ROOT / "app.py", ROOT / "serve.py", ROOT / "static" / "ismap.js", *sorted((ROOT / "layers").glob("*.py"))]
    return {str(f.relative_to(ROOT)): hashlib.sha256(f.read_bytes()).hexdigest()[:12] for f in files if f.exists()}


def write_results(name: str, data: dict) -> Path:
    """bench/results/{name}.json, written atomically, stamped with the time of the run and the app's version."""
    RESULTS.mkdir(parents=True, exist_ok=True)
    target = RESULTS / f"{name}.json"
    temp = target.with_suffix(".json.tmp")
    stamped = {"benchmark": name, "measured_at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
               "app_files": app_version(), **data}
    temp.write_text(json.dumps(stamped, indent=2) + "\n", encoding="utf-8")
    os.replace(temp, target)
    return target
