"""The one error type the S2C engine raises for bad files and folders."""


class CheckpointError(ValueError):
    """A checkpoint, config or experiment folder cannot be used.

    The message is always one line and names the offending file, so the CLI can print it as is.
    """
