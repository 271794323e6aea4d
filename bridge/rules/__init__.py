"""Routing rules and field mappings: models, evaluation, transforms, language."""
