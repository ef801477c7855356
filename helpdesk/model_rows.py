"""Model instances from the rows of a query with joins, as peewee's ``ModelCursorWrapper``
makes them, for the queries ``db.Prepared`` runs on every page (a case page's case with its
product, team and people; its timeline entries with their authors; the session's user).

Peewee sets each column through the field's descriptor (``setattr``) and works out for
every row which model each column belongs to; here that is worked out once per query from
what peewee's wrapper worked out for the first row, and a row's columns go straight into
the instances' ``__data__``. The instances are peewee's own, built the same way, joined the
same way (peewee's rules for outer joins copied from ``ModelCursorWrapper.process_row``,
peewee 4.5.3) and with nothing marked dirty. tests/cases/test_model_rows.py compares the two.

A row of one model (``Case.select()``, the common query) is made by peewee's
``ModelObjectCursorWrapper`` as ``Model(__no_default__=1, **columns)``, which sets each
column through its descriptor: ``filled`` puts them in ``__data__`` at once
(``db.BaseModel.__init__``). A timer sweep reads about 85,000 such rows of 10,000 cases.
"""

from collections.abc import Callable

from peewee import (
    AutoField,
    BigIntegerField,
    CharField,
    FieldAccessor,
    ForeignKeyAccessor,
    ForeignKeyField,
    IntegerField,
    ModelCursorWrapper,
    TextField,
)

#: The descriptors whose ``__set__`` on a fresh instance only stores the value in
#: ``__data__`` (and marks the field dirty, which a row from the database is not).
_PLAIN_ACCESSORS = (FieldAccessor, ForeignKeyAccessor)


def builder(wrapper) -> Callable[[tuple], object] | None:
    """A function that makes of a row what ``wrapper.process_row`` makes of it, for a
    ``ModelCursorWrapper`` that has read its first row; None for any other wrapper."""
    if type(wrapper) is not ModelCursorWrapper or not wrapper.initialized:
        return None
    constructors = wrapper._constructor_list
    if not all(is_model for _key, _construct, is_model in constructors):
        return None
    keys = [key for key, _construct, _is_model in constructors]
    classes = [construct for _key, construct, _is_model in constructors]
    if any(key not in keys for _index, key, _column, _converter in wrapper._row_spec):
        return None
    root = keys.index(wrapper.model)
    # per column: its index, the instance it goes to, its name, converter, the type of value
    # the converter gives back as it is (``stored_as_is``), whether plain
    columns = []
    for index, key, column, converter in wrapper._row_spec:
        slot = keys.index(key)
        accessor = _descriptor(classes[slot], column)
        plain = _stores_only(accessor, column)
        kept = None
        if plain and converter == accessor.field.python_value:
            kept = stored_as_is(accessor.field)
        columns.append((index, slot, column, converter, kept, plain))
    reachable = wrapper._dest_reachable
    links = [
        (
            keys.index(src),
            attr,
            keys.index(dest),
            is_outer,
            is_fk,
            frozenset(keys.index(k) for k in reachable[dest] if k in keys)
            if dest in reachable
            else None,
        )
        for src, attr, dest, is_dict, is_outer, is_fk in wrapper.src_to_dest
        if not is_dict and src in keys and dest in keys
    ]
    if len(links) != len(wrapper.src_to_dest):
        return None

    def build(row):
        instances = [construct(__no_default__=True) for construct in classes]
        set_slots = set()
        for index, slot, column, converter, kept, plain in columns:
            value = row[index]
            if value is not None:
                set_slots.add(slot)
            if converter is not None and type(value) is not kept:
                value = converter(value)
            if plain:
                instances[slot].__data__[column] = value
            else:
                setattr(instances[slot], column, value)
        for src, attr, dest, is_outer, is_fk, further in links:
            joined = instances[dest]
            if dest not in set_slots and not (further and further & set_slots):
                if not is_outer:
                    continue
                joined = None
            if src not in set_slots and dest not in set_slots and is_outer:
                continue
            if is_fk and joined is None:
                instances[src].__rel__[attr] = None
            else:
                setattr(instances[src], attr, joined)
        for instance in instances:
            instance._dirty.clear()
        return instances[root]

    return build


#: Per model class: the names of its fields whose descriptor only stores the value.
_plain_fields: dict[type, frozenset] = {}


def filled(instance, values: dict) -> bool:
    """Make ``instance`` what peewee's ``Model.__init__`` makes of it with ``values`` (a
    query's row: ``__no_default__`` and the columns by name) when every column is a field
    whose descriptor only stores it, and say True; else do nothing and say False. The
    values are scalars from the database: a foreign key's descriptor would store a model
    instance otherwise. ``values`` becomes the instance's ``__data__``."""
    cls = type(instance)
    plain = _plain_fields.get(cls)
    if plain is None:
        plain = _plain_fields[cls] = frozenset(
            name for name in cls._meta.fields if _stores_only(_descriptor(cls, name), name)
        ) | {"__no_default__"}
    if not plain.issuperset(values):
        return False
    del values["__no_default__"]
    instance.__data__ = values
    instance._dirty = set(values)
    instance.__rel__ = {}
    return True


#: The fields whose ``db_value`` and ``python_value`` give back a value of this type as it
#: is: converting an id or a text read from (or written to) the database changes nothing.
_AS_IS = {AutoField: int, IntegerField: int, BigIntegerField: int, CharField: str, TextField: str}


def stored_as_is(field) -> type | None:
    """The type of value ``field`` converts to itself both ways, or None. A foreign key
    converts as the key it refers to."""
    if isinstance(field, ForeignKeyField):
        field = field.rel_field
    return _AS_IS.get(type(field))


def _stores_only(accessor, name: str) -> bool:
    """Whether setting ``name`` through ``accessor`` only stores the value in ``__data__``
    under that name (a field's own descriptor, not an alias's or a foreign key's id's)."""
    return type(accessor) in _PLAIN_ACCESSORS and accessor.name == name


def _descriptor(cls, name: str):
    for klass in cls.__mro__:
        if name in klass.__dict__:
            return klass.__dict__[name]
    return None
