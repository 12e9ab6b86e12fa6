"""Tools for flow authors and translators: transcript tests of flows, text extraction for
Babel and the translation status."""
