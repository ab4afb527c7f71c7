"""Concepts layer: lexicons, commitment-intensity grades, the pkuseg segmenter, the
boundary-checking matcher and alias suggestions."""
