"""Reports and dashboards (REP-1): figures drawn as server-rendered SVG from daily roll-ups."""
