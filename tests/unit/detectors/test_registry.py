import pytest

from stockade.detectors.registry import CATALOGUE, DetectorConfigError, all_detectors

IDS = [f"STK-{x}" for x in (
    "ACC-001", "ACC-002", "ACC-003", "ACC-004", "ACC-005", "ACC-006", "DOR-001", "DOR-002", "VID-001",
    "VID-002", "VID-003", "PER-001", "DEV-001", "DEV-002", "DEV-003", "INV-001", "INV-002", "INV-003",
    "INV-004", "INV-005", "INV-006", "INV-007", "GAT-001", "GAT-002", "ADM-001", "VEN-001", "ANO-001",
    "LED-001")]


def test_the_whole_catalogue_is_registered():
    assert sorted(CATALOGUE) == sorted(IDS)
    assert [d.id for d in all_detectors()] == list(CATALOGUE)


def test_overrides_and_disabling():
    dets = {d.id: d for d in all_detectors({"STK-ACC-002": {"threshold": 6}, "STK-ANO-001": {"enabled": False}})}
    assert dets["STK-ACC-002"].params.threshold == 6  # type: ignore[attr-defined]
    assert "STK-ANO-001" not in dets


def test_typos_are_errors():
    with pytest.raises(DetectorConfigError, match="unknown detector"):
        all_detectors({"STK-ACC-999": {}})
    with pytest.raises(DetectorConfigError, match="STK-ACC-002"):
        all_detectors({"STK-ACC-002": {"treshold": 6}})
    with pytest.raises(DetectorConfigError):
        all_detectors({"STK-ACC-002": {"threshold": "many"}})


def test_each_detector_file_holds_one_detector_class():
    import inspect

    from stockade.detectors.base import DetectorBase

    for cls in CATALOGUE.values():
        module = inspect.getmodule(cls)
        found = [c for _, c in inspect.getmembers(module, inspect.isclass)
                 if issubclass(c, DetectorBase) and c is not DetectorBase and c.__module__ == module.__name__]
        assert found == [cls]
