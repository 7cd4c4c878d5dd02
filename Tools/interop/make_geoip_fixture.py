#!/usr/bin/env python3
"""Writes Fixtures/Rendezvous/test-city.mmdb with mmdb-writer (PyPI `mmdb-writer`), an independent
MaxMind DB writer, for Tests/RendezvousTests/GeoIPTests.swift. Documentation ranges only (RFC 5737,
RFC 3849), shaped like GeoLite2-City records. Re-run to regenerate; the tests read the committed file."""
import os
import sys

from mmdb_writer import MMDBWriter
from netaddr import IPSet

paris = {"country": {"iso_code": "FR", "names": {"en": "France", "de": "Frankreich"}},
         "city": {"names": {"en": "Paris"}}, "location": {"latitude": 48.8566, "longitude": 2.3522}}
osaka = {"country": {"iso_code": "JP", "names": {"en": "Japan"}}, "city": {"names": {"en": "Osaka"}}}
country_only = {"country": {"iso_code": "NZ", "names": {"en": "New Zealand"}}}

writer = MMDBWriter(ip_version=6, database_type="GeoLite2-City", languages=["en"], description="Glimpse test fixture", ipv4_compatible=True)
writer.insert_network(IPSet(["192.0.2.0/24"]), paris)
writer.insert_network(IPSet(["198.51.100.0/25"]), osaka)
writer.insert_network(IPSet(["203.0.113.128/25"]), country_only)
writer.insert_network(IPSet(["2001:db8:1::/48"]), paris)  # the same record again: the writer points to it
path = os.path.join(os.path.dirname(__file__), "..", "..", "Fixtures", "Rendezvous", "test-city.mmdb")
writer.to_db_file(path)
print(path, file=sys.stderr)
