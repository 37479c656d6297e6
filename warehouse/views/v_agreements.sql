-- Agreements, one row per agreement however many articles reported it (outlets, languages; syndicated copies
-- left out): the first report's article, date and wording, the parties all reports name, and every report in
-- `article_ids` / `urls` / `sources` (`reports` counts them). Built on v_event_reports.
-- Example: every agreement Huawei signed, newest first:
--   SELECT date, published_date, parties, subtype, status, subject, reports, url
--   FROM v_agreements WHERE list_contains(party_codes, 'huawei') ORDER BY published_date DESC;
CREATE OR REPLACE VIEW v_agreements AS
SELECT
    event_id,
    group_id,
    date,
    published_date,
    parties,
    party_codes,
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
WHERE type = 'agreement' AND report = 1;
