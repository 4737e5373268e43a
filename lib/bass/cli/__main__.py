"""`python -m bass.cli`: the same as the `bass` command."""
import sys

from bass.cli import main

sys.exit(main())
