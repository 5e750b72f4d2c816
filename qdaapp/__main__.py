from qdaapp.cli import main

raise SystemExit(main())
