"""Reference data: the 2024 region classification (gemeenten, jeugdregio's, provincies, Nederland), the
municipal mergers (herindelingen) and the simplified 2024 boundaries for maps (``grenzen/``), with their
sources."""
