#!/usr/bin/env python3
"""Mutation testing of the engine, spec and surface modules: how many planted bugs do
the tests catch?

    python tools/mutants.py                 # 60 mutants drawn with seed 1, a few minutes
    python tools/mutants.py --sample 200 --seed 7
    python tools/mutants.py --module engine/build.py --all --jobs 2
    python tools/mutants.py --at engine/build.py:97      # every mutant of one line

It copies the project to a temporary folder, where nothing it does can touch the work
tree. One traced run of the suite there records which tests call which function of the
package. Then, one at a time, it plants a small change (a mutant) in a module of
``aacflow_hex/{engine,spec,surfaces}``, runs only the tests that reach the changed
function (stopping at the first failure), and puts the module back. A mutant is caught
when a test fails (or the run errors or times out); it survives when they all pass.

The changes, each one at one place: a comparison turned (``==``/``!=``, ``<``/``<=``,
``in``/``not in``, ``is``/``is not``), ``and``/``or`` swapped, a ``not`` dropped, ``True``
and ``False`` swapped, a number changed, a string constant changed, ``+``/``-`` and
``*``/``/`` swapped, a call statement removed, a returned value replaced by None.
Docstrings, type annotations and logging calls are left alone. Some mutants change
nothing a user could see (an equivalent mutant). Where a review found that every change
on a line is such, the line says ``# pragma: no mutate`` (with the reason) and is left
out; the count left out is printed. Other equivalent mutants count as survivors.

Not part of CI: a maintainer's command. It prints each survivor (file, line, change) and
the kill rate per layer. The tests reached through a subprocess only (the CLI and the
MCP server over stdio) are not seen by the trace, so for the surface modules the CLI and
MCP test files are always added.
"""

from __future__ import annotations

import argparse
import ast
import hashlib
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
LAYERS = ("engine", "spec", "surfaces")
COPIED = ("aacflow_hex", "tests", "tool_specs", "icons", "docs", "pyproject.toml", "README.md")
# Tests that reach the surfaces through a subprocess, which the trace does not follow.
SUBPROCESS_TESTS = ("tests/test_cli.py", "tests/test_mcp_server.py")
TRACE_PLUGIN = "mutants_trace"
MAP_ENV = "AACFLOW_HEX_MUTANTS_MAP"
OUTSIDE = "<outside a test>"  # the trace's name for calls while importing and collecting
NO_MUTATE = "# pragma: no mutate"  # a reviewed line where no planted change is a bug
TRACE_FILE = ".mutants-trace.json"  # the saved trace, reused while its tests are unchanged


# -- planting ----------------------------------------------------------------------------

_TURNED_COMPARISONS: dict[type[ast.cmpop], type[ast.cmpop]] = {
    ast.Eq: ast.NotEq,
    ast.NotEq: ast.Eq,
    ast.Lt: ast.LtE,
    ast.LtE: ast.Lt,
    ast.Gt: ast.GtE,
    ast.GtE: ast.Gt,
    ast.In: ast.NotIn,
    ast.NotIn: ast.In,
    ast.Is: ast.IsNot,
    ast.IsNot: ast.Is,
}
_TURNED_OPERATORS: dict[type[ast.operator], type[ast.operator]] = {
    ast.Add: ast.Sub,
    ast.Sub: ast.Add,
    ast.Mult: ast.Div,
    ast.Div: ast.Mult,
}
_SYMBOLS = {
    ast.Eq: "==", ast.NotEq: "!=", ast.Lt: "<", ast.LtE: "<=", ast.Gt: ">", ast.GtE: ">=",
    ast.In: "in", ast.NotIn: "not in", ast.Is: "is", ast.IsNot: "is not",
    ast.Add: "+", ast.Sub: "-", ast.Mult: "*", ast.Div: "/",
}  # fmt: skip


@dataclass(frozen=True)
class Spot:
    """One place where a mutant can be planted."""

    index: int  # the n-th spot of its file, in the planter's walking order
    line: int
    change: str
    function: str | None  # qualified name of the innermost function around it (None: module)


