"""The ``flask`` command-line commands, one module per group, and the demo-data generator."""
