"""Bulk row writes in few statements: no per-object SQL compiling."""

from django.db import connection, models


def _insert_sql(model: type[models.Model], field_names: list[str]) -> tuple[str, str]:
    """'INSERT INTO table (columns) VALUES ' and one row's '(%s, …)' for these fields."""
    quote = connection.ops.quote_name
    columns = ", ".join(quote(model._meta.get_field(name).column) for name in field_names)
    insert = f"INSERT INTO {quote(model._meta.db_table)} ({columns}) VALUES "  # noqa: S608 (names from model meta)
    return insert, f"({', '.join(['%s'] * len(field_names))})"


def rows_insert(*, model: type[models.Model], field_names: list[str], rows: list[list]) -> None:
    """INSERT rows (values in field order, ready for the database) in one executemany.

    A large import skips model instances and per-object SQL compiling (bulk_create's cost).
    """
    if not rows:
        return
    insert, row_sql = _insert_sql(model, field_names)
    with connection.cursor() as cursor:
        cursor.executemany(insert + row_sql, rows)


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


def _prepared_rows(
    objects: list[models.Model], fields: list[models.Field], *, add: bool
) -> list[list]:
    """The instances' values of these fields as the database takes them (as save() prepares them,
    with one timestamp for the batch's auto_now / auto_now_add fields).

    Each distinct value of a column is prepared once: a batch repeats most of them (its
    connector, its time), and preparing a value costs microseconds (timezones, decimals).
    """
    for field in fields:
        if getattr(field, "auto_now", False) or (add and getattr(field, "auto_now_add", False)):
            stamp = field.pre_save(objects[0], add)  # sets it on the first, as save() does
            for instance in objects[1:]:
                setattr(instance, field.attname, stamp)
    prepared: dict[tuple, object] = {}
    rows = []
    for instance in objects:
        row = []
        for index, field in enumerate(fields):
            value = getattr(instance, field.attname)
            try:
                key = (index, type(value), value)
                row.append(prepared[key])
            except KeyError:
                prepared[key] = field.get_db_prep_save(value, connection)
                row.append(prepared[key])
            except TypeError:  # unhashable (a JSON value): prepared each time
                row.append(field.get_db_prep_save(value, connection))
        rows.append(row)
    return rows


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
        rows=_prepared_rows(objects, fields, add=True),
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
        rows=[
            [*row, instance.pk]
            for row, instance in zip(
                _prepared_rows(objects, fields, add=False), objects, strict=True
            )
        ],
    )


def objects_create(*, objects: list[models.Model]) -> None:
    """INSERT unsaved instances of one model and set their pks, as bulk_create does, without its
    per-value SQL compiling: INSERT … RETURNING of many rows per statement (SQLite), or of one
    row per parameter set in one psycopg executemany (PostgreSQL: a statement of thousands of
    placeholders would be parsed in Python on every call, its client-side binding)."""
    if not objects:
        return
    model, meta = type(objects[0]), objects[0]._meta
    if not connection.features.can_return_rows_from_bulk_insert:  # SQLite before 3.35
        model.objects.bulk_create(objects)
        return
    fields = [field for field in meta.concrete_fields if not field.primary_key]
    rows = _prepared_rows(objects, fields, add=True)
    insert, row_sql = _insert_sql(model, [field.name for field in fields])
    returning = f" RETURNING {connection.ops.quote_name(meta.pk.column)}"
    pks: list = []
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            with connection.wrap_database_errors:  # the driver's cursor: its errors as Django's
                cursor.cursor.executemany(insert + row_sql + returning, rows, returning=True)
            while True:
                pks.append(cursor.cursor.fetchone()[0])
                if not cursor.cursor.nextset():
                    break
        else:
            size = connection.ops.bulk_batch_size(fields, objects)
            for start in range(0, len(rows), size):
                batch = rows[start : start + size]
                cursor.execute(
                    insert + ", ".join([row_sql] * len(batch)) + returning,
                    [value for row in batch for value in row],
                )
                pks.extend(pk for (pk,) in cursor.fetchall())
    for instance, pk in zip(objects, pks, strict=True):
        instance.pk = pk
        instance._state.adding, instance._state.db = False, connection.alias
