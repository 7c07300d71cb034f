"""askseeds: extractive, cited question answering over a folder of documents."""

from __future__ import annotations

__version__ = "0.1.0"

__all__ = [
    "Answer", "Assistant", "Citation", "Filters", "Passage", "Settings", "__version__",
]


def __getattr__(name: str):
    # Importing torch and sentence-transformers takes seconds; only pay for it when used.
    if name == "Assistant":
        from .api import Assistant

        return Assistant
    if name == "Settings":
        from .config import Settings

        return Settings
    if name == "Filters":
        from .retrieve.filters import Filters

        return Filters
    if name in ("Answer", "Citation", "Passage"):
        from . import types

        return getattr(types, name)
    raise AttributeError(f"module 'askseeds' has no attribute {name!r}")
