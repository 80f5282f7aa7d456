"""The engine layer (PURE: no Django import outside `engine/django.py`).

Layers: base tables (`tables.py`: the registry tables with stable types, on any Ibis backend)
→ input views (`inputs.py`: one row per household / village / county, columns = the standards
vocabulary) → the standards compiler. Backends come from `connect.py` (DuckDB over a Parquet
snapshot written by `snapshot.py`) or `django.py` (the application database).
"""
