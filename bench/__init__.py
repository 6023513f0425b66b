"""Benchmarks: the product against a baseline on the same machine in the same run (make bench)."""
