"""Turns article YAML text into page blocks and plain text. Jinja escapes everything; nothing
here produces HTML, so an article that contains `<script>` is shown as those characters."""
from __future__ import annotations

from dataclasses import dataclass

from knowledge.dates import danish_date
from knowledge.models import Article, Channel

__all__ = ["danish_date"]  # the pages import it from here with the other helpers



@dataclass(frozen=True)
class Block:
    kind: str                      # "p" or "ul"
    text: str = ""
    items: tuple[str, ...] = ()


def blocks(body: str) -> list[Block]:
    """Paragraphs split on blank lines; consecutive '- ' lines become one list. A paragraph
    that introduces a list ("Sådan gør du:") stays a paragraph above it."""
    out: list[Block] = []
    for paragraph in (p for p in _split_paragraphs(body) if p.strip()):
        lines: list[str] = []
        items: list[str] = []
        for line in paragraph.splitlines():
            stripped = line.strip()
            if stripped.startswith("- ") or stripped == "-":
                if lines:
                    out.append(Block("p", " ".join(lines)))
                    lines = []
                items.append(stripped[2:].strip())
            elif items and line[:1].isspace() and stripped:
                items[-1] += " " + stripped          # a list item wrapped onto the next line
            elif stripped:
                if items:
                    out.append(Block("ul", items=tuple(items)))
                    items = []
                lines.append(stripped)
        if lines:
            out.append(Block("p", " ".join(lines)))
        if items:
            out.append(Block("ul", items=tuple(items)))
    return out


def _split_paragraphs(body: str) -> list[str]:
    paragraphs, current = [], []
    for line in (body or "").splitlines():
        if line.strip():
            current.append(line)
        elif current:
            paragraphs.append("\n".join(current))
            current = []
    if current:
        paragraphs.append("\n".join(current))
    return paragraphs


def plain_text(article: Article, channels: list[Channel]) -> str:
    """The article as text a volunteer can paste into an SMS, e-mail or letter."""
    parts = [article.title, "", article.summary, ""]
    for block in blocks(article.body):
        if block.kind == "p":
            parts += [block.text, ""]
        else:
            parts += [f"- {item}" for item in block.items] + [""]
    if channels:
        parts.append("Hvor kan du få hjælp?")
        for c in channels:
            bits = [c.name]
            if c.phone:
                bits.append(f"tlf. {c.phone}")
            if c.url:
                bits.append(c.url)
            parts.append("- " + ", ".join(bits))
        parts.append("")
    parts.append("Lovgrundlag: " + "; ".join(article.legal_basis))
    parts.append(f"Læs mere: {article.url}")
    parts.append(f"Sidst tjekket: {danish_date(article.reviewed)}")
    return "\n".join(parts).strip() + "\n"
