#!/usr/bin/env python
"""Same as the installed `shire` command, for those used to manage.py."""
from shire.cli import main

if __name__ == "__main__":
    main()
