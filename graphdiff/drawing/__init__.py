"""The renderer: draws a computation graph, and the results it is handed, with Graphviz.

It never runs an engine and never prints.  :mod:`graphdiff.show` turns a request (a Graph
or a sweep's result, a point, what to show) into a :class:`~graphdiff.drawing.plan.Plan`
that holds the results, and :func:`~graphdiff.drawing.draw.draw` lays it out:

==========  ======================================================================
module      what it does
==========  ======================================================================
errors      RenderError and RenderWarning
look        colours, fonts and node styles
plan        what to draw: the plan, the items of ``show``, the nodes' roles
labels      the HTML-like labels of nodes, edges and the legend
canvas      the empty Digraph and the colours of highlighted paths
detailed    the full drawing
overview    the compact overview of a large graph
draw        the size policy and ``draw(plan)``
output      a Digraph as SVG, PNG, PDF or DOT bytes and files
readback    a drawing's labels as text again (tests, doctests, tools)
==========  ======================================================================

The public names stay importable from :mod:`graphdiff.render`.
"""