def _is_docstring(node: ast.stmt) -> bool:
    return (
        isinstance(node, ast.Expr)
        and isinstance(node.value, ast.Constant)
        and isinstance(node.value.value, str)
    )


def _is_log_call(node: ast.AST) -> bool:
    return (
        isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and isinstance(node.func.value, ast.Name)
        and node.func.value.id in ("log", "logging", "logger")
    )


class Planter(ast.NodeTransformer):
    """Walks a module in a fixed order; lists its spots, or changes the one at ``target``."""

    def __init__(self, target: int | None = None) -> None:
        self.target = target
        self.spots: list[Spot] = []
        self._functions: list[str] = []  # qualified names, as Python's ``co_qualname``
        self._names: list[str] = []  # the qualified name's parts where the walk is

    def _spot(self, node: ast.AST, change: str) -> bool:
        """Record a spot; True when it is the one to change."""
        function = self._functions[-1] if self._functions else None
        line = getattr(node, "lineno", 0)
        self.spots.append(Spot(len(self.spots), line, change, function))
        return self.target == len(self.spots) - 1

    # -- what is left alone -------------------------------------------------------------

    def _body(self, body: list[ast.stmt]) -> list[ast.stmt]:
        kept = body[:1] if body and _is_docstring(body[0]) else []
        rest = body[len(kept) :]
        return kept + [s for s in (self.visit(s) for s in rest) if isinstance(s, ast.stmt)]

    def _enter(self, name: str) -> None:
        self._names.append(name)
        self._functions.append(".".join(self._names))
        self._names.append("<locals>")

    def _leave(self) -> None:
        del self._names[-2:]
        self._functions.pop()

    def _function(self, node: ast.FunctionDef | ast.AsyncFunctionDef) -> ast.AST:
        self._enter(node.name)
        node.args = self._defaults(node.args)
        node.body = self._body(node.body)
        self._leave()
        return node

    def _defaults(self, args: ast.arguments) -> ast.arguments:
        args.defaults = [self.visit(d) for d in args.defaults]
        args.kw_defaults = [d if d is None else self.visit(d) for d in args.kw_defaults]
        return args

    def visit_Module(self, node: ast.Module) -> ast.AST:
        node.body = self._body(node.body)
        return node

    def visit_ClassDef(self, node: ast.ClassDef) -> ast.AST:
        self._names.append(node.name)
        node.body = self._body(node.body)
        self._names.pop()
        return node

    def visit_FunctionDef(self, node: ast.FunctionDef) -> ast.AST:
        return self._function(node)

    def visit_AsyncFunctionDef(self, node: ast.AsyncFunctionDef) -> ast.AST:
        return self._function(node)

    def visit_Lambda(self, node: ast.Lambda) -> ast.AST:
        self._enter("<lambda>")
        node.body = self.visit(node.body)
        self._leave()
        return node

    def visit_AnnAssign(self, node: ast.AnnAssign) -> ast.AST:
        if node.value is not None:
            node.value = self.visit(node.value)
        return node

    def visit_Import(self, node: ast.Import) -> ast.AST:
        return node

    def visit_ImportFrom(self, node: ast.ImportFrom) -> ast.AST:
        return node

    def visit_JoinedStr(self, node: ast.JoinedStr) -> ast.AST:
        return node  # f-strings: messages, built from parts

    def visit_Subscript(self, node: ast.Subscript) -> ast.AST:
        if isinstance(node.value, ast.Name) and node.value.id == "Literal":
            return node  # a type
        return self.generic_visit(node)

    def visit_Assign(self, node: ast.Assign) -> ast.AST:
        if any(isinstance(t, ast.Name) and t.id == "__all__" for t in node.targets):
            return node
        return self.generic_visit(node)

    def visit_If(self, node: ast.If) -> ast.AST:
        if isinstance(node.test, ast.Name) and node.test.id == "TYPE_CHECKING":
            return node
        return self.generic_visit(node)

    def visit_Call(self, node: ast.Call) -> ast.AST:
        if _is_log_call(node) or (
            isinstance(node.func, ast.Name) and node.func.id in ("TypeVar", "cast")
        ):
            return node
        return self.generic_visit(node)

    # -- the changes ----------------------------------------------------------------------

    def visit_Compare(self, node: ast.Compare) -> ast.AST:
        for i, op in enumerate(node.ops):
            turned = _TURNED_COMPARISONS.get(type(op))
            if turned is not None and self._spot(
                node, f"{_SYMBOLS[type(op)]} -> {_SYMBOLS[turned]}"
            ):
                node.ops[i] = turned()
                return node
        return self.generic_visit(node)

    def visit_BoolOp(self, node: ast.BoolOp) -> ast.AST:
        swapped = "or" if isinstance(node.op, ast.And) else "and"
        if self._spot(node, f"{'and' if swapped == 'or' else 'or'} -> {swapped}"):
            node.op = ast.Or() if isinstance(node.op, ast.And) else ast.And()
            return node
        return self.generic_visit(node)

    def visit_UnaryOp(self, node: ast.UnaryOp) -> ast.AST:
        if isinstance(node.op, ast.Not) and self._spot(node, "not dropped"):
            return node.operand
        return self.generic_visit(node)

    def visit_BinOp(self, node: ast.BinOp) -> ast.AST:
        turned = _TURNED_OPERATORS.get(type(node.op))
        if turned is not None and self._spot(
            node, f"{_SYMBOLS[type(node.op)]} -> {_SYMBOLS[turned]}"
        ):
            node.op = turned()
            return node
        return self.generic_visit(node)

    def visit_Constant(self, node: ast.Constant) -> ast.AST:
        value = node.value
        if isinstance(value, bool):
            if self._spot(node, f"{value} -> {not value}"):
                return ast.copy_location(ast.Constant(not value), node)
        elif isinstance(value, (int, float)):
            changed = value + 1 if isinstance(value, int) else (value * 2 if value else 1.0)
            if self._spot(node, f"{value!r} -> {changed!r}"):
                return ast.copy_location(ast.Constant(changed), node)
        elif isinstance(value, str) and value and self._spot(node, f"{_short(value)} -> 'XX'+..."):
            return ast.copy_location(ast.Constant("XX" + value + "XX"), node)
        return node

    def visit_Expr(self, node: ast.Expr) -> ast.AST:
        call = node.value.value if isinstance(node.value, ast.Await) else node.value
        removable = isinstance(call, ast.Call) and not _is_log_call(call)
        if removable and self._spot(node, f"call removed: {_short(ast.unparse(call))}"):
            return ast.copy_location(ast.Pass(), node)
        return self.generic_visit(node)

    def visit_Return(self, node: ast.Return) -> ast.AST:
        value = node.value
        # ``return False`` (or 0, "") as None is the same to nearly every caller: an
        # equivalent mutant; the constant's own change (False -> True) is planted instead.
        if value is None or (isinstance(value, ast.Constant) and not value.value):
            return self.generic_visit(node)
        if self._spot(node, f"return {_short(ast.unparse(value))} -> return None"):
            node.value = ast.Constant(None)
            return node
        return self.generic_visit(node)


