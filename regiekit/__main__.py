"""``python -m regiekit``: the same as the ``regiekit`` command."""

import sys

from regiekit.run.cli import main

sys.exit(main())
