"""YAML loading that remembers line numbers, so every problem can name FILE:LINE: field."""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

Path_ = tuple[str | int, ...]
_TIMESTAMP = "tag:yaml.org,2002:timestamp"


@dataclass(frozen=True)
class Problem:
    file: str
    line: int
    field: str
    message: str
    severity: str = "error"  # "error" stops loading; "warning" is reported only

    def __str__(self) -> str:
        prefix = "advarsel: " if self.severity == "warning" else ""
        return f"{self.file}:{self.line}: {self.field}: {prefix}{self.message}"


@dataclass
class YamlDoc:
    """Parsed data plus the line of every key and list item (1-based)."""

    file: str
    data: Any
    lines: dict[Path_, int] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)

    def line(self, *path: str | int) -> int:
        """Line of the deepest known part of `path`: a missing field points at its parent."""
        while path:
            if path in self.lines:
                return self.lines[path]
            path = path[:-1]
        return self.lines.get((), 1)


def load_yaml(path: Path, display: str | None = None) -> YamlDoc:
    name = display or str(path)
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        return YamlDoc(name, None, problems=[Problem(name, 1, "fil", f"ikke UTF-8 tekst ({exc.reason})")])
    return parse_yaml(text, name)


def parse_yaml(text: str, name: str) -> YamlDoc:
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
        line = mark.line + 1 if mark else 1
        reason = getattr(exc, "problem", None) or str(exc)
        return YamlDoc(name, None, problems=[Problem(name, line, "yaml", f"ugyldig YAML: {reason}")])
    doc = YamlDoc(name, None)
    if node is None:
        doc.problems.append(Problem(name, 1, "fil", "filen er tom"))
        return doc
    doc.lines[()] = node.start_mark.line + 1
    _walk(node, (), doc)
    try:
        doc.data = yaml.SafeLoader("").construct_document(node)
    except (yaml.YAMLError, ValueError) as exc:
        doc.problems.append(Problem(name, 1, "yaml", f"ugyldig værdi: {exc}"))
    return doc


def _walk(node: yaml.Node, path: Path_, doc: YamlDoc) -> None:
    if isinstance(node, yaml.MappingNode):
        seen: set[str] = set()
        for key_node, value_node in node.value:
            key = str(key_node.value)
            child = (*path, key)
            if key in seen:
                doc.problems.append(
                    Problem(doc.file, key_node.start_mark.line + 1, dotted(child), "feltet står to gange")
                )
            seen.add(key)
            doc.lines[child] = key_node.start_mark.line + 1
            _walk(value_node, child, doc)
    elif isinstance(node, yaml.ScalarNode) and node.tag == _TIMESTAMP:
        # An impossible date (2026-13-01) would abort the whole file; keep it as text so the
        # schema can say which field holds it.
        try:
            yaml.SafeLoader("").construct_yaml_timestamp(node)
        except ValueError:
            node.tag = "tag:yaml.org,2002:str"
    elif isinstance(node, yaml.SequenceNode):
        for i, item in enumerate(node.value):
            doc.lines[(*path, i)] = item.start_mark.line + 1
            _walk(item, (*path, i), doc)


def dotted(path: Path_) -> str:
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else part)
    return out or "fil"


