"""Index files as named numpy arrays in an ``.npz``: never pickled, always labelled.

Each index kind writes its arrays with a ``format`` label and reads them back through
:func:`read_arrays`, which refuses pickled objects, files of another format and damage
with a :class:`~phunt.errors.CorruptInput` naming the file; the caller then checks each
array's type and shape.
"""

from __future__ import annotations

import os
import zipfile
import zlib
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from phunt.errors import CorruptInput

Arrays = dict[str, npt.NDArray[Any]]


def write_arrays(path: str | os.PathLike[str], label: str, arrays: Arrays) -> None:
    """Write ``arrays`` under the format ``label`` (no pickle)."""
    with Path(path).open("wb") as fh:
        np.savez(fh, format=np.array(label), **arrays)  # type: ignore[arg-type]


def read_arrays(path: str | os.PathLike[str], label: str, what: str) -> Arrays:
    """The arrays of a file written by :func:`write_arrays` with ``label``, ``format`` removed.

    ``what`` names the index in errors ("exact index", "PDQ index").
    """
    where = os.fspath(path)
    try:
        with Path(where).open("rb") as fh, np.load(fh, allow_pickle=False) as data:
            fields = {name: data[name] for name in data.files}
    except (OSError, ValueError, EOFError, zipfile.BadZipFile, zlib.error) as exc:
        raise CorruptInput(f"not a readable {what} file: {exc}", path=where) from exc
    if str(fields.pop("format", "")) != label:
        raise CorruptInput(f"not a {label} file", path=where)
    return fields
