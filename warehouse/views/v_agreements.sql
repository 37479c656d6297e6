-- Agreements with their parties and the article that reported them; syndicated copies are left out.
-- Example: every agreement Huawei signed, newest first:
--   SELECT date, published_date, parties, subtype, status, subject, url
--   FROM v_agreements WHERE list_contains(party_codes, 'huawei') ORDER BY published_date DESC;
CREATE OR REPLACE VIEW v_agreements AS
WITH parties AS (
    SELECT
        event_id,
        string_agg(coalesce(canonical, name), '; ' ORDER BY position) AS parties,
        list(code ORDER BY position) FILTER (WHERE code IS NOT NULL) AS party_codes
    FROM event_parties
    GROUP BY event_id
)
SELECT
    e.id AS event_id,
    e.date,
    a.published_date,
    p.parties,
    coalesce(p.party_codes, []::VARCHAR[]) AS party_codes,
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
WHERE e.type = 'agreement' AND a.duplicate_of IS NULL;
