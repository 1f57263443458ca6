"""The look of a drawing: colours, fonts and node styles, chosen for slides.

>>> NODE_STYLES["input"]["shape"], PALETTE[0]
('ellipse', '#0072B2')
"""

from __future__ import annotations

from collections.abc import Mapping

#: Colours of highlighted paths, in order: the Okabe–Ito palette, safe for the common
#: forms of colour blindness (Okabe & Ito 2008), without its yellow, which is hard to see
#: on white.  Beyond seven paths the colours repeat with dashed, then dotted lines.
PALETTE = ("#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#000000")
PATH_STYLES = ("solid", "dashed", "dotted")

#: Font of every label, as a CSS-style list.  Graphviz lays labels out with the first
#: installed family (DejaVu Sans has every math character used: σ, ², ₃, ẇ, w̄); SVG
#: viewers fall back along the list.
FONTNAME = "DejaVu Sans,Helvetica,Arial,sans-serif"

#: Point sizes chosen for slides: node labels are readable on a projector at the size
#: Graphviz draws them (1 pt = 1 px at 72 dpi; PNGs are written at 150 dpi).
FONTSIZE = 20.0
PNG_DPI = 150

#: Node styles by role: inputs are blue ellipses, operations white rounded boxes, outputs
#: orange boxes with a double border, constants grey; in derivative graphs adjoint nodes
#: are pink, tangent nodes green and helper nodes dashed.
NODE_STYLES: Mapping[str, Mapping[str, str]] = {
    "input": {"shape": "ellipse", "style": "filled", "fillcolor": "#DCEBF7",
              "color": "#0072B2", "margin": "0.04,0.04"},
    "op": {"shape": "box", "style": "rounded,filled", "fillcolor": "#FFFFFF",
           "color": "#4D4D4D"},
    "output": {"shape": "box", "style": "rounded,filled", "fillcolor": "#FBE3D0",
               "color": "#4D4D4D", "peripheries": "2"},
    "constant": {"shape": "box", "style": "filled", "fillcolor": "#EEEEEE",
                 "color": "#888888"},
    "adjoint": {"shape": "box", "style": "rounded,filled", "fillcolor": "#F6E1EE",
                "color": "#A0457A"},
    "tangent": {"shape": "box", "style": "rounded,filled", "fillcolor": "#DDF2EA",
                "color": "#00785A"},
    "helper": {"shape": "box", "style": "rounded,dashed,filled", "fillcolor": "#FAFAFA",
               "color": "#888888"},
}

# Text and line colours.
TEXT = "#1A1A1A"
VALUE = "#555555"
SHAPE = "#0072B2"  # a node's shape under its name, [2×3]
TANGENT = "#00785A"
ADJOINT = "#A0457A"
NOTE = "#7A4F00"
EDGE = "#4D4D4D"
DIMMED = "#BBBBBB"
DIMMED_TEXT = "#999999"
HIGHLIGHT = "#D55E00"
