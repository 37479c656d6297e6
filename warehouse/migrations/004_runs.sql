-- One row per run of the pipeline (a `stanwire run`, a Prefect flow run, `stanwire demo`), written at its start
-- and completed at its end, so `stanwire status` can show what ran, when, and how it went.
CREATE SEQUENCE runs_id_seq START 1;
CREATE TABLE runs (
    id BIGINT PRIMARY KEY DEFAULT nextval('runs_id_seq'),
    flow VARCHAR NOT NULL,
    started_at TIMESTAMPTZ NOT NULL,
    ended_at TIMESTAMPTZ,
    status VARCHAR NOT NULL CHECK (status IN ('running', 'ok', 'failed')),
    counts JSON,
    errors JSON,
    message VARCHAR
);
COMMENT ON TABLE runs IS 'Runs of the pipeline: started, ended, counts per stage and errors per source.';
COMMENT ON COLUMN runs.status IS 'running until the run ends; ok when it finished (sources may have failed: see errors); failed when the run itself stopped';
COMMENT ON COLUMN runs.counts IS 'counts per stage, e.g. {"poll": {"feeds_ok": 4, ...}, "load": {"articles_new": 12, ...}}';
COMMENT ON COLUMN runs.errors IS 'errors per source: [{"source", "stage", "message"}]';
COMMENT ON COLUMN runs.message IS 'why a failed run stopped';
