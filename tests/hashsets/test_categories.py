from __future__ import annotations

import pytest

from phunt.errors import UsageError
from phunt.hashsets.base import Category
from phunt.hashsets.categories import (
    DHS_LEGACY,
    UK_CAID,
    VICS_US,
    convert,
    is_known_bad,
    label,
    scheme_for_vics_profile,
)


def test_zero_and_five_swap_between_dhs_and_vics() -> None:
    assert convert(Category(5, DHS_LEGACY), VICS_US) == Category(0, VICS_US)
    assert convert(Category(0, VICS_US), DHS_LEGACY) == Category(5, DHS_LEGACY)
    assert convert(Category(0, DHS_LEGACY), VICS_US) is None  # uncategorised: no Category


@pytest.mark.parametrize("code", [1, 2, 3, 4])
def test_codes_one_to_four_keep_their_number(code: int) -> None:
    assert convert(Category(code, DHS_LEGACY), VICS_US) == Category(code, VICS_US)
    assert convert(Category(code, VICS_US), DHS_LEGACY) == Category(code, DHS_LEGACY)


def test_same_scheme_is_identity_and_unmapped_pairs_stop() -> None:
    assert convert(Category(3, UK_CAID), UK_CAID) == Category(3, UK_CAID)
    with pytest.raises(UsageError, match=r"no mapping of category 1 from uk-caid to vics-us-2.0"):
        convert(Category(1, UK_CAID), VICS_US)
    with pytest.raises(UsageError, match=r"no mapping of category 5 from vics-us-2.0"):
        convert(Category(5, VICS_US), DHS_LEGACY)


def test_non_pertinent_is_not_known_bad_in_either_scheme() -> None:
    assert not is_known_bad(Category(0, VICS_US))
    assert is_known_bad(Category(0, DHS_LEGACY))  # uncategorised, still on a bad list
    assert not is_known_bad(Category(5, DHS_LEGACY))
    assert is_known_bad(Category(5, VICS_US))  # undefined code: shown to an examiner


def test_known_bad_codes_and_list_kind() -> None:
    assert [is_known_bad(Category(c, VICS_US)) for c in range(5)] == [
        False, True, True, True, False,
    ]  # fmt: skip
    assert is_known_bad(None)
    assert not is_known_bad(None, "known-good")
    assert not is_known_bad(Category(1, VICS_US), "known-good")
    assert is_known_bad(Category(2, UK_CAID))


def test_labels_name_the_scheme() -> None:
    assert label(Category(0, VICS_US)) == "Non-Pertinent (vics-us-2.0 0)"
    assert label(Category(0, DHS_LEGACY)) == "Uncategorized (dhs-legacy 0)"
    assert label(Category(7, UK_CAID)) == "code not defined in this scheme (uk-caid 7)"


def test_profiles_that_imply_a_scheme() -> None:
    assert scheme_for_vics_profile("US") == VICS_US
    assert scheme_for_vics_profile("Default") == VICS_US
    assert scheme_for_vics_profile("UK") is None
    assert scheme_for_vics_profile(None) is None
