"""Test setup: fresh layer names and seeded random generators for every test."""
import pytest


@pytest.fixture(autouse=True)
def _fresh_session():
    """Each test starts with fresh auto-name counters and seeded random generators."""
    import lamina

    lamina.backend.clear_session()
    lamina.utils.set_random_seed(1337)
    yield
    lamina.backend.clear_session()  # nor does a global policy outlive its test (the doctests)
