"""Hypothesis strategies shared by the property tests: random background knowledge, and
DataFrames mixing every kind of column with missing cells."""

import numpy as np
import pandas as pd
from hypothesis import strategies as st


@st.composite
def random_knowledge(draw, d):
    """(required, forbidden, tiers) over nodes 0..d-1 that are consistent with each other.

    Required edges run forward in a random order (so they form no cycle), forbidden edges are any
    others, and the optional two tiers split that order (so no required edge is forbidden).
    """
    order = draw(st.permutations(range(d)))
    rank = {node: k for k, node in enumerate(order)}
    pairs = [(i, j) for i in range(d) for j in range(d) if i != j]
    forward = [p for p in pairs if rank[p[0]] < rank[p[1]]]
    required = draw(st.lists(st.sampled_from(forward), max_size=3, unique=True))
    forbidden = draw(st.lists(st.sampled_from(pairs), max_size=4, unique=True))
    forbidden = [p for p in forbidden if p not in required]
    tiers = None
    if draw(st.booleans()):
        cut = draw(st.integers(1, d - 1))
        tiers = [list(order[:cut]), list(order[cut:])]
    return required, forbidden, tiers


@st.composite
def knowledge_and_data(draw, min_nodes=3, max_nodes=5):
    """(d, seed for make_scm, required, forbidden, tiers)."""
    d = draw(st.integers(min_nodes, max_nodes))
    seed = draw(st.integers(0, 10_000))
    return (d, seed, *draw(random_knowledge(d)))


# Column kinds a DataFrame can carry, and the kind the column contract reads each as (#22).
FRAME_KINDS = {
    "float": "continuous",
    "int": "continuous",
    "bool": "binary",
    "text2": "binary",
    "text3": "categorical",
    "category3": "categorical",
    "ordered3": "ordinal",
    "ordered2": "binary",
}


@st.composite
def mixed_frames(draw, min_columns=2, max_columns=4, n_rows=80):
    """(DataFrame, expected feature_kinds_): random kinds per column (dependent on the previous
    column, so there is something to find), with missing cells (NaN, None, pd.NA) in some."""

    d = draw(st.integers(min_columns, max_columns))
    kinds = draw(st.lists(st.sampled_from(sorted(FRAME_KINDS)), min_size=d, max_size=d))
    seed = draw(st.integers(0, 2**16))
    fraction = draw(st.sampled_from([0.0, 0.0, 0.05, 0.2]))
    rng = np.random.default_rng(seed)
    latent = rng.normal(size=n_rows)
    columns = {}
    for j, kind in enumerate(kinds):
        latent = latent + rng.normal(size=n_rows)
        level3 = np.digitize(latent, np.quantile(latent, [1 / 3, 2 / 3]))
        if kind == "float":
            column = pd.Series(latent)
        elif kind == "int":
            column = pd.Series(np.round(latent * 3).astype(int)).astype("Int64")
        elif kind == "bool":
            column = pd.Series(latent > np.median(latent)).astype(object)
        elif kind == "text2":
            column = pd.Series(np.where(latent > np.median(latent), "yes", "no"), dtype=object)
        elif kind == "text3":
            column = pd.Series(np.array(["red", "green", "blue"])[level3], dtype="string")
        elif kind == "category3":
            column = pd.Series(pd.Categorical.from_codes(level3, ["x", "y", "z"]))
        elif kind == "ordered3":
            column = pd.Series(pd.Categorical.from_codes(level3, ["lo", "mid", "hi"], ordered=True))
        else:
            codes = (latent > np.median(latent)).astype(int)
            column = pd.Series(pd.Categorical.from_codes(codes, ["lo", "hi"], ordered=True))
        holes = rng.random(n_rows) < fraction
        holes[:2] = False  # rows 0 and 1 complete: some complete rows always remain
        column[holes] = None
        columns[f"{kind}_{j}"] = column
    return pd.DataFrame(columns), [FRAME_KINDS[k] for k in kinds]
