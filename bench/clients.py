"""aacflow-hex vs the hex-toolkit SDK (0.6.0) on the emulator: same work, same server.

The emulator runs in its own process with rate limits off and its request log off.
Three operations, each at concurrency 1 and at ``--concurrency``:

- get-project: GET /projects/{id}
- list-all-projects: every page of GET /projects, 100 a page (the emulator seeds 320
  projects: 4 pages); ours is hex_list_projects with fetchAll, hex-toolkit follows
  ``pagination.after`` itself
- run-status: GET /projects/{id}/runs/{runId}

hex-toolkit is synchronous (httpx), so at concurrency C it gets a thread pool of C
threads, each with its own HexClient (its own connection pool: no lock contention
between threads), each thread looping over its share of the calls. Ours: one
HexExecutor (pacing off) and C coroutines. Both are measured in one process, in
alternating rounds; the figures are medians. Each line also shows the client's CPU
time per call (all threads) and, for scale, bare aiohttp doing the same requests: the
most the emulator can serve. Where that ceiling is near both clients (list-all: the
emulator renders 100 projects a page), the ratio says more about the server than about
the clients, and the CPU per call is the fairer comparison.

    pip install -e '.[bench]'     # hex-toolkit==0.6.0
    python bench/clients.py [--concurrency 32] [--calls 1500] [--rounds 3]
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

import aiohttp
from _bench import Row, drive, emit_rows, fmt, server_process

from aacflow_hex import HexExecutor


@dataclass(frozen=True)
class Measured:
    rate: float  # calls/s
    cpu: float  # client CPU seconds per call (all threads)
    items: int  # what the last call saw (1, or the projects listed)

    @staticmethod
    def median(runs: list[Measured]) -> Measured:
        return Measured(
            statistics.median(r.rate for r in runs),
            statistics.median(r.cpu for r in runs),
            runs[-1].items,
        )


TARGET_CONCURRENT = 3.0
TARGET_SERIAL = 1.0
PAGE_SIZE = 100


def toolkit_base_url(base_url: str) -> str:
    """hex-toolkit wants the API root without /v1 (it adds /v1/... to each path)."""
    return base_url.removesuffix("/").removesuffix("/v1")


# -- the work, as hex-toolkit does it ---------------------------------------------------


def toolkit_operations(server: dict[str, Any]) -> dict[str, Callable[[Any], int]]:
    project_id, run_id = server["project_id"], server["run_id"]

    def get_project(client: Any) -> int:
        client.projects.get(project_id)
        return 1

    def list_all_projects(client: Any) -> int:
        count, after = 0, None
        while True:
            page = client.projects.list(limit=PAGE_SIZE, after=after)
            count += len(page.values)
            after = page.pagination.after
            if not after or not page.values:
                return count

    def run_status(client: Any) -> int:
        client.runs.get_status(project_id, run_id)
        return 1

    return {
        "get-project": get_project,
        "list-all-projects": list_all_projects,
        "run-status": run_status,
    }


def toolkit_rate(
    server: dict[str, Any], operation: Callable[[Any], int], calls: int, concurrency: int
) -> Measured:
    """hex-toolkit with ``concurrency`` threads."""
    from hex_toolkit import HexClient

    local = threading.local()
    clients: list[Any] = []
    lock = threading.Lock()

    def client() -> Any:
        if not hasattr(local, "client"):
            local.client = HexClient(
                api_key=server["token"], base_url=toolkit_base_url(server["base_url"])
            )
            with lock:
                clients.append(local.client)
        return local.client

    def worker(count: int) -> int:
        seen = 0
        for _ in range(count):
            seen = operation(client())
        return seen

    per_worker, extra = divmod(calls, concurrency)
    shares = [per_worker + (i < extra) for i in range(concurrency)]
    with ThreadPoolExecutor(concurrency) as pool:
        list(pool.map(lambda _: client(), range(concurrency * 4)))  # one client per thread
        list(pool.map(worker, [1] * concurrency))  # warm each thread's connections
        started, cpu = time.perf_counter(), time.process_time()
        seen = list(pool.map(worker, shares))
        elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu
    for each in clients:
        each.close()
    return Measured(calls / elapsed, cpu / calls, max(seen))


# -- the same work, ours ----------------------------------------------------------------


def our_requests(server: dict[str, Any]) -> dict[str, tuple[str, dict[str, Any]]]:
    project_id, run_id = server["project_id"], server["run_id"]
    return {
        "get-project": ("hex_get_project", {"projectId": project_id}),
        "list-all-projects": ("hex_list_projects", {"fetchAll": True}),
        "run-status": ("hex_get_run_status", {"projectId": project_id, "runId": run_id}),
    }


async def our_rate(
    server: dict[str, Any], tool_id: str, params: dict[str, Any], calls: int, concurrency: int
) -> Measured:
    seen = 0
    async with HexExecutor(server["base_url"], server["token"], rate_limits=None) as executor:

        async def call() -> None:
            nonlocal seen
            result = await executor.execute(tool_id, params)
            if not result.success:
                raise RuntimeError(f"{tool_id} failed: {result.error}")
            seen = len(result.output["projects"]) if "projects" in result.output else 1

        await drive(call, concurrency, concurrency)  # warm the connections
        cpu = time.process_time()
        elapsed = await drive(call, calls, concurrency)
        cpu = time.process_time() - cpu
    return Measured(calls / elapsed, cpu / calls, seen)


def compare(
    server: dict[str, Any], operation: str, calls: int, concurrency: int, rounds: int
) -> tuple[Measured, Measured]:
    """Medians of ours and hex-toolkit's figures over alternating rounds."""
    tool_id, params = our_requests(server)[operation]
    toolkit_op = toolkit_operations(server)[operation]
    ours: list[Measured] = []
    theirs: list[Measured] = []
    for _ in range(rounds):  # alternating, so noise hits both
        ours.append(asyncio.run(our_rate(server, tool_id, params, calls, concurrency)))
        theirs.append(toolkit_rate(server, toolkit_op, calls, concurrency))
        if ours[-1].items != theirs[-1].items:
            raise RuntimeError(
                f"{operation}: we saw {ours[-1].items} items, hex-toolkit {theirs[-1].items}"
            )
    return Measured.median(ours), Measured.median(theirs)


