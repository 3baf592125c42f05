"""Category schemes: what a code means, whether it is known-bad, how to map it.

Two schemes share the codes 0-5 with different meanings. The retired DHS scheme (Autopsy's
CAT-0 ... CAT-5) has 0 = uncategorised and 5 = non-pertinent; the current Project VIC
scheme (VICS 2.0 ``US``/``Default`` profiles) has 0 = non-pertinent and no 5, "not
categorised" being an absent or null Category. Codes are therefore stored with their
scheme and converted only by :func:`convert`, never renumbered on the way in.

The UK/CAID numbering is not verified from any source we could read: its codes are kept,
labelled as such, treated as known-bad (an examiner sees them) and not mapped.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from phunt.errors import UsageError

ListKind = Literal["known-bad", "known-good"]

SCHEMES: tuple[str, ...] = ("vics-us-2.0", "dhs-legacy", "uk-caid")
"""Category schemes a code can be read in."""
VICS_US, DHS_LEGACY, UK_CAID = SCHEMES


def check_scheme(name: str | None) -> str | None:
    """Return ``name`` if it is a known scheme (or None); otherwise stop with the choices."""
    if name is not None and name not in SCHEMES:
        raise UsageError(f"unknown category scheme {name!r} (choose from: {', '.join(SCHEMES)})")
    return name


@dataclass(frozen=True)
class Category:
    """A category code exactly as a list gave it, with the scheme that gives it meaning.

    The same integer means different things in different schemes (0 is "uncategorised"
    under DHS but "non-pertinent" under VICS 2.0), so a code never travels without its
    scheme; :func:`convert` maps between schemes explicitly.
    """

    code: int
    scheme: str


@dataclass(frozen=True)
class Meaning:
    """What one code means in one scheme."""

    label: str
    known_bad: bool


MEANINGS: dict[str, dict[int, Meaning]] = {
    VICS_US: {
        0: Meaning("Non-Pertinent", False),
        1: Meaning("Child Abuse Material (CAM)", True),
        2: Meaning("Child Exploitive (Non-CAM) / Age Difficult", True),
        3: Meaning("CGI/Animation - Child Exploitive", True),
        4: Meaning("Comparison Images", False),
    },
    DHS_LEGACY: {
        0: Meaning("Uncategorized", True),
        1: Meaning("Child Exploitation (Illegal)", True),
        2: Meaning("Child Exploitation (Non-Illegal/Age Difficult)", True),
        3: Meaning("CGI/Animation (Child Exploitive)", True),
        4: Meaning("Exemplar/Comparison (Internal Use Only)", False),
        5: Meaning("Non-pertinent", False),
    },
    UK_CAID: {},
}
"""Known codes per scheme. Comparison/exemplar images are reference material, not hits;
uncategorised entries of a known-bad list stay known-bad so an examiner reviews them."""


def code_problem(code: int, scheme: str) -> str | None:
    """Why ``code`` cannot be read under ``scheme`` (None when it can).

    VICS 2.0 and DHS define every code they have, so any other code (NSRL-CAID's 8, say)
    is a list written under another scheme and is refused rather than stored with no
    meaning. The UK/CAID numbering is unverified, so its codes are all kept.
    """
    defined = MEANINGS[scheme]
    if scheme == UK_CAID or code in defined:
        return None
    return (
        f"category {code} is not a code of the {scheme} scheme (its codes: "
        f"{', '.join(map(str, sorted(defined)))}); state the list's own scheme with "
        "--category-scheme, or ask its supplier which scheme it uses"
    )


# DHS code -> VICS 2.0 code; None = "not categorised" (no Category in VICS).
_DHS_TO_VICS: dict[int, int | None] = {0: None, 1: 1, 2: 2, 3: 3, 4: 4, 5: 0}
_VICS_TO_DHS: dict[int, int] = {vics: dhs for dhs, vics in _DHS_TO_VICS.items() if vics is not None}

_VICS_PROFILES = {"US": VICS_US, "DEFAULT": VICS_US}


def scheme_for_vics_profile(profile: str | None) -> str | None:
    """The scheme a VICS 2.0 profile implies: ``US`` and ``Default`` mean ``vics-us-2.0``.

    Other profiles (``UK``, ``CUSTOM``) do not say, so the import must state the scheme.
    """
    return _VICS_PROFILES.get((profile or "").upper())


def label(category: Category) -> str:
    """Human label, e.g. ``"Non-Pertinent (vics-us-2.0 0)"``."""
    meaning = MEANINGS.get(category.scheme, {}).get(category.code)
    name = meaning.label if meaning else "code not defined in this scheme"
    return f"{name} ({category.scheme} {category.code})"


def is_known_bad(category: Category | None, list_kind: ListKind = "known-bad") -> bool:
    """Whether a match on an entry with ``category`` is reported as known-bad.

    Entries of known-good lists never are; on a known-bad list, non-pertinent and comparison
    codes are not, an absent category is, and a code the scheme does not define is (so it
    reaches an examiner instead of being dropped).
    """
    if list_kind == "known-good":
        return False
    if category is None:
        return True
    meaning = MEANINGS.get(category.scheme, {}).get(category.code)
    return True if meaning is None else meaning.known_bad


def convert(category: Category, scheme: str) -> Category | None:
    """``category`` expressed in ``scheme``; None means "not categorised" there.

    Only the DHS <-> VICS 2.0 mapping is defined (1-4 keep their numbers, DHS 5 is VICS 0,
    DHS 0 is VICS "no category"); anything else stops with a UsageError.
    """
    check_scheme(scheme)
    if category.scheme == scheme:
        return category
    code: int | None
    if (category.scheme, scheme) == (DHS_LEGACY, VICS_US) and category.code in _DHS_TO_VICS:
        code = _DHS_TO_VICS[category.code]
    elif (category.scheme, scheme) == (VICS_US, DHS_LEGACY) and category.code in _VICS_TO_DHS:
        code = _VICS_TO_DHS[category.code]
    else:
        raise UsageError(
            f"no mapping of category {category.code} from {category.scheme} to {scheme}"
        )
    return None if code is None else Category(code, scheme)
