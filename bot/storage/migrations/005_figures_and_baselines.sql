-- What the statistics are measured against, and what existed before the bot.
--
-- unit_figure: the denominators a unit reports its percentages against, per year, set by a
-- chair or imported. Names live in bot/services/figures.py:
--   population, citizens (counted for Công dân học tập), households, clans, villages (thôn and
--   tổ dân phố), agencies (cơ quan, đơn vị), committees (ban khuyến học, shown when known);
--   target:<title kind> and target:members_share: a planned rate in PER MILLE (268 = 26.8 %),
--   so every value is an exact integer and one decimal of a percent survives.
-- A missing row means "not known"; 0 is a known zero.
CREATE TABLE unit_figure (
    unit_id INTEGER NOT NULL REFERENCES unit(id),
    year    INTEGER NOT NULL CHECK (year BETWEEN 1945 AND 9999),
    figure  TEXT NOT NULL CHECK (figure IN ('population', 'citizens', 'households', 'clans',
                'villages', 'agencies', 'committees', 'target:citizen', 'target:family',
                'target:clan', 'target:village_community', 'target:learning_unit',
                'target:commune_community', 'target:members_share')),
    value   INTEGER NOT NULL CHECK (value >= 0),
    -- Telegram id of the chair or operator; NULL when loaded by the bot itself.
    set_by  INTEGER,
    set_at  TEXT NOT NULL,
    PRIMARY KEY (unit_id, year, figure),
    CHECK (figure NOT LIKE 'target:%' OR value <= 1000)
) WITHOUT ROWID;

-- baseline: totals that existed before the bot, imported per unit and year. Each row is also
-- rolled up into stat_counter as 'baseline:<indicator>' for the unit and every ancestor, in
-- the import's transaction (bot/services/counters.py), so statistics stay primary-key reads.
--   members_total               members at the end of the year
--   title:<kind>:recognised     titles recognised for that year
--   fund_raised, fund_awarded   đồng raised and awarded in that year
CREATE TABLE baseline (
    unit_id     INTEGER NOT NULL REFERENCES unit(id),
    year        INTEGER NOT NULL CHECK (year BETWEEN 1945 AND 9999),
    indicator   TEXT NOT NULL CHECK (indicator IN ('members_total', 'title:citizen:recognised',
                    'title:family:recognised', 'title:clan:recognised',
                    'title:village_community:recognised', 'title:learning_unit:recognised',
                    'title:commune_community:recognised', 'fund_raised', 'fund_awarded')),
    value       INTEGER NOT NULL CHECK (value BETWEEN 0 AND 10000000000000),
    imported_at TEXT NOT NULL,
    PRIMARY KEY (unit_id, year, indicator)
) WITHOUT ROWID;
