"""Resources: the Spark session, the landing zone and the warehouse connection."""
