"""The root of regiekit's errors: every problem a user can cause or fix is a :class:`RegiekitError`,
which the command line prints as one Dutch line (``regiekit: fout: ...``) and exits with status 1.

Each stage defines its own subclass next to the code that raises it (``RegionError``,
``StoreError``, ``DefinitionError``, ``EngineError``, ``DisclosureError``, ``RunError``, ...), so a
caller can catch one stage or all of regiekit at once.
"""


class RegiekitError(Exception):
    """A request regiekit cannot carry out, with a message for the user."""
