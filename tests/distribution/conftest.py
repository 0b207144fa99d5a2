import pytest


def pytest_collection_modifyitems(items):
    """Everything here trains under `tf.distribute` strategies (MirroredStrategy,
    MultiWorkerMirroredStrategy): TensorFlow only by nature. On JAX, several
    devices are `keras.distribution.DataParallel` (see the JAX adapter)."""
    for item in items:
        if "tests/distribution/" in str(item.fspath).replace("\\", "/"):
            item.add_marker(pytest.mark.tensorflow_only)
