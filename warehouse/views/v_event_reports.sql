-- Every report of an agreement or censorship act, one row per article that reported it (syndicated copies left
-- out), with the act's group (warehouse.event_groups: the same act reported by several outlets or languages)
-- and what the group's reports say together. v_agreements and v_censorship_events show one row per group.
-- Example: the acts reported by more than one outlet:
--   SELECT group_id, type, parties, reports, sources FROM v_event_reports WHERE report = 1 AND reports > 1;
CREATE OR REPLACE VIEW v_event_reports AS
WITH reported AS (
    SELECT
        e.*,
        coalesce(g.group_id, e.id) AS group_id,
        a.published_date,
        a.title,
        a.canonical_url AS url,
        a.source,
        a.language,
        row_number() OVER (
            PARTITION BY coalesce(g.group_id, e.id) ORDER BY a.published_date NULLS LAST, a.id, e.id
        ) AS report
    FROM events AS e
    JOIN articles AS a ON a.id = e.article_id
    LEFT JOIN event_groups AS g ON g.event_id = e.id
    WHERE a.duplicate_of IS NULL
),
party_rows AS (
    SELECT
        r.group_id,
        r.report,
        p.position,
        p.kind,
        p.code,
        coalesce(p.canonical, p.name) AS label,
        row_number() OVER (
            PARTITION BY r.group_id, coalesce(p.code, lower(coalesce(p.canonical, p.name)))
            ORDER BY r.report, p.position
        ) AS copy
    FROM reported AS r
    JOIN event_parties AS p ON p.event_id = r.id
),
parties AS (
    SELECT
        group_id,
        string_agg(label, '; ' ORDER BY report, position) AS parties,
        list(code ORDER BY report, position) FILTER (WHERE code IS NOT NULL) AS party_codes,
        list(code ORDER BY report, position) FILTER (WHERE code IS NOT NULL AND kind = 'country') AS party_countries,
        list(code ORDER BY report, position) FILTER (WHERE code IS NOT NULL AND kind = 'organization')
            AS party_organizations
    FROM party_rows
    WHERE copy = 1
    GROUP BY group_id
),
outlets AS (
    SELECT group_id, source, min(report) AS first_report FROM reported GROUP BY group_id, source
),
reports AS (
    SELECT
        group_id,
        count(DISTINCT article_id) AS reports,
        list(article_id ORDER BY report) AS article_ids,
        list(url ORDER BY report) AS urls,
        list(title ORDER BY report) AS titles,
        list(DISTINCT language ORDER BY language) FILTER (WHERE language IS NOT NULL) AS languages,
        -- the most precise date any report gives, and the first subject
        arg_max(date, length(date)) AS group_date,
        first(subject ORDER BY report) FILTER (WHERE subject IS NOT NULL) AS group_subject
    FROM reported
    GROUP BY group_id
)
SELECT
    r.id AS event_id,
    r.group_id,
    r.report,
    r.type,
    coalesce(r.date, s.group_date) AS date,
    r.published_date,
    p.parties,
    coalesce(p.party_codes, []::VARCHAR[]) AS party_codes,
    coalesce(p.party_countries, []::VARCHAR[]) AS party_countries,
    coalesce(p.party_organizations, []::VARCHAR[]) AS party_organizations,
    r.subtype,
    r.status,
    coalesce(r.subject, s.group_subject) AS subject,
    r.sentence,
    r.confidence,
    r.article_id,
    r.title,
    r.url,
    r.source,
    s.reports,
    s.article_ids,
    s.urls,
    s.titles,
    (SELECT list(o.source ORDER BY o.first_report) FROM outlets AS o WHERE o.group_id = r.group_id) AS sources,
    coalesce(s.languages, []::VARCHAR[]) AS languages
FROM reported AS r
JOIN reports AS s ON s.group_id = r.group_id
LEFT JOIN parties AS p ON p.group_id = r.group_id;
