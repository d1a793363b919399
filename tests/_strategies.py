"""Hypothesis strategies shared by the property tests: random background knowledge."""

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
