"""Wiring of the engine, the detectors and the response into runnable pipelines.

``pipeline`` sits below ``response`` in the import order: it is the one place
(besides the API and the CLI) that puts the engine and the detector registry
together, so ``stockade analyze``, ``stockade eval`` and the live server run the
same code.
"""