def _short(text: str, limit: int = 40) -> str:
    text = " ".join(text.split())
    return repr(text if len(text) <= limit else text[: limit - 3] + "...")


def spots(source: str) -> list[Spot]:
    planter = Planter()
    planter.visit(ast.parse(source))
    return planter.spots


def planted(source: str, index: int) -> str:
    tree = Planter(index).visit(ast.parse(source))
    return ast.unparse(ast.fix_missing_locations(tree))


# -- which tests reach which function ------------------------------------------------------

PLUGIN_SOURCE = '''
"""Loaded by tools/mutants.py into the traced run: records which test calls what."""
import json, os, sys, threading
import pytest

_PACKAGE = os.path.join(os.getcwd(), "aacflow_hex") + os.sep
_OUTSIDE = "<outside a test>"  # imports and collection: what every test then relies on
_current = [_OUTSIDE]
_calls = {}


def _trace(frame, event, arg, _package=_PACKAGE, _calls=_calls, _current=_current):
    # Globals bound as defaults: they stay usable while the interpreter shuts down.
    if event == "call":
        code = frame.f_code
        if code.co_filename.startswith(_package):
            key = code.co_filename[len(_package):] + ":" + code.co_qualname
            _calls.setdefault(key, set()).add(_current[0])
    return None


sys.settrace(_trace)
threading.settrace(_trace)


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_protocol(item, nextitem):
    _current[0] = item.nodeid
    yield
    _current[0] = _OUTSIDE


_failed = set()
_seconds = {}


def pytest_runtest_logreport(report):
    if report.failed:
        _failed.add(report.nodeid)
    _seconds[report.nodeid] = _seconds.get(report.nodeid, 0.0) + report.duration


def pytest_unconfigure(config):
    sys.settrace(None)
    threading.settrace(None)
    data = {
        "calls": {k: sorted(v) for k, v in _calls.items()},
        "failed": sorted(_failed),
        "seconds": _seconds,
    }
    with open(os.environ["AACFLOW_HEX_MUTANTS_MAP"], "w") as out:
        json.dump(data, out)
'''


