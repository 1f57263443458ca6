"""Shared pytest configuration: Hypothesis profiles.

The ``ci`` profile is loaded by default; pick another with ``HYPOTHESIS_PROFILE=dev``
(fewer examples, for quick local runs).
"""

from __future__ import annotations

import os

from hypothesis import settings

settings.register_profile("ci", deadline=None, max_examples=100)
settings.register_profile("dev", deadline=None, max_examples=30)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))
