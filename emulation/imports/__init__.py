"""Data in: the seven files of SPEC §2, from the command line, an upload or the API.

- ``reading``: CSV and XLSX read in bounded chunks, with their header and line numbers;
- ``importers``: the per-file rules (validation column by column, references, a manager's
  subtree) and ``run_import``, which writes through ``emulation.bulk`` and brings the stored
  scores up to date (``scoring``);
- ``jobs``: uploads imported in a background thread, their progress and report on disk;
- ``views``, ``forms``: the upload pages; ``cli``: ``flask --app app import``.

May import: the bottom of ``emulation``, ``emulation.scoring``, ``accounts``, ``web``,
``extensions``; not ``commendation`` or ``demo``.
"""
