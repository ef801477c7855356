"""Names in German and English for products, components and teams, and who looks after a
customer (issue 13).

The single ``name`` column becomes ``name_de`` and is copied to the new ``name_en``: a name
given once reads the same in both languages until an admin gives the other. Columns renamed
and added with one ALTER each, so SQLite never rebuilds a table.
"""


def upgrade(db, migrator):
    for table in ("product", "component", "team"):
        db.execute_sql(f'ALTER TABLE "{table}" RENAME COLUMN name TO name_de')
        db.execute_sql(
            f"ALTER TABLE \"{table}\" ADD COLUMN name_en VARCHAR(200) NOT NULL DEFAULT ''"
        )
        db.execute_sql(f'UPDATE "{table}" SET name_en = name_de')
    db.execute_sql(
        'ALTER TABLE "organisation" ADD COLUMN account_team_id INTEGER NULL '
        'REFERENCES "team" (id) ON DELETE SET NULL'
    )
    db.execute_sql(
        'ALTER TABLE "organisation" ADD COLUMN account_manager_id INTEGER NULL '
        'REFERENCES "user" (id) ON DELETE SET NULL'
    )
