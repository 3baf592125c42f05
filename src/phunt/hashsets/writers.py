"""The hash-list writer contract and the registry of export formats.

Each export format is one :class:`HashListWriter` subclass in one file named after it
(``vics_writer.py``, ``csv_writer.py``), registered in :data:`WRITERS` under its ``name``
by :func:`register_writer`; a second writer under a taken name fails at import time.
Callers pick a writer by name (``WRITERS.get(fmt)``), never by comparing strings, so a
new format is one new file.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Iterable, Mapping
from typing import Any, ClassVar, TextIO

from phunt.errors import UsageError
from phunt.hashsets.base import HashEntry
from phunt.registry import Registry


class HashListWriter(ABC):
    """Writes entries (as readers yield them, or as stored) to a text stream.

    :meth:`write` is the template: it checks the form against ``forms`` and hands the
    format's ``_write`` the entries, the stream and the metadata (never None).
    """

    name: ClassVar[str]
    suffix: ClassVar[str]
    """The usual file name ending, for a default output name."""
    forms: ClassVar[tuple[str, ...]] = ()
    """The forms the format has (VICS: a hash set or a case); empty: ``form`` is ignored."""

    def write(
        self,
        entries: Iterable[HashEntry],
        out: TextIO,
        *,
        form: str = "hashset",
        metadata: Mapping[str, Any] | None = None,
    ) -> int:
        """Write ``entries`` to ``out`` (opened as UTF-8 with ``newline=""``); return how many.

        ``metadata`` is what a reader's ``metadata()`` returned, or the same keys as stored
        with a list version (profile, envelope, cases ...).
        """
        if self.forms and form not in self.forms:
            raise UsageError(
                f"unknown {self.name} form {form!r} (choose from: {', '.join(self.forms)})"
            )
        return self._write(entries, out, form, {} if metadata is None else metadata)

    @abstractmethod
    def _write(
        self, entries: Iterable[HashEntry], out: TextIO, form: str, meta: Mapping[str, Any]
    ) -> int:
        """The format's writing; returns how many entries it wrote."""


WRITERS: Registry[type[HashListWriter]] = Registry("hash-list export format")


def register_writer(cls: type[HashListWriter]) -> type[HashListWriter]:
    """Class decorator: add a writer to :data:`WRITERS` under its ``name``."""
    WRITERS.register(cls.name, cls)
    return cls
