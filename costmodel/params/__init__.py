"""Parameters: every figure the model uses, read from sourced YAML files.

Holds strict YAML reading (:mod:`.yamlio`), what a parameter may contain
(:mod:`.schema`), the immutable parameter store (:mod:`.store`), scenarios as files
of overrides (:mod:`.scenarios`), uncertainty distributions (:mod:`.distributions`),
the sampler that draws every uncertain parameter into one table, and summaries of
draws (:mod:`.sampling`), the evidence on effects as study records pooled into
derived effect parameters (:mod:`.evidence`), decisions in front of a board
(:mod:`.decisions`), an area's outturn ledger (:mod:`.ledger`), a team's monitoring
counts (:mod:`.monitoring`), and the errors every layer raises
(:mod:`.errors`).
This is the bottom layer: it imports nothing else from costmodel.
"""
