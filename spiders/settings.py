"""Scrapy settings of the stanwire crawl: polite by default, tuned per run by the crawl job's `settings`.

`spiders.run` loads this module and then applies the job's values (user agent, robots, concurrency, delay,
timeout) on top, so a schedule can slow a crawl down without editing code.
"""

BOT_NAME = "stanwire"
SPIDER_MODULES = ["spiders.spiders"]
NEWSPIDER_MODULE = "spiders.spiders"

# Say who we are and how to reach us; `settings.user_agent` in the job (with the operator's contact) wins.
USER_AGENT = "stanwire/0.1 (+https://github.com/stanwire/stanwire; news monitoring for research)"
ROBOTSTXT_OBEY = True
DOWNLOADER_MIDDLEWARES = {
    # Replaced by a subclass that fixes concurrent requests slipping past robots.txt (see spiders.middlewares).
    "scrapy.downloadermiddlewares.robotstxt.RobotsTxtMiddleware": None,
    "spiders.middlewares.RobotsTxtMiddleware": 100,
    # Before RedirectMiddleware (600) in response order: an offsite redirect becomes a crawl error record.
    "spiders.middlewares.OffsiteRedirectMiddleware": 650,
    # Before HttpProxyMiddleware (750): every request, robots.txt included, goes through STANWIRE_PROXY if set.
    "spiders.middlewares.ProxyMiddleware": 740,
    # Sees a response before RetryMiddleware (550) does: a 429/503 with Retry-After slows the site's slot first.
    "spiders.middlewares.RetryAfterMiddleware": 560,
}

# Politeness: few parallel requests per site, a pause between them, and AutoThrottle backing off when a site
# answers slowly. Tests set the delay to 0 and AutoThrottle off through the job.
CONCURRENT_REQUESTS = 16
CONCURRENT_REQUESTS_PER_DOMAIN = 2
# Scrapy's own downloader lets every queued request of a site through at once when there is no delay (see
# spiders.downloader); this one keeps CONCURRENT_REQUESTS_PER_DOMAIN whatever the delay and AutoThrottle.
DOWNLOADER = "spiders.downloader.Downloader"
DOWNLOAD_DELAY = 1.0
DOWNLOAD_DELAY_JITTER = 0.5  # each pause is 0.5–1.5 × DOWNLOAD_DELAY, so requests do not beat like a clock
AUTOTHROTTLE_ENABLED = True
AUTOTHROTTLE_START_DELAY = 1.0
AUTOTHROTTLE_MAX_DELAY = 30.0
AUTOTHROTTLE_TARGET_CONCURRENCY = 1.0

DOWNLOAD_TIMEOUT = 30
DOWNLOAD_MAXSIZE = 10 * 1024 * 1024  # a news page is < 1 MB; beyond 10 MB it is a file, not an article
DOWNLOAD_WARNSIZE = 2 * 1024 * 1024

# Transient failures only: timeouts and connection failures (RetryMiddleware's exceptions), 408, 429 and 5xx
# are retried; a 404 or 403 will answer the same next time.
RETRY_ENABLED = True
RETRY_TIMES = 2
RETRY_HTTP_CODES = [429, 500, 502, 503, 504, 522, 524, 408]
REDIRECT_MAX_TIMES = 5
RETRY_AFTER_MAX = 120.0  # a Retry-After longer than this is capped: the crawl retries after 2 minutes at most

COOKIES_ENABLED = False
TELNETCONSOLE_ENABLED = False
# Scrapy 2.19 opens an HTTP server that runs Python code sent to it; an unattended crawler has no use for one.
REMOTE_CONTROL_ENABLED = False
HTTPCACHE_ENABLED = False  # every crawl sees the site as it is now; the landing files are the record
LOG_LEVEL = "INFO"

ITEM_PIPELINES = {"spiders.pipelines.LandingPipeline": 300}

# Set by spiders.run from the job file.
STANWIRE_LANDING_DIR = None
