"""Reference data: the 2024 region classification (gemeenten, jeugdregio's, provincies, Nederland) and the
municipal mergers (herindelingen), with their sources."""
