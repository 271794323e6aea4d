"""The web process through Flask's test client: webhooks, answers, what gets stored."""
