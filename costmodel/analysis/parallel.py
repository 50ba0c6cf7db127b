"""Independent evaluations on the machine's cores, with the results of a plain loop.

:func:`parallel_map` runs ``job(*args, i)`` for each task ``i`` in forked worker
processes (one per core, at most :data:`WORKERS_VARIABLE` when set) and gathers the
results in task order. :func:`in_background` runs one job in a forked process while
this one goes on with other work, and gives its result when asked. A task must depend
on its arguments alone (every random number from a generator it seeds itself), so the
results are those of the loop, bit for bit.
"""

from __future__ import annotations

import multiprocessing
import os
import pickle
import signal
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager
from typing import Any

from ..params.errors import CostModelError

#: The environment variable that caps the worker processes (1: evaluate in this one).
WORKERS_VARIABLE = "COSTMODEL_WORKERS"

#: The model, base parameters and task a forked worker evaluates (set before the fork).
_TASK: tuple[Callable[..., Any], tuple] | None = None
#: Jobs running in background processes started by this one (each holds a core).
_BACKGROUND = 0


def workers(tasks: int) -> int:
    """How many processes evaluate ``tasks`` independent points: one per core this
    process may use (less one for each job it runs :func:`in_background`), at most
    :data:`WORKERS_VARIABLE` (when set) and at most one per task; 1 where processes
    cannot be forked."""
    return max(1, min(_cores() - _BACKGROUND, tasks))


def _cores() -> int:
    """The cores this process may give work to: those it may use, at most
    :data:`WORKERS_VARIABLE`; 1 where processes cannot be forked, or in a worker."""
    try:
        cores = len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        cores = os.cpu_count() or 1
    given = os.environ.get(WORKERS_VARIABLE, "").strip()
    if given:
        try:
            cores = min(cores, int(given))
        except ValueError:
            raise CostModelError(
                f"{WORKERS_VARIABLE} must be a whole number of processes, not {given!r}"
            ) from None
    if "fork" not in multiprocessing.get_all_start_methods():
        return 1
    if multiprocessing.current_process().daemon:  # already a worker
        return 1
    return max(1, cores)


def _run_task(i: int) -> tuple[bool, bytes]:
    """Task ``i`` in a worker: (True, the result pickled), or (False, b"") when the
    model refused its values (the caller evaluates it again itself, to raise the
    error). The result is pickled here with the highest protocol, whose arrays come back
    in memory numpy allocates: an array rebuilt from the pool's own pickle (protocol 4)
    sits where numpy's vectorised sums can add in another order, so a figure worked out
    from it may differ in the last bit."""
    assert _TASK is not None
    job, args = _TASK
    try:
        out = job(*args, i)
    except CostModelError:
        return False, b""
    return True, pickle.dumps(out, protocol=pickle.HIGHEST_PROTOCOL)


def parallel_map(job: Callable[..., Any], args: tuple, tasks: int) -> list[Any]:
    """``[job(*args, i) for i in range(tasks)]``, in that order, on :func:`workers`
    processes. Each task must be a function of its arguments alone (no shared random
    generator), so the results are those of the loop. The processes are forked, so
    ``job`` and ``args`` need not be picklable; only ``i`` and the results travel.
    Where a task raises a :class:`CostModelError` it is run again here, to raise it."""
    n = workers(tasks)
    if n == 1:
        return [job(*args, i) for i in range(tasks)]
    global _TASK
    _TASK = (job, args)
    try:
        context = multiprocessing.get_context("fork")
        with ProcessPoolExecutor(n, mp_context=context) as pool:
            done = list(pool.map(_run_task, range(tasks)))
    finally:
        _TASK = None
    return [pickle.loads(out) if ok else job(*args, i) for i, (ok, out) in enumerate(done)]


def _in_child(writer: Any, job: Callable[..., Any], args: tuple) -> None:
    """A background job, in its process: the result pickled back (as in
    :func:`_run_task`), or a refusal for the caller to run the job itself. The caller
    stops this process when it no longer needs it: its signals end it quietly."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C reaches the caller, which stops us
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    try:
        blob = pickle.dumps(job(*args), protocol=pickle.HIGHEST_PROTOCOL)
    except Exception:  # the caller runs the job itself, to raise the error there
        writer.send_bytes(b"")
    else:
        writer.send_bytes(b"ok")
        writer.send_bytes(blob)
    writer.close()


@contextmanager
def in_background(job: Callable[..., Any], *args: Any) -> Iterator[Callable[[], Any]]:
    """Within the block, ``job(*args)`` runs in a forked process while this process does
    other work; the block is given a function that waits for the job and returns its
    result. There is a job beside this process for each core at most (several blocks
    may be open at once: this process shares the cores with them), and meanwhile this
    process's own :func:`parallel_map` leaves their cores to them. Where the job cannot
    run beside (one core, ``COSTMODEL_WORKERS=1``, no fork, every core taken), or it
    raised, the function runs it here. Leaving the block stops a job still running (an
    error or an interrupt)."""
    global _BACKGROUND
    cores = _cores()
    if cores < 2 or cores <= _BACKGROUND:
        yield lambda: job(*args)
        return
    context = multiprocessing.get_context("fork")
    reader, writer = context.Pipe(duplex=False)
    process = context.Process(target=_in_child, args=(writer, job, args), daemon=True)
    process.start()
    writer.close()
    _BACKGROUND += 1
    done: list[Any] = []

    def result() -> Any:
        if not done:
            try:
                blob = reader.recv_bytes() if reader.recv_bytes() else b""
            except EOFError:  # the process ended without an answer
                blob = b""
            process.join()
            done.append(pickle.loads(blob) if blob else job(*args))
        return done[0]

    try:
        yield result
    finally:
        _BACKGROUND -= 1
        if process.is_alive():
            process.terminate()
            process.join()
        reader.close()


__all__ = ["WORKERS_VARIABLE", "in_background", "parallel_map", "workers"]
