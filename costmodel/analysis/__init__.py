"""Analysis on any model: sensitivity, the value of information, and the report's results.

Holds one-way (tornado), two-way and switching-value analysis of any function from
a :class:`~costmodel.params.store.ParameterSet` to a number (:mod:`.sensitivity`),
and EVPI and EVPPI from a table of drawn parameter values and an outcome per draw,
with groups of parameters given as data (:mod:`.value_of_information`), and
published appraisals rebuilt from their own inputs beside their published figures
(:mod:`.replication`), and the Bayesian update of effects on a team's own
monitoring counts, with what a larger local sample would be worth
(:mod:`.monitoring`). The
convenience wrappers that analyse a scenario's NPV call the model only through
:func:`costmodel.model.projection.project`. The report's use case is here too
(:mod:`.report`): :func:`~costmodel.analysis.report.report_content` runs every step a
report needs and returns results that hold every number it shows, for
:mod:`costmodel.present` to format. Imports params, greenbook and model.
"""
