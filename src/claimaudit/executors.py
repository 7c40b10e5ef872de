"""Who judges the batches of an audit: this process, worker processes on this
machine (``--jobs N``), or a Dask cluster (``--dask ADDRESS|local``).

Each batch is a pure function of its documents and the shared context (the
built source index and the rules), and every executor yields the results in
batch order, so the report is byte-identical whichever runs it.

Importing this module costs nothing: process pools and Dask are imported only
when a run has work for them, so a one-page ``check`` never forks.
"""

from __future__ import annotations

import os
from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Callable

from claimaudit import limits
from claimaudit.errors import InputError

if TYPE_CHECKING:
    from concurrent.futures import ProcessPoolExecutor

    from claimaudit.model import Document
    from claimaudit.pipeline import AuditContext, BatchResult

INSTALL_DASK = 'pip install "claimaudit[dask]"'
LOCAL = "local"


def available_cores() -> int:
    """The cores this process may run on (a container's or a job's share, not the machine's)."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except (AttributeError, OSError):  # not Linux
        return max(1, os.cpu_count() or 1)


# Batches per worker when the run is shared out: enough that the workers finish together.
BATCHES_PER_WORKER = 4
# No smaller batch than this: each batch costs a round trip to a worker.
SMALLEST_SHARED_BATCH = 40


def _rebatched(batches: list[list[Document]], claims_per_batch: int | None,
               workers: int = 1) -> list[list[Document]]:
    """The run's documents cut as asked, or, shared out among ``workers``, cut finer so that every
    worker gets several batches (the pipeline's own batches are sized for one process)."""
    from claimaudit.pipeline import BATCH_CLAIMS, batch_weight, document_batches

    documents = [d for batch in batches for d in batch]
    if claims_per_batch is None and workers > 1:
        total = sum(batch_weight(d) for d in documents)
        claims_per_batch = max(SMALLEST_SHARED_BATCH,
                               min(BATCH_CLAIMS, total // (workers * BATCHES_PER_WORKER) or 1))
    if claims_per_batch is None:
        return batches
    return document_batches(documents, claims_per_batch)


def _outcome(error: Exception) -> Exception:
    """The worker's error as it can travel back to the run: itself when it pickles both ways
    (an InputError stays an InputError), else its type and message, so a worker never
    hangs or hides the run on an error that cannot be sent."""
    import pickle
    import traceback

    where = "".join(traceback.format_exception(error)).rstrip()
    # The chain stays in the note: on a Dask worker (tblib) it would travel too, and an
    # exception it holds may not unpickle.
    error.__cause__ = error.__context__ = None
    try:
        pickle.loads(pickle.dumps(error))
    except Exception:  # noqa: BLE001 - anything that cannot make the trip is sent as text
        error = RuntimeError(f"{type(error).__name__}: {error}")
    error.add_note(f"raised in a worker process:\n{where}")
    return error


@dataclass
class InProcess:
    """Batch by batch in this process, so that findings stream as they are judged."""

    claims_per_batch: int | None = None

    def run(self, context: AuditContext, batches: list[list[Document]]) -> Iterator[BatchResult]:
        from claimaudit.pipeline import audit_batch

        for batch in _rebatched(batches, self.claims_per_batch):
            yield audit_batch(context, batch)

    def close(self) -> None:
        pass

    def __enter__(self) -> InProcess:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


# What forked workers judge: set in the parent BEFORE the pool forks, so that every
# worker inherits the built source index and the documents instead of unpickling them.
# Keyed by run, so that two runs in one process (threads using the API) do not mix.
_FORKED: dict[int, tuple[AuditContext, list[list[Document]]]] = {}


def _start_forked_worker(workers: int = 1) -> None:
    import signal

    # Ctrl-C reaches the whole process group: the parent alone handles it, and stops the workers.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    # Stopped by the parent with SIGTERM: end quietly, not by raising the CLI's Terminated.
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    _end_with_parent()
    from claimaudit import cache

    # The parent alone writes the user's cache: a worker reads the analyses the
    # parent loaded (inherited in memory) and keeps what it works out to itself.
    cache.disable()
    import pickle

    from claimaudit.evidence import meaning

    # The workers share the machine's cores: each model runs on its share.
    meaning.THREADS = max(1, available_cores() // max(1, workers))
    for context, _ in _FORKED.values():
        if context.index.meaning is not None:
            # The parent's sentence model runs on threads a forked process does not have: each worker loads its own.
            context.index.meaning = pickle.loads(pickle.dumps(context.index.meaning))


def _end_with_parent() -> None:
    """On Linux, a worker whose parent is killed outright (SIGKILL) is killed too, never orphaned."""
    import sys

    if not sys.platform.startswith("linux"):
        return
    try:
        import ctypes
        import signal

        libc = ctypes.CDLL(None, use_errno=True)
        PR_SET_PDEATHSIG = 1
        libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
    except (OSError, AttributeError):
        pass


def _judge_forked(run: int, number: int) -> tuple[BatchResult | None, Exception | None]:
    from claimaudit.pipeline import audit_batch

    context, batches = _FORKED[run]
    try:
        return audit_batch(context, batches[number]), None
    except Exception as error:  # noqa: BLE001 - raised again in the parent, as one process would
        return None, _outcome(error)


def _describe_batch(batch: list[Document]) -> str:
    first, last = batch[0].path, batch[-1].path
    return first if first == last else f"{first} .. {last}"


def _signal_name(code: int) -> str:
    import signal

    try:
        return signal.Signals(-code).name
    except ValueError:
        return f"signal {-code}"


@dataclass
class ProcessPool:
    """``--jobs N``: batches judged by N forked worker processes on this machine.

    Forking shares the built source index with every worker without copying or
    pickling it; at most two batches per worker are in flight, and results are
    taken in batch order. A run of fewer than two batches, or ``jobs=1``, runs
    in this process."""

    jobs: int
    claims_per_batch: int | None = None
    _pools: list[Any] = field(default_factory=list, init=False, repr=False)

    def run(self, context: AuditContext, batches: list[list[Document]]) -> Iterator[BatchResult]:
        batches = _rebatched(batches, self.claims_per_batch, self.jobs)
        workers = min(self.jobs, len(batches))
        if workers < 2:
            yield from InProcess().run(context, batches)
            return
        yield from self._forked(context, batches, workers)

    def _forked(self, context: AuditContext, batches: list[list[Document]], workers: int) -> Iterator[BatchResult]:
        import multiprocessing
        from concurrent.futures import ProcessPoolExecutor
        from concurrent.futures.process import BrokenProcessPool

        run = id(batches)
        _FORKED[run] = (context, batches)
        pool = ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("fork"),
                                   initializer=_start_forked_worker, initargs=(workers,))
        processes: list[Any] = []  # the workers, kept here: a broken pool forgets them
        self._pools.append((pool, processes))
        finished = False
        try:
            pending: deque = deque()
            submitted = 0
            while submitted < len(batches) or pending:
                while submitted < len(batches) and len(pending) < 2 * workers:
                    pending.append((submitted, pool.submit(_judge_forked, run, submitted)))
                    submitted += 1
                    # The pool starts workers as tasks come; a broken pool forgets them, so each is kept here.
                    started = (getattr(pool, "_processes", None) or {}).values()
                    processes.extend(p for p in started if all(p is not seen for seen in processes))
                number, future = pending.popleft()
                try:
                    result, error = future.result()
                except BrokenProcessPool:
                    raise InputError(self._death(processes, batches[number])) from None
                if error is not None:
                    raise error
                assert result is not None
                yield result
            finished = True
        finally:
            _FORKED.pop(run, None)
            self._pools.remove((pool, processes))
            _stop(pool, processes, gently=finished)

    def _death(self, processes: list[Any], batch: list[Document]) -> str:
        import signal
        import time

        # The pool's own thread may be reaping the workers this very moment: give their exit codes a moment.
        deadline = time.monotonic() + 2.0
        while not all(p.exitcode for p in processes) and time.monotonic() < deadline:
            time.sleep(0.02)
        # The pool ends the other workers itself (SIGTERM): the one that died first is the one to name.
        ended = sorted((p for p in processes if p.exitcode), key=lambda p: p.exitcode == -signal.SIGTERM)
        how = "ended unexpectedly"
        if ended:
            code = ended[0].exitcode
            how = f"(pid {ended[0].pid}) " + (f"was killed by {_signal_name(code)}" if code < 0
                                             else f"exited with code {code}")
            if code == -9:
                how += " (out of memory, or killed by hand)"
        return (f"a worker process of --jobs {self.jobs} {how} while auditing {_describe_batch(batch)}; "
                f"the run was stopped")

    def close(self) -> None:
        for pool, processes in list(self._pools):
            _stop(pool, processes, gently=False)

    def __enter__(self) -> ProcessPool:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _stop(pool: ProcessPoolExecutor, processes: list[Any], *, gently: bool) -> None:
    """Shut the pool down; after an error or Ctrl-C, its workers are ended at once, never left behind."""
    if gently:
        pool.shutdown(wait=True)
        return
    pool.shutdown(wait=False, cancel_futures=True)
    for process in processes:
        if process.is_alive():
            process.terminate()
    for process in processes:
        process.join(timeout=5)
        if process.is_alive():
            process.kill()
            process.join(timeout=5)


def _within(seconds: float, connect: Callable[[], Any]) -> Any:
    """``connect()``, or TimeoutError after ``seconds``: Dask's own timeout does not cover a server that
    accepts the connection and never answers (a web server at that port), which would hold the run."""
    import threading

    outcome: list[Any] = []

    def attempt() -> None:
        try:
            outcome.append(("ok", connect()))
        except BaseException as error:  # noqa: BLE001 - handed to the caller
            outcome.append(("error", error))

    worker = threading.Thread(target=attempt, name="claimaudit-dask-connect", daemon=True)
    worker.start()
    worker.join(seconds + 1.0)
    if not outcome:
        raise TimeoutError("the address accepted the connection but never answered as a Dask scheduler")
    kind, value = outcome[0]
    if kind == "error":
        raise value
    return value


def _claimaudit_version() -> str:
    from claimaudit import __version__

    return __version__


def _judge_on_dask(context: AuditContext, documents: list[Document],
                   limit_values: dict[str, float]) -> tuple[BatchResult | None, Exception | None]:
    from claimaudit import cache, limits
    from claimaudit.pipeline import audit_batch

    try:
        # The limits in force where the run was started, and no cache on the worker's machine.
        with cache.disabled(True), limits.override(**limit_values):
            return audit_batch(context, documents), None
    except Exception as error:  # noqa: BLE001 - raised again where the run was started, as one process would
        return None, _outcome(error)


def _limit_values() -> dict[str, float]:
    """Every limit as it stands here (config, environment, default), for workers on other machines."""
    from claimaudit import limits

    values: dict[str, float] = {}
    for name in limits.LIMITS:
        try:
            values[name] = limits.value(name)
        except InputError:
            pass  # a malformed setting fails where it is used, as in one process
    return values


@dataclass
class DaskCluster:
    """``--dask ADDRESS``: batches judged on a running dask.distributed cluster;
    ``--dask local``: on a LocalCluster of ``workers`` processes on this machine.

    The source index is sent once to every worker; batches are submitted a few
    per worker thread at a time and their results taken in document order. The
    cluster is reached when the first batch needs it and let go at close."""

    address: str
    claims_per_batch: int | None = None
    workers: int | None = None  # --dask local: worker processes (default: the cores available)
    _client: Any = field(default=None, init=False, repr=False)
    _cluster: Any = field(default=None, init=False, repr=False)

    @property
    def where(self) -> str:
        return "the local Dask cluster" if self.address == LOCAL else f"the Dask scheduler at {self.address}"

    def _connect(self) -> Any:
        if self._client is not None:
            return self._client
        import logging

        try:
            from distributed import Client, LocalCluster
        except ImportError:
            raise InputError(f"--dask needs the optional Dask packages, which are not installed: {INSTALL_DASK}") \
                from None
        from claimaudit import limits

        # Dask reports on its own work (and on version differences we check ourselves) in its logs.
        logging.getLogger("distributed").setLevel(logging.ERROR)
        seconds = limits.value("max-dask-connect-seconds")
        try:
            if self.address == LOCAL:
                # No dashboard; the scheduler's health page on a free port of this machine only.
                self._cluster = LocalCluster(n_workers=self.workers or available_cores(), threads_per_worker=1,
                                             processes=True, host="127.0.0.1", dashboard_address=None,
                                             scheduler_kwargs={"dashboard": False,
                                                               "dashboard_address": "127.0.0.1:0"},
                                             silence_logs=logging.ERROR)
                self._client = Client(self._cluster, timeout=seconds)
            else:
                self._client = _within(seconds, lambda: Client(self.address, timeout=seconds))
        except Exception as error:  # noqa: BLE001 - any failure to reach the cluster is said in one line
            self.close()
            detail = str(error).splitlines()[0] if str(error) else type(error).__name__
            raise InputError(f"cannot connect to {self.where} within {seconds:g} s: {detail} "
                             f"{limits.hint('max-dask-connect-seconds')}") from None
        self._check_workers(self._client, seconds)
        return self._client

    def _check_workers(self, client: Any, seconds: float) -> None:
        from claimaudit import __version__

        try:
            client.wait_for_workers(1, timeout=seconds)
        except Exception:  # noqa: BLE001 - a scheduler with no workers would leave the run waiting forever
            self.close()
            raise InputError(f"{self.where} has no workers (waited {seconds:g} s): start `dask worker "
                             f"{self.address}` on the machines that should do the work") from None
        try:
            versions: dict[str, str] = client.run(_claimaudit_version)
        except Exception as error:  # noqa: BLE001 - e.g. claimaudit not installed on a worker
            self.close()
            raise InputError(f"the workers of {self.where} cannot run claimaudit ({type(error).__name__}: "
                             f"{error}); install claimaudit {__version__} on every worker") from None
        other = sorted({(version, worker) for worker, version in versions.items() if version != __version__})
        if other:
            self.close()
            version, worker = other[0]
            raise InputError(f"worker {worker} of {self.where} runs claimaudit {version}, this is {__version__}: "
                             f"install the same version on every worker, so that the report does not depend on "
                             f"where a claim was judged")

    def run(self, context: AuditContext, batches: list[list[Document]]) -> Iterator[BatchResult]:
        if not batches:
            return
        client = self._connect()
        import uuid

        run = uuid.uuid4().hex
        threads = sum(client.nthreads().values()) or 1
        batches = _rebatched(batches, self.claims_per_batch, threads)
        limit_values = _limit_values()
        pending: deque = deque()
        shipped = None
        try:
            shipped = client.scatter(context, broadcast=True, hash=False)
            submitted = 0
            while submitted < len(batches) or pending:
                while submitted < len(batches) and len(pending) < 2 * threads:
                    future = client.submit(_judge_on_dask, shipped, batches[submitted], limit_values, pure=False,
                                           key=f"claimaudit-batch-{run}-{submitted}")
                    pending.append((submitted, future))
                    submitted += 1
                number, future = pending.popleft()
                try:
                    result, error = future.result()
                except Exception as failure:  # noqa: BLE001 - the cluster failed, not the batch
                    detail = str(failure).splitlines()[0] if str(failure) else ""
                    raise InputError(f"{self.where} failed while auditing {_describe_batch(batches[number])} "
                                     f"({type(failure).__name__}{': ' + detail if detail else ''}); "
                                     f"the run was stopped") from None
                if error is not None:
                    raise error
                yield result
        finally:
            leftover = [future for _, future in pending] + ([shipped] if shipped is not None else [])
            if leftover:
                try:
                    client.cancel(leftover)
                except Exception:  # noqa: BLE001 - the cluster may already be gone
                    pass

    def close(self) -> None:
        client, cluster = self._client, self._cluster
        self._client = self._cluster = None
        for resource in (client, cluster):
            if resource is not None:
                try:
                    resource.close()
                except Exception:  # noqa: BLE001 - closing what may already be gone
                    pass

    def __enter__(self) -> DaskCluster:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


AnyExecutor = InProcess | ProcessPool | DaskCluster


def parse_jobs(value: object, where: str = "--jobs") -> int:
    """A number of worker processes, 1 or more; anything else is bad input."""
    try:
        jobs = int(str(value).strip())
    except ValueError:
        raise InputError(f"{where}: {value!r} is not a number of worker processes (1 or more)") from None
    if jobs < 1:
        raise InputError(f"{where}: {jobs} is not a number of worker processes (1 or more)")
    # Each worker is a copy of this process: a mistyped count must not fork hundreds of them.
    if jobs > limits.int_value("max-jobs"):
        raise InputError(f"{where}: {limits.breach('max-jobs', jobs).detail}")
    return jobs


def executor_for(jobs: int | None = None, dask: str | None = None, *,
                 claims_per_batch: int | None = None) -> AnyExecutor:
    """The executor a run asked for.

    ``dask``: "local" or a scheduler address; ``jobs`` then sizes a local
    cluster and is an error beside an address (the cluster's own workers
    decide). Without ``dask``: ``jobs`` worker processes, default the cores
    available; a run of fewer than two batches stays in this process."""
    if jobs is not None:
        jobs = parse_jobs(jobs)
    if dask is not None:
        address = dask.strip()
        if not address:
            raise InputError("--dask: give a scheduler address (tcp://host:8786) or `local`")
        if address.lower() == LOCAL:
            return DaskCluster(LOCAL, claims_per_batch=claims_per_batch, workers=jobs)
        if jobs is not None:
            raise InputError("--jobs sizes --dask local; a cluster at an address runs on its own workers: "
                             "leave out --jobs")
        return DaskCluster(address, claims_per_batch=claims_per_batch)
    jobs = available_cores() if jobs is None else jobs
    if jobs == 1:
        return InProcess(claims_per_batch)
    return ProcessPool(jobs, claims_per_batch)
