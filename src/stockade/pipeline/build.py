"""Builds a site's engine with every registered detector, correlation and risk.

The one place the live node, ``stockade analyze`` and ``stockade eval`` get
their engine from, so all three run the same detection.

    >>> engine = build_engine(site)                       # doctest: +SKIP
    >>> engine.step(event)                                # doctest: +SKIP
    [Alert(detector='STK-DOR-001', …), Incident(pattern='forced_entry', …)]
"""

from __future__ import annotations

from stockade.detectors.registry import all_detectors
from stockade.engine.correlation import Correlator
from stockade.engine.engine import SiteEngine
from stockade.engine.risk import RiskModel
from stockade.site import SiteConfig


def build_engine(site: SiteConfig) -> SiteEngine:
    return SiteEngine(site, detectors=all_detectors(), correlator=Correlator(site), risk=RiskModel(site))
