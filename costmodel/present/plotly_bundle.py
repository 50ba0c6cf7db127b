"""Plotly's widget code in the served app: sent once per page by the app's server, not
with each chart by its kernel.

A plotly ``FigureWidget`` carries the code that draws it in the browser (about 5 MB of
JavaScript) as part of its state, and anywidget, which runs it, gives a chart's model two
seconds to load that code before it stops taking messages from the kernel: a chart drawn
after that never changes again. Three charts a page, each evaluating its own copy, on a
machine busy starting other visitors' kernels, miss those two seconds (a control then
changes the tables and not the chart).

So ``costmodel app`` serves plotly's code as a file (:func:`serve_bundle`, under
``voila/files/``, the only file served from the app's folder) and tells its kernels where
(the environment variable :data:`BUNDLE_VARIABLE`). Each chart then carries a few lines
(:func:`loader_esm`) that are ready at once, load plotly's code from the server (one copy
for the page, which the browser caches), ask the kernel for the chart as it stands, and
draw it. Outside the app (a notebook) the charts are plotly's own.

Nothing here imports plotly: the server process does not need it.
"""

from __future__ import annotations

import importlib.util
import json
import shutil
from importlib.metadata import version
from pathlib import Path

#: Set by ``costmodel app`` for its kernels: the path, on the app's server, of plotly's
#: widget code (with ``?v=`` the plotly version, so that browsers may keep it).
BUNDLE_VARIABLE = "COSTMODEL_PLOTLY_BUNDLE"
#: The message a chart sends its kernel once plotly's code is loaded, and the kernel's
#: answer once it has sent the chart as it stands.
SYNC, SYNCED = "sync", "synced"


def bundle_source() -> Path | None:
    """Plotly's widget code as installed (``plotly/package_data/widgetbundle.js``), found
    without importing plotly; None when plotly or the file is not there."""
    spec = importlib.util.find_spec("plotly")
    if spec is None or not spec.submodule_search_locations:
        return None
    path = Path(next(iter(spec.submodule_search_locations))) / "package_data" / "widgetbundle.js"
    return path if path.is_file() else None


def bundle_name() -> str | None:
    """The file name the app serves plotly's widget code under (with plotly's version);
    None when plotly's code is not installed."""
    if bundle_source() is None:
        return None
    return f"plotly-{version('plotly')}-widgetbundle.js"


def serve_bundle(folder: Path, base_url: str = "/") -> str | None:
    """Copy plotly's widget code into ``folder`` (the folder Voilà serves the app from)
    and return the path the browser asks for it by, under ``base_url``; None when plotly's
    code is not installed (the charts then carry it themselves)."""
    source, name = bundle_source(), bundle_name()
    if source is None or name is None:
        return None
    shutil.copyfile(source, folder / name)
    parts = [p for p in (base_url.strip("/"), "voila/files", name) if p]
    return "/" + "/".join(parts) + f"?v={version('plotly')}"


#: The JavaScript module each chart carries in the app instead of plotly's code.
#: anywidget calls the default export once per chart; ``initialize`` returns at once (so
#: the chart's model takes the kernel's messages from the start), and ``render`` waits
#: for plotly's code and for the kernel's answer before drawing.
_LOADER = """\
// costmodel app: plotly's widget code is loaded once per page from the app's server.
const code = import(new URL(%(path)s, document.baseURI).href);
export default () => {
  let widget = null;
  let ready = null;
  return {
    initialize(context) {
      const model = context.model;
      ready = new Promise((resolve, reject) => {
        model.on("msg:custom", (msg) => {
          if (msg && msg.costmodel === %(synced)s) resolve();
        });
        code.then((mod) => {
          widget = mod.default();
          widget.initialize(context);
          model.send({ costmodel: %(sync)s });
        }, reject);
      });
      ready.catch((err) => console.error("costmodel: plotly's code did not load", err));
    },
    async render(context) {
      await ready;
      return widget.render(context);
    },
  };
};
"""


def loader_esm(path: str) -> str:
    """The JavaScript module a chart carries in the app: loads plotly's code from
    ``path`` on the app's server (see the module's docstring)."""
    return _LOADER % {
        "path": json.dumps(path),
        "sync": json.dumps(SYNC),
        "synced": json.dumps(SYNCED),
    }


__all__ = [
    "BUNDLE_VARIABLE",
    "SYNC",
    "SYNCED",
    "bundle_name",
    "bundle_source",
    "loader_esm",
    "serve_bundle",
]
