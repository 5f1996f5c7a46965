-- What the statistics derive from rarely changing tables is kept in memory between answers
-- (bot/services/derived.py): the maps (regrouping), the structure under a scope, its figures.
-- It stays valid while this table's two values are unchanged: every write to the tables a
-- value depends on gives its value a new random number, in the writer's own transaction, so
-- a rolled back write changes nothing, another process's write (the CLI migrating the map
-- while the bot runs) is seen at the next answer, and a restored backup brings back a value
-- that only ever stood for what it restores. Reports (members, titles, money) write none of
-- these tables: a campaign week's stream of them leaves the cache as it is.
CREATE TABLE data_revision (
    name TEXT PRIMARY KEY CHECK (name IN ('maps', 'figures')),
    value INTEGER NOT NULL
) WITHOUT ROWID;
INSERT INTO data_revision (name, value) VALUES ('maps', random()), ('figures', random());

CREATE TRIGGER unit_insert_revision AFTER INSERT ON unit BEGIN
    UPDATE data_revision SET value = random() WHERE name = 'maps';
END;

CREATE TRIGGER unit_update_revision AFTER UPDATE ON unit BEGIN
    UPDATE data_revision SET value = random() WHERE name = 'maps';
END;

CREATE TRIGGER unit_delete_revision AFTER DELETE ON unit BEGIN
    UPDATE data_revision SET value = random() WHERE name = 'maps';
END;

CREATE TRIGGER unit_successor_insert_revision AFTER INSERT ON unit_successor BEGIN
    UPDATE data_revision SET value = random() WHERE name = 'maps';
END;

CREATE TRIGGER unit_successor_update_revision AFTER UPDATE ON unit_successor BEGIN
    UPDATE data_revision SET value = random() WHERE name = 'maps';
END;

CREATE TRIGGER unit_successor_delete_revision AFTER DELETE ON unit_successor BEGIN
    UPDATE data_revision SET value = random() WHERE name = 'maps';
END;

CREATE TRIGGER unit_move_insert_revision AFTER INSERT ON unit_move BEGIN
    UPDATE data_revision SET value = random() WHERE name = 'maps';
END;

CREATE TRIGGER unit_move_update_revision AFTER UPDATE ON unit_move BEGIN
    UPDATE data_revision SET value = random() WHERE name = 'maps';
END;

CREATE TRIGGER unit_move_delete_revision AFTER DELETE ON unit_move BEGIN
    UPDATE data_revision SET value = random() WHERE name = 'maps';
END;

CREATE TRIGGER map_change_insert_revision AFTER INSERT ON map_change BEGIN
    UPDATE data_revision SET value = random() WHERE name = 'maps';
END;

CREATE TRIGGER map_change_update_revision AFTER UPDATE ON map_change BEGIN
    UPDATE data_revision SET value = random() WHERE name = 'maps';
END;

CREATE TRIGGER map_change_delete_revision AFTER DELETE ON map_change BEGIN
    UPDATE data_revision SET value = random() WHERE name = 'maps';
END;

CREATE TRIGGER unit_figure_insert_revision AFTER INSERT ON unit_figure BEGIN
    UPDATE data_revision SET value = random() WHERE name = 'figures';
END;

CREATE TRIGGER unit_figure_update_revision AFTER UPDATE ON unit_figure BEGIN
    UPDATE data_revision SET value = random() WHERE name = 'figures';
END;

CREATE TRIGGER unit_figure_delete_revision AFTER DELETE ON unit_figure BEGIN
    UPDATE data_revision SET value = random() WHERE name = 'figures';
END;
