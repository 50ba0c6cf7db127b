"""The Green Book's arithmetic: prices, discounting and appraisal, as plain functions.

Holds GDP deflators and rebasing between price years (:mod:`.prices`), the
discount schedules and present values (:mod:`.discounting`), and the appraisal
arithmetic on arrays of draws: NPV, benefit-cost ratio, payback, additionality and
optimism bias (:mod:`.appraisal`), and amounts by period shared between financial
years (:mod:`.financial_years`). Each function cites the section of HM Treasury's
Green Book (2022) it implements. Imports only :mod:`costmodel.params`.
"""
