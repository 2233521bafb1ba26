"""``python -m narrator`` runs the narrate command."""

from .cli import main

main()
