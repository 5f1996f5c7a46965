-- The district a commune of today's map was formed from, most of it (the units file's
-- `former_district`, e.g. 'Đông Hưng'): the 2025 map has no districts, but people still
-- place a commune by its former one, so lists of communes show it ("xã Đông Hưng (trước
-- thuộc Đông Hưng)"). NULL on maps with districts and for units the file says nothing of.
-- Additive: loading the units file again fills it in for communes loaded before it existed.
ALTER TABLE unit ADD COLUMN former_district TEXT
    CHECK (former_district IS NULL OR length(former_district) BETWEEN 1 AND 120);
