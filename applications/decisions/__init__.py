"""Decisions and their letters: the one home (R18-R33).

- :mod:`.services` is the only writer of ``Decision`` rows; :mod:`.letters` the only writer of ``Letter``
  rows (requests, versions) and :mod:`.rendering` of their files.
- :mod:`.amounts` is the one selector for the amounts an application has (derived from the ledger) and
  for the grant in force.
- :mod:`.checks` checks the ledger against the decisions (``manage.py check_ledger``).

Inside the package the imports run one way: views/api -> services -> letters -> tasks -> rendering ->
amounts. The models stay in ``applications.models.decisions`` (Django's app label is ``applications``).
"""
