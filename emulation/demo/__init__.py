"""The demo province: a realistic Lai Châu (``data``: places, names, the skills framework),
generated and loaded through the real importers (``province``); ``cli``: ``demo load``.

May import: everything in ``emulation`` but ``commendation``; ``accounts``, ``web``, ``config``.
"""
