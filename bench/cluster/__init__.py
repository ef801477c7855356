"""``make cluster-test``: the portal as a cluster on one machine, under load and faults.

Two app servers (gunicorn, two workers each, own instance folders that share only the
database, Redis and the file store), two job consumers, a private Redis, an SMTP sink that
counts Message-IDs and a round-robin proxy in front; concurrent customers and agents; faults
during the load; afterwards the checks of issue 19 and one table. See ``bench.cluster.run``.
"""
