"""Entry point for ``python -m scripts``."""

import sys

from scripts.cli import main

if __name__ == "__main__":  # not when a worker process of generate's imports it again (multiprocessing)
    sys.exit(main())
