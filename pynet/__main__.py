"""``python -m pynet`` runs the command line."""

import sys

from pynet.cli.main import main

sys.exit(main())
