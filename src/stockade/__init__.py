"""Stockade: one ordered, tamper-evident log of a warehouse's security events.

The packages follow the flow of DESIGN.md, and imports point down this list only:
``events`` → ``site`` → ``ledger`` → ``engine`` → ``detectors`` → ``inventory`` →
``access`` → ``response`` → ``connectors`` → ``store`` → ``api`` → ``web`` → ``sim`` → ``cli``.
"""

__version__ = "0.1.0"
