"""A JSON document encoded before a transaction (kernel.db.engine.EncodedJSON) is stored once, not as a string."""

from __future__ import annotations

from sqlalchemy import JSON
from sqlalchemy import Column
from sqlalchemy import Engine
from sqlalchemy import Integer
from sqlalchemy import MetaData
from sqlalchemy import Table
from sqlalchemy import insert
from sqlalchemy import select

from bastion.kernel.db.engine import EncodedJSON
from bastion.kernel.db.engine import encode_json


def test_encoded_json_is_stored_as_the_document_on_both_backends(engine: Engine) -> None:
    table = Table("encoded_json_probe", MetaData(), Column("id", Integer, primary_key=True), Column("doc", JSON))
    table.create(engine)
    doc = {"name:zh": "摩纳哥", "levels": [1, 2.5, None], "nested": {"ok": True}}
    try:
        with engine.begin() as c:
            c.execute(insert(table), [{"id": 1, "doc": EncodedJSON.of(doc)}, {"id": 2, "doc": doc}])
        with engine.connect() as c:
            got = dict(c.execute(select(table.c.id, table.c.doc)).all())
        assert got == {1: doc, 2: doc}  # the document back, not its JSON text as a string
    finally:
        table.drop(engine)


def test_serializer_encodes_once() -> None:
    assert encode_json(EncodedJSON.of([1, "a"])) == '[1, "a"]'
    assert encode_json('[1, "a"]') == '"[1, \\"a\\"]"'  # an ordinary string is a JSON string
