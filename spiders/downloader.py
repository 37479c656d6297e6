"""Scrapy's downloader with its per-site concurrency limit actually enforced (pinned Scrapy 2.19).

`Downloader._process_queue` hands queued requests to the network while `slot.free_transfer_slots() > 0`, but a
request is added to `slot.transferring` only when its download coroutine starts, on a later turn of the event
loop. Without a download delay (the loop does not break after one request), every request queued for a site is
therefore started at once: with `download_delay = 0` and AutoThrottle off, a crawl sent 16 requests in parallel to
one host (all of CONCURRENT_REQUESTS) despite `CONCURRENT_REQUESTS_PER_DOMAIN = 2`. Here a request counts as
transferring from the moment it leaves the queue, so no more than the slot's concurrency are ever in flight.
"""

from __future__ import annotations

from time import monotonic

from scrapy.core.downloader import Downloader as ScrapyDownloader
from scrapy.core.downloader import Slot
from scrapy.utils.asyncio import call_later
from scrapy.utils.defer import _schedule_coro


class Downloader(ScrapyDownloader):
    """Scrapy's `Downloader`, with a request taking its slot's transfer place before its download starts."""

    def _process_queue(self, slot: Slot) -> None:
        if slot.latercall:
            return  # a delayed call will process the queue
        now = monotonic()
        delay = slot.download_delay()
        if delay:
            penalty = delay - now + slot.lastseen
            if penalty > 0:
                slot.latercall = call_later(penalty, self._latercall, slot)
                return
        while slot.queue and slot.free_transfer_slots() > 0:
            slot.lastseen = now
            request, queue_dfd = slot.queue.popleft()
            # Counted now, not when `_download` starts on a later loop turn (it adds it again and removes it
            # when the response is in).
            slot.transferring.add(request)
            _schedule_coro(self._wait_for_download(slot, request, queue_dfd))
            if delay:  # one request per pause
                self._process_queue(slot)
                break
