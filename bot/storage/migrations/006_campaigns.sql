-- Campaigns (Tháng Khuyến học, Xuân Khuyến học, and any the province adds), the reports made
-- during them, and who wants automatic reminders.

CREATE TABLE campaign (
    id          INTEGER PRIMARY KEY,
    -- 'thang_khuyen_hoc' and 'xuan_khuyen_hoc' for the yearly defaults, 'custom' otherwise.
    key         TEXT NOT NULL,
    year        INTEGER NOT NULL,
    name        TEXT NOT NULL CHECK (length(name) BETWEEN 2 AND 100),
    start_on    TEXT NOT NULL,
    end_on      TEXT NOT NULL CHECK (end_on >= start_on),
    created_by  INTEGER,
    created_at  TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now'))
);
-- The yearly defaults are seeded once per year; custom campaigns may repeat.
CREATE UNIQUE INDEX campaign_default_once ON campaign(key, year) WHERE key != 'custom';
CREATE INDEX campaign_dates ON campaign(start_on, end_on);

ALTER TABLE member ADD COLUMN campaign_id INTEGER REFERENCES campaign(id);
ALTER TABLE nomination ADD COLUMN campaign_id INTEGER REFERENCES campaign(id);
ALTER TABLE contribution ADD COLUMN campaign_id INTEGER REFERENCES campaign(id);
ALTER TABLE award ADD COLUMN campaign_id INTEGER REFERENCES campaign(id);
CREATE INDEX member_campaign ON member(campaign_id) WHERE campaign_id IS NOT NULL;
CREATE INDEX contribution_campaign ON contribution(campaign_id) WHERE campaign_id IS NOT NULL;

-- 0 once the person sends /reminders off; chair broadcasts still reach them.
ALTER TABLE app_user ADD COLUMN reminders INTEGER NOT NULL DEFAULT 1;
