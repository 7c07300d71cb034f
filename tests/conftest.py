import os
from pathlib import Path

import pytest
from citations import SEEDS

# Offline machine: never let a library reach for the network.
for _k, _v in {
    "HF_HUB_OFFLINE": "1",
    "TRANSFORMERS_OFFLINE": "1",
    "HF_HUB_DISABLE_TELEMETRY": "1",
    "GRADIO_ANALYTICS_ENABLED": "False",
    "NO_PROXY": "127.0.0.1,localhost",
    "TOKENIZERS_PARALLELISM": "false",
}.items():
    os.environ.setdefault(_k, _v)

# The fast tier (`pytest -m "not slow"`) leaves out every test that needs the real model, a
# server or the browser. They are marked here rather than one by one: a test that takes one
# of these fixtures (directly or through another fixture) is slow without being told.
SLOW_FIXTURES = frozenset(
    {"bot", "app_server", "app_url", "evil_server", "evil_url", "run_server", "page", "browser"}
)
# Modules whose every test builds an index of its own with the real model.
SLOW_MODULES = frozenset(
    {"test_assistant.py", "test_faults.py", "test_query_speed.py", "test_store.py"}
)


def pytest_collection_modifyitems(config, items):
    for item in items:
        if (
            SLOW_FIXTURES.intersection(getattr(item, "fixturenames", ()))
            or Path(str(item.fspath)).name in SLOW_MODULES
        ):
            item.add_marker(pytest.mark.slow)


@pytest.fixture(autouse=True)
def _fast_tests_stay_off_the_model(request, monkeypatch):
    """A test not marked slow that loads the real model fails, saying to mark it slow.

    Only a load is caught: a model another (slow) test loaded earlier in the same run is
    shared from get_embedder's cache, so this bites in the fast tier, where it matters.
    """
    if request.node.get_closest_marker("slow"):
        return
    import askseeds.embed.encoder

    def refuse(self, *args, **kwargs):
        raise RuntimeError(
            f"{request.node.nodeid} loads the real embedding model: mark it "
            "@pytest.mark.slow, or use tests/fake_embedder.py's FakeEmbedder"
        )

    monkeypatch.setattr(askseeds.embed.encoder.Embedder, "__init__", refuse)


@pytest.fixture(scope="session")
def bot(tmp_path_factory):
    """One Assistant over the real seeds, built once for every test that only reads it."""
    from askseeds import Assistant  # after the environment above is set

    return Assistant.from_folder(SEEDS, index_dir=tmp_path_factory.mktemp("seeds"), progress=False)
