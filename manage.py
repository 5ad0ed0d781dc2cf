#!/usr/bin/env python
"""Django's command-line utility; `agora` wraps it."""

import sys

from agora.cli import main

if __name__ == "__main__":
    sys.exit(main(sys.argv))
