"""Writing output files safely: all or nothing, and never over a file unless asked.

Each file is written to a temporary file in the destination folder and moved into
place only when complete, so a failure leaves no half-written report behind.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from ..params.errors import OutputError


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


def write_files(blobs: Mapping[Any, bytes], force: bool = False) -> list[Path]:
    """Write each ``path: content`` atomically; on any failure none of them is left.

    Every destination is checked first; contents go to temporary files beside their
    destinations, which are renamed into place once all are written. If a rename
    fails, the files already moved are removed too (a replaced file is not restored).
    """
    paths = check_writable(list(blobs), force)
    umask = os.umask(0)
    os.umask(umask)
    temps: list[Path] = []
    done: list[Path] = []
    try:
        for path, data in zip(paths, blobs.values(), strict=True):
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
    except BaseException as exc:
        for leftover in [*temps, *done]:  # all or nothing: also the ones already moved
            leftover.unlink(missing_ok=True)
        if isinstance(exc, OSError) and not isinstance(exc, OutputError):
            # name the file the caller asked for, not the temporary one beside it
            target = next((p for p in paths if str(p.parent) in str(exc.filename or "")), paths[0])
            raise OutputError(f"{target}: {exc.strerror or exc}") from None
        raise
    return done
