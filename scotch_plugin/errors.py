"""The one exception type the command line turns into a clean message."""


class ScotchError(Exception):
    """A user-facing error: the message names what is wrong and where."""
