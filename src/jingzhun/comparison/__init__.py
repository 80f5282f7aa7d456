"""数据比对 (data comparison): department datasets loaded with their provenance, compared with the
registry by rules as data (standards/dataset_kinds.py, the standards compiler), the findings sent
to villages as verification tasks."""
