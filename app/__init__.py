"""looplab: an interactive terminal course on Node.js internals, run on real Node."""

__version__ = "0.1.0"
