"""What the app, the static report and the notebooks show, read from the published marts.

`metrics` turns the KPI definitions of models/marts/_marts__metrics.yml into SQL, `filters` the global
filters into predicates, `queries` holds every page query (one function each, timed by
bench/app_queries.py), `charts` the Altair charts, `labels` and `formatting` what a person reads.
"""
