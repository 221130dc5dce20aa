"""``python -m gradtable``: the main job (see :mod:`gradtable.cli`)."""
import sys

from .cli import main

sys.exit(main())
