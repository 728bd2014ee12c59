#!/usr/bin/env python
"""Django's manage.py; the same as the ``violeta`` command."""

from violeta.cli import main

if __name__ == "__main__":
    main()
