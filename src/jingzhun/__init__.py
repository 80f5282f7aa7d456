"""Jingzhun (精准): precision poverty-alleviation information system."""

__version__ = "0.1.0"
