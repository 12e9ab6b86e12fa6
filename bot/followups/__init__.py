"""Follow-ups and closing the loop (docs/followups.md).

- `texts`: what residents read (msgctxt `followup`) and the button payloads.
- `messages`: a follow-up or the question after a closed case, rendered in a language.
- `sender`: sends due follow-ups from the running process, within office hours, once.

The conversation step that reads the answers is bot/conversation/steps/followups.py; the
worker's form is bot/dashboard/follow_up.py; the tables are storage/followups.py and
storage/feedback.py.
"""
