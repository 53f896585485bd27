"""`decisions serve`: a local editor in which officers draft and review records (app.py), its
form made from the record's JSON Schema (form.py)."""
