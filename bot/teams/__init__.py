"""Teams by postcode (issue 20): managing them (`manage`, for the command line and the admin
page), the `buurtbot teams` command (`cli`), the postcode question a resident is asked when
a case opens (`postcode`, `routing`), and alert mails for waiting cases (`alerts`, `mail`).
Tables and queries: storage/teams.py and storage/alerts.py."""
