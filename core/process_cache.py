"""Rows nearly every request reads and almost nothing changes, kept in each process.

A value is kept while the generation it was read under is the one in the shared cache (Redis, or
the database table on SQLite); a change of the rows renews the generation, so every process reads
them again at its next request. A lookup then costs one shared-cache read, not a query.
"""

import uuid
from collections.abc import Callable, Hashable
from typing import Generic, TypeVar

from django.core.cache import caches
from django.db import transaction
from django.db.models import Model
from django.db.models.signals import post_delete, post_save

V = TypeVar("V")


def _new_generation() -> str:
    return uuid.uuid4().hex


class ProcessCache(Generic[V]):
    """Values loaded once per process and generation; changed() renews it for every process."""

    def __init__(self, name: str, *, max_entries: int = 10_000) -> None:
        self.generation_key = f"process-cache-generation:{name}"
        self.max_entries = max_entries
        self._known: tuple[str, dict[Hashable, V]] = ("", {})

    def generation(self) -> str:
        """The current generation in the shared cache (a new one when there is none)."""
        return caches["shared"].get_or_set(self.generation_key, _new_generation, timeout=None)

    def get(self, key: Hashable, load: Callable[[], V]) -> V:
        """The value of key, loaded by load() unless kept under the current generation."""
        generation = self.generation()  # read before the database: a value is never older
        if self._known[0] != generation:
            self._known = (generation, {})
        known = self._known[1]
        if key not in known:
            if len(known) >= self.max_entries:  # keys nobody has (a stranger's) must not grow it
                known.clear()
            known[key] = load()
        return known[key]

    def changed(self, **_signal) -> None:
        """Renew the generation now (seen at once inside this transaction) and after the commit
        (a process that read the old rows meanwhile must not keep them). A signal receiver."""
        cache = caches["shared"]
        cache.set(self.generation_key, _new_generation(), timeout=None)
        transaction.on_commit(
            lambda: cache.set(self.generation_key, _new_generation(), timeout=None)
        )

    def renew_on_change(self, *models: type[Model]) -> None:
        """Renew the generation on every save or delete of these models, from any path (services,
        admin, shell); called from an app's ready(). A queryset update() sends no signal."""
        for model in models:
            for signal in (post_save, post_delete):
                signal.connect(self.changed, sender=model, weak=False)
