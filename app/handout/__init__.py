"""Handouts: a lesson as one self-contained HTML file (and a PDF from it), with a recorded run drawn as SVG."""
