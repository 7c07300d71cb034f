"""Exceptions askseeds raises: each says what went wrong and how to fix it."""

from __future__ import annotations


class AskseedsError(Exception):
    """Base class for every error askseeds raises on purpose."""


class ConfigError(AskseedsError):
    """A setting is out of range or of the wrong kind."""


class CorpusError(AskseedsError):
    """The document folder is missing, empty, or holds nothing readable."""


class IndexCorruptError(AskseedsError):
    """The index on disk is missing, damaged, or was built differently."""


class EmptyQueryError(AskseedsError):
    """The question has no searchable content."""


class ModelLoadError(AskseedsError):
    """The embedding model could not be loaded."""
