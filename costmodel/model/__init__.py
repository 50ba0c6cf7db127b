"""The model: what late intervention costs, whom early help reaches, what it may save.

Holds the late-intervention baseline by issue and paying agency
(:mod:`.late_intervention`, with :mod:`.ipf` for fitting and rounding), the team's
reach simulation (:mod:`.team`: its inputs in :mod:`.team_inputs`, the time loop in
:mod:`.team_engine`, the result in :mod:`.team_result`) and its calibration
(:mod:`.calibration`), programmes as data (:mod:`.programme`: the team, or any
programme of families and cost per family), outcomes and savings (:mod:`.savings`),
a scenario appraised end to end over Monte Carlo draws (:mod:`.projection`, the
engine; :mod:`.result`, the result and its views; :mod:`.timeline`, when programmes
run and how each year counts), a
board's options appraised from the decision date against a counterfactual, with who
should pay (:mod:`.decision`), outturn from an area's ledger in place of simulated
spend (:mod:`.outturn`), the names the model uses (:mod:`.vocabulary`) and
whole-folder validation (:mod:`.validation`). Imports
:mod:`costmodel.params` and :mod:`costmodel.greenbook`; returns pandas objects and
frozen dataclasses, and does no printing, plotting or file writing.
"""
