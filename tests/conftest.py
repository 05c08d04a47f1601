from pathlib import Path

import pytest
from hypothesis import settings

from incentives import pipeline
from incentives.periods import parse_period
from tests.builders import SAMPLE

# The time an example takes moves with the load of the machine (CI shares one with other
# work): a slow example is not a failure, so no property test has a deadline.
settings.register_profile("calc", deadline=None)
settings.load_profile("calc")


@pytest.fixture(scope="session")
def sample_run(tmp_path_factory: pytest.TempPathFactory) -> pipeline.Outcome:
    """The Intelligent Platforms sample run for 2026Q3, once per session; tests only read it."""
    out: Path = tmp_path_factory.mktemp("sample") / "out"
    outcome = pipeline.run(SAMPLE, parse_period("2026Q3"), out)
    assert outcome.ok, [str(p) for p in outcome.problems]
    return outcome


@pytest.fixture(autouse=True)
def _own_register(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    """A command run by a test without --register uses a register of its own, never the
    working copy's outputs/register.sqlite."""
    monkeypatch.setenv("CALC_REGISTER", str(tmp_path_factory.mktemp("register") / "register.sqlite"))
