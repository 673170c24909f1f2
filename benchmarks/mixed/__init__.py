"""Mixed production load: workers, coordinators, managers and a plan, all at once."""
