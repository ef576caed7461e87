"""X12 reading: delimiters from the ISA, segments with envelope and loop context."""
