"""Entry point for `python -m catalogue`."""

from catalogue.cli import main

raise SystemExit(main())
