-- Countries referred to per ISO week (by publication date; copies left out).
-- Example: how often Tajikistan came up, week by week:
--   SELECT week, articles, mentions FROM v_country_mentions_weekly WHERE code = 'TJ' ORDER BY week;
CREATE OR REPLACE VIEW v_country_mentions_weekly AS
WITH dated AS (
    SELECT id, source, coalesce(published_date, CAST(first_seen_at AS DATE)) AS day
    FROM articles
    WHERE duplicate_of IS NULL
)
SELECT
    strftime(date_trunc('week', d.day), '%G-W%V') AS week,
    CAST(date_trunc('week', d.day) AS DATE) AS week_start,
    ac.code,
    any_value(ac.name) AS name,
    count(DISTINCT d.id) AS articles,
    sum(ac.mentions) AS mentions,
    count(DISTINCT d.source) AS outlets
FROM article_countries AS ac
JOIN dated AS d ON d.id = ac.article_id
GROUP BY ALL;
