-- stanwire warehouse, schema version 1.
-- Every table and the less obvious columns carry a COMMENT, readable in the duckdb CLI with
--   SELECT table_name, column_name, data_type, comment FROM duckdb_columns() WHERE schema_name = 'main';
-- No foreign keys: DuckDB refuses updates of rows that other rows reference, and the loader updates articles
-- in place. The relations are written in the comments instead (article_id → articles.id, ...).

CREATE SEQUENCE crawl_errors_id_seq START 1;
CREATE SEQUENCE feed_polls_id_seq START 1;

CREATE TABLE articles (
    id VARCHAR PRIMARY KEY,
    url VARCHAR NOT NULL,
    final_url VARCHAR NOT NULL,
    canonical_url VARCHAR NOT NULL,
    source VARCHAR NOT NULL,
    title VARCHAR,
    text VARCHAR NOT NULL,
    language VARCHAR,
    published_at TIMESTAMPTZ,
    published_date DATE,
    authors VARCHAR[] NOT NULL DEFAULT [],
    fetched_at TIMESTAMPTZ NOT NULL,
    content_hash VARCHAR NOT NULL,
    duplicate_of VARCHAR,
    discovered_via VARCHAR NOT NULL CHECK (discovered_via IN ('feed', 'section', 'sitemap', 'url')),
    html_file VARCHAR NOT NULL,
    landing_file VARCHAR NOT NULL,
    nlp_version VARCHAR,
    enriched_at TIMESTAMPTZ,
    first_seen_at TIMESTAMPTZ NOT NULL DEFAULT current_timestamp,
    updated_at TIMESTAMPTZ NOT NULL DEFAULT current_timestamp
);
COMMENT ON TABLE articles IS 'One row per canonical URL. Syndicated copies (same text at another URL) have duplicate_of set; the v_ views skip them.';
COMMENT ON COLUMN articles.id IS 'sha1(canonical_url), first 16 hex characters';
COMMENT ON COLUMN articles.url IS 'URL as requested (from a feed, a section page, a sitemap or the user)';
COMMENT ON COLUMN articles.final_url IS 'URL after redirects';
COMMENT ON COLUMN articles.canonical_url IS 'normalized canonical URL: the article identity';
COMMENT ON COLUMN articles.source IS 'source name from sources.yaml';
COMMENT ON COLUMN articles.text IS 'extracted body text, paragraphs separated by a blank line';
COMMENT ON COLUMN articles.language IS 'ISO 639-1 code (en, ru, kk, ky, tg, uz) or NULL';
COMMENT ON COLUMN articles.published_at IS 'publication instant; NULL when the outlet gave only a date, or a time without a UTC offset';
COMMENT ON COLUMN articles.published_date IS 'publication date on the outlet''s own calendar (as written, not converted to UTC)';
COMMENT ON COLUMN articles.fetched_at IS 'when the stored version was fetched (re-fetching the same text does not change it)';
COMMENT ON COLUMN articles.content_hash IS 'sha256 of the text with runs of whitespace collapsed to one space';
COMMENT ON COLUMN articles.duplicate_of IS 'articles.id of the first article with the same content_hash; NULL for originals';
COMMENT ON COLUMN articles.discovered_via IS 'feed, section, sitemap or url';
COMMENT ON COLUMN articles.html_file IS 'the fetched HTML (gzip), relative to the landing directory';
COMMENT ON COLUMN articles.landing_file IS 'the landing JSON the stored version came from, relative to the landing directory';
COMMENT ON COLUMN articles.nlp_version IS 'NLP rules + gazetteer version of the stored enrichment; NULL = not enriched (yet, or since the text changed)';
COMMENT ON COLUMN articles.first_seen_at IS 'when the warehouse first loaded this article';
COMMENT ON COLUMN articles.updated_at IS 'when the stored text last changed';

CREATE TABLE landing_files (
    path VARCHAR PRIMARY KEY,
    kind VARCHAR NOT NULL CHECK (kind IN ('article', 'error')),
    sha256 VARCHAR NOT NULL,
    status VARCHAR NOT NULL CHECK (status IN ('loaded', 'failed')),
    message VARCHAR,
    loaded_at TIMESTAMPTZ NOT NULL DEFAULT current_timestamp
);
COMMENT ON TABLE landing_files IS 'Every landing JSON the loader has read; a file with the same sha256 is not read again.';
COMMENT ON COLUMN landing_files.path IS 'relative to the landing directory, e.g. articles/2026-11-17/<key>.json';
COMMENT ON COLUMN landing_files.message IS 'why a failed file was refused (what to fix); NULL when loaded';
COMMENT ON COLUMN landing_files.loaded_at IS 'when the loader last read this file';

