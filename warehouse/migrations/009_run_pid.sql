-- A run killed (kill -9, a reboot, an OOM kill) never completes its row: it would show `running` for ever. Each run
-- now records the process that runs it (`pid`), and a `running` run whose process is gone, or whose home's run
-- lock nobody holds, is shown and recorded as `interrupted`. DuckDB cannot alter a CHECK constraint, so the table is
-- rebuilt with the new status allowed; its ids, and the sequence that gives them, are kept.
CREATE TABLE runs_new (
    id BIGINT PRIMARY KEY DEFAULT nextval('runs_id_seq'),
    flow VARCHAR NOT NULL,
    started_at TIMESTAMPTZ NOT NULL,
    ended_at TIMESTAMPTZ,
    status VARCHAR NOT NULL CHECK (status IN ('running', 'ok', 'failed', 'interrupted')),
    counts JSON,
    errors JSON,
    message VARCHAR,
    pid INTEGER
);
INSERT INTO runs_new (id, flow, started_at, ended_at, status, counts, errors, message)
    SELECT id, flow, started_at, ended_at, status, counts, errors, message FROM runs;
DROP TABLE runs;
ALTER TABLE runs_new RENAME TO runs;
COMMENT ON TABLE runs IS 'Runs of the pipeline: started, ended, counts per stage and errors per source.';
COMMENT ON COLUMN runs.status IS 'running until the run ends; ok when it finished (sources may have failed: see errors); failed when the run itself stopped; interrupted when its process died before it could say (killed, machine restarted)';
COMMENT ON COLUMN runs.counts IS 'counts per stage, e.g. {"poll": {"feeds_ok": 4, ...}, "load": {"articles_new": 12, ...}}';
COMMENT ON COLUMN runs.errors IS 'errors per source: [{"source", "stage", "message"}]';
COMMENT ON COLUMN runs.message IS 'why a failed run stopped, or how an interrupted one was found out';
COMMENT ON COLUMN runs.pid IS 'the process id of the run (on the machine that ran it), NULL for runs recorded before this migration';
