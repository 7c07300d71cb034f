import os

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


@pytest.fixture(scope="session")
def bot(tmp_path_factory):
    """One Assistant over the real seeds, built once for every test that only reads it."""
    from askseeds import Assistant  # after the environment above is set

    return Assistant.from_folder(SEEDS, index_dir=tmp_path_factory.mktemp("seeds"), progress=False)