async def raw_rate(server: dict[str, Any], operation: str, calls: int, concurrency: int) -> float:
    """Calls/s of bare aiohttp doing the same requests: what the server allows at most."""
    base, headers = server["base_url"], {"Authorization": f"Bearer {server['token']}"}
    project_id, run_id = server["project_id"], server["run_id"]
    async with aiohttp.ClientSession() as session:

        async def get(path: str, query: dict[str, str] | None = None) -> Any:
            async with session.get(base + path, params=query, headers=headers) as response:
                return await response.json()

        async def call() -> None:
            if operation == "get-project":
                await get(f"/projects/{project_id}")
            elif operation == "run-status":
                await get(f"/projects/{project_id}/runs/{run_id}")
            else:
                query = {"limit": str(PAGE_SIZE)}
                while True:
                    page = await get("/projects", query)
                    after = (page.get("pagination") or {}).get("after")
                    if not after or not page.get("values"):
                        return
                    query = {"limit": str(PAGE_SIZE), "after": after}

        await drive(call, concurrency, concurrency)
        return calls / await drive(call, calls, concurrency)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--concurrency", type=int, default=32)
    parser.add_argument("--calls", type=int, default=1500, help="single-request calls per round")
    parser.add_argument("--lists", type=int, default=60, help="list-all calls per round")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument(
        "--no-ceiling",
        dest="ceiling",
        action="store_false",
        help="skip bare aiohttp on the same requests (what the server allows at most)",
    )
    parser.add_argument("--json", action="store_true", help="also print the rows for run_all")
    args = parser.parse_args()
    try:
        import hex_toolkit  # noqa: F401
    except ImportError:
        raise SystemExit("hex-toolkit is missing: pip install -e '.[bench]'") from None
    rows: list[Row] = []
    with server_process("emulator") as server:
        print(f"server: emulator at {server['base_url']} (own process, rate limits off)")
        for operation in ("get-project", "list-all-projects", "run-status"):
            for concurrency in (1, args.concurrency):
                listing = operation == "list-all-projects"
                calls = args.lists if listing else args.calls
                if concurrency == 1:  # slower: fewer calls, but enough to even out noise
                    calls = max(10, calls // 2 if listing else calls // 4)
                ours, theirs = compare(server, operation, calls, concurrency, args.rounds)
                target = TARGET_SERIAL if concurrency == 1 else TARGET_CONCURRENT
                row = Row(
                    metric=f"vs hex-toolkit 0.6.0, {operation}, concurrency {concurrency}, calls/s",
                    ours=ours.rate,
                    reference=theirs.rate,
                    unit="calls/s",
                    target=target,
                    target_of="ratio",
                    higher_is_better=True,
                )
                ceiling = ""
                if args.ceiling:
                    rate = asyncio.run(raw_rate(server, operation, calls, concurrency))
                    ceiling = f"; bare aiohttp {fmt(rate)} calls/s"
                print(
                    f"{operation:18s} concurrency {concurrency:>3}: ours {fmt(ours.rate)} calls/s "
                    f"({fmt(ours.cpu * 1e3, 2)} ms CPU a call), hex-toolkit {fmt(theirs.rate)} "
                    f"calls/s ({fmt(theirs.cpu * 1e3, 2)} ms CPU), ratio {fmt(row.ratio, 2)}"
                    + ceiling,
                    flush=True,
                )
                rows.append(row)
    if args.json:
        emit_rows(rows)


if __name__ == "__main__":
    main()
