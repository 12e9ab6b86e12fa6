"""Stand-ins the tests and the benchmarks share (a fake Bot API over real HTTP)."""
