"""疑似重复 (issue #12 item 7): persons registered twice under different ID numbers, households
split or merged around a date; detected set-based (`detection`), reviewed and decided through
`services` (a merge removes the duplicate through the registry's own services)."""
