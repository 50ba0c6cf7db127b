"""Serving the app to many: the session limit, the password file and the options of
`costmodel app`, checked without starting a server (tests/test_browser.py serves it)."""

from __future__ import annotations

import json
import re
import socket
from types import SimpleNamespace

import pytest
import tornado.web

from costmodel.cli import EXIT_INPUT, main
from costmodel.params.errors import CostModelError
from costmodel.present import serve


class Handler:
    """What the session limit sees of a page request: the kernels and the reply."""

    def __init__(self, kernels: list[str]):
        self.kernel_manager = SimpleNamespace(list_kernel_ids=lambda: list(kernels))
        self.status: int | None = None
        self.headers: dict[str, str] = {}
        self.log = SimpleNamespace(warning=lambda *a: None)

    def set_status(self, code: int) -> None:
        self.status = code

    def set_header(self, name: str, value: str) -> None:
        self.headers[name] = value


def test_visitors_arriving_together_cannot_pass_the_limit():
    limit = serve.SessionLimit(3)
    kernels: list[str] = []
    for _ in range(3):  # three pages asked for before any kernel has started
        limit(Handler(kernels))
    h = Handler(kernels)
    with pytest.raises(tornado.web.Finish) as busy:
        limit(h)
    assert h.status == 503 and h.headers["Retry-After"] == str(serve.RETRY_AFTER_SECONDS)
    assert "The app is busy" in busy.value.args[0] and "(3)" in busy.value.args[0]


def test_a_place_is_given_back_when_a_visitor_leaves():
    limit = serve.SessionLimit(2)
    kernels: list[str] = []
    limit(Handler(kernels))
    kernels.append("a")  # the first visitor's kernel starts
    limit(Handler(kernels))
    kernels.append("b")
    with pytest.raises(tornado.web.Finish):
        limit(Handler(kernels))
    kernels.remove("a")  # the first visitor closes the page
    limit(Handler(kernels))  # the next one is let in


def test_the_voila_configuration_follows_the_settings(tmp_path):
    pw = tmp_path / "pw"
    pw.write_text("s3cret\nignored\n")
    c = serve.voila_config(
        serve.Settings(
            notebook="x.ipynb",
            folder=str(tmp_path),
            ip="0.0.0.0",
            port=9000,
            password_file=str(pw),
            max_sessions=7,
            cull_idle_minutes=2.5,
        )
    )
    assert (c.Voila.ip, c.Voila.port, c.Voila.token) == ("0.0.0.0", 9000, "s3cret")
    assert c.Voila.port_retries == 0 and c.Voila.connection_dir_root == str(tmp_path)
    assert c.MappingKernelManager.cull_idle_timeout == 150
    assert c.VoilaConfiguration.prelaunch_hook.max_sessions == 7
    # a page waits for the app's output from a kernel slowed by many others (not 4 s)
    assert c.VoilaExecutor.iopub_timeout == serve.OUTPUT_WAIT_SECONDS >= 60
    assert c.VoilaExecutor.startup_timeout == serve.KERNEL_START_SECONDS >= 60
    never = serve.voila_config(serve.Settings("x.ipynb", str(tmp_path), cull_idle_minutes=0))
    assert never.Voila.token is None and "cull_idle_timeout" not in never.MappingKernelManager


@pytest.mark.parametrize(
    "content, problem",
    [(None, "no such file"), ("", "first line is empty"), ("\n\n", "first line is empty")],
)
def test_an_unusable_password_file_is_one_line(tmp_path, content, problem):
    pw = tmp_path / "pw"
    if content is not None:
        pw.write_text(content)
    with pytest.raises(CostModelError, match=problem):
        serve.read_password(pw)
    with pytest.raises(CostModelError, match="is a folder"):
        serve.read_password(tmp_path)


@pytest.mark.parametrize(
    "options, says",
    [
        (["--max-sessions", "0"], "--max-sessions: 0: give 1 or more visitors"),
        (["--cull-idle", "-1"], "--cull-idle: -1.0: give minutes"),
        (["--base-url", "costmodel"], "--base-url: 'costmodel': give a path"),
        (["--port", "70000"], "--port: 70000 is not a port"),
        (["--ip", "no.such.address.invalid"], "--ip/--port: cannot listen on no.such"),
        (["--password-file", "/no/such/file"], "/no/such/file: --password-file: no such file"),
    ],
)
def test_a_bad_app_option_is_one_line_before_anything_starts(capsys, options, says):
    assert main(["app", *options]) == EXIT_INPUT
    err = capsys.readouterr().err.splitlines()
    assert len(err) == 1 and says in err[0], err


def test_a_port_in_use_is_one_line(capsys):
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        s.listen()
        port = s.getsockname()[1]
        assert main(["app", "--port", str(port)]) == EXIT_INPUT
    err = capsys.readouterr().err.splitlines()
    assert len(err) == 1 and f"cannot listen on 127.0.0.1 port {port}" in err[0], err


def test_a_jupyter_hashed_password_is_checked_as_a_hash(tmp_path):
    from jupyter_server.auth.security import passwd, passwd_check

    for algorithm in ("argon2", "sha1"):
        hashed = passwd("s3cret", algorithm)
        assert serve.is_hashed_password(hashed)
        pw = tmp_path / algorithm
        pw.write_text(hashed + "\n")
        c = serve.voila_config(serve.Settings("x.ipynb", str(tmp_path), password_file=str(pw)))
        assert c.Voila.token is None  # no token: the hash is the only way in
        assert c.PasswordIdentityProvider.hashed_password == hashed
        assert c.PasswordIdentityProvider.allow_password_change is False
        assert passwd_check(c.PasswordIdentityProvider.hashed_password, "s3cret")
        assert not passwd_check(c.PasswordIdentityProvider.hashed_password, hashed)
    for plain in ("s3cret", "sha1:only-two", "argon2:not-a-hash", "correct horse"):
        assert not serve.is_hashed_password(plain), plain


def test_the_one_file_served_from_the_apps_folder_is_plotlys_code(tmp_path):
    from costmodel.present import plotly_bundle

    c = serve.voila_config(serve.Settings("x.ipynb", str(tmp_path)))
    name = plotly_bundle.bundle_name()
    assert name is not None and name.endswith("-widgetbundle.js")
    allowed = c.VoilaConfiguration.file_allowlist
    for other in ("x.ipynb", "settings.json", "server.log", "password", "a.png", name + "x"):
        assert not any(re.fullmatch(p, other) for p in allowed), other
    assert [p for p in allowed if re.fullmatch(p, name)]
    path = plotly_bundle.serve_bundle(tmp_path, "/costmodel/")
    source = plotly_bundle.bundle_source()
    assert source is not None and (tmp_path / name).read_bytes() == source.read_bytes()
    assert path is not None and path.startswith(f"/costmodel/voila/files/{name}?v=")
    assert plotly_bundle.serve_bundle(tmp_path).startswith(f"/voila/files/{name}?v=")
    loader = plotly_bundle.loader_esm(path)
    assert json.dumps(path) in loader and "export default" in loader
