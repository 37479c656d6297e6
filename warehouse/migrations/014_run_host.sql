-- Which machine and home a run ran in: on a warehouse several machines share, only the machine that ran a run can
-- tell whether its process is gone (its PID means nothing elsewhere).
ALTER TABLE runs ADD COLUMN host VARCHAR;
ALTER TABLE runs ADD COLUMN home VARCHAR;
COMMENT ON COLUMN runs.host IS 'the name of the machine the run ran on (socket.gethostname()); NULL for runs recorded before this migration';
COMMENT ON COLUMN runs.home IS 'the stanwire home (folder) the run ran in, on that machine; NULL for runs recorded before this migration';
