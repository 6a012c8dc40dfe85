"""Data files: checksums, sizes, data cards, and the clear errors a broken file must raise."""

from __future__ import annotations

import hashlib
import re
import shutil
from pathlib import Path

import pytest

from mlops_course.data import (
    ChecksumMismatchError,
    DatasetError,
    DatasetMissingError,
    load_adult,
    load_flights,
    load_loans,
    load_loans_manifest,
    verify_checksums,
)
from mlops_course.paths import datasets_dir

DATASETS = datasets_dir()
DATA_FILES = ["adult/adult.csv.gz", "flights/flights.csv.gz", "loans/loans.csv", "loans/manifest.json"]
LOADERS = {
    "loans/loans.csv": load_loans,
    "loans/manifest.json": load_loans_manifest,
    "flights/flights.csv.gz": load_flights,
    "adult/adult.csv.gz": load_adult,
}
MB = 1024 * 1024


def _sums() -> dict[str, str]:
    lines = (DATASETS / "SHA256SUMS").read_text(encoding="utf-8").splitlines()
    return {name: digest for digest, name in (line.split("  ", 1) for line in lines)}


def test_sha256sums_lists_every_data_file_with_its_real_digest():
    sums = _sums()
    assert sorted(sums) == DATA_FILES, f"SHA256SUMS should list exactly {DATA_FILES}, lists {sorted(sums)}"
    for name, digest in sums.items():
        actual = hashlib.sha256((DATASETS / name).read_bytes()).hexdigest()
        assert actual == digest, f"{name}: sha256 {actual} but SHA256SUMS says {digest}"


def test_verify_checksums_reports_every_file_ok():
    results = verify_checksums()
    assert [path for path, _, _ in results] == DATA_FILES
    assert all(ok for _, ok, _ in results), [r for r in results if not r[1]]


def test_each_file_is_small_and_all_data_fits_the_budget():
    sizes = {name: (DATASETS / name).stat().st_size for name in DATA_FILES}
    too_big = {name: size for name, size in sizes.items() if size >= 5 * MB}
    assert not too_big, f"data files must stay under 5 MB: {too_big}"
    assert sum(sizes.values()) < 20 * MB


@pytest.mark.parametrize("name", ["loans", "flights", "adult"])
def test_data_card_exists_and_quotes_the_current_checksums(name):
    card = (DATASETS / name / "CARD.md").read_text(encoding="utf-8")
    for section in ["## Columns", "## Known issues", "## Intended use and misuse", "Licence", "Rebuild"]:
        assert section in card, f"{name}/CARD.md lacks {section!r}"
    for path, digest in _sums().items():
        if path.startswith(f"{name}/"):
            assert digest in card, f"{name}/CARD.md must quote the sha256 of {path} ({digest})"


def test_readme_lists_every_dataset():
    readme = (DATASETS / "README.md").read_text(encoding="utf-8")
    for name in ["loans", "flights", "adult"]:
        assert f"({name}/CARD.md)" in readme


def test_build_scripts_pin_the_archive_they_read():
    for script in ["build_flights.py", "build_adult.py"]:
        text = (DATASETS / "scripts" / script).read_text(encoding="utf-8")
        assert re.search(r'REQUIREMENT = "[\w-]+==[\d.]+"', text), f"{script} must pin an exact version"
        assert re.search(r'ARCHIVE_SHA256 = "[0-9a-f]{64}"', text), f"{script} must pin the archive's sha256"


# --- bad input: a copy of the datasets folder, broken on purpose --------------------------------------


@pytest.fixture()
def datasets_copy(tmp_path: Path) -> Path:
    copy = tmp_path / "datasets"
    shutil.copytree(DATASETS, copy, ignore=shutil.ignore_patterns("scripts", "*.md"))
    return copy


@pytest.mark.parametrize("relative", DATA_FILES)
def test_changed_file_raises_a_clear_checksum_error(datasets_copy, relative):
    path = datasets_copy / relative
    path.write_bytes(path.read_bytes() + b"\n")
    with pytest.raises(ChecksumMismatchError) as error:
        LOADERS[relative](root=datasets_copy)
    message = str(error.value)
    assert relative in message and "sha256" in message
    assert "git checkout" in message, "the error must say how to restore the file"


@pytest.mark.parametrize("relative", DATA_FILES)
def test_missing_file_raises_a_clear_error(datasets_copy, relative):
    (datasets_copy / relative).unlink()
    with pytest.raises(DatasetMissingError, match="is missing") as error:
        LOADERS[relative](root=datasets_copy)
    assert isinstance(error.value, FileNotFoundError)
    assert "git checkout" in str(error.value)


def test_missing_checksum_list_raises_and_verify_reports_it(datasets_copy):
    (datasets_copy / "SHA256SUMS").unlink()
    with pytest.raises(DatasetMissingError, match="SHA256SUMS"):
        load_loans(root=datasets_copy)
    [(path, ok, message)] = verify_checksums(datasets_copy)
    assert (path, ok) == ("SHA256SUMS", False) and "missing" in message


def test_verify_checksums_reports_a_broken_file_without_raising(datasets_copy):
    (datasets_copy / "flights" / "flights.csv.gz").write_bytes(b"not the data")
    results = {path: (ok, message) for path, ok, message in verify_checksums(datasets_copy)}
    assert results["flights/flights.csv.gz"][0] is False
    assert "has changed" in results["flights/flights.csv.gz"][1]
    assert all(ok for path, (ok, _) in results.items() if path != "flights/flights.csv.gz")


def test_loader_refuses_unknown_category_values(tmp_path):
    from mlops_course.data.loaders import read_loans_csv

    header, first_row = (DATASETS / "loans" / "loans.csv").read_text(encoding="utf-8").splitlines()[:2]
    fields = first_row.split(",")
    fields[header.split(",").index("channel")] = "telephone"
    broken = tmp_path / "loans.csv"
    broken.write_text(f"{header}\n{','.join(fields)}\n", encoding="utf-8")
    with pytest.raises(DatasetError, match="unexpected values"):
        read_loans_csv(broken)


def test_loaders_return_independent_copies():
    first = load_loans()
    first.loc[0, "income"] = -1
    assert load_loans().loc[0, "income"] != -1, "a caller's change must not leak into the next load"
