"""Writing output files safely: all or nothing, and never over a file unless asked.

Each file is written to a temporary file in the destination folder and moved into
place only when complete, so a failure leaves no half-written report behind. Ctrl-C
and SIGTERM are held back while the files are written and renamed, then acted on
once the folder is tidy (none of the files left), so a signal can never land between
creating a temporary ``.part`` file and removing it.
"""

from __future__ import annotations

import contextlib
import os
import signal
import tempfile
import threading
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

from ..params.errors import OutputError, accepts


@accepts(paths="paths")
def check_writable(paths: Sequence[str | Path], force: bool = False) -> list[Path]:
    """Check, before any work, that every path can be written; one line naming the path.

    Refused: the same file named twice, a folder, a missing or unwritable folder, and
    an existing file unless ``force``.
    """
    out: list[Path] = []
    seen: dict[Path, Path] = {}
    for given in paths:
        p = Path(given)
        try:
            key = _check_one(p, seen, force)
        except OutputError:
            raise
        except OSError as exc:  # e.g. a name longer than the file system allows
            raise OutputError(f"{p}: {exc.strerror or exc}") from None
        except ValueError as exc:  # e.g. a NUL character in the name
            raise OutputError(f"{p!r}: not a usable file name ({exc})") from None
        seen[key] = p
        out.append(p)
    return out


def _check_one(p: Path, seen: Mapping[Path, Path], force: bool) -> Path:
    """One path's checks (see :func:`check_writable`); its resolved form."""
    key = p.resolve()
    if key in seen:
        also = "" if str(seen[key]) == str(p) else f" (also as {seen[key]})"
        raise OutputError(f"{p}: named twice{also}")
    if len(p.name.encode()) > _name_max(p.parent):
        raise OutputError(f"{p}: the file name is longer than the file system allows")
    if p.is_dir():
        raise OutputError(f"{p}: is a folder; give a file name")
    folder = p.parent
    if folder.exists() and not folder.is_dir():
        raise OutputError(f"{p}: {folder} is a file, not a folder")
    if not folder.is_dir():
        raise OutputError(f"{p}: folder {folder} does not exist")
    if not os.access(folder, os.W_OK | os.X_OK):
        raise OutputError(f"{p}: folder {folder} is not writable")
    if p.exists() and not force:
        raise OutputError(f"{p}: already exists; use --force to replace it")
    return key


def _name_max(folder: Path) -> int:
    """The longest file name the folder's file system takes (255 where it cannot say)."""
    try:
        return os.pathconf(folder if folder.is_dir() else ".", "PC_NAME_MAX")
    except (OSError, ValueError):
        return 255


#: The signals held back while files are written (those that stop a command).
HELD_SIGNALS = (signal.SIGINT, signal.SIGTERM)


@contextlib.contextmanager
def held_signals() -> Iterator[list[int]]:
    """Hold Ctrl-C and SIGTERM back for the block; act on them when it ends.

    Yields the list of signals that arrived (the block may check it to undo its
    work). Python runs signal handlers in the main thread only, between bytecodes;
    here they just note the signal, so nothing can interleave with the block. At its
    end the previous handlers are put back and each signal held is given to them (a
    default SIGTERM stops the process as it would have). Outside the main thread,
    where handlers cannot be set, the block runs as it is: a signal there stops the
    main thread, not this one.
    """
    if threading.current_thread() is not threading.main_thread():
        yield []
        return
    held: list[int] = []
    previous: dict[int, Any] = {}
    try:
        for signum in HELD_SIGNALS:
            previous[signum] = signal.signal(signum, lambda n, _frame: held.append(n))
        yield held
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
        for came in dict.fromkeys(held):  # each once, in the order they came
            handler = previous.get(came)
            if callable(handler):
                handler(came, None)  # e.g. KeyboardInterrupt, or the CLI's Terminated
            elif handler == signal.SIG_DFL:
                os.kill(os.getpid(), came)


def write_files(blobs: Mapping[Any, bytes], force: bool = False) -> list[Path]:
    """Write each ``path: content`` atomically; on any failure none of them is left.

    Every destination is checked first; contents go to temporary files beside their
    destinations, which are renamed into place once all are written. If a rename
    fails, the files already moved are removed too (a replaced file is not restored).
    Ctrl-C or SIGTERM during the write (see :func:`held_signals`) removes them as
    well, then stops the command as it would have.
    """
    if not isinstance(blobs, Mapping):
        raise OutputError(
            f"write_files: expects a mapping of path to bytes, got {type(blobs).__name__}"
        )
    paths = check_writable(list(blobs), force)
    for path, data in zip(paths, blobs.values(), strict=True):
        if not isinstance(data, (bytes, bytearray, memoryview)):
            raise OutputError(f"{path}: the content is {type(data).__name__}, not bytes")
    with held_signals() as held:
        return _write_all(paths, list(blobs.values()), force, held)


def _write_all(paths: list[Path], blobs: list[bytes], force: bool, held: list[int]) -> list[Path]:
    """Write and rename into place (signals held by the caller); undo on any failure."""
    umask = os.umask(0)
    os.umask(umask)
    temps: list[Path] = []
    done: list[Path] = []
    try:
        for path, data in zip(paths, blobs, strict=True):
            # a short temporary name, so that any name the destination takes fits
            fd, name = tempfile.mkstemp(dir=path.parent, prefix=".costmodel-", suffix=".part")
            temps.append(Path(name))
            with os.fdopen(fd, "wb") as fh:
                fh.write(data)
            os.chmod(name, 0o666 & ~umask)  # as a plain open() would have made it
        for part, path in zip(temps, paths, strict=True):
            if path.exists() and not force:  # appeared while we were writing
                raise OutputError(f"{path}: already exists; use --force to replace it")
            os.replace(part, path)
            done.append(path)
        if held:  # stopped while writing: leave nothing, then stop
            raise _Stopped()
    except BaseException as exc:
        for leftover in [*temps, *done]:  # all or nothing: also the ones already moved
            leftover.unlink(missing_ok=True)
        if isinstance(exc, OSError) and not isinstance(exc, OutputError):
            # name the file the caller asked for, not the temporary one beside it
            target = next((p for p in paths if str(p.parent) in str(exc.filename or "")), paths[0])
            raise OutputError(f"{target}: {exc.strerror or exc}") from None
        if isinstance(exc, _Stopped):
            return []  # the held signal is acted on as the caller's block ends
        raise
    return done


class _Stopped(Exception):
    """A signal arrived while the files were written: undo them."""
