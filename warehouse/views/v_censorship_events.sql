-- Censorship acts (blocking, throttling, shutdowns, VPN bans, laws, arrests, fines) with the article that
-- reported them; syndicated copies are left out. `parties` are the actors (the body or state that restricts);
-- the target (site, app, person) is not a party: it is in `subject`.
-- Example: what Kazakhstan blocked this year:
--   SELECT published_date, subtype, subject, parties, url FROM v_censorship_events
--   WHERE list_contains(actor_countries, 'KZ') AND published_date >= DATE '2026-01-01' ORDER BY published_date;
CREATE OR REPLACE VIEW v_censorship_events AS
WITH parties AS (
    SELECT
        event_id,
        string_agg(coalesce(canonical, name), '; ' ORDER BY position) AS parties,
        list(code ORDER BY position) FILTER (WHERE code IS NOT NULL) AS party_codes,
        list(code ORDER BY position) FILTER (WHERE code IS NOT NULL AND kind = 'country') AS actor_countries,
        list(code ORDER BY position) FILTER (WHERE code IS NOT NULL AND kind = 'organization') AS actor_organizations
    FROM event_parties
    GROUP BY event_id
)
SELECT
    e.id AS event_id,
    e.date,
    a.published_date,
    p.parties,
    coalesce(p.party_codes, []::VARCHAR[]) AS party_codes,
    coalesce(p.actor_countries, []::VARCHAR[]) AS actor_countries,
    coalesce(p.actor_organizations, []::VARCHAR[]) AS actor_organizations,
    e.subtype,
    e.status,
    e.subject,
    e.sentence,
    e.confidence,
    a.id AS article_id,
    a.title,
    a.canonical_url AS url,
    a.source
FROM events AS e
JOIN articles AS a ON a.id = e.article_id
LEFT JOIN parties AS p ON p.event_id = e.id
WHERE e.type = 'censorship' AND a.duplicate_of IS NULL;
