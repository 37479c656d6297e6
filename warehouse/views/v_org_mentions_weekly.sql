-- Organizations named per ISO week (by publication date; copies left out), for trends without joins.
-- Example: the ten organizations most written about in week 2026-W47:
--   SELECT name, kind, articles, outlets FROM v_org_mentions_weekly WHERE week = '2026-W47'
--   ORDER BY articles DESC, mentions DESC LIMIT 10;
CREATE OR REPLACE VIEW v_org_mentions_weekly AS
WITH dated AS (
    SELECT id, source, coalesce(published_date, CAST(first_seen_at AS DATE)) AS day
    FROM articles
    WHERE duplicate_of IS NULL
)
SELECT
    strftime(date_trunc('week', d.day), '%G-W%V') AS week,
    CAST(date_trunc('week', d.day) AS DATE) AS week_start,
    o.id AS org_id,
    o.name,
    o.kind,
    o.country,
    count(DISTINCT d.id) AS articles,
    sum(ao.mentions) AS mentions,
    count(DISTINCT d.source) AS outlets
FROM article_organizations AS ao
JOIN dated AS d ON d.id = ao.article_id
JOIN organizations AS o ON o.id = ao.org_id
GROUP BY ALL;
