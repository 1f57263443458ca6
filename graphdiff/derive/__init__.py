"""Derivative engines: paths, forward and reverse mode, symbolic and numeric."""