def _env(work: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTEST")}
    env["PYTHONDONTWRITEBYTECODE"] = "1"  # a stale .pyc must never stand in for a mutant
    env["PYTHONPATH"] = os.pathsep.join([str(work), str(work / "_mutants")])
    # The spec cache inside the copy: a run killed at its timeout leaves nothing behind.
    env["AACFLOW_HEX_CACHE_DIR"] = str(work / "_mutants" / "cache")
    return env


def _pytest(work: Path, args: list[str], timeout: float, **extra: str) -> tuple[int, float]:
    command = [sys.executable, "-m", "pytest", "-q", "-x", "-p", "no:cacheprovider", *args]
    started = time.monotonic()
    try:
        done = subprocess.run(
            command,
            cwd=work,
            env={**_env(work), **extra},
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )
        code = done.returncode
        if code == 4 and "ERROR: not found" in done.stdout + done.stderr:
            code = 5  # some test ids were not found (see _try)
    except subprocess.TimeoutExpired:
        code = -1
    return code, time.monotonic() - started


@dataclass
class Trace:
    """What the traced run saw."""

    calls: dict[str, list[str]]  # "engine/build.py:build_request" -> tests calling it
    failed: set[str]  # tests that failed with no mutant: left out
    seconds: dict[str, float]  # each test's time, to run the quick ones first
    hashes: dict[str, str]  # test file -> hash of its text, when it was traced

    def drop_files(self, files: set[str]) -> None:
        def kept(test: str) -> bool:
            return test.split("::", 1)[0] not in files

        self.calls = {k: [t for t in ts if kept(t)] for k, ts in self.calls.items()}
        self.failed = {t for t in self.failed if kept(t)}
        self.seconds = {t: s for t, s in self.seconds.items() if kept(t)}
        self.hashes = {f: h for f, h in self.hashes.items() if f not in files}

    def add(self, other: Trace) -> None:
        for key, tests in other.calls.items():
            self.calls[key] = sorted(set(self.calls.get(key, [])) | set(tests))
        self.failed |= other.failed
        self.seconds.update(other.seconds)
        self.hashes.update(other.hashes)


def _test_hashes(work: Path) -> tuple[dict[str, str], str]:
    """Each test file's hash, and one hash of everything else the tests use (conftest,
    helpers, data): when that changes, every test may behave differently."""
    tests, support = {}, hashlib.sha256()
    for path in sorted((work / "tests").rglob("*")):
        if not path.is_file() or "__pycache__" in path.parts:
            continue
        name = path.relative_to(work).as_posix()
        digest = hashlib.sha256(path.read_bytes()).hexdigest()
        if path.name.startswith("test_") and path.suffix == ".py":
            tests[name] = digest
        else:
            support.update(f"{name}:{digest}\n".encode())
    return tests, support.hexdigest()


def _traced_run(work: Path, files: list[str]) -> Trace:
    """Run these test files once, recording which tests call which package function."""
    plugin_dir = work / "_mutants"
    plugin_dir.mkdir(exist_ok=True)
    (plugin_dir / f"{TRACE_PLUGIN}.py").write_text(PLUGIN_SOURCE)
    map_file = plugin_dir / "map.json"
    command = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider"]
    command += ["-p", TRACE_PLUGIN, *files]
    subprocess.run(
        command,
        cwd=work,
        env={**_env(work), MAP_ENV: str(map_file)},
        stdout=subprocess.DEVNULL,
        check=False,
    )
    data: dict[str, Any] = json.loads(map_file.read_text())
    return Trace(data["calls"], set(data["failed"]), data["seconds"], {})


def trace_tests(work: Path, saved: Path | None) -> Trace:
    """Which tests call which function: from the saved trace where its test files are
    unchanged, tracing again only the test files that are new or changed.

    Functions are known by qualified name, so an edit of the package that moves lines
    keeps the saved trace right; a function the trace has never seen is treated as
    module-level code (every test file that reaches the module runs).
    """
    hashes, support = _test_hashes(work)
    trace: Trace | None = None
    if saved is not None and saved.exists():
        data = json.loads(saved.read_text())
        if data.get("support") == support:
            trace = Trace(data["calls"], set(data["failed"]), data["seconds"], data["hashes"])
    if trace is None:
        print("tracing which tests reach which function (one run of the suite)...", flush=True)
        trace = _traced_run(work, ["tests"])
        trace.hashes = hashes
    else:
        stale = {f for f in trace.hashes if hashes.get(f) != trace.hashes[f]}
        stale |= set(hashes) - set(trace.hashes)
        if stale:
            print(f"tracing {len(stale)} new or changed test files...", flush=True)
            trace.drop_files(stale)
            fresh = [f for f in sorted(stale) if f in hashes]
            if fresh:
                again = _traced_run(work, fresh)
                again.hashes = {f: hashes[f] for f in fresh}
                trace.add(again)
    if saved is not None:
        data = {
            "support": support,
            "calls": trace.calls,
            "failed": sorted(trace.failed),
            "seconds": trace.seconds,
            "hashes": trace.hashes,
        }
        saved.write_text(json.dumps(data))
    return trace


# -- the run ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Mutant:
    module: str  # e.g. "engine/build.py"
    spot: Spot

    @property
    def layer(self) -> str:
        return self.module.split("/", 1)[0]

    def __str__(self) -> str:
        return f"{self.module}:{self.spot.line}  {self.spot.change}"


def all_mutants(package: Path, modules: list[str] | None) -> tuple[list[Mutant], int]:
    """Every mutant of the chosen modules, and how many were left out because their
    line is marked ``# pragma: no mutate`` (reviewed: no change there is a bug)."""
    found, left_out = [], 0
    for layer in LAYERS:
        for path in sorted((package / layer).rglob("*.py")):
            module = path.relative_to(package).as_posix()
            if modules and not any(module.startswith(m) for m in modules):
                continue
            source = path.read_text()
            lines = source.splitlines()
            for spot in spots(source):
                if NO_MUTATE in lines[spot.line - 1]:
                    left_out += 1
                else:
                    found.append(Mutant(module, spot))
    return found, left_out


def tests_for(mutant: Mutant, trace: Trace, quick: bool = False) -> list[str]:
    """The tests of every test file that reaches the mutant's function: first those seen
    calling it, then the rest of their files, each part quickest first (the run stops at
    the first failure, so a caught mutant is caught in seconds).

    Whole files, not only the tests seen calling the function: what a call computes
    may be kept (a compiled validator, the loaded registry) and used by later tests of
    the file. Code that runs while importing (module level, or a function called then)
    is used by any test: its tests are those of every file that calls into the module.
    ``quick``: only the tests seen calling it, to find survivors sooner; a survivor may
    then be caught by the rest of the files (check it with ``--at``).
    """
    calls = trace.calls
    key = f"{mutant.module}:{mutant.spot.function}"
    reached = set(calls.get(key, []))
    if mutant.spot.function is None or key not in calls or OUTSIDE in reached:
        prefix = mutant.module + ":"
        reached = {t for key, ts in calls.items() if key.startswith(prefix) for t in ts}
    reached -= {OUTSIDE}
    if quick and reached:
        return sorted(reached - trace.failed, key=lambda t: (trace.seconds.get(t, 0.0), t))
    files = _files_of(sorted(reached))
    if mutant.layer == "surfaces":
        files |= set(SUBPROCESS_TESTS)
    tests = [t for t in trace.seconds if t.split("::", 1)[0] in files and t not in trace.failed]
    return sorted(tests, key=lambda t: (t not in reached, trace.seconds[t], t))


def _files_of(tests: list[str]) -> set[str]:
    return {t.split("::", 1)[0] for t in tests}


def _copy_project(work: Path) -> None:
    for name in COPIED:
        source = ROOT / name
        if source.is_dir():
            shutil.copytree(source, work / name, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            shutil.copy2(source, work / name)
    (work / "_mutants").mkdir()


def _chosen(mutants: list[Mutant], args: argparse.Namespace) -> list[Mutant]:
    if args.at:
        places = {tuple(a.rsplit(":", 1)) for a in args.at}
        return [m for m in mutants if (m.module, str(m.spot.line)) in places]
    return mutants if args.all else _sample(mutants, args.sample, args.seed)


def run(args: argparse.Namespace) -> int:
    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="aacflow-hex-mutants-") as folder:
        works = [Path(folder) / f"copy{j}" for j in range(max(1, args.jobs))]
        for work in works:
            _copy_project(work)
        mutants, left_out = all_mutants(works[0] / "aacflow_hex", args.module)
        chosen = _chosen(mutants, args)
        print(f"{len(mutants)} mutants in {', '.join(LAYERS)} ({left_out} more on lines "
              f"marked {NO_MUTATE!r}, left out); running {len(chosen)}", flush=True)  # fmt: skip
        saved = None if args.retrace else ROOT / TRACE_FILE
        trace = trace_tests(works[0], saved)
        if trace.failed:
            print(f"  {len(trace.failed)} tests failed without any mutant; left out", flush=True)
        results: dict[str, list[tuple[Mutant, str]]] = defaultdict(list)
        queue = list(enumerate(chosen, 1))
        lock = threading.Lock()

        def worker(work: Path) -> None:
            while True:
                with lock:
                    if not queue:
                        return
                    n, mutant = queue.pop(0)
                verdict, seconds, count = _try(work, mutant, trace, args)
                mark = {"survived": "SURVIVED", "no tests": "SURVIVED", "not run": "skipped"}
                with lock:
                    results[mutant.layer].append((mutant, verdict))
                    print(f"[{n}/{len(chosen)}] {mark.get(verdict, 'caught'):8} {verdict:10} "
                          f"{mutant}  ({count} tests, {seconds:.1f} s)", flush=True)  # fmt: skip

        threads = [threading.Thread(target=worker, args=(work,)) for work in works]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    _report(results, time.monotonic() - started, args)
    return 0


def _sample(mutants: list[Mutant], size: int, seed: int) -> list[Mutant]:
    if size >= len(mutants):
        return mutants
    chosen = random.Random(seed).sample(mutants, size)
    return sorted(chosen, key=lambda m: (m.module, m.spot.index))


def _try(
    work: Path, mutant: Mutant, trace: Trace, args: argparse.Namespace
) -> tuple[str, float, int]:
    tests = tests_for(mutant, trace, args.quick)
    timeout = args.timeout
    if not tests:
        return "no tests", 0.0, 0
    path = work / "aacflow_hex" / mutant.module
    original = path.read_text()
    path.write_text(planted(original, mutant.spot.index))
    try:
        code, seconds = _pytest(work, tests, timeout)
    finally:
        path.write_text(original)
    if code == 5:
        # Tests not found: a test module that fails to import under the mutant (a catch),
        # or test ids this tool got wrong (no verdict). Collecting them unchanged tells.
        collected, _ = _pytest(work, ["--collect-only", *tests], timeout)
        code = 2 if collected == 0 else 5
    # 2: interrupted (the mutant breaks an import or a test module's collection).
    verdict = {0: "survived", 1: "failed", -1: "timeout", 5: "not run"}
    return verdict.get(code, "error"), seconds, len(tests)


def _report(
    results: dict[str, list[tuple[Mutant, str]]], seconds: float, args: argparse.Namespace
) -> None:
    print()
    everything = [(m, v) for layer in results.values() for m, v in layer]
    everything.sort(key=lambda mv: (mv[0].module, mv[0].spot.index))
    survivors = [m for m, v in everything if v in ("survived", "no tests")]
    if survivors:
        print("Survivors (no test failed with this change):")
        for mutant in survivors:
            print(f"  {mutant}")
        print()
    not_run = [m for m, v in everything if v == "not run"]
    if not_run:
        print(f"{len(not_run)} mutants not run (their tests were not found); left out\n")
    timeouts = sum(v == "timeout" for _, v in everything)
    if timeouts:
        print(f"{timeouts} caught by timeout (their tests ran past --timeout {args.timeout:g} s)\n")
    total = caught = 0
    for layer in LAYERS:
        verdicts = [v for _, v in results.get(layer, []) if v != "not run"]
        if not verdicts:
            continue
        layer_caught = sum(v not in ("survived", "no tests") for v in verdicts)
        total, caught = total + len(verdicts), caught + layer_caught
        print(f"{layer:9} {layer_caught:4} of {len(verdicts):4} caught  "
              f"({100 * layer_caught / len(verdicts):.0f}%)")  # fmt: skip
    if total:
        which = "chosen places" if args.at else "every mutant" if args.all else f"seed {args.seed}"
        which += ", --quick (a floor)" if args.quick else ""
        print(f"{'all':9} {caught:4} of {total:4} caught  ({100 * caught / total:.1f}%)"
              f"  kill rate; {which}, {seconds / 60:.1f} min")  # fmt: skip


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--sample", type=int, default=60, help="mutants to run (default 60)")
    parser.add_argument("--seed", type=int, default=1, help="which sample (default 1)")
    parser.add_argument("--all", action="store_true", help="run every mutant (hours)")
    parser.add_argument(
        "--module",
        action="append",
        help="only modules whose path under aacflow_hex starts so, e.g. engine/build.py",
    )
    parser.add_argument(
        "--at",
        action="append",
        metavar="MODULE:LINE",
        help="only the mutants at this line, e.g. engine/build.py:97 (to check survivors)",
    )
    parser.add_argument("--jobs", type=int, default=1, help="mutants run at once (default 1)")
    parser.add_argument(
        "--quick",
        action="store_true",
        help="only the tests seen calling the mutated function: finds survivors sooner, "
        "and some of them are caught by the whole run",
    )
    parser.add_argument(
        "--retrace", action="store_true", help=f"trace the whole suite again, not {TRACE_FILE}"
    )
    parser.add_argument(
        "--timeout", type=float, default=180, help="seconds one mutant's tests may take"
    )
    return run(parser.parse_args(argv))


if __name__ == "__main__":
    sys.exit(main())
