-- One agreement or censorship act reported by several articles (outlets, languages) is one group, computed by
-- warehouse.event_groups after each enrichment. An event without a row here is a group of its own.
CREATE TABLE event_groups (
    event_id VARCHAR PRIMARY KEY,
    group_id VARCHAR NOT NULL
);
COMMENT ON TABLE event_groups IS 'Which events report the same act: group_id is the id of the group''s first report (event_id → events.id).';
COMMENT ON COLUMN event_groups.group_id IS 'events.id of the earliest published article''s event of the group';
