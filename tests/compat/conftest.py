"""The programs in programs/ are Keras programs, not test modules: importing one runs it, so
pytest's doctest collection must not import them (test_programs.py runs them)."""
collect_ignore = ["programs", "reference_models.py"]
