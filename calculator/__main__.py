"""``python -m calculator`` runs the ``returncost`` command."""

import sys

from .cli import main

sys.exit(main())
