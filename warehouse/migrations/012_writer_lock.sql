-- One row that every write transaction on a DuckLake warehouse updates first (warehouse.db.begin_write).
-- DuckLake lets concurrent inserts into one table both commit, so two machines loading the same article could
-- both add it; two transactions updating the same row conflict instead, and the one that commits second is rolled
-- back and tried again against what the first wrote. Writers are serialised at commit, readers never wait.
-- A local warehouse has one writing process anyway (DuckDB's file lock) and leaves the row alone.
CREATE TABLE writer_lock (
    id INTEGER PRIMARY KEY,
    holder VARCHAR,
    taken_at TIMESTAMPTZ
);
INSERT INTO writer_lock (id, holder, taken_at) VALUES (1, NULL, NULL);
COMMENT ON TABLE writer_lock IS 'updated by every write transaction on a DuckLake warehouse: concurrent writers conflict and retry';
COMMENT ON COLUMN writer_lock.holder IS 'host:pid of the last writer that committed';
