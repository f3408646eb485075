"""The pool of query worker processes, driven from the server's event loop.

`WorkerPool.run(job)` waits for an idle worker (at most `timeout` seconds, else `PoolBusy`),
sends it the job and waits for the reply (at most `timeout` seconds, else `QueryTimeout`). A
worker that overruns, dies or whose client went away mid-query is killed (SIGKILL: Oxigraph
cannot be interrupted) and a fresh one is started in the background, so the work really stops
and the slot comes back. Workers are spawned (not forked): the server's threads and sockets
never leak into them.
"""

from __future__ import annotations

import asyncio
import logging
import multiprocessing
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

from clustergraph.errors import ClustergraphError, InputError
from clustergraph.serve.worker import Job, Reply, worker_main

__all__ = ["PoolBusy", "QueryTimeout", "WorkerPool"]

log = logging.getLogger(__name__)

#: Seconds a new worker may take to load the graph.
START_TIMEOUT = 300.0


class PoolBusy(ClustergraphError):
    """No worker became free in time."""


class QueryTimeout(ClustergraphError):
    """A query ran past the time limit and was stopped."""


class WorkerDied(ClustergraphError):
    """A worker exited while running a query (it is replaced)."""


class _Worker:
    def __init__(self, context: Any, files: Sequence[Path], max_memory: int) -> None:
        self.conn, child = context.Pipe()
        self.process = context.Process(
            target=worker_main, args=(child, list(files), max_memory), name="clustergraph-query",
            daemon=True,
        )
        self.process.start()
        child.close()

    async def receive(self, reader: ThreadPoolExecutor) -> Any:
        """The next message from the worker, read in a thread of `reader` (the event loop goes
        on; a killed worker ends the read with EOF). A thread rather than `add_reader`, which
        some event loops (uvloop) do by making the pipe non-blocking under the reader's feet."""
        loop = asyncio.get_running_loop()
        try:
            return await loop.run_in_executor(reader, self.conn.recv)
        except (EOFError, OSError):
            raise WorkerDied("the query stopped its worker before it finished") from None

    def kill(self) -> None:
        if self.process.is_alive():
            self.process.kill()
        self.process.join(timeout=5)
        self.conn.close()


class WorkerPool:
    """`size` worker processes over the same graph files, each with at most `max_memory` MB;
    see the module docstring."""

    def __init__(self, files: Sequence[Path], *, size: int, timeout: float, max_memory: int = 2048) -> None:
        self.files = list(files)
        self.size = size
        self.timeout = timeout
        self.max_memory = max_memory
        self._context = multiprocessing.get_context("spawn")
        # One reading thread per worker, and as many again for workers starting in the background.
        self._reader = ThreadPoolExecutor(max_workers=2 * size, thread_name_prefix="clustergraph-pipe")
        self._idle: asyncio.Queue[_Worker] | None = None
        self._all: set[_Worker] = set()
        self._tasks: set[asyncio.Task[None]] = set()
        self._started = False
        self._lock: asyncio.Lock | None = None
        self.kills = 0
        #: Whether every worker started so far runs without network (see `worker`).
        self.isolated = True

    @property
    def idle(self) -> int:
        return self._idle.qsize() if self._idle is not None else 0

    async def start(self) -> None:
        """Start every worker and wait until each has loaded the graph (idempotent)."""
        if self._lock is None:
            self._lock = asyncio.Lock()
        async with self._lock:
            if self._started:
                return
            self._idle = asyncio.Queue()
            workers = await asyncio.gather(*(self._new_worker() for _ in range(self.size)))
            for worker in workers:
                self._idle.put_nowait(worker)
            self._started = True

    async def _new_worker(self) -> _Worker:
        worker = _Worker(self._context, self.files, self.max_memory)
        self._all.add(worker)
        try:
            status, detail = await asyncio.wait_for(worker.receive(self._reader), START_TIMEOUT)
        except (asyncio.TimeoutError, WorkerDied):
            self._discard(worker)
            raise InputError("a query worker did not start (could not load the graph)") from None
        if status != "ready":
            self._discard(worker)
            raise InputError(f"the query worker could not load the graph: {detail}")
        if not detail["isolated"] and self.isolated:
            self.isolated = False
            log.warning("query workers cannot drop their network access here; every query is "
                        "also parsed by rdflib for SERVICE and FROM before it runs")
        return worker

    def _discard(self, worker: _Worker) -> None:
        self._all.discard(worker)
        worker.kill()

    def _replace(self, worker: _Worker) -> None:
        """Kill `worker` and start another in the background."""
        self._discard(worker)
        self.kills += 1

        async def replace() -> None:
            try:
                fresh = await self._new_worker()
            except ClustergraphError:
                log.error("could not start a replacement query worker")
                return
            assert self._idle is not None
            self._idle.put_nowait(fresh)

        task = asyncio.get_running_loop().create_task(replace())
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def run(self, job: Job) -> Reply:
        """Run one job on an idle worker within the time limit."""
        if not self._started:
            await self.start()
        assert self._idle is not None
        try:
            worker = await asyncio.wait_for(self._idle.get(), self.timeout)
        except asyncio.TimeoutError:
            raise PoolBusy(
                f"every query worker stayed busy for {self.timeout:g} s; try again shortly"
            ) from None
        try:
            worker.conn.send(job)
            reply = await asyncio.wait_for(worker.receive(self._reader), self.timeout)
        except asyncio.TimeoutError:
            self._replace(worker)
            raise QueryTimeout(
                f"the query ran longer than the {self.timeout:g} s limit and was stopped; "
                "add a LIMIT or narrow its patterns"
            ) from None
        except WorkerDied:
            self._replace(worker)
            raise
        except BaseException:
            # Cancelled (the client went away) or a pipe error: the worker's state is unknown.
            self._replace(worker)
            raise
        self._idle.put_nowait(worker)
        return reply

    async def stop(self) -> None:
        """Kill every worker (the server is shutting down)."""
        for task in list(self._tasks):
            task.cancel()
        for worker in list(self._all):
            self._discard(worker)
        self._started = False
