"""Inspections: findings tied to measures, the remedial action plan as duties, revisits."""
