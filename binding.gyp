{
  "targets": [
    {
      "target_name": "fast_map",
      "sources": ["native/addon.cc", "native/json_index.cc", "native/js_number.cc", "native/entry_dimensions.cc", "native/entry_meters.cc", "native/slp_map.cc", "native/ledger_tags.cc", "native/gzip_body.cc",
        "<!(node -p \"require('path').relative(process.cwd(), require.resolve('@nozbe/simdjson/src/simdjson.cpp'))\")"],
      "include_dirs": ["<!(node -p \"require('path').relative(process.cwd(), require('path').dirname(require.resolve('@nozbe/simdjson/src/simdjson.cpp')))\")"],
      "cflags_cc!": ["-fno-exceptions", "-std=gnu++17"],
      "cflags_cc": ["-std=c++17", "-O2", "-fexceptions"],
      "defines": ["NAPI_VERSION=8"]
    }
  ]
}
