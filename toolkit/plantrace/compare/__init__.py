"""Comparison: which documents to compare, the concept diff, intensity profiles,
trajectories, sentence alignment and numeric targets."""
