-- Moving a live database onto a new map (issue 9): `khuyenhoc units migrate`.

-- The order the conversion table lists an ended unit's successors in. Rank 0 is the one its
-- figures are counted in when they are regrouped on a later map: a merged commune's only
-- successor, or the first listed of a split commune's (docs/map-change.md states the rule).
ALTER TABLE unit_successor ADD COLUMN rank INTEGER NOT NULL DEFAULT 0;

-- A unit given another parent when the map changed: a branch of an ended commune moved to the
-- commune that absorbed it. Counters of a year before the year of `effective` roll up along
-- `from_parent_id` (the map of that year), later years along the unit's parent now.
-- `settled` = 0: the migration placed it provisionally (its commune was split over several
-- new ones), for the province admin to confirm or move from the bot.
CREATE TABLE unit_move (
    unit_id        INTEGER NOT NULL REFERENCES unit(id),
    from_parent_id INTEGER NOT NULL REFERENCES unit(id),
    to_parent_id   INTEGER NOT NULL REFERENCES unit(id),
    effective      TEXT NOT NULL CHECK (date(effective) IS effective),
    settled        INTEGER NOT NULL DEFAULT 1 CHECK (settled IN (0, 1)),
    PRIMARY KEY (unit_id, effective)
) WITHOUT ROWID;
CREATE INDEX unit_move_to ON unit_move(to_parent_id);

-- Each map change carried out: the day it took effect, the files it came from, what it did
-- (JSON). Statistics take the latest `effective` as the day today's map began.
CREATE TABLE map_change (
    id           INTEGER PRIMARY KEY,
    effective    TEXT NOT NULL CHECK (date(effective) IS effective),
    units_file   TEXT NOT NULL,
    mapping_file TEXT NOT NULL,
    applied_at   TEXT NOT NULL,
    summary      TEXT NOT NULL
);
