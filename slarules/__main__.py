"""`python -m slarules` runs the command line."""
import sys

from .interfaces.cli import main

sys.exit(main())
