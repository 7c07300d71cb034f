"""Passages for a question: dense, BM25 and their fusion, filters, reordering."""
