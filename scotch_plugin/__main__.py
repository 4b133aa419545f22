"""``python -m scotch_plugin`` is the ``scotch`` command."""

import sys

from scotch_plugin.cli import main

sys.exit(main())
