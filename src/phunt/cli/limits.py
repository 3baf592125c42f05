"""The expansion-limit options of ``hash``, ``scan`` and ``ingest``: the budget each
source may spend opening containers, named in every refusal so it can be raised."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer

from phunt.errors import UsageError

if TYPE_CHECKING:
    from phunt.sources.limits import ExpandLimits

#: The defaults as the help shows them (``ExpandLimits`` holds them; a test ties the two).
DEFAULTS = {
    "max_depth": "5",
    "max_expanded": "1T",
    "max_high_ratio": "64G",
    "max_scratch": "256G",
    "max_listing_cpu": "2",
}

MaxDepthOpt = Annotated[
    int | None,
    typer.Option(
        "--max-depth",
        help=f"Containers opened in one chain (default {DEFAULTS['max_depth']}); a deeper "
        "one is hashed as a file and its members reported not read.",
    ),
]
MaxExpandedOpt = Annotated[
    str | None,
    typer.Option(
        "--max-expanded",
        metavar="SIZE",
        help=f"Bytes decompressed per source (default {DEFAULTS['max_expanded']}).",
    ),
]
MaxHighRatioOpt = Annotated[
    str | None,
    typer.Option(
        "--max-high-ratio",
        metavar="SIZE",
        help="Of those, bytes from members expanding over 100-fold, as archive bombs do "
        f"(default {DEFAULTS['max_high_ratio']}).",
    ),
]
MaxScratchOpt = Annotated[
    str | None,
    typer.Option(
        "--max-scratch",
        metavar="SIZE",
        help="Scratch space for nested containers spooled to be opened, per source "
        f"(default {DEFAULTS['max_scratch']}; never leaving less than 1 GiB free).",
    ),
]
MaxListingCpuOpt = Annotated[
    str | None,
    typer.Option(
        "--max-listing-cpu",
        metavar="SECONDS",
        help="CPU seconds one step of a disk image's file-system listing may take (a "
        f"folder, a file's metadata; default {DEFAULTS['max_listing_cpu']}): damaged "
        "metadata can spin The Sleuth Kit; a step past it is an error line.",
    ),
]


def expand_limits(
    max_depth: int | None,
    max_expanded: str | None,
    max_high_ratio: str | None,
    max_scratch: str | None,
    max_listing_cpu: str | None = None,
) -> ExpandLimits:
    """The limits the options give, the defaults where an option is not given."""
    from dataclasses import replace

    from phunt.sources.limits import ExpandLimits, parse_size

    limits = ExpandLimits()
    if max_depth is not None:
        if max_depth < 0:
            raise UsageError("--max-depth must be 0 or more")
        limits = replace(limits, max_depth=max_depth)
    if max_listing_cpu is not None:
        limits = replace(limits, max_listing_cpu=_seconds("--max-listing-cpu", max_listing_cpu))
    sizes = {
        "max_expanded_bytes": ("--max-expanded", max_expanded),
        "max_high_ratio_bytes": ("--max-high-ratio", max_high_ratio),
        "max_scratch_bytes": ("--max-scratch", max_scratch),
    }
    for field, (option, text) in sizes.items():
        if text is None:
            continue
        try:
            limits = replace(limits, **{field: parse_size(text)})
        except ValueError as exc:
            raise UsageError(f"{option}: {exc}") from exc
    return limits


def _seconds(option: str, text: str) -> float:
    """A positive number of seconds given as text (kept a string option so parsing the
    command line needs no pydantic adapter)."""
    try:
        value = float(text)
    except ValueError:
        raise UsageError(f"{option}: not a number of seconds: {text!r}") from None
    if not 0 < value < float("inf"):
        raise UsageError(f"{option} must be more than 0 seconds")
    return value
