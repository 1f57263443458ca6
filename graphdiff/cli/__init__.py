"""The ``graphdiff`` command line (``graphdiff = "graphdiff.cli:main"``; also
``python -m graphdiff.cli``).

One module per command, each adding its own subparser: :mod:`~graphdiff.cli.graph`,
:mod:`~graphdiff.cli.diff`, :mod:`~graphdiff.cli.verify`, :mod:`~graphdiff.cli.demo`,
:mod:`~graphdiff.cli.render` and the checker's commands (:mod:`graphdiff.cli.checker`);
:mod:`~graphdiff.cli.main` builds the parser and runs a command;
:mod:`~graphdiff.cli.args` reads the arguments they share.

Every error graphdiff raises on purpose is shown as a message (exit status 2), never
as a traceback.
"""

from .args import parse_point
from .demo import cmd_demo
from .diff import cmd_diff
from .graph import cmd_graph, graph_json
from .main import build_parser, main
from .render import add_render_parser, cmd_render
from .verify import cmd_verify

__all__ = [
    "add_render_parser",
    "build_parser",
    "cmd_demo",
    "cmd_diff",
    "cmd_graph",
    "cmd_render",
    "cmd_verify",
    "graph_json",
    "main",
    "parse_point",
]
