"""Running reports: one notebook per region and period (papermill, nbconvert, Chromium PDF), batches, and the
``regiekit`` command."""
