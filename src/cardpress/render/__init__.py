"""Render: page data → HTML and JSON strings. Nothing here touches files except template lookup."""
