"""Adversarial length sweep: what one hostile message costs the injection screen and the PII
detector, today and in the previous release, side by side.

For every adversarial input shape (the findings of issue 16 and of the regex growth probe:
long runs of one character between the words a rule looks for, runs that a tokenizer splits
character by character, random printable text, and a benign banking sentence as the
reference) the sweep builds a message of exactly 1,000, 2,000 and 4,000 characters and times

* the injection screen, ``InjectionDetector().detect(text)``, and
* the PII detector, ``PIIAnalyzer().detect(text)`` (default config, NER
  on). A ``DetectionError`` (or its subclass ``BudgetExceededError``) is the detector's
  fail-safe answer: it counts as a finished call and its cell is marked ``*``;

for two checkouts in the same run: today's (the checkout this script lives in) and the
previous release (``--release-path``, or a temporary ``git worktree`` of ``--release-rev``
that the script adds and removes itself). Each side runs in its own worker process
(``sys.executable`` with ``PYTHONPATH`` set to that checkout and ``HF_HUB_OFFLINE=1``), which
loads both detectors and warms them up on a short benign message, as a server has after its
first message. The two workers take turns, measurement by measurement, so both sides see the
same machine load. Each measurement runs in a child forked from its worker (warm detectors,
no state carried from one measurement to the next), timed with ``time.perf_counter``: the
best of three calls, or a single call when the first one takes longer than 250 ms. The child
is killed when the call has not returned within the cap (``--cap``, 20 s by default); the
cell then reads ``>20 s``, and the longer lengths of that shape are not run for that side
(``(>20 s)``: skipped). A lone surrogate and a run of emoji only check that each detector
returns without raising.

Output (stdout): a Markdown table per detector, rows = shapes, columns = length x (release,
now), cells in milliseconds; the worst case at 4,000 characters of each side, their ratio, and
the hostile-input target (worst case at 4,000 characters at most 50 ms). Progress goes to
stderr. The messages are synthetic and none of them is printed: only figures are.

Usage::

    source .venv/bin/activate
    export HF_HUB_OFFLINE=1
    python benchmarks/length_sweep.py [--quick] [--cap SECONDS] [--lengths 1000,2000,4000]
        [--shapes NAME,...] [--release-path PATH | --release-rev REV] [--json PATH]

``--quick`` runs 1,000 and 4,000 characters with a 5 s cap. The figures mean something only
on a quiet machine: other processes on the same cores inflate every cell.
"""

from __future__ import annotations

import argparse
import contextlib
import gc
import json
import os
import platform
import random
import select
import shutil
import signal
import string
import subprocess
import sys
import tempfile
import time
import traceback
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import IO, Any, Callable, Dict, Iterator, List, Optional, Sequence, Tuple, Type

ROOT = Path(__file__).resolve().parent.parent
RELEASE_REV = "c090f3e"
LENGTHS = (1000, 2000, 4000)
QUICK_LENGTHS = (1000, 4000)
CAP_S = 20.0
QUICK_CAP_S = 5.0
TARGET_MS = 50.0
TARGET_LENGTH = 4000
REPEATS = 3
SLOW_MS = 250.0
"""A first call slower than this is not repeated (best of three only for fast calls)."""

WARMUP = "Hello, what is the balance of my current account?"
DETECTORS = ("injection", "pii")
TITLES = {"injection": "Injection screen", "pii": "PII detector"}
SIDES = ("release", "now")

# --------------------------------------------------------------------------- shapes


