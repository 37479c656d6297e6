-- Stories: an article and its syndicated copies collapsed into one row (exact copies left out), with the outlets
-- that ran it. `story_id` is the story cluster (warehouse.dedup), the article's own id when it has no copies.
-- Example: the stories most outlets carried:
--   SELECT first_published, title, outlets, outlet_count FROM v_stories ORDER BY outlet_count DESC, first_published DESC;
CREATE OR REPLACE VIEW v_stories AS
WITH members AS (
    SELECT
        coalesce(story_cluster_id, id) AS story_id,
        id,
        source,
        title,
        canonical_url,
        language,
        coalesce(published_date, CAST(first_seen_at AS DATE)) AS day,
        coalesce(published_at, first_seen_at) AS moment
    FROM articles
    WHERE duplicate_of IS NULL
)
SELECT
    story_id,
    min(day) AS first_published,
    arg_min(title, moment) AS title,
    arg_min(canonical_url, moment) AS url,
    list(DISTINCT source ORDER BY source) AS outlets,
    count(DISTINCT source) AS outlet_count,
    count(*) AS articles,
    list(canonical_url ORDER BY moment) AS urls,
    list(DISTINCT language) FILTER (WHERE language IS NOT NULL) AS languages
FROM members
GROUP BY story_id;
