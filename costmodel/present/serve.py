"""Serving the commissioners' app to many visitors: Voilà, configured and bounded.

``costmodel app`` runs this module in a child process, ``python -m
costmodel.present.serve SETTINGS.json``, with the settings it has checked (see
:class:`Settings`): the address and port, the password (read from a file, never put on a
command line; the password itself or a Jupyter hashed password), when an idle visitor's
kernel is shut down, and how many visitors are served at once. Each visitor has a kernel
of their own; a visitor beyond the maximum gets a short page saying the app is busy
(HTTP 503, ``Retry-After``) instead of a kernel. Everything the server writes (its
notebook, its log, the kernels' connection files) stays in one temporary folder, which
``costmodel app`` removes when it stops.
"""

from __future__ import annotations

import json
import os
import re
import sys
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from ..params.errors import CostModelError
from .plotly_bundle import BUNDLE_VARIABLE, bundle_name, serve_bundle

#: Seconds a visitor's place is held between the page being asked for and its kernel
#: starting (a page that fails before its kernel starts gives the place back then).
RESERVATION_SECONDS = 120
#: Seconds a visitor beyond the maximum is told to wait before trying again.
RETRY_AFTER_SECONDS = 60
#: Seconds Voilà waits, once the app's cell has run, for the cell's output (the app) to
#: reach it from the kernel. nbclient's default, 4 s, is too short when many visitors
#: arrive together on few cores: the server reads each kernel's messages late, gives up
#: and sends a page without the app. The wait ends as soon as the output is in.
OUTPUT_WAIT_SECONDS = 120
#: Seconds a visitor's kernel is given to start (Voilà's default: 60).
KERNEL_START_SECONDS = 300


@dataclass(frozen=True)
class Settings:
    """How ``costmodel app`` serves the app (operational settings, not figures)."""

    notebook: str
    folder: str
    ip: str = "127.0.0.1"
    port: int = 8866
    base_url: str = "/"
    password_file: str | None = None
    max_sessions: int = 20
    cull_idle_minutes: float = 30.0
    cull_interval_seconds: int = 60

    def write(self, path: Path) -> None:
        path.write_text(json.dumps(asdict(self)), encoding="utf-8")

    @classmethod
    def read(cls, path: str | Path) -> Settings:
        return cls(**json.loads(Path(path).read_text(encoding="utf-8")))


def read_password(path: str | Path) -> str:
    """The password in ``path``: its first line, stripped; one clear line if unusable."""
    p = Path(path)
    try:
        text = p.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise CostModelError(f"{p}: --password-file: no such file") from None
    except IsADirectoryError:
        raise CostModelError(f"{p}: --password-file: is a folder, not a file") from None
    except UnicodeDecodeError:
        raise CostModelError(f"{p}: --password-file: not UTF-8 text") from None
    except OSError as exc:
        raise CostModelError(f"{p}: --password-file: {exc.strerror or exc}") from None
    lines = text.splitlines()
    password = lines[0].strip() if lines else ""
    if not password:
        raise CostModelError(f"{p}: --password-file: the first line is empty; put the password")
    return password


#: How a hashed password (``jupyter_server.auth.passwd``) begins: ``argon2:…`` or
#: ``ALGORITHM:SALT:DIGEST`` with a hashlib algorithm (``sha1``, ``sha256``, …).
HASH_PREFIXES = ("argon2:", "sha1:", "sha256:", "sha512:")


def is_hashed_password(secret: str) -> bool:
    """Whether ``secret`` is a Jupyter hashed password rather than the password itself."""
    if secret.startswith("argon2:"):
        return secret.startswith("argon2:$argon2")
    return secret.startswith(HASH_PREFIXES) and len(secret.split(":")) == 3


def busy_page(max_sessions: int) -> str:
    """What a visitor beyond the maximum sees."""
    return (
        "<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'>"
        f"<meta http-equiv='refresh' content='{RETRY_AFTER_SECONDS}'>"
        "<title>The app is busy</title></head>"
        "<body style='font-family:sans-serif;max-width:40em;margin:4em auto'>"
        "<h1>The app is busy</h1>"
        f"<p>It is serving as many people as it can at once ({max_sessions:,}). "
        f"This page tries again in {RETRY_AFTER_SECONDS} seconds; or come back when "
        "someone has closed theirs.</p></body></html>"
    )


