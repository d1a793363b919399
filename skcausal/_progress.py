"""Progress bars for ``verbose``: tqdm's (``tqdm.auto``: a widget in a notebook, text on stderr
elsewhere), imported only when a bar is shown. With ``verbose=0`` nothing is printed and tqdm is
not even imported (``tqdm.auto`` warns at import in a notebook without ipywidgets)."""

from __future__ import annotations


class _NoBar:
    """Stands in for a tqdm bar that is not shown: every call does nothing."""

    total = None

    def __enter__(self):
        return self

    def __exit__(self, *exc_info):
        return False

    def update(self, n=1):
        pass

    def set_postfix(self, *args, **kwargs):
        pass

    def refresh(self):
        pass

    def close(self):
        pass


def progress_bar(show: bool, **kwargs):
    """A tqdm bar (``tqdm.auto.tqdm(**kwargs)``, on stderr in a terminal) when ``show``, else an
    object with the same methods that does nothing."""
    if not show:
        return _NoBar()
    from tqdm.auto import tqdm

    return tqdm(**kwargs)
