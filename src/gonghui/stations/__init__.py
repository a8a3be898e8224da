"""户外劳动者服务站点: outdoor-worker service stations.

Map of the package:
- ``models``: registry (type, "10+x" kit as amenity bits, weekly hours with overnight spans, per-date overrides,
  photos, manager = a user with the station_manager role, star level, subsidy, year renovated), visits, ratings,
  complaints and their notes, inspections, consumables, star reviews, relocations of mobile container stations,
  service days/sessions/slots, sign-ups and check-ins.
- ``geo``: the datum is explicit. Stored and received coordinates are WGS-84 (what browsers and GPS give);
  ``wgs84_to_gcj02`` converts for 高德/百度 links and GCJ-02 exports; the inverse is iterated to < 1 cm.
- ``hours``: one definition of "open at" (24 h, overnight spans, holiday overrides) used by pages and the finder.
- ``finder``: the in-memory nearest-station index (k-d tree over unit vectors, filter masks and sub-trees cached
  per minute); every web process rebuilds it when the registry changes.
- ``services``: every write (one audited transaction each). Visits lock the visitor row and apply the one-per-hour
  rule; sign-ups lock the slot row and count active sign-ups (capacity from rows, never a counter).
- ``member_codes``: the seam where the accounts package plugs in its member-code (工惠码) check.
- ``tasks``: the manager's notice of a new complaint, the 15-minute escalation sweep to the county union, the
  daily restock reminders.
- ``figures``: yearly figures by region (and by county/city) computed from the records; ``demo`` generates the
  province data from which the seed's 2025 figures come out.
- ``exchange``: Excel import/export (all rows or none) and CSV/GeoJSON points (WGS-84 or GCJ-02).
"""
