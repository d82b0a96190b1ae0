"""Bulk import of participants from CSV or XLSX (R13): parse once, validate in memory, insert in batches.

Interface used by the API and the portal:

    import_participants(*, application, uploaded_file, by) -> list[Participant]

raises ``DomainError`` listing every bad row (``line``, ``field``, ``code``, ``message``) and saves
nothing when any row is bad. Implemented by the applications API work (issue #3).
"""
