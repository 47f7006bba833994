"""Unit test of the callback with LiteLLM's base class stubbed: run with `python3 -m unittest` in this folder."""
import asyncio
import json
import os
import sys
import tempfile
import types
import unittest

# Stub litellm.integrations.custom_logger.CustomLogger so the test needs no LiteLLM install.
litellm = types.ModuleType("litellm")
integrations = types.ModuleType("litellm.integrations")
custom_logger = types.ModuleType("litellm.integrations.custom_logger")
custom_logger.CustomLogger = type("CustomLogger", (), {"__init__": lambda self: None})
sys.modules.update({"litellm": litellm, "litellm.integrations": integrations, "litellm.integrations.custom_logger": custom_logger})

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from aflo_tail_callback import AfloTailFileLogger  # noqa: E402

FIXTURE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "test", "fixtures", "litellm",
                       "04_chat_bedrock_region_api_base_slp_extracted.json")


class CallbackTest(unittest.TestCase):
    def test_writes_one_json_line_per_request(self):
        with tempfile.TemporaryDirectory() as d:
            path = os.path.join(d, "usage.jsonl")
            logger = AfloTailFileLogger(path)
            with open(FIXTURE) as f:
                slp = json.load(f)
            logger.log_success_event({"standard_logging_object": slp}, None, None, None)
            asyncio.run(logger.async_log_failure_event({"standard_logging_object": dict(slp, status="failure")}, None, None, None))
            logger.log_success_event({"no": "payload"}, None, None, None)
            with open(path) as f:
                lines = f.read().split("\n")
            self.assertEqual(lines[-1], "")
            self.assertEqual(len(lines), 3)
            self.assertEqual(json.loads(lines[0])["id"], slp["id"])
            self.assertEqual(json.loads(lines[1])["status"], "failure")
            out = os.environ.get("AFLO_CALLBACK_OUT")
            if out:
                with open(out, "w") as f:
                    f.write(lines[0] + "\n")


if __name__ == "__main__":
    unittest.main()
