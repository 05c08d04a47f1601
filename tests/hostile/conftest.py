from pathlib import Path

import pytest

from .make_corpus import build


@pytest.fixture(scope="session")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Every hostile and sound file of the corpus, built once per session."""
    return build(tmp_path_factory.mktemp("hostile"))
