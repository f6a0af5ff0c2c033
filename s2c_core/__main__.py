"""`python -m s2c_core ...` is the same as the `s2c` command."""

import sys

from .cli import main

sys.exit(main())
