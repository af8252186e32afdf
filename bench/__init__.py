"""Stockade's benchmarks: ``make bench`` (or ``python -m bench [NAME…]``) prints tables and writes JSON."""
