"""regiekit: indicators, monitors and factsheets for Dutch youth care per region and period."""

__version__ = "0.1.0"
