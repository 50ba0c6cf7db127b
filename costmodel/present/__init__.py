"""Presentation: what people read, drawn only from numbers the results already hold.

Holds the labels for every indicator, outcome, agency, issue and parameter group
(:mod:`.labels`, the one place they are written), number formatting
(:mod:`.formatting`), everything a report shows as tables (:mod:`.content`), the
charts (:mod:`.charts`), the PDF (:mod:`.pdf`), the Excel workbook
(:mod:`.workbook`), atomic output files (:mod:`.files`) and the notebook views
(:mod:`.widgets`, one module per view in :mod:`.views`). The top layer: it may import
every other; the command line (:mod:`costmodel.cli`) sits beside it.
"""
