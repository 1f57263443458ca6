"""Batch grading, under its old name: the code is in :mod:`graphdiff.checker.batch`.

Every public name this module had is still importable from here.  They are the same
objects as the package's, so calling them or patching a class's methods works through
either name; but to change a module-level constant or function for a test (say
``HARD_MARGIN`` or ``grade_submission``), patch the module that uses it
(:mod:`graphdiff.checker.batch.workers`): a name re-exported here is a copy of the
reference.

>>> from graphdiff.checker import batch, grading
>>> grading.grade is batch.grade and grading.write_atomic is batch.write_atomic
True
"""

from . import batch
from .batch import *  # noqa: F403 - the package's public names are this module's
from .problems import MAX_FILE_BYTES

__all__ = [*batch.__all__, "MAX_FILE_BYTES"]
