"""`make bench`: the tracker's operations at province scale, each against its PostgreSQL floor."""
