// Nothing at all: what starting Node (and the tracer) costs by itself (benchmarks/trace_start.py).
