"""Neighbourhood signals (issue 22): counts per area and period, with nobody in them."""
