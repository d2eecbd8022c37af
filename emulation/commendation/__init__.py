"""Home Affairs: who is put forward for commendation, and the province's progress reports.

- ``nominees``: nominee lists (SPEC §5), derived from the stored scores and the reviewers'
  decisions; ``nominee_exports``: the list as the office files it (XLSX, CSV, PDF);
- ``reports``: quarterly, six-monthly and yearly progress reports; ``report_exports`` (XLSX,
  PDF) and ``report_files`` (the reports kept on disk once a period has ended);
- ``documents``: what the official PDFs share (A4, Be Vietnam Pro, numbered pages);
- ``nominee_views``, ``report_views``, ``forms``: their pages; ``cli``: ``nominees generate``
  and ``reports generate``.

May import: the bottom of ``emulation``, ``emulation.scoring``, ``accounts``, ``web``,
``extensions``; not ``imports`` or ``demo``.
"""
