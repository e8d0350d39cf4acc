"""Entry point for `python -m offer_catalogue`."""

from offer_catalogue.cli import main

raise SystemExit(main())
