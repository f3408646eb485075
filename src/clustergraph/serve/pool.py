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
import pickle
import socket
import struct
from collections.abc import Sequence
from multiprocessing.connection import Connection
from multiprocessing.reduction import ForkingPickler
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
    """One worker process and the server's end of its socket pair, read and written by the
    event loop itself (no thread per message). The worker speaks `multiprocessing`'s framing:
    a 4-byte big-endian length (or -1 and an 8-byte one), then a pickle."""

    def __init__(self, context: Any, files: Sequence[Path], max_memory: int,
                 dataset: tuple[bool, str | None] = (True, None)) -> None:
        ours, theirs = socket.socketpair()
        child = Connection(theirs.detach())
        self.process = context.Process(
            target=worker_main, args=(child, list(files), max_memory, *dataset),
            name="clustergraph-query", daemon=True,
        )
        self.process.start()
        child.close()
        self._socket = ours
        self._streams: tuple[asyncio.StreamReader, asyncio.StreamWriter] | None = None

    async def _open(self) -> tuple[asyncio.StreamReader, asyncio.StreamWriter]:
        if self._streams is None:
            self._streams = await asyncio.open_connection(sock=self._socket)
        return self._streams

    async def send(self, message: Any) -> None:
        """Send one message to the worker."""
        _, writer = await self._open()
        data = ForkingPickler.dumps(message)
        writer.write(struct.pack("!i", len(data)) + data if len(data) < 2**31 - 1
                     else struct.pack("!iQ", -1, len(data)) + data)
        try:
            await writer.drain()
        except (ConnectionError, OSError):
            raise WorkerDied("the query stopped its worker before it finished") from None

    async def receive(self) -> Any:
        """The next message from the worker (a killed worker ends the read: `WorkerDied`)."""
        reader, _ = await self._open()
        try:
            (size,) = struct.unpack("!i", await reader.readexactly(4))
            if size == -1:
                (size,) = struct.unpack("!Q", await reader.readexactly(8))
            return pickle.loads(await reader.readexactly(size))
        except (asyncio.IncompleteReadError, ConnectionError, OSError):
            raise WorkerDied("the query stopped its worker before it finished") from None

    async def exchange(self, job: Job) -> Reply:
        """Send a job and wait for its reply."""
        await self.send(job)
        return await self.receive()

    def kill(self) -> None:
        """Kill the process (SIGKILL) if it runs, wait for it and close the socket."""
        if self.process.is_alive():
            self.process.kill()
        self.process.join(timeout=5)
        if self._streams is not None:
            self._streams[1].close()
        else:
            self._socket.close()


class WorkerPool:
    """`size` worker processes over the same graph files, each with at most `max_memory` MB;
    see the module docstring. The workers' default graph is the union of all graphs unless
    `union_default_graph` is False; `base_iri`: what relative IRIs in a query resolve against
    when the job names none (None: the dataset's, `clustergraph.query.dataset.BASE_IRI`)."""

    def __init__(self, files: Sequence[Path], *, size: int, timeout: float, max_memory: int = 2048,
                 union_default_graph: bool = True, base_iri: str | None = None) -> None:
        self.files = list(files)
        self.union_default_graph = union_default_graph
        self.base_iri = base_iri
        #: The IRIs of the named graphs the workers hold (known once one has started).
        self.named_graphs: tuple[str, ...] = ()
        self.size = size
        self.timeout = timeout
        self.max_memory = max_memory
        self._context = multiprocessing.get_context("spawn")
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
        """How many workers are free right now (0 before `start`)."""
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
        worker = _Worker(self._context, self.files, self.max_memory,
                         (self.union_default_graph, self.base_iri))
        self._all.add(worker)
        try:
            status, detail = await asyncio.wait_for(worker.receive(), START_TIMEOUT)
        except (asyncio.TimeoutError, WorkerDied):
            self._discard(worker)
            raise InputError("a query worker did not start (could not load the graph)") from None
        if status != "ready":
            self._discard(worker)
            raise InputError(f"the query worker could not load the graph: {detail}")
        self.named_graphs = tuple(detail["graphs"])
        if not detail["isolated"] and self.isolated:
            self.isolated = False
            log.warning("query workers cannot drop their network access here; every query is "
                        "also checked for SERVICE and updates before it runs")
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
            reply = await asyncio.wait_for(worker.exchange(job), self.timeout)
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
