"""Prometheus metrics of a node, in a registry of its own (no globals).

    stockade_events_total{site, kind, result}   accepted / duplicate / rejected lines
    stockade_ingest_seconds                     time to validate, commit and acknowledge one request
    stockade_queue_depth                        committed batches waiting for the engine
    stockade_outputs_total{site, kind}          alerts, incidents, decisions written by Stockade
    stockade_engine_errors_total{site}          batches the engine failed on (logged with the traceback)
    stockade_late_events_total{site}            accepted events older than the site's event-time clock allows
                                                (kept in the log, not detected on live; docs/events.md)
"""

from __future__ import annotations

from collections.abc import Callable

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest


class NodeMetrics:
    def __init__(self, queue_depth: Callable[[], int]) -> None:
        self.registry = CollectorRegistry()
        self.events = Counter(
            "stockade_events", "Ingested lines by site, kind and result",
            ["site", "kind", "result"], registry=self.registry,
        )
        self.ingest_seconds = Histogram(
            "stockade_ingest_seconds", "Ingest request latency, receipt to acknowledgement",
            buckets=(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5),
            registry=self.registry,
        )
        self.outputs = Counter(
            "stockade_outputs", "Events written by Stockade by site and kind",
            ["site", "kind"], registry=self.registry,
        )
        self.engine_errors = Counter(
            "stockade_engine_errors", "Batches the engine failed on (see the log)", ["site"], registry=self.registry,
        )
        self.late_events = Counter(
            "stockade_late_events", "Accepted events too old for live detection (kept in the log)", ["site"],
            registry=self.registry,
        )
        depth = Gauge(
            "stockade_queue_depth", "Committed batches waiting for the engine", registry=self.registry
        )
        depth.set_function(lambda: float(queue_depth()))

    def render(self) -> bytes:
        return generate_latest(self.registry)
