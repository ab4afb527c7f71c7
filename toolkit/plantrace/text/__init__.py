"""Text layer: the raw-offset map and the explainable normaliser."""
