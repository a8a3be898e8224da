"""Fast inserts for province-scale demo data: one executemany per table instead of Django's bulk_create, which
SQLite limits to 999 parameters a statement (≈70 rows) and which builds a model instance per row."""

from django.core.management.color import no_style
from django.db import connection
from django.db.models import Max


def _adapter(field):
    kind = field.get_internal_type()
    if kind == "DateTimeField":
        return connection.ops.adapt_datetimefield_value
    if kind == "DateField":
        return connection.ops.adapt_datefield_value
    if kind == "DecimalField":
        return lambda v: connection.ops.adapt_decimalfield_value(v, field.max_digits, field.decimal_places)
    return None


def insert_rows(model, columns: list[str], rows, *, batch: int = 20_000) -> int:
    """Insert tuples of values for ``columns`` (attribute names, e.g. ``agreement_id``)."""
    fields = [model._meta.get_field(c) for c in columns]
    adapters = [(i, a) for i, a in enumerate(_adapter(f) for f in fields) if a is not None]
    qn = connection.ops.quote_name
    sql = "INSERT INTO {} ({}) VALUES ({})".format(
        qn(model._meta.db_table), ", ".join(qn(f.column) for f in fields), ", ".join(["%s"] * len(fields))
    )
    done = 0
    chunk = []
    with connection.cursor() as cursor:
        for row in rows:
            if adapters:
                row = list(row)
                for i, adapt in adapters:
                    if row[i] is not None:
                        row[i] = adapt(row[i])
            chunk.append(row)
            if len(chunk) >= batch:
                cursor.executemany(sql, chunk)
                done += len(chunk)
                chunk = []
        if chunk:
            cursor.executemany(sql, chunk)
            done += len(chunk)
    return done


def insert_instances(model, objects) -> list:
    """Insert unsaved model instances with explicit primary keys (assigned here) and return them."""
    objects = list(objects)
    ids = reserve_ids(model, len(objects))
    fields = [f for f in model._meta.concrete_fields]
    for obj, pk in zip(objects, ids, strict=True):
        obj.pk = pk
    rows = [
        tuple(f.pre_save(obj, True) if f.primary_key is False else obj.pk for f in fields) for obj in objects
    ]
    insert_rows(model, [f.attname for f in fields], rows)
    reset_sequences(model)
    return objects


def reserve_ids(model, count: int) -> range:
    start = (model.objects.aggregate(top=Max("pk"))["top"] or 0) + 1
    return range(start, start + count)


def reset_sequences(*models) -> None:
    """After inserting explicit ids, move PostgreSQL's sequences past them (SQLite needs nothing)."""
    statements = connection.ops.sequence_reset_sql(no_style(), list(models))
    if statements:
        with connection.cursor() as cursor:
            for sql in statements:
                cursor.execute(sql)
