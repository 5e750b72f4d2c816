"""Entry script of the bundled app: the same as the ``qdaapp`` console command."""

from qdaapp.cli import main

raise SystemExit(main())
