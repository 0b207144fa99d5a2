"""The version of ganzoo, importable without importing the package's lazy names."""

__version__ = "0.1.0"