def _fill(unit: str, n: int) -> str:
    """``unit`` repeated and cut to exactly ``n`` characters."""
    if n <= 0:
        return ""
    return (unit * (n // len(unit) + 1))[:n]


def _between(head: str, unit: str, tail: str) -> Callable[[int, int], str]:
    """The shape ``head + unit * k + tail`` of total length ``n``."""

    def build(n: int, salt: int) -> str:
        return head + _fill(unit, n - len(head) - len(tail)) + tail

    return build


def _parens(n: int, salt: int) -> str:
    """``"(" * k + "qwerty"`` plus a letter that differs on every call, so that spaCy's
    tokenizer cache (keyed by the whole token) never answers from an earlier call."""
    tail = "qwerty" + string.ascii_lowercase[salt % 26]
    return "(" * (n - len(tail)) + tail


def _random_printable(n: int, salt: int) -> str:
    rng = random.Random(16)
    return "".join(rng.choice(string.printable) for _ in range(n))


BENIGN = (
    "Hello, I would like to know the balance of my savings account and whether the "
    "transfer I made on Monday has arrived. "
)

SHAPES: Dict[str, Tuple[str, Callable[[int, int], str]]] = {
    # name: (how the table shows it, builder of a message of exactly n characters)
    "underscore_bold": ('`"_"*k + "bold"`', _between("", "_", "bold")),
    "indirect_address": ('`"liest ki die " + "-"*k + "!"`', _between("liest ki die ", "-", "!")),
    "special_mode": ('`"god mode on the " + "-"*k + "!"`', _between("god mode on the ", "-", "!")),
    "gap2": ('`"ignore" + "_"*k + " x"`', _between("ignore", "_", " x")),
    "ldap_filter_break": ('`"*)(" + " "*k + "x"`', _between("*)(", " ", "x")),
    "shellshock": ('`"() {" + " "*k + "x"`', _between("() {", " ", "x")),
    "dots": ('`"."*n`', _between("", ".", "")),
    "parens": ('`"("*k + "qwerty"` (new each call)', _parens),
    "hex_escapes": ('`"\\\\x41"*k`', _between("", "\\x41", "")),
    "semicolon_newlines": ('`";" + "\\n"*k + "!"`', _between(";", "\n", "!")),
    "union_plus": ('`"union" + "+"*k + "!"`', _between("union", "+", "!")),
    "lt_spaces": ('`"<" + " "*k + "ab"`', _between("<", " ", "ab")),
    "quote_or": ('`"\' or" + " "*k + "!"`', _between("' or", " ", "!")),
    "select_spaces": ('`"select" + " "*k + "!"`', _between("select", " ", "!")),
    "console_log": ('`"console.log" + " "*k + "!"`', _between("console.log", " ", "!")),
    "never_refus": ('`"never ever refus" + "ar"*k`', _between("never ever refus", "ar", "")),
    "spaces_street": ('`" "*k + "1 Main"`', _between("", " ", "1 Main")),
    "tabs_street": ('`"\\t"*k + "1 Main"`', _between("", "\t", "1 Main")),
    "a_space": ('`"a "*k + "ab"`', _between("", "a ", "ab")),
    "zeros": ('`"0"*n`', _between("", "0", "")),
    "letter_a": ('`"a"*n`', _between("", "a", "")),
    "benign": ("benign banking sentence, repeated", _between("", BENIGN, "")),
    "random_printable": ("random printable, `random.Random(16)`", _random_printable),
}

CHECKS: Dict[str, Tuple[str, str]] = {
    # name: (how the report shows it, the message)
    "lone_surrogate": ('lone surrogate `"\\ud800"`', "\ud800"),
    "surrogate_in_text": ('`"my card \\ud800 was declined"`', "my card \ud800 was declined"),
    "emoji": ("50 emoji", "".join(chr(0x1F600 + i) for i in range(50))),
}


def build(shape: str, n: int, salt: int = 0) -> str:
    """The message of ``shape`` with exactly ``n`` characters."""
    text = SHAPES[shape][1](n, salt)
    if len(text) != n:
        raise AssertionError(f"shape {shape} built {len(text)} characters, not {n}")
    return text


# --------------------------------------------------------------------------- worker side
# One worker per checkout: it imports rasa_secure from PYTHONPATH, loads both detectors,
# then answers one JSON request per line on stdin, forking a child per measurement.


def _load_detectors() -> Dict[str, Callable[[str], Any]]:
    from rasa_secure.core.injection import InjectionDetector
    from rasa_secure.core.pii import PIIAnalyzer

    screen = InjectionDetector()
    pii = PIIAnalyzer()
    detectors: Dict[str, Callable[[str], Any]] = {"injection": screen.detect, "pii": pii.detect}
    for detect in detectors.values():
        detect(WARMUP)
    if getattr(screen, "semantic", None) is not None:
        # The semantic stage loads its encoder on the first uncertain message; a server has
        # long done so, and a child forked without it would pay the load in every cell.
        from rasa_secure.core.injection.semantic import shared_encoder

        shared_encoder()
    return detectors


def _failsafe_types() -> Tuple[Type[Exception], ...]:
    from rasa_secure.errors import DetectionError

    return (DetectionError,)


def _child(detect: Callable[[str], Any], texts: Iterator[str], out: int) -> None:
    """Time ``detect`` on each text, writing one JSON line per call to the fd ``out``."""
    failsafe = _failsafe_types()
    detect(WARMUP)  # touches the pages shared with the worker before anything is timed
    os.write(out, b'{"ready": true}\n')
    for text in texts:
        status, error = "ok", ""
        start = time.perf_counter()
        try:
            detect(text)
        except failsafe as exc:
            status, error = "failsafe", type(exc).__name__
        except Exception as exc:
            status, error = "error", type(exc).__name__
        ms = (time.perf_counter() - start) * 1000.0
        os.write(out, (json.dumps({"ms": ms, "status": status, "error": error}) + "\n").encode())
        if ms > SLOW_MS:
            break


def _read_line(fd: int, buffer: bytearray, deadline: float) -> Tuple[str, bytes]:
    """One line from ``fd`` before ``deadline``: ``("line", line)``, or ``("timeout", b"")``
    or ``("eof", b"")`` (the writer closed its end: done, or died)."""
    while b"\n" not in buffer:
        left = deadline - time.monotonic()
        if left <= 0:
            return "timeout", b""
        ready, _, _ = select.select([fd], [], [], left)
        if not ready:
            return "timeout", b""
        chunk = os.read(fd, 65536)
        if not chunk:
            return "eof", b""
        buffer.extend(chunk)
    line, _, rest = bytes(buffer).partition(b"\n")
    buffer[:] = rest
    return "line", line


def _measure(detect: Callable[[str], Any], texts: Iterator[str], cap: float) -> Dict[str, Any]:
    """Run ``_child`` in a forked process, killing it once a call runs past ``cap`` s."""
    read_fd, write_fd = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child
        os.close(read_fd)
        code = 0
        try:
            _child(detect, texts, write_fd)
        except BaseException:
            code = 1
        os._exit(code)
    os.close(write_fd)
    buffer = bytearray()
    runs: List[Dict[str, Any]] = []
    try:
        ready, _ = _read_line(read_fd, buffer, time.monotonic() + max(cap, 60.0))
        outcome = ready
        while outcome == "line":
            outcome, line = _read_line(read_fd, buffer, time.monotonic() + cap)
            if outcome == "line":
                runs.append(json.loads(line))
    finally:
        os.close(read_fd)
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)
        _, status = os.waitpid(pid, 0)
    if ready == "line" and outcome == "timeout" and not runs:
        return {"status": "timeout", "ms": None, "runs": 0, "error": ""}
    if not runs:
        return {"status": "crash", "ms": None, "runs": 0, "error": f"exit status {status}"}
    best = min(runs, key=lambda run: run["ms"])
    return {"status": best["status"], "ms": best["ms"], "runs": len(runs), "error": best["error"]}


def worker() -> int:
    """Serve measurement requests (one JSON object per line) until ``{"op": "quit"}``."""
    # The protocol gets its own copy of stdout; anything a library prints goes to stderr.
    channel = os.fdopen(os.dup(1), "w", buffering=1)
    os.dup2(2, 1)
    try:
        import rasa_secure

        detectors = _load_detectors()
    except BaseException as exc:
        where = traceback.extract_tb(exc.__traceback__)[-1] if exc.__traceback__ else None
        place = f"{where.filename}:{where.lineno}" if where else ""
        if isinstance(exc, SyntaxError):
            place = f"{exc.filename}:{exc.lineno}"
        channel.write(json.dumps({"error": type(exc).__name__, "where": place}) + "\n")
        return 1
    channel.write(json.dumps({"ready": True, "package": rasa_secure.__file__}) + "\n")
    gc.collect()
    gc.freeze()  # fewer pages copied into every forked child
    for line in sys.stdin:
        request = json.loads(line)
        if request["op"] == "quit":
            break
        detect = detectors[request["detector"]]
        if request["op"] == "check":
            texts: Iterator[str] = iter([CHECKS[request["case"]][1]])
        else:
            shape, n = request["shape"], request["n"]
            texts = (build(shape, n, salt) for salt in range(REPEATS))
        channel.write(json.dumps(_measure(detect, texts, request["cap"])) + "\n")
    return 0


# --------------------------------------------------------------------------- driver side


@dataclass
class Cell:
    """One measurement: a detector on one shape at one length, on one side."""

    detector: str
    shape: str
    n: int
    side: str
    status: str  # ok | failsafe | error | crash | timeout | skipped
    ms: Optional[float]
    runs: int
    error: str

    @property
    def finished(self) -> bool:
        return self.status in ("ok", "failsafe")


class Side:
    """A worker process running one checkout's rasa_secure."""

    def __init__(self, name: str, checkout: Path) -> None:
        self.name = name
        self.checkout = checkout
        env = dict(os.environ, PYTHONPATH=str(checkout), HF_HUB_OFFLINE="1")
        self.process = subprocess.Popen(  # noqa: S603 - our own interpreter and script
            [sys.executable, str(Path(__file__).resolve()), "--worker"],
            cwd=str(checkout),
            env=env,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            text=True,
            bufsize=1,
        )

    def _io(self) -> Tuple[IO[str], IO[str]]:
        assert self.process.stdin is not None and self.process.stdout is not None
        return self.process.stdin, self.process.stdout

    def wait_ready(self) -> None:
        """Wait for the detectors to load; fail with the worker's error if they did not."""
        line = self._io()[1].readline()
        if not line:
            raise RuntimeError(f"{self.name}: worker exited with code {self.process.wait()}")
        answer = json.loads(line)
        if "error" in answer:
            raise RuntimeError(
                f"{self.name}: loading the detectors failed with {answer['error']} "
                f"at {answer['where']}"
            )
        package = Path(answer["package"]).resolve()
        if self.checkout.resolve() not in package.parents:
            raise RuntimeError(f"{self.name}: rasa_secure was imported from {package}")

    def ask(self, request: Dict[str, Any]) -> Dict[str, Any]:
        stdin, stdout = self._io()
        stdin.write(json.dumps(request) + "\n")
        stdin.flush()
        line = stdout.readline()
        if not line:
            raise RuntimeError(f"{self.name}: worker exited with code {self.process.wait()}")
        return json.loads(line)  # type: ignore[no-any-return]

    def close(self) -> None:
        """Ask the worker to quit; kill it if it does not."""
        try:
            if self.process.poll() is None:
                stdin = self._io()[0]
                stdin.write(json.dumps({"op": "quit"}) + "\n")
                stdin.flush()
                self.process.wait(timeout=10)
        except (OSError, ValueError, subprocess.TimeoutExpired):
            self.process.kill()
            self.process.wait()


def describe(checkout: Path) -> str:
    """The commit of ``checkout``, with a note when its files differ from it."""
    git = shutil.which("git") or "git"
    try:
        commit = subprocess.run(  # noqa: S603 - fixed command, no user input
            [git, "-C", str(checkout), "rev-parse", "--short", "HEAD"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
        dirty = subprocess.run(  # noqa: S603 - fixed command, no user input
            [git, "-C", str(checkout), "status", "--porcelain", "--untracked-files=no"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "not a git checkout"
    return commit + (" + uncommitted changes" if dirty else "")


def sweep(
    sides: Dict[str, Side], lengths: Sequence[int], cap: float, shapes: Sequence[str]
) -> List[Cell]:
    """Every (detector, shape, length), the sides taking turns."""
    cells: List[Cell] = []
    total = len(DETECTORS) * len(shapes) * len(lengths) * len(sides)
    done = 0
    for detector in DETECTORS:
        for shape in shapes:
            timed_out = {side: False for side in sides}
            for n in lengths:
                for name, side in sides.items():
                    done += 1
                    if timed_out[name]:
                        cell = Cell(detector, shape, n, name, "skipped", None, 0, "")
                    else:
                        request = {
                            "op": "measure",
                            "detector": detector,
                            "shape": shape,
                            "n": n,
                            "cap": cap,
                        }
                        cell = Cell(detector, shape, n, name, **side.ask(request))
                        timed_out[name] = cell.status == "timeout"
                    cells.append(cell)
                    shown = fmt(cell, cap)
                    print(
                        f"[{done}/{total}] {detector} {shape} {n} {name}: {shown}",
                        file=sys.stderr,
                        flush=True,
                    )
    return cells


def checks(sides: Dict[str, Side], cap: float) -> Dict[str, Dict[str, Dict[str, str]]]:
    """``{detector: {case: {side: "ok" or the exception's class name}}}``."""
    found: Dict[str, Dict[str, Dict[str, str]]] = {}
    for detector in DETECTORS:
        for case in CHECKS:
            for name, side in sides.items():
                answer = side.ask({"op": "check", "detector": detector, "case": case, "cap": cap})
                if answer["status"] == "ok":
                    shown = "ok"
                elif answer["status"] == "timeout":
                    shown = f">{cap:g} s"
                elif answer["status"] == "failsafe":
                    shown = f"{answer['error']} (fail-safe)"
                else:
                    shown = answer["error"] or answer["status"]
                found.setdefault(detector, {}).setdefault(case, {})[name] = shown
    return found


def fmt(cell: Cell, cap: float) -> str:
    """A cell of the table."""
    if cell.status == "timeout":
        return f">{cap:g} s"
    if cell.status == "skipped":
        return f"(>{cap:g} s)"
    if cell.status == "crash":
        return "crash"
    if cell.status == "error":
        return f"{cell.error}!"
    assert cell.ms is not None
    return f"{cell.ms:.1f}" + (" *" if cell.status == "failsafe" else "")


def worst(cells: Sequence[Cell], side: str, n: int) -> Optional[Cell]:
    """The slowest cell of ``side`` at ``n`` characters; one that did not finish (cap, skip,
    error) counts as slower than any that did."""
    mine = [c for c in cells if c.side == side and c.n == n]
    if not mine:
        return None
    return max(mine, key=lambda c: (not c.finished, c.ms or 0.0))


def report(
    cells: Sequence[Cell],
    found: Dict[str, Dict[str, Dict[str, str]]],
    lengths: Sequence[int],
    cap: float,
    meta: Dict[str, Any],
) -> str:
    lines = [
        "# Adversarial length sweep",
        "",
        f"release: {meta['release']}; now: {meta['now']}; Python {meta['python']}, "
        f"{meta['cpus']} CPUs; cap {cap:g} s per measurement; best of {REPEATS} calls "
        f"(one when the first takes over {SLOW_MS:g} ms); milliseconds.",
        "",
    ]
    n_max = max(lengths)
    for detector in DETECTORS:
        lines += [f"## {TITLES[detector]}", ""]
        header = ["shape"] + [f"{n:,} {side}" for n in lengths for side in SIDES]
        lines.append("| " + " | ".join(header) + " |")
        lines.append("|---|" + "---:|" * (len(header) - 1))
        mine = [c for c in cells if c.detector == detector]
        by_key = {(c.shape, c.n, c.side): c for c in mine}
        for shape in dict.fromkeys(c.shape for c in mine):
            row = [SHAPES[shape][0]]
            row += [fmt(by_key[shape, n, side], cap) for n in lengths for side in SIDES]
            lines.append("| " + " | ".join(row) + " |")
        lines.append("")
        slowest = {side: worst(mine, side, n_max) for side in SIDES}
        parts = []
        for side, cell in slowest.items():
            if cell is None:
                continue
            if cell.status in ("timeout", "skipped"):
                shown = f">{cap:g} s"
            else:
                shown = fmt(cell, cap) + (" ms" if cell.finished else "")
            parts.append(f"{side} {shown} ({SHAPES[cell.shape][0]})")
        release, now = slowest["release"], slowest["now"]
        now_ms = now.ms if now is not None and now.finished else None
        if release is not None and release.finished and release.ms and now_ms:
            ratio = f"{release.ms / now_ms:.1f}x"
        elif release is not None and release.status in ("timeout", "skipped") and now_ms:
            ratio = f"> {cap * 1000.0 / now_ms:,.1f}x (the release hit the cap)"
        else:
            ratio = "n/a (not both finished)"
        lines.append(f"Worst at {n_max:,} characters: {'; '.join(parts)}; release/now {ratio}.")
        lines.append("")
        met = now_ms is not None and now_ms <= TARGET_MS
        target = "met" if met else "not met"
        if n_max != TARGET_LENGTH:
            target += f" (measured at {n_max:,}, not {TARGET_LENGTH:,})"
        lines.append(
            f"Hostile-input target (worst at {TARGET_LENGTH:,} <= {TARGET_MS:g} ms), now: {target}."
        )
        lines.append("")
        lines.append("| input that must not raise | release | now |")
        lines.append("|---|---|---|")
        for case, per_side in found.get(detector, {}).items():
            lines.append(f"| {CHECKS[case][0]} | {per_side['release']} | {per_side['now']} |")
        lines.append("")
    lines += [
        f"`>{cap:g} s`: no answer within the cap, the call was killed; `(>{cap:g} s)`: not run, "
        "a shorter message of the shape already hit the cap. `*`: the detector raised "
        "DetectionError or BudgetExceededError, its fail-safe answer (a finished call). "
        "`Name!`: it raised another exception.",
    ]
    return "\n".join(lines)


def release_worktree(rev: str) -> Tuple[Path, Path]:
    """A temporary detached worktree of ``rev``: (its directory, the directory holding it)."""
    git = shutil.which("git") or "git"
    holder = Path(tempfile.mkdtemp(prefix="length-sweep-"))
    checkout = holder / "release"
    try:
        subprocess.run(  # noqa: S603 - fixed command, the revision comes from the command line
            [git, "-C", str(ROOT), "worktree", "add", "--detach", str(checkout), rev],
            check=True,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
    except BaseException:
        shutil.rmtree(holder, ignore_errors=True)
        raise
    return checkout, holder


def remove_worktree(checkout: Path, holder: Path) -> None:
    git = shutil.which("git") or "git"
    subprocess.run(  # noqa: S603 - fixed command
        [git, "-C", str(ROOT), "worktree", "remove", "--force", str(checkout)],
        check=False,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    shutil.rmtree(holder, ignore_errors=True)


def parse_args(argv: Optional[Sequence[str]]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else "")
    parser.add_argument("--quick", action="store_true", help="1,000 and 4,000 chars, 5 s cap")
    parser.add_argument("--cap", type=float, help=f"seconds per measurement (default {CAP_S:g})")
    parser.add_argument("--lengths", help="comma-separated lengths (default 1000,2000,4000)")
    parser.add_argument("--shapes", help="comma-separated shape names (default: all)")
    parser.add_argument("--release-path", type=Path, help="checkout of the previous release")
    parser.add_argument("--release-rev", default=RELEASE_REV, help="revision of the release")
    parser.add_argument("--json", type=Path, help="also write the raw figures to this file")
    parser.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.lengths:
        args.lengths = tuple(int(n) for n in args.lengths.split(","))
    else:
        args.lengths = QUICK_LENGTHS if args.quick else LENGTHS
    if args.cap is None:
        args.cap = QUICK_CAP_S if args.quick else CAP_S
    args.shapes = tuple(args.shapes.split(",")) if args.shapes else tuple(SHAPES)
    unknown = [s for s in args.shapes if s not in SHAPES]
    if unknown:
        parser.error(f"unknown shape(s) {', '.join(unknown)}; known: {', '.join(SHAPES)}")
    if min(args.lengths) < 100 or args.cap <= 0:
        parser.error("lengths must be at least 100 and the cap positive")
    return args


def main(argv: Optional[Sequence[str]] = None) -> int:
    args = parse_args(argv)
    if args.worker:
        return worker()
    holder: Optional[Path] = None
    if args.release_path is None:
        try:
            release, holder = release_worktree(args.release_rev)
        except (OSError, subprocess.CalledProcessError):
            print(f"length_sweep: cannot add a worktree of {args.release_rev}", file=sys.stderr)
            return 2
    else:
        release = args.release_path.resolve()
        if not (release / "rasa_secure").is_dir():
            print(f"length_sweep: no rasa_secure package in {release}", file=sys.stderr)
            return 2
    sides: Dict[str, Side] = {}
    started = time.time()
    meta: Dict[str, Any] = {
        "release": describe(release),
        "now": describe(ROOT),
        "python": platform.python_version(),
        "cpus": os.cpu_count(),
        "cap_s": args.cap,
        "lengths": list(args.lengths),
        "repeats": REPEATS,
        "slow_ms": SLOW_MS,
    }
    try:
        sides = {"release": Side("release", release), "now": Side("now", ROOT)}
        for side in sides.values():
            side.wait_ready()
        cells = sweep(sides, args.lengths, args.cap, args.shapes)
        found = checks(sides, args.cap)
    except RuntimeError as exc:
        print(f"length_sweep: {exc}", file=sys.stderr)
        return 2
    finally:
        for side in sides.values():
            side.close()
        if holder is not None:
            remove_worktree(release, holder)
    meta["seconds"] = round(time.time() - started, 1)
    print(report(cells, found, args.lengths, args.cap, meta))
    if args.json:
        payload = {"meta": meta, "cells": [asdict(c) for c in cells], "checks": found}
        args.json.write_text(json.dumps(payload, indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
