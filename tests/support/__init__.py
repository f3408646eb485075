"""Helpers shared by the tests (importable as `support.*`: pyproject's pytest `pythonpath`
puts tests/ on sys.path). The fixture modules (`fixtures_*.py`) are plugins listed in
tests/conftest.py; the others are imported by the test modules that use them."""
