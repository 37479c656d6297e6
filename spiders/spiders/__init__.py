"""Scrapy spiders of the stanwire crawl (one generic spider driven by the crawl job)."""
