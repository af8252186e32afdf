"""Every detector's working memory is declared, so a snapshot keeps all of it: a detector that keeps
private attributes names each in its ``memory_type``, and saving then loading gives the same memory."""

from __future__ import annotations

import msgspec
import pytest

from stockade.detectors.registry import all_detectors
from stockade.engine.engine import Detector


@pytest.mark.parametrize("detector", all_detectors(), ids=lambda d: d.id)
def test_the_memory_type_names_every_private_attribute(detector: Detector) -> None:
    private = {name.removeprefix("_") for name in vars(detector) if name.startswith("_")}
    shape = detector.memory_type
    declared = set(shape.__struct_fields__) if shape is not None else set()
    assert private == declared


@pytest.mark.parametrize("detector", [d for d in all_detectors() if d.memory_type is not None], ids=lambda d: d.id)
def test_memory_survives_json(detector: Detector) -> None:
    saved = detector.save_memory()
    assert saved is not None
    assert detector.memory_type is not None
    back = msgspec.json.decode(msgspec.json.encode(saved), type=detector.memory_type)
    detector.load_memory(back)
    assert msgspec.json.encode(detector.save_memory()) == msgspec.json.encode(saved)
