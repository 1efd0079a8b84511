"""``python -m weakties`` runs the command line."""

from weakties.cli import main

main()
