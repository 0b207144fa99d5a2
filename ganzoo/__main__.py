"""`python -m ganzoo`: the `ganzoo` command."""

from ganzoo.cli import main

main()