CREATE TABLE crawl_errors (
    id BIGINT PRIMARY KEY DEFAULT nextval('crawl_errors_id_seq'),
    source VARCHAR NOT NULL,
    url VARCHAR NOT NULL,
    stage VARCHAR NOT NULL CHECK (stage IN ('fetch', 'extract', 'robots', 'offsite')),
    http_status INTEGER,
    message VARCHAR NOT NULL,
    failed_at TIMESTAMPTZ NOT NULL,
    landing_file VARCHAR NOT NULL
);
COMMENT ON TABLE crawl_errors IS 'Pages the crawl could not turn into an article, one row per crawl error record.';
COMMENT ON COLUMN crawl_errors.stage IS 'fetch, extract, robots (disallowed) or offsite (redirected off the source)';
COMMENT ON COLUMN crawl_errors.failed_at IS 'when the crawl gave up on the page (the record''s "at")';

CREATE TABLE feed_state (
    feed_url VARCHAR PRIMARY KEY,
    source VARCHAR NOT NULL,
    etag VARCHAR,
    last_modified VARCHAR,
    last_polled_at TIMESTAMPTZ,
    last_ok_at TIMESTAMPTZ,
    consecutive_failures INTEGER NOT NULL DEFAULT 0,
    last_error VARCHAR
);
COMMENT ON TABLE feed_state IS 'One row per feed: what the next conditional GET sends, and whether the feed is failing.';
COMMENT ON COLUMN feed_state.etag IS 'ETag of the last successful poll, sent as If-None-Match';
COMMENT ON COLUMN feed_state.last_modified IS 'Last-Modified of the last successful poll, sent as If-Modified-Since';
COMMENT ON COLUMN feed_state.consecutive_failures IS 'failed polls in a row; 0 after a successful one';
COMMENT ON COLUMN feed_state.last_error IS 'error of the latest poll when it failed; NULL once a poll succeeds';

CREATE TABLE feed_polls (
    id BIGINT PRIMARY KEY DEFAULT nextval('feed_polls_id_seq'),
    source VARCHAR NOT NULL,
    feed_url VARCHAR NOT NULL,
    polled_at TIMESTAMPTZ NOT NULL,
    http_status INTEGER,
    bytes BIGINT NOT NULL DEFAULT 0,
    entries INTEGER NOT NULL DEFAULT 0,
    new_entries INTEGER NOT NULL DEFAULT 0,
    not_modified BOOLEAN NOT NULL DEFAULT false,
    error VARCHAR
);
COMMENT ON TABLE feed_polls IS 'Every poll of every feed; error IS NULL for a usable feed (including 304 Not Modified).';
COMMENT ON COLUMN feed_polls.entries IS 'entries in the feed document';
COMMENT ON COLUMN feed_polls.new_entries IS 'article URLs this poll added to crawl_queue';

CREATE TABLE crawl_queue (
    url VARCHAR PRIMARY KEY,
    source VARCHAR NOT NULL,
    discovered_at TIMESTAMPTZ NOT NULL,
    via VARCHAR NOT NULL DEFAULT 'feed',
    feed_url VARCHAR,
    title VARCHAR,
    published_at TIMESTAMPTZ,
    status VARCHAR NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'done', 'failed')),
    attempts INTEGER NOT NULL DEFAULT 0,
    last_error VARCHAR,
    updated_at TIMESTAMPTZ NOT NULL DEFAULT current_timestamp
);
COMMENT ON TABLE crawl_queue IS 'Article URLs to fetch. done = loaded as an article; failed = a crawl error was loaded (retried until attempts reaches the limit).';
COMMENT ON COLUMN crawl_queue.via IS 'how the URL was found (feed)';
COMMENT ON COLUMN crawl_queue.title IS 'title as the feed gave it';
COMMENT ON COLUMN crawl_queue.published_at IS 'date as the feed gave it (a date alone becomes midnight UTC); NULL when absent or unreadable';
COMMENT ON COLUMN crawl_queue.attempts IS 'crawl errors loaded for this URL';

