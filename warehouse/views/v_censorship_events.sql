-- Censorship acts (blocking, throttling, shutdowns, VPN bans, laws, arrests, fines), one row per act however
-- many articles reported it (syndicated copies left out). `parties` are the actors (the body or state that
-- restricts); the target (site, app, person) is not a party: it is in `subject`. The first report's article,
-- date and wording; every report in `article_ids` / `urls` / `sources`. Built on v_event_reports.
-- Example: what Kazakhstan blocked this year:
--   SELECT published_date, subtype, subject, parties, url FROM v_censorship_events
--   WHERE list_contains(actor_countries, 'KZ') AND published_date >= DATE '2026-01-01' ORDER BY published_date;
CREATE OR REPLACE VIEW v_censorship_events AS
SELECT
    event_id,
    group_id,
    date,
    published_date,
    parties,
    party_codes,
    party_countries AS actor_countries,
    party_organizations AS actor_organizations,
    subtype,
    status,
    subject,
    sentence,
    confidence,
    article_id,
    title,
    url,
    source,
    reports,
    article_ids,
    urls,
    sources,
    languages
FROM v_event_reports
WHERE type = 'censorship' AND report = 1;
