"""The cost of late intervention view: the area's annual cost by issue or agency, and
per head against England and Wales."""

from __future__ import annotations

import html
from typing import Any

import ipywidgets as w

from ...analysis.explore import area_baseline, area_names, main_area
from ...greenbook.prices import deflators_from_params
from ...model.late_intervention import Baseline
from ...model.vocabulary import NATIONAL_AREA
from ...params.store import ParameterSet, area_folders, load
from ..formatting import money_round, percent
from ..labels import AGENCY_LABELS, ISSUE_LABELS, area_label
from .common import _guarded, _Recent, _table, _View
from .figures import LiveFigure, baseline_figure


class BaselineView(_View):
    """The area's annual cost of late intervention by issue or agency, and per head."""

    def __init__(self, params: ParameterSet | None = None, area: str | None = None):
        params = params if params is not None else load(area)
        folders = area_folders(params.root) if params.root is not None else []
        local = folders or [a for a in area_names(params) if a != NATIONAL_AREA] or [NATIONAL_AREA]
        area = area or main_area(params) or local[0]
        defl = deflators_from_params(params)
        years = list(defl.index.index)
        outturn = [y for y in years if not defl.is_forecast(y)]
        self.area = w.Dropdown(
            options=[(area_label(a), a) for a in local], value=area, description="Area"
        )
        self.price_year = w.Dropdown(options=years, value=outturn[-1], description="Price year")
        self.by = w.ToggleButtons(
            options=[("By issue", "issue"), ("By agency", "agency")], value="issue"
        )
        self.table = w.HTML()
        self.figure = LiveFigure("baseline")
        self.chart = self.figure.widget
        self.result: Any = None
        self.per_head: dict[str, float] = {}
        # the baselines already worked out, by parameters, area and price year (the
        # "by" control and a price year chosen again need no new baseline)
        self._baselines = _Recent(64)
        self._fingerprint_of: ParameterSet | None = None
        self._fingerprint_value = ""
        controls = w.HBox([self.area, self.price_year, self.by])
        super().__init__(params, [controls, self.table, self.chart])
        for c in (self.area, self.price_year, self.by):
            c.observe(lambda _change: self.update(), names="value")
        self.update()

    def _fingerprint(self) -> str:
        """The parameters' fingerprint (worked out once for each set of parameters)."""
        if self._fingerprint_of is not self.params:
            self._fingerprint_of, self._fingerprint_value = self.params, self.params.fingerprint()
        return self._fingerprint_value

    def _baseline(self, area: str, price_year: str) -> Baseline:
        key = (self._fingerprint(), area, price_year)
        return self._baselines.get_or_make(
            key, lambda: area_baseline(self.params, area, price_year)
        )

    @_guarded
    def update(self) -> None:
        chosen = self.area.value
        if chosen not in area_names(self.params):  # another area's folder: load its parameters
            self.params = load(chosen, root=self.params.root)
        b = self._baseline(chosen, self.price_year.value)
        national = self._baseline(NATIONAL_AREA, self.price_year.value)
        self.result = b
        self.per_head = {
            self.area.value: b.per_person,
            NATIONAL_AREA: national.per_person,
            "ratio": b.per_person / national.per_person,
        }
        by = self.by.value
        frame = b.frame(by)
        labels = ISSUE_LABELS if by == "issue" else AGENCY_LABELS
        rows = [
            [labels[k].long, money_round(r["cost"]), percent(r["share"], 1), r["status"]]
            for k, r in frame.iterrows()
        ]
        rows.append(["Total", money_round(b.total), "100.0%", b.total_status])
        head = (
            f"<p><b>{area_label(b.area)}: {money_round(b.total)} a year</b> "
            f"({html.escape(b.price_basis)}) – {money_round(b.per_person)} per resident, "
            f"against {money_round(national.per_person)} across England and Wales "
            f"({self.per_head['ratio']:.2f} times).</p>"
        )
        self.table.value = head + _table(["By " + by, "Annual cost", "Share", "Basis"], rows)
        self.figure.show(baseline_figure(b, by))
        self._say("")


__all__ = ["BaselineView"]
