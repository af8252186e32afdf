"""``python -m stockade`` runs the command line."""

from stockade.cli import main

main()
