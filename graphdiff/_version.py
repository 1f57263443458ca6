"""The version of graphdiff (``graphdiff.__version__``), where any layer can read it."""

__version__ = "0.1.0"
