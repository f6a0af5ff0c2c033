"""Subcommands of `s2c` beyond generate/doctor. Each module defines `register(subparsers)`
and imports its heavy dependencies (torch, transformers) only inside its handler, so that
`s2c --help` and `s2c generate song.mid` start quickly."""
