import os

import pytest


@pytest.fixture(autouse=True)
def _keras_home(tmp_path, monkeypatch):
    """Caches (converted weights, real statistics) go to a fresh folder per
    test, never to the user's ~/.keras."""
    monkeypatch.setenv("KERAS_HOME", str(tmp_path / "keras_home"))
    monkeypatch.delenv("GANZOO_INCEPTION_WEIGHTS", raising=False)


@pytest.fixture(scope="session")
def synthetic_pb(tmp_path_factory):
    """A full-size reference-style GraphDef with random weights (~96 MB), built once."""
    from ganzoo.metrics.inception_synthetic import write_synthetic_graph

    path = tmp_path_factory.mktemp("inception") / "classify_image_graph_def.pb"
    write_synthetic_graph(str(path), seed=0)
    return str(path)


@pytest.fixture(scope="session")
def synthetic_weights(synthetic_pb):
    from ganzoo.metrics.inception_weights import from_file

    return from_file(synthetic_pb, cache=False)


@pytest.fixture(scope="session")
def extractor(synthetic_weights):
    from ganzoo.metrics.features import InceptionExtractor

    return InceptionExtractor(synthetic_weights, batch_size=16)


def pytest_configure(config):
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
