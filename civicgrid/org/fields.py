from django.db import models


class UnitCodeField(models.CharField):
    """An org unit code: digits only, a prefix of every descendant's code.

    Carries the `under` lookup (see lookups.py) that turns "in this subtree" into an index
    range scan on the row's own table.
    """

    def __init__(self, *args, **kwargs) -> None:
        kwargs.setdefault("max_length", 32)
        super().__init__(*args, **kwargs)
