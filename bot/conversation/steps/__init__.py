"""The steps of the conversation path; bot/conversation/pipeline.py says in which order."""
