"""`python -m ganzoo.cli`."""

from ganzoo.cli import main

main()
