"""Training: initialisation, the fit loop, seed 004's layer-wise updates.

>>> import graphdiff as gd
>>> from graphdiff import optim
>>> from graphdiff.train import fit
>>> bowl = gd.parse("L = (x - 1)**2 + 10*(y + 2)**2")
>>> result = fit(bowl, {"x": 0.0, "y": 0.0}, optim.adam(lr=0.1), steps=500)
>>> round(result.params["x"], 3), round(result.params["y"], 3)
(1.0, -2.0)

The optimizers are :mod:`graphdiff.optim`; plots of the runs are :mod:`graphdiff.plot`.
"""

from . import init
from .fit import FitResult, fit
from .history import History
from .init import Initializer, initialize
from .layerwise import layerwise_step
from .reshape import with_shapes

__all__ = ["FitResult", "History", "Initializer", "fit", "init", "initialize",
           "layerwise_step", "with_shapes"]
