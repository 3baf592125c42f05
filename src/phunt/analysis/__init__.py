"""Analysis across devices and cases: merged people and groups, rankings, network export."""
