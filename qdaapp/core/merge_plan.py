"""What a merge would do: the other copy's rows matched against this project's, without writing.

Rows are matched by what identifies them across copies: sources by the
SHA-256 of their content, nodes, cases, attributes, memos, accounts and
fragments by their guid (then nodes by path, cases and attributes by name,
accounts by title), codings and passages by their source, node or owner and
span (and coder). What matches is a duplicate; what does not comes in with a
new id. Where the two copies disagree, a :class:`MergeConflict` is listed
with the choices, a default and the choice taken (``resolutions``, keyed by
the conflict's ``key``, override the default).
"""

from __future__ import annotations

import hashlib
import sqlite3
import uuid
from collections import Counter
from typing import Any

from .errors import InvalidInput
from .merge_model import (
    CHOICE_WORDS,
    MergeConflict,
    Plan,
    cut,
    free_name,
    is_below,
    is_uuid,
    local_path,
    node_path,
    owner_name,
    parents_first,
)
from .merge_read import Copy, deleted_guids

__all__ = ["CHOICE_WORDS", "MergeConflict", "Plan", "plan_merge"]


class _Planner:
    def __init__(self, raw: sqlite3.Connection, copy: Copy, resolutions: dict[str, str]) -> None:
        self.raw, self.copy, self.resolutions = raw, copy, dict(resolutions)
        self.plan = Plan()
        self.maps: dict[str, dict[int, int]] = {}
        self.next_id: dict[str, int] = {}
        self.local_deleted = deleted_guids(raw)
        self.who = f"{copy.copy_for}'s copy" if copy.copy_for else "the copy"

    # ------------------------------------------------------------------ helpers
    def rows(self, sql: str, *args: Any) -> list[tuple]:
        return self.raw.execute(sql, args).fetchall()

    def new_id(self, table: str) -> int:
        if table not in self.next_id:
            self.next_id[table] = (self.raw.execute(f'SELECT max(id) FROM "{table}"').fetchone()[0] or 0) + 1
        value = self.next_id[table]
        self.next_id[table] = value + 1
        return value

    def insert(self, table: str, row: dict[str, Any], entity: str) -> int:
        new = dict(row)
        new["id"] = self.new_id(table)
        self.plan.inserts.setdefault(table, []).append(new)
        self.plan.merged[entity] += 1
        return int(new["id"])

    def conflict(self, key: str, kind: str, entity: str, label: str, ours: str, theirs: str,
                 choices: tuple[str, ...], default: str) -> str:
        chosen = self.resolutions.pop(key, default)
        if chosen not in choices:
            raise InvalidInput(f"The conflict '{label}' can be resolved with {', '.join(choices)}, not '{chosen}'.")
        self.plan.conflicts.append(MergeConflict(key, kind, entity, label, ours, theirs, choices, default, chosen))
        return chosen

    def mapped(self, table: str, other_id: int | None) -> int | None:
        return None if other_id is None else self.maps.get(table, {}).get(other_id)

    # ------------------------------------------------------------------ by name (cases, attributes, accounts)
    def named(self, table: str, entity: str, name_col: str) -> None:
        local = {r[1]: r for r in self.rows(f'SELECT id, guid, "{name_col}" FROM "{table}"')}
        by_name = {r[2]: r[0] for r in local.values()}
        m = self.maps.setdefault(table, {})
        for row in self.copy.rows[table]:
            name = row[name_col]
            hit = local.get(row["guid"])
            if hit is not None:
                m[row["id"]] = hit[0]
                self.plan.duplicates[entity] += 1
                if hit[2] != name:
                    choices = ("ours", "theirs") if name not in by_name else ("ours",)
                    if self.conflict(f"{entity}:{row['guid']}:renamed", "renamed", entity,
                                     f"{entity} '{hit[2]}' is called '{name}' in {self.who}", hit[2], name,
                                     choices, "ours") == "theirs":
                        self.plan.updates.append((table, hit[0], {name_col: name}))
                continue
            if name in by_name:
                m[row["id"]] = by_name[name]
                self.plan.duplicates[entity] += 1
                continue
            if row["guid"] in self.local_deleted.get(table, ()):
                if self.conflict(f"{entity}:{row['guid']}:deleted-here", "deleted-here", entity,
                                 f"{entity} '{name}' was deleted here but is kept in {self.who}", "deleted", "kept",
                                 ("leave", "restore"), "leave") == "leave":
                    self.plan.skipped[entity] += 1
                    continue
            m[row["id"]] = self.insert(table, row, entity)
            by_name[name] = m[row["id"]]

    # ------------------------------------------------------------------ sources
    def sources(self) -> None:
        by_sha = {r[1]: r[0] for r in self.rows("SELECT id, sha256 FROM sources")}
        by_name = {r[1]: r[0] for r in self.rows("SELECT id, name FROM sources")}
        m = self.maps.setdefault("sources", {})
        for row in self.copy.rows["sources"]:
            if row["sha256"] in by_sha:
                m[row["id"]] = by_sha[row["sha256"]]
                self.plan.duplicates["source"] += 1
                continue
            new = dict(row, case_id=self.mapped("cases", row["case_id"]))
            if row["name"] in by_name:
                choice = self.conflict(f"source:{row['sha256']}:different-text", "different-text", "source",
                                       f"source '{row['name']}' has a different text in {self.who}",
                                       "this project's text", f"another text ({row['length']} characters)",
                                       ("refuse", "rename", "skip"), "refuse")
                if choice != "rename":
                    self.plan.skipped["source"] += 1
                    continue
                new["name"] = free_name(f"{row['name']} ({self.who})", by_name)
            m[row["id"]] = self.insert("sources", new, "source")
            by_sha[row["sha256"]], by_name[new["name"]] = m[row["id"]], m[row["id"]]

    def attribute_values(self) -> None:
        local = {(r[1], r[2], r[3]): (r[0], r[4]) for r in
                 self.rows("SELECT id, attribute_id, case_id, source_id, value FROM attribute_values")}
        names = {r[0]: r[1] for r in self.rows("SELECT id, name FROM attributes")}
        for row in self.copy.rows["attribute_values"]:
            attr = self.mapped("attributes", row["attribute_id"])
            case = self.mapped("cases", row["case_id"])
            source = self.mapped("sources", row["source_id"])
            if attr is None or (case is None and source is None):
                self.plan.skipped["attribute value"] += 1
                continue
            hit = local.get((attr, case, source))
            if hit is None:
                self.insert("attribute_values", dict(row, attribute_id=attr, case_id=case, source_id=source),
                            "attribute value")
                continue
            self.plan.duplicates["attribute value"] += 1
            if hit[1] != row["value"]:
                owner = f"case {case}" if case is not None else f"source {source}"
                label = f"'{names.get(attr, attr)}' of {owner_name(self.raw, case, source) or owner}"
                if self.conflict(f"value:{row['attribute_id']}:{row['case_id']}:{row['source_id']}:{row['value']}",
                                 "value", "attribute value", f"{label} differs in {self.who}", hit[1],
                                 row["value"], ("ours", "theirs"), "ours") == "theirs":
                    self.plan.updates.append(("attribute_values", hit[0], {"value": row["value"]}))

    # ------------------------------------------------------------------ nodes
    def nodes(self) -> None:
        local = {r[0]: r for r in self.rows("SELECT id, name, kind, parent_id, guid FROM nodes")}
        by_guid = {r[4]: r for r in local.values() if r[4]}
        by_path = {(r[3], r[2], r[1]): r[0] for r in local.values()}
        m = self.maps.setdefault("nodes", {})
        other = self.copy.rows["nodes"]
        used = Counter(c["node_id"] for c in self.copy.rows["codings"])
        left_out: set[int] = set()
        for row in parents_first(other):
            if row["parent_id"] is not None and row["parent_id"] in left_out:
                left_out.add(row["id"])
                self.plan.skipped["node"] += 1
                continue
            parent = self.mapped("nodes", row["parent_id"])
            hit = by_guid.get(row["guid"])
            if hit is not None:
                m[row["id"]] = hit[0]
                self.plan.duplicates["node"] += 1
                self._node_differences(hit, row, parent, local, by_path)
                continue
            path_hit = by_path.get((parent, row["kind"], row["name"]))
            if path_hit is not None:
                m[row["id"]] = path_hit
                self.plan.duplicates["node"] += 1
                continue
            if row["guid"] in self.local_deleted.get("nodes", ()):
                n = used[row["id"]]
                theirs = f"{n} coding(s) at it" if n else "kept, with no codings"
                if self.conflict(f"node:{row['guid']}:deleted-here", "deleted-here", "node",
                                 f"node '{node_path(other, row)}' was deleted here but is kept in {self.who}",
                                 "deleted", theirs, ("restore", "leave"), "restore" if n else "leave") == "leave":
                    left_out.add(row["id"])
                    self.plan.skipped["node"] += 1
                    continue
            m[row["id"]] = self.insert("nodes", dict(row, parent_id=parent), "node")
            by_path[(parent, row["kind"], row["name"])] = m[row["id"]]
        self._deleted_there(local)

    def _node_differences(self, hit: tuple, row: dict, parent: int | None, local: dict, by_path: dict) -> None:
        nid, name, kind, local_parent, guid = hit
        if name != row["name"]:
            free = (local_parent, kind, row["name"]) not in by_path
            if self.conflict(f"node:{guid}:renamed", "renamed", "node",
                             f"node '{local_path(local, nid)}' is called '{row['name']}' in {self.who}",
                             name, row["name"], ("ours", "theirs") if free else ("ours",), "ours") == "theirs":
                self.plan.updates.append(("nodes", nid, {"name": row["name"]}))
                by_path[(local_parent, kind, row["name"])] = nid
        if parent != local_parent and (row["parent_id"] is None or parent is not None):
            where = local_path(local, parent) if parent is not None else "the top level"
            here = local_path(local, local_parent) if local_parent is not None else "the top level"
            ok = kind == "tree" and not is_below(local, parent, nid)
            if self.conflict(f"node:{guid}:moved", "moved", "node",
                             f"node '{local_path(local, nid)}' is under {where} in {self.who}", here, where,
                             ("ours", "theirs") if ok else ("ours",), "ours") == "theirs":
                self.plan.updates.append(("nodes", nid, {"parent_id": parent}))

    def _deleted_there(self, local: dict) -> None:
        gone = self.copy.deleted.get("nodes", set())
        if not gone:
            return
        counts = dict(self.rows("SELECT node_id, count(*) FROM codings GROUP BY node_id"))
        for nid, _name, _kind, _parent, guid in local.values():
            if guid in gone and counts.get(nid):
                if self.conflict(f"node:{guid}:deleted-there", "deleted-there", "node",
                                 f"node '{local_path(local, nid)}' was deleted in {self.who} but is used here",
                                 f"{counts[nid]} coding(s) at it", "deleted", ("keep", "delete"),
                                 "keep") == "delete":
                    self.plan.deletes.append(("nodes", nid))

    # ------------------------------------------------------------------ codings and passages
    def codings(self) -> None:
        local = {(r[1], r[2], r[3], r[4], r[5]): r[0] for r in
                 self.rows('SELECT id, source_id, node_id, start, "end", coder FROM codings')}
        m = self.maps.setdefault("codings", {})
        sources, nodes = self.maps["sources"], self.maps["nodes"]
        inserts = self.plan.inserts.setdefault("codings", [])
        next_id = self.new_id("codings")
        for row in self.copy.rows["codings"]:
            s, n = sources.get(row["source_id"]), nodes.get(row["node_id"])
            if s is None or n is None:
                self.plan.skipped["coding"] += 1
                continue
            key = (s, n, row["start"], row["end"], row["coder"])
            hit = local.get(key)
            if hit is not None:
                m[row["id"]] = hit
                self.plan.duplicates["coding"] += 1
                continue
            new = dict(row, id=next_id, source_id=s, node_id=n)
            next_id += 1
            inserts.append(new)
            local[key] = m[row["id"]] = new["id"]
            self.plan.merged["coding"] += 1

    def passages(self, table: str, owner_col: str, owner_table: str, entity: str) -> None:
        local = {(r[0], r[1], r[2], r[3]) for r in
                 self.rows(f'SELECT "{owner_col}", source_id, start, "end" FROM "{table}"')}
        for row in self.copy.rows[table]:
            owner, source = self.mapped(owner_table, row[owner_col]), self.mapped("sources", row["source_id"])
            if owner is None or source is None:
                self.plan.skipped[entity] += 1
                continue
            key = (owner, source, row["start"], row["end"])
            if key in local:
                self.plan.duplicates[entity] += 1
                continue
            local.add(key)
            self.insert(table, dict(row, **{owner_col: owner, "source_id": source}), entity)

    # ------------------------------------------------------------------ fragments, links, memos
    def fragments(self) -> None:
        local = {r[1]: r for r in self.rows("SELECT id, guid, summary, act, actors FROM fragments")}
        m = self.maps.setdefault("fragments", {})
        for row in self.copy.rows["fragments"]:
            hit = local.get(row["guid"])
            if hit is not None:
                m[row["id"]] = hit[0]
                self.plan.duplicates["fragment"] += 1
                if (hit[2], hit[3], hit[4]) != (row["summary"], row["act"], row["actors"]):
                    if self.conflict(f"fragment:{row['guid']}:edited", "edited", "fragment",
                                     f"fragment '{cut(hit[2])}' was edited in {self.who}", cut(hit[2]),
                                     cut(row["summary"]), ("ours", "theirs"), "ours") == "theirs":
                        self.plan.updates.append(("fragments", hit[0], {
                            "summary": row["summary"], "act": row["act"], "actors": row["actors"]}))
                continue
            account = self.mapped("accounts", row["account_id"])
            if account is None:
                self.plan.skipped["fragment"] += 1
                continue
            if row["guid"] in self.local_deleted.get("fragments", ()):
                if self.conflict(f"fragment:{row['guid']}:deleted-here", "deleted-here", "fragment",
                                 f"fragment '{cut(row['summary'])}' was deleted here but is kept in {self.who}",
                                 "deleted", "kept", ("leave", "restore"), "leave") == "leave":
                    self.plan.skipped["fragment"] += 1
                    continue
            m[row["id"]] = self.insert("fragments", dict(row, account_id=account,
                                                         case_id=self.mapped("cases", row["case_id"])), "fragment")

    def links(self) -> None:
        local = {(r[0], r[1]) for r in self.rows("SELECT from_id, to_id FROM fragment_links")}
        for row in self.copy.rows["fragment_links"]:
            a, b = self.mapped("fragments", row["from_id"]), self.mapped("fragments", row["to_id"])
            if a is None or b is None:
                self.plan.skipped["fragment link"] += 1
                continue
            if (a, b) in local:
                self.plan.duplicates["fragment link"] += 1
                continue
            local.add((a, b))
            self.insert("fragment_links", dict(row, from_id=a, to_id=b), "fragment link")

    def memos(self) -> None:
        local = {r[1]: r for r in self.rows("SELECT id, guid, title, text FROM memos")}
        m = self.maps.setdefault("memos", {})
        targets = {"source": "sources", "node": "nodes", "coding": "codings", "case": "cases",
                   "account": "accounts", "memo": "memos"}
        # Memos on memos after the memos they are on.
        for row in sorted(self.copy.rows["memos"], key=lambda r: (r["target_type"] == "memo", r["id"])):
            hit = local.get(row["guid"])
            if hit is not None:
                m[row["id"]] = hit[0]
                self.plan.duplicates["memo"] += 1
                if (hit[2], hit[3]) != (row["title"], row["text"]):
                    self._memo_edited(hit, row)
                continue
            table = targets.get(row["target_type"])
            target = self.mapped(table, row["target_id"]) if table else row["target_id"]
            if table and target is None:
                self.plan.skipped["memo"] += 1
                continue
            if row["guid"] in self.local_deleted.get("memos", ()):
                if self.conflict(f"memo:{row['guid']}:deleted-here", "deleted-here", "memo",
                                 f"memo '{row['title'] or cut(row['text'])}' was deleted here but is kept in "
                                 f"{self.who}", "deleted", "kept", ("leave", "restore"), "leave") == "leave":
                    self.plan.skipped["memo"] += 1
                    continue
            m[row["id"]] = self.insert("memos", dict(row, target_id=target), "memo")

    def _memo_edited(self, hit: tuple, row: dict) -> None:
        label = hit[2] or cut(hit[3])
        choice = self.conflict(f"memo:{row['guid']}:edited", "edited", "memo",
                               f"memo '{label}' was edited differently in {self.who}", cut(hit[3]),
                               cut(row["text"]), ("both", "ours", "theirs"), "both")
        if choice == "theirs":
            self.plan.updates.append(("memos", hit[0], {"title": row["title"], "text": row["text"],
                                                        "updated_at": row["updated_at"]}))
        elif choice == "both":
            # The copy's text as a memo of its own, beside this one; its guid follows from the text, so
            # merging the same copy again finds it.
            digest = hashlib.sha256(f"{row['title']}\n{row['text']}".encode()).hexdigest()
            guid = str(uuid.uuid5(uuid.UUID(row["guid"]) if is_uuid(row["guid"]) else uuid.NAMESPACE_OID, digest))
            if self.raw.execute("SELECT 1 FROM memos WHERE guid = ?", (guid,)).fetchone() or \
                    any(r["guid"] == guid for r in self.plan.inserts.get("memos", ())):
                return
            target = self.raw.execute("SELECT target_type, target_id, date FROM memos WHERE id = ?",
                                      (hit[0],)).fetchone()
            title = f"{row['title'] or 'Memo'} ({self.who})"
            self.insert("memos", dict(row, guid=guid, title=title, target_type=target[0], target_id=target[1],
                                      date=target[2]), "memo")

    # ------------------------------------------------------------------ all
    def run(self) -> Plan:
        self.named("cases", "case", "name")
        self.named("attributes", "attribute", "name")
        self.sources()
        self.attribute_values()
        self.nodes()
        self.codings()
        self.named("accounts", "account", "title")
        self.passages("account_passages", "account_id", "accounts", "account passage")
        self.fragments()
        self.passages("fragment_passages", "fragment_id", "fragments", "fragment passage")
        self.links()
        self.memos()
        if self.resolutions:
            raise InvalidInput("No conflict is called " + ", ".join(sorted(self.resolutions)) + ".")
        return self.plan


def plan_merge(raw: sqlite3.Connection, copy: Copy, resolutions: dict[str, str] | None = None) -> Plan:
    """What merging ``copy`` into the project read through ``raw`` would write (nothing is written)."""
    return _Planner(raw, copy, resolutions or {}).run()
