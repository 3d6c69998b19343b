"""Sources and the processed store: reading, importing, validating and generating data (CBS StatLine, own
registrations, synthetic demo data)."""
