from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from engine.office import Office, load_office

ROOT = Path(__file__).resolve().parent.parent
SEED = ROOT / "records" / "2021-2024" / "PCC-D-102.yaml"
# The published paper as it appears on the office's website: our fidelity test. A copy lives
# in tests/data so that a clone tests itself; test_reference_copy keeps it the shared one.
REFERENCE_TEXT = ROOT / "tests" / "data" / "PCC-D-102.published.txt"
SHARED_REFERENCE = ROOT.parent / "shared" / "reference" / "PCC-D-102.published.txt"


@pytest.fixture(scope="session")
def office() -> Office:
    return load_office(ROOT / "office.yaml")


@pytest.fixture
def seed_copy(tmp_path: Path) -> Path:
    """A copy of the seed record in a term folder of its own, free to be edited."""
    target = tmp_path / "records" / "2021-2024" / SEED.name
    target.parent.mkdir(parents=True)
    shutil.copy(SEED, target)
    return target


def edit(path: Path, old: str, new: str) -> int:
    """Replace the one occurrence of old with new; return the 1-based line it starts on."""
    text = path.read_text(encoding="utf-8")
    assert text.count(old) == 1, f"{old!r} occurs {text.count(old)} times"
    path.write_text(text.replace(old, new), encoding="utf-8")
    return text[: text.index(old)].count("\n") + 1


def _wordpress():
    """Start a test WordPress (tests/wordpress_server.py); fail, naming the packages, when they
    are missing: `make test` installs them."""
    from .wordpress_server import PACKAGES, missing_packages, running_wordpress

    missing = missing_packages()
    if missing:
        pytest.fail(f"the test WordPress needs missing system packages: {' '.join(missing)}; install them as root"
                    f" (`make test` does): apt-get install --no-install-recommends {PACKAGES}", pytrace=False)
    return running_wordpress()


@pytest.fixture(scope="session")
def wordpress():
    """A real WordPress (Debian's package) on 127.0.0.1, for the session."""
    with _wordpress() as site:
        yield site


@pytest.fixture()
def fresh_wordpress():
    """A WordPress of the test's own (about 2 s to start), for a test that makes pages at the
    slugs another test's may hold: its outcome never hangs on the order the tests run in."""
    with _wordpress() as site:
        yield site
