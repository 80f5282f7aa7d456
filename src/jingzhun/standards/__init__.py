"""Exit standards as data: TOML rule-sets (rulesets/), their loader and validation, the compiler to
Ibis and the explanations of unmet indicators. Pure package: no Django import."""

from jingzhun.standards.errors import StandardError
from jingzhun.standards.loader import available, load
from jingzhun.standards.schema import Indicator, Standard

__all__ = ["Indicator", "Standard", "StandardError", "available", "load"]