CREATE TABLE organizations (
    id VARCHAR PRIMARY KEY,
    name VARCHAR NOT NULL,
    kind VARCHAR,
    country VARCHAR,
    in_gazetteer BOOLEAN NOT NULL,
    first_seen_at TIMESTAMPTZ NOT NULL DEFAULT current_timestamp
);
COMMENT ON TABLE organizations IS 'Organizations named in articles: gazetteer entries, and others under id unk:<normalised name>.';
COMMENT ON COLUMN organizations.id IS 'gazetteer id (huawei), or unk:<lower-cased name> for an organization not in the gazetteer';
COMMENT ON COLUMN organizations.name IS 'canonical English name from the gazetteer, or the cleaned name as first seen';
COMMENT ON COLUMN organizations.country IS 'ISO 3166-1 alpha-2 code of the home country, from the gazetteer';

CREATE TABLE article_organizations (
    article_id VARCHAR NOT NULL,
    org_id VARCHAR NOT NULL,
    name VARCHAR NOT NULL,
    mentions INTEGER NOT NULL,
    PRIMARY KEY (article_id, org_id)
);
COMMENT ON TABLE article_organizations IS 'Which organizations an article names (article_id → articles.id, org_id → organizations.id).';
COMMENT ON COLUMN article_organizations.name IS 'the name as written in the article';
COMMENT ON COLUMN article_organizations.mentions IS 'times the article names it';

CREATE TABLE article_countries (
    article_id VARCHAR NOT NULL,
    code VARCHAR NOT NULL,
    name VARCHAR NOT NULL,
    mentions INTEGER NOT NULL,
    PRIMARY KEY (article_id, code)
);
COMMENT ON TABLE article_countries IS 'Countries an article refers to by name, demonym or capital (article_id → articles.id).';
COMMENT ON COLUMN article_countries.code IS 'ISO 3166-1 alpha-2 code';

CREATE TABLE events (
    id VARCHAR PRIMARY KEY,
    article_id VARCHAR NOT NULL,
    type VARCHAR NOT NULL CHECK (type IN ('agreement', 'censorship')),
    subtype VARCHAR,
    status VARCHAR,
    date VARCHAR,
    date_text VARCHAR,
    subject VARCHAR,
    sentence VARCHAR NOT NULL,
    confidence DOUBLE
);
COMMENT ON TABLE events IS 'Agreements and censorship acts an article reports; parties in event_parties. Use v_agreements / v_censorship_events.';
COMMENT ON COLUMN events.id IS 'sha1 of article_id, type, subtype and sentence, first 16 hex characters';
COMMENT ON COLUMN events.date IS 'ISO date as precise as the text: YYYY, YYYY-MM or YYYY-MM-DD (a string, so sort it as text)';
COMMENT ON COLUMN events.date_text IS 'the words the date was read from';
COMMENT ON COLUMN events.subject IS 'what the agreement is about, or what was restricted';
COMMENT ON COLUMN events.sentence IS 'the sentence the event was read from';

CREATE TABLE event_parties (
    event_id VARCHAR NOT NULL,
    position INTEGER NOT NULL,
    kind VARCHAR NOT NULL CHECK (kind IN ('organization', 'country')),
    code VARCHAR,
    name VARCHAR NOT NULL,
    canonical VARCHAR,
    PRIMARY KEY (event_id, position)
);
COMMENT ON TABLE event_parties IS 'Signatories of an agreement, or the acting body/state of a censorship act (event_id → events.id).';
COMMENT ON COLUMN event_parties.position IS 'order in which the article names the parties, from 0';
COMMENT ON COLUMN event_parties.code IS 'organizations.id for an organization (gazetteer id), ISO alpha-2 code for a country';
COMMENT ON COLUMN event_parties.name IS 'the name as written in the article';
COMMENT ON COLUMN event_parties.canonical IS 'the canonical English name';

CREATE TABLE article_topics (
    article_id VARCHAR NOT NULL,
    topic VARCHAR NOT NULL,
    PRIMARY KEY (article_id, topic)
);
COMMENT ON TABLE article_topics IS 'Topics of an article: telecom, censorship, surveillance, cybersecurity, infrastructure.';