class SessionLimit:
    """A Voilà prelaunch hook: a kernel for each visitor up to ``max_sessions``.

    Kernels running and places held for pages still starting are counted together,
    so visitors who arrive at the same moment cannot all slip past the limit. A place
    is given up when a kernel not seen before has started (the oldest place first) or
    after ``RESERVATION_SECONDS``.
    """

    def __init__(self, max_sessions: int):
        self.max_sessions = max_sessions
        self._held: list[float] = []  # when each place still held was taken
        self._known: set[str] = set()  # the kernels running at the last visit

    def __call__(self, handler: Any, notebook: Any = None, cwd: Any = None) -> None:
        import tornado.web

        now = time.monotonic()
        running = set(handler.kernel_manager.list_kernel_ids())
        started = len(running - self._known)
        self._known = running
        self._held = [t for t in self._held if now - t < RESERVATION_SECONDS][started:]
        if len(running) + len(self._held) >= self.max_sessions:
            handler.set_status(503)
            handler.set_header("Retry-After", str(RETRY_AFTER_SECONDS))
            handler.set_header("Content-Type", "text/html; charset=utf-8")
            handler.log.warning(
                "costmodel app: busy (%d sessions); a visitor turned away", len(running)
            )
            raise tornado.web.Finish(busy_page(self.max_sessions))
        self._held.append(now)


def voila_config(settings: Settings) -> Any:
    """The traitlets configuration Voilà runs with."""
    from traitlets.config import Config

    c = Config()
    c.Voila.ip = settings.ip
    c.Voila.port = settings.port
    c.Voila.port_retries = 0  # the port asked for, or a clear failure
    c.Voila.open_browser = False
    c.Voila.base_url = settings.base_url
    c.Voila.connection_dir_root = settings.folder  # removed with the folder
    c.Voila.config_file_paths = [settings.folder]  # no stray voila.json from elsewhere
    secret = read_password(settings.password_file) if settings.password_file else None
    if secret is not None and is_hashed_password(secret):
        # a hash from jupyter_server.auth.passwd: visitors type the password it hashes
        c.Voila.token = None
        c.PasswordIdentityProvider.hashed_password = secret
        c.PasswordIdentityProvider.allow_password_change = False
    else:
        c.Voila.token = secret
    c.VoilaConfiguration.show_tracebacks = False
    c.VoilaExecutor.iopub_timeout = OUTPUT_WAIT_SECONDS
    c.VoilaExecutor.startup_timeout = KERNEL_START_SECONDS
    # the one file served from the app's folder (voila/files/): plotly's widget code,
    # loaded once per page instead of being sent with every chart (plotly_bundle.py)
    name = bundle_name()
    c.VoilaConfiguration.file_allowlist = [re.escape(name)] if name else []
    c.VoilaConfiguration.prelaunch_hook = SessionLimit(settings.max_sessions)
    if settings.cull_idle_minutes > 0:
        c.MappingKernelManager.cull_idle_timeout = int(settings.cull_idle_minutes * 60)
        c.MappingKernelManager.cull_interval = settings.cull_interval_seconds
        c.MappingKernelManager.cull_connected = True  # a tab left open counts as idle too
    return c


def main(argv: list[str] | None = None) -> int:
    """Run Voilà with the settings in the file named on the command line."""
    from voila.app import Voila

    from ..analysis.parallel import WORKERS_VARIABLE

    args = sys.argv[1:] if argv is None else argv
    settings = Settings.read(args[0])
    # a visitor's report runs in its own kernel, in one process: a server shared by many
    # gives no one visitor every core (and kernels, which run threads, are not forked)
    os.environ.setdefault(WORKERS_VARIABLE, "1")
    # the kernels' charts load plotly's code from the server (plotly_bundle.py)
    bundle = serve_bundle(Path(settings.folder), settings.base_url)
    if bundle is not None:
        os.environ[BUNDLE_VARIABLE] = bundle
    Voila.launch_instance([settings.notebook], config=voila_config(settings))
    return 0


__all__ = [
    "SessionLimit",
    "Settings",
    "busy_page",
    "is_hashed_password",
    "read_password",
    "voila_config",
]


if __name__ == "__main__":
    sys.exit(main())
