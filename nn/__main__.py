"""``python -m nn``: the main job (see :mod:`nn.cli`)."""
import sys

from .cli import main

sys.exit(main())
