"""LiteLLM custom callback: appends each request's standard_logging_object as one JSON line for aflo-tail.

config.yaml:
    litellm_settings:
      callbacks: aflo_tail_callback.proxy_handler_instance

Environment: AFLO_TAIL_LOG (default /var/log/litellm/usage.jsonl).
"""
import json
import os
import threading

from litellm.integrations.custom_logger import CustomLogger


class AfloTailFileLogger(CustomLogger):
    """Writes one line per finished request (success or failure), whole lines only, never blocking a request."""

    def __init__(self, path=None):
        super().__init__()
        self.path = path or os.environ.get("AFLO_TAIL_LOG", "/var/log/litellm/usage.jsonl")
        self._lock = threading.Lock()

    def _write(self, kwargs):
        payload = kwargs.get("standard_logging_object")
        if not payload:
            return
        # default=str keeps datetimes and other non-JSON values; aflo-tail reads NaN/Infinity as null.
        line = json.dumps(payload, default=str, separators=(",", ":")) + "\n"
        with self._lock:
            # One write() of a whole line in append mode: readers never see half of it.
            with open(self.path, "a", encoding="utf-8") as f:
                f.write(line)

    def log_success_event(self, kwargs, response_obj, start_time, end_time):
        self._write(kwargs)

    def log_failure_event(self, kwargs, response_obj, start_time, end_time):
        self._write(kwargs)

    async def async_log_success_event(self, kwargs, response_obj, start_time, end_time):
        self._write(kwargs)

    async def async_log_failure_event(self, kwargs, response_obj, start_time, end_time):
        self._write(kwargs)


proxy_handler_instance = AfloTailFileLogger()
