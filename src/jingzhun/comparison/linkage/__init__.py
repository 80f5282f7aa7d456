"""Linkage of department rows to registered persons beyond the raw ID join (issue #12 items
3 and 4): tokens under an agreement key (`tokens`), name, birth date and area scored by splink
(`fuzzy`), a person's confirmation (`services`). `link_datasets` runs both for loaded datasets:
after a load, and from `jingzhun link_datasets` (the registry changed)."""
