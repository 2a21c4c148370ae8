"""工会数据看板 · union statistics dashboard: store, indicators, demo data, CLI."""
