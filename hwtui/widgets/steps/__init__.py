"""The six steps of the guided review, one widget each, all editing one ReviewDraft."""
