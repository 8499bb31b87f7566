"""Counselors: quiz links for their clients and the anonymous group results behind each link."""
