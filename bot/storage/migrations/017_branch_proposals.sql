-- A branch that is not in the list (issue 10, item 2): a newcomer whose branch is missing
-- names it and its kind, and the request goes to the chairs with that proposal. Nothing is
-- created until a chair approves: while it waits, such a request's `unit_id` is the commune
-- and the proposal is the two columns below. Approving creates the branch (or takes an
-- existing one the chair chose) and the request then names that branch; the proposal stays
-- as the newcomer wrote it. NULL: an ordinary request for a branch of the list.
ALTER TABLE registration_request ADD COLUMN proposed_branch_name TEXT
    CHECK (proposed_branch_name IS NULL OR length(proposed_branch_name) BETWEEN 2 AND 120);
ALTER TABLE registration_request ADD COLUMN proposed_branch_kind TEXT
    CHECK (proposed_branch_kind IS NULL
           OR proposed_branch_kind IN ('village', 'residential_group', 'school', 'clan', 'agency'));
-- 1 when approving the request created its branch (from the proposal): undoing the decision
-- within its few minutes removes that branch again if nothing else uses it yet.
ALTER TABLE registration_request ADD COLUMN branch_created INTEGER NOT NULL DEFAULT 0
    CHECK (branch_created IN (0, 1));
