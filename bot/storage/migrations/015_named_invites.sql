-- A personal invite (issue 10, item 1: rollout from one spreadsheet) carries the name the
-- province office wrote for the person, so the registration can offer it and a rerun of the
-- same sheet knows whom it has invited already. NULL: an invite made with /invite, for
-- whoever gets the link. The phone number of the sheet is not stored: it is in the sheet.
ALTER TABLE invite ADD COLUMN full_name TEXT
    CHECK (full_name IS NULL OR length(full_name) BETWEEN 2 AND 100);
-- A rerun looks up the invites of the units in the sheet.
CREATE INDEX invite_unit_role ON invite(unit_id, role);
