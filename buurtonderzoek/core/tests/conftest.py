# Shared with the accounts tests: a fresh cache per test.
from buurtonderzoek.accounts.tests.conftest import _fresh_cache

__all__ = ["_fresh_cache"]
