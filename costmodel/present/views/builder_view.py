"""Your own scenario: overrides on a shipped scenario, saved as YAML (checked as the
command line reads it), and its PDF report."""

from __future__ import annotations

import html
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import ipywidgets as w
import numpy as np

from ...params.errors import CostModelError
from ...params.scenarios import DEFAULT_SCENARIO, apply_scenario, list_scenarios, load_scenario
from ...params.schema import check_name
from ...params.store import ParameterSet, load
from .common import DEFAULT_DRAWS, _guarded, _table, _View, monte_carlo_draws, output_folder


class ScenarioBuilder(_View):
    """Build a scenario from overrides, save it as YAML, and produce its PDF report."""

    def __init__(self, params: ParameterSet | None = None, based_on: str = DEFAULT_SCENARIO):
        params = params if params is not None else load()
        scalar = sorted(
            k
            for k, p in params.items()
            if not p.is_table
            and isinstance(p.value, (int, float))
            and not isinstance(p.value, bool)
            and not k.startswith("areas.")
        )
        self.based_on = w.Dropdown(
            options=list(list_scenarios(params.root, params.area)),
            value=based_on,
            description="Based on",
        )
        self.name = w.Text(value="my_scenario", description="Name")
        self.description = w.Text(
            value="",
            description="Description",
            layout=w.Layout(width="40em"),
            placeholder="one line: what this scenario assumes",
        )
        self.parameter = w.Combobox(
            options=scalar,
            placeholder="parameter path",
            description="Parameter",
            ensure_option=True,
            layout=w.Layout(width="40em"),
        )
        self.value = w.FloatText(description="New value")
        self.current = w.HTML()
        self.add_button = w.Button(description="Add change", icon="plus")
        self.remove_button = w.Button(description="Remove last")
        self.save_button = w.Button(description="Save scenario", button_style="primary")
        self.report_button = w.Button(description="Make PDF report", button_style="success")
        self.listing = w.HTML()
        self.changes: dict[str, Any] = {}
        self.saved: Path | None = None
        self.report: Path | None = None
        super().__init__(
            params,
            [
                w.HBox([self.based_on, self.name]),
                self.description,
                w.HBox([self.parameter, self.current]),
                w.HBox([self.value, self.add_button, self.remove_button]),
                self.listing,
                w.HBox([self.save_button, self.report_button]),
            ],
        )
        self.parameter.observe(lambda _c: self._show_current(), names="value")
        self.add_button.on_click(
            lambda _b: self.add_override(self.parameter.value, self.value.value)
        )
        self.remove_button.on_click(lambda _b: self.remove_last())
        self.save_button.on_click(lambda _b: self.save())
        self.report_button.on_click(lambda _b: self.make_report())
        self._list()

    def _base(self) -> ParameterSet:
        return apply_scenario(self.params, self.based_on.value)

    def _show_current(self) -> None:
        path = self.parameter.value
        if path in self.params:
            p = self._base()[path]
            self.current.value = html.escape(f"now {p.value} {p.unit} ({p.status})")
            self.value.value = float(p.value)
        else:
            self.current.value = ""

    @_guarded
    def add_override(self, path: str, value: Any) -> None:
        """Change one parameter (checked at once against the parameter's rules)."""
        if not path:
            raise ValueError("choose a parameter first")
        self._base().with_values({**self.changes, path: value}, file="notebook")
        self.changes[path] = value
        self._list()

    def remove_last(self) -> None:
        if self.changes:
            self.changes.pop(next(reversed(self.changes)))
        self._list()

    def _list(self) -> None:
        rows = [[k, str(v)] for k, v in self.changes.items()]
        self.listing.value = (
            _table(["Changed parameter", "Value"], rows)
            if rows
            else "<i>No changes yet: the scenario is its base as it stands.</i>"
        )
        self._say("")

    def scenario_text(self) -> str:
        """The scenario as YAML (what :meth:`save` writes)."""
        import yaml

        doc = {
            "description": self.description.value.strip()
            or f"{self.based_on.value} with {len(self.changes)} change(s)",
            "based_on": self.based_on.value,
            "overrides": {k: _plain(v) for k, v in self.changes.items()},
        }
        return yaml.safe_dump(doc, sort_keys=False, allow_unicode=True)

    @_guarded
    def save(self, folder: str | Path | None = None, force: bool = False) -> Path:
        """Write ``NAME.yaml``; it is read back and checked as the CLI would read it."""
        from ..files import write_files

        name = self.name.value.strip()
        if not check_name(name):
            raise ValueError(f"scenario name {name!r}: use lower-case letters, digits and _")
        if name in list_scenarios(self.params.root, self.params.area):
            raise ValueError(f"scenario name {name!r} is a shipped scenario; choose another")
        path = Path(folder or output_folder()) / f"{name}.yaml"
        self._base().with_values(self.changes, file=str(path))
        write_files({path: self.scenario_text().encode()}, force=force)
        try:
            load_scenario(path, self.params.root, self.params)
        except CostModelError:
            path.unlink(missing_ok=True)
            raise
        self.saved = path
        self._say(f"Saved {path}. From a terminal: costmodel report --scenario {path}")
        return path

    @_guarded
    def make_report(
        self,
        folder: str | Path | None = None,
        draws: int | None = None,
        force: bool = False,
        seed: int = 1,
    ) -> Path:
        """Save the scenario, then write its PDF report (compared with its base)."""
        from ..content import report_content
        from ..pdf import write_report

        path = self.save(folder, force=True)  # the scenario as it stands now
        if path is None:  # save reported an error
            raise ValueError(self.error or "the scenario could not be saved")
        out = path.with_suffix(".pdf")
        draws = draws or monte_carlo_draws(DEFAULT_DRAWS)
        self._say(f"Computing the report ({draws:,} draws)…")
        content = report_content(
            self.params, [str(path)], draws=draws, seed=seed, compare=[self.based_on.value]
        )
        write_report(content, out, force=force)
        self.report = out
        self._say(f"Wrote {out}")
        return out


def _plain(v: Any) -> Any:
    """Numbers as plain Python (YAML-safe), whole numbers as int."""
    if isinstance(v, Mapping):
        return {k: _plain(x) for k, x in v.items()}
    if isinstance(v, (np.floating, float)) and float(v).is_integer():
        return int(v)
    if isinstance(v, np.generic):
        return v.item()
    return v


__all__ = ["ScenarioBuilder"]
