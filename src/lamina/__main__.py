"""`python -m lamina demo` runs the same command as `lamina demo`."""
import sys

from lamina.cli import main

sys.exit(main())
