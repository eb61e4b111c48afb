"""The training engine behind fit / evaluate / predict (DESIGN.md §5)."""
