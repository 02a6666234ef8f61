"""Excel workbooks (Excel导入): the monthly template of a zone, and imports of monthly figures,
projects and indicator values, each checked in full (a dry run with every row's findings) before
anything is written, then written all at once or not at all.

- `layout`: the columns of each workbook (Chinese headers, comments) and the hidden `_meta` sheet;
- `template`: the templates, written with openpyxl (dropdowns, frozen headers, comments);
- `reader`: rows read with openpyxl (read-only), every unreadable cell a finding at its row and column;
- `imports`: check and commit, set-based: a constant number of queries for any number of rows,
  bulk writes that keep the change history (django-simple-history's bulk helpers).

django-import-export is deliberately not used: it imports row by row (a lookup and a save per row,
a history row per save), which is what an import of 100,000 monthly figures cannot afford; the
rules of projects.rules run on the whole batch instead, and the writes are bulk writes.
"""
