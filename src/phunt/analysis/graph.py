"""The people-groups-media network as a networkx graph, written as GraphML or GEXF.

Nodes are ``person:<id>``, ``group:<platform>:<platform id>`` and ``media:<sha256>``;
edges are ``member`` and ``admin`` (person to group), ``sent`` (person to media) and
``shared_in`` (media to group), each with a ``relation`` attribute so tools such as Gephi
can filter on it. GraphML and GEXF hold only scalars, so lists are joined with "; " and
flags are 0/1. By default only known-bad media are drawn: every holiday photo of every
member would bury the files that matter; ``all_media`` draws them all.
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

import networkx as nx

from phunt.analysis.people import ADMIN_ROLES, Network, build_network
from phunt.audit import store as audit
from phunt.errors import UsageError
from phunt.output_path import check_target, output_path

if TYPE_CHECKING:
    from phunt.schema.db import Session

GraphFormat = Literal["graphml", "gexf"]
FORMATS: tuple[GraphFormat, ...] = ("graphml", "gexf")


def _join(values: Any) -> str:
    return "; ".join(str(v) for v in values)


def build_graph(network: Network, *, all_media: bool = False) -> nx.MultiDiGraph:
    """The network as a directed multigraph (a person may be member and admin of a group)."""
    graph = nx.MultiDiGraph()
    for gid, group in network.groups.items():
        graph.add_node(
            f"group:{gid}",
            kind="group",
            label=group.titles[0] if group.titles else group.platform_id,
            platform=group.platform,
            platform_id=group.platform_id,
            titles=_join(group.titles),
            devices=_join(sorted(group.devices)),
            known_bad=int(group.known_bad),
        )
    for person in network.people:
        node = f"person:{person.id}"
        graph.add_node(
            node,
            kind="person",
            label=person.names[-1] if person.names else person.id,
            names=_join(person.names),
            phones=_join(person.phones),
            usernames=_join(person.usernames),
            devices=_join(sorted(person.devices)),
            owner_of=_join(person.owner_of),
            known_bad_sent=person.known_bad_sent,
            score=person.score(network.groups),
        )
        for gid, roles in sorted(person.groups.items()):
            target = f"group:{gid}"
            graph.add_edge(
                node, target, key="member", relation="member", roles=_join(sorted(roles))
            )
            held = [r for r in ADMIN_ROLES if r in roles]
            if held:
                graph.add_edge(node, target, key="admin", relation="admin", role=held[0])
    for sha, media in network.media.items():
        if not (media.known_bad or all_media):
            continue
        node = f"media:{sha}"
        graph.add_node(
            node, kind="media", label=sha[:16], sha256=sha, known_bad=int(media.known_bad)
        )
        for who, count in sorted(media.senders.items()):
            graph.add_edge(f"person:{who}", node, key="sent", relation="sent", count=count)
        for gid, count in sorted(media.groups.items()):
            graph.add_edge(node, f"group:{gid}", key="shared_in", relation="shared_in", count=count)
    return graph


def export_graph(
    session: Session,
    output: str | Path,
    fmt: str,
    *,
    all_media: bool = False,
    force: bool = False,
) -> dict[str, Any]:
    """Write the database's network to ``output`` (the :mod:`phunt.output_path` rule:
    an existing file only with ``force``); audit it with the file's SHA-256."""
    if fmt not in FORMATS:
        raise UsageError(f"unknown graph format {fmt!r} (choose from: {', '.join(FORMATS)})")
    path = Path(output)
    check_target(path, force=force)  # before the work: never into the data folder
    graph = build_graph(build_network(session), all_media=all_media)
    try:
        with output_path(path, force=force) as partial:
            if fmt == "graphml":
                nx.write_graphml(graph, partial)
            else:
                nx.write_gexf(graph, partial)
            digest = hashlib.sha256(partial.read_bytes()).hexdigest()
    except OSError as exc:
        raise UsageError(f"cannot write {path}: {exc.strerror}") from None
    kinds = [data["kind"] for _node, data in graph.nodes(data=True)]
    summary = {
        "file": str(path),
        "format": fmt,
        "sha256": digest,
        "nodes": graph.number_of_nodes(),
        "edges": graph.number_of_edges(),
        "people": kinds.count("person"),
        "groups": kinds.count("group"),
        "media": kinds.count("media"),
        "all_media": all_media,
    }
    audit.append(session, "graph.export", "graph", path.name, summary)
    return summary
