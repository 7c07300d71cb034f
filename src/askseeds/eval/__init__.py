"""Scoring askseeds on question sets: the harness and its metrics."""
