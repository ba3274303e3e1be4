from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from cardpress.compute.site import build_site, version_key
from cardpress.readers.records import read_records
from tests.conftest import PROJECTS


@given(st.lists(st.integers(min_value=0, max_value=10**6), min_size=1, max_size=30))
def test_numeric_versions_sort_as_numbers(numbers: list[int]) -> None:
    assert sorted(map(str, numbers), key=version_key) == [str(n) for n in sorted(numbers)]


@given(st.integers(0, 999), st.integers(0, 999), st.integers(0, 999), st.integers(0, 999))
def test_dotted_versions_sort_piece_by_piece(a: int, b: int, c: int, d: int) -> None:
    assert (version_key(f"{a}.{b}") < version_key(f"{c}.{d}")) == ((a, b) < (c, d))


def test_natural_order_examples() -> None:
    versions = ["10", "2", "10.1", "1", "10a", "2026.03"]
    assert sorted(versions, key=version_key) == ["1", "2", "10", "10.1", "10a", "2026.03"]


def test_a_pre_release_sorts_before_its_release() -> None:
    versions = ["1.0.0", "1.0.0-rc.2", "1.0.1", "1.0.0-rc1", "1.0.0-alpha", "1.0.0.1", "0.9"]
    assert sorted(versions, key=version_key) == [
        "0.9", "1.0.0-alpha", "1.0.0-rc1", "1.0.0-rc.2", "1.0.0", "1.0.0.1", "1.0.1"
    ]  # fmt: skip
    # a hyphen between numbers is a separator, as in a date
    assert sorted(["2026-01-10", "2026-01-02", "2026"], key=version_key) == [
        "2026", "2026-01-02", "2026-01-10"
    ]  # fmt: skip


def test_latest_is_the_highest_version_not_the_newest_file() -> None:
    site = build_site(read_records(PROJECTS / "minimal"), None)
    churn = next(m for m in site.models if m.name == "churn")
    assert [v.version for v in churn.versions] == ["1", "10"]
    assert churn.latest.version == "10" and churn.latest.is_latest
    assert churn.versions[1].previous == "1" and churn.versions[0].next == "10"
    # card.md: status applies to the newest version, version_status to the others
    assert [v.status for v in churn.versions] == ["retired", "approved"]
