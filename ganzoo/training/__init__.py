"""Training: the run, its files and its messages (helper A fills this package)."""
