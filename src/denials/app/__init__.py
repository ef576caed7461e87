"""`denials app`: the interactive dashboard (Streamlit) over the published marts, read-only.

`command` starts Streamlit on 127.0.0.1; `main` is the script Streamlit runs; `context` opens the
published file and reads the global filters; `widgets` holds tiles, tables, the drill-down and CSV
export; `views/` one module per page (not `pages/`, which Streamlit would turn into its own navigation).
"""
