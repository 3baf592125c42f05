"""Evidence sources: folders, archives and disk images behind one iterator of entries.

Every source yields :class:`phunt.sources.base.Entry` objects named by their container
path (``phone.zip!/DCIM/a.jpg``); an entry that cannot be read is still yielded, with its
``error`` set, so nothing is skipped silently.
"""
