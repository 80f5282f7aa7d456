from tests.engine.conftest import registry  # noqa: F401  (the hand-built registry fixture)
