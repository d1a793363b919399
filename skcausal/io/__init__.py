"""Export a learned graph to the files graph tools read."""

from skcausal.io._export import graph_to_dot, graph_to_json, save_graph

__all__ = ["graph_to_dot", "graph_to_json", "save_graph"]
