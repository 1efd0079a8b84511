"""Writing the tie graph for Gephi and other tools: GraphML or GEXF.

Nodes carry name, organisation, community and connector score; edges carry
strength, band and bridge score. Names come from strangers: both writers escape
them through an XML library, never by string pasting.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import duckdb
import igraph as ig
import pyarrow as pa

from weakties.errors import InputError
from weakties.insights.queries import require_analysis
from weakties.store.db import arrow

FORMATS = ("graphml", "gexf")
_NODE_SQL = """
    SELECT p.person_id, p.display_name AS name, coalesce(p.org_domain, '') AS organisation,
           m.community_id AS community, c.label AS community_label,
           m.connector_score, p.is_owner
    FROM person_metrics m JOIN people p USING (person_id)
    LEFT JOIN communities c USING (community_id)
    ORDER BY p.person_id
"""
_EDGE_SQL = """
    SELECT person_a, person_b, strength, band, coalesce(bridge_score, 0) AS bridge_score,
           messages
    FROM ties WHERE bridge_score IS NOT NULL ORDER BY person_a, person_b
"""


def export_format(path: Path, fmt: str | None) -> str:
    """The format to write ``path`` in: ``fmt`` when given, else the one its suffix names.

    Raises :class:`InputError` for an unknown format, a name that says none, or a name
    that says another format than ``fmt`` (a ``.gexf`` holding GraphML opens nowhere).
    """
    named = path.suffix.lower().lstrip(".")
    if fmt is not None and fmt.lower() not in FORMATS:
        raise InputError(f"Unknown export format {fmt!r}.", f"Use one of: {', '.join(FORMATS)}.")
    if fmt is None:
        if named not in FORMATS:
            raise InputError(
                f"Cannot tell the format from the name {path.name!r}.",
                "Name the file .graphml or .gexf, or pass --format graphml|gexf.",
            )
        return named
    if named in FORMATS and named != fmt.lower():
        raise InputError(
            f"{path.name} is named .{named} but --format is {fmt}.",
            f"Name the file .{fmt.lower()}, or leave --format out.",
        )
    return fmt.lower()


def export_graph(con: duckdb.DuckDBPyConnection, path: Path, fmt: str) -> tuple[int, int]:
    """Write the analysed graph to ``path`` in ``fmt`` (see :func:`export_format`);
    returns (nodes, edges)."""
    fmt = export_format(path, fmt)
    if path.is_dir():
        raise InputError(f"{path} is a folder.", "Give the path of a file to write.")
    require_analysis(con)
    nodes, edges = arrow(con, _NODE_SQL), arrow(con, _EDGE_SQL)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        if fmt == "graphml":
            _graphml(nodes, edges, path)
        else:
            _gexf(nodes, edges, path)
    except OSError as exc:
        raise InputError(
            f"Cannot write {path}: {exc.strerror or exc}.", "Check the path and its permissions."
        ) from exc
    return nodes.num_rows, edges.num_rows


def _graphml(nodes: pa.Table, edges: pa.Table, path: Path) -> None:
    index = {pid: i for i, pid in enumerate(nodes.column("person_id").to_pylist())}
    g = ig.Graph(n=nodes.num_rows, directed=False)
    for name in nodes.column_names:
        values = nodes.column(name).to_pylist()
        g.vs[name] = [str(v) if name == "person_id" else _plain(v) for v in values]
    pairs = zip(
        edges.column("person_a").to_pylist(), edges.column("person_b").to_pylist(), strict=True
    )
    g.add_edges([(index[a], index[b]) for a, b in pairs])
    for name in ("strength", "band", "bridge_score", "messages"):
        g.es[name] = [_plain(v) for v in edges.column(name).to_pylist()]
    g.write_graphml(str(path))


def _gexf(nodes: pa.Table, edges: pa.Table, path: Path) -> None:
    root = ET.Element("gexf", xmlns="http://gexf.net/1.3", version="1.3")
    graph = ET.SubElement(root, "graph", defaultedgetype="undirected", mode="static")
    node_attrs = [
        ("organisation", "string"),
        ("community", "integer"),
        ("community_label", "string"),
        ("connector_score", "double"),
        ("is_owner", "boolean"),
    ]
    edge_attrs = [("band", "string"), ("bridge_score", "double"), ("messages", "integer")]
    _attributes(graph, "node", node_attrs)
    _attributes(graph, "edge", edge_attrs)
    xml_nodes = ET.SubElement(graph, "nodes")
    for row in nodes.to_pylist():
        node = ET.SubElement(xml_nodes, "node", id=str(row["person_id"]), label=_text(row["name"]))
        _values(node, node_attrs, row)
    xml_edges = ET.SubElement(graph, "edges")
    for i, row in enumerate(edges.to_pylist()):
        edge = ET.SubElement(
            xml_edges,
            "edge",
            id=str(i),
            source=str(row["person_a"]),
            target=str(row["person_b"]),
            weight=repr(float(row["strength"])),
        )
        _values(edge, edge_attrs, row)
    ET.ElementTree(root).write(path, encoding="utf-8", xml_declaration=True)


def _attributes(graph: ET.Element, kind: str, attrs: list[tuple[str, str]]) -> None:
    block = ET.SubElement(graph, "attributes", {"class": kind, "mode": "static"})
    for i, (name, typ) in enumerate(attrs):
        ET.SubElement(block, "attribute", id=str(i), title=name, type=typ)


def _values(element: ET.Element, attrs: list[tuple[str, str]], row: dict[str, Any]) -> None:
    block = ET.SubElement(element, "attvalues")
    for i, (name, _) in enumerate(attrs):
        value = row[name]
        text = str(value).lower() if isinstance(value, bool) else _text(value)
        ET.SubElement(block, "attvalue", {"for": str(i), "value": text})


def _plain(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, str):
        return _text(value)
    return value


def _text(value: Any) -> str:
    """XML 1.0 cannot carry most control characters, even escaped: drop them."""
    text = "" if value is None else str(value)
    return "".join(ch for ch in text if ch in "\t\n\r" or ord(ch) >= 0x20)
