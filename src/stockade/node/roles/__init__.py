"""Composition per role (DESIGN.md "Deployment shapes").

``all`` is the embedded node (:class:`stockade.node.runtime.Node`); ``api``
(:mod:`.api`) authenticates, validates and publishes to NATS JetStream;
``worker`` (:mod:`.worker`) owns partitions by lease, sequences and commits
to PostgreSQL and runs the engine. :class:`~.parts.RoleParts` is what a role
changes in the node: the sequencer, where the ledger tiles live, whether this
process keeps a log at all.
"""
