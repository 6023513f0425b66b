"""Bulk row writes with one executemany: no model instances, no per-object SQL compiling."""

from django.db import connection, models


def rows_insert(*, model: type[models.Model], field_names: list[str], rows: list[list]) -> None:
    """INSERT rows (values in field order, ready for the database) in one executemany.

    A large import skips model instances and per-object SQL compiling (bulk_create's cost).
    """
    if not rows:
        return
    quote = connection.ops.quote_name
    columns = ", ".join(quote(model._meta.get_field(name).column) for name in field_names)
    placeholders = ", ".join(["%s"] * len(field_names))
    with connection.cursor() as cursor:
        cursor.executemany(
            f"INSERT INTO {quote(model._meta.db_table)} ({columns}) VALUES ({placeholders})",  # noqa: S608 (names from model meta)
            rows,
        )


def rows_update(*, model: type[models.Model], field_names: list[str], rows: list[list]) -> None:
    """UPDATE rows by primary key in one executemany: each row is its new values, then its pk.

    bulk_update compiles a CASE per field over the whole batch, most of a chunk's time.
    """
    if not rows:
        return
    quote = connection.ops.quote_name
    meta = model._meta
    assignments = ", ".join(f"{quote(meta.get_field(name).column)} = %s" for name in field_names)
    with connection.cursor() as cursor:
        cursor.executemany(
            f"UPDATE {quote(meta.db_table)} SET {assignments} WHERE {quote(meta.pk.column)} = %s",  # noqa: S608 (names from model meta)
            rows,
        )


def _prepared(instance: models.Model, fields: list[models.Field]) -> list:
    """The instance's values of these fields as the database takes them (as save() prepares them)."""
    return [
        field.get_db_prep_save(getattr(instance, field.attname), connection) for field in fields
    ]


def objects_insert(*, objects: list[models.Model]) -> None:
    """INSERT unsaved instances of one model (every concrete field but the pk) in one executemany.

    Their pks stay unset: for rows written in a hot path and read back later by their columns.
    """
    if not objects:
        return
    meta = objects[0]._meta
    fields = [field for field in meta.concrete_fields if not field.primary_key]
    rows_insert(
        model=type(objects[0]),
        field_names=[field.name for field in fields],
        rows=[_prepared(instance, fields) for instance in objects],
    )


def objects_update(*, objects: list[models.Model], field_names: list[str]) -> None:
    """UPDATE these fields of saved instances of one model from their attributes, in one executemany."""
    if not objects:
        return
    meta = objects[0]._meta
    fields = [meta.get_field(name) for name in field_names]
    rows_update(
        model=type(objects[0]),
        field_names=field_names,
        rows=[[*_prepared(instance, fields), instance.pk] for instance in objects],
    )
