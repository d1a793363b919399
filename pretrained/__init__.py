"""The shipped checkpoint: installed as the data package ``skcausal.pretrained``.

The weights (``skcausal-zeroshot.safetensors``), their metadata (``.json``) and the model card
(``README.md``) are found through :mod:`importlib.resources`, so an installed wheel carries them.
"""
