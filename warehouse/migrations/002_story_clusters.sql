-- Syndication: articles telling the same story (a wire story reprinted by several outlets, near-duplicate
-- texts found with MinHash LSH) share one story_cluster_id. Filled by the loader's deduplication step.
ALTER TABLE articles ADD COLUMN story_cluster_id VARCHAR;
COMMENT ON COLUMN articles.story_cluster_id IS 'id of the story this article belongs to (articles.id of the cluster''s first article); NULL until deduplication has run. Syndicated copies share it.';
