"""Indicator definitions: the YAML catalogue (``catalogue/``, data, never executed), its validation and its
generated reference page."""
