"""The commissioners' app: the notebook views as tabs, with downloads, served without code.

:class:`App` puts the four views of :mod:`costmodel.present.widgets` in tabs (the cost of
late intervention, the team's reach with reported against modelled, savings by
perspective with the options, and your own scenario) and adds downloads for the scenario
on screen: its PDF report, its workbook and its YAML. ``costmodel app`` serves it with
Voilà on 127.0.0.1 (:func:`app_notebook` is the one-cell notebook it serves); in Jupyter,
``App()`` shows the same thing.
"""

from __future__ import annotations

import base64
import html
import json
from typing import Any

import ipywidgets as w

from ..params.store import ParameterSet, load
from . import widgets as cw

#: Draws behind a report downloaded from the app (quick enough to wait for).
DOWNLOAD_DRAWS = 1000
#: Team-simulation runs behind the downloaded report's sensitivity analysis.
DOWNLOAD_SENSITIVITY_RUNS = 50
TABS = (
    "The cost of late intervention",
    "The team's reach",
    "Savings and options",
    "Your own scenario",
)


def _link(name: str, mime: str, blob: bytes, text: str) -> str:
    """An HTML link that downloads ``blob`` as ``name`` (a data URI: no server state)."""
    data = base64.b64encode(blob).decode("ascii")
    return (
        f'<a download="{html.escape(name)}" href="data:{mime};base64,{data}" '
        f'class="costmodel-download">{html.escape(text)}</a>'
    )


class App(w.VBox):
    """The four views as tabs, and downloads for the scenario being built."""

    def __init__(self, params: ParameterSet | None = None):
        params = params if params is not None else load()
        self.params = params
        self.baseline = cw.BaselineView(params)
        self.reach = cw.ReachView(params)
        self.savings = cw.SavingsView(params)
        self.builder = cw.ScenarioBuilder(params)
        self.tabs = w.Tab(children=[self.baseline, self.reach, self.savings, self.builder])
        for i, title in enumerate(TABS):
            self.tabs.set_title(i, title)
        self.pdf_button = w.Button(description="Report (PDF)", icon="download")
        self.xlsx_button = w.Button(description="Workbook", icon="download")
        self.yaml_button = w.Button(description="Scenario (YAML)", icon="download")
        self.downloads = w.HTML()
        self.download_message = w.HTML()
        self.pdf_button.on_click(lambda _b: self.download("pdf"))
        self.xlsx_button.on_click(lambda _b: self.download("xlsx"))
        self.yaml_button.on_click(lambda _b: self.download("yaml"))
        box = w.VBox(
            [
                w.HTML("<b>Downloads for the scenario on the last tab</b>"),
                w.HBox([self.pdf_button, self.xlsx_button, self.yaml_button]),
                self.download_message,
                self.downloads,
            ]
        )
        super().__init__([self.tabs, box])

    def download(self, kind: str) -> dict[str, Any] | None:
        """Make the scenario's report, workbook or YAML and offer it as a link."""
        try:
            name, mime, blob = self._file(kind)
        except Exception as exc:  # one readable line, as the views show errors
            self.download_message.value = (
                f"<span style='{cw.ERROR_STYLE}'>{html.escape(str(exc).splitlines()[0])}</span>"
            )
            return None
        self.download_message.value = ""
        self.downloads.value = _link(name, mime, blob, f"Download {name}")
        return {"name": name, "mime": mime, "bytes": blob}

    def _file(self, kind: str) -> tuple[str, str, bytes]:
        b = self.builder
        name = b.name.value.strip() or "my_scenario"
        if kind == "yaml":
            return f"{name}.yaml", "text/yaml", b.scenario_text().encode()
        import tempfile
        from pathlib import Path

        from .content import report_content
        from .pdf import pdf_bytes
        from .workbook import workbook_bytes

        with tempfile.TemporaryDirectory() as folder:
            path = b.save(Path(folder), force=True)
            if path is None:
                raise ValueError(b.error or "the scenario could not be saved")
            self.download_message.value = (
                f"Computing {cw.monte_carlo_draws(DOWNLOAD_DRAWS):,} draws…"
            )
            content = report_content(
                self.params,
                [str(path)],
                draws=cw.monte_carlo_draws(DOWNLOAD_DRAWS),
                compare=[b.based_on.value],
                sensitivity_runs=DOWNLOAD_SENSITIVITY_RUNS,
            )
        if kind == "pdf":
            return f"{name}.pdf", "application/pdf", pdf_bytes(content)
        return (
            f"{name}.xlsx",
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            workbook_bytes(content),
        )


def app_notebook(area: str | None = None, root: str | None = None) -> str:
    """The notebook ``costmodel app`` serves: a title and one cell that shows the app."""
    args = ", ".join(f"{k}={v!r}" for k, v in (("area", area), ("root", root)) if v)
    cells = [
        {
            "cell_type": "markdown",
            "metadata": {},
            "source": [
                "# Early help: what late intervention costs and what early help could save\n",
                "\n",
                "Choose a tab; every figure follows the controls. Downloads at the foot give "
                "the report, workbook and YAML of the scenario built on the last tab.",
            ],
        },
        {
            "cell_type": "code",
            "execution_count": None,
            "metadata": {},
            "outputs": [],
            "source": [
                "import costmodel\n",
                "from costmodel.present.app import App\n",
                "\n",
                f"App(costmodel.load({args}))",
            ],
        },
    ]
    return json.dumps(
        {
            "cells": cells,
            "metadata": {
                "kernelspec": {"display_name": "Python 3", "language": "python", "name": "python3"}
            },
            "nbformat": 4,
            "nbformat_minor": 5,
        },
        indent=1,
    )


__all__ = ["App", "app_notebook"]
