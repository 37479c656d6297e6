-- Adaptive polling: each feed has its own interval and next poll time, a count of polls that brought nothing
-- new (to distrust validators that never change), and a health flag for feeds failing poll after poll.
ALTER TABLE feed_state ADD COLUMN interval_seconds INTEGER;
ALTER TABLE feed_state ADD COLUMN next_poll_at TIMESTAMPTZ;
ALTER TABLE feed_state ADD COLUMN declared_interval_seconds INTEGER;
ALTER TABLE feed_state ADD COLUMN unchanged_polls INTEGER DEFAULT 0;
ALTER TABLE feed_state ADD COLUMN validators_since TIMESTAMPTZ;
ALTER TABLE feed_state ADD COLUMN unhealthy BOOLEAN DEFAULT false;
COMMENT ON COLUMN feed_state.interval_seconds IS 'current polling interval (10 minutes … 24 hours): shorter when most items are new, longer when most repeat, doubled on each failure';
COMMENT ON COLUMN feed_state.next_poll_at IS 'when the feed is next due; `stanwire poll` skips feeds not due (`--all` polls them anyway)';
COMMENT ON COLUMN feed_state.declared_interval_seconds IS 'what the feed asks for (<ttl>, sy:updatePeriod/updateFrequency); never polled more often';
COMMENT ON COLUMN feed_state.unchanged_polls IS 'polls in a row with nothing new (304 or only known items); after a limit the next poll is unconditional';
COMMENT ON COLUMN feed_state.validators_since IS 'since when the stored ETag/Last-Modified have not changed';
COMMENT ON COLUMN feed_state.unhealthy IS 'true after `unhealthy_after` failures in a row; still polled at the backoff interval, shown in status';
ALTER TABLE feed_polls ADD COLUMN conditional BOOLEAN DEFAULT true;
COMMENT ON COLUMN feed_polls.conditional IS 'false when the poll sent no validators (first poll, or validators distrusted as stale)';
